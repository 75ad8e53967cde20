"""CPU time and Python calls of one cached POST /products, measured in-process.

The storefront's hot path: ``{"limit": 20}`` of the seeded catalogue, once
with a session token and once with ``API-Token: none``, both answered by the
cached fast path after the first request. Drives the whole ASGI app in this
process (no sockets, no HTTP parsing) and reports per request the process CPU
and the Python and C function calls (a deterministic measure of the work,
see ``cpu_add_to_cart``), beside a bare Starlette endpoint returning the same
bytes. The calls made inside the app alone (without the in-process client's)
are counted too; ``--calls`` lists them by function.

``python -m benchmarks.cpu_products [postgresql|sqlite] [N] [--calls]``
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

from benchmarks import harness
from benchmarks.bench_checkout_api import PRODUCTS
from benchmarks.cpu_add_to_cart import CpuFigures, _with_state, count_calls

LISTING = {"limit": 20}


class AppCalls:
    """Calls made inside the ASGI app alone (not the test client), per function when ``detail``.

    The app answers from memory without suspending, so the hook set on entry sees only its work.
    """

    def __init__(self, app: Any, *, detail: bool = False) -> None:
        self.app = app
        self.detail = detail
        self.armed = False
        self.calls = 0
        self.requests = 0
        self.by_function: Counter[str] = Counter()

    def _hook(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            self.calls += 1
            if self.detail:
                code = frame.f_code
                self.by_function[f"{code.co_filename.split('site-packages/')[-1]}:{code.co_name}"] += 1
        elif event == "c_call":
            self.calls += 1
            if self.detail:
                self.by_function[f"C {getattr(arg, '__qualname__', arg)}"] += 1

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self.armed:
            await self.app(scope, receive, send)
            return
        self.requests += 1
        sys.setprofile(self._hook)
        try:
            await self.app(scope, receive, send)
        finally:
            sys.setprofile(None)

    def per_request(self) -> float:
        return self.calls / max(self.requests, 1)

    def report(self, label: str, top: int | None = None) -> None:
        print(f"== {label}: {self.per_request():.0f} calls inside the app per request")
        for name, count in self.by_function.most_common(top):
            print(f"{count / max(self.requests, 1):6.1f}  {name}")


async def _bare(body: bytes, requests: int, label: str, *, detail: bool) -> CpuFigures:
    import httpx2 as httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def endpoint(request: Request) -> Response:
        await request.body()
        return Response(body, media_type="application/json")

    app = AppCalls(Starlette(routes=[Route("/{path:path}", endpoint, methods=["POST"])]), detail=detail)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

        async def step(_index: int) -> None:
            (await client.post("/products", json=LISTING, headers={"API-Token": "x"})).raise_for_status()

        return await _timed(step, requests, label, app)


async def _timed(step: Any, requests: int, label: str, app: AppCalls) -> CpuFigures:
    for index in range(50):
        await step(index)
    cpu, wall = time.process_time(), time.perf_counter()
    for index in range(requests):
        await step(index)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    calls = await count_calls(step, min(requests, 100))
    app.armed = True
    for index in range(100):
        await step(index)
    app.armed = False
    if app.detail:
        app.report(label)
    return CpuFigures(
        label,
        requests,
        cpu * 1000 / requests,
        wall * 1000 / requests,
        statements=app.per_request(),
        python_calls=calls,
    )


async def measure(database_url: str, base_path: str, requests: int, *, detail: bool) -> list[CpuFigures]:
    import httpx2 as httpx

    from opencentra.app import create_app
    from opencentra.config import Settings
    from opencentra.db.engine import Database

    database = Database.from_url(database_url)
    app = create_app(Settings(database_url=database_url), database=database)
    figures: list[CpuFigures] = []
    bodies: dict[str, bytes] = {}
    backend = database.url.get_backend_name()
    async with app.router.lifespan_context(app) as state:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=_with_state(app, state)), base_url="http://bench"
        ) as client:
            token = (await client.get(f"{base_path}/selection")).json()["token"]
        for label, api_token in (("session token", token), ("API-Token none", "none")):
            counted = AppCalls(_with_state(app, state), detail=detail)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=counted), base_url="http://bench") as client:

                async def step(_index: int, api_token: str = api_token, label: str = label) -> None:
                    answer = await client.post(f"{base_path}/products", json=LISTING, headers={"API-Token": api_token})
                    answer.raise_for_status()
                    bodies[label] = answer.content

                figures.append(await _timed(step, requests, f"POST /products, {label} ({backend})", counted))
    await database.dispose()
    for label, body in bodies.items():
        figures.append(await _bare(body, requests, f"bare Starlette, same bytes as {label}", detail=detail))
    return figures


def _line(figure: CpuFigures) -> str:
    return (
        f"{figure.label:<46} cpu {figure.cpu_ms:6.3f} ms/req  wall {figure.wall_ms:6.3f} ms/req  "
        f"python calls {figure.python_calls:6.0f} (inside the app {figure.statements:5.0f})"
    )


def run(backend: str, requests: int = 1000, *, detail: bool = False) -> list[CpuFigures]:
    seeded = harness.seeded_database(PRODUCTS, backend)
    base_path = seeded.plugin("checkout")["base"]
    return asyncio.run(measure(seeded.url, base_path, requests, detail=detail))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    backend = args[0] if args else "postgresql"
    requests = int(args[1]) if len(args) > 1 else 1000
    figures = run(backend, requests, detail="--calls" in sys.argv)
    for figure in figures:
        print(_line(figure))
    print(json.dumps([f.__dict__ for f in figures]))


if __name__ == "__main__":
    main()
