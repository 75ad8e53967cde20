"""Wholesale terms: payment terms, shipping terms and sales representatives.

Centra keeps these as instance-wide lists that wholesale accounts pick from:
payment terms ("30 Net": pay within 30 days) and shipping terms ("Ex. Works")
each have a name, a description and a number of due days; a sales
representative has a name, an email and a commission (basis points, so
12.5 % is 1250). An account points at one of each, and carries its own
carrier details (the carrier and service it ships with, its account number
at the carrier and its tax id there).
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, TimestampMixin

__all__ = ["PaymentTerms", "SalesRepresentative", "ShippingTerms"]


class PaymentTerms(TimestampMixin, Base):
    __tablename__ = "wholesale_payment_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(1000), default="")
    due_days: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("due_days >= 0", name="due_days_nonnegative"),)


class ShippingTerms(TimestampMixin, Base):
    __tablename__ = "wholesale_shipping_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(1000), default="")
    due_days: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("due_days >= 0", name="due_days_nonnegative"),)


class SalesRepresentative(TimestampMixin, Base):
    __tablename__ = "wholesale_sales_representatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    commission_bp: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("commission_bp BETWEEN 0 AND 10000", name="commission_range"),)
