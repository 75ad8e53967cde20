"""Prices, campaigns and vouchers.

Amounts are integer minor units of the pricelist's (or the named) currency;
percentages are basis points. The rules that combine them live in
``opencentra.pricing.prices`` and ``opencentra.pricing.totals``.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opencentra.db.base import Base, TimestampMixin, enum_check, utcnow


class VoucherType(enum.StrEnum):
    # Entered by the shopper.
    CODE = "code"
    # Applied to every selection that meets its criteria.
    AUTO = "auto"
    # Applied when the shopper arrives through its uri.
    URL = "url"


class Price(Base):
    """A variant's base price in one pricelist (all its sizes cost the same)."""

    __tablename__ = "prices"
    __table_args__ = (
        UniqueConstraint("pricelist_id", "variant_id"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint(
            "price_before_discount_minor IS NULL OR price_before_discount_minor >= price_minor",
            name="before_discount_not_lower",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pricelist_id: Mapped[int] = mapped_column(ForeignKey("pricelists.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    price_minor: Mapped[int]
    # A manual markdown: what the price was before the sale, shown struck out.
    price_before_discount_minor: Mapped[int | None]
    show_as_on_sale: Mapped[bool] = mapped_column(default=False)
    show_as_new: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Campaign(TimestampMixin, Base):
    """A time-boxed markdown of selected variants in selected markets."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at", name="window"),
        Index("ix_campaigns_store_active", "store_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Half-open window [starts_at, ends_at); NULL means unbounded on that side.
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]

    markets: Mapped[list[CampaignMarket]] = relationship(lazy="raise", cascade="all, delete-orphan")
    variants: Mapped[list[CampaignVariant]] = relationship(lazy="raise", cascade="all, delete-orphan")


class CampaignMarket(Base):
    __tablename__ = "campaign_markets"
    __table_args__ = (UniqueConstraint("campaign_id", "market_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)


class CampaignVariant(Base):
    """A variant's discount in a campaign, for all its pricelists or just one."""

    __tablename__ = "campaign_variants"
    __table_args__ = (
        CheckConstraint("discount_bp > 0 AND discount_bp <= 10000", name="discount_range"),
        # A variant has one all-pricelists row and at most one row per pricelist.
        Index(
            "uq_campaign_variants_all_pricelists",
            "campaign_id",
            "variant_id",
            unique=True,
            sqlite_where=text("pricelist_id IS NULL"),
            postgresql_where=text("pricelist_id IS NULL"),
        ),
        Index(
            "uq_campaign_variants_pricelist",
            "campaign_id",
            "variant_id",
            "pricelist_id",
            unique=True,
            sqlite_where=text("pricelist_id IS NOT NULL"),
            postgresql_where=text("pricelist_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    pricelist_id: Mapped[int | None] = mapped_column(ForeignKey("pricelists.id", ondelete="CASCADE"), index=True)
    discount_bp: Mapped[int]


class Voucher(TimestampMixin, Base):
    """A discount a selection can carry: percent or amount off items, free shipping.

    ``code`` keeps the spelling the merchant chose for display; lookups go
    through ``code_normalized`` so codes are unique per store regardless of case.
    """

    __tablename__ = "vouchers"
    __table_args__ = (
        enum_check("type", VoucherType),
        CheckConstraint("type <> 'code' OR code_normalized IS NOT NULL", name="code_required"),
        CheckConstraint("type <> 'url' OR uri IS NOT NULL", name="uri_required"),
        CheckConstraint("(code IS NULL) = (code_normalized IS NULL)", name="code_pair"),
        CheckConstraint("starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at", name="window"),
        CheckConstraint("usage_limit IS NULL OR usage_limit > 0", name="usage_limit_positive"),
        CheckConstraint("used_count >= 0", name="used_count_not_negative"),
        CheckConstraint("usage_limit IS NULL OR used_count <= usage_limit", name="used_within_limit"),
        CheckConstraint(
            "percent_off_bp IS NULL OR (percent_off_bp > 0 AND percent_off_bp <= 10000)", name="percent_off_range"
        ),
        UniqueConstraint("store_id", "code_normalized"),
        UniqueConstraint("store_id", "uri"),
        Index("ix_vouchers_store_type_active", "store_id", "type", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16), default=VoucherType.CODE.value)
    code: Mapped[str | None] = mapped_column(String(64))
    code_normalized: Mapped[str | None] = mapped_column(String(64))
    uri: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Half-open window [starts_at, ends_at); NULL means unbounded on that side.
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    # Higher runs first; stop_processing keeps lower-priority vouchers from
    # applying after this one.
    priority: Mapped[int] = mapped_column(default=0)
    stop_processing: Mapped[bool] = mapped_column(default=False)
    # NULL: unlimited (Centra's API spells that 0).
    usage_limit: Mapped[int | None]
    used_count: Mapped[int] = mapped_column(default=0)
    # Actions. Amount off lives in voucher_amounts, one row per currency.
    percent_off_bp: Mapped[int | None]
    free_shipping: Mapped[bool] = mapped_column(default=False)

    amounts: Mapped[list[VoucherAmount]] = relationship(lazy="raise", cascade="all, delete-orphan")
    minimum_totals: Mapped[list[VoucherMinimumTotal]] = relationship(lazy="raise", cascade="all, delete-orphan")
    markets: Mapped[list[VoucherMarket]] = relationship(lazy="raise", cascade="all, delete-orphan")


class VoucherAmount(Base):
    """The amount off items, in one currency."""

    __tablename__ = "voucher_amounts"
    __table_args__ = (
        UniqueConstraint("voucher_id", "currency_id"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"))
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id", ondelete="RESTRICT"), index=True)
    amount_minor: Mapped[int]


class VoucherMinimumTotal(Base):
    """Criterion: the items total must reach this amount, in one currency."""

    __tablename__ = "voucher_minimum_totals"
    __table_args__ = (
        UniqueConstraint("voucher_id", "currency_id"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"))
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id", ondelete="RESTRICT"), index=True)
    amount_minor: Mapped[int]


class VoucherMarket(Base):
    """Restricts a voucher to markets; a voucher with no rows applies in all."""

    __tablename__ = "voucher_markets"
    __table_args__ = (UniqueConstraint("voucher_id", "market_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id", ondelete="CASCADE"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)


__all__ = [
    "Campaign",
    "CampaignMarket",
    "CampaignVariant",
    "Price",
    "Voucher",
    "VoucherAmount",
    "VoucherMarket",
    "VoucherMinimumTotal",
    "VoucherType",
]
