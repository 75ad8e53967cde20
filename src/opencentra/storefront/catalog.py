"""The storefront catalogue: what a shopper in one market and pricelist can see.

A ``CatalogSnapshot`` holds every product (display item) on sale in a market,
priced in one pricelist, as plain values; it is read in a few bulk queries
and kept per process until a catalogue event arrives (see
``opencentra.storefront.cache``). Listing, filtering, searching, sorting and
facet counts (POST /products) are then pure functions over it, so a hot
catalogue request never touches the database.

Stock is separate (``StockSnapshot``): it changes with every order, while
names, prices and categories rarely do.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable

from opencentra.catalog.bundles import bundle_units, needs_for_sizes
from opencentra.catalog.categories import CategoryPath, category_paths
from opencentra.catalog.items import format_item_id
from opencentra.catalog.models import (
    AttributeType,
    AttributeValue,
    Brand,
    Collection,
    Display,
    DisplayCategory,
    DisplayItem,
    DisplayMarket,
    DisplayRelation,
    Media,
    Product,
    ProductSize,
    ProductStatus,
    ProductVariant,
    Size,
    SizeChart,
)
from opencentra.db.base import utcnow
from opencentra.errors import NotFound, ValidationFailed
from opencentra.inventory.models import Stock
from opencentra.inventory.services import available_for_market
from opencentra.pricing import alterations
from opencentra.pricing.history import ObservedPrice, lowest_prices
from opencentra.pricing.models import Campaign
from opencentra.pricing.prices import PriceInfo, price_for_variants
from opencentra.storefront.bundles import BundleInfoData, catalogue_bundle_infos
from opencentra.stores.models import AllocationRuleWarehouse, Market
from opencentra.subscriptions.services import PlanInfo, plans_by_display

# Every snapshot gets a serial, so caches of what was built from it can key on it.
_serials = itertools.count(1)

# The largest page POST /products serves; Centra documents no limit but asks
# clients to page ("surely not 99999").
MAX_LIMIT = 10_000
# Words longer than this match with one typo (Centra: "longer than 3 characters").
FUZZY_MIN_LENGTH = 4
SORT_FIELDS = frozenset({"uri", "categoryItemSort", "collectionUri", "priceAsNumber", "createdAt", "modifiedAt"})


@dataclass(frozen=True, slots=True)
class Named:
    id: int
    name: str
    uri: str


@dataclass(frozen=True, slots=True)
class CategoryRef:
    id: int
    parent_id: int | None
    names: tuple[str, ...]
    uri: str
    ancestors: tuple[int, ...]
    # The display's position in this category ("categoryItemSort").
    sort_order: int


@dataclass(frozen=True, slots=True)
class ItemData:
    item: str
    product_size_id: int
    size_id: int
    name: str
    x: int
    y: int
    ean: str
    sku: str


@dataclass(frozen=True)
class ProductData:
    """One API product: a display item, as a shopper in one market and pricelist sees it."""

    display_item_id: int
    display_id: int
    product_id: int
    variant_id: int
    name: str
    uri: str
    sku: str
    product_sku: str
    brand: Named | None
    collection: Named | None
    variant_name: str
    country_origin: str
    excerpt: str
    description: str
    meta_title: str
    meta_description: str
    meta_keywords: str
    stock_unit: str
    canonical_category: CategoryRef | None
    categories: tuple[CategoryRef, ...]
    item_quantity_minimum: int
    item_quantity_multiple_of: int
    tax_group_id: int | None
    price: PriceInfo | None
    size_x: tuple[str, ...]
    size_y: tuple[str, ...]
    divider_symbol: str
    items: tuple[ItemData, ...]
    media: tuple[str, ...]
    # (key, value); a key with "__" renders nested ("swatch__desc" -> swatch.desc).
    attributes: tuple[tuple[str, str], ...]
    # (display item id, relation), in display order.
    related: tuple[tuple[int, str], ...]
    created_at: datetime
    modified_at: datetime
    sort_key: tuple[int, int, int, int]
    search_tokens: frozenset[str]
    category_ids: frozenset[int] = field(default_factory=frozenset)
    # The subscription plans the display offers (Centra's ``subscriptionPlans``).
    subscription_plans: tuple[PlanInfo, ...] = ()
    # The lowest (price, price before discount) of the last 30 days, where history exists.
    lowest_price: tuple[Decimal, Decimal] | None = None
    # Set when the product is a bundle (Centra's ``bundleInfo``).
    bundle_info: BundleInfoData | None = None

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.item for i in self.items)


@dataclass(frozen=True)
class CatalogSnapshot:
    store_id: int
    market_id: int
    pricelist_id: int
    products: tuple[ProductData, ...]
    by_display_item: dict[int, ProductData]
    categories: dict[int, CategoryPath]
    # Active categories in admin order (GET /categories).
    category_order: tuple[int, ...]
    # Every folded token, sorted, for prefix and typo matching.
    vocabulary: tuple[str, ...]
    built_at: datetime
    # A campaign starts or ends then: prices are stale from that moment.
    valid_until: datetime | None = None
    serial: int = field(default_factory=lambda: next(_serials))

    def product(self, display_item_id: int) -> ProductData:
        found = self.by_display_item.get(display_item_id)
        if found is None:
            raise NotFound("product not found", field="product")
        return found

    def by_uri(self, uri: str) -> ProductData | None:
        """The primary item of the display at ``uri`` (its first variant)."""
        matches = [p for p in self.products if p.uri == uri]
        return min(matches, key=lambda p: p.sort_key) if matches else None

    def category_by_uri(self, uri: str) -> CategoryPath | None:
        return next((c for c in self.categories.values() if c.uri == uri and c.active), None)


@dataclass(frozen=True)
class StockSnapshot:
    """Free-to-allocate units per size in one market's warehouses."""

    market_id: int
    available: Mapping[int, int]
    serial: int = field(default_factory=lambda: next(_serials))

    def units(self, product_size_id: int) -> int:
        return self.available.get(product_size_id, 0)

    def product_available(self, product: ProductData) -> bool:
        return any(self.units(item.product_size_id) > 0 for item in product.items)


