"""Read views by key, in batches: what an API's dataloaders call.

Each function takes the keys that one level of a request asks for and reads
them with one statement (chunked below the drivers' parameter limits), in
the caller's read transaction. Keyed lookups answer ``{key: view}`` and
leave unknown keys out; grouped ones answer ``{key: [views]}`` in the order
the APIs list them, and leave keys with nothing out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from opencentra.catalog import views
from opencentra.catalog.bundle_models import Bundle
from opencentra.catalog.models import (
    AttributeType,
    AttributeValue,
    Brand,
    Category,
    Collection,
    Display,
    DisplayCategory,
    DisplayItem,
    DisplayMarket,
    DisplayRelation,
    MeasurementChart,
    Media,
    Product,
    ProductSize,
    ProductVariant,
    Size,
    SizeChart,
)
from opencentra.catalog.pim_models import (
    Folder,
    MappedAttribute,
    MappedAttributeAssignment,
    MediaBatchItem,
    ProductFolder,
    VariantUnitCost,
)
from opencentra.db.base import Base
from opencentra.db.listing import chunks as _chunks
from opencentra.db.listing import grouped as _grouped
from opencentra.db.listing import keyed as _keyed
from opencentra.stores.models import Market, TaxGroup
from opencentra.stores.views import MarketView, market_view

K = TypeVar("K", bound=Hashable)
M = TypeVar("M", bound=Base)
V = TypeVar("V")


async def _linked(
    session: AsyncSession,
    link_column: InstrumentedAttribute[int],
    target_column: InstrumentedAttribute[int],
    model: type[M],
    target_key: InstrumentedAttribute[int],
    keys: Iterable[int],
    view: Callable[[M], V],
) -> dict[int, list[V]]:
    """Rows of ``model`` reached through a link table, ordered by their id."""
    found: dict[int, list[V]] = defaultdict(list)
    for chunk in _chunks(keys):
        statement = (
            select(link_column, model)
            .join(link_column.class_, target_column == target_key)
            .where(link_column.in_(chunk))
            .order_by(link_column, target_key)
        )
        for owner, row in await session.execute(statement):
            found[owner].append(view(row))
    return dict(found)


# --- by id ---------------------------------------------------------------------------------------


async def products_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.ProductView]:
    return await _keyed(session, Product, Product.id, ids, views.product_view)


async def variants_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.VariantView]:
    return await _keyed(session, ProductVariant, ProductVariant.id, ids, views.variant_view)


async def product_sizes_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.ProductSizeView]:
    return await _keyed(session, ProductSize, ProductSize.id, ids, views.product_size_view)


async def sizes_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.SizeView]:
    return await _keyed(session, Size, Size.id, ids, views.size_view)


async def size_charts_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.SizeChartView]:
    return await _keyed(session, SizeChart, SizeChart.id, ids, views.size_chart_view)


async def measurement_charts_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.MeasurementChartView]:
    return await _keyed(session, MeasurementChart, MeasurementChart.id, ids, views.measurement_chart_view)


async def brands_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.BrandView]:
    return await _keyed(session, Brand, Brand.id, ids, views.brand_view)


async def collections_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.CollectionView]:
    return await _keyed(session, Collection, Collection.id, ids, views.collection_view)


async def categories_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.CategoryView]:
    return await _keyed(session, Category, Category.id, ids, views.category_view)


async def displays_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.DisplayView]:
    return await _keyed(session, Display, Display.id, ids, views.display_view)


async def display_items_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.DisplayItemView]:
    return await _keyed(session, DisplayItem, DisplayItem.id, ids, views.display_item_view)


async def folders_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.FolderView]:
    return await _keyed(session, Folder, Folder.id, ids, views.folder_view)


async def media_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, views.MediaView]:
    return await _keyed(session, Media, Media.id, ids, views.media_view)


async def unit_costs_of_variants(session: AsyncSession, variant_ids: Iterable[int]) -> dict[int, views.UnitCostView]:
    """What a unit of each variant costs the brand, where it is set."""
    found: dict[int, views.UnitCostView] = {}
    for chunk in _chunks(variant_ids):
        for row in await session.scalars(select(VariantUnitCost).where(VariantUnitCost.variant_id.in_(chunk))):
            found[row.variant_id] = views.UnitCostView(row.variant_id, row.amount_minor, row.currency_id)
    return found


async def media_meta_data(session: AsyncSession, media_ids: Iterable[int]) -> dict[int, str | None]:
    """The ``metaDataJSON`` a media batch gave each media (media not added by a batch are left out)."""
    found: dict[int, str | None] = {}
    for chunk in _chunks(media_ids):
        statement = select(MediaBatchItem.media_id, MediaBatchItem.meta_data_json).where(
            MediaBatchItem.media_id.in_(chunk)
        )
        for media_id, meta_data_json in await session.execute(statement.order_by(MediaBatchItem.id)):
            if media_id is not None:
                found[media_id] = meta_data_json
    return found


async def folder_ids_of_products(session: AsyncSession, product_ids: Iterable[int]) -> dict[int, int]:
    """The folder each product is filed in (products in none are left out)."""
    found: dict[int, int] = {}
    for chunk in _chunks(product_ids):
        statement = select(ProductFolder.product_id, ProductFolder.folder_id).where(ProductFolder.product_id.in_(chunk))
        found.update({key: value for key, value in await session.execute(statement)})
    return found


async def products_are_bundles(session: AsyncSession, product_ids: Iterable[int]) -> dict[int, bool]:
    """Whether each product is a bundle (a bundle's variant is one of its product's); every key is answered."""
    keys = list(dict.fromkeys(product_ids))
    found: set[int] = set()
    for chunk in _chunks(keys):
        statement = (
            select(ProductVariant.product_id)
            .join(Bundle, Bundle.variant_id == ProductVariant.id)
            .where(ProductVariant.product_id.in_(chunk))
        )
        found.update(await session.scalars(statement))
    return {key: key in found for key in keys}


async def tax_group_names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """The names of the tax groups products are in, by tax group id."""
    found: dict[int, str] = {}
    for chunk in _chunks(ids):
        statement = select(TaxGroup.id, TaxGroup.name).where(TaxGroup.id.in_(chunk))
        found.update({key: value for key, value in await session.execute(statement)})
    return found


# --- children of a parent ------------------------------------------------------------------------


async def variants_of_products(session: AsyncSession, product_ids: Iterable[int]) -> dict[int, list[views.VariantView]]:
    v = ProductVariant
    return await _grouped(session, v, v.product_id, product_ids, views.variant_view, v.sort_order, v.id)


async def sizes_of_variants(
    session: AsyncSession, variant_ids: Iterable[int]
) -> dict[int, list[views.ProductSizeView]]:
    s = ProductSize
    return await _grouped(session, s, s.variant_id, variant_ids, views.product_size_view, s.id)


async def sizes_of_charts(session: AsyncSession, chart_ids: Iterable[int]) -> dict[int, list[views.SizeView]]:
    return await _grouped(session, Size, Size.size_chart_id, chart_ids, views.size_view, Size.position, Size.id)


async def media_of_products(session: AsyncSession, product_ids: Iterable[int]) -> dict[int, list[views.MediaView]]:
    return await _grouped(session, Media, Media.product_id, product_ids, views.media_view, Media.sort_order, Media.id)


async def displays_of_products(session: AsyncSession, product_ids: Iterable[int]) -> dict[int, list[views.DisplayView]]:
    return await _grouped(session, Display, Display.product_id, product_ids, views.display_view, Display.id)


async def items_of_displays(
    session: AsyncSession, display_ids: Iterable[int]
) -> dict[int, list[views.DisplayItemView]]:
    i = DisplayItem
    return await _grouped(session, i, i.display_id, display_ids, views.display_item_view, i.sort_order, i.id)


async def variants_of_displays(session: AsyncSession, display_ids: Iterable[int]) -> dict[int, list[views.VariantView]]:
    """The variants activated on each display, by variant id."""
    return await _linked(
        session,
        DisplayItem.display_id,
        DisplayItem.variant_id,
        ProductVariant,
        ProductVariant.id,
        display_ids,
        views.variant_view,
    )


async def categories_of_displays(
    session: AsyncSession, display_ids: Iterable[int]
) -> dict[int, list[views.CategoryView]]:
    """The categories each display is in, by category id."""
    return await _linked(
        session,
        DisplayCategory.display_id,
        DisplayCategory.category_id,
        Category,
        Category.id,
        display_ids,
        views.category_view,
    )


async def markets_of_displays(session: AsyncSession, display_ids: Iterable[int]) -> dict[int, list[MarketView]]:
    """The markets each display is sold in, by market id."""
    return await _linked(
        session,
        DisplayMarket.display_id,
        DisplayMarket.market_id,
        Market,
        Market.id,
        display_ids,
        market_view,
    )


async def displays_in_markets(session: AsyncSession, market_ids: Iterable[int]) -> dict[int, list[views.DisplayView]]:
    """The displays sold in each market, by display id."""
    return await _linked(
        session,
        DisplayMarket.market_id,
        DisplayMarket.display_id,
        Display,
        Display.id,
        market_ids,
        views.display_view,
    )


async def related_displays(session: AsyncSession, display_ids: Iterable[int]) -> dict[int, list[views.DisplayView]]:
    """The displays each display links to, in the links' order, each once."""
    found: dict[int, dict[int, views.DisplayView]] = defaultdict(dict)
    for chunk in _chunks(display_ids):
        statement = (
            select(DisplayRelation.display_id, Display)
            .join(Display, Display.id == DisplayRelation.related_display_id)
            .where(DisplayRelation.display_id.in_(chunk))
            .order_by(DisplayRelation.display_id, DisplayRelation.sort_order, DisplayRelation.id)
        )
        for display_id, row in await session.execute(statement):
            found[display_id].setdefault(row.id, views.display_view(row))
    return {key: list(related.values()) for key, related in found.items()}


