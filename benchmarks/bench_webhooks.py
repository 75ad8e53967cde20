"""Outbound webhooks: deliveries per second to a local receiver.

One webhook plugin; the receiver is a keep-alive HTTP/1.1 server in the same
process answering 200 at once, so the figure is the sender's cost (claim,
sign, POST, record) plus the receiver's, on one event loop. Two shapes:
one event per delivery (the worst case: one POST and two transactions per
event) and full deliveries of 100 events. ``python -m benchmarks.bench_webhooks [deliveries]``.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime

import psycopg
from sqlalchemy import text

from benchmarks import harness
from opencentra.db import migrate
from opencentra.db.engine import Database
from opencentra.db.models import metadata as _all_models  # noqa: F401 - maps every table
from opencentra.events import outbox
from opencentra.integration import services as integration
from opencentra.stores.models import Store, StoreType
from opencentra.webhooks import deliver_due, issue_signing_secret
from opencentra.webhooks import services as webhook_services

KEY = "bench-server-key-" + "b" * 32


async def _receiver(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _events(db: Database, store: int, count: int, start: int) -> None:
    async with db.write() as session:
        for number in range(start, start + count):
            await outbox.record(session, "order", number, "updated", {}, store_id=store)


async def _analyze(db: Database) -> None:
    # Fresh tables have no planner statistics until autovacuum's ANALYZE comes round; without them
    # PostgreSQL plans the outbox's NOT EXISTS as a nested loop over every receipt.
    if not db.is_sqlite:
        async with db.engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()


async def _drain(db: Database) -> int:
    sent = 0
    while True:
        result = await deliver_due(db, server_key=KEY, allow_private=True, now=datetime.now(UTC))
        if result.sent == 0:
            return sent
        sent += result.sent


async def _measure(url: str, deliveries: int) -> dict[str, float]:
    server = await asyncio.start_server(_receiver, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    db = Database.from_url(url)
    try:
        async with db.write() as session:
            store = Store(name="Bench", type=StoreType.DTC)
            session.add(store)
            await session.flush()
            store_id = store.id
        plugin, _ = await integration.create_plugin(
            db,
            store_id=store_id,
            plugin_type="webhook",
            uri="bench-hooks",
            settings={"url": f"http://127.0.0.1:{port}/in", "events": ["order"]},
        )
        await issue_signing_secret(db, plugin.id, server_key=KEY)
        plugins = await webhook_services.webhook_plugins(db)
        # Setup, not timed: one delivery per event.
        for number in range(deliveries):
            await _events(db, store_id, 1, number + 1)
            await webhook_services.enqueue(db, now=datetime.now(UTC), plugins=plugins)
        await _analyze(db)
        started = time.perf_counter()
        single = await _drain(db)
        single_seconds = time.perf_counter() - started
        # Full deliveries: 100 events each, enqueued inside the timed rounds.
        events = deliveries * 20
        await _events(db, store_id, events, deliveries + 1)
        await _analyze(db)
        started = time.perf_counter()
        full = await _drain(db)
        full_seconds = time.perf_counter() - started
    finally:
        await db.dispose()
        server.close()
    return {
        "deliveries/s, 1 event each": round(single / single_seconds, 1),
        "deliveries/s, 100 events each (enqueue included)": round(full / full_seconds, 1),
        "events/s in 100-event deliveries": round(events / full_seconds, 1),
    }


def main() -> None:
    deliveries = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    notes: dict[str, object] = {"deliveries": deliveries}
    harness.DATA.mkdir(exist_ok=True)
    sqlite_path = harness.DATA / f"webhooks_{uuid.uuid4().hex[:8]}.db"
    sqlite_url = f"sqlite:///{sqlite_path}"
    migrate.upgrade(sqlite_url)
    for key, value in asyncio.run(_measure(sqlite_url, deliveries)).items():
        notes[f"SQLite: {key}"] = value
    for suffix in ("", "-wal", "-shm"):
        sqlite_path.with_name(sqlite_path.name + suffix).unlink(missing_ok=True)
    name = f"oc_webhooks_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(harness.POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        pg_url = f"{harness.POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        migrate.upgrade(pg_url)
        for key, value in asyncio.run(_measure(pg_url, deliveries)).items():
            notes[f"PostgreSQL: {key}"] = value
    finally:
        with psycopg.connect(harness.POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    harness.report("webhooks", [], notes)


if __name__ == "__main__":
    main()
