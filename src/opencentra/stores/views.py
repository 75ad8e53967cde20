"""Read views of stores, markets, pricelists, warehouses and geography, and the queries that page them.

Every API reads these objects through here: bulk loaders by id (a
request's dataloaders call them once per execution level, with the
request's read session) and paging queries with the filters Centra's
APIs offer. The views are frozen; the ORM rows never leave the domain.

A ``store_id`` scope limits a query to one store's objects (a token bound
to a store); ``None`` means every store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from opencentra.db import listing
from opencentra.db.listing import TextMatch as TextMatch  # the stores face's filter value
from opencentra.db.listing import Window, of_row, ordered, windowed
from opencentra.db.listing import text_conditions as text_conditions
from opencentra.stores._db import DatabaseOrSession, unit_of_work
from opencentra.stores.models import (
    AllocationRule,
    AllocationRuleWarehouse,
    Country,
    CountryState,
    Currency,
    Language,
    Market,
    MarketCountry,
    Pricelist,
    PricelistCountry,
    ShippingMethod,
    StockMaster,
    Store,
    StoreType,
    Warehouse,
)
from opencentra.stores.shipping_defaults import PricelistShippingDefault
from opencentra.stores.warehouse_settings import WarehouseLocation

# Keep each IN (...) list well below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500

SortKey = tuple[Literal["id", "name"], bool]
"""A sort column and whether it runs descending; the id always breaks ties, ascending."""


@dataclass(frozen=True, slots=True)
class StoreView:
    id: int
    name: str
    type: StoreType
    active: bool


@dataclass(frozen=True, slots=True)
class MarketView:
    id: int
    store_id: int
    name: str
    uri: str | None
    active: bool
    comment: str | None
    allocation_rule_id: int | None


@dataclass(frozen=True, slots=True)
class PricelistView:
    id: int
    store_id: int
    name: str
    currency_id: int
    active: bool


@dataclass(frozen=True, slots=True)
class WarehouseView:
    id: int
    name: str
    stock_master: StockMaster
    threshold: int
    hidden_from_stock_view: bool
    stock_ownership: str
    allocation_policy: str


@dataclass(frozen=True, slots=True)
class WarehouseLocationView:
    warehouse_id: int
    country_id: int | None
    state_id: int | None
    zip_code: str | None


@dataclass(frozen=True, slots=True)
class CountryView:
    id: int
    code: str
    name: str
    eu: bool


@dataclass(frozen=True, slots=True)
class CountryStateView:
    id: int
    country_id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class LanguageView:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class AllocationRuleView:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ShippingOptionView:
    id: int
    name: str
    uri: str | None
    active: bool


def store_view(row: Store) -> StoreView:
    return of_row(StoreView, row)


def market_view(row: Market) -> MarketView:
    return of_row(MarketView, row)


def pricelist_view(row: Pricelist) -> PricelistView:
    return of_row(PricelistView, row)


def warehouse_view(row: Warehouse) -> WarehouseView:
    return of_row(WarehouseView, row)


def country_view(row: Country) -> CountryView:
    return of_row(CountryView, row)


def _state_view(row: CountryState) -> CountryStateView:
    return of_row(CountryStateView, row)


def _language_view(row: Language) -> LanguageView:
    return of_row(LanguageView, row)


def _location_view(row: WarehouseLocation) -> WarehouseLocationView:
    return of_row(WarehouseLocationView, row)


def _chunks(keys: Iterable[Any]) -> list[list[Any]]:
    wanted = list(dict.fromkeys(keys))
    return [wanted[i : i + _CHUNK] for i in range(0, len(wanted), _CHUNK)]


async def _by_key(
    db: DatabaseOrSession, model: Any, column: InstrumentedAttribute[Any], keys: Iterable[Any], view: Any
) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    async with unit_of_work(db, write=False) as session:
        for chunk in _chunks(keys):
            for row in await session.scalars(select(model).where(column.in_(chunk))):
                found[getattr(row, column.key)] = view(row)
    return found


# --- bulk loaders by id (for dataloaders) ----------------------------------------------


async def stores_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, StoreView]:
    return await _by_key(db, Store, Store.id, ids, store_view)


async def markets_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, MarketView]:
    return await _by_key(db, Market, Market.id, ids, market_view)


async def pricelists_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, PricelistView]:
    return await _by_key(db, Pricelist, Pricelist.id, ids, pricelist_view)


async def warehouses_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, WarehouseView]:
    return await _by_key(db, Warehouse, Warehouse.id, ids, warehouse_view)


async def warehouse_locations(db: DatabaseOrSession, warehouse_ids: Iterable[int]) -> dict[int, WarehouseLocationView]:
    """The locations of those warehouses that have one."""
    return await _by_key(db, WarehouseLocation, WarehouseLocation.warehouse_id, warehouse_ids, _location_view)


async def countries_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, CountryView]:
    return await _by_key(db, Country, Country.id, ids, country_view)


async def countries_by_code(db: DatabaseOrSession, codes: Iterable[str]) -> dict[str, CountryView]:
    return await _by_key(db, Country, Country.code, codes, country_view)


async def country_states_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, CountryStateView]:
    return await _by_key(db, CountryState, CountryState.id, ids, _state_view)


async def allocation_rules_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, AllocationRuleView]:
    return await _by_key(db, AllocationRule, AllocationRule.id, ids, lambda r: of_row(AllocationRuleView, r))


async def default_shipping_options(
    db: DatabaseOrSession, pricelist_ids: Iterable[int]
) -> dict[int, ShippingOptionView]:
    """The default shipping option of those pricelists that have one."""
    found: dict[int, ShippingOptionView] = {}
    async with unit_of_work(db, write=False) as session:
        for chunk in _chunks(pricelist_ids):
            rows = await session.execute(
                select(PricelistShippingDefault.pricelist_id, ShippingMethod)
                .join(ShippingMethod, ShippingMethod.id == PricelistShippingDefault.shipping_method_id)
                .where(PricelistShippingDefault.pricelist_id.in_(chunk))
            )
            for pricelist_id, row in rows:
                found[pricelist_id] = ShippingOptionView(id=row.id, name=row.name, uri=row.uri, active=row.active)
    return found


async def states_of_countries(db: DatabaseOrSession, country_ids: Iterable[int]) -> dict[int, list[CountryStateView]]:
    """Each country's states, in id order."""
    grouped: dict[int, list[CountryStateView]] = defaultdict(list)
    async with unit_of_work(db, write=False) as session:
        for chunk in _chunks(country_ids):
            statement = (
                select(CountryState)
                .where(CountryState.country_id.in_(chunk))
                .order_by(CountryState.country_id, CountryState.id)
            )
            for row in await session.scalars(statement):
                grouped[row.country_id].append(_state_view(row))
    return grouped


