"""Stock: availability per market, atomic allocation, release, shipping and counting.

The world: one store, one market drawing from two warehouses in priority
order, a third warehouse outside the market's rule, and three sizes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from tests.inventory.conftest import World

from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, OutOfStock, ValidationFailed
from opencentra.events.models import Event
from opencentra.inventory.services import (
    Allocation,
    adjust_physical,
    allocate,
    available_for_market,
    plan_allocation,
    release,
    set_physical,
    ship,
    stock_levels,
)
from opencentra.stores import services as stores


async def _allocate(db: Database, market: int, lines: Sequence[tuple[int, int]]) -> list[Allocation]:
    async with db.write() as session:
        return await allocate(session, market, lines)


async def _try(db: Database, market: int, lines: Sequence[tuple[int, int]]) -> bool:
    try:
        await _allocate(db, market, lines)
    except OutOfStock:
        return False
    return True


async def test_fifty_buyers_for_five_units(roomy_db: Database, world: World) -> None:
    size = world.sizes[0]
    await set_physical(roomy_db, world.first, size, 5)

    results = await asyncio.gather(*(_try(roomy_db, world.market, [(size, 1)]) for _ in range(50)))

    assert results.count(True) == 5
    [level] = await stock_levels(roomy_db, product_size_ids=[size])
    assert (level.physical, level.allocated, level.available) == (5, 5, 0)
    assert await available_for_market(roomy_db, world.market, [size]) == {size: 0}


async def test_crossed_baskets_neither_deadlock_nor_oversell(roomy_db: Database, world: World) -> None:
    # Half the buyers list the sizes in one order, half in the other: the row
    # locks are still taken in one order, so PostgreSQL never deadlocks.
    a, b, _ = world.sizes
    for size in (a, b):
        await set_physical(roomy_db, world.first, size, 3)
        await set_physical(roomy_db, world.second, size, 3)
    baskets = [[(a, 1), (b, 1)] if n % 2 else [(b, 1), (a, 1)] for n in range(20)]

    results = await asyncio.gather(*(_try(roomy_db, world.market, basket) for basket in baskets))

    assert results.count(True) == 6
    levels = await stock_levels(roomy_db, product_size_ids=[a, b])
    assert all(level.allocated == level.physical == 3 for level in levels)


async def test_splits_across_warehouses_in_priority_order(db: Database, world: World) -> None:
    size = world.sizes[0]
    await set_physical(db, world.first, size, 2)
    await set_physical(db, world.second, size, 5)
    await set_physical(db, world.outside, size, 100)
    assert await available_for_market(db, world.market, [size]) == {size: 7}

    taken = await _allocate(db, world.market, [(size, 4)])

    assert taken == [Allocation(world.first, size, 2, 0), Allocation(world.second, size, 2, 0)]
    assert [a.qty for a in taken] == [2, 2]
    levels = {level.warehouse_id: level for level in await stock_levels(db, product_size_ids=[size])}
    assert (levels[world.first].allocated, levels[world.second].allocated, levels[world.outside].allocated) == (2, 2, 0)

    # Reversing the rule reverses where stock comes from.
    await stores.set_allocation_rule_warehouses(db, world.rule, [world.second, world.first])
    assert await _allocate(db, world.market, [(size, 1)]) == [Allocation(world.second, size, 1, 0)]


async def test_all_or_nothing_when_one_line_falls_short(db: Database, world: World) -> None:
    a, b, c = world.sizes
    await set_physical(db, world.first, a, 5)
    await set_physical(db, world.first, b, 1)
    await set_physical(db, world.second, b, 1)

    # The caller catches the error and commits: still nothing may be taken.
    async with db.write() as session:
        with pytest.raises(OutOfStock) as caught:
            await allocate(session, world.market, [(a, 1), (b, 3), (c, 1)])

    assert caught.value.unavailable == [
        {"line": 1, "product_size_id": b, "requested": 3, "available": 2},
        {"line": 2, "product_size_id": c, "requested": 1, "available": 0},
    ]
    assert all(level.allocated == 0 for level in await stock_levels(db, product_size_ids=[a, b, c]))


async def test_two_lines_of_one_size_do_not_count_the_same_units(db: Database, world: World) -> None:
    size = world.sizes[0]
    await set_physical(db, world.first, size, 3)

    with pytest.raises(OutOfStock) as caught:
        await _allocate(db, world.market, [(size, 2), (size, 2)])

    assert caught.value.unavailable == [{"line": 1, "product_size_id": size, "requested": 2, "available": 1}]
    taken = await _allocate(db, world.market, [(size, 2), (size, 1)])
    assert taken == [Allocation(world.first, size, 2, 0), Allocation(world.first, size, 1, 1)]


async def test_a_market_without_rule_has_no_stock(db: Database, world: World) -> None:
    size = world.sizes[0]
    await set_physical(db, world.first, size, 5)
    bare = await stores.create_market(db, world.store, "No warehouses")

    assert await available_for_market(db, bare.id, [size]) == {size: 0}
    with pytest.raises(OutOfStock):
        await _allocate(db, bare.id, [(size, 1)])


async def test_allocation_input_is_checked(db: Database, world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await _allocate(db, world.market, [(world.sizes[0], 0)])
    assert caught.value.field == "quantity"
    with pytest.raises(NotFound):
        await _allocate(db, 999_999, [(world.sizes[0], 1)])
    assert await _allocate(db, world.market, []) == []


async def test_allocation_writes_one_event_per_stock_row(db: Database, world: World) -> None:
    size = world.sizes[0]
    await set_physical(db, world.first, size, 1)
    await set_physical(db, world.second, size, 1)

    await _allocate(db, world.market, [(size, 2)])

    async with db.read() as session:
        events = list(await session.scalars(select(Event).where(Event.object_type == "stock").order_by(Event.id)))
    allocations = [e for e in events if e.payload["reason"] == "allocate"]
    assert [(e.payload["warehouse_id"], e.payload["allocated"], e.store_id) for e in allocations] == [
        (world.first, 1, world.store),
        (world.second, 1, world.store),
    ]
    assert [e.action for e in events if e.payload["reason"] == "set"] == ["created", "created"]


@given(
    lines=st.lists(st.tuples(st.integers(1, 3), st.integers(1, 6)), max_size=6),
    stock=st.dictionaries(st.tuples(st.integers(1, 3), st.integers(1, 3)), st.integers(0, 6)),
)
def test_plan_never_takes_more_than_is_there(lines: list[tuple[int, int]], stock: dict[tuple[int, int], int]) -> None:
    warehouses = [2, 1, 3]
    allocations, unavailable = plan_allocation(lines, warehouses, stock)

    taken: dict[tuple[int, int], int] = {}
    per_line: dict[int, int] = {}
    for allocation in allocations:
        key = (allocation.warehouse_id, allocation.product_size_id)
        taken[key] = taken.get(key, 0) + allocation.quantity
        per_line[allocation.line] = per_line.get(allocation.line, 0) + allocation.quantity
        assert allocation.quantity > 0
    assert all(taken[key] <= stock.get(key, 0) for key in taken)
    short = {entry["line"]: entry for entry in unavailable}
    for index, (_size, quantity) in enumerate(lines):
        got = per_line.get(index, 0)
        if index in short:
            assert short[index]["available"] == got < quantity
        else:
            assert got == quantity


# --- counting, shipping, releasing ------------------------------------------------------------


async def test_set_physical_never_drops_below_allocated(db: Database, world: World) -> None:
    size = world.sizes[0]
    created = await set_physical(db, world.first, size, 5)
    assert (created.physical, created.allocated, created.available, created.clamped) == (5, 0, 5, False)
    await _allocate(db, world.market, [(size, 3)])

    clamped = await set_physical(db, world.first, size, 1)
    assert (clamped.physical, clamped.allocated, clamped.available, clamped.clamped) == (3, 3, 0, True)

    raised = await set_physical(db, world.first, size, 10)
    assert (raised.physical, raised.available, raised.clamped) == (10, 7, False)

    with pytest.raises(ValidationFailed) as caught:
        await set_physical(db, world.first, size, -1)
    assert caught.value.field == "physical"


async def test_adjust_physical_is_relative_and_clamped(db: Database, world: World) -> None:
    size = world.sizes[1]
    assert (await adjust_physical(db, world.second, size, 4)).physical == 4  # creates the row
    await _allocate(db, world.market, [(size, 2)])

    assert (await adjust_physical(db, world.second, size, 3)).physical == 7
    shrunk = await adjust_physical(db, world.second, size, -20)
    assert (shrunk.physical, shrunk.allocated, shrunk.clamped) == (2, 2, True)

    fresh = await adjust_physical(db, world.first, size, -5)  # no row yet: nothing below zero
    assert (fresh.physical, fresh.clamped) == (0, True)


async def test_counting_unknown_targets_is_not_found(db: Database, world: World) -> None:
    with pytest.raises(NotFound) as caught:
        await set_physical(db, 999_999, world.sizes[0], 1)
    assert caught.value.field == "warehouse"
    with pytest.raises(NotFound) as caught:
        await set_physical(db, world.first, 999_999, 1)
    assert caught.value.field == "product_size"


async def test_unchanged_count_writes_no_event(db: Database, world: World) -> None:
    size = world.sizes[0]
    await set_physical(db, world.first, size, 5)
    await set_physical(db, world.first, size, 5)
    await set_physical(db, world.first, size, 6)

    async with db.read() as session:
        events = list(await session.scalars(select(Event).where(Event.object_type == "stock").order_by(Event.id)))
    assert [(e.action, e.payload["physical"]) for e in events] == [("created", 5), ("updated", 6)]


async def test_ship_takes_physical_and_allocated_together(db: Database, world: World) -> None:
    size = world.sizes[0]
    await set_physical(db, world.first, size, 5)
    await _allocate(db, world.market, [(size, 3)])

    async with db.write() as session:
        level = await ship(session, world.first, size, 2)
    assert (level.physical, level.allocated, level.available) == (3, 1, 2)

    async with db.write() as session:
        with pytest.raises(Conflict):
            await ship(session, world.first, size, 2)  # only 1 allocated
        with pytest.raises(Conflict):
            await ship(session, world.second, size, 1)  # no stock row at all
    [after] = await stock_levels(db, warehouse_ids=[world.first], product_size_ids=[size])
    assert (after.physical, after.allocated) == (3, 1)


async def test_release_gives_back_all_or_nothing(db: Database, world: World) -> None:
    a, b, _ = world.sizes
    await set_physical(db, world.first, a, 2)
    await set_physical(db, world.second, a, 2)
    await set_physical(db, world.first, b, 2)
    taken = await _allocate(db, world.market, [(a, 3), (b, 1)])

    async with db.write() as session:
        with pytest.raises(Conflict) as caught:
            await release(session, [*taken, Allocation(world.first, b, 5)])
    assert caught.value.field == "allocations"
    assert sum(level.allocated for level in await stock_levels(db)) == 4

    async with db.write() as session:
        levels = await release(session, taken)
    assert {(level.warehouse_id, level.product_size_id, level.allocated) for level in levels} == {
        (world.first, a, 0),
        (world.second, a, 0),
        (world.first, b, 0),
    }
    assert await available_for_market(db, world.market, [a, b]) == {a: 4, b: 2}
