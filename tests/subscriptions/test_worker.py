"""``opencentra worker``: the background loops without HTTP, on many processes, stopping cleanly;
``serve --no-background`` (``OPENCENTRA_BACKGROUND=false``) serves without them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import ApiHarness
from tests.subscriptions.test_background_renewals import _due_contracts, _still_due
from tests.subscriptions.test_concurrent_renewals import _counts

from opencentra import app as app_module
from opencentra.app import create_app
from opencentra.cli import main
from opencentra.config import Settings, from_environment
from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.mail import RecordingMailer
from opencentra.subscriptions import renewals
from opencentra.worker import Loops, loop_names, run_worker, start_loops


def _renewals_only(database_url: str, renewal_seconds: float = 0.02) -> Settings:
    return Settings(
        database_url=database_url,
        renewal_seconds=renewal_seconds,
        session_purge_seconds=0,
        price_history_seconds=0,
        webhooks_deliver_seconds=0,
    )


# --- settings -----------------------------------------------------------------------------------


def test_background_setting_and_which_loops_a_worker_runs() -> None:
    assert Settings().background is True
    assert from_environment({"OPENCENTRA_BACKGROUND": "false"}).background is False
    with pytest.raises(ValidationFailed):
        from_environment({"OPENCENTRA_BACKGROUND": "sometimes"})
    off = Settings().without_background()
    assert (off.renewal_seconds, off.webhooks_deliver_seconds, off.session_purge_seconds) == (0, 0, 0)
    assert off.price_history_seconds == 0 and off.background is False
    assert loop_names(Settings()) == ["price history", "session purge", "subscription renewals", "webhook delivery"]
    assert loop_names(Settings(webhooks_deliver_seconds=0)) == [
        "price history",
        "session purge",
        "subscription renewals",
    ]
    assert loop_names(Settings().without_background()) == []


async def _lifespan_intervals(db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    seen: list[float] = []

    def recorded(db: Database, settings: Settings, **kwargs: Any) -> Loops:
        seen.append(settings.renewal_seconds)
        return Loops()

    monkeypatch.setattr(app_module, "start_loops", recorded)
    app = create_app(settings, database=db)
    async with app.router.lifespan_context(app):
        pass
    return seen


def test_an_app_without_background_starts_no_renewal_loop(
    api: ApiHarness, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _renewals_only(database_url, 5.0)
    assert api.call(_lifespan_intervals, settings, monkeypatch) == [5.0]
    off = replace(settings, background=False)
    assert api.call(_lifespan_intervals, off, monkeypatch) == [0]


def test_serve_no_background_tells_its_app_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from opencentra import cli

    monkeypatch.setattr(uvicorn, "run", lambda *_args, **_options: None)
    monkeypatch.setattr(cli, "_migrate", lambda _url: None)
    # serve sets these for its app processes; monkeypatch restores them afterwards (empty: unset).
    monkeypatch.setenv("OPENCENTRA_BACKGROUND", "")
    monkeypatch.setenv("OPENCENTRA_DATABASE_URL", "sqlite:///:memory:")
    main(["serve"])
    assert os.environ["OPENCENTRA_BACKGROUND"] == "" and from_environment().background is True
    main(["serve", "--no-background"])
    assert os.environ["OPENCENTRA_BACKGROUND"] == "false" and from_environment().background is False


def test_worker_with_every_loop_off_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("RENEWAL", "SESSION_PURGE", "PRICE_HISTORY", "WEBHOOKS_DELIVER"):
        monkeypatch.setenv(f"OPENCENTRA_{name}_SECONDS", "0")
    with pytest.raises(SystemExit) as exited:
        main(["worker", "--database", "sqlite:///:memory:"])
    assert exited.value.code == 1
    assert "every background loop is off" in capsys.readouterr().err


# --- two loops, one due set ---------------------------------------------------------------------


async def _two_workers_until_renewed(db: Database, database_url: str, expected: int) -> list[list[str]]:
    """Two workers, each with its own pool, on one database, until every due contract is renewed."""
    pools = [Database.from_url(database_url) for _ in range(2)]
    stop = asyncio.Event()
    try:
        workers = [
            asyncio.create_task(
                run_worker(_renewals_only(database_url), stop=stop, database=pool, mailer=RecordingMailer())
            )
            for pool in pools
        ]
        for _ in range(400):
            if (await _counts(db))[1] >= expected:
                break
            await asyncio.sleep(0.05)
        # A few more rounds of both loops: nothing more is made.
        await asyncio.sleep(0.2)
        stop.set()
        return list(await asyncio.gather(*workers))
    finally:
        for pool in pools:
            await pool.dispose()


def test_two_workers_renew_each_period_once(api: ApiHarness, database_url: str) -> None:
    contracts = 6
    _due_contracts(api, contracts)
    names = api.call(_two_workers_until_renewed, database_url, contracts)
    assert names == [["subscription renewals"], ["subscription renewals"]]
    orders, placed, distinct = api.call(_counts)
    assert (orders, placed, distinct) == (1 + contracts, contracts, contracts)
    assert api.call(_still_due) == 0


async def _stop_during_first(db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Ask the worker to stop (what its SIGTERM handler does) while it renews the first due contract."""
    original = renewals.renew_contract
    seen: list[int] = []
    loops = start_loops(db, _renewals_only(database_url, 0.01), mailer=RecordingMailer())
    stopper: list[asyncio.Task[None]] = []

    async def renew_and_get_stopped(*args: Any, **kwargs: Any) -> renewals.RenewalResult | None:
        if not stopper:
            stopper.append(asyncio.create_task(loops.stop()))
            await asyncio.sleep(0)  # the stop request lands while this contract is in hand
        result = await original(*args, **kwargs)
        seen.append(args[1])
        return result

    monkeypatch.setattr(renewals, "renew_contract", renew_and_get_stopped)
    (task,) = loops.tasks.values()
    await asyncio.wait_for(task, 30)
    await stopper[0]
    return {"seen": seen, "cancelled": task.cancelled()}


