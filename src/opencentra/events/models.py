"""The outbox: every change to a domain object appends one ``events`` row.

Consumers (a SOAP user, a GraphQL integration, a webhook) each keep their own
receipts, so an event done for one consumer stays pending for the others.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, JSONDocument, utcnow

# JSONB on PostgreSQL (compact, indexable); plain JSON text on SQLite.


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable so global objects (currencies, products) can emit events too;
    # SET NULL keeps the history when a store is removed.
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="SET NULL"), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_events_object", "object_type", "object_id"),
        # Ids only grow, even after old events are pruned (SQLite would otherwise reuse the highest).
        {"sqlite_autoincrement": True},
    )


class EventConsumer(Base):
    __tablename__ = "event_consumers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "soap:<user>", "graphql:<integration>", "webhook:<id>"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Object types this consumer listens to; empty means all of them.
    object_types: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    # Events with an id at or below this were there before the consumer was
    # registered; it does not get that history unless asked for it.
    since_event_id: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the listeners last changed (Centra's EventListener.updatedAt); NULL: never since creation.
    listeners_updated_at: Mapped[datetime | None]


class EventReceipt(Base):
    __tablename__ = "event_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("event_consumers.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("consumer_id", "event_id"),)
