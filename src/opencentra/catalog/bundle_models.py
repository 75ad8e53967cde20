"""Bundles: a product variant sold as a set of other variants.

A bundle is one product variant (its sizes are the bundle's items) made of
sections; each section offers one or more component variants, taken
``quantity`` times. A *fixed* bundle offers exactly one variant per section;
in a *flexible* one the shopper picks one variant per section, and a section
may be optional. The price is *static* (the bundle variant's own price in the
pricelist) or *dynamic* (the chosen components' prices added up, less an
optional bundle discount). A bundle has no stock of its own: what can be sold
follows the components, and selling one takes the components' stock.

Selections and orders keep what the shopper chose: a selection line of a
bundle has one choice per section; an order has the bundle line (no stock,
price 0) and one line per component, linked back to it.
"""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opencentra.db.base import Base, TimestampMixin, enum_check


class BundleType(enum.StrEnum):
    FIXED = "fixed"
    FLEXIBLE = "flexible"


class BundlePriceType(enum.StrEnum):
    STATIC = "static"
    DYNAMIC = "dynamic"


class Bundle(TimestampMixin, Base):
    __tablename__ = "bundles"
    __table_args__ = (
        enum_check("type", BundleType, "type"),
        enum_check("price_type", BundlePriceType, "price_type"),
        CheckConstraint("discount_bp >= 0 AND discount_bp <= 10000", name="discount_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The bundle is this variant; its sizes are what shoppers put in the cart.
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), unique=True)
    type: Mapped[str] = mapped_column(String(16), default=BundleType.FIXED.value)
    price_type: Mapped[str] = mapped_column(String(16), default=BundlePriceType.STATIC.value)
    # Dynamic bundles only: percent off the components' sum, in basis points.
    discount_bp: Mapped[int] = mapped_column(default=0)

    sections: Mapped[list[BundleSection]] = relationship(
        back_populates="bundle", lazy="raise", order_by="BundleSection.sort_order", cascade="all, delete-orphan"
    )


class BundleSection(Base):
    __tablename__ = "bundle_sections"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    # Flexible bundles only: the shopper may leave this section out.
    optional: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)

    bundle: Mapped[Bundle] = relationship(back_populates="sections", lazy="raise")
    options: Mapped[list[BundleSectionVariant]] = relationship(
        lazy="raise", order_by="BundleSectionVariant.sort_order", cascade="all, delete-orphan"
    )


class BundleSectionVariant(Base):
    """A variant a section offers."""

    __tablename__ = "bundle_section_variants"
    __table_args__ = (UniqueConstraint("section_id", "variant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("bundle_sections.id", ondelete="CASCADE"))
    # RESTRICT: a variant that bundles are made of is taken out of them first.
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="RESTRICT"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class SelectionBundleChoice(Base):
    """The component size chosen for one section of a bundle line in a selection."""

    __tablename__ = "selection_bundle_choices"
    __table_args__ = (UniqueConstraint("selection_line_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_line_id: Mapped[int] = mapped_column(ForeignKey("selection_lines.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("bundle_sections.id", ondelete="CASCADE"), index=True)
    # None when the component is not displayed in the store (parts sold only in the bundle).
    display_item_id: Mapped[int | None] = mapped_column(ForeignKey("display_items.id", ondelete="SET NULL"), index=True)
    product_size_id: Mapped[int] = mapped_column(ForeignKey("product_sizes.id", ondelete="CASCADE"), index=True)


class OrderBundleLine(Base):
    """An order line that is a bundle: its price lives here, its stock on its component lines."""

    __tablename__ = "order_bundle_lines"
    __table_args__ = (CheckConstraint("unit_price_minor >= 0 AND original_unit_price_minor >= 0", name="prices"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True)
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundles.id", ondelete="SET NULL"), index=True)
    # What one bundle cost, and what its components cost on their own.
    unit_price_minor: Mapped[int]
    original_unit_price_minor: Mapped[int]


class OrderBundleComponent(Base):
    """An order line that is part of a bundle line."""

    __tablename__ = "order_bundle_components"
    __table_args__ = (CheckConstraint("quantity_per_bundle >= 1", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True)
    bundle_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    quantity_per_bundle: Mapped[int] = mapped_column(default=1)


__all__ = [
    "Bundle",
    "BundlePriceType",
    "BundleSection",
    "BundleSectionVariant",
    "BundleType",
    "OrderBundleComponent",
    "OrderBundleLine",
    "SelectionBundleChoice",
]
