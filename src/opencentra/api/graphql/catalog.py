"""Catalogue and PIM: products, variants, sizes, size charts, brands, collections,
displays, categories, prices and stock totals."""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from typing import Any

import strawberry
from sqlalchemy import Select, func, select
from strawberry.types import Info

from opencentra.api.graphql.attributes import Attribute, ObjectWithAttributes, product_attributes, variant_attributes
from opencentra.api.graphql.common import (
    DateTimeFilter,
    DateTimeTz,
    MonetaryValue,
    PageInfo,
    Status,
    StringFilter,
    apply_page,
    apply_sort,
    coerce_cursor_value,
    connection_window,
    decode_cursor,
    encode_cursor,
    input_error,
    keyset_condition,
    money,
    range_condition,
    status_of,
    string_condition,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.media import ProductMediaExtras
from opencentra.api.graphql.permissions import allowed, check
from opencentra.api.graphql.pim_extras import DisplayExtras, ProductExtras, VariantExtras
from opencentra.api.graphql.stores import Country, Market, Pricelist, Store, Warehouse, load_country, load_store, rows
from opencentra.api.graphql.translations import Localizable, ObjectWithTranslations
from opencentra.catalog import models
from opencentra.inventory.models import Stock
from opencentra.pricing.models import Price
from opencentra.stores import models as store_models


@strawberry.enum
class ProductStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


@strawberry.enum
class WeightUnit(enum.Enum):
    KILOGRAMS = "KILOGRAMS"
    POUNDS = "POUNDS"


@strawberry.type
class Weight:
    value: float
    unit: WeightUnit
    formatted_value: str


def weight_of(grams: int | None) -> Weight | None:
    if grams is None:
        return None
    kilograms = grams / 1000
    return Weight(value=kilograms, unit=WeightUnit.KILOGRAMS, formatted_value=f"{kilograms:g} kg")


@strawberry.type
class Brand:
    id: int
    name: str
    uri: str

    @classmethod
    def of(cls, row: models.Brand) -> Brand:
        return cls(id=row.id, name=row.name, uri=row.uri)


@strawberry.type
class Collection:
    id: int
    name: str
    uri: str
    status: Status = Status.ACTIVE

    @classmethod
    def of(cls, row: models.Collection) -> Collection:
        return cls(id=row.id, name=row.name, uri=row.uri)


@strawberry.type
class Size:
    id: int
    name: str
    _size_chart_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: models.Size) -> Size:
        return cls(id=row.id, name=row.name, _size_chart_id=row.size_chart_id)

    @strawberry.field
    async def size_chart(self, info: Info[Any, Any]) -> SizeChart:
        row = await info.context.loaders.one(models.SizeChart).load(self._size_chart_id)
        assert row is not None
        return SizeChart.of(row)


@strawberry.type
class SizeChart:
    id: int
    name: str
    divider_symbol: str

    @strawberry.field
    async def horizontal_labels(self, info: Info[Any, Any]) -> list[str]:
        loader = info.context.loaders.many(models.Size, models.Size.size_chart_id, models.Size.position)
        return [size.name for size in await loader.load(self.id)]

    @strawberry.field
    def vertical_labels(self) -> list[str]:
        return []

    @classmethod
    def of(cls, row: models.SizeChart) -> SizeChart:
        return cls(id=row.id, name=row.name, divider_symbol=row.divider_symbol)

    @strawberry.field
    async def sizes(self, info: Info[Any, Any]) -> list[Size]:
        loader = info.context.loaders.many(models.Size, models.Size.size_chart_id, models.Size.position)
        return [Size.of(r) for r in await loader.load(self.id)]


