"""Consumers of the outbox: register, listen, fetch what is pending, mark done.

Each consumer keeps its own receipts, one per event it has finished. That is
what makes "done for one consumer, still pending for the others" and "a done
event is never handed out again" hold, and it does not depend on event ids
committing in order (a PostgreSQL sequence hands out ids before commit, so a
plain "last seen id" cursor could skip an event that commits late).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.models import Event, EventConsumer, EventReceipt

# Centra's SOAP events_Get and webhooks hand out at most 100 events per call.
MAX_BATCH = 100


def _clean_types(object_types: Iterable[str]) -> list[str]:
    cleaned = sorted({t.strip() for t in object_types if t.strip()})
    for t in cleaned:
        if len(t) > 64:
            raise ValidationFailed(f"object type {t[:20]!r}... is too long", field="object_types")
    return cleaned


async def _consumer(session: AsyncSession, name: str) -> EventConsumer:
    consumer = await session.scalar(select(EventConsumer).where(EventConsumer.name == name))
    if consumer is None:
        raise NotFound(f"event consumer {name!r} is not registered", field="consumer")
    return consumer


async def register_consumer(
    db: Database, name: str, object_types: Iterable[str] = (), *, include_history: bool = False
) -> EventConsumer:
    """Register ``name`` (idempotent) listening to ``object_types`` (empty: all).

    A new consumer starts after the newest event, unless ``include_history``.
    Registering again keeps its position and receipts and replaces the listeners.
    """
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("a consumer name is 1 to 200 characters", field="name")
    types = _clean_types(object_types)
    async with db.write() as session:
        consumer = await session.scalar(select(EventConsumer).where(EventConsumer.name == name))
        if consumer is None:
            since = 0 if include_history else (await session.scalar(select(func.max(Event.id))) or 0)
            try:
                async with session.begin_nested():
                    consumer = EventConsumer(name=name, object_types=types, since_event_id=since)
                    session.add(consumer)
                    await session.flush()
                return consumer
            except IntegrityError:
                # Registered concurrently under the same name: use that one.
                consumer = await _consumer(session, name)
        if consumer.object_types != types:
            consumer.listeners_updated_at = utcnow()
        consumer.object_types = types
        await session.flush()
        return consumer


async def set_listeners(db: Database, name: str, object_types: Iterable[str]) -> EventConsumer:
    """Replace the object types ``name`` listens to (empty: all)."""
    types = _clean_types(object_types)
    async with db.write() as session:
        consumer = await _consumer(session, name)
        if consumer.object_types != types:
            consumer.listeners_updated_at = utcnow()
        consumer.object_types = types
        await session.flush()
        return consumer


async def pending(db: Database, consumer: str, limit: int = MAX_BATCH) -> list[Event]:
    """The oldest events ``consumer`` has not marked done, oldest first."""
    if limit < 1:
        raise ValidationFailed("limit must be at least 1", field="limit")
    async with db.read() as session:
        registered = await _consumer(session, consumer)
        done = exists().where(EventReceipt.consumer_id == registered.id, EventReceipt.event_id == Event.id)
        query = select(Event).where(Event.id > registered.since_event_id, ~done)
        if registered.object_types:
            query = query.where(Event.object_type.in_(registered.object_types))
        events = await session.scalars(query.order_by(Event.id).limit(min(limit, MAX_BATCH)))
        return list(events)


async def mark_done(db: Database, consumer: str, event_ids: Iterable[int]) -> int:
    """Mark events done for ``consumer``; returns how many were newly marked.

    Idempotent and safe to run concurrently: a receipt that already exists is
    left alone. Ids of events that do not exist are ignored, as are events of
    types the consumer does not listen to (marking those is harmless).
    """
    ids = sorted({int(i) for i in event_ids})
    if not ids:
        return 0
    async with db.write() as session:
        registered = await _consumer(session, consumer)
        existing: Sequence[int] = (await session.scalars(select(Event.id).where(Event.id.in_(ids)))).all()
        if not existing:
            return 0
        now = utcnow()
        rows = [{"consumer_id": registered.id, "event_id": event_id, "done_at": now} for event_id in existing]
        conflict = ["consumer_id", "event_id"]
        # RETURNING lists only the rows inserted, which rowcount does not do reliably on every driver.
        statement: Executable
        if db.is_sqlite:
            statement = (
                sqlite_insert(EventReceipt)
                .values(rows)
                .on_conflict_do_nothing(index_elements=conflict)
                .returning(EventReceipt.event_id)
            )
        else:
            statement = (
                pg_insert(EventReceipt)
                .values(rows)
                .on_conflict_do_nothing(index_elements=conflict)
                .returning(EventReceipt.event_id)
            )
        inserted = (await session.execute(statement)).all()
        return len(inserted)
