"""What every resolver of one request can reach: the caller, the database, the meters.

One read transaction serves all the reads of a request, shared by the
DataLoaders one at a time (``opencentra.db.shared_read``: a session is not
safe for concurrent use, and resolvers run concurrently). A mutation writes
through a domain service in its own transaction; afterwards ``after_write``
closes the read transaction and empties the loaders, so the payload is read
fresh (SQLite would otherwise keep showing the snapshot taken before the write).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opencentra.db.engine import Database
from opencentra.db.shared_read import ReadSession, SharedRead
from opencentra.integration import TokenView
from opencentra.ratelimit import Decision, RateLimitStore

if TYPE_CHECKING:
    from opencentra.api.graphql.loaders import Loaders


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
    extra: dict[str, Any] = field(default_factory=dict)
    _reads: SharedRead = field(init=False)

    def __post_init__(self) -> None:
        self._reads = SharedRead(self.db)

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
    async def read(self) -> AsyncIterator[ReadSession]:
        """The request's read session, for one statement (or a few) at a time."""
        async with self._reads.session() as session:
            yield session

    async def after_write(self) -> None:
        """Forget everything read so far: the next read sees the write."""
        await self.close()
        self._loaders = None

    async def close(self) -> None:
        """End the read transaction; a failure to end it after a cancelled statement is dropped,
        not turned into a 500 (``SharedRead.close``)."""
        await self._reads.close()
