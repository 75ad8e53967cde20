"""Checkout API figures over the 10,000-product demo catalogue.

1. POST /products with ``{"limit": 20}``: with ``API-Token: none`` (server-side
   cache fetching, Centra's documented fast path) and with a shopper's
   session token. wrk, 16 connections. Baseline: a bare Starlette endpoint
   returning the same bytes. Target: at least 40 % of the baseline's rate.
2. Add to cart (POST /items/{item} with a shopper's token), wrk with 16
   connections, each with its own shoppers' tokens (a Lua script); baseline:
   the same script against the bare endpoint returning the same bytes.
   Target: p95 at most 15 ms on PostgreSQL. Every wrk row also reports the
   server's CPU per request (and on PostgreSQL the database backends'), and
   the notes add an in-process, sequential measure of one add-to-cart (CPU,
   statements, transactions, Python calls), which the machine's other load
   moves much less than latency (``benchmarks/cpu_add_to_cart.py``).
3. A whole purchase: add an item with a new session, then POST /payment
   with the test card (the order is placed, stock taken), 16 at once.

``python -m benchmarks.bench_checkout_api [sqlite|postgresql ...]`` (both by default).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
import urllib.request
from typing import Any

from benchmarks import harness

PRODUCTS = 10_000
CONNECTIONS = 16
# Each wrk connection cycles over its own shoppers, so no two requests wait on one cart.
SHOPPERS_PER_CONNECTION = 4
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
    """In-stock items of many different products, so purchases do not run one size dry.

    Flexible bundles are left out: a plain POST /items refuses them (their
    sections must be chosen through POST /items/bundles/{item}).
    """
    listed = json.loads(
        _call(f"{base}/products", "POST", {"limit": count, "onlyAvailable": True}, {"API-Token": "none"})
    )
    items = []
    for product in listed["products"]:
        if product.get("bundleInfo", {}).get("type") == "flexible":
            continue
        in_stock = [i["item"] for i in product["items"] if i["stock"] == "yes"]
        if in_stock:
            items.append(in_stock[0])
    return items


ADD_TO_CART_LUA = """
-- One wrk thread per connection; each connection adds to its own shoppers' carts.
local shoppers = {{{shoppers}}}
local per = {per}
local next_id = 0
setup = function(thread)
  thread:set("first", next_id * per)
  next_id = next_id + 1
end
local n = 0
request = function()
  local pick = shoppers[first + (n % per) + 1]
  n = n + 1
  return wrk.format("POST", "{base}/items/" .. pick[2], {{["API-Token"] = pick[1]}}, "")
end
"""


def add_to_cart_lua(base_path: str, shoppers: list[tuple[str, str]], connections: int) -> str:
    """A wrk script: connection i cycles over its own slice of (token, item) pairs.

    No two connections share a token, so no request waits on another's row
    lock: the figure is the server's, not a queue on one cart.
    """
    per = len(shoppers) // connections
    assert per >= 1, "need at least one shopper per connection"
    listed = ", ".join(f"{{{json.dumps(token)}, {json.dumps(item)}}}" for token, item in shoppers[: per * connections])
    return ADD_TO_CART_LUA.format(shoppers=listed, per=per, base=base_path)


def prepare_shoppers(base: str, items: list[str], count: int) -> list[tuple[str, str]]:
    """``count`` sessions located in Sweden, each with one item already in its cart."""
    shoppers = []
    for index in range(count):
        token = json.loads(_call(f"{base}/selection"))["token"]
        _call(f"{base}/countries/SE", "PUT", None, {"API-Token": token})
        item = items[index % len(items)]
        _call(f"{base}/items/{item}", "POST", None, {"API-Token": token})
        shoppers.append((token, item))
    return shoppers


def run(backend: str) -> tuple[list[harness.LoadResult], dict[str, Any]]:
    seeded = harness.seeded_database(PRODUCTS, backend)
    plugin = seeded.plugin("checkout")
    rows: list[harness.LoadResult] = []
    notes: dict[str, Any] = {}
    database_url = seeded.url if backend == "postgresql" else None
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
            pid=server.pid,
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
            pid=server.pid,
        )
        items = _items(base, 400)
        shoppers = prepare_shoppers(base, items, CONNECTIONS * SHOPPERS_PER_CONNECTION)
        cart_bytes = _call(f"{base}/items/{shoppers[0][1]}", "POST", None, {"API-Token": shoppers[0][0]})
        # wrk, one thread per connection: the load generator costs the shared
        # cores little, so the figure is the server's (a Python client at 16
        # connections took a good part of a core itself).
        add = harness.wrk_load(
            f"POST /items/{{item}} add to cart, wrk ({backend})",
            f"{server.base_url}/",
            lua=add_to_cart_lua(plugin["base"], shoppers, CONNECTIONS),
            connections=CONNECTIONS,
            threads=CONNECTIONS,
            pid=server.pid,
            database_url=database_url,
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
            pid=server.pid,
            database_url=database_url,
        )
    with harness.baseline_server(stateless_bytes) as bare:
        bare_none = harness.wrk_load(
            f"bare Starlette, same bytes as /products none ({backend})",
            f"{bare}/products",
            method="POST",
            body=listing,
            headers={"Content-Type": "application/json"},
            connections=CONNECTIONS,
            pid=bare.pid,
        )
    with harness.baseline_server(token_bytes) as bare:
        bare_token = harness.wrk_load(
            f"bare Starlette, same bytes as /products token ({backend})",
            f"{bare}/products",
            method="POST",
            body=listing,
            headers={"Content-Type": "application/json"},
            connections=CONNECTIONS,
            pid=bare.pid,
        )
    with harness.baseline_server(cart_bytes) as bare:
        bare_add = harness.wrk_load(
            f"bare Starlette, same bytes as add to cart ({backend})",
            f"{bare}/",
            lua=add_to_cart_lua("", shoppers, CONNECTIONS),
            connections=CONNECTIONS,
            threads=CONNECTIONS,
            pid=bare.pid,
        )
    rows += [products_none, bare_none, products_token, bare_token, add, bare_add, checkout]
    notes[f"{backend}: POST /products (none) / bare"] = round(harness.ratio(products_none, bare_none), 3)
    notes[f"{backend}: POST /products (token) / bare"] = round(harness.ratio(products_token, bare_token), 3)
    notes[f"{backend}: add to cart / bare"] = round(harness.ratio(add, bare_add), 3)
    notes[f"{backend}: add to cart p95 ms"] = round(add.p95_ms, 2)
    notes[f"{backend}: add to cart server CPU ms/request"] = add.server_cpu_ms
    notes[f"{backend}: purchase flow p95 ms"] = round(checkout.p95_ms, 2)
    # The same add-to-cart, sequentially and in-process: CPU, round trips and
    # Python calls per request, which the machine's other load moves little.
    from benchmarks.cpu_add_to_cart import measure

    in_process = asyncio.run(measure(seeded.url, plugin["base"], 400, show_statements=False))
    for figure in in_process:
        notes[f"{backend}: {figure.label}"] = {
            "cpu ms/request": round(figure.cpu_ms, 2),
            "statements/request": round(figure.statements, 2),
            "transactions/request": round(figure.transactions, 2),
            "python calls/request": round(figure.python_calls),
        }
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
