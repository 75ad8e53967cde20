"""Small persistence helpers shared by the stores and inventory services.

Some stock and tax functions are a use case of their own when given a
``Database`` (they open one transaction) and a step of another use case when
given that use case's ``AsyncSession`` (order creation takes stock inside its
own transaction, so the order and the stock commit or roll back together).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import Base
from opencentra.db.engine import Database

DatabaseOrSession = Database | AsyncSession


@asynccontextmanager
async def unit_of_work(target: DatabaseOrSession, *, write: bool) -> AsyncIterator[AsyncSession]:
    """Yield ``target`` itself if it is a session, else a new transaction on it."""
    if isinstance(target, AsyncSession):
        yield target
        return
    async with target.write() if write else target.read() as session:
        yield session


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
