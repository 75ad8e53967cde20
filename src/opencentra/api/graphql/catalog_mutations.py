"""PIM and setup mutations that the catalogue, pricing and stores services support.

Inputs follow Centra's shapes; fields OpenCentra has no place for are
accepted and named in ``userWarnings`` rather than silently dropped.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from opencentra import catalog, integration, pricing, stores
from opencentra.api.graphql.catalog import Brand, Collection, SizeChart
from opencentra.api.graphql.common import Status, UserError, UserWarning, input_user_error, user_error
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import Require
from opencentra.api.graphql.stock import IdRef, MonetaryValueInput
from opencentra.api.graphql.stores import Market, Pricelist, StockMasterPolicy, Warehouse
from opencentra.api.graphql.warehouse_fields import OWNERSHIP, POLICY, AllocationPolicy, StockOwnershipPolicy
from opencentra.errors import DomainError, ValidationFailed
from opencentra.stores import Location, StockMaster, countries_by_id, pricelists_by_id

MAX_PRICES = 1000


def _mutation(resolver: Any, permission: str) -> Any:
    extensions: list[FieldExtension] = [Require(permission)]
    return strawberry.field(resolver=resolver, extensions=extensions)


@strawberry.input
class StoreRef:
    id: int


@strawberry.input
class CountryRef:
    id: int | None = None
    code: str | None = None


async def _country_codes(context: GraphQLContext, refs: list[CountryRef]) -> list[str]:
    ids = [ref.id for ref in refs if ref.id is not None]
    codes = [ref.code.upper() for ref in refs if ref.code is not None]
    if ids:
        countries = await context.loaders.keyed("countries", countries_by_id).load_many(ids)
        found = {country.id: country.code for country in countries if country is not None}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationFailed(f"Could not find Country with ID {missing[0]}", field="addCountries")
        codes += [found[i] for i in ids]
    return codes


async def remember_external_id(
    context: GraphQLContext, object_type: str, internal_id: int, external_id: str | None
) -> list[UserWarning]:
    """Store the integration's id for a new object; a failure is a warning (the object stays)."""
    if external_id is None:
        return []
    try:
        await integration.set_external_id(
            context.db,
            integration=context.token.name,
            object_type=object_type,
            internal_id=internal_id,
            external_id=external_id,
        )
    except DomainError as error:
        return [UserWarning(message=f"externalId not saved: {error.message}", path=["input", "externalId"])]
    return []


# --- brands, collections, size charts ----------------------------------------------------


@strawberry.input
class BrandCreateInput:
    name: str
    uri: str | None = None
    add_to_stores: list[StoreRef] | None = None
    meta_title: str = ""
    meta_description: str = ""
    meta_keywords: str = ""


