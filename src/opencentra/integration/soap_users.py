"""SOAP users: their passwords, and who a SOAP request comes from (the login in its body).

Passwords are argon2id (``opencentra.passwords``), the scheme named by the
hash's own prefix (``$argon2id$...``). Hashes written before argon2id are a
bare 64-digit SHA-256 hex digest: they still log in, and the first login that
succeeds replaces the hash with an argon2id one (a conditional update, so a
password rotated meanwhile is not overwritten). No data migration is needed.

Every SOAP request carries the login, and argon2id costs ~180 ms of CPU: a
process remembers the logins it verified (``VerifiedLogins``) for
``VERIFIED_LOGIN_SECONDS``, keyed by an HMAC of username and password under a
key that lives only in the process's memory, never the password itself. A
remembered login still reads the user's row on every request (the one indexed
read a login always cost) and counts only while that row is active and holds
the same hash it was verified against, so a rotated password or a deactivated
user is refused at once, on every process. A wrong password never matches a
remembered login and so always pays argon2id; an unknown user costs the same.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, text, update

from opencentra import passwords
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from opencentra.integration import secrets
from opencentra.integration.models import SoapUser

# The ID conversion table of the SOAP API: one for the instance, as Centra's
# SOAP module keeps one, so every SOAP user of the instance sees the same ERP ids.
SOAP_INTEGRATION = "soap"

ARGON2ID_PREFIX = "$argon2id$"
# The scheme before argon2id: SHA-256 of the generated password, 64 lowercase hex digits, no prefix.
_LEGACY_SHA256 = re.compile(r"[0-9a-f]{64}")
# How long a process trusts a login it verified before running argon2id for it again.
VERIFIED_LOGIN_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class SoapLogin:
    user_id: int
    username: str
    # None: the user may work on every store.
    store_id: int | None

    @property
    def consumer(self) -> str:
        """The user's own queue in the events outbox."""
        return f"soap:{self.username}"


def is_legacy_hash(stored_hash: str) -> bool:
    """True for a SHA-256 hash written before SOAP passwords were argon2id."""
    return _LEGACY_SHA256.fullmatch(stored_hash) is not None


def _fingerprint(stored_hash: str) -> bytes:
    """What a remembered login is checked against: changes whenever the stored hash does."""
    return hashlib.sha256(stored_hash.encode("utf-8")).digest()


