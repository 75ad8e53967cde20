"""Changing accounts, buyers and delivery windows as an integration bound to a store does, each answering its view.

Each use case is one transaction (``Database.atomic``): the check that the
caller may reach the objects it names (``store_scope``: the one store it may
see, None for every store; another store's object is not found), the change
through the wholesale service, and the view of the result.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.wholesale import services
from opencentra.wholesale.views import (
    AccountView,
    BuyerView,
    DeliveryWindowView,
    account_store,
    account_view,
    buyer_store,
    buyer_view,
    delivery_window_view,
    market_store,
)


async def _check_account(session: AsyncSession, account_id: int, store_scope: int | None, field: str) -> None:
    if store_scope is not None and await account_store(session, account_id) != store_scope:
        raise NotFound(f"Could not find Account with ID {account_id}", field=field)


async def _check_markets(session: AsyncSession, market_ids: Sequence[int] | None, store_scope: int | None) -> None:
    """A caller bound to a store may use that store's markets only."""
    if store_scope is None or not market_ids:
        return
    for market_id in market_ids:
        if await market_store(session, market_id) != store_scope:
            raise NotFound(f"Could not find Market with ID {market_id}", field="markets")


async def create_account(db: Database, given: services.AccountInput, *, store_scope: int | None) -> AccountView:
    async with db.atomic() as tx, tx.write() as session:
        if store_scope is not None and await market_store(session, given.market_id) != store_scope:
            raise NotFound(f"Could not find Market with ID {given.market_id}", field="market")
        return account_view(await services.create_account(tx, given))


async def update_account(
    db: Database, account_id: int, given: services.AccountInput, *, store_scope: int | None
) -> AccountView:
    async with db.atomic() as tx, tx.write() as session:
        await _check_account(session, account_id, store_scope, "id")
        return account_view(await services.update_account(tx, account_id, given))


async def _check_buyer_input(session: AsyncSession, given: services.BuyerInput, store_scope: int | None) -> None:
    if store_scope is None:
        return
    if given.store_id is not None and given.store_id != store_scope:
        raise NotFound(f"Could not find Store with ID {given.store_id}", field="store")
    if given.account_id is not None:
        await _check_account(session, given.account_id, store_scope, "account")


async def create_buyer(db: Database, given: services.BuyerInput, *, store_scope: int | None) -> BuyerView:
    async with db.atomic() as tx, tx.write() as session:
        await _check_buyer_input(session, given, store_scope)
        return buyer_view(await services.create_buyer(tx, given))


async def update_buyer(
    db: Database, buyer_id: int, given: services.BuyerInput, *, store_scope: int | None
) -> BuyerView:
    async with db.atomic() as tx, tx.write() as session:
        if store_scope is not None and await buyer_store(session, buyer_id) != store_scope:
            raise NotFound(f"Could not find Buyer with ID {buyer_id}", field="id")
        await _check_buyer_input(session, given, store_scope)
        return buyer_view(await services.update_buyer(tx, buyer_id, given))


async def create_delivery_window(
    db: Database, given: services.DeliveryWindowInput, *, store_scope: int | None
) -> DeliveryWindowView:
    async with db.atomic() as tx, tx.write() as session:
        await _check_markets(session, given.market_ids, store_scope)
        return delivery_window_view(await services.create_delivery_window(tx, given))


async def update_delivery_window(
    db: Database, window_id: int, given: services.DeliveryWindowInput, *, store_scope: int | None
) -> DeliveryWindowView:
    async with db.atomic() as tx, tx.write() as session:
        await _check_markets(session, given.market_ids, store_scope)
        return delivery_window_view(await services.update_delivery_window(tx, window_id, given))


async def set_delivery_window_variants(
    db: Database, window_id: int, variants: Sequence[services.WindowVariantInput]
) -> tuple[DeliveryWindowView, list[tuple[int, str]]]:
    """Batch: valid variants are saved; the others come back as (index, message)."""
    window, skipped = await services.set_delivery_window_variants(db, window_id, list(variants))
    return delivery_window_view(window), skipped


async def unset_delivery_window_variants(
    db: Database, window_id: int, variant_ids: Sequence[int]
) -> tuple[DeliveryWindowView, list[tuple[int, str]]]:
    window, skipped = await services.unset_delivery_window_variants(db, window_id, list(variant_ids))
    return delivery_window_view(window), skipped