async def _linked_countries(
    db: DatabaseOrSession, owner: InstrumentedAttribute[Any], country: InstrumentedAttribute[Any], ids: Iterable[int]
) -> dict[int, list[CountryView]]:
    grouped: dict[int, list[CountryView]] = defaultdict(list)
    async with unit_of_work(db, write=False) as session:
        for chunk in _chunks(ids):
            rows = await session.execute(
                select(owner, Country)
                .join(owner.class_, country == Country.id)
                .where(owner.in_(chunk))
                .order_by(owner, Country.id)
            )
            for owner_id, row in rows:
                grouped[owner_id].append(country_view(row))
    return grouped


async def market_countries(db: DatabaseOrSession, market_ids: Iterable[int]) -> dict[int, list[CountryView]]:
    """The countries each market is assigned to, in id order."""
    return await _linked_countries(db, MarketCountry.market_id, MarketCountry.country_id, market_ids)


async def pricelist_countries(db: DatabaseOrSession, pricelist_ids: Iterable[int]) -> dict[int, list[CountryView]]:
    """The countries each pricelist is assigned to, in id order."""
    return await _linked_countries(db, PricelistCountry.pricelist_id, PricelistCountry.country_id, pricelist_ids)


async def allocation_rule_warehouses(db: DatabaseOrSession, rule_ids: Iterable[int]) -> dict[int, list[WarehouseView]]:
    """The warehouses each allocation rule draws from, in warehouse id order."""
    grouped: dict[int, list[WarehouseView]] = defaultdict(list)
    async with unit_of_work(db, write=False) as session:
        for chunk in _chunks(rule_ids):
            rows = await session.execute(
                select(AllocationRuleWarehouse.allocation_rule_id, Warehouse)
                .join(AllocationRuleWarehouse, AllocationRuleWarehouse.warehouse_id == Warehouse.id)
                .where(AllocationRuleWarehouse.allocation_rule_id.in_(chunk))
                .order_by(AllocationRuleWarehouse.allocation_rule_id, Warehouse.id)
            )
            for rule_id, row in rows:
                grouped[rule_id].append(warehouse_view(row))
    return grouped


# --- paging queries --------------------------------------------------------------------


def _sorted(statement: Select[Any], sort: Sequence[SortKey], model: Any) -> Select[Any]:
    keys = [listing.SortKey(key, descending) for key, descending in sort]
    return ordered(statement, keys, {"id": model.id, "name": model.name}, model.id)


async def _page(db: DatabaseOrSession, statement: Select[Any], limit: int, offset: int) -> list[Any]:
    async with unit_of_work(db, write=False) as session:
        return list((await session.scalars(windowed(statement, Window(limit, offset)))).all())


async def store_page(
    db: DatabaseOrSession,
    *,
    store_id: int | None = None,
    ids: Sequence[int] | None = None,
    type: StoreType | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int = 0,
) -> list[StoreView]:
    statement = select(Store)
    if store_id is not None:
        statement = statement.where(Store.id == store_id)
    if ids is not None:
        statement = statement.where(Store.id.in_(ids))
    if type is not None:
        statement = statement.where(Store.type == type)
    return [store_view(r) for r in await _page(db, _sorted(statement, sort, Store), limit, offset)]