# --- text folding --------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case without accents, so "Grön" matches "gron"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def matching_tokens(vocabulary: Sequence[str], word: str) -> set[str]:
    """Tokens a search word matches: by prefix, or (long words) with one typo."""
    found: set[str] = set()
    start = bisect.bisect_left(vocabulary, word)
    for token in vocabulary[start:]:
        if not token.startswith(word):
            break
        found.add(token)
    if len(word) >= FUZZY_MIN_LENGTH:
        found.update(t for t in vocabulary if abs(len(t) - len(word)) <= 1 and _within_one_edit(t, word))
    return found


# --- building the snapshot -----------------------------------------------------------------


def _category_ref(path: CategoryPath, sort_order: int) -> CategoryRef:
    return CategoryRef(
        id=path.category_id,
        parent_id=path.parent_id,
        names=path.names,
        uri=path.uri,
        ancestors=path.ids[:-1],
        sort_order=sort_order,
    )


def _size_grid(names: Sequence[str], divider: str) -> tuple[tuple[str, ...], tuple[str, ...], list[tuple[int, int]]]:
    """Split two-dimensional size names ("W28xL32") into the x and y axes."""
    split = [name.split(divider, 1) if divider and divider in name else [name] for name in names]
    if names and all(len(parts) == 2 for parts in split):
        xs = list(dict.fromkeys(parts[0] for parts in split))
        ys = list(dict.fromkeys(parts[1] for parts in split))
        positions = [(xs.index(parts[0]), ys.index(parts[1])) for parts in split]
        return tuple(xs), tuple(ys), positions
    return tuple(names), (), [(index, 0) for index in range(len(names))]


