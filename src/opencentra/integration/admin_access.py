"""Admin UI access: logging in, sessions, roles and the stores a store manager is given.

An admin logs in with the password (argon2id, ``passwords``), throttled per
client address and per username like a shopper's login
(``ratelimit.throttle``), and gets a session: a 256-bit random token for the
browser's cookie, of which only the SHA-256 is stored. A session ends at
logout, after ``SESSION_IDLE`` without a request, ``SESSION_LIFETIME`` after
login, when the admin is deactivated, and (every one of that admin's) when
the password changes.

The CSRF token of a session is derived from its token (an HMAC), so it
needs no storage, differs per session and is worthless without the cookie.

Roles: an ``ADMINISTRATOR`` reaches everything, SYSTEM included; a
``STORE_MANAGER`` works only in the stores assigned to them. Admins made
before roles existed, and by ``opencentra admin create-user``, are
administrators.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import NotFound, Unauthorized, ValidationFailed
from opencentra.integration import secrets
from opencentra.integration.admin_models import AdminSession, AdminStoreAssignment
from opencentra.integration.models import AdminUser, IntegrationToken, SoapUser
from opencentra.integration.services import MIN_ADMIN_PASSWORD
from opencentra.passwords import hash_password, needs_rehash, verify_password
from opencentra.ratelimit.throttle import Limit, Policy, Throttle
from opencentra.stores.models import Store

SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE = timedelta(hours=2)
# A session's last use is written at most this often, so reading a page is not a write each time.
TOUCH_EVERY = timedelta(minutes=5)
MAX_ADMIN_PASSWORD = 1024

ADMIN_LOGIN = Policy("admin-login", per_address=Limit(20, 300), per_account=Limit(5, 900))
"""Admin logins and password changes: 20 failures per address per 5 minutes; a username slows down after 5 in 15."""


class AdminRole(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    STORE_MANAGER = "store_manager"


@dataclass(frozen=True, slots=True)
class AdminView:
    id: int
    username: str
    role: AdminRole
    # The stores a store manager is given; empty for an administrator (who reaches all).
    store_ids: frozenset[int]
    active: bool
    last_login_at: datetime | None

    @property
    def is_administrator(self) -> bool:
        return self.role is AdminRole.ADMINISTRATOR

    def may_work_in(self, store_id: int) -> bool:
        return self.is_administrator or store_id in self.store_ids


@dataclass(frozen=True, slots=True)
class AdminSessionView:
    """A live session: who it is, and the CSRF token its forms must carry."""

    id: int
    admin: AdminView
    csrf_token: str
    expires_at: datetime

    def csrf_matches(self, presented: str | None) -> bool:
        return hmac.compare_digest((presented or "").encode(), self.csrf_token.encode())


@dataclass(frozen=True, slots=True)
class AdminLogin:
    """A new session and its token, for the cookie only: never stored, logged or shown."""

    session: AdminSessionView
    token: str


@dataclass(frozen=True, slots=True)
class SoapUserView:
    id: int
    username: str
    store_id: int | None
    active: bool


def csrf_token_for(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"opencentra-admin-csrf", hashlib.sha256).hexdigest()


def _account(username: str) -> str:
    return f"admin:{username.strip().lower()}"


def _role(value: str) -> AdminRole:
    try:
        return AdminRole(value)
    except ValueError:
        # An unknown role in the database gives the least access, not the most.
        return AdminRole.STORE_MANAGER


async def _admin_view(session: AsyncSession, user: AdminUser) -> AdminView:
    store_ids = frozenset(
        await session.scalars(
            select(AdminStoreAssignment.store_id).where(AdminStoreAssignment.admin_user_id == user.id)
        )
    )
    role = _role(user.role)
    return AdminView(
        id=user.id,
        username=user.username,
        role=role,
        store_ids=store_ids if role is AdminRole.STORE_MANAGER else frozenset(),
        active=user.active,
        last_login_at=user.last_login_at,
    )


def _check_new_password(password: str) -> None:
    if len(password) < MIN_ADMIN_PASSWORD:
        raise ValidationFailed(f"admin passwords need at least {MIN_ADMIN_PASSWORD} characters", field="password")
    if len(password) > MAX_ADMIN_PASSWORD:
        raise ValidationFailed(f"admin passwords have at most {MAX_ADMIN_PASSWORD} characters", field="password")


async def _open_session(db: Database, user_id: int, *, rehash: str | None = None) -> AdminLogin:
    token = secrets.generate_secret()
    now = utcnow()
    async with db.write() as session:
        user = await session.get(AdminUser, user_id)
        if user is None or not user.active:
            raise Unauthorized("invalid username or password", field="password")
        user.last_login_at = now
        if rehash is not None:
            user.password_hash = rehash
        # The admin's ended sessions go now, so the table holds live sessions only.
        await session.execute(
            delete(AdminSession).where(
                AdminSession.admin_user_id == user.id,
                (AdminSession.expires_at <= now) | (AdminSession.last_seen_at <= now - SESSION_IDLE),
            )
        )
        row = AdminSession(
            admin_user_id=user.id,
            token_hash=secrets.hash_secret(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
        session.add(row)
        await session.flush()
        view = AdminSessionView(row.id, await _admin_view(session, user), csrf_token_for(token), row.expires_at)
        return AdminLogin(view, token)


async def log_in_admin(
    db: Database, throttle: Throttle, *, username: str, password: str, address: str | None
) -> AdminLogin:
    """A new session for a right password; ``Unauthorized`` (or ``TooManyAttempts``) otherwise."""
    if len(password) > MAX_ADMIN_PASSWORD:
        raise Unauthorized("invalid username or password", field="password")
    async with throttle.attempt(ADMIN_LOGIN, address=address, account=_account(username), field="password"):
        async with db.read() as session:
            user = await session.scalar(select(AdminUser).where(AdminUser.username == username.strip()))
            stored = user.password_hash if user is not None and user.active else None
            user_id = user.id if user is not None else None
        if user_id is None or not await verify_password(stored, password):
            raise Unauthorized("invalid username or password", field="password")
    rehash = await hash_password(password) if stored is not None and needs_rehash(stored) else None
    return await _open_session(db, user_id, rehash=rehash)


async def admin_session(db: Database, token: str | None) -> AdminSessionView | None:
    """The live session a cookie names, or None (unknown, expired, idle too long, admin deactivated)."""
    if not token or len(token) > 200:
        return None
    digest = secrets.hash_secret(token)
    now = utcnow()
    async with db.read() as session:
        row = await session.scalar(select(AdminSession).where(AdminSession.token_hash == digest))
        if row is None or not secrets.matches(token, row.token_hash):
            return None
        if row.expires_at <= now or row.last_seen_at + SESSION_IDLE <= now:
            return None
        user = await session.get(AdminUser, row.admin_user_id)
        if user is None or not user.active:
            return None
        view = AdminSessionView(row.id, await _admin_view(session, user), csrf_token_for(token), row.expires_at)
        stale = row.last_seen_at + TOUCH_EVERY <= now
    if stale:
        async with db.write() as session:
            await session.execute(update(AdminSession).where(AdminSession.id == view.id).values(last_seen_at=now))
    return view


async def log_out_admin(db: Database, token: str | None) -> None:
    """End the session a cookie names (nothing happens for an unknown one)."""
    if not token:
        return
    async with db.write() as session:
        await session.execute(delete(AdminSession).where(AdminSession.token_hash == secrets.hash_secret(token)))


async def change_admin_password(
    db: Database,
    throttle: Throttle,
    *,
    admin_id: int,
    current_password: str,
    new_password: str,
    address: str | None,
) -> AdminLogin:
    """Check the current password, set the new one, end every session of the admin and open a new one."""
    _check_new_password(new_password)
    async with db.read() as session:
        user = await session.get(AdminUser, admin_id)
        if user is None or not user.active:
            raise Unauthorized("session ended", field="password")
        username, stored = user.username, user.password_hash
    async with throttle.attempt(ADMIN_LOGIN, address=address, account=_account(username), field="current_password"):
        if len(current_password) > MAX_ADMIN_PASSWORD or not await verify_password(stored, current_password):
            raise Unauthorized("the current password is wrong", field="current_password")
    hashed = await hash_password(new_password)
    async with db.write() as session:
        # Only if the password is still the one checked: two changes at once cannot both win.
        changed = await session.execute(
            update(AdminUser)
            .where(AdminUser.id == admin_id, AdminUser.password_hash == stored)
            .values(password_hash=hashed, updated_at=utcnow())
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise Unauthorized("the password changed meanwhile; log in again", field="current_password")
        await session.execute(delete(AdminSession).where(AdminSession.admin_user_id == admin_id))
    return await _open_session(db, admin_id)


async def set_admin_access(
    db: Database, *, username: str, role: AdminRole | str, store_ids: Iterable[int] = ()
) -> AdminView:
    """Make an admin an administrator, or a store manager of exactly ``store_ids``."""
    try:
        kind = AdminRole(role)
    except ValueError:
        allowed = ", ".join(r.value for r in AdminRole)
        raise ValidationFailed(f"unknown role {role!r}; use one of {allowed}", field="role") from None
    wanted = sorted(set(store_ids)) if kind is AdminRole.STORE_MANAGER else []
    async with db.write() as session:
        # Locked, so two changes of one admin's stores run one after the other, not into each other's rows.
        user = await session.scalar(select(AdminUser).where(AdminUser.username == username.strip()).with_for_update())
        if user is None:
            raise NotFound(f"admin {username!r} not found", field="username")
        if wanted:
            found = set(await session.scalars(select(Store.id).where(Store.id.in_(wanted))))
            missing = [store_id for store_id in wanted if store_id not in found]
            if missing:
                raise NotFound(f"store {missing[0]} not found", field="stores")
        user.role = kind.value
        await session.execute(delete(AdminStoreAssignment).where(AdminStoreAssignment.admin_user_id == user.id))
        session.add_all(AdminStoreAssignment(admin_user_id=user.id, store_id=store_id) for store_id in wanted)
        await session.flush()
        return await _admin_view(session, user)


async def list_admins(db: Database) -> list[AdminView]:
    async with db.read() as session:
        users = (await session.scalars(select(AdminUser).order_by(AdminUser.username))).all()
        rows = (await session.execute(select(AdminStoreAssignment.admin_user_id, AdminStoreAssignment.store_id))).all()
    assigned: dict[int, set[int]] = {}
    for admin_id, store_id in rows:
        assigned.setdefault(admin_id, set()).add(store_id)
    views = []
    for user in users:
        role = _role(user.role)
        stores = frozenset(assigned.get(user.id, ())) if role is AdminRole.STORE_MANAGER else frozenset()
        views.append(AdminView(user.id, user.username, role, stores, user.active, user.last_login_at))
    return views


async def list_soap_users(db: Database) -> list[SoapUserView]:
    async with db.read() as session:
        users = (await session.scalars(select(SoapUser).order_by(SoapUser.username))).all()
        return [SoapUserView(u.id, u.username, u.store_id, u.active) for u in users]


@dataclass(frozen=True, slots=True)
class TokenListing:
    """A GraphQL integration token as the admin lists it: never its secret, only its first characters."""

    id: int
    name: str
    prefix: str
    permissions: tuple[str, ...]
    store_id: int | None
    expires_at: datetime | None
    revoked: bool
    last_used_at: datetime | None


async def list_tokens(db: Database) -> list[TokenListing]:
    async with db.read() as session:
        tokens = (await session.scalars(select(IntegrationToken).order_by(IntegrationToken.id))).all()
        return [
            TokenListing(
                t.id,
                t.name,
                t.token_prefix,
                tuple(t.permissions),
                t.store_id,
                t.expires_at,
                t.revoked_at is not None,
                t.last_used_at,
            )
            for t in tokens
        ]
