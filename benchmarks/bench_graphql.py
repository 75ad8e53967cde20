"""GraphQL Integration API: ``orders(limit: 100) { lines {...} }`` over 10,000 orders.

Reports, against the bare-Starlette baseline serving the same bytes:
- latency (p50/p95/p99) and throughput of the query through ``opencentra serve``,
  one client at a time and eight at once;
- the time spent on Centra's cost calculation and the rate limiter for that
  query, measured in-process over many runs, as a share of the p50.

Usage: ``python -m benchmarks.bench_graphql [orders] [sqlite|postgresql]``.
The server runs Centra's Enterprise plan so the load is not refused (429s would
count as errors); the default Growth plan allows 60 requests per 10 seconds.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import urllib.request
from typing import Any

from graphql import parse
from sqlalchemy import func, insert, select

from benchmarks import harness
from opencentra.api.graphql.cost import query_cost
from opencentra.api.graphql.schema import schema
from opencentra.catalog.models import ProductSize
from opencentra.customers.models import Customer
from opencentra.db.engine import Database
from opencentra.db.models import metadata as _all_models  # noqa: F401 - maps every table
from opencentra.orders.models import Order, OrderLine
from opencentra.ratelimit import ENTERPRISE, GLOBAL_KEY, Cost, MemoryRateLimitStore
from opencentra.stores.models import Market, Pricelist, Store, StoreType

QUERY = """
{
  orders(limit: 100) {
    id number status orderDate
    grandTotal { value currency { code } }
    lines { id quantity productName productVariantName size sku unitPrice { value } }
  }
}
"""


async def _add_orders(url: str, wanted: int) -> int:
    """Grow the database to ``wanted`` orders of three lines each (bulk inserts)."""
    db = Database.from_url(url)
    try:
        async with db.write() as session:
            have = int(await session.scalar(select(func.count(Order.id))) or 0)
            if have >= wanted:
                return have
            store = await session.scalar(select(Store).where(Store.type == StoreType.DTC).order_by(Store.id))
            assert store is not None
            market = await session.scalar(select(Market.id).where(Market.store_id == store.id).order_by(Market.id))
            pricelist = await session.scalar(select(Pricelist).where(Pricelist.store_id == store.id))
            assert market is not None
            assert pricelist is not None
            sizes = list((await session.scalars(select(ProductSize.id).order_by(ProductSize.id).limit(500))).all())
            email = "bench-graphql@example.com"
            customer = await session.scalar(select(Customer.id).where(Customer.email == email))
            if customer is None:
                customer = await session.scalar(
                    insert(Customer).values(store_id=store.id, email=email, registered=False).returning(Customer.id)
                )
            start = int(await session.scalar(select(func.coalesce(func.max(Order.number), 0))) or 0)
            count = wanted - have
            orders = [
                {
                    "number": start + n + 1,
                    "store_id": store.id,
                    "market_id": market,
                    "pricelist_id": pricelist.id,
                    "currency_id": pricelist.currency_id,
                    "currency_decimals": 2,
                    "customer_id": customer,
                    "email": email,
                    "status": 2,
                    "items_total_minor": 59_700,
                    "grand_total_minor": 59_700,
                }
                for n in range(count)
            ]
            ids = list(
                (await session.scalars(insert(Order).returning(Order.id, sort_by_parameter_order=True), orders)).all()
            )
            lines = [
                {
                    "order_id": order_id,
                    "product_size_id": sizes[(i + k) % len(sizes)],
                    "product_name": "Bench tee",
                    "variant_name": "Black",
                    "size_name": "M",
                    "sku": f"BENCH-{k}",
                    "quantity": 1 + k,
                    "unit_price_minor": 19_900,
                    "original_unit_price_minor": 19_900,
                    "tax_bp": 2500,
                }
                for i, order_id in enumerate(ids)
                for k in range(3)
            ]
            await session.execute(insert(OrderLine), lines)
            return have + count
    finally:
        await db.dispose()


def _cost_and_limiter_microseconds(runs: int = 2000) -> dict[str, float]:
    """Per request: costing the parsed document, and one all-or-nothing check of the six buckets."""
    document = parse(QUERY)
    started = time.perf_counter()
    for _ in range(runs):
        cost = query_cost(schema._schema, document, None, None)
    costing = (time.perf_counter() - started) / runs * 1e6
    store = MemoryRateLimitStore(ENTERPRISE)
    charge = Cost(complexity=1, mutations=0)

    async def limiter() -> float:
        began = time.perf_counter()
        for _ in range(runs):
            await store.consume(GLOBAL_KEY, charge)
        return (time.perf_counter() - began) / runs * 1e6

    return {"complexity": float(cost.complexity), "cost_us": costing, "memory_limiter_us": asyncio.run(limiter())}


def _redis_limiter_microseconds(redis_url: str, runs: int = 500) -> float:
    from redis.asyncio import Redis

    from opencentra.ratelimit import RedisRateLimitStore

    async def main() -> float:
        client = Redis.from_url(redis_url)
        try:
            store = RedisRateLimitStore(client, ENTERPRISE, prefix="opencentra-bench:rl")
            began = time.perf_counter()
            for _ in range(runs):
                await store.consume("bench", Cost(complexity=1))
            return (time.perf_counter() - began) / runs * 1e6
        finally:
            await client.aclose()

    return asyncio.run(main())


def _post(url: str, token: str) -> bytes:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
        return body


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    backend = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    seeded = harness.seeded_database(products=1_000, backend=backend)
    total = asyncio.run(_add_orders(seeded.url, wanted))
    token = seeded.credentials["graphql_token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"query": QUERY})
    os.environ["OPENCENTRA_RATELIMIT_PLAN"] = "enterprise"
    notes: dict[str, Any] = {"orders in database": total, "backend": backend}
    with harness.Server(seeded.url) as server:
        url = f"{server.base_url}/graphql"
        sample = _post(url, token)
        decoded = json.loads(sample)
        assert "errors" not in decoded, decoded
        notes["response bytes"] = len(sample)
        single = harness.wrk_load("orders(limit:100){lines} c=1", url, method="POST", body=body, headers=headers,
                                  connections=1, duration=8)  # fmt: skip
        loaded = harness.wrk_load("orders(limit:100){lines} c=8", url, method="POST", body=body, headers=headers,
                                  connections=8, duration=8)  # fmt: skip
    with harness.baseline_server(sample) as base:
        bare_single = harness.wrk_load("bare Starlette, same bytes, c=1", f"{base}/graphql", method="POST",
                                       body=body, connections=1, duration=5)  # fmt: skip
        bare_loaded = harness.wrk_load("bare Starlette, same bytes, c=8", f"{base}/graphql", method="POST",
                                       body=body, connections=8, duration=5)  # fmt: skip
    overhead = _cost_and_limiter_microseconds()
    notes["query complexity"] = int(overhead["complexity"])
    notes["cost calculation per request (us)"] = round(overhead["cost_us"], 1)
    notes["memory rate limiter per request (us)"] = round(overhead["memory_limiter_us"], 1)
    share = (overhead["cost_us"] + overhead["memory_limiter_us"]) / (single.p50_ms * 1000)
    notes["cost + limiter share of p50 (c=1)"] = f"{share:.2%}"
    try:
        redis_us = _redis_limiter_microseconds(os.environ.get("OPENCENTRA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
        notes["Redis rate limiter per request (us)"] = round(redis_us, 1)
        notes["cost + Redis limiter share of p50 (c=1)"] = (
            f"{(overhead['cost_us'] + redis_us) / (single.p50_ms * 1000):.2%}"
        )
    except OSError as error:
        notes["Redis rate limiter"] = f"not measured: {error}"
    notes["p50 target <= 60 ms met"] = single.p50_ms <= 60
    notes["throughput ratio to bare (c=8)"] = round(harness.ratio(loaded, bare_loaded), 3)
    harness.report("graphql", [single, loaded, bare_single, bare_loaded], notes)


if __name__ == "__main__":
    main()
