"""Supplier orders (purchase orders) and their deliveries.

A confirmed supplier order is split into deliveries ("<order>-<n>"). A
warehouse accepts a delivery once, with whatever quantities actually came
(over- and under-delivery are allowed); what is still missing becomes the
next delivery. Cost is per line, in integer minor units of its currency.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opencentra.db.base import Base, utcnow


class SupplierOrderStatus(enum.StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    # ISO 3166 alpha-2.
    country: Mapped[str | None] = mapped_column(String(2))


class SupplierOrder(Base):
    __tablename__ = "supplier_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=SupplierOrderStatus.DRAFT)
    # Where the goods go; Order API plugins list deliveries only for their supplier-delivery warehouse.
    preferred_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="RESTRICT"), index=True)
    etd: Mapped[datetime | None]
    eta: Mapped[datetime | None]
    message: Mapped[str] = mapped_column(Text, default="")
    delivery_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[SupplierOrderLine]] = relationship(
        lazy="raise", order_by="SupplierOrderLine.id", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (CheckConstraint("status IN ('draft', 'confirmed', 'cancelled')", name="status"),)


class SupplierOrderLine(Base):
    __tablename__ = "supplier_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_order_id: Mapped[int] = mapped_column(ForeignKey("supplier_orders.id", ondelete="CASCADE"), index=True)
    product_size_id: Mapped[int] = mapped_column(ForeignKey("product_sizes.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int]
    cost_minor: Mapped[int] = mapped_column(default=0)
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id", ondelete="RESTRICT"))

    __table_args__ = (
        UniqueConstraint("supplier_order_id", "product_size_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("cost_minor >= 0", name="cost_nonnegative"),
    )


class SupplierDelivery(Base):
    __tablename__ = "supplier_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_order_id: Mapped[int] = mapped_column(ForeignKey("supplier_orders.id", ondelete="CASCADE"), index=True)
    appendix: Mapped[int]
    # "<supplier order id>-<appendix>", e.g. "957-1".
    number: Mapped[str] = mapped_column(String(48), unique=True)
    etd: Mapped[datetime | None]
    eta: Mapped[datetime | None]
    message: Mapped[str] = mapped_column(Text, default="")
    accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[SupplierDeliveryLine]] = relationship(
        lazy="raise", order_by="SupplierDeliveryLine.id", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (UniqueConstraint("supplier_order_id", "appendix"),)


class SupplierDeliveryLine(Base):
    __tablename__ = "supplier_delivery_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("supplier_deliveries.id", ondelete="CASCADE"), index=True)
    supplier_order_line_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_order_lines.id", ondelete="CASCADE"), index=True
    )
    # Expected units; ``received`` is set when the delivery is accepted.
    quantity: Mapped[int]
    received: Mapped[int | None]

    __table_args__ = (
        UniqueConstraint("delivery_id", "supplier_order_line_id"),
        CheckConstraint("quantity >= 0", name="quantity_nonnegative"),
        CheckConstraint("received IS NULL OR received >= 0", name="received_nonnegative"),
    )
