"""Brands and collections: named, uri-addressed groupings of products."""

from __future__ import annotations

from sqlalchemy import select

from opencentra.catalog._checks import optional_text, required_text
from opencentra.catalog.models import Brand, Collection
from opencentra.catalog.uris import uri_for
from opencentra.db.engine import Database
from opencentra.errors import Conflict
from opencentra.events import outbox


async def create_brand(
    db: Database,
    name: str,
    *,
    uri: str | None = None,
    meta_title: str = "",
    meta_description: str = "",
    meta_keywords: str = "",
) -> Brand:
    """Create a brand; ``uri`` defaults to one derived from the name."""
    name = required_text(name, field="name")
    uri = uri_for(name, uri)
    async with db.write() as session:
        if await session.scalar(select(Brand.id).where(Brand.uri == uri)) is not None:
            raise Conflict(f"a brand with uri {uri!r} already exists", field="uri")
        brand = Brand(
            name=name,
            uri=uri,
            meta_title=optional_text(meta_title, field="meta_title"),
            meta_description=optional_text(meta_description, field="meta_description", max_length=10_000),
            meta_keywords=optional_text(meta_keywords, field="meta_keywords"),
        )
        session.add(brand)
        await session.flush()
        await outbox.record(session, "brand", brand.id, "created", {"name": brand.name, "uri": brand.uri})
        return brand


async def create_collection(db: Database, name: str, *, uri: str | None = None) -> Collection:
    """Create a collection (a season, a line); ``uri`` defaults from the name."""
    name = required_text(name, field="name")
    uri = uri_for(name, uri)
    async with db.write() as session:
        if await session.scalar(select(Collection.id).where(Collection.uri == uri)) is not None:
            raise Conflict(f"a collection with uri {uri!r} already exists", field="uri")
        collection = Collection(name=name, uri=uri)
        session.add(collection)
        await session.flush()
        await outbox.record(
            session, "collection", collection.id, "created", {"name": collection.name, "uri": collection.uri}
        )
        return collection
