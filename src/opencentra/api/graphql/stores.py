"""Stores, markets, pricelists, geography and warehouses."""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Select, select
from strawberry.types import Info

from opencentra.api.graphql.common import (
    Currency,
    Status,
    StoreType,
    StringFilter,
    apply_page,
    apply_sort,
    status_of,
    string_condition,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.warehouse_fields import WarehouseExtras
from opencentra.stores import models

if TYPE_CHECKING:
    from opencentra.api.graphql.catalog import Display
    from opencentra.api.graphql.promotions import Campaign
    from opencentra.api.graphql.store_setup import ShippingOption


def store_type(value: models.StoreType) -> StoreType:
    return StoreType.WHOLESALE if value == models.StoreType.WHOLESALE else StoreType.DIRECT_TO_CONSUMER


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
    def of(cls, row: models.Language) -> Language:
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
    def of(cls, row: models.Country) -> Country:
        return cls(id=row.id, code=row.code, name=row.name, is_eu=row.eu)

    @strawberry.field
    async def states(self, info: Info[Any, Any], limit: int | None = None) -> list[CountryState]:
        rows = await info.context.loaders.many(models.CountryState, models.CountryState.country_id).load(self.id)
        rows = rows if limit is None else rows[: max(limit, 0)]
        return [CountryState(id=r.id, code=r.code, name=r.name) for r in rows]


@strawberry.type
class Store:
    id: int
    name: str
    type: StoreType
    status: Status

    @classmethod
    def of(cls, row: models.Store) -> Store:
        return cls(id=row.id, name=row.name, type=store_type(row.type), status=status_of(row.active))


@strawberry.type
class Market:
    id: int
    name: str
    uri: str | None
    status: Status
    _store_id: strawberry.Private[int]
    _comment: strawberry.Private[str | None] = None

    @strawberry.field
    def comment(self, info: Info[Any, Any]) -> str | None:
        check(info, "Market.comment:read")
        return self._comment

    @classmethod
    def of(cls, row: models.Market) -> Market:
        return cls(
            id=row.id,
            name=row.name,
            uri=row.uri,
            status=status_of(row.active),
            _store_id=row.store_id,
            _comment=row.comment,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field
    async def assigned_to_countries(self, info: Info[Any, Any], limit: int | None = None) -> list[Country]:
        rows = await info.context.loaders.linked(
            models.MarketCountry.market_id, models.MarketCountry.country_id, models.Country
        ).load(self.id)
        rows = rows if limit is None else rows[: max(limit, 0)]
        return [Country.of(r) for r in rows]

    @strawberry.field
    async def allocation_rule(self, info: Info[Any, Any]) -> AllocationRule | None:
        check(info, "AllocationRule:read")
        market = await info.context.loaders.one(models.Market).load(self.id)
        if market is None or market.allocation_rule_id is None:
            return None
        rule = await info.context.loaders.one(models.AllocationRule).load(market.allocation_rule_id)
        return AllocationRule(id=rule.id, name=rule.name) if rule is not None else None

    @strawberry.field
    async def displays(
        self, info: Info[Any, Any]
    ) -> list[Annotated[Display, strawberry.lazy("opencentra.api.graphql.catalog")]] | None:
        """The displays sold in this market (needs Display:read; null without it)."""
        check(info, "Display:read")
        from opencentra.api.graphql.catalog import Display
        from opencentra.catalog import models as catalog

        rows = await info.context.loaders.linked(
            catalog.DisplayMarket.market_id, catalog.DisplayMarket.display_id, catalog.Display
        ).load(self.id)
        return [Display.of(r) for r in rows]

    @strawberry.field
    async def campaigns(
        self, info: Info[Any, Any]
    ) -> list[Annotated[Campaign, strawberry.lazy("opencentra.api.graphql.promotions")]] | None:
        """The campaigns that run in this market (needs Campaign:read; null without it)."""
        check(info, "Campaign:read")
        from opencentra.api.graphql.promotions import Campaign
        from opencentra.pricing import models as pricing

        rows = await info.context.loaders.linked(
            pricing.CampaignMarket.market_id, pricing.CampaignMarket.campaign_id, pricing.Campaign
        ).load(self.id)
        return [Campaign.of(r) for r in rows]


@strawberry.type
class Pricelist:
    id: int
    name: str
    status: Status
    _store_id: strawberry.Private[int]
    _currency_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: models.Pricelist) -> Pricelist:
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
        rows = await info.context.loaders.linked(
            models.PricelistCountry.pricelist_id, models.PricelistCountry.country_id, models.Country
        ).load(self.id)
        rows = rows if limit is None else rows[: max(limit, 0)]
        return [Country.of(r) for r in rows]

    @strawberry.field
    async def default_shipping_option(
        self, info: Info[Any, Any]
    ) -> Annotated[ShippingOption, strawberry.lazy("opencentra.api.graphql.store_setup")] | None:
        """Needs ShippingOption:read."""
        from opencentra.api.graphql.store_setup import default_shipping_option

        return await default_shipping_option(info, self.id)


@strawberry.enum
class StockMasterPolicy(enum.Enum):
    CENTRA = "CENTRA"
    EXTERNAL = "EXTERNAL"


@strawberry.type
class Warehouse(WarehouseExtras):
    id: int
    name: str
    stock_master_policy: StockMasterPolicy
    status: Status = Status.ACTIVE
    threshold: int = 0
    is_hidden_from_stock_view: bool = False
    stock_master: StockMasterPolicy = strawberry.field(
        default=StockMasterPolicy.CENTRA, description="The same as stockMasterPolicy (Centra uses both names)."
    )

    @classmethod
    def of(cls, row: models.Warehouse) -> Warehouse:
        policy = (
            StockMasterPolicy.EXTERNAL if row.stock_master == models.StockMaster.EXTERNAL else StockMasterPolicy.CENTRA
        )
        return cls(
            id=row.id,
            name=row.name,
            stock_master_policy=policy,
            stock_master=policy,
            threshold=row.threshold,
            is_hidden_from_stock_view=row.hidden_from_stock_view,
        )


@strawberry.type
class AllocationRule:
    id: int
    name: str

    @strawberry.field
    async def warehouses(self, info: Info[Any, Any]) -> list[Warehouse]:
        rows = await info.context.loaders.linked(
            models.AllocationRuleWarehouse.allocation_rule_id,
            models.AllocationRuleWarehouse.warehouse_id,
            models.Warehouse,
        ).load(self.id)
        return [Warehouse.of(r) for r in rows]


async def load_store(info: Info[Any, Any], store_id: int) -> Store:
    row = await info.context.loaders.one(models.Store).load(store_id)
    assert row is not None
    return Store.of(row)


async def load_market(info: Info[Any, Any], market_id: int) -> Market:
    row = await info.context.loaders.one(models.Market).load(market_id)
    assert row is not None
    return Market.of(row)


async def load_pricelist(info: Info[Any, Any], pricelist_id: int) -> Pricelist:
    row = await info.context.loaders.one(models.Pricelist).load(pricelist_id)
    assert row is not None
    return Pricelist.of(row)


async def load_country(info: Info[Any, Any], code: str | None) -> Country | None:
    if not code:
        return None
    row = await info.context.loaders.country_by_code.load(code)
    return Country.of(row) if row is not None else None


# --- filters, sorts and root fields ----------------------------------------------------


@strawberry.enum
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


async def rows(context: GraphQLContext, statement: Select[Any]) -> list[Any]:
    async with context.read() as session:
        return list((await session.scalars(statement)).all())


def _sorted(statement: Select[Any], sort: list[IdSort] | None, model: Any) -> Select[Any]:
    return apply_sort(statement, sort, {"id": model.id, "name": model.name}, model.id)


def _store_scope(statement: Select[Any], context: GraphQLContext, column: Any) -> Select[Any]:
    return statement if context.store_id is None else statement.where(column == context.store_id)


async def resolve_stores(
    info: Info[Any, Any],
    where: StoreFilter | None = None,
    sort: list[IdSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Store]:
    context: GraphQLContext = info.context
    statement = _store_scope(select(models.Store), context, models.Store.id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(models.Store.id.in_(where.id))
        if where.type is not None:
            wanted = models.StoreType.WHOLESALE if where.type == StoreType.WHOLESALE else models.StoreType.DTC
            statement = statement.where(models.Store.type == wanted)
    statement = apply_page(_sorted(statement, sort, models.Store), limit, page)
    return [Store.of(r) for r in await rows(context, statement)]


async def resolve_markets(
    info: Info[Any, Any],
    where: MarketFilter | None = None,
    sort: list[IdSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Market]:
    context: GraphQLContext = info.context
    statement = _store_scope(select(models.Market), context, models.Market.store_id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(models.Market.id.in_(where.id))
        if where.store_id is not None:
            statement = statement.where(models.Market.store_id == where.store_id)
        statement = statement.where(*string_condition(models.Market.name, where.name))
    statement = apply_page(_sorted(statement, sort, models.Market), limit, page)
    return [Market.of(r) for r in await rows(context, statement)]


async def resolve_market(info: Info[Any, Any], id: int) -> Market | None:
    row = await info.context.loaders.one(models.Market).load(id)
    if row is None or (info.context.store_id is not None and row.store_id != info.context.store_id):
        return None
    return Market.of(row)


async def resolve_pricelists(
    info: Info[Any, Any],
    where: PricelistFilter | None = None,
    sort: list[IdSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Pricelist]:
    context: GraphQLContext = info.context
    statement = _store_scope(select(models.Pricelist), context, models.Pricelist.store_id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(models.Pricelist.id.in_(where.id))
        if where.store_id is not None:
            statement = statement.where(models.Pricelist.store_id == where.store_id)
        statement = statement.where(*string_condition(models.Pricelist.name, where.name))
    statement = apply_page(_sorted(statement, sort, models.Pricelist), limit, page)
    return [Pricelist.of(r) for r in await rows(context, statement)]


async def resolve_pricelist(info: Info[Any, Any], id: int) -> Pricelist | None:
    row = await info.context.loaders.one(models.Pricelist).load(id)
    if row is None or (info.context.store_id is not None and row.store_id != info.context.store_id):
        return None
    return Pricelist.of(row)


async def resolve_warehouses(
    info: Info[Any, Any],
    where: WarehouseFilter | None = None,
    sort: list[IdSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Warehouse]:
    statement = select(models.Warehouse)
    if where is not None:
        if where.id is not None:
            statement = statement.where(models.Warehouse.id.in_(where.id))
        statement = statement.where(*string_condition(models.Warehouse.name, where.name))
    statement = apply_page(_sorted(statement, sort, models.Warehouse), limit, page)
    return [Warehouse.of(r) for r in await rows(info.context, statement)]


async def resolve_warehouse(info: Info[Any, Any], id: int) -> Warehouse | None:
    row = await info.context.loaders.one(models.Warehouse).load(id)
    return Warehouse.of(row) if row is not None else None


async def resolve_allocation_rules(
    info: Info[Any, Any], limit: int | None = None, page: int | None = None
) -> list[AllocationRule]:
    statement = apply_page(select(models.AllocationRule).order_by(models.AllocationRule.id), limit, page)
    return [AllocationRule(id=r.id, name=r.name) for r in await rows(info.context, statement)]


async def resolve_countries(
    info: Info[Any, Any], where: CountryFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[Country]:
    statement = select(models.Country)
    if where is not None:
        if where.code is not None:
            statement = statement.where(models.Country.code.in_([c.upper() for c in where.code]))
        statement = statement.where(*string_condition(models.Country.name, where.name))
    statement = apply_page(statement.order_by(models.Country.code), limit, page, default=300)
    return [Country.of(r) for r in await rows(info.context, statement)]


async def resolve_currencies(
    info: Info[Any, Any], where: CurrencyFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[Currency]:
    statement = select(models.Currency.id)
    if where is not None and where.code is not None:
        statement = statement.where(models.Currency.code.in_([c.upper() for c in where.code]))
    statement = apply_page(statement.order_by(models.Currency.id), limit, page)
    loaded = await info.context.loaders.currency.load_many(await rows(info.context, statement))
    found = [c for c in loaded if c is not None]
    if where is not None and where.is_base is not None:
        found = [c for c in found if c.is_base == where.is_base]
    return found


@strawberry.input
class LanguageFilter:
    code: list[str] | None = None
    is_available_for_localization: bool | None = None


async def resolve_languages(
    info: Info[Any, Any], where: LanguageFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[Language]:
    """Every language can hold translations, so ``isAvailableForLocalization: false`` finds none."""
    if where is not None and where.is_available_for_localization is False:
        return []
    if where is not None and where.code is not None:
        statement = select(models.Language).where(models.Language.code.in_(where.code)).order_by(models.Language.id)
        return [Language.of(r) for r in await rows(info.context, apply_page(statement, limit, page))]
    statement = apply_page(select(models.Language).order_by(models.Language.id), limit, page)
    return [Language.of(r) for r in await rows(info.context, statement)]
