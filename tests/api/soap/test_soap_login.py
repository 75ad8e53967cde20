"""SOAP passwords: argon2id, old SHA-256 hashes rehashed at login, and argon2id run once per login and window."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from tests.api.soap.soapkit import envelope, fault_of, post_raw

from opencentra import passwords
from opencentra.db.engine import Database
from opencentra.errors import Unauthorized
from opencentra.integration import secrets, soap_users
from opencentra.integration.models import SoapUser
from opencentra.integration.soap_users import (
    VERIFIED_LOGIN_SECONDS,
    VerifiedLogins,
    create_soap_user,
    deactivate_soap_user,
    rotate_soap_password,
    soap_login,
)


class Counted:
    """``passwords.verify_password``, counting its calls: each is one argon2id verification."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self._verify = passwords.verify_password
        monkeypatch.setattr(passwords, "verify_password", self)

    async def __call__(self, stored_hash: str | None, password: str) -> bool:
        self.calls += 1
        return await self._verify(stored_hash, password)


@pytest.fixture
def verifies(monkeypatch: pytest.MonkeyPatch) -> Counted:
    return Counted(monkeypatch)


async def _stored_hash(db: Database, username: str) -> str:
    async with db.read() as session:
        stored = await session.scalar(select(SoapUser.password_hash).where(SoapUser.username == username))
    assert stored is not None
    return stored


async def _make_legacy(db: Database, username: str, password: str) -> None:
    """The hash a SOAP user got before argon2id: the bare SHA-256 hex digest of the password."""
    async with db.write() as session:
        await session.execute(
            update(SoapUser).where(SoapUser.username == username).values(password_hash=secrets.hash_secret(password))
        )


async def test_new_passwords_are_argon2id_and_a_login_runs_it_once(db: Database, verifies: Counted) -> None:
    password = await create_soap_user(db, username="erp")
    assert (await _stored_hash(db, "erp")).startswith("$argon2id$")
    first = await soap_login(db, "erp", password)
    for _ in range(3):
        assert await soap_login(db, "erp", password) == first
    assert verifies.calls == 1
    # A wrong password never matches a remembered login: it pays argon2id every time, as an unknown user does.
    for username, guess in (("erp", "wrong"), ("erp", password[:-1]), ("nobody", password), ("erp", "")):
        with pytest.raises(Unauthorized):
            await soap_login(db, username, guess)
    assert verifies.calls == 5
    # The process remembers digests under its own random key, never a password.
    assert len(soap_users.verified_logins) == 1
    assert password.encode() not in repr(vars(soap_users.verified_logins)).encode()


async def test_an_old_sha256_hash_logs_in_and_is_rehashed(db: Database, verifies: Counted) -> None:
    password = await create_soap_user(db, username="erp")
    await _make_legacy(db, "erp", password)
    with pytest.raises(Unauthorized):
        await soap_login(db, "erp", "wrong")
    assert verifies.calls == 1  # a wrong password against an old hash costs argon2id too
    assert soap_users.is_legacy_hash(await _stored_hash(db, "erp"))  # a failed login changes nothing
    user = await soap_login(db, "erp", password)
    rehashed = await _stored_hash(db, "erp")
    assert rehashed.startswith("$argon2id$") and await passwords.verify_password(rehashed, password)
    calls = verifies.calls
    assert await soap_login(db, "erp", password) == user  # remembered with its new hash
    assert verifies.calls == calls
    soap_users.verified_logins.clear()  # another process: verifies against the argon2id hash
    assert await soap_login(db, "erp", password) == user
    with pytest.raises(Unauthorized):
        await soap_login(db, "erp", secrets.hash_secret(password))  # the old digest is no password


async def test_rotation_and_deactivation_end_a_remembered_login_at_once(db: Database, verifies: Counted) -> None:
    old = await create_soap_user(db, username="erp")
    await soap_login(db, "erp", old)
    new = await rotate_soap_password(db, "erp")
    with pytest.raises(Unauthorized):
        await soap_login(db, "erp", old)
    assert verifies.calls == 2  # the remembered login did not count: the stored hash changed
    await soap_login(db, "erp", new)
    await soap_login(db, "erp", new)
    assert verifies.calls == 3
    await deactivate_soap_user(db, "erp")
    with pytest.raises(Unauthorized):
        await soap_login(db, "erp", new)
    # Rotating makes the user active again, with a new password only.
    newest = await rotate_soap_password(db, "erp")
    with pytest.raises(Unauthorized):
        await soap_login(db, "erp", new)
    assert (await soap_login(db, "erp", newest)).username == "erp"


async def test_a_remembered_login_expires(db: Database, verifies: Counted, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(soap_users, "verified_logins", VerifiedLogins(clock=lambda: now[0]))
    password = await create_soap_user(db, username="erp")
    await soap_login(db, "erp", password)
    now[0] += VERIFIED_LOGIN_SECONDS - 1
    await soap_login(db, "erp", password)
    assert verifies.calls == 1
    now[0] += 2
    await soap_login(db, "erp", password)
    assert verifies.calls == 2


def test_remembered_logins_stay_bounded() -> None:
    logins = VerifiedLogins(max_entries=3)
    for n in range(10):
        logins.remember(logins.key("erp", f"password {n}"), 1, "hash")
    assert len(logins) == 3
    assert logins.matches(logins.key("erp", "password 9"), 1, "hash")
    assert not logins.matches(logins.key("erp", "password 0"), 1, "hash")
    assert not logins.matches(logins.key("erp", "password 9"), 2, "hash")  # another user's row
    assert not logins.matches(logins.key("erp", "password 9"), 1, "other hash")


EVENTS = "<type>all</type>"


def test_every_request_logs_in_but_runs_argon2id_once(api: Any, verifies: Counted) -> None:
    password = api.call(create_soap_user, username="erp")
    api.call(_make_legacy, "erp", password)
    body = envelope("events_GetRequest", EVENTS, username="erp", password=password)
    for _ in range(3):
        assert post_raw(api.client, body).status_code == 200
    assert verifies.calls == 0  # the old hash was checked by SHA-256, then replaced and remembered
    assert api.call(_stored_hash, "erp").startswith("$argon2id$")
    soap_users.verified_logins.clear()
    for _ in range(3):
        assert post_raw(api.client, body).status_code == 200
    assert verifies.calls == 1


def test_failed_logins_are_throttled_while_the_right_one_is_remembered(api: Any, verifies: Counted) -> None:
    password = api.call(create_soap_user, username="erp")
    right = envelope("events_GetRequest", EVENTS, username="erp", password=password)
    wrong = envelope("events_GetRequest", EVENTS, username="erp", password="guess")
    assert post_raw(api.client, right).status_code == 200
    statuses = [post_raw(api.client, wrong).status_code for _ in range(50)]
    assert statuses == [401] * 50
    assert verifies.calls == 51  # every failure paid argon2id and was counted
    refused = post_raw(api.client, right)  # the address is throttled, whatever it sends
    assert refused.status_code == 429
    assert "too many" in fault_of(refused.content)
    assert verifies.calls == 51