async def market_page(
    db: DatabaseOrSession,
    *,
    store_id: int | None = None,
    ids: Sequence[int] | None = None,
    name: TextMatch | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int = 0,
) -> list[MarketView]:
    """Markets; ``store_id`` both scopes and filters (a scoped token asking for another store finds none)."""
    statement = select(Market).where(*text_conditions(Market.name, name))
    if store_id is not None:
        statement = statement.where(Market.store_id == store_id)
    if ids is not None:
        statement = statement.where(Market.id.in_(ids))
    return [market_view(r) for r in await _page(db, _sorted(statement, sort, Market), limit, offset)]


async def pricelist_page(
    db: DatabaseOrSession,
    *,
    store_id: int | None = None,
    ids: Sequence[int] | None = None,
    name: TextMatch | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int = 0,
) -> list[PricelistView]:
    statement = select(Pricelist).where(*text_conditions(Pricelist.name, name))
    if store_id is not None:
        statement = statement.where(Pricelist.store_id == store_id)
    if ids is not None:
        statement = statement.where(Pricelist.id.in_(ids))
    return [pricelist_view(r) for r in await _page(db, _sorted(statement, sort, Pricelist), limit, offset)]


async def warehouse_page(
    db: DatabaseOrSession,
    *,
    ids: Sequence[int] | None = None,
    name: TextMatch | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int = 0,
) -> list[WarehouseView]:
    statement = select(Warehouse).where(*text_conditions(Warehouse.name, name))
    if ids is not None:
        statement = statement.where(Warehouse.id.in_(ids))
    return [warehouse_view(r) for r in await _page(db, _sorted(statement, sort, Warehouse), limit, offset)]


async def allocation_rule_page(
    db: DatabaseOrSession,
    *,
    ids: Sequence[int] | None = None,
    name: TextMatch | None = None,
    sort: Sequence[SortKey] = (),
    limit: int,
    offset: int = 0,
) -> list[AllocationRuleView]:
    """Allocation rules in ``sort`` order (``id``, ``name``), then id order."""
    statement = select(AllocationRule).where(*text_conditions(AllocationRule.name, name))
    if ids is not None:
        statement = statement.where(AllocationRule.id.in_(ids))
    found = await _page(db, _sorted(statement, sort, AllocationRule), limit, offset)
    return [AllocationRuleView(r.id, r.name) for r in found]


def _keyed(sort: Sequence[tuple[str, bool]]) -> list[listing.SortKey]:
    return [listing.SortKey(key, descending) for key, descending in sort]


async def country_page(
    db: DatabaseOrSession,
    *,
    codes: Sequence[str] | None = None,
    name: TextMatch | None = None,
    sort: Sequence[tuple[str, bool]] = (),
    limit: int,
    offset: int = 0,
) -> list[CountryView]:
    """Countries in ``sort`` order (``code``, ``name``), then code order; ``codes`` match in any case."""
    statement = select(Country).where(*text_conditions(Country.name, name))
    if codes is not None:
        statement = statement.where(Country.code.in_([c.upper() for c in codes]))
    statement = ordered(statement, _keyed(sort), {"code": Country.code, "name": Country.name}, Country.code)
    return [country_view(r) for r in await _page(db, statement, limit, offset)]


async def currency_ids(
    db: DatabaseOrSession,
    *,
    codes: Sequence[str] | None = None,
    sort: Sequence[tuple[str, bool]] = (),
    limit: int,
    offset: int = 0,
) -> list[int]:
    """Ids of currencies in ``sort`` order (``id``, ``code``), then id order; ``codes`` match in any case."""
    statement = select(Currency.id)
    if codes is not None:
        statement = statement.where(Currency.code.in_([c.upper() for c in codes]))
    statement = ordered(statement, _keyed(sort), {"id": Currency.id, "code": Currency.code}, Currency.id)
    return [int(i) for i in await _page(db, statement, limit, offset)]


async def language_page(
    db: DatabaseOrSession,
    *,
    codes: Sequence[str] | None = None,
    sort: Sequence[tuple[str, bool]] = (),
    limit: int,
    offset: int = 0,
) -> list[LanguageView]:
    """Languages in ``sort`` order (``id``, ``code``, ``name``), then id order; ``codes`` match exactly."""
    statement = select(Language)
    if codes is not None:
        statement = statement.where(Language.code.in_(codes))
    columns = {"id": Language.id, "code": Language.code, "name": Language.name}
    statement = ordered(statement, _keyed(sort), columns, Language.id)
    return [_language_view(r) for r in await _page(db, statement, limit, offset)]


async def store_timezone(db: DatabaseOrSession, store_id: int) -> str | None:
    """The store's IANA time zone name (None: unknown store or none set); API dates print in it."""
    async with unit_of_work(db, write=False) as session:
        name: str | None = await session.scalar(select(Store.timezone).where(Store.id == store_id))
        return name
