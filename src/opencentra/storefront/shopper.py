"""The shopper's session behind the ``API-Token``, and where it says the shopper is.

A session is found by its token (only the SHA-256 is stored). A missing,
unknown or expired token is not an error: the shopper silently gets a new
token and the response carries it, as Centra documents. ``API-Token: none``
means no session at all: the request sees the store's defaults and nothing
is saved.

No row is written until the session holds something. A new token is only
minted (``selection.services.new_token``); reads with it (the catalogue,
``GET /selection``) see an empty session at the store's default location
and write nothing. The first change made with it (an item, a country, a
login, a voucher, checkout fields) inserts the row under that same token,
with ``INSERT ... ON CONFLICT (token_hash) DO NOTHING`` and then the row
locked, so two first changes racing with one new token share one row. A
change that leaves the session holding nothing deletes the row it made.

A session always holds a complete location (market, pricelist, language,
country and state); a selection copies it when created and follows every
change of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.selection.models import ShopperSession
from opencentra.selection.services import is_minted, is_token_shaped, new_token, token_hash
from opencentra.storefront.reference import StoreReference

# Extend a session's expiry at most once a day, so reads stay reads.
_EXTEND_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Channel:
    """The plugin a request came through, and how it was authenticated."""

    store_id: int
    plugin_id: int
    server_mode: bool
    # Markets the plugin sells in; empty means every market of the store.
    market_ids: tuple[int, ...] = ()
    session_days: int = 30
    frontend_url: str | None = None

    def allows_market(self, market_id: int) -> bool:
        return not self.market_ids or market_id in self.market_ids


@dataclass(frozen=True)
class Visitor:
    """What the request says about its session."""

    token: str | None = None
    # ``API-Token: none``: no session is created, read or returned.
    stateless: bool = False
    client_address: str | None = None
    # ``token`` was minted for this request (none usable was sent): no row can exist for it yet.
    fresh: bool = False


@dataclass(frozen=True)
class Shopper:
    """A session as plain values; ``token`` is None only for stateless requests.

    ``session_id`` is None until the session's row is written (see above);
    ``new`` says the session is empty and at the store's default location.
    """

    token: str | None
    session_id: int | None
    store_id: int
    market_id: int
    pricelist_id: int
    language_id: int | None
    country_id: int | None
    state: str | None
    selection_id: int | None
    customer_id: int | None
    last_order_id: int | None
    new: bool = False


_COLUMNS = (
    ShopperSession.id,
    ShopperSession.store_id,
    ShopperSession.market_id,
    ShopperSession.pricelist_id,
    ShopperSession.language_id,
    ShopperSession.country_id,
    ShopperSession.state,
    ShopperSession.selection_id,
    ShopperSession.customer_id,
    ShopperSession.last_order_id,
)


def as_shopper(row: ShopperSession, token: str) -> Shopper:
    """A session row (located) as plain values."""
    assert row.market_id is not None
    assert row.pricelist_id is not None
    return Shopper(
        token=token,
        session_id=row.id,
        store_id=row.store_id,
        market_id=row.market_id,
        pricelist_id=row.pricelist_id,
        language_id=row.language_id,
        country_id=row.country_id,
        state=row.state,
        selection_id=row.selection_id,
        customer_id=row.customer_id,
        last_order_id=row.last_order_id,
    )


def default_location(reference: StoreReference, channel: Channel) -> tuple[int, int, int | None]:
    """(market, pricelist, language) of a shopper nobody has located yet."""
    market_id = reference.default_market_id
    if market_id is None or not channel.allows_market(market_id) or not reference.markets[market_id].active:
        allowed = [m.id for m in reference.markets.values() if m.active and channel.allows_market(m.id)]
        market_id = allowed[0] if allowed else None
    if market_id is None:
        raise NotFound("the store has no market for this plugin", field="market")
    pricelist_id = reference.default_pricelist_id
    if pricelist_id is None:
        active = [p.id for p in reference.pricelists.values() if p.active]
        if not active:
            raise NotFound("the store has no pricelist", field="pricelist")
        pricelist_id = active[0]
    return market_id, pricelist_id, reference.default_language_id


def stateless_shopper(reference: StoreReference, channel: Channel) -> Shopper:
    return _unsaved(reference, channel, None)


def _unsaved(reference: StoreReference, channel: Channel, token: str | None) -> Shopper:
    """An empty session at the store's default location, with no row (yet)."""
    market_id, pricelist_id, language_id = default_location(reference, channel)
    return Shopper(
        token=token,
        session_id=None,
        store_id=channel.store_id,
        market_id=market_id,
        pricelist_id=pricelist_id,
        language_id=language_id,
        country_id=None,
        state=None,
        selection_id=None,
        customer_id=None,
        last_order_id=None,
        new=token is not None,
    )


