"""INSERT ... ON CONFLICT DO NOTHING for both backends, returning the new id or None."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import Base


async def insert_or_ignore(
    session: AsyncSession, model: type[Base], values: dict[str, Any], conflict: list[str]
) -> int | None:
    """Unlike SELECT-then-INSERT this cannot fail when two requests race, and
    unlike catching IntegrityError it does not abort a PostgreSQL transaction."""
    key = inspect(model).primary_key[0]
    if session.get_bind().dialect.name == "postgresql":
        pg = pg_insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict).returning(key)
        result = await session.execute(pg)
    else:
        lite = sqlite_insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict).returning(key)
        result = await session.execute(lite)
    inserted: int | None = result.scalar_one_or_none()
    return inserted
