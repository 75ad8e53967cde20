"""GraphQL abuse: fragment bombs against ``opencentra serve``, and what the shop feels meanwhile.

A fragment bomb is under 1 KB: each fragment spreads the one before it twice,
so 20 levels stand for 2**20 fields and 39 levels for 2**39. Before the
document guard (``api/graphql/guards.py``) a 20-level bomb held the event loop
for 6.8 s and a 39-level one for minutes, freezing every API of the process.

Reports, with a token that has only ``Country:read``:
- server time per bomb, one request at a time: client latency (p50/p95/p99)
  and the server's CPU per request, for 20 and 39 levels (target: under 50 ms),
  next to an ordinary small query (``{ rateLimits { quota } }``), and the CPU
  time parsing and the guard take in-process;
- the latency of a cheap Checkout call (``GET /selection`` with a session
  token) alone, while four connections keep sending bombs, and while four
  connections send the ordinary query instead; and a bare Starlette endpoint
  returning the same bytes, measured in the same run.

The server runs Centra's Enterprise plan, so the bombs are refused by the
guard rather than by the rate limit (the guard runs first either way).

Usage: ``python -m benchmarks.bench_graphql_abuse [sqlite|postgresql]``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
import urllib.request
from typing import Any

from graphql import parse

from benchmarks import harness
from opencentra.api.graphql.guards import MAX_TOKENS, check_document
from opencentra.db.engine import Database
from opencentra.integration import services as integration

LEVELS = (20, 39)
ATTACKERS = 4
CONNECTIONS = 4
ORDINARY = "{ rateLimits { quota } }"


def fragment_bomb(levels: int) -> str:
    parts = ["fragment F0 on RateLimit { quota }"]
    parts += [f"fragment F{i} on RateLimit {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return " ".join(parts) + f" {{ rateLimits {{ ...F{levels} }} }}"


async def _weak_token(url: str) -> str:
    db = Database.from_url(url)
    try:
        _, secret = await integration.create_token(db, name="bench-abuse", permissions=["Country:read"])
        return secret
    finally:
        await db.dispose()


def _post(url: str, token: str, query: str) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        body: dict[str, Any] = json.loads(response.read())
        return body


def _get(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        body: bytes = response.read()
        return body


def _guard_microseconds(levels: int, runs: int = 1000) -> tuple[float, float]:
    """CPU microseconds, in-process, to parse a bomb (with the token cap) and to measure it.

    CPU time rather than wall-clock time: other work on a shared machine
    moves the latter a lot.
    """
    text = fragment_bomb(levels)
    started = time.process_time()
    for _ in range(runs):
        document = parse(text, max_tokens=MAX_TOKENS)
    parsing = (time.process_time() - started) / runs * 1e6
    started = time.process_time()
    for _ in range(runs):
        assert check_document(document)
    return parsing, (time.process_time() - started) / runs * 1e6


class Attack:
    """``ATTACKERS`` connections sending ``queries`` in turn until stopped."""

    def __init__(self, url: str, token: str, queries: list[str]) -> None:
        self.url = url
        self.token = token
        self.queries = queries
        self.sent = 0
        self.failures: list[str] = []
        self.seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        import httpx2 as httpx

        bodies = [{"query": query} for query in self.queries]
        headers = {"Authorization": f"Bearer {self.token}"}
        started = time.perf_counter()
        async with httpx.AsyncClient(timeout=600) as client:

            async def attacker(offset: int) -> None:
                n = offset
                while not self._stop.is_set():
                    response = await client.post(self.url, json=bodies[n % len(bodies)], headers=headers)
                    n += 1
                    self.sent += 1
                    if response.status_code != 200 and len(self.failures) < 3:
                        self.failures.append(f"{response.status_code} {response.text[:200]}")

            await asyncio.gather(*(attacker(i) for i in range(ATTACKERS)))
        self.seconds = time.perf_counter() - started

    def __enter__(self) -> Attack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=660)


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    seeded = harness.seeded_database(products=1_000, backend=backend)
    plugin = seeded.plugin("checkout")
    weak = asyncio.run(_weak_token(seeded.url))
    os.environ["OPENCENTRA_RATELIMIT_PLAN"] = "enterprise"
    notes: dict[str, Any] = {"backend": backend, "bomb sizes (bytes)": {n: len(fragment_bomb(n)) for n in LEVELS}}
    rows: list[harness.LoadResult] = []
    with harness.Server(seeded.url) as server:
        graphql = f"{server.base_url}/graphql"
        for levels in LEVELS:
            answer = _post(graphql, weak, fragment_bomb(levels))
            assert "data" not in answer, answer
            assert "once its fragments are expanded" in answer["errors"][0]["message"], answer
        notes["answer to a bomb"] = answer["errors"][0]["message"]
        for label, query in [
            *((f"{levels}-level fragment bomb", fragment_bomb(levels)) for levels in LEVELS),
            ("ordinary query, for comparison", ORDINARY),
        ]:
            body = {"query": query}

            async def send(client: Any, body: dict[str, Any] = body) -> None:
                response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {weak}"})
                response.raise_for_status()

            rows.append(
                harness.flow_latency(
                    f"POST /graphql {label}, c=1",
                    send,
                    base_url=server.base_url,
                    concurrency=1,
                    iterations=200,
                    pid=server.pid,
                )
            )
        base = f"{server.base_url}{plugin['base']}"
        session = json.loads(_get(f"{base}/selection"))["token"]
        headers = {"API-Token": session}
        selection_bytes = _get(f"{base}/selection", headers)
        quiet = harness.wrk_load(
            f"GET /selection, c={CONNECTIONS}, no attack",
            f"{base}/selection",
            headers=headers,
            connections=CONNECTIONS,
            pid=server.pid,
        )
        with Attack(graphql, weak, [fragment_bomb(levels) for levels in LEVELS]) as attack:
            attacked = harness.wrk_load(
                f"GET /selection, c={CONNECTIONS}, {ATTACKERS} connections sending bombs",
                f"{base}/selection",
                headers=headers,
                connections=CONNECTIONS,
                pid=server.pid,
            )
        with Attack(graphql, weak, [ORDINARY]) as ordinary:
            busy = harness.wrk_load(
                f"GET /selection, c={CONNECTIONS}, {ATTACKERS} connections sending ordinary queries",
                f"{base}/selection",
                headers=headers,
                connections=CONNECTIONS,
                pid=server.pid,
            )
        rows += [quiet, attacked, busy]
        notes["bombs per second during the attacked run"] = round(attack.sent / attack.seconds, 1)
        notes["ordinary queries per second during that run"] = round(ordinary.sent / ordinary.seconds, 1)
        for failure in attack.failures + ordinary.failures:
            notes.setdefault("attack failures", []).append(failure)
    with harness.baseline_server(selection_bytes) as bare:
        baseline = harness.wrk_load(
            f"bare Starlette, same bytes as /selection, c={CONNECTIONS}",
            f"{bare}/selection",
            connections=CONNECTIONS,
            pid=bare.pid,
        )
    rows.append(baseline)
    for row, levels in zip(rows, LEVELS, strict=False):
        notes[f"{levels}-level bomb: server CPU ms per request"] = row.server_cpu_ms
        notes[f"{levels}-level bomb: p50 ms, target < 50 met"] = row.p50_ms < 50
        parsing, guarding = _guard_microseconds(levels)
        notes[f"{levels}-level bomb: in-process CPU us to parse, to guard"] = (round(parsing), round(guarding))
    notes["ordinary query: server CPU ms per request"] = rows[len(LEVELS)].server_cpu_ms
    notes["GET /selection p50 under attack / without"] = round(attacked.p50_ms / quiet.p50_ms, 2)
    notes["GET /selection p99 under attack / without"] = round(attacked.p99_ms / quiet.p99_ms, 2)
    notes["GET /selection p50 beside ordinary queries / without"] = round(busy.p50_ms / quiet.p50_ms, 2)
    notes["GET /selection throughput ratio to bare, without attack"] = round(harness.ratio(quiet, baseline), 3)
    notes["GET /selection throughput ratio to bare, under attack"] = round(harness.ratio(attacked, baseline), 3)
    harness.report("graphql_abuse", rows, notes)


if __name__ == "__main__":
    main()
