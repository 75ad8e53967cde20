"""Displays: a product as one store sells it, in chosen markets and categories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog import _refs
from opencentra.catalog._checks import optional_text, required_text, unique_ids
from opencentra.catalog.models import (
    Category,
    Display,
    DisplayCategory,
    DisplayItem,
    DisplayMarket,
    DisplayRelation,
    DisplayRelationType,
    Product,
    ProductVariant,
)
from opencentra.catalog.uris import uri_for
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events import outbox


@dataclass(frozen=True)
class DisplaySpec:
    """``variant_ids`` are activated in order; the first is the primary item."""

    store_id: int
    product_id: int
    name: str
    variant_ids: Sequence[int]
    market_ids: Sequence[int] = ()
    category_ids: Sequence[int] = ()
    uri: str | None = None
    description: str = ""
    short_description: str = ""
    meta_title: str = ""
    meta_description: str = ""
    meta_keywords: str = ""
    # Defaults to the first of category_ids.
    canonical_category_id: int | None = None
    active: bool = True
    sort_order: int = 0


async def create_display(db: Database, spec: DisplaySpec) -> Display:
    """Create a display with its items, markets and categories (all loaded)."""
    async with db.write() as session:
        return await create_display_in(session, spec)


async def create_display_in(session: AsyncSession, spec: DisplaySpec) -> Display:
    """``create_display`` inside a transaction the caller owns (bulk seeding)."""
    name = required_text(spec.name, field="name")
    uri = uri_for(name, spec.uri)
    variant_ids = unique_ids(spec.variant_ids, field="variants")
    market_ids = unique_ids(spec.market_ids, field="markets")
    category_ids = unique_ids(spec.category_ids, field="categories")
    if not variant_ids:
        raise ValidationFailed("activate at least one variant", field="variants")
    canonical = spec.canonical_category_id
    if canonical is None and category_ids:
        canonical = category_ids[0]
    if canonical is not None and canonical not in category_ids:
        raise ValidationFailed("the canonical category must be one of the categories", field="canonical_category")

    if await session.scalar(select(_refs.stores.c.id).where(_refs.stores.c.id == spec.store_id)) is None:
        raise NotFound(f"store {spec.store_id} not found", field="store")
    if await session.get(Product, spec.product_id) is None:
        raise NotFound(f"product {spec.product_id} not found", field="product")
    own_variants = set(
        await session.scalars(
            select(ProductVariant.id).where(
                ProductVariant.product_id == spec.product_id, ProductVariant.id.in_(variant_ids)
            )
        )
    )
    if missing := [v for v in variant_ids if v not in own_variants]:
        raise ValidationFailed(f"variants {missing} are not variants of product {spec.product_id}", field="variants")
    if market_ids:
        markets = _refs.markets
        own_markets = set(
            await session.scalars(
                select(markets.c.id).where(markets.c.store_id == spec.store_id, markets.c.id.in_(market_ids))
            )
        )
        if missing := [m for m in market_ids if m not in own_markets]:
            raise ValidationFailed(f"markets {missing} are not markets of store {spec.store_id}", field="markets")
    if category_ids:
        own_categories = set(
            await session.scalars(
                select(Category.id).where(Category.store_id == spec.store_id, Category.id.in_(category_ids))
            )
        )
        if missing := [c for c in category_ids if c not in own_categories]:
            raise ValidationFailed(
                f"categories {missing} are not categories of store {spec.store_id}", field="categories"
            )
    taken = await session.scalar(select(Display.id).where(Display.store_id == spec.store_id, Display.uri == uri))
    if taken is not None:
        raise Conflict(f"display uri {uri!r} is already used in this store", field="uri")

    display = Display(
        store_id=spec.store_id,
        product_id=spec.product_id,
        name=name,
        uri=uri,
        description=spec.description,
        short_description=spec.short_description,
        meta_title=optional_text(spec.meta_title, field="meta_title"),
        meta_description=optional_text(spec.meta_description, field="meta_description", max_length=10_000),
        meta_keywords=optional_text(spec.meta_keywords, field="meta_keywords"),
        canonical_category_id=canonical,
        active=spec.active,
        sort_order=spec.sort_order,
        items=[DisplayItem(variant_id=v, sort_order=i) for i, v in enumerate(variant_ids)],
        markets=[DisplayMarket(market_id=m) for m in market_ids],
        categories=[DisplayCategory(category_id=c) for c in category_ids],
    )
    session.add(display)
    await session.flush()
    await outbox.record(
        session,
        "display",
        display.id,
        "created",
        {
            "product": spec.product_id,
            "uri": uri,
            "items": [{"id": item.id, "variant": item.variant_id} for item in display.items],
            "markets": market_ids,
            "categories": category_ids,
        },
        store_id=spec.store_id,
    )
    return display


async def relate_displays(
    db: Database,
    display_id: int,
    related_display_id: int,
    *,
    relation: DisplayRelationType = DisplayRelationType.STANDARD,
) -> DisplayRelation:
    """Link a display to another of the same store (one way)."""
    if display_id == related_display_id:
        raise ValidationFailed("a display cannot relate to itself", field="related")
    async with db.write() as session:
        display = await session.get(Display, display_id)
        if display is None:
            raise NotFound(f"display {display_id} not found", field="display")
        related = await session.get(Display, related_display_id)
        if related is None or related.store_id != display.store_id:
            raise NotFound(f"display {related_display_id} not found in the same store", field="related")
        relation_value = DisplayRelationType(relation).value
        existing = await session.scalar(
            select(DisplayRelation).where(
                DisplayRelation.display_id == display_id,
                DisplayRelation.related_display_id == related_display_id,
                DisplayRelation.relation == relation_value,
            )
        )
        if existing is not None:
            return existing
        link = DisplayRelation(display_id=display_id, related_display_id=related_display_id, relation=relation_value)
        session.add(link)
        await session.flush()
        await outbox.record(
            session,
            "display",
            display_id,
            "updated",
            {"related": related_display_id, "relation": relation_value},
            store_id=display.store_id,
        )
        return link
