"""Subscription renewals: renewal orders per second for N due contracts, next to plain order inserts.

One contract is bought through the Checkout API (a registered shopper, a tee on a monthly plan
with 10 % off, the test provider keeping the card), then copied to N contracts due on the same
day. Timed: ``subscriptions.run_due_renewals`` for that day, which per contract claims it,
prices the line and shipping at renewal time, checks stock, charges the stored card (the
in-process test provider) and places the order with its events. Baseline, same run and
database: N plain ``orders.insert_order`` calls, one transaction each, for the same order
lines (what a renewal costs beyond the order itself is the ratio). The setup reuses the
Checkout API tests' shop. ``python -m benchmarks.bench_subscriptions [contracts]``.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import datetime
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from tests.api.checkout.conftest import Browser, build_shop
from tests.subscriptions.helpers import at, buy_on_plan, setup_plans

from benchmarks import harness
from opencentra import subscriptions
from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db import migrate
from opencentra.db.engine import Database
from opencentra.orders import insert_order
from opencentra.subscriptions.models import ContractSubscription, SubscriptionContract
from opencentra.subscriptions.renewals import order_draft


async def _clone(db: Database, copies: int) -> datetime:
    """``copies`` more contracts like the bought one, all due on its next order date."""
    async with db.write() as session:
        contract = await session.scalar(select(SubscriptionContract))
        sub = await session.scalar(select(ContractSubscription))
        assert contract is not None
        assert sub is not None
        skip = {"id", "origin_order_id", "created_at", "updated_at"}
        contract_values = {
            c.key: getattr(contract, c.key) for c in SubscriptionContract.__table__.columns if c.key not in skip
        }
        sub_values = {
            c.key: getattr(sub, c.key)
            for c in ContractSubscription.__table__.columns
            if c.key not in skip | {"contract_id"}
        }
        for start in range(0, copies, 500):
            clones = [SubscriptionContract(**contract_values) for _ in range(min(500, copies - start))]
            session.add_all(clones)
            await session.flush()
            session.add_all([ContractSubscription(**sub_values, contract_id=c.id) for c in clones])
            await session.flush()
        return at(sub.next_order_date)


async def _analyze(db: Database) -> None:
    if not db.is_sqlite:
        async with db.engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()


async def _timed(db: Database, contracts: int, due: datetime) -> dict[str, float]:
    # Baseline first: the same order (priced once, outside the timing) inserted N times; each takes
    # the lines' stock like a renewal does (the shop has stock for both).
    async with db.read() as session:
        contract = await session.scalar(select(SubscriptionContract).order_by(SubscriptionContract.id))
        assert contract is not None
        due_subs = list(
            await session.scalars(select(ContractSubscription).where(ContractSubscription.contract_id == contract.id))
        )
        draft = await order_draft(session, contract, due_subs, due)
    await _analyze(db)
    started = time.perf_counter()
    for _ in range(contracts):
        async with db.write() as session:
            await insert_order(session, draft)
    baseline_seconds = time.perf_counter() - started
    started = time.perf_counter()
    run = await subscriptions.run_due_renewals(db, due)
    renewal_seconds = time.perf_counter() - started
    if run.placed != contracts:
        raise SystemExit(f"expected {contracts} renewals, got {[r.outcome for r in run.results][:10]}")
    renewals_per_second = contracts / renewal_seconds
    inserts_per_second = contracts / baseline_seconds
    return {
        "renewals/s": round(renewals_per_second, 1),
        "plain order inserts/s (baseline)": round(inserts_per_second, 1),
        "renewals as a share of inserts": round(renewals_per_second / inserts_per_second, 3),
    }


def _measure(url: str, contracts: int) -> dict[str, float]:
    database = Database.from_url(url)
    # No background work: the renewal loop would race the timed run.
    settings = Settings(
        database_url=url,
        renewal_seconds=0,
        session_purge_seconds=0,
        price_history_seconds=0,
        webhooks_deliver_seconds=0,
    )
    app = create_app(settings, database=database)
    with TestClient(app) as client:
        assert client.portal is not None
        portal: Any = client.portal
        try:
            shop = portal.call(lambda: build_shop(database, stock=4 * contracts + 100))
            plans = portal.call(lambda: setup_plans(database, shop))
            bought = buy_on_plan(Browser(client), shop, plans["monthly"])
            if bought["status"] != 200:
                raise SystemExit(f"the plan purchase failed: {bought}")
            due = portal.call(lambda: _clone(database, contracts - 1))
            return dict(portal.call(lambda: _timed(database, contracts, due)))
        finally:
            portal.call(database.dispose)


def main() -> None:
    contracts = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    notes: dict[str, object] = {"due contracts": contracts}
    harness.DATA.mkdir(exist_ok=True)
    sqlite_path = harness.DATA / f"subscriptions_{uuid.uuid4().hex[:8]}.db"
    sqlite_url = f"sqlite:///{sqlite_path}"
    migrate.upgrade(sqlite_url)
    try:
        for key, value in _measure(sqlite_url, contracts).items():
            notes[f"SQLite: {key}"] = value
    finally:
        for suffix in ("", "-wal", "-shm"):
            sqlite_path.with_name(sqlite_path.name + suffix).unlink(missing_ok=True)
    name = f"oc_subscriptions_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(harness.POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        pg_url = f"{harness.POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        migrate.upgrade(pg_url)
        for key, value in _measure(pg_url, contracts).items():
            notes[f"PostgreSQL: {key}"] = value
    finally:
        with psycopg.connect(harness.POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    harness.report("subscriptions", [], notes)


if __name__ == "__main__":
    main()
