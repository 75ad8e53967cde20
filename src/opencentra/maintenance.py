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
from datetime import datetime

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.pricing.history import record_prices
from opencentra.selection.services import purge_expired_sessions

logger = logging.getLogger("opencentra.maintenance")

PURGE_BATCH = 10_000


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
