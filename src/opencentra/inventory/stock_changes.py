"""Which stock change made an allocation.

OpenCentra's stock changes are the ``stock`` events every change to a stock
row writes to the outbox (see ``inventory.services``). An order allocation
is made by ``allocate()`` in the same transaction that records the order
line's allocation, with the stock row locked (or guarded) until commit, so
the newest ``stock`` event of that row at that moment is the change that
took the units. ``orders.services.add_allocation`` and ``insert_order``
store its id on the ``OrderAllocation`` (``stock_change_id``).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.events.models import Event
from opencentra.inventory.models import Stock
from opencentra.inventory.services import EVENT_OBJECT_TYPE


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


async def stock_change_for_line(session: AsyncSession, order_line_id: int, warehouse_id: int) -> int | None:
    """The newest stock event of the row holding ``order_line_id``'s size in ``warehouse_id``."""
    from opencentra.orders.models import OrderLine  # orders imports inventory

    statement = (
        select(func.max(Event.id))
        .select_from(OrderLine)
        .join(Stock, (Stock.product_size_id == OrderLine.product_size_id) & (Stock.warehouse_id == warehouse_id))
        .join(Event, (Event.object_type == EVENT_OBJECT_TYPE) & (Event.object_id == Stock.id))
        .where(OrderLine.id == order_line_id)
    )
    found = await session.scalar(statement)
    return None if found is None else int(found)
