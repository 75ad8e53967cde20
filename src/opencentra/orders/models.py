"""Orders and what happens to them after checkout: shipments, returns, refunds, payments.

Money is in integer minor units of the order's currency; ``currency_decimals``
is a snapshot so that an order reads the same if the currency is edited later.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opencentra.address import BillingAddressColumns, ShippingAddressColumns
from opencentra.db.base import Base, TimestampMixin, utcnow
from opencentra.orders.state import OrderStatus

__all__ = [
    "AllocationRequest",
    "AllocationRequestLine",
    "AllocationRequestStatus",
    "Order",
    "OrderAllocation",
    "OrderCounter",
    "OrderLine",
    "OrderStatus",
    "PaymentTransaction",
    "Refund",
    "Return",
    "ReturnLine",
    "ReturnStatus",
    "Shipment",
    "ShipmentLine",
    "ShipmentLineWarehouse",
    "ShipmentStatus",
    "TransactionKind",
    "TransactionStatus",
]


JSONType = JSON().with_variant(JSONB(), "postgresql")


class ShipmentStatus(enum.StrEnum):
    IN_PROGRESS = "inprogress"
    GOOD_TO_GO = "goodtogo"
    COMPLETED = "completed"


class ReturnStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"


class TransactionKind(enum.StrEnum):
    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    REFUND = "refund"
    CANCEL = "cancel"


class TransactionStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCESS = "success"
    FAILED = "failed"


class OrderStatusType(TypeDecorator[OrderStatus]):
    """Stores Centra's numeric status code (0..6) and reads it back as ``OrderStatus``."""

    impl = SmallInteger()
    cache_ok = True

    def process_bind_param(self, value: OrderStatus | int | None, dialect: Dialect) -> int | None:
        return None if value is None else int(OrderStatus(value))

    def process_result_value(self, value: int | None, dialect: Dialect) -> OrderStatus | None:
        return None if value is None else OrderStatus(value)


class OrderCounter(Base):
    """Named counters taken with one atomic UPDATE, so numbers never repeat on either backend."""

    __tablename__ = "order_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    value: Mapped[int] = mapped_column(default=0)


