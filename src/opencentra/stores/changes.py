"""Changing and removing store setup: markets, pricelists and warehouses after creation.

Each function is one transaction that also writes its outbox event. Country
changes go through the same "one market / one pricelist per country"
checks as creation; ``add`` and ``remove`` lists are country codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Integer, column, delete, exists, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound
from opencentra.events import outbox
from opencentra.stores import services
from opencentra.stores.models import (
    Country,
    Market,
    MarketCountry,
    Pricelist,
    PricelistCountry,
    StockMaster,
    Store,
    Warehouse,
)
from opencentra.stores.shipping_defaults import default_shipping_of, set_default_shipping_in
from opencentra.stores.warehouse_settings import AllocationPolicy, Location, StockOwnership, set_location_in

# Tables of other domains that hold on to a pricelist; while one does, the
# pricelist stays (its own prices, countries and shipping prices go with it).
_USERS = (
    ("orders", table("orders", column("pricelist_id", Integer))),
    ("selections", table("selections", column("pricelist_id", Integer))),
    ("wholesale accounts", table("wholesale_accounts", column("pricelist_id", Integer))),
)


async def _market_codes(session: AsyncSession, market_id: int) -> list[str]:
    link = MarketCountry
    found = await session.scalars(
        select(Country.code).join(link, link.country_id == Country.id).where(link.market_id == market_id)
    )
    return list(found)


async def _pricelist_codes(session: AsyncSession, pricelist_id: int) -> list[str]:
    link = PricelistCountry
    found = await session.scalars(
        select(Country.code).join(link, link.country_id == Country.id).where(link.pricelist_id == pricelist_id)
    )
    return list(found)


def _merged(current: list[str], add: Iterable[str], remove: Iterable[str]) -> list[str]:
    removed = {services.country_code(code, "removeCountries") for code in remove}
    added = [services.country_code(code, "addCountries") for code in add]
    return [code for code in dict.fromkeys([*current, *added]) if code not in removed]


async def _unique_name(
    session: AsyncSession, model: type[Market] | type[Pricelist], row: Market | Pricelist, name: str
) -> str:
    cleaned = services._name(name)
    clash = await session.scalar(
        select(model.id).where(model.store_id == row.store_id, model.name == cleaned, model.id != row.id)
    )
    if clash is not None:
        kind = "market" if model is Market else "pricelist"
        raise Conflict(f"store {row.store_id} has a {kind} named {cleaned!r}", field="name")
    return cleaned


# --- markets ---------------------------------------------------------------------------------


async def update_market(
    db: Database,
    market_id: int,
    *,
    name: str | None = None,
    comment: str | None = None,
    active: bool | None = None,
    add_countries: Iterable[str] = (),
    remove_countries: Iterable[str] = (),
    store_id: int | None = None,
) -> Market:
    """Rename, comment, (de)activate, and add or remove countries; None keeps a value.

    An empty ``comment`` clears it. With ``store_id`` (the caller's scope), a
    market of another store is as good as missing.
    """
    add, remove = list(add_countries), list(remove_countries)
    async with db.write() as session:
        market = await session.get(Market, market_id)
        if market is None or (store_id is not None and market.store_id != store_id):
            raise NotFound(f"Could not find Market with ID {market_id}", field="id")
        changed: dict[str, object] = {}
        if name is not None:
            market.name = await _unique_name(session, Market, market, name)
            changed["name"] = market.name
        if comment is not None:
            market.comment = comment.strip() or None
            changed["comment"] = market.comment
        if active is not None:
            market.active = active
            changed["active"] = active
        if add or remove:
            codes = _merged(await _market_codes(session, market.id), add, remove)
            await services._assign_market_countries(session, market, codes)
            changed["countries"] = codes
        await session.flush()
        loaded = await services._reload(session, Market, market.id, selectinload(Market.countries))
        await outbox.record(session, "market", market.id, "updated", changed, store_id=market.store_id)
        return loaded


# --- pricelists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefaultShipping:
    """A requested change of the default shipping option; ``shipping_method_id`` None clears it."""

    shipping_method_id: int | None


async def update_pricelist(
    db: Database,
    pricelist_id: int,
    *,
    name: str | None = None,
    active: bool | None = None,
    add_countries: Iterable[str] = (),
    remove_countries: Iterable[str] = (),
    default_shipping: DefaultShipping | None = None,
    store_id: int | None = None,
) -> Pricelist:
    """Rename, (de)activate, add or remove countries, set the default shipping option; None keeps.

    With ``store_id`` (the caller's scope), a pricelist of another store is as good as missing.
    """
    add, remove = list(add_countries), list(remove_countries)
    async with db.write() as session:
        pricelist = await session.get(Pricelist, pricelist_id)
        if pricelist is None or (store_id is not None and pricelist.store_id != store_id):
            raise NotFound(f"Could not find Pricelist with ID {pricelist_id}", field="id")
        changed: dict[str, object] = {}
        if name is not None:
            pricelist.name = await _unique_name(session, Pricelist, pricelist, name)
            changed["name"] = pricelist.name
        if active is not None:
            pricelist.active = active
            changed["active"] = active
        if add or remove:
            codes = _merged(await _pricelist_codes(session, pricelist.id), add, remove)
            await services._assign_pricelist_countries(session, pricelist, codes)
            changed["countries"] = codes
        if default_shipping is not None:
            await set_default_shipping_in(session, pricelist, default_shipping.shipping_method_id)
            changed["default_shipping_method"] = default_shipping.shipping_method_id
        await session.flush()
        loaded = await services._reload(
            session, Pricelist, pricelist.id, selectinload(Pricelist.currency), selectinload(Pricelist.countries)
        )
        await outbox.record(session, "pricelist", pricelist.id, "updated", changed, store_id=pricelist.store_id)
        return loaded


async def pricelist_users(session: AsyncSession, pricelist: Pricelist) -> list[str]:
    """What holds on to the pricelist, in words; empty when it can go."""
    users: list[str] = []
    default = await session.scalar(select(Store.id).where(Store.default_pricelist_id == pricelist.id))
    if default is not None:
        users.append("its store's default pricelist")
    for label, users_table in _USERS:
        if await session.scalar(select(exists().where(users_table.c.pricelist_id == pricelist.id))):
            users.append(f"used by {label}")
    return users


async def delete_pricelist(db: Database, pricelist_id: int, *, store_id: int | None = None) -> None:
    """Remove a pricelist nothing uses, with its prices, countries and shipping prices.

    A pricelist that is its store's default, or that orders, selections or
    wholesale accounts point at, stays: ``Conflict`` says why. With
    ``store_id`` (the caller's scope), a pricelist of another store is as good as missing.
    """
    async with db.write() as session:
        pricelist = await session.get(Pricelist, pricelist_id)
        if pricelist is None or (store_id is not None and pricelist.store_id != store_id):
            raise NotFound(f"Could not find Pricelist with ID {pricelist_id}", field="id")
        users = await pricelist_users(session, pricelist)
        if users:
            raise Conflict(f"Pricelist {pricelist_id} cannot be deleted: {'; '.join(users)}", field="id")
        shipping = await default_shipping_of(session, pricelist.id)
        payload = {"name": pricelist.name, "default_shipping_method": shipping}
        store_id = pricelist.store_id
        await session.execute(delete(Pricelist).where(Pricelist.id == pricelist_id))
        await outbox.record(session, "pricelist", pricelist_id, "deleted", payload, store_id=store_id)


# --- warehouses ------------------------------------------------------------------------------


async def update_warehouse(
    db: Database,
    warehouse_id: int,
    *,
    name: str | None = None,
    stock_master: StockMaster | None = None,
    threshold: int | None = None,
    hidden_from_stock_view: bool | None = None,
    stock_ownership: StockOwnership | None = None,
    allocation_policy: AllocationPolicy | None = None,
    location: Location | None = None,
) -> Warehouse:
    """Change a warehouse's settings; None keeps a value (a location is replaced whole)."""
    async with db.write() as session:
        warehouse = await session.get(Warehouse, warehouse_id)
        if warehouse is None:
            raise NotFound(f"Could not find Warehouse with ID {warehouse_id}", field="id")
        changed: dict[str, object] = {}
        if name is not None:
            cleaned = services._name(name)
            clash = await session.scalar(
                select(Warehouse.id).where(Warehouse.name == cleaned, Warehouse.id != warehouse_id)
            )
            if clash is not None:
                raise Conflict(f"a warehouse named {cleaned!r} exists", field="name")
            warehouse.name = changed["name"] = cleaned
        if stock_master is not None:
            warehouse.stock_master = StockMaster(stock_master)
            changed["stock_master"] = warehouse.stock_master.value
        if threshold is not None:
            warehouse.threshold = changed["threshold"] = services.warehouse_threshold(threshold)
        if hidden_from_stock_view is not None:
            warehouse.hidden_from_stock_view = changed["hidden_from_stock_view"] = hidden_from_stock_view
        if stock_ownership is not None:
            warehouse.stock_ownership = changed["stock_ownership"] = StockOwnership(stock_ownership).value
        if allocation_policy is not None:
            warehouse.allocation_policy = changed["allocation_policy"] = AllocationPolicy(allocation_policy).value
        if location is not None:
            changed["location"] = await set_location_in(session, warehouse.id, location)
        await session.flush()
        await outbox.record(session, "warehouse", warehouse.id, "updated", changed)
        return warehouse
