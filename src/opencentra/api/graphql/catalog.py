"""Catalogue and PIM types: products, variants, sizes, size charts, brands, collections,
displays, categories, folders, prices and stock totals, and their root fields.

The types point at each other (a product lists its displays, a display
names its product), so they live in this one module; what they show comes
from the catalogue's read views through the request's dataloaders. Fields
that belong to other concepts are resolver functions of their own modules
(``attributes``, ``translations``, ``media``), attached here.
"""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import catalog, inventory, pricing, stores, wholesale
from opencentra.api.graphql.attributes import Attribute, ObjectWithAttributes, product_attributes, variant_attributes
from opencentra.api.graphql.common import (
    DateTimeFilter,
    DateTimeTz,
    MonetaryValue,
    PageInfo,
    Status,
    StringFilter,
    coerce_cursor_value,
    connection_window,
    decode_cursor,
    encode_cursor,
    input_error,
    money,
    page_window,
    status_of,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.listing import between, sort_key, sort_keys, text_match, window
from opencentra.api.graphql.media import ProductMedia
from opencentra.api.graphql.permissions import allowed, check
from opencentra.api.graphql.sorting import BrandSort, CategorySort, CollectionSort, ProductVariantSort, SizeChartSort
from opencentra.api.graphql.stores import (
    Country,
    Market,
    Pricelist,
    Store,
    Warehouse,
    load_country,
    load_pricelist,
    load_store,
)
from opencentra.api.graphql.translations import Localizable, ObjectWithTranslations


@strawberry.enum
class ProductStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


def product_status(value: catalog.ProductStatus) -> ProductStatus:
    return ProductStatus.ACTIVE if value == catalog.ProductStatus.ACTIVE else ProductStatus.INACTIVE


def domain_status(value: ProductStatus | Status) -> catalog.ProductStatus:
    return catalog.ProductStatus.ACTIVE if value.value == "ACTIVE" else catalog.ProductStatus.INACTIVE


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


# --- request loaders of what the types point at -------------------------------------------------


async def _product(info: Info[Any, Any], product_id: int) -> catalog.ProductView:
    found: catalog.ProductView | None = await info.context.loaders.product.load(product_id)
    assert found is not None
    return found


async def _variant(info: Info[Any, Any], variant_id: int) -> catalog.VariantView:
    found: catalog.VariantView | None = await info.context.loaders.variant.load(variant_id)
    assert found is not None
    return found


async def _size_chart(info: Info[Any, Any], chart_id: int) -> SizeChart:
    found = await info.context.loaders.keyed("size_charts", catalog.size_charts_by_id).load(chart_id)
    assert found is not None
    return SizeChart.of(found)


async def _category(info: Info[Any, Any], category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    found = await info.context.loaders.keyed("categories", catalog.categories_by_id).load(category_id)
    return None if found is None else Category.of(found)


async def _sizes_of_variant(info: Info[Any, Any], variant_id: int) -> list[catalog.ProductSizeView]:
    found: list[catalog.ProductSizeView] = await info.context.loaders.grouped(
        "sizes_of_variants", catalog.sizes_of_variants
    ).load(variant_id)
    return found


async def _stock(info: Info[Any, Any], product_size_ids: list[int]) -> list[inventory.StockLevel]:
    loader = info.context.loaders.grouped("stock_of_sizes", inventory.stock_of_sizes)
    return [level for levels in await loader.load_many(product_size_ids) for level in levels]


async def _price_money(info: Info[Any, Any], price: pricing.VariantPriceView, minor: int) -> MonetaryValue:
    currency = await info.context.loaders.currency.load(price.currency_id)
    assert currency is not None
    return money(minor, currency.id, currency.decimal_digits)


def _visible(info: Info[Any, Any], store_id: int) -> bool:
    """Whether the token may see an object of ``store_id`` (a store-restricted token sees its store's only)."""
    context: GraphQLContext = info.context
    return context.store_id is None or context.store_id == store_id


# --- brands, collections, sizes and charts ------------------------------------------------------


@strawberry.type
class Brand:
    id: int
    name: str
    uri: str

    @classmethod
    def of(cls, view: catalog.BrandView) -> Brand:
        return cls(id=view.id, name=view.name, uri=view.uri)


@strawberry.type
class Collection:
    id: int
    name: str
    uri: str
    status: Status = Status.ACTIVE

    @classmethod
    def of(cls, view: catalog.CollectionView) -> Collection:
        return cls(id=view.id, name=view.name, uri=view.uri)


@strawberry.type
class Size:
    id: int
    name: str
    _size_chart_id: strawberry.Private[int]

    @classmethod
    def of(cls, view: catalog.SizeView) -> Size:
        return cls(id=view.id, name=view.name, _size_chart_id=view.size_chart_id)

    @strawberry.field
    async def size_chart(self, info: Info[Any, Any]) -> SizeChart:
        return await _size_chart(info, self._size_chart_id)


@strawberry.type
class SizeChart:
    id: int
    name: str
    divider_symbol: str

    async def _sizes(self, info: Info[Any, Any]) -> list[catalog.SizeView]:
        found: list[catalog.SizeView] = await info.context.loaders.grouped(
            "sizes_of_charts", catalog.sizes_of_charts
        ).load(self.id)
        return found

    @strawberry.field
    async def horizontal_labels(self, info: Info[Any, Any]) -> list[str]:
        return [size.name for size in await self._sizes(info)]

    @strawberry.field
    def vertical_labels(self) -> list[str]:
        return []

    @classmethod
    def of(cls, view: catalog.SizeChartView) -> SizeChart:
        return cls(id=view.id, name=view.name, divider_symbol=view.divider_symbol)

    @strawberry.field
    async def sizes(self, info: Info[Any, Any]) -> list[Size]:
        return [Size.of(size) for size in await self._sizes(info)]


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
    def of(cls, view: catalog.MeasurementChartView) -> MeasurementChart:
        rows, columns = list(view.row_names), list(view.column_names)
        cells = {r: {c: view.cells[r][c] for c in columns if c in view.cells[r]} for r in rows if r in view.cells}
        return cls(
            id=view.id,
            name=view.name,
            unit=view.unit,
            horizontal_labels=columns,
            vertical_labels=rows,
            display_unit=view.unit,
            content_json=json.dumps(cells, separators=(",", ":"), ensure_ascii=False),
        )


@strawberry.type
class MeasurementTable:
    """A product's measurement chart; OpenCentra does not inherit charts, so ``inherited`` is false."""

    inherited: bool
    chart: MeasurementChart | None


# --- stock and prices ----------------------------------------------------------------------------


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


def _totals(stock: Sequence[inventory.StockLevel]) -> StockTotals:
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
        found = await info.context.loaders.keyed("warehouses", stores.warehouses_by_id).load(self._warehouse_id)
        assert found is not None
        return Warehouse.of(found)


@strawberry.type
class VariantPrice:
    """A variant's price in one pricelist."""

    _price: strawberry.Private[pricing.VariantPriceView]

    @classmethod
    def of(cls, view: pricing.VariantPriceView) -> VariantPrice:
        return cls(_price=view)

    @strawberry.field
    async def pricelist(self, info: Info[Any, Any]) -> Pricelist:
        return await load_pricelist(info, self._price.pricelist_id)

    @strawberry.field
    async def price(self, info: Info[Any, Any]) -> MonetaryValue:
        return await _price_money(info, self._price, self._price.price_minor)

    @strawberry.field
    async def price_before_discount(self, info: Info[Any, Any]) -> MonetaryValue | None:
        before = self._price.price_before_discount_minor
        return None if before is None else await _price_money(info, self._price, before)


@strawberry.type(description="A display's price in one pricelist: the price of its first variant priced there.")
class DisplayPrice:
    id: int
    _price: strawberry.Private[pricing.VariantPriceView]

    @strawberry.field
    async def pricelist(self, info: Info[Any, Any]) -> Pricelist:
        return await load_pricelist(info, self._price.pricelist_id)

    @strawberry.field
    async def price(self, info: Info[Any, Any]) -> MonetaryValue:
        return await _price_money(info, self._price, self._price.price_minor)

    @strawberry.field
    async def price_before_discount(self, info: Info[Any, Any]) -> MonetaryValue | None:
        before = self._price.price_before_discount_minor
        return None if before is None else await _price_money(info, self._price, before)


async def _campaign_variant(root: CampaignVariant, info: Info[Any, Any]) -> ProductVariant | None:
    found = await info.context.loaders.variant.load(root._variant_id)
    return None if found is None else ProductVariant.of(found)


async def _campaign_pricelist(root: CampaignVariant, info: Info[Any, Any]) -> Pricelist | None:
    if root._pricelist_id is None:
        return None
    found = await info.context.loaders.keyed("pricelists", stores.pricelists_by_id).load(root._pricelist_id)
    return None if found is None else Pricelist.of(found)


@strawberry.type
class CampaignVariant:
    id: int
    discount_percent: float
    _variant_id: strawberry.Private[int]
    _pricelist_id: strawberry.Private[int | None]
    product_variant: ProductVariant | None = strawberry.field(resolver=_campaign_variant)
    pricelist: Pricelist | None = strawberry.field(
        resolver=_campaign_pricelist, description="Null: the discount applies in every pricelist."
    )

    @classmethod
    def of(cls, view: pricing.CampaignVariantView) -> CampaignVariant:
        return cls(
            id=view.id,
            discount_percent=view.discount_bp / 100,
            _variant_id=view.variant_id,
            _pricelist_id=view.pricelist_id,
        )


# --- sizes, variants, products -------------------------------------------------------------------


@strawberry.type
class ProductSize:
    id: int
    EAN: str | None = strawberry.field(name="EAN")
    SKU: str = strawberry.field(name="SKU")
    size_number: str
    _size_id: strawberry.Private[int]
    _variant_id: strawberry.Private[int]

    def _gtin(self) -> str | None:
        """The same code as ``EAN`` (Centra's older name)."""
        return self.EAN

    gtin: str | None = strawberry.field(resolver=_gtin, name="GTIN")

    @classmethod
    def of(cls, view: catalog.ProductSizeView) -> ProductSize:
        return cls(
            id=view.id,
            EAN=view.ean,
            SKU=view.sku,
            size_number=view.sku,
            _size_id=view.size_id,
            _variant_id=view.variant_id,
        )

    async def _size(self, info: Info[Any, Any]) -> catalog.SizeView | None:
        found: catalog.SizeView | None = await info.context.loaders.keyed("sizes", catalog.sizes_by_id).load(
            self._size_id
        )
        return found

    @strawberry.field
    async def size(self, info: Info[Any, Any]) -> Size:
        found = await self._size(info)
        assert found is not None
        return Size.of(found)

    @strawberry.field
    async def description(self, info: Info[Any, Any]) -> str:
        found = await self._size(info)
        return found.name if found is not None else ""

    @strawberry.field
    async def weight(self, info: Info[Any, Any]) -> Weight | None:
        """The product's weight: OpenCentra keeps no weight per size."""
        variant = await info.context.loaders.variant.load(self._variant_id)
        product = None if variant is None else await info.context.loaders.product.load(variant.product_id)
        return None if product is None else weight_of(product.weight_grams)

    @strawberry.field
    async def product_variant(self, info: Info[Any, Any]) -> ProductVariant:
        return ProductVariant.of(await _variant(info, self._variant_id))

    @strawberry.field
    async def preorder(self, info: Info[Any, Any]) -> bool:
        """Whether the variant is sold as a pre-order in a delivery window."""
        found = await info.context.loaders.keyed("variants_on_preorder", wholesale.variants_on_preorder).load(
            self._variant_id
        )
        return bool(found)

    @strawberry.field
    async def stock_totals(self, info: Info[Any, Any]) -> StockTotals | None:
        check(info, "ProductSize.stockTotals:read")
        return _totals(await _stock(info, [self.id]))

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
            for s in await _stock(info, [self.id])
        ]


async def _unit_cost(root: ProductVariant, info: Info[Any, Any]) -> MonetaryValue | None:
    found = await info.context.loaders.keyed("unit_costs", catalog.unit_costs_of_variants).load(root.id)
    if found is None:
        return None
    currency = await info.context.loaders.currency.load(found.currency_id)
    return money(found.amount_minor, found.currency_id, currency.decimal_digits if currency is not None else 2)


@strawberry.type
class _VariantUnitCost:
    """``ProductVariant.unitCost``, which Centra lists before the translations (see ``_ProductFolderAndMedia``)."""

    unit_cost: MonetaryValue | None = strawberry.field(
        resolver=_unit_cost, description="What one unit costs the brand, or null when not set."
    )


@strawberry.type
class ProductVariant(ObjectWithAttributes, _VariantUnitCost, ObjectWithTranslations, Localizable):
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
    def of(cls, view: catalog.VariantView) -> ProductVariant:
        return cls(
            id=view.id,
            name=view.name,
            variant_number=view.variant_number,
            status=status_of(view.active),
            created_at=view.created_at,
            updated_at=view.updated_at,
            _product_id=view.product_id,
        )

    @strawberry.field
    async def product(self, info: Info[Any, Any]) -> Product:
        return Product.of(await _product(info, self._product_id))

    @strawberry.field
    async def attributes(self, info: Info[Any, Any]) -> list[Attribute] | None:
        """Custom attribute values of this variant (needs Product.attributes:read)."""
        return await variant_attributes(self, info)

    @strawberry.field
    async def product_sizes(self, info: Info[Any, Any]) -> list[ProductSize]:
        return [ProductSize.of(size) for size in await _sizes_of_variant(info, self.id)]

    @strawberry.field
    async def size_chart(self, info: Info[Any, Any]) -> SizeChart:
        product = await _product(info, self._product_id)
        return await _size_chart(info, product.size_chart_id)

    @strawberry.field
    async def stock_totals(self, info: Info[Any, Any]) -> StockTotals | None:
        check(info, "ProductVariant.stockTotals:read")
        sizes = await _sizes_of_variant(info, self.id)
        return _totals(await _stock(info, [size.id for size in sizes]))

    @strawberry.field
    async def prices(self, info: Info[Any, Any]) -> list[VariantPrice] | None:
        check(info, "Price:read")
        found = await info.context.loaders.grouped("variant_prices", pricing.prices_of_variants).load(self.id)
        return [VariantPrice.of(price) for price in found]


@strawberry.enum
class ProductMediaSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    sortOrder_ASC = "sortOrder_ASC"
    sortOrder_DESC = "sortOrder_DESC"


def _media_key(sort: ProductMediaSort) -> Any:
    if sort in (ProductMediaSort.id_ASC, ProductMediaSort.id_DESC):
        return lambda media: media.id
    return lambda media: (media.sort_order, media.id)


async def _media_of_product(info: Info[Any, Any], product_id: int) -> list[catalog.MediaView]:
    found: list[catalog.MediaView] = await info.context.loaders.grouped(
        "media_of_products", catalog.media_of_products
    ).load(product_id)
    return found


async def _product_folder(root: Product, info: Info[Any, Any]) -> Folder | None:
    check(info, "Product.Folder:read")
    folder_id = await info.context.loaders.keyed("product_folders", catalog.folder_ids_of_products).load(root.id)
    if folder_id is None:
        return None
    found = await info.context.loaders.keyed("folders", catalog.folders_by_id).load(folder_id)
    return None if found is None else Folder.of(found)


async def _product_media(
    root: Product,
    info: Info[Any, Any],
    sort: list[ProductMediaSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[ProductMedia]:
    found = list(await _media_of_product(info, root.id))
    for order in reversed(sort or []):
        found.sort(key=_media_key(order), reverse=order.value.endswith("_DESC"))
    if limit is not None or page is not None:
        size, offset = page_window(limit, page)
        found = found[offset : offset + size]
    return [ProductMedia.of(media) for media in found]


@strawberry.type
class _ProductFolderAndMedia:
    """``Product.folder`` and ``Product.media``, which Centra lists between the attributes and the
    translations; a base of their own keeps them there (inherited fields come first, in base order)."""

    folder: Folder | None = strawberry.field(
        resolver=_product_folder, description="The folder the product is filed in (needs Product.Folder:read)."
    )
    media: list[ProductMedia] = strawberry.field(
        resolver=_product_media, description="The product's media, in display order unless sorted."
    )


@strawberry.type
class Product(ObjectWithAttributes, _ProductFolderAndMedia, ObjectWithTranslations, Localizable):
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
    _view: strawberry.Private[catalog.ProductView]

    @classmethod
    def of(cls, view: catalog.ProductView) -> Product:
        return cls(
            id=view.id,
            name=view.name,
            status=product_status(view.status),
            product_number=view.product_number,
            harmonized_commodity_code=view.harmonized_code,
            harmonized_commodity_code_description=view.harmonized_code_description,
            created_at=view.created_at,
            updated_at=view.updated_at,
            _view=view,
        )

    @strawberry.field
    def weight(self) -> Weight | None:
        return weight_of(self._view.weight_grams)

    @strawberry.field
    async def country_of_origin(self, info: Info[Any, Any]) -> Country | None:
        return await load_country(info, self._view.country_of_origin)

    @strawberry.field
    async def brand(self, info: Info[Any, Any]) -> Brand | None:
        if self._view.brand_id is None:
            return None
        found = await info.context.loaders.keyed("brands", catalog.brands_by_id).load(self._view.brand_id)
        return None if found is None else Brand.of(found)

    @strawberry.field
    async def collection(self, info: Info[Any, Any]) -> Collection | None:
        if self._view.collection_id is None:
            return None
        found = await info.context.loaders.keyed("collections", catalog.collections_by_id).load(
            self._view.collection_id
        )
        return None if found is None else Collection.of(found)

    @strawberry.field
    async def size_chart(self, info: Info[Any, Any]) -> SizeChart:
        return await _size_chart(info, self._view.size_chart_id)

    @strawberry.field
    async def attributes(self, info: Info[Any, Any]) -> list[Attribute] | None:
        """Custom attribute values (needs Product.attributes:read)."""
        return await product_attributes(self, info)

    @strawberry.field
    async def measurement_table(self, info: Info[Any, Any]) -> MeasurementTable:
        chart_id = self._view.measurement_chart_id
        loader = info.context.loaders.keyed("measurement_charts", catalog.measurement_charts_by_id)
        found = None if chart_id is None else await loader.load(chart_id)
        return MeasurementTable(inherited=False, chart=MeasurementChart.of(found) if found is not None else None)

    @strawberry.field
    async def variants(self, info: Info[Any, Any], limit: int | None = None) -> list[ProductVariant]:
        loader = info.context.loaders.grouped("variants_of_products", catalog.variants_of_products)
        found: list[catalog.VariantView] = await loader.load(self.id)
        found = found if limit is None else found[: max(limit, 0)]
        return [ProductVariant.of(variant) for variant in found]

    @strawberry.field
    def internal_comment(self, info: Info[Any, Any]) -> str | None:
        return self._view.comment if allowed(info, "Product.InternalComment:read") else None

    @strawberry.field
    async def is_bundle(self, info: Info[Any, Any]) -> bool:
        found = await info.context.loaders.keyed("products_are_bundles", catalog.products_are_bundles).load(self.id)
        return bool(found)

    @strawberry.field
    def is_serializable_product(self) -> bool:
        return False

    @strawberry.field
    async def displays(self, info: Info[Any, Any]) -> list[Display]:
        check(info, "Display:read")
        loader = info.context.loaders.grouped("displays_of_products", catalog.displays_of_products)
        found: list[catalog.DisplayView] = await loader.load(self.id)
        return [Display.of(display) for display in found if _visible(info, display.store_id)]


# --- folders -----------------------------------------------------------------------------------


async def _parent_folder(root: Folder, info: Info[Any, Any]) -> Folder | None:
    if root._parent_id is None:
        return None
    found = await info.context.loaders.keyed("folders", catalog.folders_by_id).load(root._parent_id)
    return None if found is None else Folder.of(found)


async def _child_folders(root: Folder, info: Info[Any, Any]) -> list[Folder]:
    found = await info.context.loaders.grouped("child_folders", catalog.child_folders).load(root.id)
    return [Folder.of(folder) for folder in found]


async def _folder_products(root: Folder, info: Info[Any, Any]) -> list[Product]:
    check(info, "Folder.Product:read")
    found = await info.context.loaders.grouped("products_in_folders", catalog.products_in_folders).load(root.id)
    return [Product.of(product) for product in found]


@strawberry.type(description="A back-office folder products are filed in.")
class Folder:
    id: int
    name: str
    is_top_folder: bool
    _parent_id: strawberry.Private[int | None]
    parent_folder: Folder | None = strawberry.field(resolver=_parent_folder)
    child_folders: list[Folder] = strawberry.field(resolver=_child_folders)
    products: list[Product] = strawberry.field(
        resolver=_folder_products, description="The products filed in this folder (needs Folder.Product:read)."
    )

    @classmethod
    def of(cls, view: catalog.FolderView) -> Folder:
        return cls(id=view.id, name=view.name, is_top_folder=view.parent_id is None, _parent_id=view.parent_id)


# --- categories and displays -------------------------------------------------------------------


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
    def of(cls, view: catalog.CategoryView) -> Category:
        return cls(
            id=view.id,
            name=view.name,
            uri=view.uri,
            status=status_of(view.active),
            is_top_category=view.parent_id is None,
            meta_title=view.meta_title,
            meta_description=view.meta_description,
            meta_keywords=view.meta_keywords,
            _store_id=view.store_id,
            _parent_id=view.parent_id,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field
    async def parent_category(self, info: Info[Any, Any]) -> Category | None:
        return await _category(info, self._parent_id)

    @strawberry.field
    async def child_categories(self, info: Info[Any, Any]) -> list[Category]:
        found = await info.context.loaders.grouped("child_categories", catalog.child_categories).load(self.id)
        return [Category.of(category) for category in found]


@strawberry.type(description="A variant activated on a display (the Checkout API's product id).")
class DisplayItem:
    id: int
    _display_id: strawberry.Private[int]
    _variant_id: strawberry.Private[int]

    @strawberry.field
    async def product_variant(self, info: Info[Any, Any]) -> ProductVariant:
        return ProductVariant.of(await _variant(info, self._variant_id))

    @strawberry.field
    async def display(self, info: Info[Any, Any]) -> Display:
        found = await info.context.loaders.display.load(self._display_id)
        assert found is not None
        return Display.of(found)


@strawberry.type
class TaxGroup:
    id: int
    name: str


async def _display_items(root: Display, info: Info[Any, Any]) -> list[DisplayItem]:
    found = await info.context.loaders.grouped("items_of_displays", catalog.items_of_displays).load(root.id)
    return [DisplayItem(id=item.id, _display_id=item.display_id, _variant_id=item.variant_id) for item in found]


async def _related(root: Display, info: Info[Any, Any]) -> list[Display]:
    found = await info.context.loaders.grouped("related_displays", catalog.related_displays).load(root.id)
    return [Display.of(display) for display in found]


async def _tax_group(root: Display, info: Info[Any, Any]) -> TaxGroup | None:
    product = await _product(info, root._product_id)
    if product.tax_group_id is None:
        return None
    name = await info.context.loaders.keyed("tax_group_names", catalog.tax_group_names).load(product.tax_group_id)
    return None if name is None else TaxGroup(id=product.tax_group_id, name=name)


async def _minimum_order_quantity(root: Display, info: Info[Any, Any]) -> int:
    return (await _product(info, root._product_id)).item_quantity_minimum


async def _order_quantity_denominator(root: Display, info: Info[Any, Any]) -> int:
    return (await _product(info, root._product_id)).item_quantity_multiple_of


def _no_tags() -> list[str]:
    return []


def _no_comment() -> str | None:
    return None


async def _campaign_variants(root: Display, info: Info[Any, Any]) -> list[CampaignVariant]:
    check(info, "Campaign:read")
    items = await info.context.loaders.grouped("items_of_displays", catalog.items_of_displays).load(root.id)
    loader = info.context.loaders.grouped("campaign_variants", pricing.campaign_variants_of_variants)
    found = await loader.load_many([item.variant_id for item in sorted(items, key=lambda item: item.id)])
    return [CampaignVariant.of(row) for rows in found for row in rows if row.store_id == root._store_id]


async def _display_prices(root: Display, info: Info[Any, Any]) -> list[DisplayPrice]:
    check(info, "Price:read")
    variants = await info.context.loaders.grouped("variants_of_displays", catalog.variants_of_displays).load(root.id)
    ordered = sorted(variants, key=lambda v: (v.sort_order, v.id))
    prices = await info.context.loaders.grouped("variant_prices", pricing.prices_of_variants).load_many(
        [v.id for v in ordered]
    )
    chosen: dict[int, pricing.VariantPriceView] = {}
    for variant_prices in prices:
        for price in variant_prices:
            chosen.setdefault(price.pricelist_id, price)
    return [
        DisplayPrice(id=price.id, _price=price) for _, price in sorted(chosen.items()) if _visible(info, price.store_id)
    ]


@strawberry.type
class _DisplaySelling:
    """What a display sells and how (items, related displays, tax, quantities, campaigns, prices), which
    Centra lists before the translations (see ``_ProductFolderAndMedia``)."""

    display_items: list[DisplayItem] = strawberry.field(resolver=_display_items)
    related: list[Display] = strawberry.field(
        resolver=_related, description="Displays this one links to (Centra's related products), in their order."
    )
    tax_group: TaxGroup | None = strawberry.field(resolver=_tax_group, description="The product's tax group.")
    minimum_order_quantity: int = strawberry.field(
        resolver=_minimum_order_quantity,
        description="The product's minimum order quantity (OpenCentra keeps it per product).",
    )
    order_quantity_denominator: int = strawberry.field(
        resolver=_order_quantity_denominator,
        description="The product's order multiple (OpenCentra keeps it per product).",
    )
    tags: list[str] = strawberry.field(resolver=_no_tags, description="OpenCentra keeps no display tags: always empty.")
    comment: str | None = strawberry.field(
        resolver=_no_comment, description="OpenCentra keeps no display comment: always null."
    )
    campaign_variants: list[CampaignVariant] = strawberry.field(
        resolver=_campaign_variants,
        description="Campaign discounts of the display's variants in its store (needs Campaign:read).",
    )
    prices: list[DisplayPrice] = strawberry.field(
        resolver=_display_prices, description="One price per pricelist (needs Price:read)."
    )


@strawberry.type
class Display(_DisplaySelling, ObjectWithTranslations, Localizable):
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
        return await _category(info, self._canonical_category_id)

    @classmethod
    def of(cls, view: catalog.DisplayView) -> Display:
        return cls(
            id=view.id,
            name=view.name,
            uri=view.uri,
            status=status_of(view.active),
            description=view.description,
            short_description=view.short_description,
            meta_title=view.meta_title,
            meta_description=view.meta_description,
            meta_keywords=view.meta_keywords,
            sort_order=view.sort_order,
            created_at=view.created_at,
            updated_at=view.updated_at,
            _store_id=view.store_id,
            _product_id=view.product_id,
            _canonical_category_id=view.canonical_category_id,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._store_id)

    @strawberry.field
    async def product(self, info: Info[Any, Any]) -> Product:
        return Product.of(await _product(info, self._product_id))

    @strawberry.field
    async def media(self, info: Info[Any, Any]) -> list[ProductMedia]:
        """The product's media (OpenCentra keeps no separate display media)."""
        return [ProductMedia.of(media) for media in await _media_of_product(info, self._product_id)]

    @strawberry.field
    async def product_variants(self, info: Info[Any, Any]) -> list[ProductVariant]:
        loader = info.context.loaders.grouped("variants_of_displays", catalog.variants_of_displays)
        return [ProductVariant.of(variant) for variant in await loader.load(self.id)]

    @strawberry.field
    async def markets(self, info: Info[Any, Any]) -> list[Market]:
        found = await info.context.loaders.grouped("markets_of_displays", catalog.markets_of_displays).load(self.id)
        return [Market.of(market) for market in found]

    @strawberry.field
    async def categories(self, info: Info[Any, Any]) -> list[Category]:
        loader = info.context.loaders.grouped("categories_of_displays", catalog.categories_of_displays)
        return [Category.of(category) for category in await loader.load(self.id)]


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


def product_filter(where: ProductFilter | None) -> catalog.ProductFilter:
    if where is None:
        return catalog.ProductFilter()
    return catalog.ProductFilter(
        ids=where.id,
        name=text_match(where.name),
        product_number=text_match(where.product_number),
        statuses=None if where.status is None else [domain_status(s) for s in where.status],
        brand_ids=where.brand_id,
        collection_ids=where.collection_id,
        updated=between(where.updated_at),
        created=between(where.created_at),
    )


async def resolve_products(
    info: Info[Any, Any],
    where: ProductFilter | None = None,
    sort: list[ProductSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Product]:
    wanted, order, rows = product_filter(where), sort_keys(sort), window(limit, page)
    async with info.context.read() as session:
        found = await catalog.product_page(session, wanted, order, rows)
    return [Product.of(product) for product in found]


async def resolve_product(info: Info[Any, Any], id: int) -> Product | None:
    found = await info.context.loaders.product.load(id)
    return None if found is None else Product.of(found)


async def resolve_product_variant(info: Info[Any, Any], id: int) -> ProductVariant | None:
    found = await info.context.loaders.variant.load(id)
    return None if found is None else ProductVariant.of(found)


@strawberry.input
class ProductVariantFilter:
    id: list[int] | None = None
    product_id: list[int] | None = None
    variant_number: StringFilter | None = None


async def resolve_product_variants(
    info: Info[Any, Any],
    where: ProductVariantFilter | None = None,
    sort: list[ProductVariantSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[ProductVariant]:
    wanted = catalog.VariantFilter()
    if where is not None:
        wanted = catalog.VariantFilter(
            ids=where.id, product_ids=where.product_id, variant_number=text_match(where.variant_number)
        )
    order, rows = sort_keys(sort), window(limit, page)
    async with info.context.read() as session:
        found = await catalog.variant_page(session, wanted, order, rows)
    return [ProductVariant.of(variant) for variant in found]


@strawberry.input
class ProductSizeFilter:
    id: list[int] | None = None
    EAN: list[str] | None = strawberry.field(name="EAN", default=None)
    product_variant_id: list[int] | None = None


async def resolve_product_sizes(
    info: Info[Any, Any], where: ProductSizeFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[ProductSize]:
    wanted = catalog.ProductSizeFilter()
    if where is not None:
        wanted = catalog.ProductSizeFilter(ids=where.id, eans=where.EAN, variant_ids=where.product_variant_id)
    rows = window(limit, page)
    async with info.context.read() as session:
        found = await catalog.product_size_page(session, wanted, rows)
    return [ProductSize.of(size) for size in found]


@strawberry.input
class NameFilter:
    id: list[int] | None = None
    name: StringFilter | None = None


@strawberry.enum(
    description="Before the per-type sorts (BrandSort, ...): still accepted for a variable in their place."
)
class NameSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


@strawberry.input
class BrandFilter(NameFilter):
    pass


@strawberry.input
class CollectionFilter(NameFilter):
    pass


@strawberry.input
class SizeChartFilter(NameFilter):
    pass


def _names(where: NameFilter | None) -> catalog.NameFilter:
    return catalog.NameFilter() if where is None else catalog.NameFilter(ids=where.id, name=text_match(where.name))


async def resolve_brands(
    info: Info[Any, Any],
    where: BrandFilter | None = None,
    sort: list[BrandSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Brand]:
    wanted, order, rows = _names(where), sort_keys(sort), window(limit, page)
    async with info.context.read() as session:
        found = await catalog.brand_page(session, wanted, order, rows)
    return [Brand.of(brand) for brand in found]


async def resolve_collections(
    info: Info[Any, Any],
    where: CollectionFilter | None = None,
    sort: list[CollectionSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Collection]:
    wanted, order, rows = _names(where), sort_keys(sort), window(limit, page)
    async with info.context.read() as session:
        found = await catalog.collection_page(session, wanted, order, rows)
    return [Collection.of(collection) for collection in found]


async def resolve_size_charts(
    info: Info[Any, Any],
    where: SizeChartFilter | None = None,
    sort: list[SizeChartSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[SizeChart]:
    wanted, order, rows = _names(where), sort_keys(sort), window(limit, page)
    async with info.context.read() as session:
        found = await catalog.size_chart_page(session, wanted, order, rows)
    return [SizeChart.of(chart) for chart in found]


@strawberry.input
class CategoryFilter:
    id: list[int] | None = None
    store_id: int | None = None
    is_top_category: bool | None = None
    name: StringFilter | None = None


async def resolve_categories(
    info: Info[Any, Any],
    where: CategoryFilter | None = None,
    sort: list[CategorySort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Category]:
    context: GraphQLContext = info.context
    wanted = catalog.CategoryFilter()
    if where is not None:
        wanted = catalog.CategoryFilter(
            ids=where.id, store_id=where.store_id, is_top=where.is_top_category, name=text_match(where.name)
        )
    order, rows = sort_keys(sort), window(limit, page)
    async with context.read() as session:
        found = await catalog.category_page(session, wanted, order, rows, store_scope=context.store_id)
    return [Category.of(category) for category in found]


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


def _display_filter(where: DisplayFilter | None) -> catalog.DisplayFilter:
    if where is None:
        return catalog.DisplayFilter()
    return catalog.DisplayFilter(
        ids=where.id,
        store_id=where.store_id,
        market_ids=where.market_id,
        product_ids=where.product_id,
        name=text_match(where.name),
        active=None if where.status is None else [s == Status.ACTIVE for s in where.status],
        updated=between(where.updated_at),
    )


async def resolve_displays(
    info: Info[Any, Any],
    where: DisplayFilter | None = None,
    sort: list[DisplaySort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Display]:
    context: GraphQLContext = info.context
    wanted, order, rows = _display_filter(where), sort_keys(sort), window(limit, page)
    async with context.read() as session:
        found = await catalog.display_page(session, wanted, order, rows, store_scope=context.store_id)
    return [Display.of(display) for display in found]


async def resolve_display(info: Info[Any, Any], id: int) -> Display | None:
    found = await info.context.loaders.display.load(id)
    if found is None or not _visible(info, found.store_id):
        return None
    return Display.of(found)


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


# The wire names of the sorts a display connection offers (catalog.CONNECTION_SORTS).
_CONNECTION_SORT = ("id", "updatedAt")


def _display_cursor(field: str, display: catalog.DisplayView) -> str:
    value = display.id if field == "id" else display.updated_at.isoformat()
    return encode_cursor(field, value, display.id)


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
    chosen = sort[0] if sort else DisplaySort.id_ASC
    field = chosen.value.rpartition("_")[0]
    if field not in _CONNECTION_SORT:
        raise input_error("displayConnection sorts by id or updatedAt", "sort")
    cursors: dict[str, catalog.Cursor] = {}
    for name, cursor in (("after", after), ("before", before)):
        if cursor is None:
            continue
        cursor_field, raw, row_id = decode_cursor(cursor, name)
        if cursor_field != field:
            raise input_error(f"{name} was issued for another sort order", name)
        cursors[name] = catalog.Cursor(coerce_cursor_value(field, raw, name), row_id)
    async with context.read() as session:
        found = await catalog.display_slice(
            session,
            _display_filter(where),
            sort=sort_key(chosen),
            size=size,
            after=cursors.get("after"),
            before=cursors.get("before"),
            from_end=from_end,
            store_scope=context.store_id,
        )
    edges = [DisplayEdge(node=Display.of(view), cursor=_display_cursor(field, view)) for view in found.displays]
    page_info = PageInfo(
        has_next_page=found.more if not from_end else before is not None,
        has_previous_page=found.more if from_end else after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return DisplayConnection(total_count=found.total, page_info=page_info, edges=edges)


async def count_products(context: GraphQLContext, where: ProductFilter | None) -> int:
    async with context.read() as session:
        return await catalog.count_products(session, product_filter(where))
