"""One read transaction that the concurrent readers of one request take turns on.

A GraphQL request resolves its fields concurrently, and every field reads;
opening a transaction per field would cost a connection and a BEGIN each. So
the request keeps one read session, opened on first use, and hands it to one
reader at a time (an ``AsyncSession`` is not safe for concurrent use).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.engine import Database

logger = logging.getLogger(__name__)

ReadSession = AsyncSession
"""What a reader is handed: pass it to the domain's read views and queries (they join it)."""


class SharedRead:
    """A lazily opened read transaction on ``db``, lent to one reader at a time."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = asyncio.Lock()
        self._stack: AsyncExitStack | None = None
        self._session: AsyncSession | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[ReadSession]:
        """The read session, for one statement (or a few) at a time."""
        async with self._lock:
            if self._session is None:
                self._stack = AsyncExitStack()
                self._session = await self._stack.enter_async_context(self._db.read())
            yield self._session

    async def close(self) -> None:
        """End the read transaction; the next ``session()`` opens a new one.

        When a reader is cancelled in the middle of a statement (graphql-core
        cancels sibling resolvers when a field error nulls a non-null parent),
        the connection is invalid and ending the transaction fails. Nothing was
        written in it, so that failure is dropped (the pool discards the
        connection) rather than raised.
        """
        async with self._lock:
            stack, self._stack, self._session = self._stack, None, None
        if stack is not None:
            try:
                await stack.aclose()
            except (SQLAlchemyError, OSError):
                logger.debug("read transaction ended after a cancelled statement", exc_info=True)
