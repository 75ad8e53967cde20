"""Returns read by id in batches, as the frozen ``ReturnView`` of ``orders.lookups``.

An event names a return by its id alone (the outbox's ``object_id``); a
request's dataloader reads every such return at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.orders.lookups import ReturnView, return_view
from opencentra.orders.models import Return

# Keep each IN (...) list well below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 900


async def returns_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, ReturnView]:
    wanted = list(dict.fromkeys(ids))
    found: dict[int, ReturnView] = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in await session.scalars(select(Return).where(Return.id.in_(wanted[start : start + _CHUNK]))):
            found[row.id] = return_view(row)
    return found
