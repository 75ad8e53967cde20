"""A stock push costs a fixed number of SQL statements, whatever the number of sizes.

The Order API's ``POST /stock`` sends a WMS's whole delta (1,000 sizes and
more) in one request; a per-size statement anywhere on that path is what made
it take most of a second. These tests count statements (never time them): one
size and 1,000 sizes cost the same, on both backends, the first push (rows
created) and a later one (rows updated), and every changed size still gets its
own outbox event with its own id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, event, func, insert, select
from tests.inventory.conftest import World

from opencentra import inventory
from opencentra.catalog.models import Product, ProductSize, ProductVariant, Size, SizeChart
from opencentra.db.engine import Database
from opencentra.events.models import Event

MANY = 1_000


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


async def _many_sizes(db: Database, count: int) -> list[int]:
    """``count`` product sizes with an EAN each: 5 sizes per variant, one variant per product."""
    async with db.write() as session:
        chart = SizeChart(name="Bulk")
        session.add(chart)
        await session.flush()
        sizes = [Size(size_chart_id=chart.id, name=name, position=i) for i, name in enumerate("ABCDE")]
        session.add_all(sizes)
        await session.flush()
        product_ids = []
        for n in range(count // 5):
            product = Product(name=f"Bulk {n}", product_number=f"BULK-{n:05d}", size_chart_id=chart.id)
            session.add(product)
            product_ids.append(product)
        await session.flush()
        variants = [ProductVariant(product_id=p.id, name="One", variant_number="01") for p in product_ids]
        session.add_all(variants)
        await session.flush()
        await session.execute(
            insert(ProductSize),
            [
                {"variant_id": v.id, "size_id": s.id, "ean": f"77{v.id:07d}{i:03d}", "sku": f"{i:02d}"}
                for v in variants
                for i, s in enumerate(sizes)
            ],
        )
        chart_id = chart.id
    async with db.read() as session:
        return list(
            await session.scalars(
                select(ProductSize.id)
                .join(Size, Size.id == ProductSize.size_id)
                .where(Size.size_chart_id == chart_id)
                .order_by(ProductSize.id)
            )
        )


async def _events(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).where(Event.object_type == "stock")) or 0)


async def test_a_push_of_1000_sizes_costs_the_statements_of_one(db: Database, world: World) -> None:
    many = await _many_sizes(db, MANY)
    one = many[:1]

    # The first push creates the rows, a second one changes them.
    with _statements(db) as first_one:
        await inventory.set_stock(db, world.first, dict.fromkeys(one, 3))
    with _statements(db) as first_many:
        created = await inventory.set_stock(db, world.first, dict.fromkeys(many[1:], 3))
    with _statements(db) as again_one:
        await inventory.set_stock(db, world.first, dict.fromkeys(one, 4))
    with _statements(db) as again_many:
        updated = await inventory.set_stock(db, world.first, {size: 5 + i % 3 for i, size in enumerate(many)})

    assert len(first_many) == len(first_one)
    assert len(again_many) == len(again_one)
    # The rows were created and changed all the same, one event per changed size.
    assert len(created.changes) == MANY - 1
    assert len(updated.changes) == MANY
    assert await _events(db) == 1 + (MANY - 1) + 1 + MANY
    assert {change.product_size_id: change.physical for change in updated.changes} == {
        size: 5 + i % 3 for i, size in enumerate(many)
    }
    # Each event has its own id, in the order the levels came, and reads back as returned.
    ids = [change.id for change in updated.changes]
    assert ids == sorted(set(ids))
    assert await inventory.stock_changes(db, ids) == {change.id: change for change in updated.changes}


async def test_a_keyed_push_of_1000_sizes_costs_the_statements_of_one(db: Database, world: World) -> None:
    many = await _many_sizes(db, MANY)
    async with db.read() as session:
        eans = dict(
            (await session.execute(select(ProductSize.id, ProductSize.ean).where(ProductSize.id.in_(many)))).all()
        )
    keys = [str(eans[size]) for size in many]
    await inventory.set_stock_by_keys(db, world.first, dict.fromkeys(keys, 1))

    with _statements(db) as one:
        await inventory.set_stock_by_keys(db, world.first, {keys[0]: 2})
    with _statements(db) as thousand:
        result = await inventory.set_stock_by_keys(db, world.first, dict.fromkeys(keys, 3))

    assert len(thousand) == len(one)
    assert len(result.changes) == MANY
    assert not result.not_found


async def test_ids_of_bulk_events_follow_the_highest_ever_used(db: Database, world: World) -> None:
    """Ids of outbox events never come back, even after the newest ones were pruned."""
    a, b, c = world.sizes
    first = await inventory.set_stock(db, world.first, {a: 1, b: 1, c: 1})
    highest = max(change.id for change in first.changes)
    async with db.write() as session:
        await session.execute(delete(Event).where(Event.id >= highest - 1))

    second = await inventory.set_stock(db, world.first, {a: 2, b: 2, c: 2})

    assert min(change.id for change in second.changes) > highest
