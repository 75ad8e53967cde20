"""Order API figures: GET /orders?limit=100 over 10,000 orders, and POST /stock for 1,000 sizes.

GET /orders is measured as issue 17 sets its targets: at 1 connection (p50)
and with 2 workers at 16 connections (req/s), each beside the bare endpoint
at the same concurrency. ``--orders-only`` skips POST /stock.

Each figure sits next to a baseline measured in the same run: a bare
Starlette endpoint returning the same bytes (for POST /stock, the same
small ``{"status":"ok"}`` answer to the same 1,000-line body).

The orders are placed with ``orders.insert_order`` (stock allocated, events
written), all in one transaction, into the cached demo database; a second
run finds them there. ``python -m benchmarks.bench_order_api [sqlite|postgresql ...]``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import urllib.request
from typing import Any

from sqlalchemy import func, select

from benchmarks import harness
from opencentra import orders
from opencentra.address import Address
from opencentra.catalog.models import ProductSize
from opencentra.customers.services import ensure_guest_customer
from opencentra.db.engine import Database
from opencentra.db.models import metadata as _all_models  # noqa: F401 - maps every table
from opencentra.inventory.models import Stock
from opencentra.orders.models import Order
from opencentra.stores.models import Market, Pricelist, Store, StoreType, Warehouse

PRODUCTS = 10_000
ORDERS = 10_000
SIZES = 1_000


async def _add_orders(url: str, wanted: int) -> float:
    """Top the demo store up to ``wanted`` orders; seconds spent (0 when they are there)."""
    db = Database.from_url(url)
    try:
        async with db.read() as session:
            have = int(await session.scalar(select(func.count(Order.id))) or 0)
            if have >= wanted:
                return 0.0
            store = await session.scalar(select(Store).where(Store.type == StoreType.DTC))
            assert store is not None
            market = await session.scalar(select(Market).where(Market.store_id == store.id, Market.name == "Nordics"))
            pricelist = await session.scalar(
                select(Pricelist).where(Pricelist.store_id == store.id, Pricelist.name == "SEK")
            )
            primary = await session.scalar(select(Warehouse).where(Warehouse.name == "Stockholm Central"))
            assert market is not None
            assert pricelist is not None
            assert primary is not None
            sizes = list(
                await session.scalars(
                    select(Stock.product_size_id)
                    .where(Stock.warehouse_id == primary.id, Stock.physical >= 10)
                    .order_by(Stock.product_size_id)
                )
            )
        started = time.perf_counter()
        async with db.atomic() as tx, tx.write() as session:
            customer = await ensure_guest_customer(session, store.id, "bench@example.com")
            for n in range(have, wanted):
                first, second = sizes[n % len(sizes)], sizes[(n * 7 + 3) % len(sizes)]
                draft = orders.OrderDraft(
                    store_id=store.id,
                    market_id=market.id,
                    pricelist_id=pricelist.id,
                    currency_id=pricelist.currency_id,
                    customer_id=customer.id,
                    email="bench@example.com",
                    billing=Address(first_name="Bench", last_name=str(n), city="Stockholm", country="SE"),
                    lines=[
                        orders.LineDraft("Bench item", 1, 49900, product_size_id=first, tax_bp=2500),
                        orders.LineDraft("Bench item", 1, 29900, product_size_id=second, tax_bp=2500),
                    ],
                    shipping_minor=4900,
                    payment_provider="test",
                )
                await orders.insert_order(session, draft)
        if not db.is_sqlite:
            # Fresh planner statistics: without them PostgreSQL sorts every order for a page (76 ms, not 5).
            async with db.engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE")
        return time.perf_counter() - started
    finally:
        await db.dispose()


async def _stock_keys(url: str, count: int) -> list[str]:
    db = Database.from_url(url)
    try:
        async with db.read() as session:
            return list(
                await session.scalars(
                    select(ProductSize.ean).where(ProductSize.ean.is_not(None)).order_by(ProductSize.id).limit(count)
                )
            )
    finally:
        await db.dispose()


def _get(url: str, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return bytes(response.read())


def run(backend: str, *, orders_only: bool = False) -> tuple[list[harness.LoadResult], dict[str, Any]]:
    seeded = harness.seeded_database(PRODUCTS, backend)
    notes: dict[str, Any] = {}
    spent = asyncio.run(_add_orders(seeded.url, ORDERS))
    if spent:
        notes[f"{backend}: insert_order x {ORDERS} in one transaction (s)"] = round(spent, 1)
    plugin = seeded.plugin("order")
    headers = {"API-Authorization": plugin["secret"]}
    keys = asyncio.run(_stock_keys(seeded.url, SIZES))
    assert len(keys) == SIZES, f"only {len(keys)} sizes with an EAN"
    rows: list[harness.LoadResult] = []
    with harness.Server(seeded.url) as server:
        base = f"{server.base_url}{plugin['base']}"
        orders_url = f"{base}/orders?limit=100"
        body = _get(orders_url, headers)
        assert len(json.loads(body)["orders"]) == 100
        notes[f"{backend}: GET /orders?limit=100 response bytes"] = len(body)
        listed = harness.wrk_load(f"GET /orders?limit=100 ({backend})", orders_url, headers=headers, connections=8)
        single = harness.wrk_load(
            f"GET /orders?limit=100, 1 connection ({backend})", orders_url, headers=headers, connections=1
        )
    # More than one worker shares its rate limits through Redis.
    redis_url = os.environ.get("OPENCENTRA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    with harness.Server(seeded.url, workers=2, redis_url=redis_url) as two:
        two_url = f"{two.base_url}{plugin['base']}/orders?limit=100"
        _get(two_url, headers)
        two_workers = harness.wrk_load(
            f"GET /orders?limit=100, 2 workers, 16 connections ({backend})", two_url, headers=headers, connections=16
        )
    if orders_only:
        with harness.baseline_server(body) as bare:
            bare_single = harness.wrk_load(
                f"bare Starlette, same {len(body)} bytes, 1 connection", f"{bare}/orders", connections=1
            )
            bare_16 = harness.wrk_load(
                f"bare Starlette, same {len(body)} bytes, 16 connections", f"{bare}/orders", connections=16
            )
        notes[f"{backend}: GET /orders p50 at 1 connection (ms)"] = single.p50_ms
        notes[f"{backend}: GET /orders req/s with 2 workers at 16 connections"] = round(
            two_workers.requests_per_second, 1
        )
        return [listed, single, bare_single, two_workers, bare_16], notes
    with harness.Server(seeded.url) as server:
        base = f"{server.base_url}{plugin['base']}"

        def stock_body(offset: int) -> bytes:
            products = [{"product": key, "quantity": 40 + (i + offset) % 7} for i, key in enumerate(keys)]
            return json.dumps({"products": products}).encode()

        # Every push changes every one of the 1,000 rows (the quantities rotate), as a full WMS sync would.
        counter = iter(range(1_000_000))

        async def push(client: Any) -> None:
            response = await client.post(
                f"{plugin['base']}/stock",
                content=stock_body(next(counter)),
                headers={**headers, "content-type": "application/json"},
            )
            response.raise_for_status()
            if response.json() != {"status": "ok"}:
                raise RuntimeError(response.text)

        stock = harness.flow_latency(
            f"POST /stock, {SIZES} sizes changed ({backend})",
            push,
            base_url=server.base_url,
            concurrency=2,
            iterations=30,
        )
        unchanged = harness.wrk_load(
            f"POST /stock, {SIZES} sizes unchanged ({backend})",
            f"{base}/stock",
            method="POST",
            body=stock_body(0),
            headers={**headers, "content-type": "application/json"},
            connections=2,
        )
    with harness.baseline_server(body) as bare:
        bare_orders = harness.wrk_load(f"bare Starlette, same {len(body)} bytes", f"{bare}/orders", connections=8)
    with harness.baseline_server(b'{"status":"ok"}') as bare:
        bare_stock = harness.wrk_load(
            "bare Starlette, same POST body and answer",
            f"{bare}/stock",
            method="POST",
            body=stock_body(0),
            headers={"content-type": "application/json"},
            connections=2,
        )
    rows += [listed, single, two_workers, bare_orders, stock, unchanged, bare_stock]
    notes[f"{backend}: GET /orders / bare ratio"] = round(harness.ratio(listed, bare_orders), 3)
    notes[f"{backend}: POST /stock (changed) / bare ratio"] = round(harness.ratio(stock, bare_stock), 4)
    notes[f"{backend}: POST /stock (unchanged) / bare ratio"] = round(harness.ratio(unchanged, bare_stock), 4)
    return rows, notes


def main() -> None:
    orders_only = "--orders-only" in sys.argv
    backends = [arg for arg in sys.argv[1:] if not arg.startswith("--")] or ["sqlite", "postgresql"]
    rows: list[harness.LoadResult] = []
    notes: dict[str, Any] = {}
    for backend in backends:
        found, more = run(backend, orders_only=orders_only)
        rows += found
        notes.update(more)
    harness.report("order_api_listing" if orders_only else "order_api", rows, notes)


if __name__ == "__main__":
    main()
