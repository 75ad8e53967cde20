"""The frame every checkout use case runs in: the plugin's store, its caches,
and one transaction around the shopper's session and selection.

A use case names the cart it changes with a ``Cart``: a ``Visitor`` (the
Checkout API's session token, whose session holds the selection) or a
``SelectionKey`` (the Shop API's selection id). Both reach the same use case
and the same rules; only where the location, the customer and the last order
are kept differs (the session row, or the selection itself, see
``SelectionHolder``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.engine import Database, commit_without_flush_wait
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.orders.models import Order
from opencentra.selection.models import Selection, SelectionStatus, ShopperSession
from opencentra.selection.services import create_selection_in, lock_selection, token_hash
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.reference import StoreReference
from opencentra.storefront.shopper import (
    Channel,
    Shopper,
    Visitor,
    as_shopper,
    default_location,
    holds_nothing,
    open_shopper,
    shopper_for_update,
)
from opencentra.storefront.state import CheckoutState, Unavailable, build_state
from opencentra.stores.options import payment_methods, shipping_options


@dataclass(frozen=True)
class Storefront:
    """A plugin's view of the domain: its database, caches and channel."""

    db: Database
    cache: CheckoutCache
    channel: Channel

    async def reference(self) -> StoreReference:
        return await self.cache.reference(self.db, self.channel.store_id)


@dataclass(frozen=True)
class SelectionKey:
    """A selection addressed by its 32-hex id (the Shop API), not through a session."""

    uuid: str


# Whose cart a use case changes: a session's (by token) or a selection's own (by id).
Cart = Visitor | SelectionKey


def _selection_not_found() -> NotFound:
    return NotFound("not found", field="selection")


class SelectionHolder:
    """Stands where a session row stands when the caller addresses a selection by id.

    A selection carries its own location (market, pricelist, language,
    country, state) and customer, so the holder reads and writes them on the
    selection: a use case that moves "the session" moves the selection, and
    nothing else is stored. It has no token and no expiry.
    """

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        # Set by payment when this change placed (or found) the selection's order.
        self.last_order_id: int | None = None
        # The selection's values as the transaction left them (``settle``), for the answer after it.
        self.settled: Shopper | None = None

    @property
    def store_id(self) -> int:
        return self.selection.store_id

    @property
    def selection_id(self) -> int | None:
        return self.selection.id

    @selection_id.setter
    def selection_id(self, value: int | None) -> None:
        # A selection addressed by id is always that selection; only a session switches.
        if value != self.selection.id:
            raise Conflict("a selection addressed by id cannot switch to another", field="selection")

    @property
    def market_id(self) -> int | None:
        return self.selection.market_id

    @market_id.setter
    def market_id(self, value: int | None) -> None:
        assert value is not None
        self.selection.market_id = value

    @property
    def pricelist_id(self) -> int | None:
        return self.selection.pricelist_id

    @pricelist_id.setter
    def pricelist_id(self, value: int | None) -> None:
        assert value is not None
        self.selection.pricelist_id = value

    @property
    def language_id(self) -> int | None:
        return self.selection.language_id

    @language_id.setter
    def language_id(self, value: int | None) -> None:
        self.selection.language_id = value

    @property
    def country_id(self) -> int | None:
        return self.selection.country_id

    @country_id.setter
    def country_id(self, value: int | None) -> None:
        self.selection.country_id = value

    @property
    def state(self) -> str | None:
        return self.selection.state

    @state.setter
    def state(self, value: str | None) -> None:
        self.selection.state = value

    @property
    def customer_id(self) -> int | None:
        return self.selection.customer_id

    @customer_id.setter
    def customer_id(self, value: int | None) -> None:
        self.selection.customer_id = value

    def shopper(self) -> Shopper:
        if self.settled is not None:
            return self.settled
        return selection_shopper(self.selection, self.last_order_id)

    async def settle(self, session: AsyncSession) -> None:
        """Keep the selection's values before the transaction ends: after it (or after a rolled-back
        savepoint, which expires them) the ORM object can no longer be read."""
        if inspect(self.selection).expired_attributes:
            await session.refresh(self.selection)
        self.settled = selection_shopper(self.selection, self.last_order_id)


def selection_shopper(selection: Selection, last_order_id: int | None) -> Shopper:
    """A selection addressed by id, as the plain values every answer is built from (no token)."""
    return Shopper(
        token=None,
        session_id=None,
        store_id=selection.store_id,
        market_id=selection.market_id,
        pricelist_id=selection.pricelist_id,
        language_id=selection.language_id,
        country_id=selection.country_id,
        state=selection.state,
        selection_id=selection.id,
        customer_id=selection.customer_id,
        last_order_id=last_order_id,
    )


