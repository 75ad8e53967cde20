"""Checkout API figures over the 10,000-product demo catalogue.

1. POST /products with ``{"limit": 20}``: with ``API-Token: none`` (server-side
   cache fetching, Centra's documented fast path) and with a shopper's
   session token. wrk, 16 connections. Baseline: a bare Starlette endpoint
   returning the same bytes. Target: at least 40 % of the baseline's rate.
2. Add to cart (POST /items/{item} with a shopper's token), 16 at once from a
   Python client; baseline: the same client against the bare endpoint
   returning the same bytes. Target: p95 at most 15 ms on PostgreSQL.
3. A whole purchase: add an item with a new session, then POST /payment
   with the test card (the order is placed, stock taken), 16 at once.

``python -m benchmarks.bench_checkout_api [sqlite|postgresql ...]`` (both by default).
"""

from __future__ import annotations

import itertools
import json
import sys
import time
import urllib.request
from typing import Any

from benchmarks import harness

PRODUCTS = 10_000
CONNECTIONS = 16
PAYMENT = {
    "paymentMethod": "test-card",
    "paymentReturnPage": "https://shop.example/return",
    "termsAndConditions": True,
    "address": {"email": "bench@example.com", "country": "SE", "firstName": "Bench"},
}


def _call(url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read()


def _items(base: str, count: int) -> list[str]:
    """In-stock items of many different products, so purchases do not run one size dry."""
    listed = json.loads(
        _call(f"{base}/products", "POST", {"limit": count, "onlyAvailable": True}, {"API-Token": "none"})
    )
    items = []
    for product in listed["products"]:
        in_stock = [i["item"] for i in product["items"] if i["stock"] == "yes"]
        if in_stock:
            items.append(in_stock[0])
    return items


def run(backend: str) -> tuple[list[harness.LoadResult], dict[str, Any]]:
    seeded = harness.seeded_database(PRODUCTS, backend)
    plugin = seeded.plugin("checkout")
    rows: list[harness.LoadResult] = []
    notes: dict[str, Any] = {}
    with harness.Server(seeded.url) as server:
        base = f"{server.base_url}{plugin['base']}"
        listing = json.dumps({"limit": 20})
        # Warm the catalogue snapshot (built once per market and pricelist).
        cold = time.perf_counter()
        stateless_bytes = _call(f"{base}/products", "POST", {"limit": 20}, {"API-Token": "none"})
        notes[f"{backend}: first POST /products (builds the catalogue snapshot), s"] = round(
            time.perf_counter() - cold, 2
        )
        products_none = harness.wrk_load(
            f"POST /products limit 20, API-Token none ({backend})",
            f"{base}/products",
            method="POST",
            body=listing,
            headers={"Content-Type": "application/json", "API-Token": "none"},
            connections=CONNECTIONS,
        )
        token = json.loads(_call(f"{base}/selection"))["token"]
        token_bytes = _call(f"{base}/products", "POST", {"limit": 20}, {"API-Token": token})
        products_token = harness.wrk_load(
            f"POST /products limit 20, session token ({backend})",
            f"{base}/products",
            method="POST",
            body=listing,
            headers={"Content-Type": "application/json", "API-Token": token},
            connections=CONNECTIONS,
        )
        items = _items(base, 400)
        tokens = [json.loads(_call(f"{base}/selection"))["token"] for _ in range(64)]
        for t in tokens:
            _call(f"{base}/countries/SE", "PUT", None, {"API-Token": t})
        pairs = itertools.cycle(zip(tokens, itertools.cycle(items), strict=False))
        cart_bytes = _call(f"{base}/items/{items[0]}", "POST", None, {"API-Token": tokens[0]})

        async def add_to_cart(client: Any) -> None:
            shopper, item = next(pairs)
            answer = await client.post(f"{plugin['base']}/items/{item}", headers={"API-Token": shopper})
            answer.raise_for_status()

        add = harness.flow_latency(
            f"POST /items/{{item}} (add to cart, {backend})",
            add_to_cart,
            base_url=server.base_url,
            concurrency=CONNECTIONS,
            iterations=1200,
        )
        purchase_items = itertools.cycle(items)

        async def purchase(client: Any) -> None:
            added = await client.post(f"{plugin['base']}/items/{next(purchase_items)}")
            added.raise_for_status()
            paid = await client.post(
                f"{plugin['base']}/payment", json=PAYMENT, headers={"API-Token": added.json()["token"]}
            )
            paid.raise_for_status()
            if paid.json().get("action") != "success":
                raise RuntimeError(paid.text[:200])

        checkout = harness.flow_latency(
            f"add to cart + POST /payment, new session ({backend})",
            purchase,
            base_url=server.base_url,
            concurrency=CONNECTIONS,
            iterations=300,
        )
    with harness.baseline_server(stateless_bytes) as bare:
        bare_none = harness.wrk_load(
            f"bare Starlette, same bytes as /products none ({backend})",
            f"{bare}/products",
            method="POST",
            body=listing,
            headers={"Content-Type": "application/json"},
            connections=CONNECTIONS,
        )
    with harness.baseline_server(token_bytes) as bare:
        bare_token = harness.wrk_load(
            f"bare Starlette, same bytes as /products token ({backend})",
            f"{bare}/products",
            method="POST",
            body=listing,
            headers={"Content-Type": "application/json"},
            connections=CONNECTIONS,
        )
    with harness.baseline_server(cart_bytes) as bare:

        async def bare_cart(client: Any) -> None:
            (await client.post("/items/1-1")).raise_for_status()

        bare_add = harness.flow_latency(
            f"bare Starlette, same bytes as add to cart ({backend})",
            bare_cart,
            base_url=bare,
            concurrency=CONNECTIONS,
            iterations=1200,
        )
    rows += [products_none, bare_none, products_token, bare_token, add, bare_add, checkout]
    notes[f"{backend}: POST /products (none) / bare"] = round(harness.ratio(products_none, bare_none), 3)
    notes[f"{backend}: POST /products (token) / bare"] = round(harness.ratio(products_token, bare_token), 3)
    notes[f"{backend}: add to cart / bare (same client)"] = round(harness.ratio(add, bare_add), 3)
    notes[f"{backend}: add to cart p95 ms"] = round(add.p95_ms, 2)
    notes[f"{backend}: purchase flow p95 ms"] = round(checkout.p95_ms, 2)
    return rows, notes


def main() -> None:
    backends = sys.argv[1:] or ["sqlite", "postgresql"]
    rows: list[harness.LoadResult] = []
    notes: dict[str, Any] = {"connections": CONNECTIONS, "catalogue products": PRODUCTS}
    for backend in backends:
        backend_rows, backend_notes = run(backend)
        rows += backend_rows
        notes.update(backend_notes)
    harness.report("checkout_api", rows, notes)


if __name__ == "__main__":
    main()
