"""The newest outbox events, for the operators' page: what happened last, newest first, one keyset page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.events.models import Event

MAX_RECENT = 500


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    store_id: int | None
    object_type: str
    object_id: int
    action: str
    payload: dict[str, Any]
    created_at: datetime


async def recent_events(db: Database, *, before: int | None = None, limit: int = 50) -> list[EventView]:
    """Up to ``limit`` events with an id below ``before`` (None: the newest), newest first."""
    if not 1 <= limit <= MAX_RECENT:
        raise ValidationFailed(f"limit is 1 to {MAX_RECENT}", field="limit")
    statement = select(Event)
    if before is not None:
        statement = statement.where(Event.id < before)
    async with db.read() as session:
        rows = await session.scalars(statement.order_by(Event.id.desc()).limit(limit))
        return [
            EventView(r.id, r.store_id, r.object_type, r.object_id, r.action, dict(r.payload or {}), r.created_at)
            for r in rows
        ]
