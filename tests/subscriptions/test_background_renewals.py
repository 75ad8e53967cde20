"""Renewals inside ``serve``: the app's background loop, on many processes, stopping between contracts."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select, update
from tests.api.checkout.conftest import Browser, build_shop
from tests.conftest import ApiHarness
from tests.subscriptions.helpers import buy_on_plan, setup_plans
from tests.subscriptions.test_concurrent_renewals import _clone_contracts, _counts

from opencentra import app as app_module
from opencentra import worker
from opencentra.app import create_app
from opencentra.config import Settings, from_environment
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.mail import RecordingMailer
from opencentra.subscriptions import renewals
from opencentra.subscriptions.models import ContractSubscription


async def _all_due_today(db: Database) -> None:
    async with db.write() as session:
        await session.execute(update(ContractSubscription).values(next_order_date=utcnow().date()))


async def _still_due(db: Database) -> int:
    async with db.read() as session:
        query = select(func.count()).where(ContractSubscription.next_order_date <= utcnow().date())
        return int(await session.scalar(query) or 0)


def _due_contracts(api: ApiHarness, count: int) -> None:
    """``count`` contracts due today, with stock for all of them."""
    shop = api.call(build_shop, stock=1000)
    browser = Browser(api.client)
    ids = api.call(setup_plans, shop)
    assert buy_on_plan(browser, shop, ids["monthly"])["status"] == 200
    api.call(_clone_contracts, count - 1)
    api.call(_all_due_today)


def _settings(database_url: str, renewal_seconds: float) -> Settings:
    # Only the renewal loop runs, often; the other housekeeping is off.
    return Settings(
        database_url=database_url,
        renewal_seconds=renewal_seconds,
        session_purge_seconds=0,
        price_history_seconds=0,
        webhooks_deliver_seconds=0,
    )


async def _two_apps_until_renewed(db: Database, database_url: str, expected: int) -> None:
    """Two app instances, each with its own pool and its lifespan's renewal loop, on one database."""
    pools = [Database.from_url(database_url) for _ in range(2)]
    first, second = (create_app(_settings(database_url, 0.02), database=pool) for pool in pools)
    try:
        async with first.router.lifespan_context(first), second.router.lifespan_context(second):
            for _ in range(300):
                if (await _counts(db))[1] >= expected:
                    break
                await asyncio.sleep(0.05)
            # A few more rounds of both loops: nothing more is made.
            await asyncio.sleep(0.2)
    finally:
        for pool in pools:
            await pool.dispose()


def test_two_app_instances_renew_each_period_once(
    api: ApiHarness, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent claims across pools are tested on PostgreSQL")
    contracts = 6
    _due_contracts(api, contracts)
    # These two apps run the real loop (this package's conftest turns it off for the others).
    monkeypatch.setattr(app_module, "start_loops", worker.start_loops)
    api.call(_two_apps_until_renewed, database_url, contracts)
    orders, placed, distinct = api.call(_counts)
    assert (orders, placed, distinct) == (1 + contracts, contracts, contracts)
    assert api.call(_still_due) == 0


async def _stop_during_first(db: Database, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Ask the loop to stop (what SIGTERM does, through the server's lifespan) while it is
    renewing the first of several due contracts."""
    original = renewals.renew_contract
    seen: list[int] = []
    stopper: list[asyncio.Task[None]] = []

    async def renew_and_get_stopped(*args: Any, **kwargs: Any) -> renewals.RenewalResult | None:
        if not stopper:
            stopper.append(asyncio.create_task(loops.stop(grace_seconds=30)))
            await asyncio.sleep(0)  # the stop request lands while this contract is in hand
        result = await original(*args, **kwargs)
        seen.append(args[1])
        return result

    monkeypatch.setattr(renewals, "renew_contract", renew_and_get_stopped)
    only_renewals = Settings(session_purge_seconds=0, price_history_seconds=0, webhooks_deliver_seconds=0)
    loops = worker.start_loops(db, replace(only_renewals, renewal_seconds=0.01), mailer=RecordingMailer())
    task = loops.tasks["subscription renewals"]
    await asyncio.wait_for(asyncio.shield(task), 30)
    await stopper[0]
    return {"seen": seen, "cancelled": task.cancelled()}


def test_stopping_finishes_the_contract_in_hand_and_leaves_the_rest(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _due_contracts(api, 3)
    outcome = api.call(_stop_during_first, monkeypatch)
    # The first contract was charged and ordered; the loop ended by itself, not cancelled midway.
    assert len(outcome["seen"]) == 1 and not outcome["cancelled"]
    assert api.call(_counts) == (2, 1, 1)
    assert api.call(_still_due) == 2
    assert "subscription renewals" not in worker.loop_names(Settings(renewal_seconds=0))


def test_renewal_interval_setting() -> None:
    assert Settings().renewal_seconds == 60.0
    assert from_environment({"OPENCENTRA_RENEWAL_SECONDS": "0"}).renewal_seconds == 0
    with pytest.raises(ValidationFailed):
        from_environment({"OPENCENTRA_RENEWAL_SECONDS": "soon"})
    with pytest.raises(ValidationFailed):
        from_environment({"OPENCENTRA_RENEWAL_SECONDS": "-1"})
