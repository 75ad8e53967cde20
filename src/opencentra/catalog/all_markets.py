"""The catalogue in every market and language at once: what a cache-building API (the Shop API) reads.

The Checkout API's storefront catalogue is one market, one pricelist and one
language at a time. A cache instead wants each product once, with the markets
it is sold in and its texts in every language; prices and stock per market
come from ``pricing.market_prices`` and ``inventory.market_stock``.

``store_product_ids`` lists the products a filter finds, in the store's
display order, with one statement; ``store_products`` reads those products in
a fixed number of statements per chunk of ``PRODUCT_CHUNK`` products, however
many there are. ``store_categories`` reads the category tree with the product
ids in each category. Translations are keyed by language code (``localized``);
an object without a translation in a language has no entry for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.categories import category_paths
from opencentra.catalog.items import format_item_id
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
    MeasurementChart,
    Media,
    Product,
    ProductSize,
    ProductStatus,
    ProductVariant,
    Size,
)
from opencentra.catalog.pim_models import Translation
from opencentra.catalog.views import MeasurementChartView, measurement_chart_view
from opencentra.errors import NotFound
from opencentra.stores.models import Language

# Products read per round of statements; keeps every IN list far below the drivers' limits.
PRODUCT_CHUNK = 200

# Display fields as ``localize`` names them -> the keys the APIs print.
_DISPLAY_TEXTS = {
    "name": "name",
    "uri": "uri",
    "shortDescription": "excerpt",
    "description": "description",
    "metaTitle": "metaTitle",
    "metaDescription": "metaDescription",
    "metaKeywords": "metaKeywords",
}
_CATEGORY_TEXTS = ("name", "uri", "metaTitle", "metaDescription", "metaKeywords")

Localized = Mapping[str, Mapping[str, str]]
"""``{language code: {field: text}}``: only the fields translated into that language."""


@dataclass(frozen=True, slots=True)
class BrandDetailView:
    id: int
    name: str
    uri: str
    meta_title: str
    meta_description: str
    meta_keywords: str


@dataclass(frozen=True, slots=True)
class CollectionDetailView:
    id: int
    name: str
    uri: str


@dataclass(frozen=True, slots=True)
class StoreCategoryView:
    """A category of the store's (active) tree, with the products listed in it."""

    id: int
    parent_id: int | None
    name: str
    # This node's own segment, and the full path from the root.
    uri: str
    complete_uri: str
    sort_order: int
    meta_title: str
    meta_description: str
    meta_keywords: str
    localized: Localized
    # Display item ids directly in this category, in the category's order.
    product_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ProductCategoryRef:
    id: int
    name: str
    complete_uri: str
    # The display's position in the category.
    sort_order: int


@dataclass(frozen=True, slots=True)
class StoreItemView:
    """One size of a product: the API ``item``."""

    item: str
    product_size_id: int
    name: str
    ean: str
    sku: str


@dataclass(frozen=True, slots=True)
class StoreMediaView:
    url: str
    alt_text: str


@dataclass(frozen=True, slots=True)
class StoreProductView:
    """One API product (a display item) as every market and language of the store sees it."""

    display_item_id: int
    display_id: int
    product_id: int
    variant_id: int
    name: str
    uri: str
    product_sku: str
    sku: str
    product_name: str
    variant_name: str
    brand: BrandDetailView | None
    collection: CollectionDetailView | None
    excerpt: str
    description: str
    meta_title: str
    meta_description: str
    meta_keywords: str
    stock_unit: str
    weight_grams: int | None
    harmonized_code: str
    harmonized_code_description: str
    country_of_origin: str
    measurement_chart_id: int | None
    canonical_category_id: int | None
    categories: tuple[ProductCategoryRef, ...]
    items: tuple[StoreItemView, ...]
    # Variant images first, then the product's, each in their sort order.
    media: tuple[StoreMediaView, ...]
    # The markets the display is sold in, limited to the ones asked for.
    market_ids: tuple[int, ...]
    # Display texts (``_DISPLAY_TEXTS`` keys) and ``variantName`` per language.
    localized: Localized
    # Category names per language: ``{code: {category id: name}}``.
    localized_categories: Mapping[str, Mapping[int, str]]
    # Custom attributes (variant values over product values), by attribute key.
    attributes: tuple[tuple[str, str], ...]
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class StoreProductFilter:
    """Which products to list; empty fields do not filter. AND across fields, OR within one."""

    products: Sequence[int] = ()
    categories: Sequence[int] = ()
    uri: str | None = None
    sku: str | None = None
    silk_products: Sequence[int] = ()
    silk_variants: Sequence[int] = ()
    # The market the product must be sold in (None: any of ``markets``).
    market: int | None = None


