"""``opencentra worker``: the background loops without HTTP, for deployments with many app servers.

The loops are the ones ``serve`` runs in its lifespan: subscription renewals,
outbound webhook delivery, the expired-session purge and the price history.
Each runs every interval of its own setting (``OPENCENTRA_RENEWAL_SECONDS``,
``..._WEBHOOKS_DELIVER_SECONDS``, ``..._SESSION_PURGE_SECONDS``,
``..._PRICE_HISTORY_SECONDS``; 0 turns one off). App servers started with
``serve --no-background`` (or ``OPENCENTRA_BACKGROUND=false``) then only serve.

Any number of workers may run: renewals and webhook deliveries are claimed
row by row, so each is done once. Stopping (SIGTERM or SIGINT) is asked of
every loop between two units of work: a renewal finishes its charge and its
order, a webhook round its sends, a purge its batch. Only after
``STOP_GRACE`` seconds is a loop still busy cancelled, and even then nothing
is lost or charged twice (each unit is one transaction, or claimed with a
lease and an idempotency key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from opencentra import subscriptions, webhooks
from opencentra.config import Settings
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.mail import Mailer, mailer_for
from opencentra.maintenance import purge_all_expired_sessions
from opencentra.pricing.history import record_prices

logger = logging.getLogger("opencentra.worker")

# How long a stopping worker waits for the unit of work in hand (a provider charge, then the order);
# under the 30 s most orchestrators wait between SIGTERM and SIGKILL.
STOP_GRACE = 25.0

Job = Callable[[asyncio.Event], Awaitable[int]]


@dataclass
class Loops:
    """The running loops and the one flag that asks all of them to stop."""

    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return sorted(self.tasks)

    async def stop(self, *, grace_seconds: float = STOP_GRACE) -> None:
        """Ask every loop to stop after its unit in hand; cancel what is still busy after the grace time."""
        self.stopping.set()
        if not self.tasks:
            return
        _done, busy = await asyncio.wait(self.tasks.values(), timeout=grace_seconds)
        for task in busy:
            logger.warning("%s still busy after %s s: cancelled", task.get_name(), grace_seconds)
            task.cancel()
        for task in busy:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _rounds(name: str, interval_seconds: float, job: Job, stopping: asyncio.Event) -> None:
    """``job`` every ``interval_seconds`` (the first one interval after start) until ``stopping`` is
    set; it is only looked at between rounds, so a round in hand is finished. A failed round is logged."""
    while not stopping.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), interval_seconds)
        if stopping.is_set():
            return
        try:
            done = await job(stopping)
        except Exception:
            logger.exception("%s failed; trying again in %s s", name, interval_seconds)
        else:
            if done:
                logger.info("%s: %d", name, done)


def _intervals(settings: Settings) -> dict[str, float]:
    """Each loop's interval; a loop at 0 is off."""
    intervals = {
        "subscription renewals": settings.renewal_seconds,
        "session purge": settings.session_purge_seconds,
        "price history": settings.price_history_seconds,
        # Without the server key webhooks wait unsigned, but Shop API pushes still go (opencentra.webhooks).
        "webhook delivery": settings.webhooks_deliver_seconds,
    }
    return {name: interval for name, interval in intervals.items() if interval > 0}


def loop_names(settings: Settings) -> list[str]:
    """The loops a worker with these settings runs (none: it would have nothing to do)."""
    return sorted(_intervals(settings))


def _jobs(db: Database, settings: Settings, mailer: Mailer) -> dict[str, Job]:
    async def renew(stopping: asyncio.Event) -> int:
        run = await subscriptions.run_due_renewals(db, utcnow(), mailer=mailer, should_stop=stopping.is_set)
        return len(run.results)

    async def deliver(stopping: asyncio.Event) -> int:
        result = await webhooks.deliver_due(
            db,
            server_key=settings.webhooks_key,
            allow_private=settings.webhooks_allow_private,
            should_stop=stopping.is_set,
        )
        return result.sent

    async def purge(_stopping: asyncio.Event) -> int:
        return await purge_all_expired_sessions(db)

    async def prices(_stopping: asyncio.Event) -> int:
        return await record_prices(db)

    return {
        "subscription renewals": renew,
        "session purge": purge,
        "price history": prices,
        "webhook delivery": deliver,
    }


def start_loops(db: Database, settings: Settings, *, mailer: Mailer | None = None) -> Loops:
    """Start every loop whose interval is above 0, in the running event loop."""
    loops = Loops()
    jobs = _jobs(db, settings, mailer or mailer_for(settings.smtp_url))
    for name, interval in _intervals(settings).items():
        loops.tasks[name] = asyncio.create_task(
            _rounds(name, interval, jobs[name], loops.stopping), name=f"opencentra-worker: {name}"
        )
    return loops


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    database: Database | None = None,
    mailer: Mailer | None = None,
    grace_seconds: float = STOP_GRACE,
) -> list[str]:
    """Run the loops until ``stop`` is set, or SIGTERM or SIGINT arrives; the names of the loops run.

    ``database`` lets tests share a pool (it is then not disposed here)."""
    stop = stop or asyncio.Event()
    running = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            running.add_signal_handler(signum, stop.set)
            handled.append(signum)
    db = database or Database.from_url(settings.database_url)
    loops = start_loops(db, settings, mailer=mailer)
    logger.info("worker started: %s", ", ".join(loops.names) or "no loop")
    try:
        await stop.wait()
        logger.info("worker stopping after the work in hand")
    finally:
        await loops.stop(grace_seconds=grace_seconds)
        for signum in handled:
            running.remove_signal_handler(signum)
        if database is None:
            await db.dispose()
    logger.info("worker stopped")
    return loops.names