@strawberry.type
class MeasurementChart:
    id: int
    name: str
    unit: str
    horizontal_labels: list[str]
    vertical_labels: list[str]
    display_unit: str
    content_json: str = strawberry.field(name="contentJSON", description="{vertical label: {horizontal label: value}}")

    @classmethod
    def of(cls, row: models.MeasurementChart) -> MeasurementChart:
        rows, columns = list(row.row_names), list(row.column_names)
        cells = {r: {c: row.cells[r][c] for c in columns if c in row.cells[r]} for r in rows if r in row.cells}
        return cls(
            id=row.id,
            name=row.name,
            unit=row.unit,
            horizontal_labels=columns,
            vertical_labels=rows,
            display_unit=row.unit,
            content_json=json.dumps(cells, separators=(",", ":"), ensure_ascii=False),
        )


@strawberry.type
class MeasurementTable:
    """A product's measurement chart; OpenCentra does not inherit charts, so ``inherited`` is false."""

    inherited: bool
    chart: MeasurementChart | None


@strawberry.type
class ProductMedia(ProductMediaExtras):
    id: int
    url: str
    alt_text: str
    sort_order: int

    @classmethod
    def of(cls, row: models.Media) -> ProductMedia:
        return cls(id=row.id, url=row.url, alt_text=row.alt_text, sort_order=row.sort_order)


@strawberry.type
class StockTotals:
    """Stock summed over warehouses. OpenCentra keeps physical and allocated
    units; demand and incoming figures it does not track are 0."""

    physical_quantity: int
    allocated_quantity: int
    available_quantity: int
    unshipped_quantity: int
    demand_quantity: int = 0
    on_delivery_quantity: int = 0
    linked_incoming_quantity: int = 0
    unlinked_incoming_quantity: int = 0


def _totals(stock: Sequence[Stock]) -> StockTotals:
    physical = sum(s.physical for s in stock)
    allocated = sum(s.allocated for s in stock)
    return StockTotals(
        physical_quantity=physical,
        allocated_quantity=allocated,
        available_quantity=physical - allocated,
        unshipped_quantity=allocated,
    )


@strawberry.type
class WarehouseStock:
    """One size's stock in one warehouse."""

    physical_quantity: int
    allocated_quantity: int
    available_quantity: int
    _warehouse_id: strawberry.Private[int]

    @strawberry.field
    async def warehouse(self, info: Info[Any, Any]) -> Warehouse:
        row = await info.context.loaders.one(store_models.Warehouse).load(self._warehouse_id)
        assert row is not None
        return Warehouse.of(row)


def _stock_loader(info: Info[Any, Any]) -> Any:
    return info.context.loaders.many(Stock, Stock.product_size_id, Stock.warehouse_id)


@strawberry.type
class ProductSize:
    id: int
    EAN: str | None = strawberry.field(name="EAN")
    SKU: str = strawberry.field(name="SKU")
    size_number: str
    _size_id: strawberry.Private[int]
    _variant_id: strawberry.Private[int]

    @strawberry.field(name="GTIN")  # type: ignore[untyped-decorator]
    def gtin(self) -> str | None:
        """The same code as ``EAN`` (Centra's older name)."""
        return self.EAN

    @classmethod
    def of(cls, row: models.ProductSize) -> ProductSize:
        return cls(
            id=row.id, EAN=row.ean, SKU=row.sku, size_number=row.sku, _size_id=row.size_id, _variant_id=row.variant_id
        )

    @strawberry.field
    async def size(self, info: Info[Any, Any]) -> Size:
        row = await info.context.loaders.one(models.Size).load(self._size_id)
        assert row is not None
        return Size.of(row)

    @strawberry.field
    async def description(self, info: Info[Any, Any]) -> str:
        row = await info.context.loaders.one(models.Size).load(self._size_id)
        return row.name if row is not None else ""

    @strawberry.field
    async def weight(self, info: Info[Any, Any]) -> Weight | None:
        """The product's weight: OpenCentra keeps no weight per size."""
        variant = await info.context.loaders.variant.load(self._variant_id)
        product = None if variant is None else await info.context.loaders.product.load(variant.product_id)
        return None if product is None else weight_of(product.weight_grams)

    @strawberry.field
    async def product_variant(self, info: Info[Any, Any]) -> ProductVariant:
        row = await info.context.loaders.variant.load(self._variant_id)
        assert row is not None
        return ProductVariant.of(row)

    @strawberry.field
    async def preorder(self, info: Info[Any, Any]) -> bool:
        """Whether the variant is sold as a pre-order in a delivery window."""
        from opencentra.api.graphql.order_b2b_fields import size_is_preorder

        return await size_is_preorder(info, self._variant_id)

    @strawberry.field
    async def stock_totals(self, info: Info[Any, Any]) -> StockTotals | None:
        check(info, "ProductSize.stockTotals:read")
        return _totals(await _stock_loader(info).load(self.id))

    @strawberry.field
    async def warehouse_stock(self, info: Info[Any, Any]) -> list[WarehouseStock] | None:
        check(info, "ProductVariant.stock:read")
        return [
            WarehouseStock(
                physical_quantity=s.physical,
                allocated_quantity=s.allocated,
                available_quantity=s.physical - s.allocated,
                _warehouse_id=s.warehouse_id,
            )
            for s in await _stock_loader(info).load(self.id)
        ]


