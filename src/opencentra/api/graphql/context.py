"""What every resolver of one request can reach: the caller, the database, the meters.

One read transaction serves all the reads of a request, shared by the
DataLoaders under a lock (an ``AsyncSession`` is not safe for concurrent
use, and resolvers run concurrently). A mutation writes through a domain
service in its own transaction; afterwards ``after_write`` closes the read
transaction and empties the loaders, so the payload is read fresh (SQLite
would otherwise keep showing the snapshot taken before the write).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.engine import Database
from opencentra.integration.services import TokenView
from opencentra.ratelimit import Decision, RateLimitStore

if TYPE_CHECKING:
    from opencentra.api.graphql.loaders import Loaders

logger = logging.getLogger(__name__)


def consumer_name(token: TokenView) -> str:
    """The events-system queue of a token: tokens with one integration name share it."""
    return f"graphql:{token.name}"


@dataclass
class GraphQLContext:
    """Per request. ``permissions_used`` and ``complexity`` end up in ``extensions``."""

    db: Database
    token: TokenView
    rate_limits: RateLimitStore
    rate_limit_key: str
    # As the client sent it: with several operations and none named, nothing runs.
    operation_name: str | None = None
    permissions_used: dict[str, None] = field(default_factory=dict)
    complexity: int = 0
    mutations: int = 0
    charged: bool = False
    executed: bool = False
    refused: Decision | None = None
    _loaders: Loaders | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _stack: AsyncExitStack | None = None
    _session: AsyncSession | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def consumer(self) -> str:
        return consumer_name(self.token)

    @property
    def store_id(self) -> int | None:
        """The one store a restricted token may see, or None for all."""
        return self.token.store_id

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            from opencentra.api.graphql.loaders import Loaders

            self._loaders = Loaders(self)
        return self._loaders

    def use(self, permission: str) -> bool:
        """Record that ``permission`` was needed; whether the token has it."""
        self.permissions_used.setdefault(permission, None)
        return permission in self.token.permissions

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """The request's read session, for one statement (or a few) at a time."""
        async with self._lock:
            if self._session is None:
                self._stack = AsyncExitStack()
                self._session = await self._stack.enter_async_context(self.db.read())
            yield self._session

    async def after_write(self) -> None:
        """Forget everything read so far: the next read sees the write."""
        await self.close()
        self._loaders = None

    async def close(self) -> None:
        """End the read transaction.

        When a field error nulls a non-null parent, graphql-core cancels the
        sibling resolvers, possibly in the middle of a statement; the
        connection is then invalid and ending the transaction fails. Nothing
        was written in it, so that failure is dropped (the pool discards the
        connection) rather than turned into a 500.
        """
        async with self._lock:
            stack, self._stack, self._session = self._stack, None, None
        if stack is not None:
            try:
                await stack.aclose()
            except (SQLAlchemyError, OSError):
                logger.debug("read transaction ended after a cancelled statement", exc_info=True)
