"""Price history: what each variant cost, per pricelist and market, since when.

A row is written when the price in force changes (``pricing.history``), so the
lowest price of the last 30 days (Centra's ``lowestPrice``, EU Omnibus) can be
shown next to a reduced price.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, utcnow


class PriceObservation(Base):
    __tablename__ = "price_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    pricelist_id: Mapped[int] = mapped_column(ForeignKey("pricelists.id", ondelete="CASCADE"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    # The price in force from ``observed_at`` (campaigns applied) and the struck-out price then.
    price_minor: Mapped[int]
    price_before_discount_minor: Mapped[int]
    observed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_price_history_lookup", "pricelist_id", "market_id", "variant_id", "observed_at"),)