@strawberry.type
class ProductVariant(ObjectWithAttributes, VariantExtras, ObjectWithTranslations, Localizable):
    id: int
    name: str
    variant_number: str
    status: Status
    created_at: strawberry.Private[DateTimeTz]
    updated_at: strawberry.Private[DateTimeTz]
    created_at_field: DateTimeTz = date_field("created_at", name="createdAt")
    updated_at_field: DateTimeTz = date_field("updated_at", name="updatedAt")
    _product_id: strawberry.Private[int]
    internal_name: str | None = None

    @classmethod
    def of(cls, row: models.ProductVariant) -> ProductVariant:
        return cls(
            id=row.id,
            name=row.name,
            variant_number=row.variant_number,
            status=status_of(row.active),
            created_at=row.created_at,
            updated_at=row.updated_at,
            _product_id=row.product_id,
        )

    @strawberry.field
    async def product(self, info: Info[Any, Any]) -> Product:
        row = await info.context.loaders.product.load(self._product_id)
        assert row is not None
        return Product.of(row)

    @strawberry.field
    async def attributes(self, info: Info[Any, Any]) -> list[Attribute] | None:
        """Custom attribute values of this variant (needs Product.attributes:read)."""
        return await variant_attributes(info, self.id)

    @strawberry.field
    async def product_sizes(self, info: Info[Any, Any]) -> list[ProductSize]:
        loader = info.context.loaders.many(models.ProductSize, models.ProductSize.variant_id)
        return [ProductSize.of(r) for r in await loader.load(self.id)]

    @strawberry.field
    async def size_chart(self, info: Info[Any, Any]) -> SizeChart:
        product = await info.context.loaders.product.load(self._product_id)
        assert product is not None
        chart = await info.context.loaders.one(models.SizeChart).load(product.size_chart_id)
        assert chart is not None
        return SizeChart.of(chart)

    @strawberry.field
    async def stock_totals(self, info: Info[Any, Any]) -> StockTotals | None:
        check(info, "ProductVariant.stockTotals:read")
        sizes = await info.context.loaders.many(models.ProductSize, models.ProductSize.variant_id).load(self.id)
        stock = await _stock_loader(info).load_many([s.id for s in sizes])
        return _totals([row for rows_ in stock for row in rows_])

    @strawberry.field
    async def prices(self, info: Info[Any, Any]) -> list[VariantPrice] | None:
        check(info, "Price:read")
        loader = info.context.loaders.many(Price, Price.variant_id, Price.pricelist_id)
        return [VariantPrice.of(r) for r in await loader.load(self.id)]


