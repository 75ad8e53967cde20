"""Real ``opencentra serve`` processes on one database (and one Redis), for the scale-out and crash tests.

``ServerProcess`` runs the CLI's ``serve`` command in a subprocess on a free
loopback port (through ``_serve.py``, which only makes password hashing cheap),
and can be killed (``SIGKILL``), stopped (``SIGTERM``) and started again on
the same port. A module gets its own PostgreSQL database (``module_postgres``),
created from the ``test`` server and dropped afterwards, and its own Redis
database number (``redis_db_url``), emptied before and after. Both skip with
the reason when the service is absent, and fail under ``CI=true``.

The database is migrated once before any server starts, so two servers never
race to create the schema.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx2 as httpx
import pytest
from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from tests.conftest import POSTGRES_ADMIN_URL, REDIS_URL, require_service

from opencentra.db.engine import Database
from opencentra.db.migrate import upgrade

LAUNCHER = Path(__file__).with_name("_serve.py")
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sync_engine(url: str) -> Engine:
    """A plain engine for the tests' own checks of what the servers wrote."""
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)


def with_database(url: str, job: Callable[[Database], Awaitable[T]]) -> T:
    """Run a domain service from the test process (setting up a shop, rotating a secret)."""

    async def run() -> T:
        db = Database.from_url(url)
        try:
            return await job(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


@dataclass
class ServerProcess:
    """One ``opencentra serve`` process; ``start`` again after ``kill`` reuses the port."""

    database_url: str
    log_dir: Path
    redis_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    name: str = "server"
    # ``serve --workers N``: uvicorn's supervisor and N worker processes behind one port.
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def start(self) -> None:
        args = ["serve", "--port", str(self.port), "--database", self.database_url]
        if self.redis_url:
            args += ["--redis", self.redis_url]
        if self.workers > 1:
            args += ["--workers", str(self.workers)]
        env = {**os.environ, "OPENCENTRA_LOG_LEVEL": "warning", **self.env}
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, str(LAUNCHER), *args], env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 240.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} did not become healthy:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """``kill -9``: no shutdown of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout: float = 30.0) -> int:
        """``SIGTERM`` and wait for the exit; the exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.terminate()


def start_all(servers: list[ServerProcess]) -> None:
    """Start servers side by side (each start costs seconds of imports), then wait for all."""
    for server in servers:
        server.start()
    for server in servers:
        server.wait_ready()


@pytest.fixture(scope="module")
def module_postgres() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this module, dropped afterwards."""
    require_service("PostgreSQL", POSTGRES_ADMIN_URL, 5432)
    name = f"oc_scale_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def module_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file for this module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'shop.db'}"
    upgrade(url)
    return url


@contextmanager
def redis_database(number: int) -> Iterator[str]:
    """The URL of Redis database ``number`` (one per test module), empty before and after."""
    require_service("Redis", REDIS_URL, 6379)
    url = f"{REDIS_URL.rsplit('/', 1)[0]}/{number}"
    client = Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
