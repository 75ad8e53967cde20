"""INSERT ... ON CONFLICT DO NOTHING on both backends: create a row unless its unique key is taken."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import Base


async def insert_or_ignore(
    session: AsyncSession, model: type[Base], values: dict[str, Any], conflict_columns: list[str]
) -> int | None:
    """INSERT a row unless one with the same unique key exists; the new id, or None.

    Unlike SELECT-then-INSERT this cannot fail when two transactions race to
    create the same row, and unlike catching IntegrityError it does not abort
    a PostgreSQL transaction. RETURNING says whether a row went in (psycopg's
    async rowcount is -1 here).
    """
    key = inspect(model).primary_key[0]
    if session.get_bind().dialect.name == "postgresql":
        pg_stmt = postgresql_insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
        result = await session.execute(pg_stmt.returning(key))
    else:
        lite_stmt = sqlite_insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
        result = await session.execute(lite_stmt.returning(key))
    inserted: int | None = result.scalar_one_or_none()
    return inserted
