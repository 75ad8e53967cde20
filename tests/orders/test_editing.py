"""Order edits by integrations (opencentra.orders.editing), on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from tests.orders.test_orders import draft

from opencentra import orders
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.models import Event
from opencentra.inventory.models import Stock
from opencentra.orders import editing
from opencentra.orders.models import Order, OrderAllocation


async def _order_events(db: Database, order_id: int) -> list[str]:
    async with db.read() as session:
        rows = await session.scalars(
            select(Event).where(Event.object_type == "order", Event.object_id == order_id).order_by(Event.id)
        )
        return [str(e.payload.get("change")) for e in rows]


async def _stock(db: Database, size_id: int) -> tuple[int, int]:
    async with db.read() as session:
        row = (
            await session.execute(select(Stock.allocated, Stock.physical).where(Stock.product_size_id == size_id))
        ).one()
        return int(row[0]), int(row[1])


async def test_lock_is_all_or_nothing_and_evented(db: Database, shop: Any) -> None:
    first = await orders.create_order(db, draft(shop))
    second = await orders.create_order(db, draft(shop))
    locked = await editing.set_orders_lock(db, [first.id, second.id, first.id], True)
    assert [o.locked for o in locked] == [True, True]
    with pytest.raises(NotFound):
        await editing.set_orders_lock(db, [first.id, 999_999], False)
    async with db.read() as session:
        assert list(await session.scalars(select(Order.locked).order_by(Order.id))) == [True, True]
    await editing.set_orders_lock(db, [first.id], True)  # no change, no event
    assert (await _order_events(db, first.id)).count("locked") == 1


async def test_cancel_lines_frees_stock_and_lowers_totals(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, confirm=True))
    small = shop.size_ids[0]
    assert await _stock(db, small) == (2, 10)
    line = order.lines[0]
    edited = await editing.edit_order(
        db, order.id, editing.OrderEdit(cancel_lines=[editing.LineCancel(line.id, 1, remove_from_stock=True)])
    )
    assert (edited.items_total_minor, edited.grand_total_minor) == (45_000 - 10_000, 49_900 - 10_000)
    assert await _stock(db, small) == (1, 9)
    with pytest.raises(ValidationFailed) as raised:
        await editing.edit_order(
            db, order.id, editing.OrderEdit(hold=True, cancel_lines=[editing.LineCancel(line.id, 2)])
        )
    assert raised.value.field == "cancelLines.0.quantity"
    async with db.read() as session:
        assert await session.scalar(select(Order.hold).where(Order.id == order.id)) is False
    assert "edited" in await _order_events(db, order.id)


async def test_unallocate_warns_and_keeps_the_back_order(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, confirm=True))
    line = order.lines[1]
    result = await editing.unallocate_order(db, order.id, [(line.id, 5)])
    assert result.warnings == [(0, f"Order line {line.id} had only 1 allocated; 1 unallocated")]
    async with db.read() as session:
        left = list(
            await session.scalars(select(OrderAllocation.quantity).where(OrderAllocation.order_line_id == line.id))
        )
    assert left == []
    assert await _stock(db, shop.size_ids[1]) == (0, 10)


async def test_release_and_final_orders(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop))
    released = await editing.release_remaining_authorization(db, order.id)
    assert (released.kind, released.amount_minor) == ("cancel", 49_900)
    with pytest.raises(Conflict):
        await editing.release_remaining_authorization(db, order.id)
    cancelled = await orders.create_order(db, draft(shop))
    await orders.cancel_order(db, cancelled.id)
    with pytest.raises(Conflict):
        await editing.edit_order(db, cancelled.id, editing.OrderEdit(hold=True))
    with pytest.raises(Conflict):
        await editing.unallocate_order(db, cancelled.id)
