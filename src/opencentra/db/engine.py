"""Engines and transactions for SQLite (embedded default) and PostgreSQL.

SQLite: WAL, ``synchronous=FULL``, a busy timeout and foreign keys, and
write transactions opened with ``BEGIN IMMEDIATE`` so that two writers never
both read and then fail to upgrade their lock (pysqlite's default deferred
BEGIN either oversells or fails with "database is locked"; see spec/stack.md).
``FULL`` syncs the WAL at every commit, so an acknowledged order, payment or
stock change survives a power loss, not only a crash of the process
(``NORMAL`` would sync only at checkpoints). A transaction that asked for
``commit_without_flush_wait`` runs at ``NORMAL``: SQLite fixes the level
outside a transaction, so it is set just before that transaction's ``BEGIN``
and set back to ``FULL`` before the next transaction on the same connection
that did not ask.

PostgreSQL: a pooled connection is pinged before use only when it sat idle
in the pool for ``IDLE_PING_SECONDS`` (SQLAlchemy's ``pool_pre_ping`` would
spend a round trip on every checkout, a tenth of a busy request's). A
connection in steady use is known to be alive; one that idled may have been
dropped by a server restart or a firewall, and a failed ping discards every
connection older than it, as ``pool_pre_ping`` does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from opencentra.errors import ValidationFailed

_WRITE = "opencentra_write"
_NO_FLUSH_WAIT = "opencentra_no_flush_wait"
# In a pooled connection's info: the level its ``PRAGMA synchronous`` is at.
_SYNCHRONOUS = "opencentra_synchronous"
_RETURNED_AT = "opencentra_returned_at"
IDLE_PING_SECONDS = 10.0
# Sized above the busiest expected concurrency of one process: a request
# beyond the pool opens an overflow connection and closes it again after
# use, and opening a PostgreSQL connection costs far more than a query.
POSTGRES_POOL_SIZE = 20
POSTGRES_MAX_OVERFLOW = 5

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql+psycopg_async": "postgresql+psycopg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def normalize_database_url(raw: str) -> URL:
    """Accept plain and driver-qualified URLs; return the async driver's URL.

    Raises ``ValidationFailed`` with one clear sentence for anything else.
    """
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise ValidationFailed(
            f"invalid database URL {raw!r}: expected sqlite:///path or postgresql://user@host/db",
            field="database",
        ) from None
    driver = _DRIVERS.get(url.drivername)
    if driver is None:
        raise ValidationFailed(
            f"unsupported database {url.drivername!r}: use sqlite:///path or postgresql://...",
            field="database",
        )
    url = url.set(drivername=driver)
    if driver.startswith("postgresql") and not url.database:
        raise ValidationFailed(f"database URL {raw!r} names no database", field="database")
    return url


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Take over transaction control from the driver so BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA busy_timeout=10000",
            "PRAGMA foreign_keys=ON",
        ):
            cursor.execute(pragma)
        cursor.close()
        record.info[_SYNCHRONOUS] = "FULL"

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        # Every transaction, read or write, starts at the level it asked for:
        # a connection a cart change left at NORMAL never commits anything
        # else that way. SQLite refuses the pragma inside a transaction.
        level = "NORMAL" if options.get(_NO_FLUSH_WAIT) else "FULL"
        if conn.info.get(_SYNCHRONOUS) != level:
            conn.exec_driver_sql(f"PRAGMA synchronous={level}")
            conn.info[_SYNCHRONOUS] = level
        if options.get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _install_idle_ping(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect
    driver_error: Any = dialect.loaded_dbapi.Error

    @event.listens_for(sync_engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
            return  # new, or in use a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except driver_error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The server went away: every connection as old as this one is suspect.
                raise InvalidatePoolError("ping failed after idling") from error
            raise DisconnectionError("ping failed after idling") from error
        if not alive:
            raise InvalidatePoolError("ping failed after idling")


def create_engine(raw_url: str, *, echo: bool = False, pool_size: int = POSTGRES_POOL_SIZE) -> AsyncEngine:
    url = normalize_database_url(raw_url)
    # A failed statement's message leaves out its parameters (request bodies:
    # addresses, emails), because unexpected errors are logged; ``echo`` shows them.
    hide_parameters = not echo
    if is_sqlite(url):
        memory = url.database in (None, "", ":memory:")
        if memory:
            raise ValidationFailed(
                "an in-memory SQLite database cannot be shared between connections; use a file path",
                field="database",
            )
        # A small pool: opening an aiosqlite connection (a thread plus the
        # pragmas) costs milliseconds, and writers serialise in SQLite anyway.
        engine = create_async_engine(
            url, echo=echo, hide_parameters=hide_parameters, pool_size=5, max_overflow=15, pool_timeout=60
        )
        _install_sqlite_hooks(engine)
        return engine
    engine = create_async_engine(
        url, echo=echo, hide_parameters=hide_parameters, pool_size=pool_size, max_overflow=POSTGRES_MAX_OVERFLOW
    )
    _install_idle_ping(engine)
    return engine


async def commit_without_flush_wait(session: AsyncSession) -> None:
    """Let this transaction's COMMIT return before its log reaches the disk.

    Call it first in the transaction, before any statement: SQLite can only
    change how a commit syncs outside a transaction, so the choice is made at
    ``BEGIN``. A later call raises ``RuntimeError`` on both backends.

    PostgreSQL: ``synchronous_commit = off`` for this transaction only
    (``SET LOCAL``). A durable commit waits for an fsync of the write-ahead
    log, which on ordinary disks costs more than everything else a small
    change does (7 ms against 0.5 ms on the benchmark machine). What it
    risks: a crash of the database server can lose such transactions
    committed in the last fraction of a second (three times
    ``wal_writer_delay`` at most), whole, never half of one, and never
    another transaction's durability.

    SQLite: ``synchronous=NORMAL`` instead of ``FULL`` for this transaction
    (set before its ``BEGIN``; the next transaction on the connection that
    did not ask goes back to ``FULL``). In WAL mode such a commit survives a
    crash of the process but not a power loss or an OS crash before the next
    checkpoint.

    For changes the shopper simply makes again (a cart), never for orders,
    payments or stock.
    """
    transaction = session.sync_session.get_transaction()
    if transaction is not None and transaction.connections:
        raise RuntimeError("commit_without_flush_wait() must come before the transaction's first statement")
    if session.get_bind().dialect.name == "sqlite":
        # The begin hook (``_install_sqlite_hooks``) reads the option.
        await session.connection(execution_options={_NO_FLUSH_WAIT: True})
        return
    connection = await session.connection()
    # Straight to the driver: no ORM statement machinery for a constant.
    await connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


class Database:
    """The unit of work: ``read()`` and ``write()`` each open one transaction.

    A service is one function that opens one ``write()``; it commits when the
    block ends and rolls back on any exception, so nothing half-written stays.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        # Every model must be mapped before the first flush: foreign keys name
        # tables by string, and a flush sorts tables by them. The program's
        # entry point (app, cli, Alembic's env, tests, a benchmark) imports
        # ``opencentra.db.models`` for that; the database layer imports no domain.
        self.engine = engine
        self.url = engine.url
        # SQLite lets one transaction write at a time, and its busy handler
        # retries at random, so under load a waiting writer can starve past
        # the busy timeout ("database is locked"). Queueing this process's
        # writers before BEGIN IMMEDIATE makes the wait first come, first
        # served. PostgreSQL needs no such queue.
        self._write_turn: asyncio.Lock | None = asyncio.Lock() if is_sqlite(engine.url) else None
        self._read = async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
        self._write = async_sessionmaker(
            engine.execution_options(**{_WRITE: True}), expire_on_commit=False, autoflush=True
        )

    @classmethod
    def from_url(cls, raw_url: str, **kwargs: Any) -> Database:
        return cls(create_engine(raw_url, **kwargs))

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._read() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        if self._write_turn is None:
            async with self._write() as session, session.begin():
                yield session
            return
        async with self._write_turn, self._write() as session, session.begin():
            yield session

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[Database]:
        """One write transaction that several service calls share.

        Inside, ``read()`` and ``write()`` of the yielded database hand out the
        same session, so a composite job (the demo seed, a batch import) commits
        all or nothing while still going through the ordinary services.
        """
        async with self.write() as session:
            yield _SharedSessionDatabase(self, session)

    async def dispose(self) -> None:
        await self.engine.dispose()


class _SharedSessionDatabase(Database):
    def __init__(self, parent: Database, session: AsyncSession) -> None:
        self.engine = parent.engine
        self.url = parent.url
        self._session = session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        yield self._session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        yield self._session

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[Database]:
        yield self

    async def dispose(self) -> None:
        """The parent owns the engine."""
