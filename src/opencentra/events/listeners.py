"""A consumer's listeners and the events they select, as read views (the GraphQL events system).

A GraphQL integration listens to object types and change types; each listener
becomes an ``EventSelection``: events of some object types whose action is one
of some actions, or any action but some (Centra's ``UPDATED`` is every change
without a type of its own). ``unconfirmed_events`` reads the oldest events any
of the selections picks that the consumer has not marked done (receipts are
those ``services.mark_done`` writes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.engine import Database
from opencentra.events.consumers import PendingEvent
from opencentra.events.models import Event, EventConsumer, EventReceipt
from opencentra.events.services import register_consumer, set_listeners


@dataclass(frozen=True, slots=True)
class ConsumerView:
    """An outbox consumer: what it listens to (empty: everything) and since when."""

    id: int
    name: str
    object_types: tuple[str, ...]
    since_event_id: int
    created_at: datetime
    listeners_updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class EventSelection:
    """Events of ``object_types`` whose action is in ``actions``, or (when ``any_action_except`` is
    given) whose action is not in it."""

    object_types: tuple[str, ...]
    actions: tuple[str, ...] = ()
    any_action_except: tuple[str, ...] | None = None

    def condition(self) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = []
        if self.actions:
            parts.append(Event.action.in_(self.actions))
        if self.any_action_except is not None:
            parts.append(Event.action.not_in(self.any_action_except))
        actions = or_(*parts) if parts else false()
        return and_(Event.object_type.in_(self.object_types), actions)


def _view(row: EventConsumer) -> ConsumerView:
    return ConsumerView(
        id=row.id,
        name=row.name,
        object_types=tuple(row.object_types),
        since_event_id=row.since_event_id,
        created_at=row.created_at,
        listeners_updated_at=row.listeners_updated_at,
    )


async def find_consumer(session: AsyncSession, name: str) -> ConsumerView | None:
    """The consumer registered as ``name``, read in the caller's session; None if there is none."""
    row = await session.scalar(select(EventConsumer).where(EventConsumer.name == name))
    return None if row is None else _view(row)


async def listen(db: Database, name: str, object_types: Iterable[str], *, registered: bool) -> ConsumerView:
    """Make ``name`` listen to ``object_types``: register it (new consumers start after the newest
    event) or, when it is ``registered``, replace its listeners."""
    if registered:
        return _view(await set_listeners(db, name, object_types))
    return _view(await register_consumer(db, name, object_types))


async def unconfirmed_events(
    session: AsyncSession,
    consumer: ConsumerView,
    selections: Sequence[EventSelection],
    *,
    store_id: int | None,
    limit: int,
) -> list[PendingEvent]:
    """The oldest events any selection picks that ``consumer`` has not marked done, oldest first;
    with ``store_id``, only that store's."""
    if not selections or limit < 1:
        return []
    done = exists().where(EventReceipt.consumer_id == consumer.id, EventReceipt.event_id == Event.id)
    statement = select(Event).where(
        Event.id > consumer.since_event_id, ~done, or_(*(selection.condition() for selection in selections))
    )
    if store_id is not None:
        statement = statement.where(Event.store_id == store_id)
    rows = await session.scalars(statement.order_by(Event.id).limit(limit))
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
