"""Schemathesis fuzzes every operation of the Order API's OpenAPI document: nothing may answer 5xx.

The server is ``uvicorn`` on a free loopback port over a SQLite file with
the test world, a few orders and shipments, and an Order API plugin.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import create_engine
from tests.api.order.conftest import build_world, order_draft

from opencentra import orders
from opencentra.db.engine import Database
from opencentra.db.models import metadata
from opencentra.integration import services as integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    path: Path = tmp_path_factory.mktemp("order-fuzz") / "fuzz.db"
    database_url = f"sqlite:///{path}"
    engine = create_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()

    async def prepare() -> str:
        db = Database.from_url(database_url)
        try:
            world = await build_world(db)
            for _ in range(3):
                order = await orders.create_order(db, order_draft(world))
                await orders.create_shipment(db, order.id, {order.lines[0].id: 1}, good_to_go=True)
            settings = {
                "markets": [world.sweden],
                "primary_warehouse": world.stockholm,
                "virtual_warehouses": [world.virtual],
                "supplier_delivery_warehouse": world.stockholm,
                "allow_order_create": True,
            }
            _plugin, secret = await integration.create_plugin(
                db, store_id=world.store, plugin_type="order", uri="fuzz", settings=settings
            )
            return secret
        finally:
            await db.dispose()

    secret = asyncio.run(prepare())
    port = _free_port()
    env = {**os.environ, "OPENCENTRA_DATABASE_URL": database_url}
    env.pop("OPENCENTRA_REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "opencentra.app:app_from_environment", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    try:
        _wait(port, process)
        yield f"http://127.0.0.1:{port}/api/fuzz", secret
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_no_server_errors(server: tuple[str, str]) -> None:
    base, secret = server
    headers = {"API-Authorization": secret}
    loaded = schemathesis.openapi.from_url(f"{base}/openapi.json")
    checked: list[str] = []
    failures: list[str] = []
    for result in loaded.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=int(os.environ.get("ORDER_API_FUZZ_EXAMPLES", "15")),
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            response = case.call(base_url=base, headers=headers, timeout=30)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {case.method} {case.formatted_path}: {case.body!r}")

        run()
        checked.append(operation.label)
    # Every endpoint of the spec's list (§1.4), plus GET /shipments/{id} and the singular supplier paths.
    assert len(checked) >= 40, checked
    assert not failures, "\n".join(failures[:10])