async def build_catalog(session: AsyncSession, store_id: int, market_id: int, pricelist_id: int) -> CatalogSnapshot:
    """Every product on sale in the market, priced in the pricelist."""
    rows = (
        await session.execute(
            select(
                DisplayItem.id,
                DisplayItem.sort_order,
                Display.id,
                Display.name,
                Display.uri,
                Display.description,
                Display.short_description,
                Display.meta_title,
                Display.meta_description,
                Display.meta_keywords,
                Display.canonical_category_id,
                Display.sort_order,
                Display.created_at,
                Display.updated_at,
                Product.id,
                Product.product_number,
                Product.brand_id,
                Product.collection_id,
                Product.country_of_origin,
                Product.stock_unit,
                Product.item_quantity_minimum,
                Product.item_quantity_multiple_of,
                Product.tax_group_id,
                Product.size_chart_id,
                Product.updated_at,
                ProductVariant.id,
                ProductVariant.name,
                ProductVariant.variant_number,
                ProductVariant.updated_at,
            )
            .select_from(DisplayItem)
            .join(Display, Display.id == DisplayItem.display_id)
            .join(DisplayMarket, (DisplayMarket.display_id == Display.id) & (DisplayMarket.market_id == market_id))
            .join(ProductVariant, ProductVariant.id == DisplayItem.variant_id)
            .join(Product, Product.id == ProductVariant.product_id)
            .where(
                Display.store_id == store_id,
                Display.active.is_(True),
                ProductVariant.active.is_(True),
                Product.status == ProductStatus.ACTIVE.value,
            )
        )
    ).all()
    variant_ids = sorted({row[25] for row in rows})
    product_ids = sorted({row[14] for row in rows})
    display_ids = sorted({row[2] for row in rows})

    sizes_by_variant: dict[int, list[tuple[int, int, str, int, str | None, str]]] = {}
    for size_row in await _in_chunks(
        session,
        variant_ids,
        lambda chunk: (
            select(
                ProductSize.variant_id,
                ProductSize.id,
                Size.name,
                Size.id,
                ProductSize.ean,
                ProductSize.sku,
                Size.position,
            )
            .join(Size, Size.id == ProductSize.size_id)
            .where(ProductSize.variant_id.in_(chunk))
        ),
    ):
        sizes_by_variant.setdefault(size_row[0], []).append(
            (size_row[6], size_row[1], size_row[2], size_row[3], size_row[4], size_row[5])
        )
    dividers = {
        chart_id: divider for chart_id, divider in await session.execute(select(SizeChart.id, SizeChart.divider_symbol))
    }
    brands = {b.id: Named(b.id, b.name, b.uri) for b in await session.scalars(select(Brand))}
    collections = {c.id: Named(c.id, c.name, c.uri) for c in await session.scalars(select(Collection))}

    paths = await category_paths(session, store_id)
    display_categories: dict[int, list[tuple[int, int]]] = {}
    for display_id, category_id, sort_order in await _in_chunks(
        session,
        display_ids,
        lambda chunk: select(DisplayCategory.display_id, DisplayCategory.category_id, DisplayCategory.sort_order).where(
            DisplayCategory.display_id.in_(chunk)
        ),
    ):
        display_categories.setdefault(display_id, []).append((category_id, sort_order))

    media: dict[tuple[int, int | None], list[tuple[int, int, str]]] = {}
    for product_id, variant_id, sort_order, media_id, url in await _in_chunks(
        session,
        product_ids,
        lambda chunk: select(Media.product_id, Media.variant_id, Media.sort_order, Media.id, Media.url).where(
            Media.product_id.in_(chunk)
        ),
    ):
        media.setdefault((product_id, variant_id), []).append((sort_order, media_id, url))

    attribute_keys = {t.id: t.key for t in await session.scalars(select(AttributeType))}
    product_attributes: dict[int, dict[str, str]] = {}
    variant_attributes: dict[int, dict[str, str]] = {}
    if attribute_keys:
        for type_id, owner_product, value in await _in_chunks(
            session,
            product_ids,
            lambda chunk: select(
                AttributeValue.attribute_type_id, AttributeValue.product_id, AttributeValue.value
            ).where(AttributeValue.product_id.in_(chunk)),
        ):
            product_attributes.setdefault(owner_product, {})[attribute_keys[type_id]] = value
        for type_id, owner_variant, value in await _in_chunks(
            session,
            variant_ids,
            lambda chunk: select(
                AttributeValue.attribute_type_id, AttributeValue.variant_id, AttributeValue.value
            ).where(AttributeValue.variant_id.in_(chunk)),
        ):
            variant_attributes.setdefault(owner_variant, {})[attribute_keys[type_id]] = value

    relations: dict[int, list[tuple[int, int, str]]] = {}
    for display_id, related_id, relation, sort_order in await _in_chunks(
        session,
        display_ids,
        lambda chunk: select(
            DisplayRelation.display_id,
            DisplayRelation.related_display_id,
            DisplayRelation.relation,
            DisplayRelation.sort_order,
        ).where(DisplayRelation.display_id.in_(chunk)),
    ):
        relations.setdefault(display_id, []).append((sort_order, related_id, relation))

    prices = await price_for_variants(session, pricelist_id, market_id, variant_ids, utcnow())
    subscription_plans = await plans_by_display(session, store_id)
    lowest = await lowest_prices(session, pricelist_id, market_id, at=utcnow())

    items_of_display: dict[int, list[tuple[int, int]]] = {}
    for entry in rows:
        items_of_display.setdefault(entry[2], []).append((entry[1], entry[0]))
    for entries in items_of_display.values():
        entries.sort()

    products: list[ProductData] = []
    vocabulary: set[str] = set()
    for raw in rows:
        row: Any = raw
        (item_id, item_sort, display_id, display_name, display_uri, description, excerpt) = row[0:7]
        (meta_title, meta_description, meta_keywords, canonical_id, display_sort, created_at, display_updated) = row[
            7:14
        ]
        (product_id, product_number, brand_id, collection_id, origin, stock_unit, minimum, multiple) = row[14:22]
        (tax_group_id, chart_id, product_updated, variant_id, variant_name, variant_number, variant_updated) = row[
            22:29
        ]
        divider = dividers.get(chart_id, "x")
        sizes = sorted(sizes_by_variant.get(variant_id, []))
        xs, ys, positions = _size_grid([s[2] for s in sizes], divider)
        items = tuple(
            ItemData(
                item=format_item_id(item_id, size_id_),
                product_size_id=size_id_,
                size_id=chart_size_id,
                name=size_name,
                x=positions[index][0],
                y=positions[index][1],
                ean=ean or "",
                sku=f"{product_number}{variant_number}{size_sku}",
            )
            for index, (_position, size_id_, size_name, chart_size_id, ean, size_sku) in enumerate(sizes)
        )
        category_refs = tuple(
            _category_ref(paths[category_id], sort_order)
            for category_id, sort_order in display_categories.get(display_id, [])
            if category_id in paths and paths[category_id].active
        )
        canonical = next(
            (c for c in category_refs if c.id == canonical_id), category_refs[0] if category_refs else None
        )
        variant_media = sorted(media.get((product_id, variant_id), []))
        product_media = sorted(media.get((product_id, None), []))
        attributes = {**product_attributes.get(product_id, {}), **variant_attributes.get(variant_id, {})}
        related: list[tuple[int, str]] = [
            (other, "variant") for _sort, other in items_of_display.get(display_id, []) if other != item_id
        ]
        for _sort, related_display, relation in sorted(relations.get(display_id, [])):
            primary = items_of_display.get(related_display)
            if primary:
                related.append((primary[0][1], relation))
        brand = brands.get(brand_id) if brand_id is not None else None
        collection = collections.get(collection_id) if collection_id is not None else None
        tokens = set(
            words(
                " ".join(
                    [
                        display_name,
                        variant_name,
                        product_number + variant_number,
                        brand.name if brand else "",
                        collection.name if collection else "",
                        excerpt,
                        " ".join(c.names[-1] for c in category_refs),
                    ]
                )
            )
        )
        vocabulary.update(tokens)
        category_ids = {c.id for c in category_refs}
        for ref in category_refs:
            category_ids.update(ref.ancestors)
        products.append(
            ProductData(
                display_item_id=item_id,
                display_id=display_id,
                product_id=product_id,
                variant_id=variant_id,
                name=display_name,
                uri=display_uri,
                sku=f"{product_number}{variant_number}",
                product_sku=product_number,
                brand=brand,
                collection=collection,
                variant_name=variant_name,
                country_origin=origin or "",
                excerpt=excerpt,
                description=description,
                meta_title=meta_title,
                meta_description=meta_description,
                meta_keywords=meta_keywords,
                stock_unit=stock_unit,
                canonical_category=canonical,
                categories=category_refs,
                item_quantity_minimum=minimum,
                item_quantity_multiple_of=multiple,
                tax_group_id=tax_group_id,
                price=prices.get(variant_id),
                size_x=xs,
                size_y=ys,
                divider_symbol=divider,
                items=items,
                media=tuple(url for _s, _i, url in variant_media + product_media),
                attributes=tuple(sorted(attributes.items())),
                related=tuple(related),
                created_at=created_at,
                modified_at=max(display_updated, product_updated, variant_updated),
                sort_key=(display_sort, display_id, item_sort, item_id),
                search_tokens=frozenset(tokens),
                category_ids=frozenset(category_ids),
                subscription_plans=subscription_plans.get(display_id, ()),
                lowest_price=_lowest(prices.get(variant_id), lowest.get(variant_id)),
            )
        )
    bundle_infos = await catalogue_bundle_infos(
        session, store_id, market_id, pricelist_id, {p.variant_id for p in products}, utcnow()
    )
    if bundle_infos:
        products = [replace(p, bundle_info=bundle_infos.get(p.variant_id)) for p in products]
    products.sort(key=lambda p: p.sort_key)
    category_order = tuple(
        path.category_id
        for path in sorted(paths.values(), key=lambda p: (_path_sort(paths, p), p.ids))
        if path.active and all(paths[a].active for a in path.ids if a in paths)
    )
    built_at = utcnow()
    return CatalogSnapshot(
        valid_until=await next_campaign_change(session, store_id, built_at),
        store_id=store_id,
        market_id=market_id,
        pricelist_id=pricelist_id,
        products=tuple(products),
        by_display_item={p.display_item_id: p for p in products},
        categories=paths,
        category_order=category_order,
        vocabulary=tuple(sorted(vocabulary)),
        built_at=built_at,
    )


