"""Shop API figures over the 10,000-product demo catalogue.

1. ``GET /products``: the whole catalogue (every market, pricelist and
   language), streamed, one request at a time. Baseline: a bare Starlette
   endpoint returning the same bytes. While it streams, the server's resident
   memory is sampled: the issue's bound is a peak under 150 MB.
2. ``POST /products/filter`` with ``{"quantity": 100}``, 4 at once; baseline
   the same bytes from the bare endpoint.

``python -m benchmarks.bench_shop_api [sqlite|postgresql ...]`` (SQLite by default);
``--phases [sqlite|postgresql]`` times the phases of ``GET /products`` in process instead.
"""

from __future__ import annotations

import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import harness

PRODUCTS = 10_000
WHOLE_CATALOGUE_RUNS = 3
FILTER_RUNS = 40
FILTER_CONCURRENCY = 4
FILTER_BODY = b'{"quantity": 100}'


def _fetch(url: str, secret: str, body: bytes | None = None) -> bytes:
    headers = {"API-Authorization": secret, "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(request, timeout=600) as answer:
        data: bytes = answer.read()
        return data


def _rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (the serving worker), the largest, in MB."""
    largest = 0
    for process in [pid, *harness._children(pid)]:
        try:
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]))
        except OSError:
            continue
    return largest / 1024


@contextmanager
def peak_rss(pid: int) -> Iterator[list[float]]:
    """Samples the server's RSS every 20 ms while the block runs; yields [peak MB] (filled on exit)."""
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb(pid))
            time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def run(backend: str) -> tuple[list[harness.LoadResult], dict[str, Any]]:
    seeded = harness.seeded_database(PRODUCTS, backend)
    plugin = seeded.plugin("shop")
    secret = plugin["secret"]
    headers = {"API-Authorization": secret}
    notes: dict[str, Any] = {}
    with harness.Server(seeded.url) as server:
        base = f"{server.base_url}{plugin['base']}"
        notes[f"{backend}: server RSS before the catalogue, MB"] = round(_rss_mb(server.pid), 1)
        cold = time.perf_counter()
        with peak_rss(server.pid) as peak:
            catalogue = _fetch(f"{base}/products", secret)
            notes[f"{backend}: first GET /products, s"] = round(time.perf_counter() - cold, 2)

            async def whole(client: Any) -> None:
                answer = await client.get(f"{plugin['base']}/products", headers=headers, timeout=600)
                answer.raise_for_status()

            products = harness.flow_latency(
                f"GET /products, {PRODUCTS} products ({backend})",
                whole,
                base_url=server.base_url,
                concurrency=1,
                iterations=WHOLE_CATALOGUE_RUNS,
                pid=server.pid,
            )
        notes[f"{backend}: GET /products bytes"] = len(catalogue)
        notes[f"{backend}: peak server RSS while streaming, MB (bound 150)"] = round(peak[0], 1)
        filtered = _fetch(f"{base}/products/filter", secret, FILTER_BODY)

        async def filter_100(client: Any) -> None:
            answer = await client.post(
                f"{plugin['base']}/products/filter",
                content=FILTER_BODY,
                headers={**headers, "Content-Type": "application/json"},
            )
            answer.raise_for_status()

        filter_row = harness.flow_latency(
            f"POST /products/filter quantity 100 ({backend})",
            filter_100,
            base_url=server.base_url,
            concurrency=FILTER_CONCURRENCY,
            iterations=FILTER_RUNS,
            pid=server.pid,
        )

    async def bare(client: Any) -> None:
        answer = await client.get("/products")
        answer.raise_for_status()

    async def bare_post(client: Any) -> None:
        answer = await client.post("/products/filter", content=FILTER_BODY)
        answer.raise_for_status()

    with harness.baseline_server(catalogue) as url:
        bare_products = harness.flow_latency(
            f"bare Starlette, same bytes as GET /products ({backend})",
            bare,
            base_url=url,
            concurrency=1,
            iterations=WHOLE_CATALOGUE_RUNS,
            pid=url.pid,
        )
    with harness.baseline_server(filtered) as url:
        bare_filter = harness.flow_latency(
            f"bare Starlette, same bytes as the filter ({backend})",
            bare_post,
            base_url=url,
            concurrency=FILTER_CONCURRENCY,
            iterations=FILTER_RUNS,
            pid=url.pid,
        )
    notes[f"{backend}: GET /products / bare"] = round(harness.ratio(products, bare_products), 4)
    notes[f"{backend}: POST /products/filter quantity 100 / bare"] = round(harness.ratio(filter_row, bare_filter), 4)
    return [products, bare_products, filter_row, bare_filter], notes


