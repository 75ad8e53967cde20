"""Price alterations: prices a store switches to from a start date on.

A price alteration (Centra's ``PriceAlteration``) is a named, dated set of
replacement prices per pricelist and variant. Once it is active and its start
has passed, its price replaces the variant's base price in that pricelist; a
campaign markdown still applies on top. ``opencentra.pricing.prices`` decides.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, TimestampMixin, utcnow


class PriceAlteration(TimestampMixin, Base):
    __tablename__ = "price_alterations"
    __table_args__ = (Index("ix_price_alterations_store_active", "store_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=False)
    # From this moment on the altered prices replace the base prices.
    starts_at: Mapped[datetime]


class AlteredPrice(Base):
    """One variant's price in one pricelist while its alteration is in force."""

    __tablename__ = "altered_prices"
    __table_args__ = (
        UniqueConstraint("price_alteration_id", "pricelist_id", "variant_id"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
        CheckConstraint(
            "recommended_retail_price_minor IS NULL OR recommended_retail_price_minor >= 0",
            name="rrp_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    price_alteration_id: Mapped[int] = mapped_column(ForeignKey("price_alterations.id", ondelete="CASCADE"))
    pricelist_id: Mapped[int] = mapped_column(ForeignKey("pricelists.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    price_minor: Mapped[int]
    recommended_retail_price_minor: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PriceAlterationDeliveryWindow(Base):
    """A wholesale delivery window the alteration is meant for (Centra's ``deliveryWindows``)."""

    __tablename__ = "price_alteration_delivery_windows"
    __table_args__ = (UniqueConstraint("price_alteration_id", "delivery_window_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_alteration_id: Mapped[int] = mapped_column(ForeignKey("price_alterations.id", ondelete="CASCADE"))
    delivery_window_id: Mapped[int] = mapped_column(ForeignKey("delivery_windows.id", ondelete="CASCADE"), index=True)


__all__ = ["AlteredPrice", "PriceAlteration", "PriceAlterationDeliveryWindow"]
