"""Two runner processes on the same due set: each period is ordered and charged exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.api.checkout.conftest import Browser, build_shop
from tests.conftest import ApiHarness
from tests.subscriptions.helpers import buy_on_plan, setup_plans

from opencentra import subscriptions
from opencentra.db.engine import Database
from opencentra.orders.models import Order
from opencentra.subscriptions.models import ContractSubscription, SubscriptionContract, SubscriptionRenewal

CONTRACTS = 12


async def _clone_contracts(db: Database, copies: int) -> str:
    """Copies of the one bought contract (another order each), all due on the same day."""
    async with db.write() as session:
        contract = await session.scalar(select(SubscriptionContract))
        sub = await session.scalar(select(ContractSubscription))
        assert contract is not None and sub is not None
        skip = {"id", "origin_order_id", "created_at", "updated_at"}
        for _ in range(copies):
            clone = SubscriptionContract(
                **{c.key: getattr(contract, c.key) for c in SubscriptionContract.__table__.columns if c.key not in skip}
            )
            session.add(clone)
            await session.flush()
            session.add(
                ContractSubscription(
                    **{
                        c.key: getattr(sub, c.key)
                        for c in ContractSubscription.__table__.columns
                        if c.key not in skip | {"contract_id"}
                    },
                    contract_id=clone.id,
                )
            )
        await session.flush()
        return str(sub.next_order_date.isoformat())


async def _counts(db: Database) -> tuple[int, int, int]:
    async with db.read() as session:
        orders = await session.scalar(select(func.count()).select_from(Order))
        placed = await session.scalar(
            select(func.count()).select_from(SubscriptionRenewal).where(SubscriptionRenewal.status == "placed")
        )
        distinct = await session.scalar(select(func.count(func.distinct(SubscriptionRenewal.order_id))))
        return int(orders or 0), int(placed or 0), int(distinct or 0)


def _runner(database_url: str, day: str) -> subprocess.Popen[str]:
    code = "import sys; from opencentra.cli import main; main(sys.argv[1:])"
    command = ["subscriptions", "run-due", "--now", f"{day}T12:00:00", "--json", "--database", database_url]
    return subprocess.Popen(
        [sys.executable, "-c", code, *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(Path.cwd() / "src"), os.environ.get("PYTHONPATH", "")])},
    )


@pytest.mark.slow
def test_two_runner_processes_order_each_period_once(api: ApiHarness, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the cross-process claim is tested on PostgreSQL (SQLite serialises writers anyway)")
    shop = api.call(build_shop, stock=1000)
    browser = Browser(api.client)
    ids = api.call(setup_plans, shop)
    assert buy_on_plan(browser, shop, ids["monthly"])["status"] == 200
    day = api.call(_clone_contracts, CONTRACTS - 1)
    runners = [_runner(database_url, day) for _ in range(2)]
    answers = [runner.communicate(timeout=120) for runner in runners]
    assert [runner.returncode for runner in runners] == [0, 0], answers
    placed = [json.loads(out)["placed"] for out, _err in answers]
    assert sum(placed) == CONTRACTS, answers
    orders, renewals, distinct = api.call(_counts)
    assert (orders, renewals, distinct) == (1 + CONTRACTS, CONTRACTS, CONTRACTS)
    # Run again for the same moment: nothing more.
    again = _runner(database_url, day).communicate(timeout=60)
    assert json.loads(again[0])["placed"] == 0
    assert api.call(_counts)[0] == 1 + CONTRACTS


async def _two_runners(db: Database, database_url: str, day: str) -> list[int]:
    """Two runners with their own connection pools, at once, on the same due set."""
    other = Database.from_url(database_url)
    moment = datetime.fromisoformat(f"{day}T12:00:00+00:00")
    try:
        runs = await asyncio.gather(
            subscriptions.run_due_renewals(db, moment), subscriptions.run_due_renewals(other, moment)
        )
    finally:
        await other.dispose()
    return [run.placed for run in runs]


def test_two_runners_in_one_process_order_each_period_once(api: ApiHarness, database_url: str) -> None:
    shop = api.call(build_shop, stock=1000)
    browser = Browser(api.client)
    ids = api.call(setup_plans, shop)
    assert buy_on_plan(browser, shop, ids["monthly"])["status"] == 200
    day = api.call(_clone_contracts, 7)
    placed = api.call(_two_runners, database_url, day)
    assert sum(placed) == 8
    assert api.call(_counts) == (9, 8, 8)