@dataclass
class Change:
    """One write transaction on a shopper's session (and selection), or on a selection addressed by id."""

    shop: Storefront
    session: AsyncSession
    row: ShopperSession | SelectionHolder
    token: str | None
    reference: StoreReference
    unavailable: list[Unavailable] = field(default_factory=list)
    # The selection this change loaded (lines and vouchers), reused for the answer.
    loaded: Selection | None = None

    @property
    def shopper(self) -> Shopper:
        if isinstance(self.row, SelectionHolder):
            return self.row.shopper()
        assert self.token is not None
        return as_shopper(self.row, self.token)

    @property
    def session_row(self) -> ShopperSession:
        """The session row, for use cases that only a session has (logging in and out)."""
        if isinstance(self.row, SelectionHolder):
            raise ValidationFailed("this needs a session", field="selection")
        return self.row

    async def current_selection(self) -> Selection | None:
        """The session's open selection, locked; None when it has none (or it is an order).

        A selection addressed by id that is no longer open is not found: it
        became an order (or was abandoned) and can no longer change.
        """
        if isinstance(self.row, SelectionHolder):
            selection = await lock_selection(self.session, self.row.selection.id)
            if selection.status != SelectionStatus.OPEN:
                raise _selection_not_found()
            self.loaded = selection
            return selection
        if self.row.selection_id is None:
            return None
        selection = await lock_selection(self.session, self.row.selection_id)
        if selection.status != SelectionStatus.OPEN:
            return None
        self.loaded = selection
        return selection

    async def selection(self) -> Selection:
        """The session's open selection, created (at the session's location) when needed.

        A new selection starts with the market's first payment method and the
        country's first shipping method, as Centra's do.
        """
        found = await self.current_selection()
        if found is not None:
            return found
        row = self.session_row
        assert row.market_id is not None
        assert row.pricelist_id is not None
        selection = await create_selection_in(
            self.session,
            row.store_id,
            row.market_id,
            row.pricelist_id,
            language_id=row.language_id,
            country_id=row.country_id,
            state=row.state,
            customer_id=row.customer_id,
        )
        await choose_default_methods(self.session, selection, self.reference)
        row.selection_id = selection.id
        await self.session.flush()
        self.loaded = selection
        return selection

    async def after(self) -> CheckoutState:
        """The session's state, read after this change committed.

        Building the answer outside the write transaction keeps that
        transaction (on SQLite, the one write lock) as short as the change.
        """
        shopper = self.shopper
        async with self.shop.db.read() as session:
            return await build_state(
                session,
                self.shop.db,
                self.shop.cache,
                self.shop.channel,
                shopper,
                self.reference,
                unavailable=tuple(self.unavailable),
                selection=self._reusable(),
            )

    def _reusable(self) -> Selection | None:
        """The loaded selection, if it is still whole after the commit (nothing expired)."""
        selection = self.loaded
        if selection is None or selection.id != self.row.selection_id:
            return None
        state = inspect(selection)
        if (
            state.expired_attributes
            or {"lines", "vouchers"} & state.unloaded
            or selection.status != SelectionStatus.OPEN
        ):
            return None
        if any(inspect(line).expired_attributes for line in selection.lines):
            return None
        return selection

    async def state(self) -> CheckoutState:
        """The state inside the write transaction (for answers that must see it uncommitted)."""
        await self.session.flush()
        return await build_state(
            self.session,
            self.shop.db,
            self.shop.cache,
            self.shop.channel,
            self.shopper,
            self.reference,
            unavailable=tuple(self.unavailable),
        )


async def choose_default_methods(session: AsyncSession, selection: Selection, reference: StoreReference) -> None:
    """Keep the selection's methods if they are still offered where it is, else the first offered."""
    methods = await payment_methods(session, selection.market_id)
    if selection.payment_method_id not in {m.id for m in methods}:
        selection.payment_method_id = methods[0].id if methods else None
    options = []
    if selection.country_id is not None and selection.country_id in reference.shippable:
        options = await shipping_options(
            session,
            selection.store_id,
            country_id=selection.country_id,
            pricelist_id=selection.pricelist_id,
            market_id=selection.market_id,
        )
    if selection.shipping_method_id not in {o.shipping_method_id for o in options}:
        selection.shipping_method_id = options[0].shipping_method_id if options else None


@asynccontextmanager
async def changing(shop: Storefront, cart: Cart, *, flush_wait: bool = True) -> AsyncIterator[Change]:
    """A write transaction holding the request's session row locked (inserted by the first change),
    or, for a selection addressed by id, the selection locked.

    ``flush_wait=False`` for a change the shopper simply makes again (a cart):
    its commit need not wait for the disk (``commit_without_flush_wait``).
    """
    if isinstance(cart, SelectionKey):
        async with _changing_selection(shop, cart, flush_wait=flush_wait) as change:
            yield change
        return
    visitor = cart
    reference = await shop.reference()
    if visitor.token is not None:
        shop.cache.forget_session(token_hash(visitor.token))
    async with shop.db.write() as session:
        if not flush_wait:
            await commit_without_flush_wait(session)
        locked = await shopper_for_update(session, shop.channel, visitor, reference)
        yield Change(shop, session, locked.row, locked.token, reference)
        if locked.created and holds_nothing(locked.row, reference, shop.channel):
            # Nothing worth a row (a logout of an empty session, say): the token stays row-less.
            await session.delete(locked.row)
    shop.cache.forget_session(token_hash(locked.token))


