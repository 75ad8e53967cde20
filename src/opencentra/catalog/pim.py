"""The catalogue's use cases as a PIM integration calls them, each answering the read view of its object.

Each is one transaction: what the call changes, the extras that ride along
(a new product's folder, a variant's unit cost), the check that the caller
may see the object (``store_scope``: the one store a caller may see, None
for every store; an object of another store is not found) and the read of
the result. So an API renders the answer without a second read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select

from opencentra.catalog import (
    brands,
    bundles,
    displays,
    folders,
    mapped_attributes,
    media_batches,
    pim_writes,
    products,
    sizes,
    translations,
    variants,
    views,
)
from opencentra.catalog.bundle_models import BundlePriceType, BundleType
from opencentra.catalog.models import Category, Display, Product, ProductVariant
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.stores.models import Language

UnitCost = tuple[Decimal, str]
"""An amount and its currency's ISO code."""


# --- brands, collections, charts, folders ----------------------------------------------------------


async def create_brand(
    db: Database,
    name: str,
    *,
    uri: str | None = None,
    meta_title: str = "",
    meta_description: str = "",
    meta_keywords: str = "",
) -> views.BrandView:
    row = await brands.create_brand(
        db, name, uri=uri, meta_title=meta_title, meta_description=meta_description, meta_keywords=meta_keywords
    )
    return views.brand_view(row)


async def create_collection(db: Database, name: str, *, uri: str | None = None) -> views.CollectionView:
    return views.collection_view(await brands.create_collection(db, name, uri=uri))


async def create_size_chart(
    db: Database, name: str, size_names: Sequence[str], *, divider_symbol: str = "x"
) -> views.SizeChartView:
    return views.size_chart_view(await sizes.create_size_chart(db, name, size_names, divider_symbol=divider_symbol))


async def create_measurement_chart(
    db: Database,
    name: str,
    *,
    unit: str,
    row_names: Sequence[str],
    column_names: Sequence[str],
    cells: Mapping[str, Mapping[str, str]],
) -> views.MeasurementChartView:
    row = await sizes.create_measurement_chart(
        db, name, unit=unit, row_names=row_names, column_names=column_names, cells=cells
    )
    return views.measurement_chart_view(row)


async def create_folder(db: Database, name: str, *, parent_id: int | None = None) -> views.FolderView:
    return views.folder_view(await folders.create_folder(db, name, parent_id=parent_id))


async def update_folder(db: Database, folder_id: int, changes: folders.FolderChanges) -> views.FolderView:
    return views.folder_view(await folders.update_folder(db, folder_id, changes))


# --- products, variants, sizes ------------------------------------------------------------------------


async def create_product(
    db: Database, spec: products.ProductSpec, *, folder_id: int | None = None
) -> views.ProductView:
    """A product without variants yet (its first variant may name the size chart), filed in ``folder_id``."""
    async with db.atomic() as tx:
        row = await products.create_product(tx, spec, require_variants=False)
        if folder_id is not None:
            await pim_writes.file_new_product(tx, row.id, folder_id)
        return views.product_view(row)


async def update_product(
    db: Database,
    product_id: int,
    changes: variants.ProductChanges,
    *,
    folder_id: int | None = None,
    assign: Sequence[tuple[str, int]] = (),
    unassign: Sequence[tuple[str, int]] = (),
) -> views.ProductView:
    """Change a product, file it in ``folder_id`` (None: leave it) and pick or drop mapped attributes."""
    async with db.atomic() as tx:
        row = await variants.update_product(tx, product_id, changes)
        await pim_writes.update_product_extras(tx, row.id, folder_id=folder_id, assign=assign, unassign=unassign)
        return views.product_view(row)


async def create_variant(
    db: Database,
    product_id: int,
    spec: products.VariantSpec,
    *,
    size_chart_id: int | None = None,
    unit_cost: UnitCost | None = None,
) -> views.VariantView:
    async with db.atomic() as tx:
        row = await variants.create_variant(tx, product_id, spec, size_chart_id=size_chart_id)
        if unit_cost is not None:
            await pim_writes.set_unit_cost(tx, row.id, *unit_cost)
        return views.variant_view(row)


async def update_variant(
    db: Database, variant_id: int, changes: variants.VariantChanges, *, unit_cost: UnitCost | None = None
) -> views.VariantView:
    async with db.atomic() as tx:
        row = await variants.update_variant(tx, variant_id, changes)
        if unit_cost is not None:
            await pim_writes.set_unit_cost(tx, row.id, *unit_cost)
        return views.variant_view(row)


async def create_product_size(db: Database, variant_id: int, spec: products.SizeSpec) -> views.ProductSizeView:
    return views.product_size_view(await variants.create_product_size(db, variant_id, spec))


# --- displays -----------------------------------------------------------------------------------------


def _store_not_found(store_id: int) -> NotFound:
    return NotFound(f"Could not find Store with ID {store_id}", field="store")


async def create_display(
    db: Database, spec: displays.DisplaySpec, *, store_scope: int | None = None
) -> views.DisplayView:
    if store_scope is not None and spec.store_id != store_scope:
        raise _store_not_found(spec.store_id)
    return views.display_view(await displays.create_display(db, spec))


