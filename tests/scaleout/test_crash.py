"""Crash safety: ``kill -9`` a server under a steady load of purchases, start it again, lose nothing.

After the run: every order whose payment answer reached its buyer exists;
stock adds up (physical unchanged, allocated = the units of the orders, never
more than physical); and the outbox has each order's ``created`` event and
the ``allocate`` stock change each of its allocations points to, with the
stock events summing to the stock rows. On SQLite one process is killed and
restarted; on PostgreSQL one of two, while the other keeps selling.

And ``SIGTERM`` lets a request in flight finish before the process exits.
"""

from __future__ import annotations

import asyncio
import random
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from redis import Redis
from sqlalchemy import select
from tests.api.checkout.conftest import BASE, ShopIds, build_shop, pay_body
from tests.scaleout.conftest import ServerProcess, redis_database, start_all, sync_engine, with_database

from opencentra.events.models import Event
from opencentra.inventory.models import Stock
from opencentra.orders.models import Order, OrderAllocation, OrderLine
from opencentra.ratelimit.throttle import DEFAULT_PREFIX, _digest, account_key

pytestmark = pytest.mark.slow

STOCK = 30  # per size; ten sizes
BUYERS = 8  # concurrent buyer loops
# Orders acknowledged before the kill, while a process is down, and after the restart.
ORDERS_PER_PHASE = 5
# Generous: on two busy shared cores a phase has taken over a minute.
PHASE_TIMEOUT = 300


@dataclass
class Load:
    """Buyers buying one random item each, over and over, until ``stop`` is set."""

    urls: list[str]
    shop: ShopIds
    acknowledged: set[int] = field(default_factory=set)
    failures: int = 0
    down: int = 0
    # Any other answer: none is expected, a 5xx least of all.
    statuses: list[int] = field(default_factory=list)
    refused: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    progress: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def buyer(self, n: int) -> None:
        rng = random.Random(n)
        items = list(self.shop.items.values())
        clients = [httpx.AsyncClient(base_url=url, timeout=60) for url in self.urls]
        try:
            turn = n
            while not self.stop.is_set():
                turn += 1
                try:
                    added = await self._send(clients, turn, f"{BASE}/items/{rng.choice(items)}")
                    if added.status_code != 200:
                        self.statuses.append(added.status_code)
                        continue
                    headers = {"API-Token": added.json()["token"]}
                    paid = await self._send(clients, turn + 1, f"{BASE}/payment", json=pay_body(), headers=headers)
                except httpx.ConnectError:
                    # Every process is down: nothing was sent.
                    await asyncio.sleep(0.05)
                    continue
                except httpx.TransportError:
                    # The process died with the request in flight: its order may or may not exist.
                    self.failures += 1
                    continue
                if paid.status_code == 200 and paid.json().get("action") == "success":
                    async with self.progress:
                        self.acknowledged.add(int(paid.json()["order"]["order"]))
                        self.progress.notify_all()
                elif paid.status_code == 410:
                    self.refused += 1
                else:
                    self.statuses.append(paid.status_code)
        finally:
            for client in clients:
                await client.aclose()

    async def _send(self, clients: list[httpx.AsyncClient], first: int, path: str, **kwargs: Any) -> httpx.Response:
        """POST to the process whose turn it is, or, as a load balancer would, to the next one up."""
        for step in range(len(clients)):
            try:
                return await clients[(first + step) % len(clients)].post(path, **kwargs)
            except httpx.ConnectError:
                self.down += 1
        raise httpx.ConnectError("every process is down")

    async def until(self, count: int) -> None:
        async with self.progress:
            await self.progress.wait_for(lambda: len(self.acknowledged) >= count)


async def _run_with_a_kill(servers: list[ServerProcess], shop: ShopIds) -> Load:
    """Load on every server; kill -9 the first after a few orders, restart it, sell some more."""
    load = Load([server.base_url for server in servers], shop)
    buyers = [asyncio.create_task(load.buyer(n)) for n in range(BUYERS)]
    try:
        await asyncio.wait_for(load.until(ORDERS_PER_PHASE), PHASE_TIMEOUT)
        servers[0].kill()
        if len(servers) > 1:
            # The other process keeps selling while the first is dead.
            await asyncio.wait_for(load.until(len(load.acknowledged) + ORDERS_PER_PHASE), PHASE_TIMEOUT)
        await asyncio.to_thread(servers[0].start)
        await asyncio.to_thread(servers[0].wait_ready)
        await asyncio.wait_for(load.until(len(load.acknowledged) + ORDERS_PER_PHASE), PHASE_TIMEOUT)
    finally:
        load.stop.set()
        await asyncio.gather(*buyers)
    return load