def _chunks(ids: Sequence[int], size: int = PRODUCT_CHUNK) -> list[Sequence[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _on_sale(store_id: int) -> Select[Any]:
    """Display items a store sells: active display, variant and product."""
    return (
        select(DisplayItem.id)
        .join(Display, Display.id == DisplayItem.display_id)
        .join(ProductVariant, ProductVariant.id == DisplayItem.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(
            Display.store_id == store_id,
            Display.active.is_(True),
            ProductVariant.active.is_(True),
            Product.status == ProductStatus.ACTIVE.value,
        )
    )


async def _descendants(session: AsyncSession, store_id: int, category_ids: Sequence[int]) -> list[int]:
    """The categories and every category below them; ``NotFound(field="categories")`` for unknown ones."""
    paths = await category_paths(session, store_id)
    missing = [str(c) for c in category_ids if c not in paths or not paths[c].active]
    if missing:
        raise NotFound(f"not found: {', '.join(missing)}", field="categories")
    wanted = set(category_ids)
    return sorted(p.category_id for p in paths.values() if p.active and wanted.intersection(p.ids))


async def store_product_ids(
    session: AsyncSession,
    store_id: int,
    market_ids: Sequence[int],
    where: StoreProductFilter = StoreProductFilter(),
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[int]:
    """Display item ids the filter finds among those sold in ``market_ids``, in display order.

    One statement (two with a category filter). Unknown categories are
    ``NotFound(field="categories")``; a market outside ``market_ids`` finds nothing.
    """
    markets = [m for m in market_ids if where.market is None or m == where.market]
    if not markets:
        return []
    in_markets = select(DisplayMarket.display_id).where(DisplayMarket.market_id.in_(markets))
    statement = _on_sale(store_id).where(Display.id.in_(in_markets))
    if where.products:
        statement = statement.where(DisplayItem.id.in_(list(where.products)))
    if where.silk_products:
        statement = statement.where(Product.id.in_(list(where.silk_products)))
    if where.silk_variants:
        statement = statement.where(ProductVariant.id.in_(list(where.silk_variants)))
    if where.uri is not None:
        statement = statement.where(Display.uri == where.uri.strip("/"))
    if where.sku is not None:
        statement = statement.where(
            or_(
                Product.product_number == where.sku, Product.product_number + ProductVariant.variant_number == where.sku
            )
        )
    if where.categories:
        categories = await _descendants(session, store_id, where.categories)
        statement = statement.where(
            Display.id.in_(select(DisplayCategory.display_id).where(DisplayCategory.category_id.in_(categories)))
        )
    statement = statement.order_by(Display.sort_order, Display.id, DisplayItem.sort_order, DisplayItem.id)
    if offset:
        statement = statement.offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return list(await session.scalars(statement))


async def _language_codes(session: AsyncSession) -> dict[int, str]:
    return {language_id: code for language_id, code in await session.execute(select(Language.id, Language.code))}


async def _translations(
    session: AsyncSession, object_type: str, ids: Iterable[int], codes: Mapping[int, str]
) -> dict[int, dict[str, dict[str, str]]]:
    """``{object id: {language code: {field: text}}}`` of one type, empty texts left out."""
    wanted = list(dict.fromkeys(ids))
    found: dict[int, dict[str, dict[str, str]]] = defaultdict(dict)
    if not wanted:
        return found
    rows = await session.execute(
        select(Translation.object_id, Translation.language_id, Translation.field, Translation.value).where(
            Translation.object_type == object_type, Translation.object_id.in_(wanted)
        )
    )
    for object_id, language_id, field, value in rows:
        if value and language_id in codes:
            found[object_id].setdefault(codes[language_id], {})[field] = value
    return found


async def store_products(
    session: AsyncSession, store_id: int, market_ids: Sequence[int], display_item_ids: Sequence[int]
) -> list[StoreProductView]:
    """The products with these ids that the store sells in ``market_ids``, in the order asked.

    Ids the store does not sell there are left out. Statements: two for the
    whole call (categories, languages) and seven per ``PRODUCT_CHUNK`` ids.
    """
    ids = list(dict.fromkeys(display_item_ids))
    if not ids or not market_ids:
        return []
    paths = await category_paths(session, store_id)
    codes = await _language_codes(session)
    found: dict[int, StoreProductView] = {}
    for chunk in _chunks(ids):
        for view in await _product_chunk(session, store_id, market_ids, chunk, paths, codes):
            found[view.display_item_id] = view
    return [found[i] for i in ids if i in found]


async def _product_chunk(
    session: AsyncSession,
    store_id: int,
    market_ids: Sequence[int],
    chunk: Sequence[int],
    paths: Mapping[int, Any],
    codes: Mapping[int, str],
) -> list[StoreProductView]:
    rows = (
        await session.execute(
            select(
                DisplayItem.id,
                Display.id,
                Display.name,
                Display.uri,
                Display.description,
                Display.short_description,
                Display.meta_title,
                Display.meta_description,
                Display.meta_keywords,
                Display.canonical_category_id,
                Display.created_at,
                Display.updated_at,
                Product,
                ProductVariant.id,
                ProductVariant.name,
                ProductVariant.variant_number,
                ProductVariant.updated_at,
                Brand,
                Collection,
            )
            .join(Display, Display.id == DisplayItem.display_id)
            .join(ProductVariant, ProductVariant.id == DisplayItem.variant_id)
            .join(Product, Product.id == ProductVariant.product_id)
            .outerjoin(Brand, Brand.id == Product.brand_id)
            .outerjoin(Collection, Collection.id == Product.collection_id)
            .where(
                DisplayItem.id.in_(list(chunk)),
                Display.store_id == store_id,
                Display.active.is_(True),
                ProductVariant.active.is_(True),
                Product.status == ProductStatus.ACTIVE.value,
            )
        )
    ).all()
    display_ids = sorted({row[1] for row in rows})
    variant_ids = sorted({row[13] for row in rows})
    product_ids = sorted({row[12].id for row in rows})

    markets: dict[int, list[int]] = defaultdict(list)
    for display_id, market_id in await session.execute(
        select(DisplayMarket.display_id, DisplayMarket.market_id)
        .where(DisplayMarket.display_id.in_(display_ids), DisplayMarket.market_id.in_(list(market_ids)))
        .order_by(DisplayMarket.market_id)
    ):
        markets[display_id].append(market_id)

    sizes: dict[int, list[tuple[int, int, str, str | None, str]]] = defaultdict(list)
    for variant_id, product_size_id, position, size_name, ean, size_sku in await session.execute(
        select(ProductSize.variant_id, ProductSize.id, Size.position, Size.name, ProductSize.ean, ProductSize.sku)
        .join(Size, Size.id == ProductSize.size_id)
        .where(ProductSize.variant_id.in_(variant_ids))
    ):
        sizes[variant_id].append((position, product_size_id, size_name, ean, size_sku))

    display_categories: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for display_id, category_id, sort_order in await session.execute(
        select(DisplayCategory.display_id, DisplayCategory.category_id, DisplayCategory.sort_order).where(
            DisplayCategory.display_id.in_(display_ids)
        )
    ):
        display_categories[display_id].append((category_id, sort_order))

    media: dict[tuple[int, int | None], list[tuple[int, int, StoreMediaView]]] = defaultdict(list)
    for media_product, media_variant, sort_order, media_id, url, alt_text in await session.execute(
        select(Media.product_id, Media.variant_id, Media.sort_order, Media.id, Media.url, Media.alt_text).where(
            Media.product_id.in_(product_ids)
        )
    ):
        media[(media_product, media_variant)].append((sort_order, media_id, StoreMediaView(url, alt_text)))

    attributes: dict[tuple[str, int | None], dict[str, str]] = defaultdict(dict)
    for key, owner_product, owner_variant, value in await session.execute(
        select(AttributeType.key, AttributeValue.product_id, AttributeValue.variant_id, AttributeValue.value)
        .join(AttributeType, AttributeType.id == AttributeValue.attribute_type_id)
        .where(or_(AttributeValue.product_id.in_(product_ids), AttributeValue.variant_id.in_(variant_ids)))
    ):
        owner = ("product", owner_product) if owner_product is not None else ("variant", owner_variant)
        attributes[owner][key] = value

    texts: dict[tuple[str, int], dict[str, dict[str, str]]] = defaultdict(dict)
    category_ids = sorted({c for entries in display_categories.values() for c, _ in entries})
    for object_type, object_id, language_id, field, value in await session.execute(
        select(
            Translation.object_type,
            Translation.object_id,
            Translation.language_id,
            Translation.field,
            Translation.value,
        ).where(
            or_(
                and_(Translation.object_type == "Display", Translation.object_id.in_(display_ids)),
                and_(Translation.object_type == "ProductVariant", Translation.object_id.in_(variant_ids)),
                and_(Translation.object_type == "Category", Translation.object_id.in_(category_ids)),
            )
        )
    ):
        if value and language_id in codes:
            texts[(object_type, object_id)].setdefault(codes[language_id], {})[field] = value

    views: list[StoreProductView] = []
    for raw in rows:
        row: Any = raw
        (item_id, display_id, name, uri, description, excerpt, meta_title, meta_description, meta_keywords) = row[0:9]
        (canonical_id, created_at, display_updated, product, variant_id, variant_name, variant_number) = row[9:16]
        variant_updated, brand, collection = row[16], row[17], row[18]
        if not markets.get(display_id):
            continue
        sku = f"{product.product_number}{variant_number}"
        items = tuple(
            StoreItemView(
                item=format_item_id(item_id, product_size_id),
                product_size_id=product_size_id,
                name=size_name,
                ean=ean or "",
                sku=f"{sku}{size_sku}",
            )
            for _position, product_size_id, size_name, ean, size_sku in sorted(sizes.get(variant_id, []))
        )
        refs = tuple(
            ProductCategoryRef(category_id, paths[category_id].names[-1], paths[category_id].uri, sort_order)
            for category_id, sort_order in sorted(display_categories.get(display_id, []))
            if category_id in paths and paths[category_id].active
        )
        localized: dict[str, dict[str, str]] = {}
        for code, fields in texts.get(("Display", display_id), {}).items():
            localized[code] = {_DISPLAY_TEXTS[f]: v for f, v in fields.items() if f in _DISPLAY_TEXTS}
        for code, fields in texts.get(("ProductVariant", variant_id), {}).items():
            if "name" in fields:
                localized.setdefault(code, {})["variantName"] = fields["name"]
        localized_categories: dict[str, dict[int, str]] = {}
        for ref in refs:
            for code, fields in texts.get(("Category", ref.id), {}).items():
                if "name" in fields:
                    localized_categories.setdefault(code, {})[ref.id] = fields["name"]
        images = sorted(media.get((product.id, variant_id), [])) + sorted(media.get((product.id, None), []))
        views.append(
            StoreProductView(
                display_item_id=item_id,
                display_id=display_id,
                product_id=product.id,
                variant_id=variant_id,
                name=name,
                uri=uri,
                product_sku=product.product_number,
                sku=sku,
                product_name=product.name,
                variant_name=variant_name,
                brand=_brand(brand) if brand is not None else None,
                collection=CollectionDetailView(collection.id, collection.name, collection.uri) if collection else None,
                excerpt=excerpt,
                description=description,
                meta_title=meta_title,
                meta_description=meta_description,
                meta_keywords=meta_keywords,
                stock_unit=product.stock_unit,
                weight_grams=product.weight_grams,
                harmonized_code=product.harmonized_code,
                harmonized_code_description=product.harmonized_code_description,
                country_of_origin=product.country_of_origin or "",
                measurement_chart_id=product.measurement_chart_id,
                canonical_category_id=canonical_id
                if any(r.id == canonical_id for r in refs)
                else (refs[0].id if refs else None),
                categories=refs,
                items=items,
                media=tuple(image for _sort, _id, image in images),
                market_ids=tuple(markets[display_id]),
                localized=localized,
                localized_categories=localized_categories,
                attributes=tuple(
                    sorted(
                        {
                            **attributes.get(("product", product.id), {}),
                            **attributes.get(("variant", variant_id), {}),
                        }.items()
                    )
                ),
                created_at=created_at,
                modified_at=max(display_updated, product.updated_at, variant_updated),
            )
        )
    return views


def _brand(row: Brand) -> BrandDetailView:
    return BrandDetailView(row.id, row.name, row.uri, row.meta_title, row.meta_description, row.meta_keywords)


async def brand_details(session: AsyncSession, brand_id: int | None = None) -> list[BrandDetailView]:
    """Every brand (brands are shared by the stores), or the one asked for; ``NotFound(field="brand")``."""
    statement = select(Brand).order_by(Brand.id)
    if brand_id is not None:
        statement = statement.where(Brand.id == brand_id)
    found = [_brand(row) for row in await session.scalars(statement)]
    if brand_id is not None and not found:
        raise NotFound("not found", field="brand")
    return found


async def collection_details(session: AsyncSession, collection_id: int | None = None) -> list[CollectionDetailView]:
    """Every collection, or the one asked for; ``NotFound(field="collection")``."""
    statement = select(Collection).order_by(Collection.id)
    if collection_id is not None:
        statement = statement.where(Collection.id == collection_id)
    found = [CollectionDetailView(row.id, row.name, row.uri) for row in await session.scalars(statement)]
    if collection_id is not None and not found:
        raise NotFound("not found", field="collection")
    return found


async def measurement_chart_details(session: AsyncSession, chart_id: int | None = None) -> list[MeasurementChartView]:
    """Every measurement chart, or the one asked for; ``NotFound(field="measurementChart")``."""
    statement = select(MeasurementChart).order_by(MeasurementChart.id)
    if chart_id is not None:
        statement = statement.where(MeasurementChart.id == chart_id)
    found = [measurement_chart_view(row) for row in await session.scalars(statement)]
    if chart_id is not None and not found:
        raise NotFound("not found", field="measurementChart")
    return found


async def store_categories(session: AsyncSession, store_id: int, market_ids: Sequence[int]) -> list[StoreCategoryView]:
    """The store's active categories (an inactive one hides its subtree), parents before children,
    siblings in admin order, each with the products sold in ``market_ids`` that it lists. Four statements."""
    paths = await category_paths(session, store_id)
    visible = {cid: path for cid, path in paths.items() if all(a in paths and paths[a].active for a in path.ids)}
    rows = {
        row.id: row
        for row in await session.scalars(select(Category).where(Category.store_id == store_id))
        if row.id in visible
    }
    codes = await _language_codes(session)
    texts = await _translations(session, "Category", rows, codes)
    listed: dict[int, list[tuple[int, int, int, int, int]]] = defaultdict(list)
    if market_ids and rows:
        in_markets = select(DisplayMarket.display_id).where(DisplayMarket.market_id.in_(list(market_ids)))
        statement = (
            _on_sale(store_id)
            .add_columns(
                DisplayCategory.category_id, DisplayCategory.sort_order, Display.sort_order, DisplayItem.sort_order
            )
            .join(DisplayCategory, DisplayCategory.display_id == Display.id)
            .where(Display.id.in_(in_markets))
        )
        for item_id, category_id, in_category, display_sort, item_sort in await session.execute(statement):
            listed[category_id].append((in_category, display_sort, item_sort, item_id, item_id))
    order = sorted(visible.values(), key=lambda p: tuple((paths[i].sort_order, i) for i in p.ids))
    return [
        StoreCategoryView(
            id=path.category_id,
            parent_id=path.parent_id,
            name=rows[path.category_id].name,
            uri=rows[path.category_id].uri,
            complete_uri=path.uri,
            sort_order=path.sort_order,
            meta_title=rows[path.category_id].meta_title,
            meta_description=rows[path.category_id].meta_description,
            meta_keywords=rows[path.category_id].meta_keywords,
            localized={
                code: {f: v for f, v in fields.items() if f in _CATEGORY_TEXTS}
                for code, fields in texts.get(path.category_id, {}).items()
            },
            product_ids=tuple(entry[-1] for entry in sorted(listed.get(path.category_id, []))),
        )
        for path in order
        if path.category_id in rows
    ]


@dataclass(frozen=True, slots=True)
class StoreItemMarkets:
    """A display item the store sells: its variant and the markets (of those asked) it is sold in."""

    display_item_id: int
    variant_id: int
    market_ids: tuple[int, ...]


async def store_item_markets(session: AsyncSession, store_id: int, market_ids: Sequence[int]) -> list[StoreItemMarkets]:
    """Every display item the store sells in ``market_ids``, in display order. One statement."""
    if not market_ids:
        return []
    statement = (
        _on_sale(store_id)
        .add_columns(DisplayItem.variant_id, DisplayMarket.market_id)
        .join(DisplayMarket, DisplayMarket.display_id == Display.id)
        .where(DisplayMarket.market_id.in_(list(market_ids)))
        .order_by(Display.sort_order, Display.id, DisplayItem.sort_order, DisplayItem.id, DisplayMarket.market_id)
    )
    found: dict[int, tuple[int, list[int]]] = {}
    for item_id, variant_id, market_id in await session.execute(statement):
        found.setdefault(item_id, (variant_id, []))[1].append(market_id)
    return [StoreItemMarkets(item_id, variant_id, tuple(markets)) for item_id, (variant_id, markets) in found.items()]
