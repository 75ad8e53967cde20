"""``./run fuzz``: schemathesis against every API of a seeded demo server.

A real server (``opencentra serve``) over a fresh SQLite file holding the demo
seed. Each REST API (Checkout in server mode, Order, Shop, old Subscription) is
fuzzed from its own OpenAPI document at its plugin base, and the GraphQL
Integration API from its schema (introspection), with the plugin's secret or
the demo token. Requests are counted by the server itself, through ``/metrics``
(``opencentra.metrics``), so the counts are what reached the server.

Each API gets at least ``OPENCENTRA_FUZZ_EXAMPLES`` requests (default 5,000):
schemathesis's ``--max-examples`` is per operation, so it starts at the budget
divided by the number of operations and doubles, with a new seed, until the
server has counted the budget (at most ``MAX_ROUNDS`` rounds). The run fails
on any failed check (a 5xx, a response that does not match the API's own
schema: an undocumented status code, content type or body) and on any 5xx
the server counted. Extra arguments go to every ``schemathesis run``.
``OPENCENTRA_FUZZ_APIS=order,graphql`` limits the APIs;
``OPENCENTRA_FUZZ_CHECKS`` replaces the list of checks.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from opencentra.db import migrate
from opencentra.db.engine import Database
from opencentra.demo.seed import DemoResult, seed_demo

DEFAULT_EXAMPLES = 5000
MAX_ROUNDS = 4
REST_APIS = ("checkout", "order", "shop", "subscription")
APIS = (*REST_APIS, "graphql")
# Server errors, and answers that break the API's own OpenAPI (status, content type, body);
# OPENCENTRA_FUZZ_CHECKS replaces the list (schemathesis's names).
CHECKS = os.environ.get(
    "OPENCENTRA_FUZZ_CHECKS",
    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
)
TOKEN = "fuzz-metrics-" + os.urandom(16).hex()
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _seed(url: str) -> DemoResult:
    db = Database.from_url(url)
    try:
        return await seed_demo(db)
    finally:
        await db.dispose()


def _get(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        body: bytes = answer.read()
        return body


def _counted(origin: str) -> dict[tuple[str, str], float]:
    text = _get(f"{origin}/metrics", {"Authorization": f"Bearer {TOKEN}"}).decode()
    return {
        (sample.labels["api"], sample.labels["status_class"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "opencentra_http_requests_total"
    }


def _requests(counts: dict[tuple[str, str], float], api: str, status_class: str | None = None) -> int:
    return int(sum(v for (a, s), v in counts.items() if a == api and status_class in (None, s)))


def _operations(schema_url: str, headers: dict[str, str]) -> int:
    if schema_url.endswith("/graphql"):
        query = {"query": "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }"}
        request = urllib.request.Request(
            schema_url, data=json.dumps(query).encode(), headers={**headers, "Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            schema = json.loads(answer.read())["data"]["__schema"]
        return sum(len((schema.get(kind) or {}).get("fields") or []) for kind in ("queryType", "mutationType"))
    document: dict[str, Any] = json.loads(_get(schema_url, headers))
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return sum(1 for item in document.get("paths", {}).values() for method in item if method in methods)


def _fuzz(
    api: str, schema_url: str, headers: dict[str, str], budget: int, origin: str, extra: list[str]
) -> tuple[int, int, bool]:
    """Fuzz one API until the server counted ``budget`` requests; (requests, 5xx, schemathesis passed)."""
    operations = max(_operations(schema_url, headers), 1)
    examples = max(math.ceil(budget / operations), 1)
    before = _counted(origin)
    passed = True
    done = 0
    for round_ in range(MAX_ROUNDS):
        command = [
            str(Path(sys.executable).with_name("schemathesis")), "run", schema_url,
            "--max-examples", str(examples), "--seed", str(1000 + round_), "--checks", CHECKS,
            "--phases", "examples,coverage,fuzzing", "--suppress-health-check", "all",
            "--workers", "2", "--no-color", "--request-timeout", "30",
        ]  # fmt: skip
        if api == "graphql":
            # GraphQL answers have no OpenAPI schema to conform to.
            command[command.index("--checks") + 1] = "not_a_server_error"
        for name, value in headers.items():
            command += ["--header", f"{name}: {value}"]
        print(f"== {api}: {operations} operations, --max-examples {examples} (round {round_ + 1})", flush=True)
        hooks = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.observability.fuzz_hooks"}
        exit_code = subprocess.run([*command, *extra], check=False, env=hooks, cwd=ROOT).returncode
        # GraphQL: schemathesis's server-error check (ST113) also fails answers carrying the API's own
        # validation errors ("page must be 1 or more", data null, HTTP 200), which are correct GraphQL
        # answers; there, the 5xx the server counted decide (below).
        passed = passed and (exit_code == 0 or api == "graphql")
        done = _requests(_counted(origin), api) - _requests(before, api)
        if done >= budget:
            break
        examples *= 2
    server_errors = _requests(_counted(origin), api, "5xx") - _requests(before, api, "5xx")
    return done, server_errors, passed


def main(extra: list[str]) -> int:
    budget = int(os.environ.get("OPENCENTRA_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
    chosen = [a.strip() for a in os.environ.get("OPENCENTRA_FUZZ_APIS", ",".join(APIS)).split(",") if a.strip()]
    workdir = Path(tempfile.mkdtemp(prefix="opencentra-fuzz-"))
    url = f"sqlite:///{workdir / 'fuzz.db'}"
    migrate.upgrade(url)
    demo = asyncio.run(_seed(url))
    port = _free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OPENCENTRA_METRICS_TOKEN": TOKEN,
        "OPENCENTRA_LOG_LEVEL": "warning",
        # The largest plan, so GraphQL's rate limit refuses little of the burst (429 would pass anyway).
        "OPENCENTRA_RATELIMIT_PLAN": "enterprise",
        "OPENCENTRA_WEBHOOKS_DELIVER_SECONDS": "0",
    }
    env.pop("OPENCENTRA_REDIS_URL", None)
    server_log = workdir / "server.log"
    with server_log.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", "from opencentra.cli import main; main()", "serve", "--port", str(port),
             "--database", url],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            for _ in range(600):
                try:
                    _get(f"{origin}/healthz")
                    break
                except OSError:
                    if server.poll() is not None:
                        print(server_log.read_text(), file=sys.stderr)
                        return 1
                    time.sleep(0.1)
            plugins = {plugin.type: plugin for plugin in demo.plugins}
            results = {}
            for api in chosen:
                if api == "graphql":
                    target, headers = f"{origin}/graphql", {"Authorization": f"Bearer {demo.graphql_token}"}
                elif api in plugins:
                    plugin = plugins[api]
                    target, headers = f"{origin}{plugin.base}/openapi.json", {"API-Authorization": plugin.secret}
                else:
                    print(f"error: no demo plugin for {api!r}", file=sys.stderr)
                    return 2
                results[api] = _fuzz(api, target, headers, budget, origin, extra)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"\nbudget {budget} requests per API; server log: {server_log}")
    failed = False
    for api, (requests, server_errors, passed) in results.items():
        verdict = "ok" if passed and server_errors == 0 and requests >= budget else "FAILED"
        failed = failed or verdict != "ok"
        checks = "passed" if passed else "failed"
        print(f"  {api:<13} {requests:>7} requests  {server_errors:>4} 5xx  checks {checks:<6}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
