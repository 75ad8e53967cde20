"""Subscription plans, the displays that offer them, and which order lines were bought on one.

A plan is Centra's "subscription plan": a name, an interval (``intervalValue``
of ``intervalType``: day, week, month or year) and a discount in percent on
the items bought with it. A display offers the plans attached to it; a
selection line may carry one of those plans (``selection_lines.subscription_plan_id``).
An order line keeps a copy of the plan it was bought on, so a plan changed or
deleted later does not change what the order says.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.address import BillingAddressColumns, ShippingAddressColumns
from opencentra.db.base import Base, JSONDocument, TimestampMixin, enum_check, utcnow


class IntervalType(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class SubscriptionPlan(TimestampMixin, Base):
    __tablename__ = "subscription_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    interval_value: Mapped[int]
    interval_type: Mapped[str] = mapped_column(String(8))
    # Discount on items bought on this plan, in basis points (1000 = 10 %).
    discount_bp: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        CheckConstraint("interval_value > 0", name="interval_positive"),
        CheckConstraint("interval_type IN ('day', 'week', 'month', 'year')", name="interval_type"),
        CheckConstraint("discount_bp >= 0 AND discount_bp <= 10000", name="discount_range"),
    )


class DisplaySubscriptionPlan(Base):
    """A plan offered on a display (every item of the display may be bought on it)."""

    __tablename__ = "display_subscription_plans"

    display_id: Mapped[int] = mapped_column(ForeignKey("displays.id", ondelete="CASCADE"), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("subscription_plans.id", ondelete="CASCADE"), primary_key=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_display_subscription_plans_plan_id", "plan_id"),)


class OrderLineSubscription(Base):
    """The plan an order line was bought on, as it was then."""

    __tablename__ = "order_line_subscriptions"

    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("subscription_plans.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    interval_value: Mapped[int]
    interval_type: Mapped[str] = mapped_column(String(8))
    discount_bp: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- contracts, stored payment methods and renewals ----------------------------


class SubscriptionStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class SubscriptionPaymentStatus(enum.StrEnum):
    """Centra's "subscription payment" status: the last renewal charge went through, waits, or failed."""

    ACTIVE = "active"
    PENDING = "pending"
    FAILED = "failed"


class RenewalStatus(enum.StrEnum):
    # Claimed and priced; charged (or being charged) under ``attempt``'s idempotency key.
    PENDING = "pending"
    PLACED = "placed"
    # Given up: the subscriptions were paused after the last retry, or nothing could be ordered.
    FAILED = "failed"


class StoredPaymentMethod(TimestampMixin, Base):
    """A payment method the provider tokenised at a customer's first payment, charged again without them.

    ``token`` is the provider's recurring reference: it must be presented in
    clear to charge, so it cannot be hashed; it is never shown on any API.
    """

    __tablename__ = "stored_payment_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id", ondelete="SET NULL"))
    provider: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("provider", "token"),)


class SubscriptionContract(BillingAddressColumns, ShippingAddressColumns, TimestampMixin, Base):
    """What a registered customer agreed to at checkout: who pays, how, and where the goods go."""

    __tablename__ = "subscription_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    pricelist_id: Mapped[int] = mapped_column(ForeignKey("pricelists.id"))
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id"))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id", ondelete="SET NULL"))
    language_id: Mapped[int | None] = mapped_column(ForeignKey("languages.id", ondelete="SET NULL"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    stored_payment_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_payment_methods.id", ondelete="SET NULL")
    )
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id", ondelete="SET NULL"))
    shipping_method_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_methods.id", ondelete="SET NULL"))
    # The order the contract was bought with; UNIQUE, so placing it twice cannot make two contracts.
    origin_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), unique=True)
    # A renewal runner's claim (wall-clock time): others skip the contract until it passes.
    lease_until: Mapped[datetime | None]
    # What one order of the contract came to when it was made (the old Subscription API's ``amount``).
    amount_minor: Mapped[int] = mapped_column(default=0)
    shipping_minor: Mapped[int] = mapped_column(default=0)
    start_date: Mapped[date | None]
    # A contract started by the old Subscription API waits for its first payment here
    # (attempt reference, the provider's state, the amount); None once paid.
    pending_payment: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)


class ContractSubscription(TimestampMixin, Base):
    """One product (or bundle) line of a contract, ordered again every interval."""

    __tablename__ = "contract_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("subscription_contracts.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("subscription_plans.id", ondelete="SET NULL"))
    plan_name: Mapped[str] = mapped_column(String(255))
    interval_value: Mapped[int]
    interval_type: Mapped[str] = mapped_column(String(8))
    discount_bp: Mapped[int]
    quantity: Mapped[int]
    display_item_id: Mapped[int | None] = mapped_column(ForeignKey("display_items.id", ondelete="SET NULL"))
    product_size_id: Mapped[int | None] = mapped_column(ForeignKey("product_sizes.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=SubscriptionStatus.ACTIVE.value)
    payment_status: Mapped[str] = mapped_column(String(16), default=SubscriptionPaymentStatus.ACTIVE.value)
    next_order_date: Mapped[date]
    # Declined renewal charges in a row, and when the next try is due.
    failed_attempts: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("interval_value > 0", name="interval_positive"),
        CheckConstraint("interval_type IN ('day', 'week', 'month', 'year')", name="interval_type"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        enum_check("status", SubscriptionStatus),
        enum_check("payment_status", SubscriptionPaymentStatus),
        Index("ix_contract_subscriptions_due", "status", "next_order_date"),
    )


class SubscriptionRenewal(TimestampMixin, Base):
    """One period of a contract: at most one per (contract, period), so one order per period."""

    __tablename__ = "subscription_renewals"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("subscription_contracts.id", ondelete="CASCADE"))
    period: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default=RenewalStatus.PENDING.value)
    # Part of the charge's idempotency key; moves on only after a recorded decline.
    attempt: Mapped[int] = mapped_column(default=1)
    amount_minor: Mapped[int] = mapped_column(default=0)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    message: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (UniqueConstraint("contract_id", "period"), enum_check("status", RenewalStatus))
