"""Read views of the catalogue: what the use cases return and what the APIs render.

Each view is a frozen copy of one row (or one row with what it owns, as a
media batch with its items), taken inside the transaction that read or wrote
it, so an API can render it after the transaction ended without touching the
database again. Field names follow the tables' columns, so code that read a
row reads its view the same way, and most views are copied from their row
by that one rule (``opencentra.db.listing.of_row``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
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
from opencentra.db.listing import of_row


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
    return of_row(BrandView, row)


def collection_view(row: Collection) -> CollectionView:
    return of_row(CollectionView, row)


def size_chart_view(row: SizeChart) -> SizeChartView:
    return of_row(SizeChartView, row)


def size_view(row: Size) -> SizeView:
    return of_row(SizeView, row)


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
    # The status column holds the enum's value.
    return replace(of_row(ProductView, row), status=ProductStatus(row.status))


def variant_view(row: ProductVariant) -> VariantView:
    return of_row(VariantView, row)


def product_size_view(row: ProductSize) -> ProductSizeView:
    return of_row(ProductSizeView, row)


def media_view(row: Media) -> MediaView:
    return of_row(MediaView, row)


def category_view(row: Category) -> CategoryView:
    return of_row(CategoryView, row)


def display_view(row: Display) -> DisplayView:
    return of_row(DisplayView, row)


def display_item_view(row: DisplayItem) -> DisplayItemView:
    return of_row(DisplayItemView, row)


def folder_view(row: Folder) -> FolderView:
    return of_row(FolderView, row)


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
