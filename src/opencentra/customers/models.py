"""Customers: keyed by email per store, with exactly one address (as in Centra).

A guest checkout creates a non-registered customer; registering later with the
same email upgrades that row, so the guest orders stay with the customer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, TimestampMixin


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    # Always stored lower-cased and stripped; see customers.services.normalize_email.
    email: Mapped[str] = mapped_column(String(254))
    # Argon2id PHC string; None for guests and anonymized customers.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # True means the customer can sign in.
    registered: Mapped[bool] = mapped_column(default=False)
    newsletter: Mapped[bool] = mapped_column(default=False)
    gender: Mapped[str | None] = mapped_column(String(16))
    language_id: Mapped[int | None] = mapped_column(ForeignKey("languages.id", ondelete="SET NULL"))
    anonymized_at: Mapped[datetime | None]

    # The one address, as the columns of Address (customers.address).
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    company: Mapped[str | None] = mapped_column(String(200))
    phone_number: Mapped[str | None] = mapped_column(String(50))
    address1: Mapped[str | None] = mapped_column(String(200))
    address2: Mapped[str | None] = mapped_column(String(200))
    zip_code: Mapped[str | None] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    vat_number: Mapped[str | None] = mapped_column(String(64))
    identity_number: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("store_id", "email"),
        # Order API lists customers by modification time (GET /customers?modified=).
        Index("ix_customers_updated_at", "updated_at"),
    )