def _lowest(price: PriceInfo | None, observed: ObservedPrice | None) -> tuple[Decimal, Decimal] | None:
    """The lowest of the history and the price in force now (history may lag a change by one run)."""
    if price is None or observed is None:
        return None
    decimals = price.currency_decimals
    if price.price_minor <= observed.price_minor:
        return price.price, price.price_before_discount
    return (
        Decimal(observed.price_minor).scaleb(-decimals),
        Decimal(observed.price_before_discount_minor).scaleb(-decimals),
    )


def _path_sort(paths: Mapping[int, CategoryPath], path: CategoryPath) -> tuple[tuple[int, int], ...]:
    return tuple((paths[i].sort_order, i) if i in paths else (0, i) for i in path.ids)


async def _in_chunks(
    session: AsyncSession, ids: Sequence[int], query: Callable[[Sequence[int]], Executable], size: int = 500
) -> list[Any]:
    """Run ``query(chunk)`` for chunks of ids, keeping IN lists within driver limits."""
    rows: list[Any] = []
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        result = await session.execute(query(chunk))
        rows.extend(tuple(row) for row in result)
    return rows


async def build_stock(session: AsyncSession, market_id: int) -> StockSnapshot:
    """Free units per size over the market's warehouses (none without an allocation rule)."""
    rule_id = await session.scalar(select(Market.allocation_rule_id).where(Market.id == market_id))
    if rule_id is None:
        return StockSnapshot(market_id, {})
    rows = await session.execute(
        select(Stock.product_size_id, func.sum(Stock.physical - Stock.allocated))
        .join(AllocationRuleWarehouse, AllocationRuleWarehouse.warehouse_id == Stock.warehouse_id)
        .where(AllocationRuleWarehouse.allocation_rule_id == rule_id)
        .group_by(Stock.product_size_id)
    )
    units = {size_id: int(units or 0) for size_id, units in rows}
    # Bundles have no stock rows: their units follow their components.
    units.update(bundle_units(await needs_for_sizes(session, None), units))
    return StockSnapshot(market_id, units)


