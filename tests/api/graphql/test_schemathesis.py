"""Schemathesis fuzzes every root field of a running server: nothing may answer 5xx.

The server is ``uvicorn`` on a free loopback port over a SQLite file with a
small world and an all-permissions token, with Centra's largest plan so the
fuzzer's burst is not refused (refusals are 429, which would also pass).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from tests.api.graphql.gqlkit import add_orders, build_world
from tests.api.graphql.test_rate_limits import _free_port, _wait

from opencentra.db.engine import Database
from opencentra.db.models import metadata
from opencentra.integration import services as integration
from opencentra.integration.permissions import ALL_PERMISSIONS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    database_url = f"sqlite:///{path}"
    engine = create_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()

    async def prepare() -> str:
        db = Database.from_url(database_url)
        try:
            world = await build_world(db)
            await add_orders(db, world, 3)
            return (await integration.create_token(db, name="fuzz", permissions=list(ALL_PERMISSIONS)))[1]
        finally:
            await db.dispose()

    token = asyncio.run(prepare())
    port = _free_port()
    env = {**os.environ, "OPENCENTRA_DATABASE_URL": database_url, "OPENCENTRA_RATELIMIT_PLAN": "enterprise"}
    env.pop("OPENCENTRA_REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "opencentra.app:app_from_environment", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    try:
        _wait(port, process)
        yield f"http://127.0.0.1:{port}/graphql", token
    finally:
        process.terminate()
        process.wait(timeout=10)


# Custom scalars need a strategy; mix valid timestamps with text the scalar must refuse cleanly.
schemathesis.graphql.scalar(
    "DateTimeTz",
    st.sampled_from(["2022-03-29T00:00:00+0000", "2022-03-29 10:00:00", "not a date", ""]).map(
        schemathesis.graphql.nodes.String
    ),
)


def test_no_server_errors(server: tuple[str, str]) -> None:
    url, token = server
    headers = {"Authorization": f"Bearer {token}"}
    loaded = schemathesis.graphql.from_url(url, headers=headers)
    checked: list[str] = []
    failures: list[str] = []
    for result in loaded.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            response = case.call(headers=headers, timeout=30)
            if response.status_code >= 500:
                failures.append(f"{response.status_code}: {case.body}")

        run()
        checked.append(operation.label)
    assert len(checked) >= 50
    assert not failures, "\n".join(failures[:10])
