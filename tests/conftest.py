"""Shared fixtures: a database per backend, reset between tests.

Tests that take ``db`` run once on SQLite and once on PostgreSQL. PostgreSQL
(and Redis, see ``redis_url``) are real servers: when one is unreachable its
tests skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from starlette.testclient import TestClient

from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database
from opencentra.db.models import metadata

POSTGRES_ADMIN_URL = os.environ.get("OPENCENTRA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("OPENCENTRA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"
T = TypeVar("T")

# No per-example deadline anywhere: on CI's two busy cores a microsecond step
# can take a second, and a deadline would turn that into a flaky failure.
hypothesis_settings.register_profile("opencentra", deadline=None)
hypothesis_settings.load_profile("opencentra")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, default_port: int) -> None:
    """Skip (or, under CI=true, fail) when a real service is not reachable."""
    if _reachable(url, default_port):
        return
    message = f"{name} is not reachable at {url}"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it")
    pytest.skip(f"{message} (start it, or set CI=true to make this a failure)")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    require_service("PostgreSQL", POSTGRES_ADMIN_URL, 5432)
    name = f"oc_test_{uuid.uuid4().hex[:12]}"
    admin = create_sync_engine(
        POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of an empty database with the current schema, per backend."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "test.db"
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
    engine = create_sync_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    metadata.create_all(engine)
    engine.dispose()
    return url


@functools.cache
def _sync_engine(url: str) -> Engine:
    return create_sync_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)


def _truncate_all(url: str) -> None:
    """Empty every table. DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of
    70 tables costs ~0.9 s, deleting from nearly empty ones ~7 ms."""
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    if not tables:
        return
    engine = _sync_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Skip foreign-key triggers, so the stores <-> markets cycle needs no order.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(";".join(f'DELETE FROM "{table}"' for table in tables)))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text("PRAGMA foreign_keys=ON"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A ``Database`` on an emptied schema; runs once per backend."""
    database = Database.from_url(database_url)
    try:
        yield database
    finally:
        await database.dispose()
        await asyncio.to_thread(_truncate_all, database_url)


class ApiHarness:
    """A running app (lifespan entered) and a way to call services in its loop.

    Setup code calls ``harness.call(service, *args)`` so that it runs on the
    same event loop, and so the same connection pool, as the requests.
    """

    def __init__(self, client: TestClient, database: Database) -> None:
        self.client = client
        self.db = database

    def call(self, func: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        assert self.client.portal is not None
        return self.client.portal.call(functools.partial(func, self.db, *args, **kwargs))


@pytest.fixture
def api(database_url: str) -> Iterator[ApiHarness]:
    """The whole app over HTTP (Starlette's TestClient), once per backend."""
    database = Database.from_url(database_url)
    # No plugin cache: tests rotate secrets and expect the effect at once.
    app = create_app(Settings(database_url=database_url, plugin_cache_seconds=0), database=database)
    try:
        with TestClient(app) as client:
            yield ApiHarness(client, database)
            assert client.portal is not None
            client.portal.call(database.dispose)
    finally:
        _truncate_all(database_url)


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", REDIS_URL, 6379)
    return REDIS_URL


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new, schema-less database per test; parametrize with "sqlite"/"postgresql"."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    require_service("PostgreSQL", POSTGRES_ADMIN_URL, 5432)
    name = f"oc_empty_{uuid.uuid4().hex[:12]}"
    admin = create_sync_engine(
        POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