async def patch_stock(session: AsyncSession, snapshot: StockSnapshot, stock_row_ids: Iterable[int]) -> StockSnapshot:
    """``snapshot`` with the sizes of the given stock rows read again (after stock events)."""
    row_ids = sorted(set(stock_row_ids))
    sizes: set[int] = set()
    for start in range(0, len(row_ids), 500):
        chunk = row_ids[start : start + 500]
        sizes.update(await session.scalars(select(Stock.product_size_id).where(Stock.id.in_(chunk))))
    available = dict(snapshot.available)
    if sizes:
        available.update(await available_for_market(session, snapshot.market_id, sizes))
        available.update(bundle_units(await needs_for_sizes(session, None), available))
    return StockSnapshot(snapshot.market_id, available)


async def next_campaign_change(session: AsyncSession, store_id: int, after: datetime) -> datetime | None:
    """When a campaign of the store next starts or ends, or a price alteration comes into force:
    prices change then without an event."""
    starts = await session.scalar(
        select(func.min(Campaign.starts_at)).where(
            Campaign.store_id == store_id, Campaign.active.is_(True), Campaign.starts_at > after
        )
    )
    ends = await session.scalar(
        select(func.min(Campaign.ends_at)).where(
            Campaign.store_id == store_id, Campaign.active.is_(True), Campaign.ends_at > after
        )
    )
    altered = await alterations.next_start(session, store_id, after)
    found = [moment for moment in (starts, ends, altered) if moment is not None]
    return min(found) if found else None