class Order(BillingAddressColumns, ShippingAddressColumns, TimestampMixin, Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    pricelist_id: Mapped[int] = mapped_column(ForeignKey("pricelists.id"))
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id"))
    currency_decimals: Mapped[int]
    language_id: Mapped[int | None] = mapped_column(ForeignKey("languages.id", ondelete="SET NULL"))
    # The country that decided taxes and shipping.
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    # UNIQUE: a replayed payment callback cannot turn one selection into two orders.
    selection_id: Mapped[int | None] = mapped_column(ForeignKey("selections.id", ondelete="SET NULL"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(OrderStatusType(), default=OrderStatus.PENDING)
    hold: Mapped[bool] = mapped_column(default=False)
    waiting_for_payment: Mapped[bool] = mapped_column(default=False)
    # Locked by an integration (GraphQL setOrdersLock): only the APIs may change it, not staff.
    locked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Wholesale orders: the account and the buyer who placed it (opencentra.wholesale).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("wholesale_accounts.id", ondelete="SET NULL"), index=True)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("wholesale_buyers.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(254))

    # Totals; item prices already include item discounts and tax, tax_minor is the tax contained.
    items_total_minor: Mapped[int] = mapped_column(default=0)
    discount_minor: Mapped[int] = mapped_column(default=0)
    shipping_minor: Mapped[int] = mapped_column(default=0)
    handling_minor: Mapped[int] = mapped_column(default=0)
    tax_minor: Mapped[int] = mapped_column(default=0)
    grand_total_minor: Mapped[int] = mapped_column(default=0)
    # Running sums kept with conditional UPDATEs: refunds can never exceed captures.
    captured_minor: Mapped[int] = mapped_column(default=0)
    refunded_minor: Mapped[int] = mapped_column(default=0)

    shipping_method_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_methods.id", ondelete="SET NULL"))
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id", ondelete="SET NULL"))
    payment_provider: Mapped[str] = mapped_column(String(64), default="manual")
    payment_reference: Mapped[str | None] = mapped_column(String(200))
    # "otherComment" (shown to the customer) and "internalComment" (staff only).
    comment: Mapped[str | None] = mapped_column(Text)
    internal_comment: Mapped[str | None] = mapped_column(Text)
    order_date: Mapped[datetime] = mapped_column(default=utcnow)
    # Order API "deliveryDate" (shown as preferredDeliveryDate) and "cancelDate".
    delivery_date: Mapped[datetime | None]
    cancel_date: Mapped[datetime | None]
    po_number: Mapped[str | None] = mapped_column(String(100))
    # Custom order attributes, "<attribute>_<element>" -> value (Order API extraAttributes).
    extra_attributes: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    # Appendix of the last shipment: shipment numbers are "<order number>-<n>".
    shipment_count: Mapped[int] = mapped_column(default=0)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderLine.id", passive_deletes=True
    )
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", lazy="raise", order_by="Shipment.id", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("status BETWEEN 0 AND 6", name="status"),
        CheckConstraint("captured_minor >= 0 AND refunded_minor >= 0", name="payments_nonnegative"),
        CheckConstraint("refunded_minor <= captured_minor", name="refund_within_capture"),
        # Order API lists by store and date; GET /orders?newer_than= and the admin's default view.
        Index("ix_orders_store_id_order_date", "store_id", "order_date"),
        Index("ix_orders_updated_at", "updated_at"),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # Nullable: an order inserted through the Order API may name a legacy product.
    product_size_id: Mapped[int | None] = mapped_column(ForeignKey("product_sizes.id"), index=True)
    display_item_id: Mapped[int | None] = mapped_column(ForeignKey("display_items.id", ondelete="SET NULL"))
    # Snapshots: what the customer bought, as it was named then.
    product_name: Mapped[str] = mapped_column(String(255))
    variant_name: Mapped[str | None] = mapped_column(String(255))
    size_name: Mapped[str | None] = mapped_column(String(64))
    sku: Mapped[str | None] = mapped_column(String(128))
    ean: Mapped[str | None] = mapped_column(String(32))
    quantity: Mapped[int]
    # "Shipped" counts units placed on a shipment; returned counts units on returns.
    quantity_shipped: Mapped[int] = mapped_column(default=0)
    quantity_returned: Mapped[int] = mapped_column(default=0)
    quantity_cancelled: Mapped[int] = mapped_column(default=0)
    # What one unit costs the customer (after discounts, tax included) and before discounts.
    unit_price_minor: Mapped[int]
    original_unit_price_minor: Mapped[int]
    # Discount on the whole line, for display.
    discount_minor: Mapped[int] = mapped_column(default=0)
    tax_bp: Mapped[int] = mapped_column(default=0)
    comment: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "quantity_shipped >= 0 AND quantity_returned >= 0 AND quantity_cancelled >= 0", name="counts_nonnegative"
        ),
        CheckConstraint("quantity_shipped + quantity_cancelled <= quantity", name="shipped_within_quantity"),
        CheckConstraint("quantity_returned <= quantity_shipped", name="returned_within_shipped"),
        CheckConstraint("unit_price_minor >= 0 AND original_unit_price_minor >= 0", name="prices_nonnegative"),
        CheckConstraint("tax_bp >= 0", name="tax_nonnegative"),
    )


