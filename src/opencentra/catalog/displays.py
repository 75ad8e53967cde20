"""Displays: a product as one store sells it, in chosen markets and categories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
from opencentra.stores.markets import check_markets_of_store


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
    # Centra's createDisplay may activate variants later (updateDisplay).
    allow_no_variants: bool = False


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
    if not variant_ids and not spec.allow_no_variants:
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
    await check_markets_of_store(session, spec.store_id, market_ids)
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


@dataclass(frozen=True)
class DisplayChanges:
    """Changes to a display; ``None`` fields stay as they are.

    ``market_ids``/``category_ids`` replace the whole set when given; the
    ``add_*``/``remove_*`` lists change it item by item (Centra's
    ``addMarkets``, ``removeProductVariants``...). Added variants are
    appended after the display's current ones.
    """

    name: str | None = None
    uri: str | None = None
    description: str | None = None
    short_description: str | None = None
    meta_title: str | None = None
    meta_description: str | None = None
    meta_keywords: str | None = None
    active: bool | None = None
    sort_order: int | None = None
    canonical_category_id: int | None = None
    add_variant_ids: Sequence[int] = ()
    remove_variant_ids: Sequence[int] = ()
    market_ids: Sequence[int] | None = None
    add_market_ids: Sequence[int] = ()
    remove_market_ids: Sequence[int] = ()
    category_ids: Sequence[int] | None = None
    add_category_ids: Sequence[int] = ()
    remove_category_ids: Sequence[int] = ()


async def update_display(db: Database, display_id: int, changes: DisplayChanges) -> Display:
    """Change a display's texts, status, variants, markets and categories in one transaction."""
    async with db.write() as session:
        display = await session.get(Display, display_id)
        if display is None:
            raise NotFound(f"display {display_id} not found", field="display")
        changed: dict[str, object] = {}
        if changes.name is not None:
            changed["name"] = display.name = required_text(changes.name, field="name")
        if changes.uri is not None:
            uri = uri_for(display.name, changes.uri)
            if uri != display.uri:
                taken = await session.scalar(
                    select(Display.id).where(Display.store_id == display.store_id, Display.uri == uri)
                )
                if taken is not None:
                    raise Conflict(f"display uri {uri!r} is already used in this store", field="uri")
                changed["uri"] = display.uri = uri
        for attribute, limit in (
            ("description", None),
            ("short_description", None),
            ("meta_title", 255),
            ("meta_description", 10_000),
            ("meta_keywords", 255),
        ):
            value = getattr(changes, attribute)
            if value is None:
                continue
            text = value if limit is None else optional_text(value, field=attribute, max_length=limit)
            setattr(display, attribute, text)
            changed[attribute] = True
        if changes.active is not None:
            changed["active"] = display.active = changes.active
        if changes.sort_order is not None:
            changed["sort_order"] = display.sort_order = changes.sort_order

        # Variants.
        add_variants = unique_ids(changes.add_variant_ids, field="variants")
        remove_variants = unique_ids(changes.remove_variant_ids, field="variants")
        if add_variants or remove_variants:
            items = list(await session.scalars(select(DisplayItem).where(DisplayItem.display_id == display_id)))
            active = {item.variant_id: item for item in items}
            if add_variants:
                own = set(
                    await session.scalars(
                        select(ProductVariant.id).where(
                            ProductVariant.product_id == display.product_id, ProductVariant.id.in_(add_variants)
                        )
                    )
                )
                if missing := [v for v in add_variants if v not in own]:
                    raise ValidationFailed(
                        f"variants {missing} are not variants of product {display.product_id}", field="variants"
                    )
            next_sort = max((item.sort_order for item in items), default=-1) + 1
            for variant_id in remove_variants:
                if variant_id in active:
                    await session.delete(active.pop(variant_id))
            for variant_id in add_variants:
                if variant_id not in active:
                    session.add(DisplayItem(display_id=display_id, variant_id=variant_id, sort_order=next_sort))
                    next_sort += 1
            changed["variants"] = {"added": add_variants, "removed": remove_variants}

        # Markets.
        market_ids = await _changed_set(
            session,
            DisplayMarket,
            DisplayMarket.market_id,
            display_id,
            changes.market_ids,
            changes.add_market_ids,
            changes.remove_market_ids,
            field="markets",
        )
        if market_ids is not None:
            await check_markets_of_store(session, display.store_id, market_ids)
            await _replace_links(session, DisplayMarket, DisplayMarket.market_id, display_id, market_ids)
            changed["markets"] = market_ids

        # Categories.
        category_ids = await _changed_set(
            session,
            DisplayCategory,
            DisplayCategory.category_id,
            display_id,
            changes.category_ids,
            changes.add_category_ids,
            changes.remove_category_ids,
            field="categories",
        )
        if category_ids is not None:
            own_categories = set(
                await session.scalars(
                    select(Category.id).where(Category.store_id == display.store_id, Category.id.in_(category_ids))
                )
            )
            if missing := [c for c in category_ids if c not in own_categories]:
                raise ValidationFailed(
                    f"categories {missing} are not categories of store {display.store_id}", field="categories"
                )
            await _replace_links(session, DisplayCategory, DisplayCategory.category_id, display_id, category_ids)
            changed["categories"] = category_ids
            if display.canonical_category_id is not None and display.canonical_category_id not in category_ids:
                display.canonical_category_id = category_ids[0] if category_ids else None
            elif display.canonical_category_id is None and category_ids:
                display.canonical_category_id = category_ids[0]
        if changes.canonical_category_id is not None:
            linked = set(
                await session.scalars(
                    select(DisplayCategory.category_id).where(DisplayCategory.display_id == display_id)
                )
            )
            current = category_ids if category_ids is not None else sorted(linked)
            if changes.canonical_category_id not in current:
                raise ValidationFailed(
                    "the canonical category must be one of the categories", field="canonical_category"
                )
            changed["canonical_category"] = display.canonical_category_id = changes.canonical_category_id

        await session.flush()
        if changed:
            await outbox.record(session, "display", display.id, "updated", changed, store_id=display.store_id)
        return display


