"""Orders and stock: allocation at create, release at cancel, shipping, returns, back-orders.

The shop (tests/orders/conftest.py) has 10 units of each size in one
warehouse; some tests add a second warehouse behind it in the market's rule.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select, update

from opencentra import orders
from opencentra.address import Address
from opencentra.db.engine import Database
from opencentra.errors import OutOfStock
from opencentra.inventory import services as inventory
from opencentra.orders.models import Order, OrderAllocation, ShipmentLineWarehouse
from opencentra.stores import services as stores
from opencentra.stores.models import OversellingMode, Store


def draft(shop: Any, *quantities: int, **changes: Any) -> orders.OrderDraft:
    """One line per quantity: the small size, then the large one."""
    lines = [
        orders.LineDraft("Tee", quantity, 10000, product_size_id=shop.size_ids[index % 2])
        for index, quantity in enumerate(quantities)
    ]
    base = orders.OrderDraft(
        store_id=shop.store_id,
        market_id=shop.market_id,
        pricelist_id=shop.pricelist_id,
        currency_id=shop.currency_id,
        customer_id=shop.customer_id,
        email="ada@example.com",
        billing=Address(first_name="Ada", country="SE"),
        lines=lines,
        confirm=True,
    )
    return replace(base, **changes)


async def level(db: Database, warehouse_id: int, size_id: int) -> tuple[int, int]:
    levels = await inventory.stock_levels(db, warehouse_ids=[warehouse_id], product_size_ids=[size_id])
    return (levels[0].physical, levels[0].allocated) if levels else (0, 0)


async def allocations(db: Database, order: Order) -> list[tuple[int, int, int]]:
    """(line index, warehouse, quantity) rows of the order."""
    index = {line.id: n for n, line in enumerate(order.lines)}
    async with db.read() as session:
        rows = await session.execute(
            select(OrderAllocation.order_line_id, OrderAllocation.warehouse_id, OrderAllocation.quantity)
            .where(OrderAllocation.order_line_id.in_(list(index)))
            .order_by(OrderAllocation.order_line_id, OrderAllocation.warehouse_id)
        )
        return [(index[line], warehouse, quantity) for line, warehouse, quantity in rows]


async def set_overselling(db: Database, store_id: int, mode: OversellingMode) -> None:
    async with db.write() as session:
        await session.execute(update(Store).where(Store.id == store_id).values(overselling_mode=mode))


async def second_warehouse(db: Database, shop: Any) -> int:
    """A warehouse drawn from after the main one."""
    overflow = await stores.create_warehouse(db, "Overflow")
    rule = await stores.create_allocation_rule(db, "Main then overflow", [shop.warehouse_id, overflow.id])
    await stores.set_market_allocation_rule(db, shop.market_id, rule.id)
    return overflow.id


async def test_an_order_takes_its_stock_and_records_where(db: Database, shop: Any) -> None:
    small, large = shop.size_ids
    order = await orders.create_order(db, draft(shop, 3, 2))

    assert await allocations(db, order) == [(0, shop.warehouse_id, 3), (1, shop.warehouse_id, 2)]
    assert await level(db, shop.warehouse_id, small) == (10, 3)
    assert await level(db, shop.warehouse_id, large) == (10, 2)


async def test_a_line_splits_over_warehouses_in_priority_order(db: Database, shop: Any) -> None:
    small = shop.size_ids[0]
    overflow = await second_warehouse(db, shop)
    await inventory.set_physical(db, overflow, small, 5)

    order = await orders.create_order(db, draft(shop, 12))

    assert await allocations(db, order) == [(0, shop.warehouse_id, 10), (0, overflow, 2)]
    assert await level(db, overflow, small) == (5, 2)


async def test_short_stock_refuses_the_order_and_takes_nothing(db: Database, shop: Any) -> None:
    small, large = shop.size_ids
    with pytest.raises(OutOfStock) as refused:
        await orders.create_order(db, draft(shop, 1, 11))
    assert refused.value.field == "products.1"
    assert refused.value.unavailable == [{"line": 1, "product_size_id": large, "requested": 11, "available": 10}]
    assert await level(db, shop.warehouse_id, small) == (10, 0)

    # A caller that catches the refusal and goes on finds its transaction as it was.
    async with db.write() as session:
        with pytest.raises(OutOfStock):
            await orders.insert_order(session, draft(shop, 1, 11))
        assert await session.scalar(select(func.count(Order.id))) == 0
        assert await session.scalar(select(func.count(OrderAllocation.id))) == 0
    assert await level(db, shop.warehouse_id, small) == (10, 0)


async def test_legacy_lines_and_adjust_stock_false_take_nothing(db: Database, shop: Any) -> None:
    legacy = replace(draft(shop, 1), lines=[orders.LineDraft("Old tee", 50, 100)])
    await orders.create_order(db, legacy)
    untracked = await orders.create_order(db, draft(shop, 20, take_stock=False))
    assert await allocations(db, untracked) == []
    assert await level(db, shop.warehouse_id, shop.size_ids[0]) == (10, 0)


async def test_overselling_off_back_orders_the_rest(db: Database, shop: Any) -> None:
    small = shop.size_ids[0]
    await set_overselling(db, shop.store_id, OversellingMode.OFF)

    order = await orders.create_order(db, draft(shop, 12))

    # What was free is allocated; the other 2 units are a back-order (quantity - allocated).
    assert await allocations(db, order) == [(0, shop.warehouse_id, 10)]
    assert await level(db, shop.warehouse_id, small) == (10, 10)
    line = order.lines[0].id
    # A shipment for back-ordered units needs the stock to be there when it is made.
    with pytest.raises(OutOfStock) as refused:
        await orders.create_shipment(db, order.id, {line: 12})
    assert refused.value.field == f"products.{line}"
    await inventory.set_physical(db, shop.warehouse_id, small, 15)
    shipment = await orders.create_shipment(db, order.id, {line: 12})
    assert await allocations(db, order) == [(0, shop.warehouse_id, 12)]
    await orders.complete_shipment(db, shipment.id)
    assert await level(db, shop.warehouse_id, small) == (3, 0)
    assert await allocations(db, order) == []


async def test_forced_back_order_on_a_standard_store(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, 11, backorder=True))
    assert await allocations(db, order) == [(0, shop.warehouse_id, 10)]
    with pytest.raises(OutOfStock):
        await orders.create_order(db, draft(shop, 1))


async def test_cancelling_releases_every_allocation(db: Database, shop: Any) -> None:
    small, large = shop.size_ids
    order = await orders.create_order(db, draft(shop, 3, 2))
    await orders.create_shipment(db, order.id, {order.lines[0].id: 1})

    await orders.cancel_order(db, order.id)

    assert await allocations(db, order) == []
    assert await level(db, shop.warehouse_id, small) == (10, 0)
    assert await level(db, shop.warehouse_id, large) == (10, 0)


async def test_completing_a_shipment_ships_from_the_allocated_warehouses(db: Database, shop: Any) -> None:
    small = shop.size_ids[0]
    overflow = await second_warehouse(db, shop)
    await inventory.set_physical(db, overflow, small, 5)
    order = await orders.create_order(db, draft(shop, 12))
    line = order.lines[0].id

    first = await orders.create_shipment(db, order.id, {line: 8})
    second = await orders.create_shipment(db, order.id, {line: 4})
    async with db.read() as session:
        claimed = (
            await session.execute(
                select(ShipmentLineWarehouse.warehouse_id, ShipmentLineWarehouse.quantity).order_by(
                    ShipmentLineWarehouse.id
                )
            )
        ).all()
    # Two open shipments never claim the same allocated units.
    assert [tuple(row) for row in claimed] == [(shop.warehouse_id, 8), (shop.warehouse_id, 2), (overflow, 2)]

    await orders.complete_shipment(db, second.id)
    assert await level(db, shop.warehouse_id, small) == (8, 8)
    assert await level(db, overflow, small) == (3, 0)
    assert await allocations(db, order) == [(0, shop.warehouse_id, 8)]
    await orders.complete_shipment(db, first.id)
    assert await level(db, shop.warehouse_id, small) == (0, 0)
    assert await allocations(db, order) == []


async def test_deleting_a_shipment_keeps_the_allocation(db: Database, shop: Any) -> None:
    small = shop.size_ids[0]
    order = await orders.create_order(db, draft(shop, 4))
    shipment = await orders.create_shipment(db, order.id, {order.lines[0].id: 4})
    await orders.delete_shipment(db, shipment.id)
    assert await allocations(db, order) == [(0, shop.warehouse_id, 4)]
    assert await level(db, shop.warehouse_id, small) == (10, 4)
    again = await orders.create_shipment(db, order.id, {order.lines[0].id: 4})
    await orders.complete_shipment(db, again.id)
    assert await level(db, shop.warehouse_id, small) == (6, 0)


async def test_a_return_with_return_stock_puts_units_back_where_they_shipped_from(db: Database, shop: Any) -> None:
    small = shop.size_ids[0]
    overflow = await second_warehouse(db, shop)
    await inventory.set_physical(db, overflow, small, 5)
    order = await orders.create_order(db, draft(shop, 12))
    line = order.lines[0].id
    shipment = await orders.create_shipment(db, order.id, {line: 12})
    await orders.complete_shipment(db, shipment.id)
    assert await level(db, shop.warehouse_id, small) == (0, 0)
    assert await level(db, overflow, small) == (3, 0)

    kept = await orders.create_return(db, shipment.id, {line: 1}, return_stock=False)
    await orders.complete_return(db, kept.id)
    assert await level(db, shop.warehouse_id, small) == (0, 0)

    # The first 10 units shipped from the main warehouse: a restocking return of 9 more
    # fills it back to 9 (the unit kept above is not counted), then the next goes to overflow.
    back = await orders.create_return(db, shipment.id, {line: 9}, return_stock=True)
    await orders.complete_return(db, back.id)
    assert await level(db, shop.warehouse_id, small) == (9, 0)
    last = await orders.create_return(db, shipment.id, {line: 2}, return_stock=True)
    await orders.complete_return(db, last.id)
    assert await level(db, shop.warehouse_id, small) == (10, 0)
    assert await level(db, overflow, small) == (4, 0)


@pytest.fixture
async def roomy_db(db: Database) -> AsyncIterator[Database]:
    """The same database with a pool for 50 concurrent transactions on PostgreSQL."""
    other = Database.from_url(db.url.render_as_string(hide_password=False), pool_size=30)
    try:
        yield other
    finally:
        await other.dispose()


async def test_fifty_concurrent_orders_for_five_units(roomy_db: Database, shop: Any) -> None:
    small = shop.size_ids[0]
    await inventory.set_physical(roomy_db, shop.warehouse_id, small, 5)

    async def attempt() -> bool:
        try:
            await orders.create_order(roomy_db, draft(shop, 1))
        except OutOfStock:
            return False
        return True

    results = await asyncio.gather(*(attempt() for _ in range(50)))

    assert results.count(True) == 5
    async with roomy_db.read() as session:
        assert await session.scalar(select(func.count(Order.id))) == 5
        assert await session.scalar(select(func.sum(OrderAllocation.quantity))) == 5
        numbers = sorted((await session.scalars(select(Order.number))).all())
    assert numbers == [1, 2, 3, 4, 5]
    assert await level(roomy_db, shop.warehouse_id, small) == (5, 5)
