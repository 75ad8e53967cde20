"""The two-statement selection lock of the add-to-cart path, and commits that
do not wait for the disk."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, text

from opencentra.db.engine import Database, commit_without_flush_wait
from opencentra.selection import services
from opencentra.storefront.locking import lock_selection_with_items


async def test_the_lock_loads_lines_and_vouchers_in_two_statements(db: Database, shop: Any) -> None:
    s = shop
    selection = await services.create_selection(db, s.store_id, s.market_id, s.pricelist_id)
    small, large = s.size_ids
    first = await services.add_line(db, selection.id, s.display_item_id, small, 2)
    second = await services.add_line(db, selection.id, s.display_item_id, large)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.write() as session:
            statements.clear()
            locked = await lock_selection_with_items(session, selection.id)
            assert locked is not None
            # Both collections are loaded (they are lazy="raise" otherwise), lines in order.
            assert [(line.line_id, line.quantity) for line in locked.lines] == [
                (first.line_id, 2),
                (second.line_id, 1),
            ]
            assert locked.vouchers == []
            assert len(statements) == 2
            assert await lock_selection_with_items(session, selection.id + 999) is None
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def test_concurrent_adds_under_the_lock_make_one_line(db: Database, shop: Any) -> None:
    """Each add sees the line the one before it added (no duplicate line after a lock wait)."""
    s = shop
    selection = await services.create_selection(db, s.store_id, s.market_id, s.pricelist_id)

    async def add_one() -> None:
        async with db.write() as session:
            locked = await lock_selection_with_items(session, selection.id)
            assert locked is not None
            await services.add_line_in(session, locked, s.display_item_id, s.size_ids[0])

    await asyncio.gather(*(add_one() for _ in range(4)))
    [line] = (await services.get_selection(db, selection.id)).lines
    assert line.quantity == 4


async def test_commit_without_flush_wait_is_for_one_transaction(db: Database, shop: Any) -> None:
    s = shop
    async with db.write() as session:
        await commit_without_flush_wait(session)
        if not db.is_sqlite:
            assert await session.scalar(text("SHOW synchronous_commit")) == "off"
        await services.create_selection_in(session, s.store_id, s.market_id, s.pricelist_id)
    if not db.is_sqlite:
        async with db.read() as session:
            assert await session.scalar(text("SHOW synchronous_commit")) == "on"
