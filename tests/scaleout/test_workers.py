"""``serve --workers 2`` under load: both workers start and stay up, and ``/healthz`` answers throughout.

uvicorn's supervisor pings each worker and kills one that does not answer in
time (5 s by default). A worker cannot answer before its imports are done,
which on busy shared cores took longer than that: workers were killed and
restarted before they ever served, and the health check timed out. ``serve``
now gives them ``WORKER_HEALTHCHECK_SECONDS``; this runs two workers while
buyers load them and checks the log shows no worker killed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from tests.api.checkout.conftest import BASE, ShopIds, build_shop, pay_body
from tests.scaleout.conftest import ServerProcess, redis_database, with_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

BUYERS = 16
PURCHASES = 40
HEALTH_CHECKS = 20


@pytest.fixture(scope="module")
def two_workers(
    module_postgres: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ShopIds]]:
    shop = with_database(module_postgres, lambda db: build_shop(db, stock=10_000))
    logs = Path(tmp_path_factory.mktemp("logs"))
    with redis_database(11) as redis_url:
        # info: uvicorn's supervisor logs each worker it replaces ("Child process [..] died").
        server = ServerProcess(
            module_postgres, logs, redis_url=redis_url, name="workers", workers=2, env={"OPENCENTRA_LOG_LEVEL": "info"}
        )
        server.start()
        try:
            server.wait_ready()
            yield server, shop
        finally:
            server.stop()


async def test_healthz_answers_while_two_workers_are_busy(two_workers: tuple[ServerProcess, ShopIds]) -> None:
    server, shop = two_workers
    bought = 0
    statuses: list[int] = []

    async def buyer(n: int) -> None:
        nonlocal bought
        items = list(shop.items.values())
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
            while bought < PURCHASES:
                added = await client.post(f"{BASE}/items/{items[n % len(items)]}")
                paid = await client.post(
                    f"{BASE}/payment", json=pay_body(), headers={"API-Token": added.json()["token"]}
                )
                statuses.append(paid.status_code)
                bought += 1

    async def health() -> list[int]:
        answers = []
        async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
            for _ in range(HEALTH_CHECKS):
                answers.append((await client.get("/healthz")).status_code)
                await asyncio.sleep(0.1)
        return answers

    buyers = [asyncio.create_task(buyer(n)) for n in range(BUYERS)]
    checks = await health()
    await asyncio.gather(*buyers)

    assert checks == [200] * HEALTH_CHECKS
    assert set(statuses) == {200}
    log = server.log.read_text()
    assert "died" not in log and "Traceback" not in log, log[-3000:]