# --- querying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SortField:
    field: str
    descending: bool


@dataclass(frozen=True)
class ProductQuery:
    """POST /products: AND across fields, OR within one field's list."""

    skip_first: int = 0
    limit: int | None = None
    categories: tuple[int, ...] = ()
    collections: tuple[int, ...] = ()
    brands: tuple[int, ...] = ()
    products: tuple[int, ...] = ()
    silk_product: int | None = None
    search: str | None = None
    only_available: bool = False
    # "<attr>" or "<attr>.<element>" -> values; "items.name" filters by size name.
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: tuple[SortField, ...] = ()

    def check(self) -> None:
        if self.skip_first < 0:
            raise ValidationFailed("skipFirst must be zero or more", field="skipFirst")
        if self.limit is not None and not 0 <= self.limit <= MAX_LIMIT:
            raise ValidationFailed(f"limit must be between 0 and {MAX_LIMIT}", field="limit")
        for sort in self.sort:
            if sort.field not in SORT_FIELDS:
                raise ValidationFailed(f"cannot sort by {sort.field!r}", field="sortOrder")


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    total_count: int
    # What the value is: a brand, collection or category, or None for plain values.
    ref: Named | CategoryPath | None = None


@dataclass(frozen=True)
class Facet:
    field: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class ProductPage:
    products: tuple[ProductData, ...]
    count: int
    facets: tuple[Facet, ...]


def attribute_field(key: str) -> str:
    """The filter field of an attribute key: ``swatch__desc`` is ``swatch.desc``."""
    return key.replace("__", ".")


def _attribute_values(product: ProductData, name: str) -> set[str]:
    if name == "items.name":
        return {item.name for item in product.items}
    return {value for key, value in product.attributes if attribute_field(key) == name}


def _search_matches(snapshot: CatalogSnapshot, search: str) -> set[int] | None:
    """Display items whose text matches every word; None when there are no words."""
    query_words = words(search)
    if not query_words:
        return None
    result: set[int] | None = None
    for word in query_words:
        tokens = matching_tokens(snapshot.vocabulary, word)
        hits = {p.display_item_id for p in snapshot.products if p.search_tokens & tokens}
        result = hits if result is None else result & hits
        if not result:
            return set()
    return result


def _matches(
    product: ProductData,
    query: ProductQuery,
    stock: StockSnapshot | None,
    searched: set[int] | None,
) -> bool:
    if query.categories and not product.category_ids.intersection(query.categories):
        return False
    if query.collections and (product.collection is None or product.collection.id not in query.collections):
        return False
    if query.brands and (product.brand is None or product.brand.id not in query.brands):
        return False
    if query.products and product.display_item_id not in query.products:
        return False
    if query.silk_product is not None and product.product_id != query.silk_product:
        return False
    if searched is not None and product.display_item_id not in searched:
        return False
    if query.only_available and (stock is None or not stock.product_available(product)):
        return False
    return all(_attribute_values(product, name).intersection(values) for name, values in query.attributes)


