"""Lists of the catalogue for integrations: filtered, sorted and paged.

Each list takes a filter of its own (``None`` fields match everything), sort
keys by field name, and a window; a list of a store's objects also takes
``store_scope``, the one store the caller may see (``None``: every store).
Each is one statement in the caller's read transaction and answers read
views; what the listed objects point to is read in batches
(``catalog.lookups``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from opencentra.catalog import views
from opencentra.catalog.models import (
    AttributeType,
    Brand,
    Category,
    Collection,
    Display,
    DisplayMarket,
    Product,
    ProductSize,
    ProductStatus,
    ProductVariant,
    SizeChart,
)
from opencentra.catalog.pim_models import Folder, MappedAttribute
from opencentra.db.listing import (
    Between,
    Cursor,
    SortKey,
    TextMatch,
    Window,
    between_conditions,
    beyond,
    page,
    text_conditions,
    where_in,
    windowed,
)
from opencentra.errors import ValidationFailed

V = TypeVar("V")


async def _count(session: AsyncSession, statement: Select[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


# --- products, variants, sizes -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductFilter:
    ids: Sequence[int] | None = None
    name: TextMatch | None = None
    product_number: TextMatch | None = None
    statuses: Sequence[ProductStatus] | None = None
    brand_ids: Sequence[int] | None = None
    collection_ids: Sequence[int] | None = None
    updated: Between[datetime] | None = None
    created: Between[datetime] | None = None


_PRODUCT_SORT: dict[str, InstrumentedAttribute[Any]] = {
    "id": Product.id,
    "name": Product.name,
    "updated_at": Product.updated_at,
    "created_at": Product.created_at,
}


def _products(where: ProductFilter) -> Select[Product]:
    p = Product
    statement = select(p)
    if where.ids is not None:
        statement = statement.where(p.id.in_(where.ids))
    if where.statuses is not None:
        statement = statement.where(p.status.in_([ProductStatus(s).value for s in where.statuses]))
    if where.brand_ids is not None:
        statement = statement.where(p.brand_id.in_(where.brand_ids))
    if where.collection_ids is not None:
        statement = statement.where(p.collection_id.in_(where.collection_ids))
    return statement.where(
        *text_conditions(p.name, where.name),
        *text_conditions(p.product_number, where.product_number),
        *between_conditions(p.updated_at, where.updated),
        *between_conditions(p.created_at, where.created),
    )


async def product_page(
    session: AsyncSession, where: ProductFilter, sort: Sequence[SortKey], window: Window
) -> list[views.ProductView]:
    """Products sorted by ``id``, ``name``, ``updated_at`` or ``created_at`` (then id)."""
    return await page(session, _products(where), sort, _PRODUCT_SORT, window, views.product_view)


async def count_products(session: AsyncSession, where: ProductFilter) -> int:
    return await _count(session, _products(where))


@dataclass(frozen=True, slots=True)
class VariantFilter:
    ids: Sequence[int] | None = None
    product_ids: Sequence[int] | None = None
    variant_number: TextMatch | None = None


async def variant_page(
    session: AsyncSession, where: VariantFilter, sort: Sequence[SortKey], window: Window
) -> list[views.VariantView]:
    """Variants sorted by ``id``, ``name``, ``updated_at`` or ``created_at`` (then id)."""
    v = ProductVariant
    statement = where_in(where_in(select(v), v.id, where.ids), v.product_id, where.product_ids)
    statement = statement.where(*text_conditions(v.variant_number, where.variant_number))
    columns = {"id": v.id, "name": v.name, "updated_at": v.updated_at, "created_at": v.created_at}
    return await page(session, statement, sort, columns, window, views.variant_view)


@dataclass(frozen=True, slots=True)
class ProductSizeFilter:
    ids: Sequence[int] | None = None
    eans: Sequence[str] | None = None
    variant_ids: Sequence[int] | None = None


async def product_size_page(
    session: AsyncSession, where: ProductSizeFilter, window: Window
) -> list[views.ProductSizeView]:
    """Product sizes by id."""
    s = ProductSize
    statement = where_in(
        where_in(where_in(select(s), s.id, where.ids), s.ean, where.eans), s.variant_id, where.variant_ids
    )
    return await page(session, statement, (), {"id": s.id}, window, views.product_size_view)


# --- brands, collections, size charts, folders -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameFilter:
    ids: Sequence[int] | None = None
    name: TextMatch | None = None


async def _named(
    session: AsyncSession,
    model: type[Brand] | type[Collection] | type[SizeChart],
    where: NameFilter,
    sort: Sequence[SortKey],
    window: Window,
) -> Sequence[Any]:
    statement = where_in(select(model), model.id, where.ids).where(*text_conditions(model.name, where.name))
    return await page(session, statement, sort, {"id": model.id, "name": model.name}, window, lambda row: row)


async def brand_page(
    session: AsyncSession, where: NameFilter, sort: Sequence[SortKey], window: Window
) -> list[views.BrandView]:
    """Brands sorted by ``id`` or ``name`` (then id)."""
    return [views.brand_view(row) for row in await _named(session, Brand, where, sort, window)]


async def collection_page(
    session: AsyncSession, where: NameFilter, sort: Sequence[SortKey], window: Window
) -> list[views.CollectionView]:
    """Collections sorted by ``id`` or ``name`` (then id)."""
    return [views.collection_view(row) for row in await _named(session, Collection, where, sort, window)]


async def size_chart_page(
    session: AsyncSession, where: NameFilter, sort: Sequence[SortKey], window: Window
) -> list[views.SizeChartView]:
    """Size charts sorted by ``id`` or ``name`` (then id)."""
    return [views.size_chart_view(row) for row in await _named(session, SizeChart, where, sort, window)]


@dataclass(frozen=True, slots=True)
class FolderFilter:
    ids: Sequence[int] | None = None
    name: TextMatch | None = None
    is_top: bool | None = None
    parent_id: int | None = None


async def folder_page(
    session: AsyncSession, where: FolderFilter, sort: Sequence[SortKey], window: Window
) -> list[views.FolderView]:
    """Folders sorted by ``id`` or ``name`` (then id)."""
    f = Folder
    statement = where_in(select(f), f.id, where.ids).where(*text_conditions(f.name, where.name))
    if where.is_top is not None:
        statement = statement.where(f.parent_id.is_(None) if where.is_top else f.parent_id.is_not(None))
    if where.parent_id is not None:
        statement = statement.where(f.parent_id == where.parent_id)
    return await page(session, statement, sort, {"id": f.id, "name": f.name}, window, views.folder_view)


@dataclass(frozen=True, slots=True)
class MappedAttributeFilter:
    ids: Sequence[int] | None = None
    type_key: TextMatch | None = None
    name: TextMatch | None = None


async def mapped_attribute_page(
    session: AsyncSession, where: MappedAttributeFilter, window: Window
) -> list[views.MappedAttributeView]:
    """Mapped attributes by id."""
    m, t = MappedAttribute, AttributeType
    statement = select(m, t.key, t.name).join(t, t.id == m.attribute_type_id)
    if where.ids is not None:
        statement = statement.where(m.id.in_(where.ids))
    statement = statement.where(*text_conditions(t.key, where.type_key), *text_conditions(m.name, where.name))
    statement = windowed(statement.order_by(m.id), window)
    return [
        views.MappedAttributeView(row.id, key, type_name, row.name, row.description, row.value)
        for row, key, type_name in await session.execute(statement)
    ]


# --- categories and displays ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryFilter:
    ids: Sequence[int] | None = None
    store_id: int | None = None
    is_top: bool | None = None
    name: TextMatch | None = None


async def category_page(
    session: AsyncSession,
    where: CategoryFilter,
    sort: Sequence[SortKey],
    window: Window,
    *,
    store_scope: int | None = None,
) -> list[views.CategoryView]:
    """Categories sorted by ``id`` or ``name`` (then id)."""
    c = Category
    statement = where_in(select(c), c.id, where.ids).where(*text_conditions(c.name, where.name))
    for store_id in (store_scope, where.store_id):
        if store_id is not None:
            statement = statement.where(c.store_id == store_id)
    if where.is_top is not None:
        statement = statement.where(c.parent_id.is_(None) if where.is_top else c.parent_id.is_not(None))
    return await page(session, statement, sort, {"id": c.id, "name": c.name}, window, views.category_view)


@dataclass(frozen=True, slots=True)
class DisplayFilter:
    ids: Sequence[int] | None = None
    store_id: int | None = None
    market_ids: Sequence[int] | None = None
    product_ids: Sequence[int] | None = None
    name: TextMatch | None = None
    # True: active displays; (True, False): both.
    active: Sequence[bool] | None = None
    updated: Between[datetime] | None = None


_DISPLAY_SORT: dict[str, InstrumentedAttribute[Any]] = {
    "id": Display.id,
    "name": Display.name,
    "updated_at": Display.updated_at,
}


def _displays(where: DisplayFilter, store_scope: int | None) -> Select[Display]:
    d = Display
    statement = select(d)
    if store_scope is not None:
        statement = statement.where(d.store_id == store_scope)
    if where.ids is not None:
        statement = statement.where(d.id.in_(where.ids))
    if where.store_id is not None:
        statement = statement.where(d.store_id == where.store_id)
    if where.product_ids is not None:
        statement = statement.where(d.product_id.in_(where.product_ids))
    if where.market_ids is not None:
        in_market = select(DisplayMarket.display_id).where(DisplayMarket.market_id.in_(where.market_ids))
        statement = statement.where(d.id.in_(in_market))
    if where.active is not None:
        statement = statement.where(d.active.in_(list(where.active)))
    return statement.where(*text_conditions(d.name, where.name), *between_conditions(d.updated_at, where.updated))


async def display_page(
    session: AsyncSession,
    where: DisplayFilter,
    sort: Sequence[SortKey],
    window: Window,
    *,
    store_scope: int | None = None,
) -> list[views.DisplayView]:
    """Displays sorted by ``id``, ``name`` or ``updated_at`` (then id)."""
    return await page(session, _displays(where, store_scope), sort, _DISPLAY_SORT, window, views.display_view)


@dataclass(frozen=True, slots=True)
class DisplaySlice:
    """A stretch of a keyset-paged display list."""

    displays: tuple[views.DisplayView, ...]
    # More lie beyond the slice's far end (after it, or before it when counting from the end).
    more: bool
    # Every display the filter matches.
    total: int


CONNECTION_SORTS = ("id", "updated_at")
"""What a keyset-paged display list can be sorted by."""


async def display_slice(
    session: AsyncSession,
    where: DisplayFilter,
    *,
    sort: SortKey,
    size: int,
    after: Cursor | None = None,
    before: Cursor | None = None,
    from_end: bool = False,
    store_scope: int | None = None,
) -> DisplaySlice:
    """Up to ``size`` displays after ``after`` and before ``before``: the first ones, or the last (``from_end``)."""
    if sort.field not in CONNECTION_SORTS:
        raise ValidationFailed("a display connection sorts by id or updatedAt", field="sort")
    column, tiebreak = _DISPLAY_SORT[sort.field], Display.id
    base = _displays(where, store_scope)
    statement = base
    for cursor, is_after in ((after, True), (before, False)):
        if cursor is not None:
            statement = statement.where(beyond(column, tiebreak, cursor, after=is_after, descending=sort.descending))
    ascending = sort.descending == from_end
    order = [column.asc(), tiebreak.asc()] if ascending else [column.desc(), tiebreak.desc()]
    found = [views.display_view(row) for row in await session.scalars(statement.order_by(*order).limit(size + 1))]
    more = len(found) > size
    found = found[:size]
    if from_end:
        found.reverse()
    return DisplaySlice(displays=tuple(found), more=more, total=await _count(session, base))