@strawberry.type
class VariantPrice:
    """A variant's price in one pricelist."""

    _row: strawberry.Private[Price]

    @classmethod
    def of(cls, row: Price) -> VariantPrice:
        return cls(_row=row)

    @strawberry.field
    async def pricelist(self, info: Info[Any, Any]) -> Pricelist:
        row = await info.context.loaders.one(store_models.Pricelist).load(self._row.pricelist_id)
        assert row is not None
        return Pricelist.of(row)

    async def _money(self, info: Info[Any, Any], minor: int) -> MonetaryValue:
        pricelist = await info.context.loaders.one(store_models.Pricelist).load(self._row.pricelist_id)
        assert pricelist is not None
        currency = await info.context.loaders.currency.load(pricelist.currency_id)
        assert currency is not None
        return money(minor, currency.id, currency.decimal_digits)

    @strawberry.field
    async def price(self, info: Info[Any, Any]) -> MonetaryValue:
        return await self._money(info, self._row.price_minor)

    @strawberry.field
    async def price_before_discount(self, info: Info[Any, Any]) -> MonetaryValue | None:
        before = self._row.price_before_discount_minor
        return None if before is None else await self._money(info, before)


@strawberry.type
class Product(ObjectWithAttributes, ProductExtras, ObjectWithTranslations, Localizable):
    id: int
    name: str
    status: ProductStatus
    product_number: str
    harmonized_commodity_code: str
    harmonized_commodity_code_description: str
    created_at: strawberry.Private[DateTimeTz]
    updated_at: strawberry.Private[DateTimeTz]
    created_at_field: DateTimeTz = date_field("created_at", name="createdAt")
    updated_at_field: DateTimeTz = date_field("updated_at", name="updatedAt")
    _row: strawberry.Private[models.Product]

    @classmethod
    def of(cls, row: models.Product) -> Product:
        return cls(
            id=row.id,
            name=row.name,
            status=ProductStatus.ACTIVE if row.status == models.ProductStatus.ACTIVE else ProductStatus.INACTIVE,
            product_number=row.product_number,
            harmonized_commodity_code=row.harmonized_code,
            harmonized_commodity_code_description=row.harmonized_code_description,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _row=row,
        )

    @strawberry.field
    def weight(self) -> Weight | None:
        return weight_of(self._row.weight_grams)

    @strawberry.field
    async def country_of_origin(self, info: Info[Any, Any]) -> Country | None:
        return await load_country(info, self._row.country_of_origin)

    @strawberry.field
    async def brand(self, info: Info[Any, Any]) -> Brand | None:
        if self._row.brand_id is None:
            return None
        row = await info.context.loaders.one(models.Brand).load(self._row.brand_id)
        return Brand.of(row) if row is not None else None

    @strawberry.field
    async def collection(self, info: Info[Any, Any]) -> Collection | None:
        if self._row.collection_id is None:
            return None
        row = await info.context.loaders.one(models.Collection).load(self._row.collection_id)
        return Collection.of(row) if row is not None else None

    @strawberry.field
    async def size_chart(self, info: Info[Any, Any]) -> SizeChart:
        row = await info.context.loaders.one(models.SizeChart).load(self._row.size_chart_id)
        assert row is not None
        return SizeChart.of(row)

    @strawberry.field
    async def attributes(self, info: Info[Any, Any]) -> list[Attribute] | None:
        """Custom attribute values (needs Product.attributes:read)."""
        return await product_attributes(info, self.id)

    @strawberry.field
    async def measurement_table(self, info: Info[Any, Any]) -> MeasurementTable:
        chart_id = self._row.measurement_chart_id
        row = None if chart_id is None else await info.context.loaders.one(models.MeasurementChart).load(chart_id)
        return MeasurementTable(inherited=False, chart=MeasurementChart.of(row) if row is not None else None)

    @strawberry.field
    async def variants(self, info: Info[Any, Any], limit: int | None = None) -> list[ProductVariant]:
        loader = info.context.loaders.many(
            models.ProductVariant, models.ProductVariant.product_id, models.ProductVariant.sort_order
        )
        found = await loader.load(self.id)
        found = found if limit is None else found[: max(limit, 0)]
        return [ProductVariant.of(r) for r in found]

    @strawberry.field
    def internal_comment(self, info: Info[Any, Any]) -> str | None:
        return self._row.comment if allowed(info, "Product.InternalComment:read") else None

    @strawberry.field
    async def is_bundle(self, info: Info[Any, Any]) -> bool:
        from opencentra.api.graphql.bundles import product_is_bundle

        return await product_is_bundle(info, self.id)

    @strawberry.field
    def is_serializable_product(self) -> bool:
        return False

    @strawberry.field
    async def displays(self, info: Info[Any, Any]) -> list[Display]:
        check(info, "Display:read")
        found = await info.context.loaders.many(models.Display, models.Display.product_id).load(self.id)
        store_id = info.context.store_id
        return [Display.of(r) for r in found if store_id is None or r.store_id == store_id]


