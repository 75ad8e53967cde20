"""Customers: keyed by email per store, with exactly one address (as in Centra).

A guest checkout creates a non-registered customer; registering later with the
same email upgrades that row, so the guest orders stay with the customer. The
account shows them only once the email is verified (``customers.verification``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, TimestampMixin, utcnow


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
    # When the owner of ``email`` proved it (a verification or reset link); None
    # again after an email change. The account shows its guest orders placed
    # with ``email`` only once it is set (customers.verification).
    email_verified_at: Mapped[datetime | None]

    # The one address, as the columns of Address (opencentra.address).
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


class PasswordReset(Base):
    """A pending password reset; the emailed link carries ``id`` and the token.

    Only the token's SHA-256 is stored; a reset is used once and expires.
    """

    __tablename__ = "customer_password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailVerification(Base):
    """A pending email verification; the emailed link carries ``id`` and the code.

    Only the code's SHA-256 is stored. ``email`` is the address it was sent
    to: the link verifies nothing once the customer's email has changed.
    """

    __tablename__ = "customer_email_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NewsletterSubscription(Base):
    """An email that asked for the newsletter, registered customer or not."""

    __tablename__ = "newsletter_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(16))
    # The product or item the shopper was looking at when subscribing, if any.
    display_item_id: Mapped[int | None] = mapped_column(ForeignKey("display_items.id", ondelete="SET NULL"))
    product_size_id: Mapped[int | None] = mapped_column(ForeignKey("product_sizes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("store_id", "email"),)


class BackInStockSubscription(Base):
    """Tell this email when the item can be bought again in ``country``."""

    __tablename__ = "back_in_stock_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    display_item_id: Mapped[int] = mapped_column(ForeignKey("display_items.id", ondelete="CASCADE"))
    product_size_id: Mapped[int] = mapped_column(ForeignKey("product_sizes.id", ondelete="CASCADE"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    state: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the notification went out; a new subscription may follow.
    notified_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("store_id", "email", "product_size_id", "country"),)


class WishlistItem(Base):
    """A display item on the customer's one wishlist (Centra's wishlist 0)."""

    __tablename__ = "wishlist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    display_item_id: Mapped[int] = mapped_column(ForeignKey("display_items.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("customer_id", "display_item_id"),)


class CustomerConsent(TimestampMixin, Base):
    """One consent the customer gave or refused, by the merchant's ``key`` (e.g. "newsletter_terms").

    ``name``, ``text``, ``version`` and ``language`` say what was agreed to;
    an integration may give a key the store has never seen, and it is kept.
    """

    __tablename__ = "customer_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    consented: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[str] = mapped_column(String(32), default="")
    language: Mapped[str] = mapped_column(String(16), default="")

    __table_args__ = (UniqueConstraint("customer_id", "key"),)
