"""Append an event inside the caller's transaction.

Writing the event in the same transaction as the change means a consumer can
never see an event for a change that rolled back, nor miss one that committed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.events.models import Event


async def record(
    session: AsyncSession,
    object_type: str,
    object_id: int,
    action: str,
    payload: dict[str, Any],
    store_id: int | None = None,
) -> Event:
    """Add one ``events`` row for a change; every change makes a new event."""
    event = Event(
        store_id=store_id,
        object_type=object_type,
        object_id=object_id,
        action=action,
        payload=dict(payload),
    )
    session.add(event)
    await session.flush()
    return event