@strawberry.type
class Category(ObjectWithTranslations, Localizable):
    id: int
    name: str
    uri: str
    status: Status
    is_top_category: bool
    meta_title: str
    meta_description: str
    meta_keywords: str
    _store_id: strawberry.Private[int]
    _parent_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: models.Category) -> Category:
        return cls(
            id=row.id,
            name=row.name,
            uri=row.uri,
            status=status_of(row.active),
            is_top_category=row.parent_id is None,
            meta_title=row.meta_title,
            meta_description=row.meta_description,
            meta_keywords=row.meta_keywords,
            _store_id=row.store_id,
            _parent_id=row.parent_id,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field
    async def parent_category(self, info: Info[Any, Any]) -> Category | None:
        if self._parent_id is None:
            return None
        row = await info.context.loaders.one(models.Category).load(self._parent_id)
        return Category.of(row) if row is not None else None

    @strawberry.field
    async def child_categories(self, info: Info[Any, Any]) -> list[Category]:
        loader = info.context.loaders.many(models.Category, models.Category.parent_id, models.Category.sort_order)
        return [Category.of(r) for r in await loader.load(self.id)]


@strawberry.type
class Display(DisplayExtras, ObjectWithTranslations, Localizable):
    id: int
    name: str
    uri: str
    status: Status
    description: str
    short_description: str
    meta_title: str
    meta_description: str
    meta_keywords: str
    sort_order: int
    created_at: strawberry.Private[DateTimeTz]
    updated_at: strawberry.Private[DateTimeTz]
    created_at_field: DateTimeTz = date_field("created_at", name="createdAt")
    updated_at_field: DateTimeTz = date_field("updated_at", name="updatedAt")
    _store_id: strawberry.Private[int]
    _product_id: strawberry.Private[int]
    _canonical_category_id: strawberry.Private[int | None]

    @strawberry.field
    async def canonical_category(self, info: Info[Any, Any]) -> Category | None:
        if self._canonical_category_id is None:
            return None
        row = await info.context.loaders.one(models.Category).load(self._canonical_category_id)
        return Category.of(row) if row is not None else None

    @classmethod
    def of(cls, row: models.Display) -> Display:
        return cls(
            id=row.id,
            name=row.name,
            uri=row.uri,
            status=status_of(row.active),
            description=row.description,
            short_description=row.short_description,
            meta_title=row.meta_title,
            meta_description=row.meta_description,
            meta_keywords=row.meta_keywords,
            sort_order=row.sort_order,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _store_id=row.store_id,
            _product_id=row.product_id,
            _canonical_category_id=row.canonical_category_id,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field
    async def product(self, info: Info[Any, Any]) -> Product:
        row = await info.context.loaders.product.load(self._product_id)
        assert row is not None
        return Product.of(row)

    @strawberry.field
    async def media(self, info: Info[Any, Any]) -> list[ProductMedia]:
        """The product's media (OpenCentra keeps no separate display media)."""
        found = await info.context.loaders.many(models.Media, models.Media.product_id, models.Media.sort_order).load(
            self._product_id
        )
        return [ProductMedia.of(r) for r in found]

    @strawberry.field
    async def product_variants(self, info: Info[Any, Any]) -> list[ProductVariant]:
        found = await info.context.loaders.linked(
            models.DisplayItem.display_id, models.DisplayItem.variant_id, models.ProductVariant
        ).load(self.id)
        return [ProductVariant.of(r) for r in found]

    @strawberry.field
    async def markets(self, info: Info[Any, Any]) -> list[Market]:
        found = await info.context.loaders.linked(
            models.DisplayMarket.display_id, models.DisplayMarket.market_id, store_models.Market
        ).load(self.id)
        return [Market.of(r) for r in found]

    @strawberry.field
    async def categories(self, info: Info[Any, Any]) -> list[Category]:
        found = await info.context.loaders.linked(
            models.DisplayCategory.display_id, models.DisplayCategory.category_id, models.Category
        ).load(self.id)
        return [Category.of(r) for r in found]


# --- filters, sorts and root fields ----------------------------------------------------


@strawberry.enum
class ProductSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"
    updatedAt_ASC = "updatedAt_ASC"
    updatedAt_DESC = "updatedAt_DESC"
    createdAt_ASC = "createdAt_ASC"
    createdAt_DESC = "createdAt_DESC"


@strawberry.input
class ProductFilter:
    id: list[int] | None = None
    name: StringFilter | None = None
    product_number: StringFilter | None = None
    status: list[ProductStatus] | None = None
    brand_id: list[int] | None = None
    collection_id: list[int] | None = None
    updated_at: DateTimeFilter | None = None
    created_at: DateTimeFilter | None = None


def product_statement(where: ProductFilter | None) -> Select[Any]:
    statement = select(models.Product)
    if where is None:
        return statement
    p = models.Product
    if where.id is not None:
        statement = statement.where(p.id.in_(where.id))
    if where.status is not None:
        statement = statement.where(p.status.in_([s.value.lower() for s in where.status]))
    if where.brand_id is not None:
        statement = statement.where(p.brand_id.in_(where.brand_id))
    if where.collection_id is not None:
        statement = statement.where(p.collection_id.in_(where.collection_id))
    return statement.where(
        *string_condition(p.name, where.name),
        *string_condition(p.product_number, where.product_number),
        *range_condition(p.updated_at, where.updated_at),
        *range_condition(p.created_at, where.created_at),
    )


_PRODUCT_SORT = {
    "id": models.Product.id,
    "name": models.Product.name,
    "updatedAt": models.Product.updated_at,
    "createdAt": models.Product.created_at,
}


async def resolve_products(
    info: Info[Any, Any],
    where: ProductFilter | None = None,
    sort: list[ProductSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Product]:
    statement = apply_sort(product_statement(where), sort, _PRODUCT_SORT, models.Product.id)
    return [Product.of(r) for r in await rows(info.context, apply_page(statement, limit, page))]


async def resolve_product(info: Info[Any, Any], id: int) -> Product | None:
    row = await info.context.loaders.product.load(id)
    return Product.of(row) if row is not None else None


async def resolve_product_variant(info: Info[Any, Any], id: int) -> ProductVariant | None:
    row = await info.context.loaders.variant.load(id)
    return ProductVariant.of(row) if row is not None else None


@strawberry.input
class ProductVariantFilter:
    id: list[int] | None = None
    product_id: list[int] | None = None
    variant_number: StringFilter | None = None


async def resolve_product_variants(
    info: Info[Any, Any],
    where: ProductVariantFilter | None = None,
    sort: list[ProductSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[ProductVariant]:
    v = models.ProductVariant
    statement = select(v)
    if where is not None:
        if where.id is not None:
            statement = statement.where(v.id.in_(where.id))
        if where.product_id is not None:
            statement = statement.where(v.product_id.in_(where.product_id))
        statement = statement.where(*string_condition(v.variant_number, where.variant_number))
    columns = {"id": v.id, "name": v.name, "updatedAt": v.updated_at, "createdAt": v.created_at}
    statement = apply_page(apply_sort(statement, sort, columns, v.id), limit, page)
    return [ProductVariant.of(r) for r in await rows(info.context, statement)]


@strawberry.input
class ProductSizeFilter:
    id: list[int] | None = None
    EAN: list[str] | None = strawberry.field(name="EAN", default=None)
    product_variant_id: list[int] | None = None


async def resolve_product_sizes(
    info: Info[Any, Any], where: ProductSizeFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[ProductSize]:
    s = models.ProductSize
    statement = select(s)
    if where is not None:
        if where.id is not None:
            statement = statement.where(s.id.in_(where.id))
        if where.EAN is not None:
            statement = statement.where(s.ean.in_(where.EAN))
        if where.product_variant_id is not None:
            statement = statement.where(s.variant_id.in_(where.product_variant_id))
    statement = apply_page(statement.order_by(s.id), limit, page)
    return [ProductSize.of(r) for r in await rows(info.context, statement)]


@strawberry.input
class NameFilter:
    id: list[int] | None = None
    name: StringFilter | None = None


@strawberry.enum
class NameSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


async def _named(
    info: Info[Any, Any],
    model: Any,
    where: NameFilter | None,
    sort: list[NameSort] | None,
    limit: int | None,
    page: int | None,
) -> list[Any]:
    statement = select(model)
    if where is not None:
        if where.id is not None:
            statement = statement.where(model.id.in_(where.id))
        statement = statement.where(*string_condition(model.name, where.name))
    statement = apply_sort(statement, sort, {"id": model.id, "name": model.name}, model.id)
    return await rows(info.context, apply_page(statement, limit, page))


async def resolve_brands(
    info: Info[Any, Any],
    where: NameFilter | None = None,
    sort: list[NameSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Brand]:
    return [Brand.of(r) for r in await _named(info, models.Brand, where, sort, limit, page)]


async def resolve_collections(
    info: Info[Any, Any],
    where: NameFilter | None = None,
    sort: list[NameSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Collection]:
    return [Collection.of(r) for r in await _named(info, models.Collection, where, sort, limit, page)]


async def resolve_size_charts(
    info: Info[Any, Any],
    where: NameFilter | None = None,
    sort: list[NameSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[SizeChart]:
    return [SizeChart.of(r) for r in await _named(info, models.SizeChart, where, sort, limit, page)]


@strawberry.input
class CategoryFilter:
    id: list[int] | None = None
    store_id: int | None = None
    is_top_category: bool | None = None
    name: StringFilter | None = None


async def resolve_categories(
    info: Info[Any, Any],
    where: CategoryFilter | None = None,
    sort: list[NameSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Category]:
    c = models.Category
    context: GraphQLContext = info.context
    statement = select(c)
    if context.store_id is not None:
        statement = statement.where(c.store_id == context.store_id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(c.id.in_(where.id))
        if where.store_id is not None:
            statement = statement.where(c.store_id == where.store_id)
        if where.is_top_category is not None:
            statement = statement.where(c.parent_id.is_(None) if where.is_top_category else c.parent_id.is_not(None))
        statement = statement.where(*string_condition(c.name, where.name))
    statement = apply_sort(statement, sort, {"id": c.id, "name": c.name}, c.id)
    return [Category.of(r) for r in await rows(context, apply_page(statement, limit, page))]


@strawberry.enum
class DisplaySort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"
    updatedAt_ASC = "updatedAt_ASC"
    updatedAt_DESC = "updatedAt_DESC"


@strawberry.input
class DisplayFilter:
    id: list[int] | None = None
    store_id: int | None = None
    market_id: list[int] | None = None
    product_id: list[int] | None = None
    name: StringFilter | None = None
    status: list[Status] | None = None
    updated_at: DateTimeFilter | None = None


_DISPLAY_SORT = {
    "id": models.Display.id,
    "name": models.Display.name,
    "updatedAt": models.Display.updated_at,
}


def display_statement(context: GraphQLContext, where: DisplayFilter | None) -> Select[Any]:
    d = models.Display
    statement = select(d)
    if context.store_id is not None:
        statement = statement.where(d.store_id == context.store_id)
    if where is None:
        return statement
    if where.id is not None:
        statement = statement.where(d.id.in_(where.id))
    if where.store_id is not None:
        statement = statement.where(d.store_id == where.store_id)
    if where.product_id is not None:
        statement = statement.where(d.product_id.in_(where.product_id))
    if where.market_id is not None:
        in_market = select(models.DisplayMarket.display_id).where(models.DisplayMarket.market_id.in_(where.market_id))
        statement = statement.where(d.id.in_(in_market))
    if where.status is not None:
        statement = statement.where(d.active.in_([s == Status.ACTIVE for s in where.status]))
    return statement.where(*string_condition(d.name, where.name), *range_condition(d.updated_at, where.updated_at))


async def resolve_displays(
    info: Info[Any, Any],
    where: DisplayFilter | None = None,
    sort: list[DisplaySort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Display]:
    statement = apply_sort(display_statement(info.context, where), sort, _DISPLAY_SORT, models.Display.id)
    return [Display.of(r) for r in await rows(info.context, apply_page(statement, limit, page))]


async def resolve_display(info: Info[Any, Any], id: int) -> Display | None:
    row = await info.context.loaders.one(models.Display).load(id)
    if row is None or (info.context.store_id is not None and row.store_id != info.context.store_id):
        return None
    return Display.of(row)


@strawberry.type
class DisplayEdge:
    node: Display
    cursor: str


@strawberry.type
class DisplayConnection:
    total_count: int
    page_info: PageInfo
    edges: list[DisplayEdge]

    @strawberry.field
    def nodes(self) -> list[Display]:
        return [edge.node for edge in self.edges]


_CONNECTION_SORT = {"id": models.Display.id, "updatedAt": models.Display.updated_at}


def _display_cursor(field: str, row: models.Display) -> str:
    value = row.id if field == "id" else row.updated_at.isoformat()
    return encode_cursor(field, value, row.id)


async def resolve_display_connection(
    info: Info[Any, Any],
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    where: DisplayFilter | None = None,
    sort: list[DisplaySort] | None = None,
) -> DisplayConnection:
    """Displays with cursors (``id:<n>`` or ``updatedAt:<iso>|<id>``); sorted by id unless told."""
    context: GraphQLContext = info.context
    size, from_end = connection_window(first, last)
    field, _, direction = (sort[0].value if sort else "id_ASC").rpartition("_")
    if field not in _CONNECTION_SORT:
        raise input_error("displayConnection sorts by id or updatedAt", "sort")
    descending = direction == "DESC"
    column, tiebreak = _CONNECTION_SORT[field], models.Display.id
    base = display_statement(context, where)
    statement = base
    for cursor, is_after in ((after, True), (before, False)):
        if cursor is None:
            continue
        name = "after" if is_after else "before"
        cursor_field, raw, row_id = decode_cursor(cursor, name)
        if cursor_field != field:
            raise input_error(f"{name} was issued for another sort order", name)
        value = coerce_cursor_value(field, raw, name)
        statement = statement.where(
            keyset_condition(column, tiebreak, value, row_id, after=is_after, descending=descending)
        )
    ascending = descending == from_end
    order: list[Any] = [column.asc(), tiebreak.asc()] if ascending else [column.desc(), tiebreak.desc()]
    found = await rows(context, statement.order_by(*order).limit(size + 1))
    more = len(found) > size
    found = found[:size]
    if from_end:
        found.reverse()
    async with context.read() as session:
        total = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    edges = [DisplayEdge(node=Display.of(row), cursor=_display_cursor(field, row)) for row in found]
    page_info = PageInfo(
        has_next_page=more if not from_end else before is not None,
        has_previous_page=more if from_end else after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return DisplayConnection(total_count=total, page_info=page_info, edges=edges)


async def count_products(context: GraphQLContext, where: ProductFilter | None) -> int:
    statement = select(func.count()).select_from(product_statement(where).subquery())
    async with context.read() as session:
        return int(await session.scalar(statement) or 0)
