"""Orders, payments and stock commit durably; only a cart change may skip the wait for the disk.

SQLite: ``synchronous=FULL`` (2) for every transaction except one that called
``commit_without_flush_wait`` first, which runs at ``NORMAL`` (1); a pooled
connection a cart change left at NORMAL is FULL again for the next
transaction. PostgreSQL: ``synchronous_commit`` off for that one transaction.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.engine import Database, commit_without_flush_wait
from opencentra.stores.models import Store

FULL, NORMAL = 2, 1


async def _durability(session: AsyncSession) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return await session.scalar(text("PRAGMA synchronous"))
    return await session.scalar(text("SHOW synchronous_commit"))


async def _driver_connection(session: AsyncSession) -> object:
    raw = await (await session.connection()).get_raw_connection()
    return raw.driver_connection


async def test_only_a_cart_write_skips_the_wait_for_the_disk(db: Database) -> None:
    durable, skipping = (FULL, NORMAL) if db.is_sqlite else ("on", "off")

    async with db.write() as session:  # an order, a payment, a stock change
        assert await _durability(session) == durable
        session.add(Store(name="Durable"))
        first = await _driver_connection(session)

    async with db.write() as session:  # a cart change
        await commit_without_flush_wait(session)
        assert await _durability(session) == skipping
        session.add(Store(name="Cart"))
        assert await _driver_connection(session) is first

    async with db.write() as session:  # the same pooled connection, durable again
        assert await _driver_connection(session) is first
        assert await _durability(session) == durable
        session.add(Store(name="Durable again"))

    async with db.write() as session:
        await commit_without_flush_wait(session)
    async with db.read() as session:  # reads do not inherit it either
        assert await _driver_connection(session) is first
        assert await _durability(session) == durable


async def test_it_must_come_before_the_first_statement(db: Database) -> None:
    # SQLite cannot change how a transaction commits once it has begun; the
    # rule holds on PostgreSQL too, so a misplaced call fails on both.
    async with db.write() as session:
        await session.execute(text("SELECT 1"))
        with pytest.raises(RuntimeError, match="before the transaction's first statement"):
            await commit_without_flush_wait(session)


async def test_new_sqlite_connections_start_at_full(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite's PRAGMA synchronous")
    async with db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        cursor = await raw.driver_connection.execute("PRAGMA synchronous")
        assert (await cursor.fetchone())[0] == FULL