_SELECTION_ID = re.compile(r"[0-9a-f]{32}")


def _normalized(key: SelectionKey) -> str:
    uuid = key.uuid.strip().lower()
    if not _SELECTION_ID.fullmatch(uuid):
        raise _selection_not_found()
    return uuid


async def _selection_id_of(session: AsyncSession, shop: Storefront, key: SelectionKey) -> int:
    """The id of this store's selection with this key; another store's is not found."""
    found = await session.scalar(
        select(Selection.id).where(Selection.uuid == _normalized(key), Selection.store_id == shop.channel.store_id)
    )
    if found is None:
        raise _selection_not_found()
    return found


@asynccontextmanager
async def _changing_selection(shop: Storefront, key: SelectionKey, *, flush_wait: bool) -> AsyncIterator[Change]:
    """A write transaction holding a selection addressed by id locked.

    The selection's lock is what serialises every change to it (two
    requests on one selection run one after the other), as the session row's
    lock does for a session. A selection that became an order is still
    found here, so that a replayed payment result can answer its order; the
    changes that need an open selection refuse it (``current_selection``).
    """
    reference = await shop.reference()
    async with shop.db.write() as session:
        if not flush_wait:
            await commit_without_flush_wait(session)
        selection = await lock_selection(session, await _selection_id_of(session, shop, key))
        holder = SelectionHolder(selection)
        yield Change(shop, session, holder, None, reference)
        await holder.settle(session)


@asynccontextmanager
async def new_selection(shop: Storefront) -> AsyncIterator[Change]:
    """A write transaction around a selection created for the caller (Shop API ``POST /selections``).

    It starts where a new session starts (the store's default market,
    pricelist and language; no country) with the default methods; the caller
    moves it in the same transaction.
    """
    reference = await shop.reference()
    market_id, pricelist_id, language_id = default_location(reference, shop.channel)
    async with shop.db.write() as session:
        selection = await create_selection_in(
            session, shop.channel.store_id, market_id, pricelist_id, language_id=language_id
        )
        await choose_default_methods(session, selection, reference)
        await session.flush()
        selection = await lock_selection(session, selection.id)
        holder = SelectionHolder(selection)
        yield Change(shop, session, holder, None, reference, loaded=selection)
        await holder.settle(session)


async def cart_shopper(shop: Storefront, cart: Cart) -> tuple[Shopper, StoreReference]:
    """The cart as plain values, read: a session (as ``current_shopper``) or a selection by id,
    with the order it became, if it did."""
    if isinstance(cart, Visitor):
        return await current_shopper(shop, cart)
    reference = await shop.reference()
    async with shop.db.read() as session:
        selection_id = await _selection_id_of(session, shop, cart)
        selection = await session.get(Selection, selection_id)
        assert selection is not None
        order_id = await session.scalar(select(Order.id).where(Order.selection_id == selection_id))
        if order_id is None and selection.status != SelectionStatus.OPEN:
            raise _selection_not_found()
        return selection_shopper(selection, order_id), reference


async def current_state(shop: Storefront, cart: Cart) -> CheckoutState:
    """GET /selection: the session as it is (a new, row-less one when the token was missing or stale);
    or a selection by id as it is (the order, once it became one)."""
    reference = await shop.reference()
    if isinstance(cart, SelectionKey):
        shopper, reference = await cart_shopper(shop, cart)
    else:
        shopper = await open_shopper(shop.db, shop.channel, cart, reference)
    async with shop.db.read() as session:
        return await build_state(session, shop.db, shop.cache, shop.channel, shopper, reference)


async def current_shopper(
    shop: Storefront, visitor: Visitor, *, for_catalogue: bool = False
) -> tuple[Shopper, StoreReference]:
    """The request's session; ``for_catalogue`` may answer from the per-process session cache."""
    reference = await shop.reference()
    if for_catalogue and visitor.token is not None and not visitor.stateless:
        cached = known_shopper(shop.cache, visitor.token)
        if cached is not None:
            return cached, reference
        key = token_hash(visitor.token)
        shopper = await open_shopper(shop.db, shop.channel, visitor, reference)
        if shopper.token == visitor.token:
            shop.cache.keep_session(key, shopper)
        return shopper, reference
    return await open_shopper(shop.db, shop.channel, visitor, reference), reference


def known_shopper(cache: CheckoutCache, token: str) -> Shopper | None:
    """The session behind ``token`` from the per-process session cache (catalogue reads only), if there."""
    cached = cache.session(token_hash(token))
    if isinstance(cached, Shopper) and cached.token == token:
        return cached
    return None