async def set_display_markets(db: Database, display_id: int, market_ids: Sequence[int]) -> Display:
    """Replace the markets a display is sold in."""
    return await update_display(db, display_id, DisplayChanges(market_ids=market_ids))


async def set_display_categories(db: Database, display_id: int, category_ids: Sequence[int]) -> Display:
    """Replace the categories a display is in (the canonical one follows if it is dropped)."""
    return await update_display(db, display_id, DisplayChanges(category_ids=category_ids))


async def _changed_set(
    session: AsyncSession,
    model: type[DisplayMarket] | type[DisplayCategory],
    column: Any,
    display_id: int,
    replace: Sequence[int] | None,
    add: Sequence[int],
    remove: Sequence[int],
    *,
    field: str,
) -> list[int] | None:
    """The new set of linked ids, or None when nothing was asked to change."""
    if replace is None and not add and not remove:
        return None
    if replace is not None:
        return unique_ids(replace, field=field)
    current = list(await session.scalars(select(column).where(model.display_id == display_id).order_by(model.id)))
    dropped = set(unique_ids(remove, field=field))
    result = [i for i in current if i not in dropped]
    result += [i for i in unique_ids(add, field=field) if i not in result]
    return result


async def _replace_links(
    session: AsyncSession,
    model: type[DisplayMarket] | type[DisplayCategory],
    column: Any,
    display_id: int,
    ids: list[int],
) -> None:
    existing = {
        getattr(row, column.key): row
        for row in await session.scalars(select(model).where(model.display_id == display_id))
    }
    for key, row in existing.items():
        if key not in ids:
            await session.delete(row)
    for key in ids:
        if key not in existing:
            session.add(model(display_id=display_id, **{column.key: key}))
    await session.flush()
