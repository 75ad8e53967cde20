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
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, TimestampMixin, utcnow


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