def _usable(channel: Channel, store_id: int, expires_at: datetime, *location: int | None) -> bool:
    """A found row may serve this request: this store's, unexpired, located (market and pricelist)."""
    return store_id == channel.store_id and expires_at > utcnow() and None not in location


async def open_shopper(db: Database, channel: Channel, visitor: Visitor, reference: StoreReference) -> Shopper:
    """The request's session for reading. Never writes: a new session has a token and no row.

    A token with a usable row reads it (one statement); a token ``new_token``
    minted with no row yet reads as an empty session under that token; any
    other (unknown, expired, another store's) is replaced by a new token.
    """
    if visitor.stateless:
        return stateless_shopper(reference, channel)
    token = visitor.token
    if visitor.fresh and token is not None:
        return _unsaved(reference, channel, token)
    if token is None or not is_token_shaped(token):
        return _unsaved(reference, channel, new_token())
    # Plain columns, no ORM object: this runs on nearly every request.
    async with db.read() as session:
        found = (
            await session.execute(
                select(*_COLUMNS, ShopperSession.expires_at).where(ShopperSession.token_hash == token_hash(token))
            )
        ).first()
    if found is None:
        return _unsaved(reference, channel, token if is_minted(token) else new_token())
    if not _usable(channel, found.store_id, found.expires_at, found.market_id, found.pricelist_id):
        # Expired (or another store's): its token is never used again.
        return _unsaved(reference, channel, new_token())
    values: Any = tuple(found)[: len(_COLUMNS)]
    return Shopper(token, *values)


async def _locked(session: AsyncSession, token: str) -> ShopperSession | None:
    return await session.scalar(
        select(ShopperSession).where(ShopperSession.token_hash == token_hash(token)).with_for_update()
    )


async def _insert(
    session: AsyncSession, channel: Channel, reference: StoreReference, token: str
) -> ShopperSession | None:
    """The new session row for ``token``, or None if one with that token exists (a race, or a reuse)."""
    market_id, pricelist_id, language_id = default_location(reference, channel)
    values = {
        "token_hash": token_hash(token),
        "store_id": channel.store_id,
        "market_id": market_id,
        "pricelist_id": pricelist_id,
        "language_id": language_id,
        "expires_at": utcnow() + timedelta(days=channel.session_days),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ShopperSession).values(values).on_conflict_do_nothing(index_elements=["token_hash"])
    # ORM-enabled RETURNING: the row comes back as a ShopperSession in the session, like an add and flush.
    row: ShopperSession | None = (await session.scalars(statement.returning(ShopperSession))).one_or_none()
    return row


@dataclass(frozen=True)
class LockedSession:
    """The request's session row, locked in the caller's write transaction."""

    row: ShopperSession
    token: str
    # This transaction inserted the row (``holds_nothing`` then says whether to keep it).
    created: bool


async def shopper_for_update(
    session: AsyncSession, channel: Channel, visitor: Visitor, reference: StoreReference
) -> LockedSession:
    """The request's session row, locked, in the caller's write transaction; inserted if it has none."""
    if visitor.stateless:
        raise ValidationFailed("this request changes the session; do not send 'API-Token: none'", field="token")
    token = visitor.token
    if token is not None and is_token_shaped(token):
        # A token minted for this request has no row to look for.
        row = None if visitor.fresh else await _locked(session, token)
        if row is not None and _usable(channel, row.store_id, row.expires_at, row.market_id, row.pricelist_id):
            lifetime = timedelta(days=channel.session_days)
            if row.expires_at - utcnow() < lifetime - _EXTEND_AFTER:
                row.expires_at = utcnow() + lifetime
            return LockedSession(row, token, created=False)
        if row is None and (visitor.fresh or is_minted(token)):
            created = await _insert(session, channel, reference, token)
            if created is not None:
                return LockedSession(created, token, created=True)
            # Another request's first change with this token committed first: share its row.
            row = await _locked(session, token)
            if row is not None and _usable(channel, row.store_id, row.expires_at, row.market_id, row.pricelist_id):
                return LockedSession(row, token, created=False)
    # No usable token: a new one (a clash of 144 random bits would only make it None and fail loudly).
    token = new_token()
    created = await _insert(session, channel, reference, token)
    if created is None:
        raise RuntimeError("a freshly minted session token is already in use")
    return LockedSession(created, token, created=True)


def holds_nothing(row: ShopperSession, reference: StoreReference, channel: Channel) -> bool:
    """Whether the session is still as a new one starts: no selection, login, order or chosen location."""
    if row.selection_id is not None or row.customer_id is not None or row.last_order_id is not None:
        return False
    location = (row.market_id, row.pricelist_id, row.language_id)
    return location == default_location(reference, channel) and row.country_id is None and row.state is None
