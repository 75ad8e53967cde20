"""PostgreSQL pool: no ping for a connection in steady use, a ping (and a
fresh connection when it fails) for one that sat idle."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from tests.conftest import POSTGRES_ADMIN_URL

from opencentra.db import engine as engine_module
from opencentra.db.engine import Database


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    return postgres_database


def _count_pings(monkeypatch: pytest.MonkeyPatch, database: Database) -> list[int]:
    dialect = database.engine.sync_engine.dialect
    pings: list[int] = []
    original = dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        pings.append(1)
        return bool(original(dbapi_connection))

    monkeypatch.setattr(dialect, "do_ping", counting)
    return pings


async def _backend_pid(database: Database) -> int:
    async with database.read() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def test_a_busy_connection_is_not_pinged(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    database = Database.from_url(postgres_url)
    try:
        pings = _count_pings(monkeypatch, database)
        first = await _backend_pid(database)
        for _ in range(5):
            assert await _backend_pid(database) == first
        assert pings == []
    finally:
        await database.dispose()


async def test_an_idle_connection_dropped_by_the_server_is_replaced(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database.from_url(postgres_url)
    try:
        pings = _count_pings(monkeypatch, database)
        dropped = await _backend_pid(database)
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
        # Every pooled connection now counts as idle.
        monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", -1.0)
        replacement = await _backend_pid(database)
        assert replacement != dropped
        assert pings, "the idle connection was pinged"
    finally:
        await database.dispose()
