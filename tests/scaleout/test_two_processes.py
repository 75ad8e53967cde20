"""Two ``opencentra serve`` processes on one PostgreSQL and one Redis behave as one server.

Clients are spread over both processes, often switching process between the
requests of one flow, as a load balancer without sticky sessions would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2 as httpx
import pytest
from sqlalchemy import func, select
from tests.api.checkout.conftest import BASE, ShopIds, build_shop, pay_body
from tests.scaleout.conftest import ServerProcess, redis_database, start_all, sync_engine, with_database

from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.inventory.models import Stock
from opencentra.orders.models import Order, OrderLine

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

UNITS = 5
BUYERS = 200
IN_FLIGHT = 32
# Small, so the rotation test waits little; the documented default is 1 s (config.plugin_cache_seconds).
PLUGIN_CACHE_SECONDS = 0.5
# 20 requests per 10 s, refilling at 2 a second (opencentra.ratelimit.LEGACY_DOCS_EXAMPLE).
RATE_PLAN = "legacy-docs-example"
RATE_QUOTA = 20
RATE_REFILL_PER_SECOND = 2.0
# Failed logins an address may make per window (ratelimit.throttle.LOGIN).
LOGIN_FAILURES_PER_ADDRESS = 50


@dataclass
class Cluster:
    servers: list[ServerProcess]
    database_url: str
    shop: ShopIds
    order_plugin: int
    order_secret: str
    graphql_token: str

    def url(self, index: int) -> str:
        return self.servers[index % len(self.servers)].base_url


async def _setup(db: Database) -> tuple[ShopIds, int, str, str]:
    shop = await build_shop(db, stock=UNITS)
    plugin, secret = await integration.create_plugin(db, store_id=shop.store, plugin_type="order", uri="order-api")
    _token, token_secret = await integration.create_token(db, name="erp", permissions=["Order:read"])
    return shop, plugin.id, secret, token_secret


@pytest.fixture(scope="module")
def cluster(module_postgres: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    shop, plugin_id, secret, token = with_database(module_postgres, _setup)
    logs = tmp_path_factory.mktemp("logs")
    with redis_database(12) as redis_url:
        env = {"OPENCENTRA_PLUGIN_CACHE_SECONDS": str(PLUGIN_CACHE_SECONDS), "OPENCENTRA_RATELIMIT_PLAN": RATE_PLAN}
        servers = [
            ServerProcess(module_postgres, Path(logs), redis_url=redis_url, env=env, name=f"server-{n}")
            for n in ("a", "b")
        ]
        try:
            start_all(servers)
            yield Cluster(servers, module_postgres, shop, plugin_id, secret, token)
        finally:
            for server in servers:
                server.stop()


def _size_counts(database_url: str, size_id: int) -> tuple[int, int, int]:
    """Orders holding the size, and its physical and allocated stock."""
    engine = sync_engine(database_url)
    try:
        with engine.connect() as conn:
            orders = conn.scalar(
                select(func.count(func.distinct(OrderLine.order_id))).where(OrderLine.product_size_id == size_id)
            )
            physical, allocated = conn.execute(
                select(func.sum(Stock.physical), func.sum(Stock.allocated)).where(Stock.product_size_id == size_id)
            ).one()
    finally:
        engine.dispose()
    return int(orders or 0), int(physical), int(allocated)


def _clients(cluster: Cluster) -> list[httpx.AsyncClient]:
    return [httpx.AsyncClient(base_url=server.base_url, timeout=120) for server in cluster.servers]


async def test_two_hundred_buyers_for_five_units_on_two_processes(cluster: Cluster) -> None:
    item = cluster.shop.items["tee-black-S"]
    gate = asyncio.Semaphore(IN_FLIGHT)
    clients = _clients(cluster)

    async def buyer(n: int) -> int:
        async with gate:
            # The cart is made on one process and paid on the other.
            added = await clients[n % 2].post(f"{BASE}/items/{item}")
            assert added.status_code == 200, added.text
            paid = await clients[(n + 1) % 2].post(
                f"{BASE}/payment", json=pay_body(), headers={"API-Token": added.json()["token"]}
            )
            assert paid.status_code in (200, 410), paid.text
            if paid.status_code == 200:
                assert paid.json()["action"] == "success"
            return paid.status_code

    try:
        statuses = await asyncio.gather(*(buyer(n) for n in range(BUYERS)))
    finally:
        for client in clients:
            await client.aclose()
    assert (statuses.count(200), statuses.count(410)) == (UNITS, BUYERS - UNITS)
    assert _size_counts(cluster.database_url, cluster.shop.sizes["tee-black-S"]) == (UNITS, UNITS, UNITS)


async def test_fifty_replayed_payment_results_on_two_processes_make_one_order(cluster: Cluster) -> None:
    clients = _clients(cluster)
    try:
        added = await clients[0].post(f"{BASE}/items/{cluster.shop.items['jeans-blue-M']}")
        headers = {"API-Token": added.json()["token"]}
        started = await clients[1].post(f"{BASE}/payment", json=pay_body("test-redirect"), headers=headers)
        assert started.status_code == 200, started.text
        fields: dict[str, Any] = dict(parse_qsl(urlsplit(started.json()["url"]).query))

        async def replay(n: int) -> str:
            answer = await clients[n % 2].post(
                f"{BASE}/payment-result", json={"paymentMethodFields": fields}, headers=headers
            )
            assert answer.status_code == 200, answer.text
            number: str = answer.json()["order"]["order"]
            return number

        numbers = await asyncio.gather(*(replay(n) for n in range(50)))
    finally:
        for client in clients:
            await client.aclose()
    assert len(set(numbers)) == 1
    orders, _physical, allocated = _size_counts(cluster.database_url, cluster.shop.sizes["jeans-blue-M"])
    assert (orders, allocated) == (1, 1)


async def test_graphql_rate_limit_is_one_quota_across_processes(cluster: Cluster) -> None:
    clients = _clients(cluster)
    headers = {"Authorization": f"Bearer {cluster.graphql_token}"}
    requests = 3 * RATE_QUOTA

    async def ask(n: int) -> tuple[int, int, str | None]:
        answer = await clients[n % 2].post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        return n % 2, answer.status_code, answer.headers.get("retry-after")

    began = time.monotonic()
    try:
        answers = await asyncio.gather(*(ask(n) for n in range(requests)))
    finally:
        for client in clients:
            await client.aclose()
    elapsed = time.monotonic() - began
    admitted = sum(1 for _, status, _ in answers if status == 200)
    refused = [(server, retry) for server, status, retry in answers if status == 429]
    assert admitted + len(refused) == requests
    # One quota: at most the bucket plus what refilled while the burst ran (plus one for rounding).
    # A quota per process would admit the whole bucket on each: 2 * RATE_QUOTA of the 60.
    assert admitted <= RATE_QUOTA + RATE_REFILL_PER_SECOND * elapsed + 1, (admitted, elapsed)
    # And a process refused requests before it had admitted a whole quota of its own: only what the
    # other process spent can explain that (unless the burst ran so slowly that the bucket refilled).
    per_server = [sum(1 for server, status, _ in answers if server == s and status == 200) for s in (0, 1)]
    assert min(per_server) < RATE_QUOTA or elapsed > (RATE_QUOTA - 1) / RATE_REFILL_PER_SECOND, per_server
    assert refused
    assert all(retry is not None and float(retry) > 0 for _, retry in refused)


def test_cart_made_on_one_process_continues_on_the_other(cluster: Cluster) -> None:
    shop = cluster.shop
    with httpx.Client(base_url=cluster.url(0)) as first, httpx.Client(base_url=cluster.url(1)) as second:
        added = first.post(f"{BASE}/items/{shop.items['scarf-print-One Size']}")
        assert added.status_code == 200, added.text
        token = {"API-Token": added.json()["token"]}
        seen = second.get(f"{BASE}/selection", headers=token)
        assert seen.status_code == 200, seen.text
        assert [i["item"] for i in seen.json()["selection"]["items"]] == [shop.items["scarf-print-One Size"]]
        more = second.post(f"{BASE}/items/{shop.items['tee-white-M']}", headers=token)
        assert more.status_code == 200, more.text
        back = first.get(f"{BASE}/selection", headers=token).json()["selection"]
        assert back["totals"]["totalQuantity"] == 2
        # Checkout on the first process with the cart both processes filled.
        paid = first.post(f"{BASE}/payment", json=pay_body(), headers=token)
        assert paid.status_code == 200, paid.text
        number = paid.json()["order"]["order"]
    engine = sync_engine(cluster.database_url)
    try:
        with engine.connect() as conn:
            order_id = conn.scalar(select(Order.id).where(Order.number == int(number)))
            assert order_id is not None
            lines = conn.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.order_id == order_id))
    finally:
        engine.dispose()
    assert lines == 2


def test_rotated_or_revoked_secret_stops_on_every_process_within_the_cache_window(cluster: Cluster) -> None:
    # Authenticated requests to an unknown Order API route answer 404; refused ones 401.
    path = "/api/order-api/x"

    def statuses(secret: str) -> list[int]:
        return [
            httpx.get(f"{server.base_url}{path}", headers={"API-Authorization": secret}).status_code
            for server in cluster.servers
        ]

    old = cluster.order_secret
    # Both processes have the plugin (and its secret hash) in their caches now.
    assert statuses(old) == [404, 404]
    issued = with_database(cluster.database_url, lambda db: integration.rotate_plugin_secret(db, cluster.order_plugin))
    # Whatever either process cached was read before the rotation, so it has expired one window later.
    time.sleep(PLUGIN_CACHE_SECONDS + 0.2)
    assert statuses(old) == [401, 401]
    assert statuses(issued.secret) == [404, 404]
    with_database(cluster.database_url, lambda db: integration.revoke_plugin_secret(db, cluster.order_plugin))
    time.sleep(PLUGIN_CACHE_SECONDS + 0.2)
    assert statuses(issued.secret) == [401, 401]
    assert statuses(old) == [401, 401]


async def test_login_throttle_counts_across_processes(cluster: Cluster) -> None:
    clients = _clients(cluster)
    gate = asyncio.Semaphore(10)

    async def fail(n: int) -> int:
        # A different account each time: only the address's count grows, the accounts never slow down.
        async with gate:
            answer = await clients[n % 2].post(f"{BASE}/login/nobody{n}@example.com", json={"password": "guess"})
            return answer.status_code

    try:
        codes = await asyncio.gather(*(fail(n) for n in range(LOGIN_FAILURES_PER_ADDRESS)))
        # Each process saw only half of the failures; together they reach the address's limit.
        assert set(codes) == {406}
        for client in clients:
            refused = await client.post(f"{BASE}/login/someone@example.com", json={"password": "guess"})
            assert refused.status_code == 429, refused.text
            assert refused.json()["errors"] == {"email": "too many attempts; try again later"}
    finally:
        for client in clients:
            await client.aclose()
