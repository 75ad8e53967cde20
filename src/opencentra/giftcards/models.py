"""Gift certificates as Centra models them.

A certificate is either ``predeterminedAmount`` (fixed amounts per currency,
``gift_certificate_amounts``) or ``anyAmount`` (the shopper names the amount).
Buying one puts it in the selection as its only line
(``selection_gift_certificates``); placing the order issues a credit voucher
for the amount (``issued_gift_certificates``), whose code the buyer redeems
with POST /vouchers like any other.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, TimestampMixin, utcnow


class GiftCertificateType(enum.StrEnum):
    PREDETERMINED = "predeterminedAmount"
    ANY = "anyAmount"


class GiftCertificate(TimestampMixin, Base):
    __tablename__ = "gift_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    # The API id ("gift-1"), unique per store.
    uri: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(24))
    # Redeemable only in the currency it was bought in.
    currency_of_sale_only: Mapped[bool] = mapped_column(default=True)
    show_gift_amount: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        UniqueConstraint("store_id", "uri"),
        CheckConstraint("type IN ('predeterminedAmount', 'anyAmount')", name="type"),
    )


class GiftCertificateAmount(Base):
    """A predetermined certificate's amount in one currency."""

    __tablename__ = "gift_certificate_amounts"

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("gift_certificates.id", ondelete="CASCADE"), primary_key=True
    )
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id"), primary_key=True)
    amount_minor: Mapped[int]

    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)


class SelectionGiftCertificate(Base):
    """The certificate a selection is buying (at most one; then the selection has no other lines)."""

    __tablename__ = "selection_gift_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"), unique=True)
    line_id: Mapped[str] = mapped_column(String(32), unique=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("gift_certificates.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int]
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)


class IssuedGiftCertificate(Base):
    """A certificate an order bought: the credit voucher made for it."""

    __tablename__ = "issued_gift_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("gift_certificates.id", ondelete="SET NULL"), index=True
    )
    voucher_id: Mapped[int | None] = mapped_column(ForeignKey("vouchers.id", ondelete="SET NULL"), index=True)
    amount_minor: Mapped[int]
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the code was emailed to the buyer (claimed once, so a replayed payment result sends nothing).
    emailed_at: Mapped[datetime | None] = mapped_column(default=None)