async def child_categories(session: AsyncSession, parent_ids: Iterable[int]) -> dict[int, list[views.CategoryView]]:
    c = Category
    return await _grouped(session, c, c.parent_id, parent_ids, views.category_view, c.sort_order, c.id)


async def child_folders(session: AsyncSession, parent_ids: Iterable[int]) -> dict[int, list[views.FolderView]]:
    f = Folder
    return await _grouped(session, f, f.parent_id, parent_ids, views.folder_view, f.sort_order, f.id)


async def products_in_folders(session: AsyncSession, folder_ids: Iterable[int]) -> dict[int, list[views.ProductView]]:
    """The products filed in each folder, by product id."""
    return await _linked(
        session,
        ProductFolder.folder_id,
        ProductFolder.product_id,
        Product,
        Product.id,
        folder_ids,
        views.product_view,
    )


# --- attributes ----------------------------------------------------------------------------------


async def _attributes(
    session: AsyncSession,
    keys: Sequence[int],
    value_owner: InstrumentedAttribute[int | None],
    pick_owner: InstrumentedAttribute[int | None],
) -> dict[int, list[views.AttributeView]]:
    """Dynamic values first (in the order they were set), then picked mapped attributes."""
    found: dict[int, list[views.AttributeView]] = defaultdict(list)
    for chunk in _chunks(keys):
        dynamic = (
            select(value_owner, AttributeType.key, AttributeType.name, AttributeValue.value)
            .join(AttributeType, AttributeType.id == AttributeValue.attribute_type_id)
            .where(value_owner.in_(chunk))
            .order_by(value_owner, AttributeValue.id)
        )
        for owner, key, name, value in await session.execute(dynamic):
            assert owner is not None
            found[owner].append(views.AttributeView(key, name, name, value, is_mapped=False))
    picked: dict[int, list[views.AttributeView]] = defaultdict(list)
    for chunk in _chunks(keys):
        mapped = (
            select(
                pick_owner, AttributeType.key, AttributeType.name, MappedAttribute.description, MappedAttribute.value
            )
            .join(MappedAttribute, MappedAttribute.id == MappedAttributeAssignment.mapped_attribute_id)
            .join(AttributeType, AttributeType.id == MappedAttribute.attribute_type_id)
            .where(pick_owner.in_(chunk))
            .order_by(pick_owner, MappedAttributeAssignment.id)
        )
        for owner, key, name, description, value in await session.execute(mapped):
            assert owner is not None
            picked[owner].append(views.AttributeView(key, name, description, value, is_mapped=True))
    return {key: found.get(key, []) + picked.get(key, []) for key in keys if key in found or key in picked}


async def attributes_of_products(
    session: AsyncSession, product_ids: Iterable[int]
) -> dict[int, list[views.AttributeView]]:
    keys = list(dict.fromkeys(product_ids))
    return await _attributes(session, keys, AttributeValue.product_id, MappedAttributeAssignment.product_id)


async def attributes_of_variants(
    session: AsyncSession, variant_ids: Iterable[int]
) -> dict[int, list[views.AttributeView]]:
    keys = list(dict.fromkeys(variant_ids))
    return await _attributes(session, keys, AttributeValue.variant_id, MappedAttributeAssignment.variant_id)
