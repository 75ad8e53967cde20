"""Wholesale: accounts (the retailers a brand sells to), their buyers, and delivery windows.

An account belongs to one wholesale market, buys from one pricelist and may
get a general discount plus one per delivery window. A buyer is a person who
places orders for an account. A delivery window says when ordered goods are
delivered: "at once" (from stock, a number of days from now) or "pre-order"
(between two dates, sold in a sales period); variants are added to a window
one by one, each with an optional quantity limit. Discounts are basis points
(14.3 % is 1430), so no decimals reach the database.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.address import BillingAddressColumns
from opencentra.db.base import Base, TimestampMixin, enum_check

__all__ = [
    "Account",
    "AccountDeliveryWindowDiscount",
    "AccountStatus",
    "AllocationOrder",
    "Buyer",
    "DeliveryWindow",
    "DeliveryWindowKind",
    "DeliveryWindowMarket",
    "DeliveryWindowStatus",
    "DeliveryWindowVariant",
    "LimitOn",
    "LimitType",
    "VariantDeliveryType",
]


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class DeliveryWindowStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    CANCELLED = "cancelled"


class DeliveryWindowKind(enum.StrEnum):
    AT_ONCE = "at_once"
    PREORDER = "preorder"


class VariantDeliveryType(enum.StrEnum):
    STOCK = "stock"
    PREORDER = "preorder"


class AllocationOrder(enum.StrEnum):
    FIFO = "fifo"


class LimitType(enum.StrEnum):
    HIGH = "high"
    LOW = "low"


class LimitOn(enum.StrEnum):
    PRODUCT_VARIANT = "product_variant"
    PRODUCT_SIZE = "product_size"


class Account(TimestampMixin, Base):
    __tablename__ = "wholesale_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=AccountStatus.ACTIVE)
    # The market decides the store: an account lives in one wholesale store.
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="RESTRICT"))
    pricelist_id: Mapped[int | None] = mapped_column(ForeignKey("pricelists.id", ondelete="SET NULL"))
    discount_bp: Mapped[int] = mapped_column(default=0)
    discount_visible: Mapped[bool] = mapped_column(default=False)
    website_url: Mapped[str | None] = mapped_column(String(500))
    # Terms and sales representative: see terms_models.
    payment_terms_id: Mapped[int | None] = mapped_column(
        ForeignKey("wholesale_payment_terms.id", ondelete="SET NULL"), index=True
    )
    shipping_terms_id: Mapped[int | None] = mapped_column(
        ForeignKey("wholesale_shipping_terms.id", ondelete="SET NULL"), index=True
    )
    sales_representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("wholesale_sales_representatives.id", ondelete="SET NULL"), index=True
    )
    # Centra's carrierInformation: how the account's goods are shipped.
    carrier_name: Mapped[str | None] = mapped_column(String(255))
    carrier_service: Mapped[str | None] = mapped_column(String(255))
    carrier_account: Mapped[str | None] = mapped_column(String(255))
    carrier_tax_id: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        enum_check("status", AccountStatus),
        CheckConstraint("discount_bp BETWEEN 0 AND 10000", name="discount_range"),
    )


class AccountDeliveryWindowDiscount(Base):
    """An account's discount on what it orders in one delivery window (instead of the general one)."""

    __tablename__ = "wholesale_account_delivery_window_discounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("wholesale_accounts.id", ondelete="CASCADE"))
    delivery_window_id: Mapped[int] = mapped_column(ForeignKey("delivery_windows.id", ondelete="CASCADE"), index=True)
    discount_bp: Mapped[int]

    __table_args__ = (
        UniqueConstraint("account_id", "delivery_window_id"),
        CheckConstraint("discount_bp BETWEEN 0 AND 10000", name="discount_range"),
    )


class Buyer(BillingAddressColumns, TimestampMixin, Base):
    """A person who orders for an account; the billing address is the buyer's own."""

    __tablename__ = "wholesale_buyers"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("wholesale_accounts.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=AccountStatus.ACTIVE)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    website_url: Mapped[str | None] = mapped_column(String(500))
    receive_auto_emails: Mapped[bool] = mapped_column(default=False)
    billing_cell_phone_number: Mapped[str | None] = mapped_column(String(50))
    billing_fax_number: Mapped[str | None] = mapped_column(String(50))

    __table_args__ = (enum_check("status", AccountStatus),)


class DeliveryWindow(TimestampMixin, Base):
    __tablename__ = "delivery_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryWindowStatus.ACTIVE)
    allocation_rule_id: Mapped[int | None] = mapped_column(ForeignKey("allocation_rules.id", ondelete="SET NULL"))
    default_variant_delivery_type: Mapped[str] = mapped_column(String(16), default=VariantDeliveryType.STOCK)
    delivery_dates_visible: Mapped[bool] = mapped_column(default=False)
    selectable_by_buyers: Mapped[bool] = mapped_column(default=False)
    selected_by_default: Mapped[bool] = mapped_column(default=False)
    # At once: delivered this many days after the order; the buyer may pick a date.
    days_from_now: Mapped[int | None]
    selectable_date: Mapped[bool | None]
    # Pre-order: sold between the sales dates, delivered between the delivery dates.
    allocation_order: Mapped[str | None] = mapped_column(String(16))
    delivery_start: Mapped[date | None]
    delivery_end: Mapped[date | None]
    sales_start: Mapped[date | None]
    sales_end: Mapped[date | None]

    __table_args__ = (
        enum_check("kind", DeliveryWindowKind),
        enum_check("status", DeliveryWindowStatus),
        enum_check("default_variant_delivery_type", VariantDeliveryType),
        CheckConstraint("days_from_now IS NULL OR days_from_now >= 0", name="days_nonnegative"),
        CheckConstraint(
            "delivery_start IS NULL OR delivery_end IS NULL OR delivery_start <= delivery_end", name="delivery_range"
        ),
        CheckConstraint("sales_start IS NULL OR sales_end IS NULL OR sales_start <= sales_end", name="sales_range"),
    )


class DeliveryWindowMarket(Base):
    __tablename__ = "delivery_window_markets"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_window_id: Mapped[int] = mapped_column(ForeignKey("delivery_windows.id", ondelete="CASCADE"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("delivery_window_id", "market_id"),)


class DeliveryWindowVariant(Base):
    """A variant sold in a delivery window, optionally capped at ``limit_value`` units."""

    __tablename__ = "delivery_window_variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_window_id: Mapped[int] = mapped_column(ForeignKey("delivery_windows.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    delivery_type: Mapped[str] = mapped_column(String(16), default=VariantDeliveryType.STOCK)
    limit_value: Mapped[int | None]
    limit_type: Mapped[str | None] = mapped_column(String(16))
    limit_on: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        UniqueConstraint("delivery_window_id", "variant_id"),
        enum_check("delivery_type", VariantDeliveryType),
        CheckConstraint("limit_value IS NULL OR limit_value >= 0", name="limit_nonnegative"),
    )
