"""The SOAP ERP API: one products_Update of N products x 3 variations x 5 sizes, and draining 10,000 events.

Timed, in process (Starlette's TestClient, no network), on a fresh SQLite file and a fresh
PostgreSQL database:

- ``products_Update`` of N products (default 1,000) x 3 variations x 5 sizes with stock in one
  warehouse, in one request (about 2.2 MB): every product new; then the same request again
  (every product known and unchanged: what a nightly full push costs);
- draining 10,000 ``customer`` events with ``events_Get`` (type ``all``, pages of 100) and
  ``events_Done`` until the queue is empty: events per second.

Baseline, same run and database: an authenticated ``events_Get`` of an empty section (parse,
login, the request log; the cheapest authenticated SOAP round trip), median of 30. Each figure
is also reported as a multiple of it. The 10,000 customers and their events are inserted in
bulk (setup, not timed), as ``bench_subscriptions`` clones its contracts.

``python -m benchmarks.bench_soap [products] [events]``.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from typing import Any

import psycopg
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from sqlalchemy import insert
from starlette.testclient import TestClient
from tests.api.soap.soapkit import envelope, post_raw, product_batch, result_of, size_batch

from benchmarks import harness
from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.customers.models import Customer
from opencentra.db import migrate
from opencentra.db.engine import Database
from opencentra.events.models import Event
from opencentra.integration.services import create_soap_user
from opencentra.stores.services import create_store, ensure_currency

USER = "bench-erp"


async def _setup(db: Database) -> tuple[int, str]:
    await ensure_currency(db, "SEK", "Swedish krona")
    store = await create_store(db, "Retail")
    return store.id, await create_soap_user(db, username=USER, store_id=store.id)


async def _bulk_customer_events(db: Database, store_id: int, count: int) -> None:
    """``count`` customers and one ``created`` event each, inserted in bulk."""
    async with db.write() as session:
        for start in range(0, count, 1000):
            numbers = range(start, min(start + 1000, count))
            await session.execute(
                insert(Customer),
                [{"store_id": store_id, "email": f"c{n}@bench.example", "first_name": f"C{n}"} for n in numbers],
            )
        rows = (await session.execute(Customer.__table__.select().with_only_columns(Customer.id))).scalars().all()
        ids = sorted(rows)[-count:]
        for start in range(0, len(ids), 1000):
            await session.execute(
                insert(Event),
                [
                    {
                        "store_id": store_id,
                        "object_type": "customer",
                        "object_id": i,
                        "action": "created",
                        "payload": {},
                    }
                    for i in ids[start : start + 1000]
                ],
            )


def _event_ids(content: bytes) -> list[str]:
    root = etree.fromstring(content)
    return [str(node.text) for node in root.xpath("//*[local-name()='event']/*[local-name()='id']")]


class Erp:
    def __init__(self, client: TestClient, password: str) -> None:
        self.client, self.password = client, password

    def post(self, operation: str, inner: str) -> bytes:
        response = post_raw(self.client, envelope(operation, inner, username=USER, password=self.password))
        if response.status_code != 200:
            raise SystemExit(f"{operation} answered {response.status_code}: {response.text[:500]}")
        return bytes(response.content)

    def update(self, operation: str, inner: str) -> None:
        success, errors, _ = result_of(self.post(operation, inner))
        if not success:
            raise SystemExit(f"{operation} failed: {errors[:5]}")

    def page(self) -> list[str]:
        return _event_ids(self.post("events_Get", "<type>all</type>"))

    def drain(self) -> int:
        drained = 0
        while ids := self.page():
            self.update("events_Done", "".join(f"<event>{i}</event>" for i in ids))
            drained += len(ids)
        return drained


def _measure(url: str, products: int, events: int) -> dict[str, float]:
    database = Database.from_url(url)
    settings = Settings(
        database_url=url,
        renewal_seconds=0,
        session_purge_seconds=0,
        price_history_seconds=0,
        webhooks_deliver_seconds=0,
    )
    with TestClient(create_app(settings, database=database)) as client:
        assert client.portal is not None
        portal: Any = client.portal
        try:
            store_id, password = portal.call(lambda: _setup(database))
            erp = Erp(client, password)
            erp.update("sizes_Update", size_batch())
            samples = []
            for _ in range(30):
                started = time.perf_counter()
                erp.post("events_Get", "<type>invoice</type>")
                samples.append(time.perf_counter() - started)
            baseline = statistics.median(samples)
            body = product_batch(products)
            started = time.perf_counter()
            erp.update("products_Update", body)
            new_seconds = time.perf_counter() - started
            started = time.perf_counter()
            erp.update("products_Update", body)
            again_seconds = time.perf_counter() - started
            erp.drain()  # the push's own events (warehouse, sizes), untimed
            portal.call(lambda: _bulk_customer_events(database, store_id, events))
            started = time.perf_counter()
            drained = erp.drain()
            drain_seconds = time.perf_counter() - started
            if drained != events:
                raise SystemExit(f"drained {drained} events, expected {events}")
        finally:
            portal.call(database.dispose)
    return {
        "baseline: empty events_Get (ms)": round(baseline * 1000, 2),
        f"products_Update, {products} new products (s)": round(new_seconds, 2),
        "  per product (ms)": round(new_seconds / products * 1000, 1),
        "  x baseline": round(new_seconds / baseline, 1),
        f"products_Update, the same {products} again (s)": round(again_seconds, 2),
        "  per product again (ms)": round(again_seconds / products * 1000, 1),
        "  again x baseline": round(again_seconds / baseline, 1),
        f"drain {events} events in pages of 100 (s)": round(drain_seconds, 2),
        "  events/s": round(events / drain_seconds, 1),
        "  per page of 100 (get + done) x baseline": round(drain_seconds / (events / 100) / baseline, 1),
    }


def main() -> None:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    events = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    body_bytes = len(envelope("products_Update", product_batch(products), username=USER, password="x" * 43))
    notes: dict[str, object] = {"products x 3 variations x 5 sizes": products, "request bytes": body_bytes}
    harness.DATA.mkdir(exist_ok=True)
    sqlite_path = harness.DATA / f"soap_{uuid.uuid4().hex[:8]}.db"
    migrate.upgrade(f"sqlite:///{sqlite_path}")
    try:
        for key, value in _measure(f"sqlite:///{sqlite_path}", products, events).items():
            notes[f"SQLite: {key}"] = value
    finally:
        for suffix in ("", "-wal", "-shm"):
            sqlite_path.with_name(sqlite_path.name + suffix).unlink(missing_ok=True)
    name = f"oc_soap_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(harness.POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        pg_url = f"{harness.POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        migrate.upgrade(pg_url)
        for key, value in _measure(pg_url, products, events).items():
            notes[f"PostgreSQL: {key}"] = value
    finally:
        with psycopg.connect(harness.POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    harness.report("soap", [], notes)


if __name__ == "__main__":
    main()
