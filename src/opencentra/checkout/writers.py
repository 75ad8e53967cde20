"""Taking turns at SQLite's one write lock.

SQLite lets one transaction write at a time. Its busy handler retries at
random, so under load a waiting writer can starve past the busy timeout and
fail with "database is locked". Queueing this process's writers on an
``asyncio.Lock`` before ``BEGIN IMMEDIATE`` makes the wait first-come,
first-served. PostgreSQL needs nothing of the kind.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from opencentra.db.engine import Database

_locks: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def writer_turn(db: Database) -> AsyncIterator[None]:
    if not db.is_sqlite:
        yield
        return
    lock = _locks.setdefault(db, asyncio.Lock())
    async with lock:
        yield
