"""Selections (the open order, a.k.a. cart) and the shopper sessions that hold them.

A selection is addressed by a 32-hex uuid that the caller must know; a shopper
session by an opaque token of which only the SHA-256 is stored.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opencentra.address import BillingAddressColumns, ShippingAddressColumns
from opencentra.db.base import Base, TimestampMixin, utcnow

# Centra keeps anonymous selections for 30 days by default.
SESSION_LIFETIME = timedelta(days=30)

# JSONB on PostgreSQL; JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class SelectionStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


def _session_expiry() -> datetime:
    return utcnow() + SESSION_LIFETIME


class Selection(BillingAddressColumns, ShippingAddressColumns, TimestampMixin, Base):
    __tablename__ = "selections"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=SelectionStatus.OPEN)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    pricelist_id: Mapped[int] = mapped_column(ForeignKey("pricelists.id"))
    language_id: Mapped[int | None] = mapped_column(ForeignKey("languages.id", ondelete="SET NULL"))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id", ondelete="SET NULL"))
    # A state code of the selected country, when that country has states.
    state: Mapped[str | None] = mapped_column(String(100))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    shipping_method_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_methods.id", ondelete="SET NULL"))
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254))
    newsletter: Mapped[bool] = mapped_column(default=False)
    # "additionalNotes" in the Checkout API.
    comment: Mapped[str | None] = mapped_column(Text)

    lines: Mapped[list[SelectionLine]] = relationship(
        back_populates="selection", lazy="raise", order_by="SelectionLine.id", passive_deletes=True
    )
    vouchers: Mapped[list[SelectionVoucher]] = relationship(lazy="raise", passive_deletes=True)

    __table_args__ = (
        CheckConstraint("status IN ('open', 'completed', 'abandoned')", name="status"),
        # Cleanup of abandoned selections scans by status and age.
        Index("ix_selections_status_updated_at", "status", "updated_at"),
    )


class SelectionLine(Base):
    __tablename__ = "selection_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[str] = mapped_column(String(32), unique=True)
    display_item_id: Mapped[int] = mapped_column(ForeignKey("display_items.id"))
    product_size_id: Mapped[int] = mapped_column(ForeignKey("product_sizes.id"))
    quantity: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    # The subscription plan the line is bought on (opencentra.subscriptions); None for a one-off purchase.
    subscription_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription_plans.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Shop/Checkout API add-item extras, shown on the line: the page the item was added from
    # (``productUrl``) and plugin data (``additionalFields``).
    product_url: Mapped[str | None] = mapped_column(Text, default=None)
    additional_fields: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)

    selection: Mapped[Selection] = relationship(back_populates="lines", lazy="raise")

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class SelectionVoucher(Base):
    __tablename__ = "selection_vouchers"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"))
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("selection_id", "voucher_id"),)


class ShopperSession(Base):
    """A Checkout API session (the ``API-Token``); only the token's SHA-256 is stored."""

    __tablename__ = "shopper_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    selection_id: Mapped[int | None] = mapped_column(ForeignKey("selections.id", ondelete="SET NULL"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    # The shopper's choices; None falls back to geo-location or the store defaults.
    market_id: Mapped[int | None] = mapped_column(ForeignKey("markets.id", ondelete="SET NULL"))
    pricelist_id: Mapped[int | None] = mapped_column(ForeignKey("pricelists.id", ondelete="SET NULL"))
    language_id: Mapped[int | None] = mapped_column(ForeignKey("languages.id", ondelete="SET NULL"))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id", ondelete="SET NULL"))
    state: Mapped[str | None] = mapped_column(String(100))
    # The receipt (GET /receipt) shows the order this session just placed.
    last_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(default=_session_expiry, index=True)


class PaymentStatus(enum.StrEnum):
    STARTED = "started"
    AUTHORIZED = "authorized"
    DECLINED = "declined"


class SelectionPayment(Base):
    """One attempt to pay for a selection (POST /payment), until its result.

    ``reference`` is what the provider hands back on the return page; the
    amount and currency are those the shopper agreed to, so a selection that
    changed after the payment started is not turned into an order silently.
    """

    __tablename__ = "selection_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id", ondelete="SET NULL"))
    provider: Mapped[str] = mapped_column(String(32))
    amount_minor: Mapped[int]
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id"))
    status: Mapped[str] = mapped_column(String(16), default=PaymentStatus.STARTED)
    # The provider's own transaction id once it answered.
    provider_reference: Mapped[str | None] = mapped_column(String(200))
    # Whatever the provider keeps between start and verify (hashes, not secrets).
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    return_url: Mapped[str] = mapped_column(Text, default="")
    failed_url: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("status IN ('started', 'authorized', 'declined')", name="status"),
        CheckConstraint("amount_minor >= 0", name="amount_nonnegative"),
    )
