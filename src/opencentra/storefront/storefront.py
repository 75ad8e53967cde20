"""The frame every checkout use case runs in: the plugin's store, its caches,
and one transaction around the shopper's session and selection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.engine import Database, commit_without_flush_wait
from opencentra.selection.models import Selection, SelectionStatus, ShopperSession
from opencentra.selection.services import create_selection_in, lock_selection, token_hash
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.reference import StoreReference
from opencentra.storefront.shopper import (
    Channel,
    Shopper,
    Visitor,
    as_shopper,
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


@dataclass
class Change:
    """One write transaction on a shopper's session (and selection)."""

    shop: Storefront
    session: AsyncSession
    row: ShopperSession
    token: str
    reference: StoreReference
    unavailable: list[Unavailable] = field(default_factory=list)
    # The selection this change loaded (lines and vouchers), reused for the answer.
    loaded: Selection | None = None

    @property
    def shopper(self) -> Shopper:
        return as_shopper(self.row, self.token)

    async def current_selection(self) -> Selection | None:
        """The session's open selection, locked; None when it has none (or it is an order)."""
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
        row = self.row
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
async def changing(shop: Storefront, visitor: Visitor, *, flush_wait: bool = True) -> AsyncIterator[Change]:
    """A write transaction holding the request's session row locked (inserted by the first change).

    ``flush_wait=False`` for a change the shopper simply makes again (a cart):
    its commit need not wait for the disk (``commit_without_flush_wait``).
    """
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


async def current_state(shop: Storefront, visitor: Visitor) -> CheckoutState:
    """GET /selection: the session as it is (a new, row-less one when the token was missing or stale)."""
    reference = await shop.reference()
    shopper = await open_shopper(shop.db, shop.channel, visitor, reference)
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