def test_stopping_a_worker_finishes_the_renewal_in_hand(
    api: ApiHarness, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _due_contracts(api, 3)
    outcome = api.call(_stop_during_first, database_url, monkeypatch)
    assert len(outcome["seen"]) == 1 and not outcome["cancelled"]
    assert api.call(_counts) == (2, 1, 1)
    assert api.call(_still_due) == 2


# --- two worker processes, stopped by SIGTERM -----------------------------------------------------


def _worker_process(database_url: str) -> subprocess.Popen[str]:
    code = "import sys; from opencentra.cli import main; main(sys.argv[1:])"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path.cwd() / "src"), os.environ.get("PYTHONPATH", "")]),
        "OPENCENTRA_RENEWAL_SECONDS": "0.1",
        "OPENCENTRA_SESSION_PURGE_SECONDS": "0",
        "OPENCENTRA_PRICE_HISTORY_SECONDS": "0",
        # An app server's setting: the worker runs its loops anyway.
        "OPENCENTRA_BACKGROUND": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-c", code, "worker", "--database", database_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_two_worker_processes_renew_once_and_stop_on_sigterm(api: ApiHarness, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the cross-process claim is tested on PostgreSQL (SQLite serialises writers anyway)")
    contracts = 8
    _due_contracts(api, contracts)
    workers = [_worker_process(database_url) for _ in range(2)]
    try:
        deadline = time.monotonic() + 90
        while api.call(_counts)[1] < contracts and time.monotonic() < deadline:
            assert all(worker.poll() is None for worker in workers), [w.communicate() for w in workers]
            time.sleep(0.1)
        time.sleep(0.3)  # more rounds of both: nothing more is made
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        answers = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert [worker.returncode for worker in workers] == [0, 0], answers
    assert all("worker stopped" in err for _out, err in answers), answers
    orders, placed, distinct = api.call(_counts)
    assert (orders, placed, distinct) == (1 + contracts, contracts, contracts)
    assert api.call(_still_due) == 0
