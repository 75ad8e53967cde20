"""Stores, markets, pricelists, geography and warehouses."""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import strawberry
from strawberry.types import Info

from opencentra import pricing, stores
from opencentra.api.graphql.common import (
    Currency,
    Status,
    StoreType,
    StringFilter,
    page_window,
    status_of,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.listing import sort_pairs
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.related import of_returned
from opencentra.api.graphql.sorting import (
    AllocationRuleSort,
    CountrySort,
    CurrencySort,
    LanguageSort,
    MarketSort,
    PricelistSort,
    StoreSort,
    WarehouseSort,
)
from opencentra.api.graphql.warehouse_fields import (
    OWNERSHIP,
    POLICY,
    AllocationPolicy,
    BrickAndMortar,
    StockOwnershipPolicy,
    warehouse_location,
)
from opencentra.catalog import displays_in_markets
from opencentra.db.shared_read import ReadSession

if TYPE_CHECKING:
    from opencentra.api.graphql.catalog import Display
    from opencentra.api.graphql.promotions import Campaign


def store_type(value: stores.StoreType) -> StoreType:
    return StoreType.WHOLESALE if value == stores.StoreType.WHOLESALE else StoreType.DIRECT_TO_CONSUMER


V = TypeVar("V")


def text_match(flt: StringFilter | None) -> stores.TextMatch | None:
    """The domain's text filter for a GraphQL ``StringFilter``."""
    return None if flt is None else stores.TextMatch(equals=flt.equals, contains=flt.contains)


# What the types below are built from: the stores domain's read views, or the rows
# its setup use cases (``stores.create_market``, ``stores.update_market``...) answer.


class _LanguageLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...


class _CountryLike(_LanguageLike, Protocol):
    @property
    def eu(self) -> bool: ...


class _StoreLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> stores.StoreType: ...
    @property
    def active(self) -> bool: ...


class _MarketLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def store_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def uri(self) -> str | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def comment(self) -> str | None: ...
    @property
    def allocation_rule_id(self) -> int | None: ...


class _PricelistLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def store_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def currency_id(self) -> int: ...
    @property
    def active(self) -> bool: ...


class _WarehouseLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def stock_master(self) -> stores.StockMaster: ...
    @property
    def threshold(self) -> int: ...
    @property
    def hidden_from_stock_view(self) -> bool: ...
    @property
    def stock_ownership(self) -> str: ...
    @property
    def allocation_policy(self) -> str: ...


@strawberry.type
class Language:
    id: int
    code: str
    name: str
    language_code: str
    country_code: str | None = None
    is_active: bool = strawberry.field(
        default=True, description="Every language OpenCentra knows can hold translations, so all are active."
    )

    @classmethod
    def of(cls, row: _LanguageLike) -> Language:
        return cls(id=row.id, code=row.code, name=row.name, language_code=row.code)


@strawberry.type
class CountryState:
    id: int
    code: str
    name: str


@strawberry.type
class Country:
    id: int
    code: str
    name: str
    is_eu: bool = strawberry.field(name="isEU")
    continent: str | None = None

    @classmethod
    def of(cls, row: _CountryLike) -> Country:
        return cls(id=row.id, code=row.code, name=row.name, is_eu=row.eu)

    @strawberry.field
    async def states(self, info: Info[Any, Any], limit: int | None = None) -> list[CountryState]:
        rows = await info.context.loaders.grouped("country_states", stores.states_of_countries).load(self.id)
        rows = rows if limit is None else rows[: max(limit, 0)]
        return [CountryState(id=r.id, code=r.code, name=r.name) for r in rows]


@strawberry.type
class Store:
    id: int
    name: str
    type: StoreType
    status: Status

    @classmethod
    def of(cls, row: _StoreLike) -> Store:
        return cls(id=row.id, name=row.name, type=store_type(row.type), status=status_of(row.active))


@strawberry.type
class Market:
    id: int
    name: str
    uri: str | None
    status: Status
    _store_id: strawberry.Private[int]
    _comment: strawberry.Private[str | None] = None
    _allocation_rule_id: strawberry.Private[int | None] = None

    @strawberry.field
    def comment(self, info: Info[Any, Any]) -> str | None:
        check(info, "Market.comment:read")
        return self._comment

    @classmethod
    def of(cls, row: _MarketLike) -> Market:
        return cls(
            id=row.id,
            name=row.name,
            uri=row.uri,
            status=status_of(row.active),
            _store_id=row.store_id,
            _comment=row.comment,
            _allocation_rule_id=row.allocation_rule_id,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field
    async def assigned_to_countries(self, info: Info[Any, Any], limit: int | None = None) -> list[Country]:
        rows = await info.context.loaders.grouped("market_countries", stores.market_countries).load(self.id)
        rows = rows if limit is None else rows[: max(limit, 0)]
        return [Country.of(r) for r in rows]

    @strawberry.field
    async def allocation_rule(self, info: Info[Any, Any]) -> AllocationRule | None:
        check(info, "AllocationRule:read")
        if self._allocation_rule_id is None:
            return None
        rule = await info.context.loaders.keyed("allocation_rules", stores.allocation_rules_by_id).load(
            self._allocation_rule_id
        )
        return AllocationRule(id=rule.id, name=rule.name) if rule is not None else None

    @strawberry.field
    async def displays(
        self, info: Info[Any, Any]
    ) -> list[Annotated[Display, strawberry.lazy("opencentra.api.graphql.catalog")]] | None:
        """The displays sold in this market (needs Display:read; null without it)."""
        check(info, "Display:read")
        rows = await info.context.loaders.grouped("displays_in_markets", displays_in_markets).load(self.id)
        return of_returned(info, rows)

    @strawberry.field
    async def campaigns(
        self, info: Info[Any, Any]
    ) -> list[Annotated[Campaign, strawberry.lazy("opencentra.api.graphql.promotions")]] | None:
        """The campaigns that run in this market (needs Campaign:read; null without it)."""
        check(info, "Campaign:read")
        rows = await info.context.loaders.grouped("campaigns_of_markets", pricing.campaigns_of_markets).load(self.id)
        return of_returned(info, rows)


@strawberry.type
class ShippingOption:
    id: int
    name: str
    uri: str | None
    status: Status

    @classmethod
    def of(cls, row: stores.ShippingOptionView) -> ShippingOption:
        return cls(id=row.id, name=row.name, uri=row.uri, status=status_of(row.active))


@strawberry.type
class Pricelist:
    id: int
    name: str
    status: Status
    _store_id: strawberry.Private[int]
    _currency_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: _PricelistLike) -> Pricelist:
        return cls(
            id=row.id, name=row.name, status=status_of(row.active), _store_id=row.store_id, _currency_id=row.currency_id
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field
    async def currency(self, info: Info[Any, Any]) -> Currency:
        found: Currency | None = await info.context.loaders.currency.load(self._currency_id)
        assert found is not None
        return found

    @strawberry.field
    async def assigned_to_countries(self, info: Info[Any, Any], limit: int | None = None) -> list[Country]:
        rows = await info.context.loaders.grouped("pricelist_countries", stores.pricelist_countries).load(self.id)
        rows = rows if limit is None else rows[: max(limit, 0)]
        return [Country.of(r) for r in rows]

    @strawberry.field
    async def default_shipping_option(self, info: Info[Any, Any]) -> ShippingOption | None:
        """Needs ShippingOption:read; batched through the request's loaders."""
        check(info, "ShippingOption:read")
        loader = info.context.loaders.keyed("default_shipping_options", stores.default_shipping_options)
        found = await loader.load(self.id)
        return ShippingOption.of(found) if found is not None else None


@strawberry.enum
class StockMasterPolicy(enum.Enum):
    CENTRA = "CENTRA"
    EXTERNAL = "EXTERNAL"


@strawberry.type
class _WarehouseSettings:
    """The settings and location of a ``Warehouse`` (which holds ``id``, ``_stock_ownership`` and
    ``_allocation_policy``), which Centra lists before its name."""

    def _warehouse_id(self) -> int:
        return int(self.id)  # type: ignore[attr-defined]

    @strawberry.field
    def stock_ownership(self) -> StockOwnershipPolicy:
        return next(k for k, v in OWNERSHIP.items() if v.value == str(self._stock_ownership))  # type: ignore[attr-defined]

    @strawberry.field
    def allocation_policy(self) -> AllocationPolicy:
        return next(k for k, v in POLICY.items() if v.value == str(self._allocation_policy))  # type: ignore[attr-defined]

    @strawberry.field(description="OpenCentra keeps no consignment stock: always false.")  # type: ignore[untyped-decorator]
    def is_consignation(self) -> bool:
        return False

    @strawberry.field(description="OpenCentra has no brick-and-mortar stores: always null (needs BrickAndMortar:read).")  # type: ignore[untyped-decorator]
    def brick_and_mortar(self, info: Info[Any, Any]) -> BrickAndMortar | None:
        check(info, "BrickAndMortar:read")
        return None

    @strawberry.field
    async def country(self, info: Info[Any, Any]) -> Country | None:
        location = await warehouse_location(info, self._warehouse_id())
        if location is None or location.country_id is None:
            return None
        row = await info.context.loaders.keyed("countries", stores.countries_by_id).load(location.country_id)
        return Country.of(row) if row is not None else None

    @strawberry.field
    async def state(self, info: Info[Any, Any]) -> CountryState | None:
        location = await warehouse_location(info, self._warehouse_id())
        if location is None or location.state_id is None:
            return None
        row = await info.context.loaders.keyed("country_states", stores.country_states_by_id).load(location.state_id)
        return CountryState(id=row.id, code=row.code, name=row.name) if row is not None else None

    @strawberry.field
    async def zip_code(self, info: Info[Any, Any]) -> str | None:
        location = await warehouse_location(info, self._warehouse_id())
        return location.zip_code if location is not None else None


@strawberry.type
class Warehouse(_WarehouseSettings):
    id: int
    name: str
    stock_master_policy: StockMasterPolicy
    status: Status = Status.ACTIVE
    threshold: int = 0
    is_hidden_from_stock_view: bool = False
    stock_master: StockMasterPolicy = strawberry.field(
        default=StockMasterPolicy.CENTRA, description="The same as stockMasterPolicy (Centra uses both names)."
    )
    _stock_ownership: strawberry.Private[str] = "own"
    _allocation_policy: strawberry.Private[str] = "check_first"

    @classmethod
    def of(cls, row: _WarehouseLike) -> Warehouse:
        policy = (
            StockMasterPolicy.EXTERNAL if row.stock_master == stores.StockMaster.EXTERNAL else StockMasterPolicy.CENTRA
        )
        return cls(
            id=row.id,
            name=row.name,
            stock_master_policy=policy,
            stock_master=policy,
            threshold=row.threshold,
            is_hidden_from_stock_view=row.hidden_from_stock_view,
            _stock_ownership=row.stock_ownership,
            _allocation_policy=row.allocation_policy,
        )


@strawberry.type
class AllocationRule:
    id: int
    name: str

    @strawberry.field
    async def warehouses(self, info: Info[Any, Any]) -> list[Warehouse]:
        rows = await info.context.loaders.grouped("allocation_rule_warehouses", stores.allocation_rule_warehouses).load(
            self.id
        )
        return [Warehouse.of(r) for r in rows]


async def load_store(info: Info[Any, Any], store_id: int) -> Store:
    row = await info.context.loaders.keyed("stores", stores.stores_by_id).load(store_id)
    assert row is not None
    return Store.of(row)


async def load_market(info: Info[Any, Any], market_id: int) -> Market:
    row = await info.context.loaders.keyed("markets", stores.markets_by_id).load(market_id)
    assert row is not None
    return Market.of(row)


async def load_pricelist(info: Info[Any, Any], pricelist_id: int) -> Pricelist:
    row = await info.context.loaders.keyed("pricelists", stores.pricelists_by_id).load(pricelist_id)
    assert row is not None
    return Pricelist.of(row)


async def load_state(info: Info[Any, Any], country_code: str | None, state: str | None) -> CountryState | None:
    """The state of a country named by its code or name, as addresses keep it as text."""
    if not country_code or not state:
        return None
    country = await info.context.loaders.country_by_code.load(country_code)
    if country is None:
        return None
    wanted = state.strip().lower()
    for row in await info.context.loaders.grouped("country_states", stores.states_of_countries).load(country.id):
        if wanted in (row.code.lower(), row.name.lower()):
            return CountryState(id=row.id, code=row.code, name=row.name)
    return None


async def load_country(info: Info[Any, Any], code: str | None) -> Country | None:
    if not code:
        return None
    row = await info.context.loaders.country_by_code.load(code)
    return Country.of(row) if row is not None else None


# --- filters, sorts and root fields ----------------------------------------------------


@strawberry.enum(
    description="Before the per-type sorts (MarketSort, ...); still accepted for a variable in their place."
)
class IdSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.input
class StoreFilter:
    id: list[int] | None = None
    type: StoreType | None = None


@strawberry.input
class MarketFilter:
    id: list[int] | None = None
    store_id: int | None = None
    name: StringFilter | None = None


@strawberry.input
class PricelistFilter:
    id: list[int] | None = None
    store_id: int | None = None
    name: StringFilter | None = None


@strawberry.input
class WarehouseFilter:
    id: list[int] | None = None
    name: StringFilter | None = None


@strawberry.input
class CountryFilter:
    code: list[str] | None = None
    name: StringFilter | None = None


@strawberry.input
class CurrencyFilter:
    code: list[str] | None = None
    is_base: bool | None = None


def sort_keys(sort: Sequence[enum.Enum] | None) -> list[stores.SortKey]:
    """The domain's sort keys for ``id_ASC``/``name_DESC``... values."""
    keys: list[stores.SortKey] = []
    for value in sort or []:
        field, _, direction = str(value.value).rpartition("_")
        keys.append(("name" if field == "name" else "id", direction == "DESC"))
    return keys


def _store_wanted(context: GraphQLContext, asked: int | None) -> int | None:
    """The one store a list may show (None: all): the filter's, within the token's store."""
    return context.store_id if asked is None else asked


def _outside_scope(context: GraphQLContext, asked: int | None) -> bool:
    return asked is not None and context.store_id is not None and asked != context.store_id


async def resolve_stores(
    info: Info[Any, Any],
    where: StoreFilter | None = None,
    sort: list[StoreSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Store]:
    context: GraphQLContext = info.context
    size, offset = page_window(limit, page)
    wanted = None
    if where is not None and where.type is not None:
        wanted = stores.StoreType.WHOLESALE if where.type == StoreType.WHOLESALE else stores.StoreType.DTC
    async with context.read() as session:
        found = await stores.store_page(
            session,
            store_id=context.store_id,
            ids=where.id if where is not None else None,
            type=wanted,
            sort=sort_keys(sort),
            limit=size,
            offset=offset,
        )
    return [Store.of(r) for r in found]


class _StoreScopedPage(Protocol[V]):
    """A stores-domain page of objects that belong to one store (``market_page``, ``pricelist_page``)."""

    async def __call__(
        self,
        db: ReadSession,
        *,
        store_id: int | None,
        ids: Sequence[int] | None,
        name: stores.TextMatch | None,
        sort: Sequence[stores.SortKey],
        limit: int,
        offset: int,
    ) -> list[V]: ...


async def _store_scoped_list(
    context: GraphQLContext,
    fetch: _StoreScopedPage[V],
    where: MarketFilter | PricelistFilter | None,
    sort: Sequence[enum.Enum] | None,
    limit: int | None,
    page: int | None,
) -> list[V]:
    """The one path of the store-scoped lists: filter by ``where``, within the token's store."""
    size, offset = page_window(limit, page)
    asked = where.store_id if where is not None else None
    if _outside_scope(context, asked):
        return []
    async with context.read() as session:
        return await fetch(
            session,
            store_id=_store_wanted(context, asked),
            ids=where.id if where is not None else None,
            name=text_match(where.name) if where is not None else None,
            sort=sort_keys(sort),
            limit=size,
            offset=offset,
        )


async def resolve_markets(
    info: Info[Any, Any],
    where: MarketFilter | None = None,
    sort: list[MarketSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Market]:
    found = await _store_scoped_list(info.context, stores.market_page, where, sort, limit, page)
    return [Market.of(r) for r in found]


async def resolve_market(info: Info[Any, Any], id: int) -> Market | None:
    row = await info.context.loaders.keyed("markets", stores.markets_by_id).load(id)
    if row is None or _outside_scope(info.context, row.store_id):
        return None
    return Market.of(row)


async def resolve_pricelists(
    info: Info[Any, Any],
    where: PricelistFilter | None = None,
    sort: list[PricelistSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Pricelist]:
    found = await _store_scoped_list(info.context, stores.pricelist_page, where, sort, limit, page)
    return [Pricelist.of(r) for r in found]


async def resolve_pricelist(info: Info[Any, Any], id: int) -> Pricelist | None:
    row = await info.context.loaders.keyed("pricelists", stores.pricelists_by_id).load(id)
    if row is None or _outside_scope(info.context, row.store_id):
        return None
    return Pricelist.of(row)


async def resolve_warehouses(
    info: Info[Any, Any],
    where: WarehouseFilter | None = None,
    sort: list[WarehouseSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Warehouse]:
    size, offset = page_window(limit, page)
    async with info.context.read() as session:
        found = await stores.warehouse_page(
            session,
            ids=where.id if where is not None else None,
            name=text_match(where.name) if where is not None else None,
            sort=sort_keys(sort),
            limit=size,
            offset=offset,
        )
    return [Warehouse.of(r) for r in found]


async def resolve_warehouse(info: Info[Any, Any], id: int) -> Warehouse | None:
    row = await info.context.loaders.keyed("warehouses", stores.warehouses_by_id).load(id)
    return Warehouse.of(row) if row is not None else None


@strawberry.input
class AllocationRuleFilter:
    id: list[int] | None = None
    name: StringFilter | None = None


async def resolve_allocation_rules(
    info: Info[Any, Any],
    where: AllocationRuleFilter | None = None,
    sort: list[AllocationRuleSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[AllocationRule]:
    size, offset = page_window(limit, page)
    async with info.context.read() as session:
        found = await stores.allocation_rule_page(
            session,
            ids=where.id if where is not None else None,
            name=text_match(where.name) if where is not None else None,
            sort=sort_keys(sort),
            limit=size,
            offset=offset,
        )
    return [AllocationRule(id=r.id, name=r.name) for r in found]


async def resolve_countries(
    info: Info[Any, Any],
    where: CountryFilter | None = None,
    sort: list[CountrySort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Country]:
    size, offset = page_window(limit, page, default=300)
    async with info.context.read() as session:
        found = await stores.country_page(
            session,
            codes=where.code if where is not None else None,
            name=text_match(where.name) if where is not None else None,
            sort=sort_pairs(sort),
            limit=size,
            offset=offset,
        )
    return [Country.of(r) for r in found]


async def resolve_currencies(
    info: Info[Any, Any],
    where: CurrencyFilter | None = None,
    sort: list[CurrencySort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Currency]:
    size, offset = page_window(limit, page)
    async with info.context.read() as session:
        ids = await stores.currency_ids(
            session, codes=where.code if where is not None else None, sort=sort_pairs(sort), limit=size, offset=offset
        )
    loaded = await info.context.loaders.currency.load_many(ids)
    found = [c for c in loaded if c is not None]
    if where is not None and where.is_base is not None:
        found = [c for c in found if c.is_base == where.is_base]
    return found


@strawberry.input
class LanguageFilter:
    code: list[str] | None = None
    is_available_for_localization: bool | None = None


async def resolve_languages(
    info: Info[Any, Any],
    where: LanguageFilter | None = None,
    sort: list[LanguageSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Language]:
    """Every language can hold translations, so ``isAvailableForLocalization: false`` finds none."""
    if where is not None and where.is_available_for_localization is False:
        return []
    size, offset = page_window(limit, page)
    async with info.context.read() as session:
        found = await stores.language_page(
            session, codes=where.code if where is not None else None, sort=sort_pairs(sort), limit=size, offset=offset
        )
    return [Language.of(r) for r in found]
