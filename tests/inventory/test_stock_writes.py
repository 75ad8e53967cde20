"""Writing stock as the APIs do: ``set_stock`` (physical or free to allocate), ``change_stock``
(deliveries, removals, moves), and the stock changes they return and that are read back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from tests.inventory.conftest import World

from opencentra import inventory
from opencentra.catalog.models import ProductSize
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.models import Event
from opencentra.events.outbox import record
from opencentra.inventory import StockTarget
from opencentra.inventory.services import allocate


async def _take(db: Database, world: World, size: int, quantity: int) -> None:
    async with db.write() as session:
        await allocate(session, world.market, [(size, quantity)], only=[world.first])


async def _levels(db: Database, warehouse: int) -> dict[int, tuple[int, int]]:
    return {
        level.product_size_id: (level.physical, level.allocated)
        for level in await inventory.stock_levels(db, warehouse_ids=[warehouse])
    }


async def _stock_event_count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).where(Event.object_type == "stock")) or 0)


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


def _batched(db: Database, statements: list[str]) -> list[str]:
    return [s for s in statements if not (db.is_sqlite and s.startswith("INSERT INTO events"))]


# --- set_stock ----------------------------------------------------------------------------------


async def test_set_stock_sets_physical_or_free_to_allocate(db: Database, world: World) -> None:
    a, b, c = world.sizes
    first = await inventory.set_stock(db, world.first, {a: 5, b: 2})
    assert [(lv.product_size_id, lv.physical, lv.available) for lv in first.levels] == [(a, 5, 5), (b, 2, 2)]
    await _take(db, world, a, 3)

    # Free to allocate: physical becomes what is allocated plus the value.
    free = await inventory.set_stock(db, world.first, {a: 4, c: 1}, target=StockTarget.AVAILABLE)

    assert [(lv.product_size_id, lv.physical, lv.allocated, lv.available) for lv in free.levels] == [
        (a, 7, 3, 4),
        (c, 1, 0, 1),
    ]
    assert await _levels(db, world.first) == {a: (7, 3), b: (2, 0), c: (1, 0)}


async def test_set_stock_clamps_to_what_is_allocated(db: Database, world: World) -> None:
    a, b, _ = world.sizes
    await inventory.set_stock(db, world.first, {a: 5, b: 5})
    await _take(db, world, a, 4)

    update = await inventory.set_stock(db, world.first, {a: 1, b: 1})

    [clamped, fine] = update.levels
    assert (clamped.physical, clamped.allocated, clamped.clamped) == (4, 4, True)
    assert (fine.physical, fine.clamped) == (1, False)


async def test_set_stock_returns_the_changes_it_recorded(db: Database, world: World) -> None:
    a, b, _ = world.sizes
    created = await inventory.set_stock(db, world.first, {a: 5, b: 0})
    # b's new row is already at 0: nothing changed, nothing recorded.
    [change] = created.changes
    assert (change.warehouse_id, change.product_size_id, change.physical, change.physical_delta) == (
        world.first,
        a,
        5,
        5,
    )
    assert change.reason == "set"

    again = await inventory.set_stock(db, world.first, {a: 5, b: 2})

    [moved] = again.changes
    assert (moved.product_size_id, moved.physical, moved.physical_delta, moved.available) == (b, 2, 2, 2)
    # The views are the recorded events themselves: reading them back gives the same values.
    assert await inventory.stock_changes(db, [change.id, moved.id]) == {change.id: change, moved.id: moved}
    async with db.read() as session:
        actions = list(await session.scalars(select(Event.action).where(Event.object_type == "stock")))
    assert actions == ["created", "updated"]


async def test_set_stock_is_all_or_nothing(db: Database, world: World) -> None:
    a, b, _ = world.sizes
    await inventory.set_stock(db, world.first, {a: 1})
    before = await _stock_event_count(db)

    with pytest.raises(NotFound) as unknown_size:
        await inventory.set_stock(db, world.first, {a: 9, b: 9, 999_999: 1})
    assert unknown_size.value.field == "product_size"
    with pytest.raises(NotFound) as unknown_warehouse:
        await inventory.set_stock(db, 999_999, {a: 9})
    assert unknown_warehouse.value.field == "warehouse"
    with pytest.raises(ValidationFailed):
        await inventory.set_stock(db, world.first, {a: 9, b: -1})

    assert await _levels(db, world.first) == {a: (1, 0)}
    assert await _stock_event_count(db) == before


async def test_an_empty_push_still_names_a_real_warehouse(db: Database, world: World) -> None:
    assert await inventory.set_stock(db, world.first, {}) == inventory.StockUpdate(levels=(), changes=())
    with pytest.raises(NotFound):
        await inventory.set_stock(db, 999_999, {})


async def test_set_stock_costs_the_same_statements_for_one_size_or_many(db: Database, world: World) -> None:
    a, b, c = world.sizes
    await inventory.set_stock(db, world.first, {a: 1, b: 1, c: 1})

    with _statements(db) as one:
        await inventory.set_stock(db, world.first, {a: 2})
    with _statements(db) as three:
        await inventory.set_stock(db, world.first, {a: 3, b: 3, c: 3})

    # One statement per step whatever the number of sizes; only SQLite inserts the outbox
    # events one by one (its driver has no multi-row INSERT ... RETURNING), PostgreSQL batches them.
    assert len(_batched(db, three)) == len(_batched(db, one))


async def test_set_stock_by_keys_reports_unknown_keys(db: Database, world: World) -> None:
    a, _, _ = world.sizes
    async with db.write() as session:
        size = await session.get(ProductSize, a)
        assert size is not None
        size.ean = "7300000000017"

    result = await inventory.set_stock_by_keys(
        db, world.first, {"7300000000017": 6, "NOPE": 1}, target=StockTarget.AVAILABLE
    )

    assert result.not_found == ["NOPE"] and result.bundles == []
    assert result.levels["7300000000017"].physical == 6
    assert [change.product_size_id for change in result.changes] == [a]


# --- change_stock -------------------------------------------------------------------------------


async def test_change_stock_delivers_and_moves(db: Database, world: World) -> None:
    a, b, _ = world.sizes
    delivered = await inventory.change_stock(db, [(a, 5), (b, 2), (a, 0)], into_warehouse_id=world.first)
    assert [(c.product_size_id, c.physical_delta, c.reason) for c in delivered.changes] == [
        (a, 5, "adjust"),
        (b, 2, "adjust"),
    ]

    moved = await inventory.change_stock(
        db, [(a, 3)], out_from_warehouse_id=world.first, into_warehouse_id=world.second
    )

    # Taken out first, then put in.
    assert [(c.warehouse_id, c.physical_delta, c.physical) for c in moved.changes] == [
        (world.first, -3, 2),
        (world.second, 3, 3),
    ]
    assert await _levels(db, world.first) == {a: (2, 0), b: (2, 0)}
    assert await _levels(db, world.second) == {a: (3, 0)}


async def test_taking_stock_out_stops_at_what_is_allocated(db: Database, world: World) -> None:
    a, _, _ = world.sizes
    await inventory.change_stock(db, [(a, 5)], into_warehouse_id=world.first)
    await _take(db, world, a, 4)

    update = await inventory.change_stock(db, [(a, 3)], out_from_warehouse_id=world.first)

    [level] = update.levels
    assert (level.physical, level.allocated, level.clamped) == (4, 4, True)
    [change] = update.changes
    assert change.physical_delta == -1


async def test_change_stock_refuses_without_writing(db: Database, world: World) -> None:
    a, b, _ = world.sizes
    await inventory.change_stock(db, [(a, 5)], into_warehouse_id=world.first)
    before = await _stock_event_count(db)

    with pytest.raises(ValidationFailed) as neither:
        await inventory.change_stock(db, [(a, 1)])
    assert neither.value.field == "into_warehouse"
    with pytest.raises(NotFound) as into:
        await inventory.change_stock(db, [(a, 1)], into_warehouse_id=999_999, out_from_warehouse_id=world.first)
    assert into.value.field == "into_warehouse"
    with pytest.raises(NotFound) as out:
        await inventory.change_stock(db, [(a, 1)], out_from_warehouse_id=999_999)
    assert out.value.field == "out_from_warehouse"
    # One unknown size refuses the whole move, including the lines before it.
    with pytest.raises(NotFound):
        await inventory.change_stock(
            db, [(a, 2), (b, 2), (999_999, 1)], out_from_warehouse_id=world.first, into_warehouse_id=world.second
        )

    assert await _levels(db, world.first) == {a: (5, 0)}
    assert await _levels(db, world.second) == {}
    assert await _stock_event_count(db) == before


# --- reading stock changes back -----------------------------------------------------------------


async def test_stock_change_pages(db: Database, world: World) -> None:
    a, b, c = world.sizes
    await inventory.set_stock(db, world.first, {a: 1, b: 1})
    await inventory.set_stock(db, world.second, {c: 1})
    await inventory.change_stock(db, [(a, 1)], into_warehouse_id=world.first)
    async with db.write() as session:  # another kind of event is never a stock change
        other = await record(session, "voucher", 1, "created", {})

    everything = await inventory.stock_change_page(db, limit=10)
    ids = [change.id for change in everything.changes]
    assert (len(ids), everything.total, everything.more) == (4, 4, False)
    assert ids == sorted(ids) and other.id not in ids

    first_two = await inventory.stock_change_page(db, limit=2)
    assert [c.id for c in first_two.changes] == ids[:2] and first_two.more
    after = await inventory.stock_change_page(db, limit=2, after_id=ids[1])
    assert [c.id for c in after.changes] == ids[2:] and not after.more and after.total == 4
    last = await inventory.stock_change_page(db, limit=1, from_end=True)
    assert [c.id for c in last.changes] == ids[-1:] and last.more
    before = await inventory.stock_change_page(db, limit=5, before_id=ids[2], from_end=True)
    assert [c.id for c in before.changes] == ids[:2] and not before.more
    second = await inventory.stock_change_page(db, limit=10, warehouse_id=world.second)
    assert [(c.warehouse_id, c.product_size_id) for c in second.changes] == [(world.second, c)]
    assert second.total == 1
    assert await inventory.stock_changes(db, [other.id, 999_999]) == {}


async def test_variant_sizes_lists_each_variants_stock_items(db: Database, world: World) -> None:
    async with db.read() as session:
        variant = await session.scalar(select(ProductSize.variant_id).where(ProductSize.id == world.sizes[0]))
    assert variant is not None

    found = await inventory.variant_sizes(db, [variant, 999_999])

    assert list(found) == [variant]
    assert [(size.id, size.size_name) for size in found[variant]] == list(zip(world.sizes, "SML", strict=True))
