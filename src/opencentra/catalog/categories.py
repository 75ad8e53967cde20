"""A store's category tree: at most six levels, sibling uris unique."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog import _refs
from opencentra.catalog._checks import optional_text, required_text
from opencentra.catalog.models import MAX_CATEGORY_DEPTH, Category
from opencentra.catalog.uris import uri_for
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events import outbox


@dataclass(frozen=True)
class CategoryPath:
    """A category with its ancestors, root first, as the APIs print them."""

    category_id: int
    parent_id: int | None
    ids: tuple[int, ...]
    names: tuple[str, ...]
    uri: str
    sort_order: int
    active: bool


async def _depth(session: AsyncSession, category: Category) -> int:
    """1 for a root. Bounded so a corrupt cycle cannot loop forever."""
    depth = 1
    parent_id = category.parent_id
    while parent_id is not None:
        depth += 1
        if depth > MAX_CATEGORY_DEPTH + 1:
            break
        parent = await session.get(Category, parent_id)
        parent_id = parent.parent_id if parent is not None else None
    return depth


async def create_category(
    db: Database,
    store_id: int,
    name: str,
    *,
    parent_id: int | None = None,
    uri: str | None = None,
    sort_order: int = 0,
    active: bool = True,
    meta_title: str = "",
    meta_description: str = "",
    meta_keywords: str = "",
) -> Category:
    """Create a category under ``parent_id`` (a root when None)."""
    name = required_text(name, field="name")
    uri = uri_for(name, uri)
    async with db.write() as session:
        if await session.scalar(select(_refs.stores.c.id).where(_refs.stores.c.id == store_id)) is None:
            raise NotFound(f"store {store_id} not found", field="store")
        if parent_id is not None:
            parent = await session.get(Category, parent_id)
            if parent is None or parent.store_id != store_id:
                raise NotFound(f"category {parent_id} not found in store {store_id}", field="parent")
            if await _depth(session, parent) >= MAX_CATEGORY_DEPTH:
                raise ValidationFailed(f"categories can be at most {MAX_CATEGORY_DEPTH} levels deep", field="parent")
            sibling = Category.parent_id == parent_id
        else:
            sibling = (Category.store_id == store_id) & Category.parent_id.is_(None)
        if await session.scalar(select(Category.id).where(sibling, Category.uri == uri)) is not None:
            raise Conflict(f"a sibling category already has uri {uri!r}", field="uri")
        category = Category(
            store_id=store_id,
            parent_id=parent_id,
            name=name,
            uri=uri,
            sort_order=sort_order,
            active=active,
            meta_title=optional_text(meta_title, field="meta_title"),
            meta_description=optional_text(meta_description, field="meta_description", max_length=10_000),
            meta_keywords=optional_text(meta_keywords, field="meta_keywords"),
        )
        session.add(category)
        await session.flush()
        await outbox.record(
            session,
            "category",
            category.id,
            "created",
            {"name": name, "uri": uri, "parent": parent_id},
            store_id=store_id,
        )
        return category


async def category_paths(session: AsyncSession, store_id: int) -> dict[int, CategoryPath]:
    """Every category of a store with its full path, in one query."""
    rows = (await session.scalars(select(Category).where(Category.store_id == store_id))).all()
    by_id = {row.id: row for row in rows}
    paths: dict[int, CategoryPath] = {}
    for row in rows:
        chain: list[Category] = [row]
        parent_id = row.parent_id
        while parent_id is not None and parent_id in by_id and len(chain) <= MAX_CATEGORY_DEPTH:
            chain.append(by_id[parent_id])
            parent_id = chain[-1].parent_id
        chain.reverse()
        paths[row.id] = CategoryPath(
            category_id=row.id,
            parent_id=row.parent_id,
            ids=tuple(c.id for c in chain),
            names=tuple(c.name for c in chain),
            uri="/".join(c.uri for c in chain),
            sort_order=row.sort_order,
            active=row.active,
        )
    return paths
