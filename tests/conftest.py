"""Shared fixtures: a database per backend, reset between tests.

Tests that take ``db`` run once on SQLite and once on PostgreSQL. PostgreSQL
(and Redis, see ``redis_url``) are real servers: when one is unreachable its
tests skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import text

from opencentra.db.engine import Database
from opencentra.db.models import metadata

POSTGRES_ADMIN_URL = os.environ.get("OPENCENTRA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("OPENCENTRA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"


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
    admin = create_sync_engine(POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
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


def _truncate_all(url: str) -> None:
    tables = [t.name for t in metadata.sorted_tables]
    if not tables:
        return
    engine = create_sync_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))
            if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
                conn.execute(text("DELETE FROM sqlite_sequence"))
    engine.dispose()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A ``Database`` on an emptied schema; runs once per backend."""
    database = Database.from_url(database_url)
    try:
        yield database
    finally:
        await database.dispose()
        await asyncio.to_thread(_truncate_all, database_url)


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", REDIS_URL, 6379)
    return REDIS_URL
