"""Stock changes: the ``stock`` events every change to a stock row writes, read back.

OpenCentra keeps no stock-change documents of its own: each change to a
stock row (a count, a delivery, an allocation, a shipment) appends a
``stock`` event to the outbox in the same transaction, and that event is
the change. ``StockChange`` is its read view: one size in one warehouse,
the row's figures after the change and what moved.

Which stock change made an allocation: an order allocation is made by
``allocate()`` in the same transaction that records the order line's
allocation, with the stock row locked (or guarded) until commit, so the
newest ``stock`` event of that row at that moment is the change that took
the units. ``orders.orders.add_allocation`` and ``insert_order`` store its
id on the ``OrderAllocation`` (``stock_change_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.events.models import Event
from opencentra.inventory.models import Stock
from opencentra.stores._db import DatabaseOrSession, unit_of_work

EVENT_OBJECT_TYPE = "stock"

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class StockChange:
    """One change to one stock row (Centra's stock change, which here always has one line)."""

    id: int
    created_at: datetime
    warehouse_id: int
    product_size_id: int
    # The row after the change; available (free to allocate) is physical less allocated.
    physical: int
    allocated: int
    available: int
    # What moved: units counted in (negative: out) and units allocated (negative: released).
    physical_delta: int
    allocated_delta: int
    # Why: "set", "adjust", "allocate", "release", "ship", "return", ...
    reason: str


@dataclass(frozen=True, slots=True)
class StockChangePage:
    changes: tuple[StockChange, ...]  # in id (time) order
    total: int  # every stock change the filter matches, whatever the window
    more: bool  # more lie beyond the limit: after the last, or (from_end) before the first


def stock_change_of(event: Event) -> StockChange:
    """The stock change an outbox ``stock`` event records."""
    payload = event.payload
    return StockChange(
        id=event.id,
        created_at=event.created_at,
        warehouse_id=int(payload.get("warehouse_id", 0)),
        product_size_id=int(payload.get("product_size_id", 0)),
        physical=int(payload.get("physical", 0)),
        allocated=int(payload.get("allocated", 0)),
        available=int(payload.get("available", 0)),
        physical_delta=int(payload.get("physical_delta", 0)),
        allocated_delta=int(payload.get("allocated_delta", 0)),
        reason=str(payload.get("reason", "")),
    )


async def stock_changes(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, StockChange]:
    """The stock changes among ``ids``; ids of other events, or of none, are absent."""
    wanted = sorted(set(ids))
    found: dict[int, StockChange] = {}
    async with unit_of_work(db, write=False) as session:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows = await session.scalars(
                select(Event).where(Event.object_type == EVENT_OBJECT_TYPE, Event.id.in_(chunk))
            )
            found.update((row.id, stock_change_of(row)) for row in rows)
    return found


async def stock_change_page(
    db: DatabaseOrSession,
    *,
    limit: int,
    warehouse_id: int | None = None,
    after_id: int | None = None,
    before_id: int | None = None,
    from_end: bool = False,
) -> StockChangePage:
    """Up to ``limit`` stock changes with ids between ``after_id`` and ``before_id`` (both
    exclusive), the first ones or, ``from_end``, the last ones; optionally of one warehouse."""
    base = select(Event).where(Event.object_type == EVENT_OBJECT_TYPE)
    if warehouse_id is not None:
        base = base.where(Event.object_id.in_(select(Stock.id).where(Stock.warehouse_id == warehouse_id)))
    window = base
    if after_id is not None:
        window = window.where(Event.id > after_id)
    if before_id is not None:
        window = window.where(Event.id < before_id)
    ordering = Event.id.desc() if from_end else Event.id.asc()
    async with unit_of_work(db, write=False) as session:
        rows = list((await session.scalars(window.order_by(ordering).limit(limit + 1))).all())
        total = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    more = len(rows) > limit
    rows = rows[:limit]
    if from_end:
        rows.reverse()
    return StockChangePage(changes=tuple(stock_change_of(row) for row in rows), total=total, more=more)


async def latest_stock_changes(session: AsyncSession, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The newest stock event id per (warehouse id, product size id) among ``keys``."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    statement = (
        select(Stock.warehouse_id, Stock.product_size_id, func.max(Event.id))
        .join(Event, (Event.object_type == EVENT_OBJECT_TYPE) & (Event.object_id == Stock.id))
        .where(tuple_(Stock.warehouse_id, Stock.product_size_id).in_(wanted))
        .group_by(Stock.warehouse_id, Stock.product_size_id)
    )
    return {(row[0], row[1]): int(row[2]) for row in (await session.execute(statement)).all()}
