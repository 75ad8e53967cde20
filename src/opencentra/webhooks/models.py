"""Outbound webhook deliveries, their attempt log and each webhook plugin's signing key.

A delivery is one POST of at most 100 events to one plugin's URL; it is sent
until the receiver answers 2xx or its attempts run out. Each attempt is a row
in ``webhook_attempts`` (the delivery log). No secret is stored: the signing
key is derived from the server key and ``key_nonce`` (see ``signing``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, JSONDocument, enum_check, utcnow


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    # Refused as too large (HTTP 413): its events went on in two smaller deliveries.
    SPLIT = "split"


class WebhookEndpoint(Base):
    """Per webhook plugin: its signing key's nonce, and the row that serialises turning events into deliveries."""

    __tablename__ = "webhook_endpoints"

    plugin_id: Mapped[int] = mapped_column(ForeignKey("api_plugins.id", ondelete="CASCADE"), primary_key=True)
    # 32 random bytes (hex); NULL until a signing secret is issued. Not a secret on its own.
    key_nonce: Mapped[str | None] = mapped_column(String(64))
    key_prefix: Mapped[str | None] = mapped_column(String(8))
    key_issued_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        enum_check("status", DeliveryStatus),
        # The claim query: due pending deliveries, oldest first.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Sent as X-OpenCentra-Delivery-Id: the same on every attempt, so receivers can de-duplicate.
    delivery_id: Mapped[str] = mapped_column(String(32), unique=True)
    plugin_id: Mapped[int] = mapped_column(ForeignKey("api_plugins.id", ondelete="CASCADE"), index=True)
    event_ids: Mapped[list[int]] = mapped_column(JSONDocument, default=list)
    # The JSON document sent as the form field ``payload``.
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    # Claimed by one sender until then (a conditional UPDATE); a sender that dies loses it when it passes.
    lease_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(index=True)


class WebhookAttempt(Base):
    """One POST of a delivery: what was sent (no signature), the answer and how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_pk: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int]
    started_at: Mapped[datetime]
    duration_ms: Mapped[int]
    # The URL without its query string or credentials (either may carry a receiver's secret).
    url: Mapped[str] = mapped_column(String(2000))
    request_bytes: Mapped[int]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
