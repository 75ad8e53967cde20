"""Read views of the catalogue: what the use cases return and what the APIs render.

Each view is a frozen copy of one row (or one row with what it owns, as a
media batch with its items), taken inside the transaction that read or wrote
it, so an API can render it after the transaction ended without touching the
database again. Field names follow the tables' columns, so code that read a
row reads its view the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from opencentra.catalog.bundle_models import Bundle, BundlePriceType, BundleType
from opencentra.catalog.models import (
    Brand,
    Category,
    Collection,
    Display,
    DisplayItem,
    MeasurementChart,
    Media,
    Product,
    ProductSize,
    ProductStatus,
    ProductVariant,
    Size,
    SizeChart,
)
from opencentra.catalog.pim_models import Folder, MediaBatch, MediaBatchItem, MediaBatchStatus


@dataclass(frozen=True, slots=True)
class BrandView:
    id: int
    name: str
    uri: str


@dataclass(frozen=True, slots=True)
class CollectionView:
    id: int
    name: str
    uri: str


@dataclass(frozen=True, slots=True)
class SizeChartView:
    id: int
    name: str
    divider_symbol: str


@dataclass(frozen=True, slots=True)
class SizeView:
    id: int
    size_chart_id: int
    name: str
    position: int


@dataclass(frozen=True, slots=True)
class MeasurementChartView:
    id: int
    name: str
    unit: str
    row_names: tuple[str, ...]
    column_names: tuple[str, ...]
    # {row name: {column name: value}}
    cells: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class ProductView:
    id: int
    name: str
    product_number: str
    status: ProductStatus
    brand_id: int | None
    collection_id: int | None
    size_chart_id: int
    measurement_chart_id: int | None
    tax_group_id: int | None
    harmonized_code: str
    harmonized_code_description: str
    country_of_origin: str | None
    weight_grams: int | None
    item_quantity_minimum: int
    item_quantity_multiple_of: int
    # Internal note, never shown to shoppers.
    comment: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class VariantView:
    id: int
    product_id: int
    name: str
    variant_number: str
    active: bool
    sort_order: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProductSizeView:
    """One size of one variant (the stock-keeping unit)."""

    id: int
    variant_id: int
    size_id: int
    ean: str | None
    sku: str


@dataclass(frozen=True, slots=True)
class MediaView:
    id: int
    product_id: int
    variant_id: int | None
    url: str
    alt_text: str
    sort_order: int


@dataclass(frozen=True, slots=True)
class CategoryView:
    id: int
    store_id: int
    parent_id: int | None
    name: str
    uri: str
    sort_order: int
    active: bool
    meta_title: str
    meta_description: str
    meta_keywords: str


@dataclass(frozen=True, slots=True)
class DisplayView:
    id: int
    store_id: int
    product_id: int
    name: str
    uri: str
    description: str
    short_description: str
    meta_title: str
    meta_description: str
    meta_keywords: str
    canonical_category_id: int | None
    active: bool
    sort_order: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DisplayItemView:
    """A variant activated on a display."""

    id: int
    display_id: int
    variant_id: int
    sort_order: int


@dataclass(frozen=True, slots=True)
class FolderView:
    id: int
    parent_id: int | None
    name: str
    sort_order: int


@dataclass(frozen=True, slots=True)
class AttributeView:
    """One attribute value of a product or variant: a dynamic value, or a picked mapped attribute."""

    type_key: str
    type_name: str
    # A mapped attribute's own description (may be empty); a dynamic value's is its type's name.
    description: str
    value: str
    is_mapped: bool


@dataclass(frozen=True, slots=True)
class MappedAttributeView:
    """A predefined value of an attribute type (``pr_materials``: Wood)."""

    id: int
    type_key: str
    type_name: str
    name: str
    description: str
    value: str


@dataclass(frozen=True, slots=True)
class UnitCostView:
    variant_id: int
    amount_minor: int
    currency_id: int


@dataclass(frozen=True, slots=True)
class MediaBatchItemView:
    product_id: int
    variant_id: int | None
    url: str
    meta_data_json: str | None
    # The product media it became (None once that media was removed).
    media_id: int | None


@dataclass(frozen=True, slots=True)
class MediaBatchView:
    queue_id: str
    status: MediaBatchStatus
    items: tuple[MediaBatchItemView, ...]


@dataclass(frozen=True, slots=True)
class BundleSectionView:
    id: int
    quantity: int
    optional: bool
    # The variants the section offers, in their order.
    variant_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BundleView:
    id: int
    # The bundle's own variant (of its own product).
    variant_id: int
    type: BundleType
    price_type: BundlePriceType
    discount_bp: int
    sections: tuple[BundleSectionView, ...]


# --- from rows ---------------------------------------------------------------------------------


def brand_view(row: Brand) -> BrandView:
    return BrandView(id=row.id, name=row.name, uri=row.uri)


def collection_view(row: Collection) -> CollectionView:
    return CollectionView(id=row.id, name=row.name, uri=row.uri)


def size_chart_view(row: SizeChart) -> SizeChartView:
    return SizeChartView(id=row.id, name=row.name, divider_symbol=row.divider_symbol)


def size_view(row: Size) -> SizeView:
    return SizeView(id=row.id, size_chart_id=row.size_chart_id, name=row.name, position=row.position)


def measurement_chart_view(row: MeasurementChart) -> MeasurementChartView:
    cells = {name: MappingProxyType(dict(values)) for name, values in row.cells.items()}
    return MeasurementChartView(
        id=row.id,
        name=row.name,
        unit=row.unit,
        row_names=tuple(row.row_names),
        column_names=tuple(row.column_names),
        cells=MappingProxyType(cells),
    )


def product_view(row: Product) -> ProductView:
    return ProductView(
        id=row.id,
        name=row.name,
        product_number=row.product_number,
        status=ProductStatus(row.status),
        brand_id=row.brand_id,
        collection_id=row.collection_id,
        size_chart_id=row.size_chart_id,
        measurement_chart_id=row.measurement_chart_id,
        tax_group_id=row.tax_group_id,
        harmonized_code=row.harmonized_code,
        harmonized_code_description=row.harmonized_code_description,
        country_of_origin=row.country_of_origin,
        weight_grams=row.weight_grams,
        item_quantity_minimum=row.item_quantity_minimum,
        item_quantity_multiple_of=row.item_quantity_multiple_of,
        comment=row.comment,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def variant_view(row: ProductVariant) -> VariantView:
    return VariantView(
        id=row.id,
        product_id=row.product_id,
        name=row.name,
        variant_number=row.variant_number,
        active=row.active,
        sort_order=row.sort_order,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def product_size_view(row: ProductSize) -> ProductSizeView:
    return ProductSizeView(id=row.id, variant_id=row.variant_id, size_id=row.size_id, ean=row.ean, sku=row.sku)


def media_view(row: Media) -> MediaView:
    return MediaView(
        id=row.id,
        product_id=row.product_id,
        variant_id=row.variant_id,
        url=row.url,
        alt_text=row.alt_text,
        sort_order=row.sort_order,
    )


def category_view(row: Category) -> CategoryView:
    return CategoryView(
        id=row.id,
        store_id=row.store_id,
        parent_id=row.parent_id,
        name=row.name,
        uri=row.uri,
        sort_order=row.sort_order,
        active=row.active,
        meta_title=row.meta_title,
        meta_description=row.meta_description,
        meta_keywords=row.meta_keywords,
    )


def display_view(row: Display) -> DisplayView:
    return DisplayView(
        id=row.id,
        store_id=row.store_id,
        product_id=row.product_id,
        name=row.name,
        uri=row.uri,
        description=row.description,
        short_description=row.short_description,
        meta_title=row.meta_title,
        meta_description=row.meta_description,
        meta_keywords=row.meta_keywords,
        canonical_category_id=row.canonical_category_id,
        active=row.active,
        sort_order=row.sort_order,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def display_item_view(row: DisplayItem) -> DisplayItemView:
    return DisplayItemView(id=row.id, display_id=row.display_id, variant_id=row.variant_id, sort_order=row.sort_order)


def folder_view(row: Folder) -> FolderView:
    return FolderView(id=row.id, parent_id=row.parent_id, name=row.name, sort_order=row.sort_order)


def media_batch_view(batch: MediaBatch, items: list[MediaBatchItem]) -> MediaBatchView:
    return MediaBatchView(
        queue_id=batch.queue_id,
        status=MediaBatchStatus(batch.status),
        items=tuple(
            MediaBatchItemView(
                product_id=item.product_id,
                variant_id=item.variant_id,
                url=item.url,
                meta_data_json=item.meta_data_json,
                media_id=item.media_id,
            )
            for item in items
        ),
    )


def bundle_view(row: Bundle) -> BundleView:
    """``row`` with its sections and their options loaded."""
    return BundleView(
        id=row.id,
        variant_id=row.variant_id,
        type=BundleType(row.type),
        price_type=BundlePriceType(row.price_type),
        discount_bp=row.discount_bp,
        sections=tuple(
            BundleSectionView(
                id=section.id,
                quantity=section.quantity,
                optional=section.optional,
                variant_ids=tuple(option.variant_id for option in section.options),
            )
            for section in row.sections
        ),
    )
