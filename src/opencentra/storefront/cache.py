"""Per-process caches of what every storefront request reads: reference data,
catalogue snapshots, stock, and (for the adapter) finished response bytes.

Freshness comes from the events outbox, which every catalogue and stock
change writes in its own transaction: at most every ``poll_seconds`` one
query reads the events that arrived since the last look. A catalogue event
retires the catalogue snapshots, a stock event the stock snapshots. So a
change made by any process, through any API, shows within ``poll_seconds``
(0 checks on every request), and an idle cache costs one small query per
interval rather than one per request.

Two details of reading an outbox by id: ids are handed out when a row is
inserted, not when its transaction commits, so the poll looks back a little
(``LOOKBACK``) and remembers which ids it has seen; and time-based changes
(a campaign that starts at midnight) write no event, so every snapshot also
has a maximum age.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.events.models import Event
from opencentra.storefront.catalog import CatalogSnapshot, StockSnapshot, build_catalog, build_stock, patch_stock
from opencentra.storefront.reference import StoreReference, load_reference

T = TypeVar("T")

# Outbox object types that never change what a shopper sees in the catalogue.
NOT_CATALOGUE = frozenset(
    {
        "order",
        "shipment",
        "return",
        "refund",
        "customer",
        "voucher",
        "newsletter_subscription",
        "back_in_stock_subscription",
        "wishlist",
        "integration",
        "payment",
        "selection",
        "event",
    }
)
STOCK = "stock"
BUNDLE = "bundle"
LOOKBACK = 200
POLL_BATCH = 2000
STOCK_LOG = 20_000
FREEZE_FROM = 2_000
# Beyond this many changed stock rows a snapshot is rebuilt rather than patched.
STOCK_PATCH_LIMIT = 2_000


# A database (a read transaction of its own) or the caller's open session:
# inside a transaction, always pass the session, so that a request never
# holds one pooled connection while waiting for a second one.
Source = Database | AsyncSession


@asynccontextmanager
async def holding_connection(source: Source) -> AsyncIterator[AsyncSession]:
    """A session that already holds its pooled connection.

    Taken before waiting on any of the cache's locks: a lock holder that
    still had to check out a connection could wait forever behind waiters
    that hold every connection of the pool.
    """
    if isinstance(source, AsyncSession):
        await source.connection()
        yield source
        return
    async with source.read() as session:
        await session.connection()
        yield session


class _Entry(Generic[T]):
    __slots__ = ("built", "value", "version")

    def __init__(self, value: T, version: int, built: float) -> None:
        self.value = value
        self.version = version
        self.built = built


class CheckoutCache:
    """One per app: snapshots keyed by store/market/pricelist, checked against the outbox."""

    def __init__(
        self,
        *,
        poll_seconds: float = 0.5,
        reference_seconds: float = 5.0,
        max_age_seconds: float = 3600.0,
        max_responses: int = 2048,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.poll_seconds = poll_seconds
        self.reference_seconds = reference_seconds
        self.max_age_seconds = max_age_seconds
        self.max_responses = max_responses
        self._clock = clock
        self.catalogue_version = 0
        # Stock: every stock event seen is appended to a bounded log of stock row
        # ids; ``stock_version`` counts them, so a snapshot built at version v
        # is brought up to date by reading just the rows logged after v.
        self.stock_version = 0
        self._stock_log: list[int] = []
        self._stock_log_start = 0
        self._polled_at: float | None = None
        self._floor: int | None = None
        self._seen: set[int] = set()
        self._polling = False
        self._references: dict[int, _Entry[StoreReference]] = {}
        self._catalogues: dict[tuple[int, int, int], _Entry[CatalogSnapshot]] = {}
        self._stock: dict[int, _Entry[StockSnapshot]] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._responses: OrderedDict[Hashable, Any] = OrderedDict()
        # token hash -> (session values, when read), for catalogue reads only.
        self._sessions: dict[str, tuple[Any, float]] = {}
        self._memo: dict[Hashable, _Entry[Any]] = {}

    # --- freshness ------------------------------------------------------------------------

    async def refresh(self, db: Source) -> None:
        """Read new outbox events if the last look is older than ``poll_seconds``."""
        if not self._poll_due() or self._polling:
            # Someone is looking right now: go on with what is known rather
            # than have every concurrent request open a connection to wait.
            return
        self._polling = True
        try:
            async with holding_connection(db) as session:
                await self._poll(session)
                self._polled_at = self._clock()
        finally:
            self._polling = False

    def _poll_due(self) -> bool:
        return self._polled_at is None or self._clock() - self._polled_at >= self.poll_seconds

    async def _poll(self, session: AsyncSession) -> None:
        if self._floor is None:
            latest = await session.scalar(select(func.max(Event.id)))
            self._floor = max(int(latest or 0) - LOOKBACK, 0)
            seen = await session.scalars(select(Event.id).where(Event.id > self._floor))
            self._seen = set(seen)
            return
        rows = (
            await session.execute(
                select(Event.id, Event.object_type, Event.object_id)
                .where(Event.id > self._floor)
                .order_by(Event.id)
                .limit(POLL_BATCH)
            )
        ).all()
        catalogue = False
        for event_id, object_type, object_id in rows:
            if event_id in self._seen:
                continue
            self._seen.add(event_id)
            if object_type == STOCK:
                self._log_stock(object_id)
            elif object_type == BUNDLE:
                # Which sizes are bundles, and what they are made of, decides their stock too.
                self._forget_stock_log()
                catalogue = True
            elif object_type not in NOT_CATALOGUE:
                catalogue = True
        if len(rows) == POLL_BATCH:
            # Too much happened to follow row by row: everything is rebuilt.
            catalogue = True
            self._forget_stock_log()
        if catalogue:
            self.catalogue_version += 1
        if rows:
            newest = rows[-1][0]
            self._floor = max(self._floor, newest - LOOKBACK)
            floor = self._floor
            self._seen = {event_id for event_id in self._seen if event_id > floor}

    def _log_stock(self, stock_row_id: int) -> None:
        self._stock_log.append(stock_row_id)
        self.stock_version += 1
        if len(self._stock_log) > STOCK_LOG:
            drop = len(self._stock_log) - STOCK_LOG // 2
            del self._stock_log[:drop]
            self._stock_log_start += drop

    def _forget_stock_log(self) -> None:
        self.stock_version += 1
        self._stock_log_start = self.stock_version
        self._stock_log = []

    def _stock_changes(self, since: int) -> set[int] | None:
        """Stock rows changed after version ``since``; None when the log no longer reaches back."""
        if since < self._stock_log_start:
            return None
        return set(self._stock_log[since - self._stock_log_start :])

    # --- snapshots ------------------------------------------------------------------------

    def _fresh(self, entry: _Entry[T] | None, version: int, max_age: float) -> bool:
        if entry is None or entry.version != version or self._clock() - entry.built >= max_age:
            return False
        valid_until = getattr(entry.value, "valid_until", None)
        return valid_until is None or utcnow() < valid_until

    async def _get(
        self,
        db: Source,
        store: dict[Any, _Entry[T]],
        key: Hashable,
        version: int,
        max_age: float,
        build: Callable[[AsyncSession], Awaitable[T]],
    ) -> T:
        entry = store.get(key)
        if entry is not None and self._fresh(entry, version, max_age):
            return entry.value
        lock = self._locks.setdefault(("build", key), asyncio.Lock())
        if entry is not None and lock.locked():
            # Being rebuilt: the previous value serves meanwhile.
            return entry.value
        async with holding_connection(db) as session, lock:
            entry = store.get(key)
            if entry is not None and self._fresh(entry, version, max_age):
                return entry.value
            started = self._clock()
            value = await build(session)
            store[key] = _Entry(value, version, started)
            return value

    async def reference(self, db: Source, store_id: int) -> StoreReference:
        async def build(session: AsyncSession) -> StoreReference:
            return await load_reference(session, store_id)

        return await self._get(db, self._references, store_id, 0, self.reference_seconds, build)

    async def catalogue(self, db: Source, store_id: int, market_id: int, pricelist_id: int) -> CatalogSnapshot:
        await self.refresh(db)

        async def build(session: AsyncSession) -> CatalogSnapshot:
            return await build_catalog(session, store_id, market_id, pricelist_id)

        key = (store_id, market_id, pricelist_id)
        before = self._catalogues.get(key)
        snapshot = await self._get(db, self._catalogues, key, self.catalogue_version, self.max_age_seconds, build)
        if (before is None or snapshot is not before.value) and len(snapshot.products) >= FREEZE_FROM:
            # A big snapshot is hundreds of thousands of long-lived objects;
            # left to the cyclic collector, every full collection walks them
            # all. Frozen, they are skipped (garbage cycles alive at this
            # moment are kept too, which is why small catalogues skip this).
            gc.freeze()
        return snapshot

    async def stock(self, db: Source, market_id: int) -> StockSnapshot:
        """Free units per size in the market; after stock events only the changed rows are read."""
        await self.refresh(db)
        version = self.stock_version
        entry = self._stock.get(market_id)
        if entry is not None and entry.version == version and self._clock() - entry.built < self.max_age_seconds:
            return entry.value
        lock = self._locks.setdefault(("stock", market_id), asyncio.Lock())
        if entry is not None and lock.locked():
            return entry.value
        async with holding_connection(db) as session, lock:
            version = self.stock_version
            entry = self._stock.get(market_id)
            if entry is not None and entry.version == version and self._clock() - entry.built < self.max_age_seconds:
                return entry.value
            changes = self._stock_changes(entry.version) if entry is not None else None
            if entry is not None and changes is not None and len(changes) <= STOCK_PATCH_LIMIT:
                value = await patch_stock(session, entry.value, changes)
                self._stock[market_id] = _Entry(value, version, entry.built)
            else:
                value = await build_stock(session, market_id)
                self._stock[market_id] = _Entry(value, version, self._clock())
            return value

    def forget_reference(self, store_id: int) -> None:
        self._references.pop(store_id, None)

    async def remember(self, key: Hashable, build: Callable[[], Awaitable[T]]) -> T:
        """A reference-like value (payment methods of a market, shipping options,
        tax rates) kept as long as reference data; for showing, never for charging."""
        entry = self._memo.get(key)
        if entry is not None and self._clock() - entry.built < self.reference_seconds:
            found: T = entry.value
            return found
        started = self._clock()
        value = await build()
        if len(self._memo) > 10_000:
            self._memo.clear()
        self._memo[key] = _Entry(value, 0, started)
        return value

    # --- finished responses ---------------------------------------------------------------

    def response(self, key: Hashable) -> Any | None:
        """Bytes stored under ``key`` (which must include every version it depends on)."""
        found = self._responses.get(key)
        if found is not None:
            self._responses.move_to_end(key)
        return found

    def keep_response(self, key: Hashable, body: Any) -> None:
        self._responses[key] = body
        self._responses.move_to_end(key)
        while len(self._responses) > self.max_responses:
            self._responses.popitem(last=False)

    # --- sessions, for catalogue reads ----------------------------------------------------

    def session(self, key: str) -> Any | None:
        """A session's location as read at most ``poll_seconds`` ago.

        Only catalogue answers use it: a country change made by another
        process shows in product listings within that interval, like any
        other change; carts and checkouts always read the session itself.
        """
        found = self._sessions.get(key)
        if found is None or self._clock() - found[1] >= self.poll_seconds:
            return None
        return found[0]

    def keep_session(self, key: str, value: Any) -> None:
        if len(self._sessions) >= 50_000:
            self._sessions.clear()
        self._sessions[key] = (value, self._clock())

    def forget_session(self, key: str) -> None:
        self._sessions.pop(key, None)

    def versions(self) -> tuple[int, int]:
        return self.catalogue_version, self.stock_version
