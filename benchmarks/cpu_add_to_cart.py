"""CPU time and database round trips of one add-to-cart, measured in-process.

Wall-clock throughput on a shared 2-core machine moves with whatever else
runs; the CPU a request costs the server process, and the statements and
transactions it sends, do not. This drives the whole ASGI app in this
process (no sockets, no HTTP parsing, no load generator), runs ``N``
sequential add-to-carts spread over a few shoppers, and reports per request:
process CPU ms, statements, transactions (BEGINs) and connections checked
out. The same loop against a bare Starlette endpoint returning the same
bytes gives the floor.

CPU time itself moves with the machine's load (caches, shared cores), so a
second, shorter pass counts the Python function calls (and calls into C)
per request with ``sys.setprofile``: a deterministic measure of the work
done, for comparing two versions of the code on a busy machine. It counts
this process's main thread only, which holds all of it on PostgreSQL
(psycopg's async connection runs on the event loop; aiosqlite has a thread).

``python -m benchmarks.cpu_add_to_cart [postgresql|sqlite] [N] [--statements]``
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event

from benchmarks import harness
from benchmarks.bench_checkout_api import PRODUCTS

SHOPPERS = 16


@dataclass(frozen=True)
class CpuFigures:
    label: str
    requests: int
    cpu_ms: float
    wall_ms: float
    statements: float = 0.0
    transactions: float = 0.0
    checkouts: float = 0.0
    python_calls: float = 0.0

    def line(self) -> str:
        return (
            f"{self.label:<44} cpu {self.cpu_ms:6.2f} ms/req  wall {self.wall_ms:6.2f} ms/req  "
            f"statements {self.statements:4.1f}  transactions {self.transactions:3.1f}  "
            f"connections {self.checkouts:3.1f}  python calls {self.python_calls:7.0f}"
        )


async def count_calls(step: Callable[[int], Awaitable[None]], requests: int) -> float:
    """Python and C function calls per ``step``, counted with a profile hook."""
    calls = 0

    def hook(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(hook)
    try:
        for index in range(requests):
            await step(index)
    finally:
        sys.setprofile(None)
    return calls / requests


async def _bare(body: bytes, requests: int) -> CpuFigures:
    import httpx2 as httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def endpoint(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

        async def step(_index: int) -> None:
            (await client.post("/items/1-1", headers={"API-Token": "x"})).raise_for_status()

        for index in range(50):
            await step(index)
        cpu, wall = time.process_time(), time.perf_counter()
        for index in range(requests):
            await step(index)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        calls = await count_calls(step, min(requests, 100))
    return CpuFigures(
        "bare Starlette, same bytes (in-process)",
        requests,
        cpu * 1000 / requests,
        wall * 1000 / requests,
        python_calls=calls,
    )


async def measure(database_url: str, base_path: str, requests: int, *, show_statements: bool) -> list[CpuFigures]:
    import httpx2 as httpx

    from opencentra.app import create_app
    from opencentra.config import Settings
    from opencentra.db.engine import Database

    database = Database.from_url(database_url)
    app = create_app(Settings(database_url=database_url), database=database)
    counts: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    sync_engine = database.engine.sync_engine

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        counts["statements"] += 1
        if show_statements:
            seen[" ".join(statement.split())[:160]] += 1

    @event.listens_for(sync_engine, "begin")
    def _begin(conn: Any) -> None:
        counts["transactions"] += 1

    @event.listens_for(sync_engine, "checkout")
    def _checkout(*args: Any) -> None:
        counts["checkouts"] += 1

    figures: list[CpuFigures] = []
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app) as state:
        # ASGITransport does not run the lifespan: hand its state to every request.
        transport = httpx.ASGITransport(app=_with_state(app, state))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            listed = (
                await client.post(f"{base_path}/products", json={"limit": 40}, headers={"API-Token": "none"})
            ).json()
            items = [p["items"][0]["item"] for p in listed["products"] if p["items"]]
            shoppers = []
            for index in range(SHOPPERS):
                token = (await client.get(f"{base_path}/selection")).json()["token"]
                await client.put(f"{base_path}/countries/SE", headers={"API-Token": token})
                shoppers.append((token, items[index % len(items)]))
            body = b""
            for token, item in shoppers * 4:  # warm caches and the pool
                answer = await client.post(f"{base_path}/items/{item}", headers={"API-Token": token})
                answer.raise_for_status()
                body = answer.content

            async def step(index: int) -> None:
                token, item = shoppers[index % SHOPPERS]
                answer = await client.post(f"{base_path}/items/{item}", headers={"API-Token": token})
                answer.raise_for_status()

            counts.clear()
            seen.clear()
            cpu, wall = time.process_time(), time.perf_counter()
            for index in range(requests):
                await step(index)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            measured = Counter(counts)
            calls = await count_calls(step, min(requests, 100))
            figures.append(
                CpuFigures(
                    f"add to cart ({database.url.get_backend_name()}, in-process)",
                    requests,
                    cpu * 1000 / requests,
                    wall * 1000 / requests,
                    measured["statements"] / requests,
                    measured["transactions"] / requests,
                    measured["checkouts"] / requests,
                    calls,
                )
            )
    await database.dispose()
    figures.append(await _bare(body, requests))
    if show_statements:
        counted = requests + min(requests, 100)
        for statement, count in seen.most_common():
            print(f"{count / counted:5.2f}  {statement}")
    return figures


def _with_state(app: Any, state: Any) -> Any:
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and state:
            scope = dict(scope, state=dict(state))
        await app(scope, receive, send)

    return wrapped


def run(backend: str, requests: int = 400, *, show_statements: bool = False) -> list[CpuFigures]:
    seeded = harness.seeded_database(PRODUCTS, backend)
    base_path = seeded.plugin("checkout")["base"]
    return asyncio.run(measure(seeded.url, base_path, requests, show_statements=show_statements))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    backend = args[0] if args else "postgresql"
    requests = int(args[1]) if len(args) > 1 else 400
    figures = run(backend, requests, show_statements="--statements" in sys.argv)
    for figure in figures:
        print(figure.line())
    print(json.dumps([f.__dict__ for f in figures]))


if __name__ == "__main__":
    main()
