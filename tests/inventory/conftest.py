"""The inventory tests' world: one store, one market drawing from two warehouses in
priority order, a third warehouse outside the market's rule, and three sizes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from opencentra.catalog.models import Product, ProductSize, ProductVariant, Size, SizeChart
from opencentra.db.engine import Database
from opencentra.stores import services as stores


@dataclass(frozen=True)
class World:
    store: int
    market: int
    rule: int
    first: int  # warehouse, highest priority
    second: int
    outside: int  # warehouse not in the market's rule
    sizes: tuple[int, int, int]


async def make_sizes(db: Database, count: int) -> list[int]:
    async with db.write() as session:
        chart = SizeChart(name="Letters")
        session.add(chart)
        await session.flush()
        sizes = [Size(size_chart_id=chart.id, name=name, position=i) for i, name in enumerate("SMLXY"[:count])]
        product = Product(name="Tee", product_number="TEE-1", size_chart_id=chart.id)
        session.add_all([*sizes, product])
        await session.flush()
        variant = ProductVariant(product_id=product.id, name="Black", variant_number="BLK")
        session.add(variant)
        await session.flush()
        product_sizes = [ProductSize(variant_id=variant.id, size_id=size.id) for size in sizes]
        session.add_all(product_sizes)
        await session.flush()
        return [ps.id for ps in product_sizes]


@pytest.fixture
async def world(db: Database) -> World:
    store = await stores.create_store(db, "Stock store")
    first = await stores.create_warehouse(db, "Main")
    second = await stores.create_warehouse(db, "Overflow")
    outside = await stores.create_warehouse(db, "Elsewhere")
    rule = await stores.create_allocation_rule(db, "Main then overflow", [first.id, second.id])
    market = await stores.create_market(db, store.id, "Default", allocation_rule_id=rule.id)
    a, b, c = await make_sizes(db, 3)
    return World(store.id, market.id, rule.id, first.id, second.id, outside.id, (a, b, c))


@pytest.fixture
async def roomy_db(db: Database) -> AsyncIterator[Database]:
    """The same database with a pool big enough for 50 concurrent transactions
    on PostgreSQL (SQLite opens one connection per transaction anyway)."""
    other = Database.from_url(db.url.render_as_string(hide_password=False), pool_size=30)
    try:
        yield other
    finally:
        await other.dispose()
