"""How far each outbox consumer is behind: for the operators' metrics.

A consumer's position is the newest event it has finished (its receipts), or
where it started if it has finished none; its lag is the newest event's id
the number of events after that position. Ids are not dense (PostgreSQL
sequences skip on rollback, and a consumer registered on an empty outbox
starts at 0), so the lag is a count, not a difference of ids. Consumers keep
receipts rather than a cursor (events.services), so the lag counts events
newer than the newest finished one, including events of object types the
consumer does not listen to: a consumer that is keeping up shows a small lag
that falls back as it works.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from opencentra.db.engine import Database
from opencentra.events.models import Event, EventConsumer, EventReceipt


@dataclass(frozen=True)
class ConsumerLag:
    consumer: str
    position: int
    lag: int


async def consumer_lags(db: Database) -> list[ConsumerLag]:
    """Every consumer's position and lag, by name: one statement, then one count per consumer."""
    async with db.read() as session:
        finished = (
            select(EventReceipt.consumer_id, func.max(EventReceipt.event_id).label("last"))
            .group_by(EventReceipt.consumer_id)
            .subquery()
        )
        rows = await session.execute(
            select(EventConsumer.name, EventConsumer.since_event_id, finished.c.last)
            .outerjoin(finished, finished.c.consumer_id == EventConsumer.id)
            .order_by(EventConsumer.name)
        )
        lags = []
        for name, since, last in rows.all():
            position = max(since or 0, last or 0)
            # A range count on the primary key; consumers are few (one per integration).
            behind = await session.scalar(select(func.count()).select_from(Event).where(Event.id > position)) or 0
            lags.append(ConsumerLag(consumer=name, position=position, lag=int(behind)))
        return lags
