"""A consumer's pending events as read views, filtered per call by object type and store.

``services.pending`` filters by the consumer's registered listeners; Centra's
SOAP ``events_Get`` instead names the section in each call, so the same queue
is read with a different filter each time. Receipts are the same ones
``services.mark_done`` writes: a done event is never handed out again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select

from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.events.models import Event, EventConsumer, EventReceipt
from opencentra.events.services import MAX_BATCH, register_consumer


@dataclass(frozen=True, slots=True)
class PendingEvent:
    id: int
    object_type: str
    object_id: int
    action: str
    store_id: int | None
    created_at: datetime
    payload: dict[str, Any]


async def ensure_consumer(db: Database, name: str) -> None:
    """Register ``name`` listening to everything, unless it is registered (then nothing changes)."""
    async with db.read() as session:
        if await session.scalar(select(EventConsumer.id).where(EventConsumer.name == name)) is not None:
            return
    await register_consumer(db, name)


async def pending_events(
    db: Database,
    consumer: str,
    object_types: Sequence[str],
    *,
    store_id: int | None = None,
    after: int = 0,
    limit: int = MAX_BATCH,
) -> list[PendingEvent]:
    """The oldest events of ``object_types`` that ``consumer`` has not marked done, oldest first.

    With ``store_id``, only that store's events and those of no store (global
    objects); with ``after``, only events after that id (to read past a page a
    caller filtered further).
    """
    if limit < 1:
        raise ValidationFailed("limit must be at least 1", field="limit")
    async with db.read() as session:
        registered = await session.scalar(select(EventConsumer).where(EventConsumer.name == consumer))
        if registered is None:
            return []
        done = exists().where(EventReceipt.consumer_id == registered.id, EventReceipt.event_id == Event.id)
        start = max(registered.since_event_id, after)
        query = select(Event).where(Event.id > start, ~done, Event.object_type.in_(list(object_types)))
        if store_id is not None:
            query = query.where(or_(Event.store_id == store_id, Event.store_id.is_(None)))
        rows = await session.scalars(query.order_by(Event.id).limit(min(limit, MAX_BATCH)))
        return [
            PendingEvent(
                id=row.id,
                object_type=row.object_type,
                object_id=row.object_id,
                action=row.action,
                store_id=row.store_id,
                created_at=row.created_at,
                payload=dict(row.payload or {}),
            )
            for row in rows
        ]