class OrderAllocation(Base):
    """Units of an order line reserved in a warehouse."""

    __tablename__ = "order_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    quantity: Mapped[int]
    # The stock change (an ``events`` row of type "stock") that last added to this
    # allocation; not a foreign key because old events are pruned.
    stock_change_id: Mapped[int | None]

    __table_args__ = (
        UniqueConstraint("order_line_id", "warehouse_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    # "<order number>-<appendix>", e.g. "83651-1".
    number: Mapped[str] = mapped_column(String(48), unique=True)
    appendix: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=ShipmentStatus.IN_PROGRESS)
    good_to_go: Mapped[bool] = mapped_column(default=False)
    captured: Mapped[bool] = mapped_column(default=False)
    # What capturing this shipment takes from the authorization.
    amount_minor: Mapped[int] = mapped_column(default=0)
    shipped_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(100))
    service: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(200))
    return_slip_tracking: Mapped[str | None] = mapped_column(String(200))
    packages: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="shipments", lazy="raise")
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", lazy="raise", order_by="ShipmentLine.id", passive_deletes=True
    )

    __table_args__ = (
        UniqueConstraint("order_id", "appendix"),
        CheckConstraint("status IN ('inprogress', 'goodtogo', 'completed')", name="status"),
        CheckConstraint("amount_minor >= 0", name="amount_nonnegative"),
        # GET /shipments?status=goodtogo lists oldest first.
        Index("ix_shipments_status_created_at", "status", "created_at"),
        # Shipments can be deleted; their ids are shown to integrations and must not come back.
        {"sqlite_autoincrement": True},
    )


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int]
    quantity_returned: Mapped[int] = mapped_column(default=0)

    shipment: Mapped[Shipment] = relationship(back_populates="lines", lazy="raise")

    __table_args__ = (
        UniqueConstraint("shipment_id", "order_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("quantity_returned >= 0 AND quantity_returned <= quantity", name="returned_within_quantity"),
    )


class ShipmentLineWarehouse(Base):
    """Which warehouses a shipment line's units come from.

    Assigned from the order line's allocations when the shipment is made, so
    a WMS sees where to pick; when the shipment completes these units leave
    those warehouses, and a return with "return to stock" puts units back there.
    """

    __tablename__ = "shipment_line_warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("shipment_lines.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    quantity: Mapped[int]

    __table_args__ = (
        UniqueConstraint("shipment_line_id", "warehouse_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class Return(Base):
    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ReturnStatus.PENDING)
    # Put the returned units back in stock when the return completes.
    return_stock: Mapped[bool] = mapped_column(default=True)
    # Deducted from the refund (e.g. a return shipping fee).
    return_cost_minor: Mapped[int] = mapped_column(default=0)
    # Order-level amounts given back with the return (Order API shippingCost, handlingCost)
    # and a voucher value taken off it again.
    shipping_minor: Mapped[int] = mapped_column(default=0)
    handling_minor: Mapped[int] = mapped_column(default=0)
    voucher_minor: Mapped[int] = mapped_column(default=0)
    # Which API or tool made it ("Order API"), shown as createdFrom.
    created_from: Mapped[str | None] = mapped_column(String(32))
    # What the customer gets back: returned units at their price, plus shipping and handling,
    # minus the voucher value and the return cost.
    refund_minor: Mapped[int] = mapped_column(default=0)
    refunded: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    lines: Mapped[list[ReturnLine]] = relationship(lazy="raise", order_by="ReturnLine.id", passive_deletes=True)

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'completed')", name="status"),
        CheckConstraint("return_cost_minor >= 0 AND refund_minor >= 0", name="amounts_nonnegative"),
        CheckConstraint(
            "shipping_minor >= 0 AND handling_minor >= 0 AND voucher_minor >= 0", name="order_amounts_nonnegative"
        ),
    )


class ReturnLine(Base):
    __tablename__ = "return_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"))
    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("shipment_lines.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int]
    unit_price_minor: Mapped[int]

    __table_args__ = (
        UniqueConstraint("return_id", "shipment_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # A return is refunded at most once.
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id", ondelete="SET NULL"), unique=True)
    amount_minor: Mapped[int]
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)


class PaymentTransaction(Base):
    __tablename__ = "payment_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="SET NULL"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=TransactionStatus.SUCCESS)
    amount_minor: Mapped[int]
    provider: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(200))
    # The same operation asked twice (a retried call, a replayed callback) hits this key.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('authorize', 'capture', 'refund', 'cancel')", name="kind"),
        CheckConstraint("status IN ('pending', 'success', 'failed')", name="status"),
        CheckConstraint("amount_minor >= 0", name="amount_nonnegative"),
    )


class AllocationRequestStatus(enum.StrEnum):
    ALLOCATED = "allocated"
    SENT = "sent"
    FAILED = "failed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    TIMED_OUT = "timed-out"
    OUTDATED = "outdated"


class AllocationRequest(Base):
    """A "Direct, then confirm" request: units allocated in a (store) warehouse, waiting for it to confirm or reject."""

    __tablename__ = "allocation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=AllocationRequestStatus.SENT)
    expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lines: Mapped[list[AllocationRequestLine]] = relationship(
        lazy="raise", order_by="AllocationRequestLine.id", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('allocated', 'sent', 'failed', 'confirmed', 'rejected', 'timed-out', 'outdated')",
            name="status",
        ),
    )


class AllocationRequestLine(Base):
    __tablename__ = "allocation_request_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("allocation_requests.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int]

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)
