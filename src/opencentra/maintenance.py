"""Housekeeping: purging expired shopper sessions.

``opencentra.worker`` runs ``purge_all_expired_sessions`` every
``OPENCENTRA_SESSION_PURGE_SECONDS`` (default one hour), inside ``serve`` or
``opencentra worker``; ``opencentra purge-sessions`` does one full purge from
the command line (for cron, or with the interval set to 0). Several processes
purging at once is harmless: each deletes what is expired, in batches.
"""

from __future__ import annotations

from datetime import datetime

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.selection.services import purge_expired_sessions

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
