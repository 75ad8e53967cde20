"""Housekeeping the server runs by itself: purging expired shopper sessions and
recording the price history behind ``lowestPrice`` (``pricing.history``).

The app's lifespan starts ``run_session_purger`` as a background task every
``OPENCENTRA_SESSION_PURGE_SECONDS`` (default one hour); ``opencentra
purge-sessions`` does one full purge from the command line (for cron, or with
the interval set to 0). Several workers purging at once is harmless: each
deletes what is expired, in batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from opencentra import subscriptions, webhooks
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.mail import Mailer
from opencentra.pricing.history import record_prices
from opencentra.selection.services import purge_expired_sessions

logger = logging.getLogger("opencentra.maintenance")

PURGE_BATCH = 10_000
# How long a shutting-down server waits for the renewal in hand (a provider charge, then the order).
RENEWAL_STOP_GRACE = 30.0


async def purge_all_expired_sessions(db: Database, *, before: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Purge in batches (one transaction each) until nothing expired is left; the number removed."""
    cutoff = before or utcnow()
    total = 0
    while True:
        removed = await purge_expired_sessions(db, before=cutoff, limit=batch)
        total += removed
        if removed < batch:
            return total


async def _every(interval_seconds: float, what: str, job: Callable[[], Awaitable[int]]) -> None:
    """Run ``job`` every ``interval_seconds`` (the first time one interval after start-up, so a
    restart does not add load), until cancelled; a failed round is logged and retried."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            done = await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s failed; trying again in %s s", what, interval_seconds)
        else:
            if done:
                logger.info("%s: %d rows", what, done)


async def run_session_purger(db: Database, interval_seconds: float) -> None:
    await _every(interval_seconds, "purging expired shopper sessions", lambda: purge_all_expired_sessions(db))


def start_session_purger(db: Database, interval_seconds: float) -> asyncio.Task[None] | None:
    """The background task, or None when the interval is 0 (off)."""
    if interval_seconds <= 0:
        return None
    return asyncio.create_task(run_session_purger(db, interval_seconds), name="opencentra-session-purger")


def start_price_recorder(db: Database, interval_seconds: float) -> asyncio.Task[None] | None:
    """Record prices in force every interval (for ``lowestPrice``); None when the interval is 0 (off)."""
    if interval_seconds <= 0:
        return None
    return asyncio.create_task(
        _every(interval_seconds, "recording price history", lambda: record_prices(db)),
        name="opencentra-price-recorder",
    )


async def stop_session_purger(task: asyncio.Task[None] | None) -> None:
    """Cancel a background task started here (any of them) and wait for it."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


# --- outbound webhooks (opencentra.webhooks) ------------------------------------------------------


def start_webhook_sender(
    db: Database, interval_seconds: float, *, server_key: str | None, allow_private: bool
) -> asyncio.Task[None] | None:
    """Send due webhook deliveries every interval, off the request path; None when off (interval 0)
    or when no server key is set (nothing could be signed, so nothing would be sent)."""
    if interval_seconds <= 0 or not server_key:
        return None

    async def round_() -> int:
        result = await webhooks.deliver_due(db, server_key=server_key, allow_private=allow_private)
        return result.sent

    return asyncio.create_task(_every(interval_seconds, "delivering webhooks", round_), name="opencentra-webhooks")


# --- subscription renewals (opencentra.subscriptions) ---------------------------------------------


@dataclass(frozen=True)
class RenewalRunner:
    """The renewal loop's task and the flag that asks it to stop between two contracts."""

    task: asyncio.Task[None]
    stopping: asyncio.Event


async def _renew_every(db: Database, interval_seconds: float, mailer: Mailer, stopping: asyncio.Event) -> None:
    """Run every due renewal each interval until ``stopping`` is set. Many processes may run this at
    once: each contract is claimed by one of them (``subscriptions.renewals``)."""
    while not stopping.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), interval_seconds)
        if stopping.is_set():
            return
        try:
            run = await subscriptions.run_due_renewals(db, utcnow(), mailer=mailer, should_stop=stopping.is_set)
        except Exception:
            logger.exception("running due subscription renewals failed; trying again in %s s", interval_seconds)
        else:
            if run.results:
                counts = ", ".join(f"{run.count(kind)} {kind}" for kind in ("placed", "declined", "paused", "skipped"))
                logger.info("subscription renewals: %s", counts)


def start_renewal_runner(db: Database, interval_seconds: float, mailer: Mailer) -> RenewalRunner | None:
    """Make due renewal orders every interval; None when the interval is 0 (off: run
    ``opencentra subscriptions run-due`` from cron instead)."""
    if interval_seconds <= 0:
        return None
    stopping = asyncio.Event()
    task = asyncio.create_task(_renew_every(db, interval_seconds, mailer, stopping), name="opencentra-renewals")
    return RenewalRunner(task, stopping)


async def stop_renewal_runner(runner: RenewalRunner | None, *, grace_seconds: float = RENEWAL_STOP_GRACE) -> None:
    """Stop between two contracts: the one in hand is charged and ordered first. After the grace
    time the task is cancelled; even then nothing is lost or charged twice (the renewal stays
    pending and the next run asks the provider again with the same idempotency key)."""
    if runner is None:
        return
    runner.stopping.set()
    try:
        await asyncio.wait_for(asyncio.shield(runner.task), grace_seconds)
    except TimeoutError:
        runner.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner.task