def _sort_value(product: ProductData, sort: SortField, query: ProductQuery) -> tuple[int, object]:
    if sort.field == "uri":
        return (0, product.uri)
    if sort.field == "collectionUri":
        return (0, product.collection.uri if product.collection else "")
    if sort.field == "priceAsNumber":
        # Unpriced products sort last either way.
        return (0, product.price.price) if product.price else (1, Decimal(0))
    if sort.field == "createdAt":
        return (0, product.created_at)
    if sort.field == "modifiedAt":
        return (0, product.modified_at)
    wanted = set(query.categories)
    positions = [c.sort_order for c in product.categories if not wanted or c.id in wanted]
    return (0, min(positions)) if positions else (1, 0)


def _sorted(products: list[ProductData], query: ProductQuery) -> list[ProductData]:
    ordered = sorted(products, key=lambda p: p.sort_key)
    for sort in reversed(query.sort):
        present = [p for p in ordered if _sort_value(p, sort, query)[0] == 0]
        missing = [p for p in ordered if _sort_value(p, sort, query)[0] != 0]
        present.sort(key=lambda p: _sort_value(p, sort, query)[1], reverse=sort.descending)  # type: ignore[arg-type, return-value]
        ordered = present + missing
    return ordered


def _facets(
    snapshot: CatalogSnapshot, matched: Sequence[ProductData], attribute_names: Iterable[str]
) -> tuple[Facet, ...]:
    def count(values_of: object, universe: Sequence[ProductData]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for product in universe:
            for value in values_of(product):  # type: ignore[operator]
                counts[value] = counts.get(value, 0) + 1
        return counts

    facets: list[Facet] = []

    def brand_values(p: ProductData) -> list[str]:
        return [str(p.brand.id)] if p.brand else []

    def collection_values(p: ProductData) -> list[str]:
        return [str(p.collection.id)] if p.collection else []

    def category_values(p: ProductData) -> list[str]:
        return [str(c) for c in p.category_ids]

    refs_brand = {str(p.brand.id): p.brand for p in snapshot.products if p.brand}
    refs_collection = {str(p.collection.id): p.collection for p in snapshot.products if p.collection}
    for name, values_of, refs in (
        ("brands", brand_values, refs_brand),
        ("collections", collection_values, refs_collection),
    ):
        totals = count(values_of, snapshot.products)
        current = count(values_of, matched)
        facets.append(
            Facet(
                name,
                tuple(
                    FacetValue(value, current.get(value, 0), total, refs.get(value))
                    for value, total in sorted(totals.items(), key=lambda kv: (refs[kv[0]].name, kv[0]))
                ),
            )
        )
    totals = count(category_values, snapshot.products)
    current = count(category_values, matched)
    facets.append(
        Facet(
            "categories",
            tuple(
                FacetValue(str(cid), current.get(str(cid), 0), totals[str(cid)], snapshot.categories[cid])
                for cid in snapshot.category_order
                if str(cid) in totals
            ),
        )
    )
    for name in attribute_names:

        def attr_values(p: ProductData, name: str = name) -> set[str]:
            return _attribute_values(p, name)

        totals = count(attr_values, snapshot.products)
        current = count(attr_values, matched)
        facets.append(Facet(name, tuple(FacetValue(v, current.get(v, 0), t) for v, t in sorted(totals.items()))))
    return tuple(facets)


def attribute_fields(snapshot: CatalogSnapshot) -> tuple[str, ...]:
    """Every filterable attribute field of the catalogue, plus size names."""
    names = {attribute_field(key) for p in snapshot.products for key, _v in p.attributes}
    return ("items.name", *sorted(names))


def search_products(
    snapshot: CatalogSnapshot, stock: StockSnapshot | None, query: ProductQuery, *, with_facets: bool = True
) -> ProductPage:
    query.check()
    searched = _search_matches(snapshot, query.search) if query.search else None
    matched = [p for p in snapshot.products if _matches(p, query, stock, searched)]
    ordered = _sorted(matched, query)
    end = None if query.limit is None else query.skip_first + query.limit
    page = tuple(ordered[query.skip_first : end])
    facets = _facets(snapshot, matched, attribute_fields(snapshot)) if with_facets else ()
    return ProductPage(products=page, count=len(matched), facets=facets)


def category_products(
    snapshot: CatalogSnapshot, stock: StockSnapshot | None, category_id: int, skip_first: int, limit: int | None
) -> ProductPage:
    return search_products(snapshot, stock, ProductQuery(skip_first=skip_first, limit=limit, categories=(category_id,)))
