"""Centra's rate limits over HTTP, on a clock the tests move (no sleeping, no timing)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from redis import Redis
from sqlalchemy import create_engine, event
from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders

from opencentra.db.engine import Database
from opencentra.db.models import metadata
from opencentra.integration import services as integration
from opencentra.ratelimit import Plan, Quota

RATE_LIMITS = "{ rateLimits { type intervalSeconds quota usedQuota remainingQuota } }"
SMALL = Plan(requests=Quota(3, 100), complexity=Quota(100, 10_000), mutations=Quota(2, 10))


def buckets(gql: GraphQLClient) -> dict[tuple[str, str], dict[str, int]]:
    body = gql.query(RATE_LIMITS)
    return {(b["type"], b["intervalSeconds"]): b for b in body["data"]["rateLimits"]}


def test_rate_limits_lists_six_buckets_and_counts_itself(gql: GraphQLClient) -> None:
    gql.use_limits(SMALL)
    body = gql.query(RATE_LIMITS, token=gql.token(["Order:read"]))
    assert body["extensions"]["permissionsUsed"] == []
    assert body["extensions"]["complexity"] == 10  # a list without limit: 10 x 1 object
    limits = body["data"]["rateLimits"]
    assert [(b["type"], b["intervalSeconds"]) for b in limits] == [
        ("REQUEST_COUNT", "TEN_SECONDS"),
        ("REQUEST_COUNT", "ONE_HOUR"),
        ("QUERY_COMPLEXITY", "TEN_SECONDS"),
        ("QUERY_COMPLEXITY", "ONE_HOUR"),
        ("MUTATION_COUNT", "TEN_SECONDS"),
        ("MUTATION_COUNT", "ONE_HOUR"),
    ]
    for bucket in limits:
        assert bucket["quota"] == bucket["usedQuota"] + bucket["remainingQuota"]
    by_key = {(b["type"], b["intervalSeconds"]): b for b in limits}
    assert by_key["REQUEST_COUNT", "TEN_SECONDS"] == {
        "type": "REQUEST_COUNT", "intervalSeconds": "TEN_SECONDS", "quota": 3, "usedQuota": 1, "remainingQuota": 2
    }  # fmt: skip
    assert by_key["QUERY_COMPLEXITY", "ONE_HOUR"]["usedQuota"] == 10
    assert by_key["MUTATION_COUNT", "TEN_SECONDS"]["usedQuota"] == 0


def test_default_plan_is_centras_growth_tier(gql: GraphQLClient) -> None:
    gql.endpoint.rate_limits = type(gql.endpoint)(gql.endpoint.settings).rate_limits
    limits = buckets(gql)
    assert limits["REQUEST_COUNT", "TEN_SECONDS"]["quota"] == 60
    assert limits["REQUEST_COUNT", "ONE_HOUR"]["quota"] == 5_000
    assert limits["QUERY_COMPLEXITY", "TEN_SECONDS"]["quota"] == 250_000
    assert limits["QUERY_COMPLEXITY", "ONE_HOUR"]["quota"] == 30_000_000
    assert limits["MUTATION_COUNT", "TEN_SECONDS"]["quota"] == 20
    assert limits["MUTATION_COUNT", "ONE_HOUR"]["quota"] == 1_800


def test_429_with_retry_after_then_refill(gql: GraphQLClient) -> None:
    gql.use_limits(SMALL)
    for _ in range(3):
        assert gql.post("{ __typename }").status_code == 200
    refused = gql.post("{ __typename }")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "4"  # 1 token at 3 per 10 s: 3.33 s, rounded up
    body = refused.json()
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["category"] == "rateLimit"
    assert "REQUEST_COUNT/TEN_SECONDS" in body["errors"][0]["message"]
    assert set(body["extensions"]) == {"complexity", "permissionsUsed", "appVersion"}
    gql.clock.advance(3.3)
    assert gql.post("{ __typename }").status_code == 429
    gql.clock.advance(0.04)
    assert gql.post("{ __typename }").status_code == 200


def test_refused_query_runs_no_resolver_and_charges_nothing(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 2)
    gql.use_limits(SMALL)
    statements: list[str] = []
    engine = api.db.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = gql.post("{ orders(limit: 101) { id } }")  # complexity 101 > 100
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 400  # can never fit: no Retry-After would help
    assert response.json()["errors"][0]["extensions"]["category"] == "complexity"
    assert not [s for s in statements if "FROM orders" in s]
    # All or nothing: the refused request took no request token either.
    limits = buckets(gql)
    assert limits["REQUEST_COUNT", "TEN_SECONDS"]["usedQuota"] == 1
    assert limits["QUERY_COMPLEXITY", "TEN_SECONDS"]["usedQuota"] == 10


def test_over_the_remaining_complexity_is_429_and_charges_nothing(gql: GraphQLClient, world: World) -> None:
    gql.use_limits(Plan(requests=Quota(100, 1000), complexity=Quota(100, 10_000), mutations=Quota(5, 10)))
    assert gql.post("{ orders(limit: 60) { id } }").status_code == 200
    refused = gql.post("{ orders(limit: 60) { id } }")
    assert refused.status_code == 429
    assert "QUERY_COMPLEXITY/TEN_SECONDS" in refused.json()["errors"][0]["message"]
    limits = buckets(gql)
    assert limits["REQUEST_COUNT", "TEN_SECONDS"]["usedQuota"] == 2  # the first request and this one
    assert limits["QUERY_COMPLEXITY", "TEN_SECONDS"]["usedQuota"] == 70


CONFIRM_TWICE = """
mutation {
  a: confirmEvents(input: {eventsIds: [1]}) { userErrors { message } }
  b: confirmEvents(input: {eventsIds: [2]}) { userErrors { message } }
}
"""


def test_each_mutation_field_counts_once(gql: GraphQLClient) -> None:
    gql.use_limits(Plan(requests=Quota(100, 1000), complexity=Quota(1000, 10_000), mutations=Quota(3, 10)))
    assert gql.post(CONFIRM_TWICE).status_code == 200
    limits = buckets(gql)
    assert limits["MUTATION_COUNT", "TEN_SECONDS"]["usedQuota"] == 2
    assert limits["MUTATION_COUNT", "ONE_HOUR"]["usedQuota"] == 2
    assert limits["REQUEST_COUNT", "ONE_HOUR"]["usedQuota"] == 2  # one per HTTP request
    refused = gql.post(CONFIRM_TWICE)  # 2 more mutations, 1 left
    assert refused.status_code == 429
    assert "MUTATION_COUNT/TEN_SECONDS" in refused.json()["errors"][0]["message"]
    gql.clock.advance(3.34)  # one mutation token back: 3 per 10 s
    assert gql.post(CONFIRM_TWICE).status_code == 200


def test_invalid_documents_still_cost_a_request(gql: GraphQLClient) -> None:
    gql.use_limits(SMALL)
    assert gql.post("{ nope }").status_code == 200
    assert gql.post("{ ").status_code == 200
    assert gql.post("{ __typename }").status_code == 200
    refused = gql.post("{ nope }")
    assert refused.status_code == 429


def test_unauthenticated_requests_spend_no_quota(gql: GraphQLClient) -> None:
    gql.use_limits(SMALL)
    for _ in range(5):
        assert gql.api.client.post("/graphql", json={"query": "{ __typename }"}).status_code == 401
    assert buckets(gql)["REQUEST_COUNT", "TEN_SECONDS"]["usedQuota"] == 1


def test_per_integration_keys_split_the_quota(gql: GraphQLClient) -> None:
    from dataclasses import replace

    gql.use_limits(SMALL)
    gql.endpoint.settings = replace(gql.endpoint.settings, ratelimit_per_integration=True)
    first = gql.token(["Order:read"], name="erp")
    second = gql.token(["Order:read"], name="pim")
    for _ in range(3):
        assert gql.post("{ __typename }", token=first).status_code == 200
    assert gql.post("{ __typename }", token=first).status_code == 429
    assert gql.post("{ __typename }", token=second).status_code == 200


# --- one Redis quota shared by two server processes ----------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(port: int, token: str, query: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=orjson.dumps({"query": query}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, orjson.loads(error.read())


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("server did not start")


@pytest.fixture
def two_servers(redis_url: str, tmp_path: Path) -> Iterator[tuple[int, int, str]]:
    database_url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine = create_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()

    async def make_token() -> str:
        db = Database.from_url(database_url)
        try:
            return (await integration.create_token(db, name="shared", permissions=["Order:read"]))[1]
        finally:
            await db.dispose()

    token = asyncio.run(make_token())
    redis_db = f"{redis_url.rsplit('/', 1)[0]}/14"
    client = Redis.from_url(redis_db)
    client.flushdb()
    env = {
        **os.environ,
        "OPENCENTRA_DATABASE_URL": database_url,
        "OPENCENTRA_REDIS_URL": redis_db,
        "OPENCENTRA_RATELIMIT_PLAN": "legacy-docs-example",  # 20 requests per 10 s
    }
    ports = (_free_port(), _free_port())
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "opencentra.app:app_from_environment",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait(port, process)
        yield ports[0], ports[1], token
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        client.flushdb()
        client.close()


@pytest.mark.redis
def test_two_processes_share_one_redis_quota(two_servers: tuple[int, int, str]) -> None:
    first, second, token = two_servers
    for _ in range(8):
        assert _post(first, token, "{ __typename }")[0] == 200
    status, body = _post(second, token, RATE_LIMITS)
    assert status == 200
    used = {(b["type"], b["intervalSeconds"]): b["usedQuota"] for b in body["data"]["rateLimits"]}
    # 9 requests so far across both; a second, separate store would report 1. Refill
    # (2 tokens a second) can only lower the figure a little while this test runs.
    assert used["REQUEST_COUNT", "TEN_SECONDS"] >= 5
    statuses = [_post(port, token, "{ __typename }")[0] for _ in range(20) for port in (first, second)]
    # 40 more requests within seconds against 20 per 10 s: two private quotas would allow all.
    assert 429 in statuses
    assert statuses.count(200) < 30
