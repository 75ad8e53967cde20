"""Small persistence helpers shared by the stores and inventory services.

Some stock and tax functions are a use case of their own when given a
``Database`` (they open one transaction) and a step of another use case when
given that use case's ``AsyncSession`` (order creation takes stock inside its
own transaction, so the order and the stock commit or roll back together).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.engine import Database
from opencentra.db.upsert import insert_or_ignore as insert_or_ignore  # the stores and inventory services use it

DatabaseOrSession = Database | AsyncSession


@asynccontextmanager
async def unit_of_work(target: DatabaseOrSession, *, write: bool) -> AsyncIterator[AsyncSession]:
    """Yield ``target`` itself if it is a session, else a new transaction on it."""
    if isinstance(target, AsyncSession):
        yield target
        return
    async with target.write() if write else target.read() as session:
        yield session