@strawberry.type
class BrandPayload:
    brand: Brand | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_brand(info: Info[Any, Any], input: BrandCreateInput) -> BrandPayload:
    context: GraphQLContext = info.context
    try:
        brand = await catalog.create_brand(
            context.db,
            input.name,
            uri=input.uri,
            meta_title=input.meta_title,
            meta_description=input.meta_description,
            meta_keywords=input.meta_keywords,
        )
    except DomainError as error:
        return BrandPayload(brand=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return BrandPayload(brand=Brand.of(brand), user_errors=[], user_warnings=[])


@strawberry.input
class CollectionCreateInput:
    name: str
    uri: str | None = None
    status: Status = Status.ACTIVE


@strawberry.type
class CollectionPayload:
    collection: Collection | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_collection(info: Info[Any, Any], input: CollectionCreateInput) -> CollectionPayload:
    context: GraphQLContext = info.context
    try:
        collection = await catalog.create_collection(context.db, input.name, uri=input.uri)
    except DomainError as error:
        return CollectionPayload(collection=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    warnings = []
    if input.status == Status.INACTIVE:
        warnings.append(UserWarning(message="collections are always active in OpenCentra", path=["input", "status"]))
    return CollectionPayload(collection=Collection.of(collection), user_errors=[], user_warnings=warnings)


@strawberry.input
class SizeChartCreateInput:
    name: str
    horizontal_labels: list[str]
    vertical_labels: list[str] | None = None
    divider_symbol: str = "x"
    display_unit: str | None = None
    display_divided_by: int | None = None
    external_id: str | None = None


@strawberry.type
class SizeChartPayload:
    size_chart: SizeChart | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_size_chart(info: Info[Any, Any], input: SizeChartCreateInput) -> SizeChartPayload:
    """A 2-D chart (vertical labels given) makes sizes named ``<horizontal><divider><vertical>``."""
    context: GraphQLContext = info.context
    names = list(input.horizontal_labels)
    if input.vertical_labels:
        names = [f"{h}{input.divider_symbol}{v}" for v in input.vertical_labels for h in input.horizontal_labels]
    if len(names) > 1000:
        error = UserError(message="a size chart has at most 1000 sizes", path=["input", "horizontalLabels"])
        return SizeChartPayload(size_chart=None, user_errors=[error], user_warnings=[])
    try:
        chart = await catalog.create_size_chart(
            context.db, input.name, names, divider_symbol=input.divider_symbol or "x"
        )
    except DomainError as error:
        return SizeChartPayload(size_chart=None, user_errors=[user_error(error, "input")], user_warnings=[])
    warnings = await remember_external_id(context, "SizeChart", chart.id, input.external_id)
    await context.after_write()
    return SizeChartPayload(size_chart=SizeChart.of(chart), user_errors=[], user_warnings=warnings)


# --- warehouses, markets, pricelists --------------------------------------------------------


@strawberry.input
class WarehouseLocationInput:
    country: CountryRef | None = None
    state_or_province: str | None = None
    zip_code: str | None = None


@strawberry.input
class WarehouseCreateInput:
    name: str
    stock_master_policy: StockMasterPolicy = StockMasterPolicy.CENTRA
    stock_ownership_policy: StockOwnershipPolicy | None = None
    allocation_policy: AllocationPolicy | None = None
    before_warehouse: IdRef | None = None
    hide_from_stock_view: bool | None = None
    threshold: int | None = None
    warehouse_location: WarehouseLocationInput | None = None

    def ignored(self) -> list[str]:
        return ["beforeWarehouse"] if self.before_warehouse is not None else []


@strawberry.type
class WarehousePayload:
    warehouse: Warehouse | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


# --- shared by the setup mutations (``store_setup`` builds on these) ---------------------------


# Domain field names as Centra's inputs spell them.
_INPUT_NAMES = {
    "countries": "addCountries",
    "addCountries": "addCountries",
    "removeCountries": "removeCountries",
    "default_shipping_option": "defaultShippingOption",
    "stock_master": "stockMasterPolicy",
    "hidden_from_stock_view": "hideFromStockView",
    "warehouse_location": "warehouseLocation",
}


def setup_error(error: DomainError) -> UserError:
    """``id`` errors point at the argument, the rest into ``input``."""
    return input_user_error(error, _INPUT_NAMES)


async def setup_country_codes(context: GraphQLContext, refs: list[CountryRef] | None, field: str) -> list[str]:
    """Codes of countries given by id or code; an unknown id is an error on ``field``."""
    refs = refs or []
    codes = [ref.code for ref in refs if ref.code is not None]
    ids = [ref.id for ref in refs if ref.id is not None]
    if ids:
        async with context.read() as session:
            found = {country_id: c.code for country_id, c in (await countries_by_id(session, ids)).items()}
        for country_id in ids:
            if country_id not in found:
                raise ValidationFailed(f"Could not find Country with ID {country_id}", field=field)
            codes.append(found[country_id])
    if any(ref.id is None and ref.code is None for ref in refs):
        raise ValidationFailed("a country needs an id or a code", field=field)
    return codes


async def warehouse_settings(
    context: GraphQLContext,
    ownership: StockOwnershipPolicy | None,
    policy: AllocationPolicy | None,
    location: WarehouseLocationInput | None,
) -> dict[str, Any]:
    """Keyword arguments for the warehouse services from Centra's inputs (None: left out)."""
    found: dict[str, Any] = {}
    if ownership is not None:
        found["stock_ownership"] = OWNERSHIP[ownership]
    if policy is not None:
        found["allocation_policy"] = POLICY[policy]
    if location is not None:
        codes = await setup_country_codes(context, [location.country] if location.country else [], "warehouse_location")
        found["location"] = Location(
            country=codes[0] if codes else None, state=location.state_or_province, zip_code=location.zip_code
        )
    return found


async def create_warehouse(info: Info[Any, Any], input: WarehouseCreateInput) -> WarehousePayload:
    context: GraphQLContext = info.context
    master = StockMaster.EXTERNAL if input.stock_master_policy == StockMasterPolicy.EXTERNAL else StockMaster.INTERNAL
    try:
        row = await stores.create_warehouse(
            context.db,
            input.name,
            stock_master=master,
            threshold=input.threshold or 0,
            hidden_from_stock_view=bool(input.hide_from_stock_view),
            **await warehouse_settings(
                context, input.stock_ownership_policy, input.allocation_policy, input.warehouse_location
            ),
        )
    except DomainError as error:
        return WarehousePayload(warehouse=None, user_errors=[setup_error(error)], user_warnings=[])
    await context.after_write()
    warnings = [
        UserWarning(message=f"{name} is not supported by OpenCentra; ignored", path=["input", name])
        for name in input.ignored()
    ]
    return WarehousePayload(warehouse=Warehouse.of(row), user_errors=[], user_warnings=warnings)


@strawberry.input
class MarketCreateInput:
    name: str
    store: StoreRef
    add_countries: list[CountryRef] | None = None
    comment: str | None = None


@strawberry.type
class MarketPayload:
    market: Market | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_market(info: Info[Any, Any], input: MarketCreateInput) -> MarketPayload:
    context: GraphQLContext = info.context
    if context.store_id is not None and input.store.id != context.store_id:
        error = UserError(message=f"Could not find Store with ID {input.store.id}", path=["input", "store"])
        return MarketPayload(market=None, user_errors=[error], user_warnings=[])
    try:
        codes = await _country_codes(context, input.add_countries or [])
        row = await stores.create_market(context.db, input.store.id, input.name, countries=codes, comment=input.comment)
    except DomainError as error:
        return MarketPayload(market=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return MarketPayload(market=Market.of(row), user_errors=[], user_warnings=[])


@strawberry.input
class PricelistCreateInput:
    name: str
    store: StoreRef
    currency_iso_code: str
    status: Status = Status.ACTIVE
    add_countries: list[CountryRef] | None = None
    default_shipping_option: IdRef | None = None


@strawberry.type
class PricelistPayload:
    pricelist: Pricelist | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_pricelist(info: Info[Any, Any], input: PricelistCreateInput) -> PricelistPayload:
    context: GraphQLContext = info.context
    if context.store_id is not None and input.store.id != context.store_id:
        error = UserError(message=f"Could not find Store with ID {input.store.id}", path=["input", "store"])
        return PricelistPayload(pricelist=None, user_errors=[error], user_warnings=[])
    try:
        codes = await _country_codes(context, input.add_countries or [])
        row = await stores.create_pricelist(
            context.db,
            input.store.id,
            input.name,
            input.currency_iso_code,
            countries=codes,
            active=input.status == Status.ACTIVE,
            default_shipping_method_id=input.default_shipping_option.id if input.default_shipping_option else None,
        )
    except DomainError as error:
        if error.field == "default_shipping_option":
            error = type(error)(error.message, field="defaultShippingOption")
        return PricelistPayload(pricelist=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return PricelistPayload(pricelist=Pricelist.of(row), user_errors=[], user_warnings=[])


# --- prices -----------------------------------------------------------------------------


@strawberry.input
class VariantPriceInput:
    product_variant: IdRef
    price: MonetaryValueInput


@strawberry.input
class ProductPriceInput:
    product: IdRef
    price: MonetaryValueInput | None = None
    individual_variant_prices: list[VariantPriceInput] | None = None
    override_individual_variant_prices: bool = False


@strawberry.input
class SetPricesInput:
    pricelist: IdRef
    product_prices: list[ProductPriceInput]


@strawberry.type
class SetPricesPayload:
    pricelist: Pricelist | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _amount(value: MonetaryValueInput) -> Decimal:
    try:
        return Decimal(str(value.value))
    except InvalidOperation:
        raise ValidationFailed("price is not a number", field="price") from None


async def set_prices(info: Info[Any, Any], input: SetPricesInput) -> SetPricesPayload:
    """A batch: the valid prices are saved, bad items become warnings (Centra's setPrices)."""
    context: GraphQLContext = info.context
    if len(input.product_prices) > MAX_PRICES:
        error = UserError(message=f"at most {MAX_PRICES} products per call", path=["input", "productPrices"])
        return SetPricesPayload(pricelist=None, user_errors=[error], user_warnings=[])
    pricelist = await context.loaders.keyed("pricelists", pricelists_by_id).load(input.pricelist.id)
    if pricelist is None or (context.store_id is not None and pricelist.store_id != context.store_id):
        error = UserError(message=f"Could not find Pricelist with ID {input.pricelist.id}", path=["input", "pricelist"])
        return SetPricesPayload(pricelist=None, user_errors=[error], user_warnings=[])
    currency = await context.loaders.currency.load(pricelist.currency_id)
    assert currency is not None
    product_ids = [p.product.id for p in input.product_prices]
    of_products = await context.loaders.grouped("variants_of_products", catalog.variants_of_products).load_many(
        product_ids
    )
    # Products without variants (or unknown) have nothing to price.
    variants = {pid: [v.id for v in found] for pid, found in zip(product_ids, of_products, strict=True) if found}
    warnings: list[UserWarning] = []
    specs: dict[int, pricing.PriceSpec] = {}
    seen: set[int] = set()
    for index, item in enumerate(input.product_prices):
        path = ["input", "productPrices", str(index)]
        product_id = item.product.id
        if product_id in seen:
            warnings.append(UserWarning(message=f"Duplicate product ID {product_id} skipped", path=path))
            continue
        seen.add(product_id)
        if product_id not in variants:
            warnings.append(UserWarning(message=f"Could not find Product with ID {product_id}; skipped", path=path))
            continue
        given: list[tuple[int | None, MonetaryValueInput]] = [(None, item.price)] if item.price is not None else []
        given += [(v.product_variant.id, v.price) for v in item.individual_variant_prices or []]
        for chosen, price in given:
            if price.currency_iso_code.upper() != currency.code:
                warnings.append(
                    UserWarning(
                        message=f"Price in {price.currency_iso_code} does not match the pricelist's "
                        f"{currency.code}; skipped",
                        path=path,
                    )
                )
                continue
            try:
                amount = _amount(price)
            except ValidationFailed as error:
                warnings.append(UserWarning(message=error.message, path=path))
                continue
            targets: list[int] = variants[product_id] if chosen is None else [chosen]
            if chosen is not None and chosen not in variants[product_id]:
                warnings.append(
                    UserWarning(
                        message=f"Product variant with id {chosen} not assigned to product {product_id}", path=path
                    )
                )
                continue
            for target in targets:
                specs[target] = pricing.PriceSpec(variant_id=target, price=amount)
    if specs:
        try:
            await pricing.set_prices(context.db, pricelist.id, list(specs.values()))
        except DomainError as error:
            return SetPricesPayload(pricelist=None, user_errors=[user_error(error, "input")], user_warnings=warnings)
        await context.after_write()
    return SetPricesPayload(pricelist=Pricelist.of(pricelist), user_errors=[], user_warnings=warnings)


@strawberry.type
class CatalogMutation:
    create_brand: BrandPayload = _mutation(create_brand, "Brand:write")
    create_collection: CollectionPayload = _mutation(create_collection, "Collection:write")
    create_size_chart: SizeChartPayload = _mutation(create_size_chart, "SizeChart:write")
    create_warehouse: WarehousePayload = _mutation(create_warehouse, "Warehouse:write")
    create_market: MarketPayload = _mutation(create_market, "Market:write")
    create_pricelist: PricelistPayload = _mutation(create_pricelist, "Pricelist:write")
    set_prices: SetPricesPayload = _mutation(set_prices, "Price:write")
