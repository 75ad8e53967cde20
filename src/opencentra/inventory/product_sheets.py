"""What an integration reads about a product beside its stock: texts, categories, images, prices, attributes.

One ``ProductSheet`` per product, for the stores an integration serves:
the display texts (the first display of the product in those stores), the
category paths (``"Parent / Child"``), image URLs, every pricelist's price
with the campaigns running now, and the custom attributes of the product
and of each variant. Read in batches for a page of stock items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.models import AttributeType, AttributeValue, Category, Display, DisplayCategory, Media
from opencentra.db.engine import Database
from opencentra.inventory.stock_items import StockItem, StockItemFilter, find_stock_items
from opencentra.pricing.models import Campaign, CampaignVariant, Price
from opencentra.pricing.prices import campaign_price_minor
from opencentra.stores.models import Currency, Pricelist, Store


@dataclass(frozen=True, slots=True)
class CampaignPrice:
    campaign_id: int
    name: str
    price_minor: int


@dataclass(frozen=True, slots=True)
class PricelistPrice:
    pricelist_id: int
    pricelist: str
    currency: str
    decimals: int
    price_minor: int
    campaigns: tuple[CampaignPrice, ...] = ()


@dataclass(frozen=True)
class ProductSheet:
    product_id: int
    store: str = ""
    name: str = ""
    description: str = ""
    short_description: str = ""
    meta_title: str = ""
    meta_description: str = ""
    meta_keywords: str = ""
    categories: list[str] = field(default_factory=list)
    category_name: str | None = None
    images: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    # Per variant id.
    prices: dict[int, list[PricelistPrice]] = field(default_factory=dict)
    variant_attributes: dict[int, dict[str, str]] = field(default_factory=dict)
    variant_images: dict[int, list[str]] = field(default_factory=dict)


def _paths(categories: dict[int, Category]) -> dict[int, str]:
    paths: dict[int, str] = {}

    def path(category_id: int, depth: int = 0) -> str:
        if category_id in paths:
            return paths[category_id]
        category = categories[category_id]
        parent = category.parent_id
        text = category.name
        if parent is not None and parent in categories and depth < 10:
            text = f"{path(parent, depth + 1)} / {category.name}"
        paths[category_id] = text
        return text

    for category_id in categories:
        path(category_id)
    return paths


async def product_sheets(
    session: AsyncSession,
    product_variants: Iterable[tuple[int, int]],
    store_ids: Sequence[int],
    *,
    at: datetime,
    with_attributes: bool = False,
) -> dict[int, ProductSheet]:
    """Sheets for the products of (product_id, variant_id) pairs, as the stores show them."""
    pairs = set(product_variants)
    product_ids = sorted({p for p, _ in pairs})
    variant_ids = sorted({v for _, v in pairs})
    if not product_ids:
        return {}
    stores = {s.id: s.name for s in await session.scalars(select(Store).where(Store.id.in_(list(store_ids))))}
    displays: dict[int, Display] = {}
    for display in await session.scalars(
        select(Display)
        .where(Display.product_id.in_(product_ids), Display.store_id.in_(list(store_ids)))
        .order_by(Display.sort_order, Display.id)
    ):
        displays.setdefault(display.product_id, display)
    display_ids = [d.id for d in displays.values()]
    links = (
        await session.execute(
            select(DisplayCategory.display_id, DisplayCategory.category_id)
            .where(DisplayCategory.display_id.in_(display_ids))
            .order_by(DisplayCategory.sort_order, DisplayCategory.id)
        )
    ).all()
    categories = {
        c.id: c for c in await session.scalars(select(Category).where(Category.store_id.in_(list(store_ids))))
    }
    paths = _paths(categories)
    by_display: dict[int, list[int]] = defaultdict(list)
    for display_id, category_id in links:
        by_display[display_id].append(category_id)

    images: dict[int, list[str]] = defaultdict(list)
    variant_images: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for media in await session.scalars(
        select(Media).where(Media.product_id.in_(product_ids)).order_by(Media.sort_order, Media.id)
    ):
        if media.variant_id is None:
            images[media.product_id].append(media.url)
        else:
            variant_images[media.product_id][media.variant_id].append(media.url)

    prices = await _prices(session, variant_ids, store_ids, at)
    attributes: dict[int, dict[str, str]] = defaultdict(dict)
    variant_attributes: dict[int, dict[str, str]] = defaultdict(dict)
    if with_attributes:
        rows = await session.execute(
            select(AttributeType.key, AttributeValue.product_id, AttributeValue.variant_id, AttributeValue.value)
            .join(AttributeType, AttributeType.id == AttributeValue.attribute_type_id)
            .where(or_(AttributeValue.product_id.in_(product_ids), AttributeValue.variant_id.in_(variant_ids)))
        )
        for key, product_id, variant_id, value in rows:
            if product_id is not None:
                attributes[product_id][key] = value
            elif variant_id is not None:
                variant_attributes[variant_id][key] = value

    sheets: dict[int, ProductSheet] = {}
    variants_of: dict[int, list[int]] = defaultdict(list)
    for product_id, variant_id in pairs:
        variants_of[product_id].append(variant_id)
    for product_id in product_ids:
        shown = displays.get(product_id)
        chosen = [] if shown is None else by_display.get(shown.id, [])
        names = [paths[c] for c in chosen if c in paths]
        canonical = shown.canonical_category_id if shown else None
        category_name = categories[canonical].name if canonical in categories else None
        if category_name is None and chosen and chosen[0] in categories:
            category_name = categories[chosen[0]].name
        sheets[product_id] = ProductSheet(
            product_id=product_id,
            store=stores.get(shown.store_id, "") if shown else "",
            name=shown.name if shown else "",
            description=shown.description if shown else "",
            short_description=shown.short_description if shown else "",
            meta_title=shown.meta_title if shown else "",
            meta_description=shown.meta_description if shown else "",
            meta_keywords=shown.meta_keywords if shown else "",
            categories=names,
            category_name=category_name,
            images=images.get(product_id, []),
            attributes=dict(attributes.get(product_id, {})),
            prices={v: prices.get(v, []) for v in variants_of[product_id]},
            variant_attributes={v: dict(variant_attributes.get(v, {})) for v in variants_of[product_id]},
            variant_images={v: list(variant_images[product_id].get(v, [])) for v in variants_of[product_id]},
        )
    return sheets


async def _prices(
    session: AsyncSession, variant_ids: Sequence[int], store_ids: Sequence[int], at: datetime
) -> dict[int, list[PricelistPrice]]:
    pricelists = {
        p.id: (p, currency)
        for p, currency in (
            await session.execute(
                select(Pricelist, Currency)
                .join(Currency, Currency.id == Pricelist.currency_id)
                .where(Pricelist.store_id.in_(list(store_ids)))
                .order_by(Pricelist.id)
            )
        ).all()
    }
    if not pricelists or not variant_ids:
        return {}
    running = and_(
        Campaign.active.is_(True),
        Campaign.store_id.in_(list(store_ids)),
        or_(Campaign.starts_at.is_(None), Campaign.starts_at <= at),
        or_(Campaign.ends_at.is_(None), Campaign.ends_at > at),
    )
    campaigns: dict[int, list[tuple[int, str, int | None, int]]] = defaultdict(list)
    for campaign_id, name, variant_id, pricelist_id, discount_bp in await session.execute(
        select(
            Campaign.id,
            Campaign.name,
            CampaignVariant.variant_id,
            CampaignVariant.pricelist_id,
            CampaignVariant.discount_bp,
        )
        .join(CampaignVariant, CampaignVariant.campaign_id == Campaign.id)
        .where(running, CampaignVariant.variant_id.in_(list(variant_ids)))
        .order_by(Campaign.id)
    ):
        campaigns[variant_id].append((campaign_id, name, pricelist_id, discount_bp))
    result: dict[int, list[PricelistPrice]] = defaultdict(list)
    for price in await session.scalars(
        select(Price)
        .where(Price.variant_id.in_(list(variant_ids)), Price.pricelist_id.in_(list(pricelists)))
        .order_by(Price.pricelist_id)
    ):
        pricelist, currency = pricelists[price.pricelist_id]
        offers = tuple(
            CampaignPrice(campaign_id, name, campaign_price_minor(price.price_minor, discount_bp))
            for campaign_id, name, only_pricelist, discount_bp in campaigns.get(price.variant_id, [])
            if only_pricelist in (None, price.pricelist_id)
        )
        result[price.variant_id].append(
            PricelistPrice(pricelist.id, pricelist.name, currency.code, currency.decimals, price.price_minor, offers)
        )
    return result


async def product_page(
    db: Database,
    where: StockItemFilter,
    store_ids: Sequence[int],
    *,
    limit: int | None,
    offset: int = 0,
    at: datetime,
    with_attributes: bool = False,
) -> tuple[list[StockItem], dict[int, ProductSheet]]:
    """A page of stock items with their products' sheets, in one read."""
    async with db.read() as session:
        items = await find_stock_items(session, where, limit=limit, offset=offset)
        sheets = await product_sheets(
            session, {(i.product_id, i.variant_id) for i in items}, store_ids, at=at, with_attributes=with_attributes
        )
        return items, sheets