async def update_display(
    db: Database, display_id: int, changes: displays.DisplayChanges, *, store_scope: int | None = None
) -> views.DisplayView:
    """Change a display; one of a store outside ``store_scope`` is not found (``field="id"``)."""
    async with db.atomic() as tx:
        async with tx.read() as session:
            current = await session.get(Display, display_id)
        if current is None or (store_scope is not None and current.store_id != store_scope):
            raise NotFound(f"Could not find Display with ID {display_id}", field="id")
        return views.display_view(await displays.update_display(tx, display_id, changes))


# --- attributes and translations ----------------------------------------------------------------------


async def set_attributes(
    db: Database,
    values: Mapping[str, str | None],
    picks: Sequence[tuple[str, int]],
    *,
    assign: bool,
    product_id: int | None = None,
    variant_id: int | None = None,
) -> views.ProductView | views.VariantView:
    """Set (or remove, ``None``) dynamic values by type key and pick (or, ``assign=False``, drop) mapped
    attributes ``(type key, id)`` of one product or variant, all or none."""
    async with db.atomic() as tx:
        if values or not picks:
            await variants.apply_attribute_values(tx, values, product_id=product_id, variant_id=variant_id)
        if picks:
            await mapped_attributes.assign(tx, picks, assign=assign, product_id=product_id, variant_id=variant_id)
        async with tx.read() as session:
            if product_id is not None:
                product = await session.get(Product, product_id)
                assert product is not None
                return views.product_view(product)
            variant = await session.get(ProductVariant, variant_id)
            assert variant is not None
            return views.variant_view(variant)


TranslatedView = views.ProductView | views.VariantView | views.DisplayView | views.CategoryView


async def localize(
    db: Database,
    object_type: str,
    object_id: int,
    values: Sequence[tuple[str, str | None]],
    *,
    language_id: int | None = None,
    language_code: str | None = None,
    store_scope: int | None = None,
) -> TranslatedView:
    """``translations.localize`` with the language given by id or code; a display or category of a
    store outside ``store_scope`` is not found."""
    async with db.atomic() as tx:
        async with tx.read() as session:
            if store_scope is not None and object_type in ("Display", "Category"):
                found = await session.get(Display if object_type == "Display" else Category, object_id)
                if isinstance(found, Display | Category) and found.store_id != store_scope:
                    raise NotFound(f"Could not find {object_type} with ID {object_id}", field="objectId")
            if language_id is None and language_code is not None:
                language_id = await session.scalar(
                    select(Language.id).where(Language.code == language_code.strip().lower())
                )
            if language_id is None:
                raise ValidationFailed("give language.id or language.code of a known language", field="language")
        await translations.localize(tx, object_type, object_id, language_id, values)
        async with tx.read() as session:
            if object_type == "Product":
                product = await session.get(Product, object_id)
                assert product is not None
                return views.product_view(product)
            if object_type == "ProductVariant":
                variant = await session.get(ProductVariant, object_id)
                assert variant is not None
                return views.variant_view(variant)
            if object_type == "Display":
                display = await session.get(Display, object_id)
                assert display is not None
                return views.display_view(display)
            category = await session.get(Category, object_id)
            assert category is not None
            return views.category_view(category)


# --- media batches ------------------------------------------------------------------------------------


async def create_media_batch(
    db: Database, integration: str, items: list[media_batches.MediaItemSpec]
) -> views.MediaBatchView:
    """``media_batches.create_media_batch``, answered with the batch and its items."""
    async with db.atomic() as tx:
        made = await media_batches.create_media_batch(tx, integration, items)
        batch, rows = await media_batches.find_batch(tx, integration, made.queue_id)
        return views.media_batch_view(batch, rows)


async def media_batch(db: Database, integration: str, queue_id: str) -> views.MediaBatchView:
    """A batch ``integration`` created; another integration's is not found."""
    batch, rows = await media_batches.find_batch(db, integration, queue_id)
    return views.media_batch_view(batch, rows)


# --- bundles ------------------------------------------------------------------------------------------


async def create_bundle(
    db: Database,
    spec: products.ProductSpec,
    size_names: Sequence[str] | None,
    *,
    bundle_type: BundleType = BundleType.FIXED,
    price_type: BundlePriceType = BundlePriceType.STATIC,
    sections: Sequence[bundles.SectionSpec] = (),
    discount_bp: int = 0,
    folder_id: int | None = None,
) -> views.BundleView:
    """A product whose one variant is a bundle (``spec.size_chart_id`` None: the first size chart)."""
    async with db.atomic() as tx:
        if spec.size_chart_id is None:
            async with tx.read() as session:
                spec = replace(spec, size_chart_id=await products.first_size_chart_id(session))
        row = await bundles.create_bundle_product(
            tx,
            spec,
            size_names,
            bundle_type=bundle_type,
            price_type=price_type,
            sections=sections,
            discount_bp=discount_bp,
            folder_id=folder_id,
        )
        return views.bundle_view(row)


async def update_bundle(db: Database, bundle_id: int, changes: bundles.BundleChanges) -> views.BundleView:
    async with db.atomic() as tx:
        return views.bundle_view(await bundles.update_bundle(tx, bundle_id, changes))


async def bundle(db: Database, bundle_id: int) -> views.BundleView:
    return views.bundle_view(await bundles.get_bundle(db, bundle_id))