PHASE_PRODUCTS = 1_000


async def _phases(url: str, store_id: int) -> dict[str, float]:
    """Seconds per phase of ``GET /products`` for the first ``PHASE_PRODUCTS`` products, in process:
    the product rows, their prices in every market and pricelist, their stock per market, the shaping
    into Centra's product objects, and the JSON (what ``api/shop/catalogue._product_bodies`` does)."""
    from datetime import UTC, datetime

    import orjson

    from opencentra import catalog, inventory, pricing
    from opencentra.api.shop.catalogue import ShopCatalogue, _found_ids
    from opencentra.api.shop.catalogue_shapes import product_body
    from opencentra.db.engine import Database

    db = Database.from_url(url)
    try:
        shop = ShopCatalogue(db, store_id, (), False)
        reference, markets, ids = await _found_ids(shop, catalog.StoreProductFilter())
        ids = ids[:PHASE_PRODUCTS]
        spent = dict.fromkeys(("product rows", "prices", "stock", "shaping", "json"), 0.0)
        for start in range(0, len(ids), catalog.PRODUCT_CHUNK):
            chunk = ids[start : start + catalog.PRODUCT_CHUNK]
            async with db.read() as session:
                began = time.perf_counter()
                products = await catalog.store_products(session, store_id, markets, chunk)
                read = time.perf_counter()
                variant_markets: dict[int, set[int]] = {}
                for product in products:
                    variant_markets.setdefault(product.variant_id, set()).update(product.market_ids)
                pricelists = [p.id for p in reference.pricelists.values() if p.active]
                prices = await pricing.prices_in_markets(
                    session, store_id, variant_markets, datetime.now(UTC), pricelist_ids=pricelists
                )
                priced = time.perf_counter()
                stock = await inventory.stock_by_market(
                    session, markets, [i.product_size_id for p in products for i in p.items]
                )
                stocked = time.perf_counter()
            bodies = [product_body(p, reference, prices, stock, {}) for p in products]
            shaped = time.perf_counter()
            b",".join(orjson.dumps(body) for body in bodies)
            done = time.perf_counter()
            for name, seconds in zip(
                spent, (read - began, priced - read, stocked - priced, shaped - stocked, done - shaped), strict=True
            ):
                spent[name] += seconds
        return {name: round(seconds, 2) for name, seconds in spent.items()}
    finally:
        await db.dispose()


def phases(backend: str) -> None:
    """``python -m benchmarks.bench_shop_api --phases [sqlite|postgresql]``: where ``GET /products`` spends."""
    import asyncio

    seeded = harness.seeded_database(PRODUCTS, backend)
    spent = asyncio.run(_phases(seeded.url, int(seeded.plugin("shop")["store"])))
    total = sum(spent.values()) or 1.0
    print(f"GET /products phases, first {PHASE_PRODUCTS} of {PRODUCTS} products ({backend}), seconds:")
    for name, seconds in spent.items():
        print(f"  {name:<13} {seconds:6.2f}  {seconds / total:5.0%}")


def main() -> None:
    if sys.argv[1:2] == ["--phases"]:
        for backend in sys.argv[2:] or ["sqlite"]:
            phases(backend)
        return
    backends = sys.argv[1:] or ["sqlite"]
    rows: list[harness.LoadResult] = []
    notes: dict[str, Any] = {"catalogue products": PRODUCTS}
    for backend in backends:
        backend_rows, backend_notes = run(backend)
        rows += backend_rows
        notes.update(backend_notes)
    harness.report("shop_api", rows, notes)


if __name__ == "__main__":
    main()