class VerifiedLogins:
    """Logins this process verified lately: HMAC(username, password) -> (user id, hash fingerprint, expiry).

    Only successful logins are remembered, so the size is bounded by the SOAP
    users' passwords in use; ``max_entries`` caps it anyway (expired entries
    go first, then the oldest). A ``threading.Lock`` guards the dict: the
    critical sections never await.
    """

    def __init__(
        self,
        *,
        seconds: float = VERIFIED_LOGIN_SECONDS,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Random per process and never stored: the keys say nothing about a password outside this process.
        self._key = os.urandom(32)
        self._seconds = seconds
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[bytes, tuple[int, bytes, float]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def key(self, username: str, password: str) -> bytes:
        message = username.encode("utf-8") + b"\0" + password.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def matches(self, key: bytes, user_id: int, stored_hash: str) -> bool:
        """True when ``key`` was verified for ``user_id`` against ``stored_hash`` and has not expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False
            if entry[2] <= self._clock():
                del self._entries[key]
                return False
        return entry[0] == user_id and hmac.compare_digest(entry[1], _fingerprint(stored_hash))

    def remember(self, key: bytes, user_id: int, stored_hash: str) -> None:
        now = self._clock()
        with self._lock:
            self._entries.pop(key, None)
            if len(self._entries) >= self._max_entries:
                for old in [k for k, (_, _, ends) in self._entries.items() if ends <= now]:
                    del self._entries[old]
                while len(self._entries) >= self._max_entries:
                    del self._entries[next(iter(self._entries))]
            self._entries[key] = (user_id, _fingerprint(stored_hash), now + self._seconds)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# One per process: every SOAP request of this process logs in through it.
verified_logins = VerifiedLogins()


async def _password_matches(stored_hash: str | None, password: str) -> bool:
    """Constant-time check in the stored hash's scheme; every failure costs one argon2id verification."""
    if stored_hash is not None and is_legacy_hash(stored_hash):
        if password and secrets.matches(password, stored_hash):
            return True
        # Answer a wrong password as slowly as for an argon2id hash or an unknown user.
        await passwords.verify_password(None, password)
        return False
    return await passwords.verify_password(stored_hash, password)


async def soap_login(db: Database, username: str, password: str) -> SoapLogin:
    """The active SOAP user ``username`` with ``password``; ``Unauthorized`` for anything else."""
    async with db.read() as session:
        row = (
            await session.execute(
                select(SoapUser.id, SoapUser.store_id, SoapUser.active, SoapUser.password_hash).where(
                    SoapUser.username == username
                )
            )
        ).one_or_none()
    stored = row.password_hash if row is not None and row.active else None
    key = verified_logins.key(username, password)
    if row is not None and stored is not None and verified_logins.matches(key, row.id, stored):
        return SoapLogin(user_id=row.id, username=username, store_id=row.store_id)
    # Checked even for an unknown or inactive user (against a dummy hash): the same cost either way.
    if not await _password_matches(stored, password) or row is None or stored is None:
        raise Unauthorized("invalid SOAP login")
    if is_legacy_hash(stored) or passwords.needs_rehash(stored):
        stored = await _rehash(db, row.id, stored, password)
    if stored is not None:
        verified_logins.remember(key, row.id, stored)
    return SoapLogin(user_id=row.id, username=username, store_id=row.store_id)


async def _rehash(db: Database, user_id: int, old_hash: str, password: str) -> str | None:
    """Replace ``old_hash`` by an argon2id hash of ``password``; None when the hash changed meanwhile."""
    new_hash = await passwords.hash_password(password)
    async with db.write() as session:
        result = await session.execute(
            update(SoapUser)
            .where(SoapUser.id == user_id, SoapUser.password_hash == old_hash)
            .values(password_hash=new_hash)
            .execution_options(synchronize_session=False)
        )
    # Another request rehashed it or the password was rotated: this login was right, but remember nothing.
    return new_hash if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def authenticate_soap_user(db: Database, username: str, password: str) -> int:
    """The SOAP user's id; ``Unauthorized`` for anything but an active, matching login."""
    return (await soap_login(db, username, password)).user_id


# --- managing SOAP users (CLI, admin UI, demo seed) ------------------------------------------


async def create_soap_user(db: Database, *, username: str, store_id: int | None = None) -> str:
    """Create a SOAP login with a generated password; returns the password (shown once)."""
    if not username.strip():
        raise ValidationFailed("username is required", field="username")
    password = secrets.generate_secret()
    # Hashed before the transaction: argon2id takes a while and must not hold a write lock.
    password_hash = await passwords.hash_password(password)
    async with db.write() as session:
        if await session.scalar(select(SoapUser.id).where(SoapUser.username == username)):
            raise Conflict(f"SOAP user {username!r} exists", field="username")
        session.add(SoapUser(username=username, password_hash=password_hash, store_id=store_id))
    return password


async def rotate_soap_password(db: Database, username: str) -> str:
    """A new generated password for ``username`` (and active again); the old one stops working at once."""
    password = secrets.generate_secret()
    password_hash = await passwords.hash_password(password)
    async with db.write() as session:
        user = await session.scalar(select(SoapUser).where(SoapUser.username == username))
        if user is None:
            raise NotFound(f"SOAP user {username!r} not found", field="username")
        user.password_hash = password_hash
        user.active = True
    return password


async def deactivate_soap_user(db: Database, username: str) -> None:
    """Revoke a SOAP login; ``rotate_soap_password`` makes it usable again."""
    async with db.write() as session:
        user = await session.scalar(select(SoapUser).where(SoapUser.username == username))
        if user is None:
            raise NotFound(f"SOAP user {username!r} not found", field="username")
        user.active = False


# Any fixed 64-bit number, the same in every process: the key of the SOAP writers' turn.
_SOAP_WRITE_LOCK = 0x50A9_E2B0_0000_0013


async def take_soap_write_turn(db: Database) -> None:
    """Wait for the instance-wide turn of SOAP updates, held until the caller's transaction ends.

    An upsert by ERP id reads the ID conversion table, then creates the object
    and maps the id: two processes upserting the same new id at once would both
    create it. Taking one turn per item makes the second wait for the first and
    then see its mapping, on any number of processes. PostgreSQL: a
    transaction-scoped advisory lock. SQLite: nothing to do, a write
    transaction (``BEGIN IMMEDIATE``) already has the database to itself.
    """
    if db.is_sqlite:
        return
    async with db.write() as session:
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SOAP_WRITE_LOCK})