def _check_nothing_lost(database_url: str, load: Load, label: str) -> None:
    engine = sync_engine(database_url)
    try:
        with engine.connect() as conn:
            orders = {number: id_ for number, id_ in conn.execute(select(Order.number, Order.id))}
            lines = conn.execute(
                select(OrderLine.id, OrderLine.order_id, OrderLine.product_size_id, OrderLine.quantity)
            ).all()
            allocations = conn.execute(
                select(
                    OrderAllocation.order_line_id,
                    OrderAllocation.warehouse_id,
                    OrderAllocation.quantity,
                    OrderAllocation.stock_change_id,
                )
            ).all()
            stock = conn.execute(
                select(Stock.id, Stock.warehouse_id, Stock.product_size_id, Stock.physical, Stock.allocated)
            ).all()
            events = conn.execute(
                select(Event.id, Event.object_type, Event.object_id, Event.action, Event.payload)
            ).all()
    finally:
        engine.dispose()
    found = load.acknowledged & set(orders)
    print(
        f"\n{label}: {len(load.acknowledged)} orders acknowledged, {len(found)} found after the kill; "
        f"{len(orders)} orders in the database; {load.refused} sold out, {load.failures} unanswered, "
        f"{load.down} connections refused while down"
    )
    assert load.statuses == []
    # Every order whose payment answer reached its buyer exists.
    assert found == load.acknowledged
    # Each order has its one "created" event.
    created = [e.object_id for e in events if e.object_type == "order" and e.action == "created"]
    assert sorted(created) == sorted(orders.values())
    # Every unit an order holds is allocated exactly once, from an "allocate" stock change in the outbox.
    stock_events = {e.id: e for e in events if e.object_type == "stock"}
    line_size = {line.id: line.product_size_id for line in lines}
    held: dict[tuple[int, int], int] = {}
    for allocation in allocations:
        assert allocation.stock_change_id in stock_events
        assert stock_events[allocation.stock_change_id].payload["reason"] == "allocate"
        key = (allocation.warehouse_id, line_size[allocation.order_line_id])
        held[key] = held.get(key, 0) + allocation.quantity
    assert sum(held.values()) == sum(line.quantity for line in lines)
    for row in stock:
        # No stock was received or shipped: physical = allocated + available, allocated = what orders hold.
        assert row.physical == STOCK
        assert 0 <= row.allocated <= row.physical
        assert row.allocated == held.get((row.warehouse_id, row.product_size_id), 0)
        # The outbox replays to the row: no stock change lost.
        mine = [e.payload for e in stock_events.values() if e.object_id == row.id]
        assert sum(int(p.get("physical_delta", 0)) for p in mine) == row.physical
        assert sum(int(p.get("allocated_delta", 0)) for p in mine) == row.allocated


# --- SQLite: one process ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_server(
    module_sqlite: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ShopIds]]:
    shop = with_database(module_sqlite, lambda db: build_shop(db, stock=STOCK))
    server = ServerProcess(module_sqlite, Path(tmp_path_factory.mktemp("logs")), name="sqlite")
    try:
        start_all([server])
        yield server, shop
    finally:
        server.stop()


async def test_kill_9_on_sqlite_loses_no_acknowledged_order(sqlite_server: tuple[ServerProcess, ShopIds]) -> None:
    server, shop = sqlite_server
    load = await _run_with_a_kill([server], shop)
    _check_nothing_lost(server.database_url, load, "SQLite, one process killed")


# --- PostgreSQL: two processes, one killed ------------------------------------------------------


@dataclass
class PgCluster:
    servers: list[ServerProcess]
    shop: ShopIds
    redis_url: str


@pytest.fixture(scope="module")
def pg_cluster(module_postgres: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgCluster]:
    shop = with_database(module_postgres, lambda db: build_shop(db, stock=STOCK))
    logs = Path(tmp_path_factory.mktemp("logs"))
    with redis_database(13) as redis_url:
        servers = [ServerProcess(module_postgres, logs, redis_url=redis_url, name=f"pg-{n}") for n in ("a", "b")]
        try:
            start_all(servers)
            yield PgCluster(servers, shop, redis_url)
        finally:
            for server in servers:
                server.stop()


@pytest.mark.postgres
@pytest.mark.redis
async def test_kill_9_of_one_of_two_processes_loses_no_acknowledged_order(pg_cluster: PgCluster) -> None:
    load = await _run_with_a_kill(pg_cluster.servers, pg_cluster.shop)
    _check_nothing_lost(pg_cluster.servers[0].database_url, load, "PostgreSQL, one of two processes killed")


@pytest.mark.postgres
@pytest.mark.redis
def test_sigterm_lets_the_request_in_flight_finish(pg_cluster: PgCluster) -> None:
    server = pg_cluster.servers[1]
    email = "slow@example.com"
    url = f"{server.base_url}{BASE}/login/{email}"
    # Five failures make the account's next attempts wait (1 s, then 2 s) before they are answered.
    for _ in range(6):
        assert httpx.post(url, json={"password": "guess"}, timeout=30).status_code == 406
    answer: list[httpx.Response | BaseException] = []

    def slow_login() -> None:
        try:
            answer.append(httpx.post(url, json={"password": "guess"}, timeout=60))
        except BaseException as error:  # reported by the assertion below
            answer.append(error)

    counter = f"{DEFAULT_PREFIX}:login:account:{_digest(account_key(pg_cluster.shop.store, email))}"
    redis = Redis.from_url(pg_cluster.redis_url)
    thread = threading.Thread(target=slow_login)
    thread.start()
    try:
        # The 7th attempt is counted when it starts, before its wait: then it is surely in flight.
        while int(redis.get(counter) or 0) < 7:
            assert thread.is_alive()
            threading.Event().wait(0.01)
        status = server.terminate()
    finally:
        thread.join(60)
        redis.close()
    # uvicorn shuts down gracefully, then raises the signal it caught again, so the process ends by SIGTERM.
    assert status in (0, -signal.SIGTERM)
    assert len(answer) == 1
    response = answer[0]
    assert isinstance(response, httpx.Response), repr(response)
    assert response.status_code == 406
    log = server.log.read_text()
    assert "Traceback" not in log, log[-3000:]
