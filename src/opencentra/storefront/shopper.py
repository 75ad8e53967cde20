"""The shopper's session behind the ``API-Token``, and where it says the shopper is.

A session is found by its token (only the SHA-256 is stored). A missing,
unknown or expired token is not an error: the shopper silently gets a new
session and the response carries its token, as Centra documents. ``API-Token:
none`` means no session at all: the request sees the store's defaults and
nothing is saved.

A session always holds a complete location (market, pricelist, language,
country and state); a selection copies it when created and follows every
change of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.selection.models import ShopperSession
from opencentra.selection.services import is_token_shaped, new_token, token_hash
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


@dataclass(frozen=True)
class Shopper:
    """A session as plain values; ``token`` is None only for stateless requests."""

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


def _shopper(row: ShopperSession, token: str | None, *, new: bool = False) -> Shopper:
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
        new=new,
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
    market_id, pricelist_id, language_id = default_location(reference, channel)
    return Shopper(
        token=None,
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
    )


async def _find(session: AsyncSession, channel: Channel, token: str | None, *, lock: bool) -> ShopperSession | None:
    if token is None or not is_token_shaped(token):
        return None
    query = select(ShopperSession).where(
        ShopperSession.token_hash == token_hash(token), ShopperSession.store_id == channel.store_id
    )
    if lock:
        query = query.with_for_update()
    row = await session.scalar(query)
    if row is None or row.expires_at <= utcnow() or row.market_id is None or row.pricelist_id is None:
        return None
    return row


async def _create(session: AsyncSession, channel: Channel, reference: StoreReference) -> tuple[ShopperSession, str]:
    market_id, pricelist_id, language_id = default_location(reference, channel)
    token = new_token()
    row = ShopperSession(
        token_hash=token_hash(token),
        store_id=channel.store_id,
        market_id=market_id,
        pricelist_id=pricelist_id,
        language_id=language_id,
        expires_at=utcnow() + timedelta(days=channel.session_days),
    )
    session.add(row)
    await session.flush()
    return row, token


async def open_shopper(db: Database, channel: Channel, visitor: Visitor, reference: StoreReference) -> Shopper:
    """The request's session for reading; creates one when the token is missing or stale."""
    if visitor.stateless:
        return stateless_shopper(reference, channel)
    if visitor.token is not None and is_token_shaped(visitor.token):
        # Plain columns, no ORM object: this runs on nearly every request.
        async with db.read() as session:
            found = (
                await session.execute(
                    select(*_COLUMNS).where(
                        ShopperSession.token_hash == token_hash(visitor.token),
                        ShopperSession.store_id == channel.store_id,
                        ShopperSession.expires_at > utcnow(),
                        ShopperSession.market_id.is_not(None),
                        ShopperSession.pricelist_id.is_not(None),
                    )
                )
            ).first()
        if found is not None:
            values: Any = tuple(found)
            return Shopper(visitor.token, *values)
    async with db.write() as session:
        row, token = await _create(session, channel, reference)
        return _shopper(row, token, new=True)


async def shopper_for_update(
    session: AsyncSession, channel: Channel, visitor: Visitor, reference: StoreReference
) -> tuple[ShopperSession, str]:
    """The request's session row, locked, in the caller's write transaction (created if needed)."""
    if visitor.stateless:
        raise ValidationFailed("this request changes the session; do not send 'API-Token: none'", field="token")
    row = await _find(session, channel, visitor.token, lock=True)
    if row is None:
        return await _create(session, channel, reference)
    assert visitor.token is not None
    lifetime = timedelta(days=channel.session_days)
    if row.expires_at - utcnow() < lifetime - _EXTEND_AFTER:
        row.expires_at = utcnow() + lifetime
    return row, visitor.token


def as_shopper(row: ShopperSession, token: str) -> Shopper:
    return _shopper(row, token)
