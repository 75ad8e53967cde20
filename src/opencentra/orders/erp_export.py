"""An order as an ERP reads it (the SOAP ERP API's order events): one read view, built by one query set.

Everything an ``orders_Update``-shaped ``<order>`` shows: the order's own
fields, its currency code, market and pricelist names, each line with its
product, variant and size, and each shipment with its lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from opencentra.catalog.models import ProductSize, ProductVariant
from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.money import from_minor
from opencentra.orders._rows import full_order_query
from opencentra.orders.models import Order
from opencentra.orders.state import OrderStatus
from opencentra.stores.models import Currency, Market, Pricelist, Store, StoreType

# Centra's status names for the numeric codes, as the SOAP API writes them.
STATUS_NAMES = {
    OrderStatus.INCOMPLETE: "incomplete",
    OrderStatus.PENDING: "pending",
    OrderStatus.CONFIRMED: "confirmed",
    OrderStatus.PROCESSING: "processing",
    OrderStatus.COMPLETED: "completed",
    OrderStatus.ARCHIVED: "archived",
    OrderStatus.CANCELLED: "cancelled",
}


@dataclass(frozen=True, slots=True)
class ErpOrderLine:
    id: int
    product_id: int | None
    variant_id: int | None
    product_name: str
    variant_name: str | None
    size_name: str | None
    sku: str | None
    quantity: int
    quantity_cancelled: int
    unit_price: Decimal
    original_unit_price: Decimal
    tax_percent: Decimal


@dataclass(frozen=True, slots=True)
class ErpShipment:
    id: int
    number: str
    appendix: int
    shipped: bool
    paid: bool
    good_to_go: bool
    amount: Decimal
    created_at: datetime
    carrier: str | None
    service: str | None
    tracking: str | None
    lines: tuple[tuple[int, int], ...]  # (order line id, quantity)


@dataclass(frozen=True, slots=True)
class ErpOrder:
    id: int
    number: int
    store_id: int
    status: str
    locked: bool
    currency: str
    total: Decimal
    created_at: datetime
    email: str
    customer_id: int
    market_id: int
    market_name: str
    pricelist_id: int
    pricelist_name: str
    wholesale: bool  # the order's store is a wholesale store
    lines: tuple[ErpOrderLine, ...]
    shipments: tuple[ErpShipment, ...]


async def erp_order(
    db: Database, order_id: int | None = None, *, number: int | None = None, store_scope: int | None = None
) -> ErpOrder:
    """The order ``order_id`` (or with ``number``) as an ERP reads it.

    ``NotFound`` when it does not exist, or when ``store_scope`` is given and
    the order is another store's (the same answer, so a caller learns nothing).
    """
    async with db.read() as session:
        if order_id is None:
            order_id = await session.scalar(select(Order.id).where(Order.number == number))
        order = None if order_id is None else await session.scalar(full_order_query(order_id))
        if order is None or (store_scope is not None and order.store_id != store_scope):
            raise NotFound("order does not exist", field="order")
        currency = await session.scalar(select(Currency.code).where(Currency.id == order.currency_id))
        market = await session.scalar(select(Market.name).where(Market.id == order.market_id))
        pricelist = await session.scalar(select(Pricelist.name).where(Pricelist.id == order.pricelist_id))
        store_type = await session.scalar(select(Store.type).where(Store.id == order.store_id))
        size_ids = [line.product_size_id for line in order.lines if line.product_size_id is not None]
        owners = {
            size_id: (product_id, variant_id)
            for size_id, variant_id, product_id in (
                await session.execute(
                    select(ProductSize.id, ProductSize.variant_id, ProductVariant.product_id)
                    .join(ProductVariant, ProductVariant.id == ProductSize.variant_id)
                    .where(ProductSize.id.in_(size_ids))
                )
            ).all()
        }
        decimals = order.currency_decimals
        lines = tuple(
            ErpOrderLine(
                id=line.id,
                product_id=owners.get(line.product_size_id or 0, (None, None))[0],
                variant_id=owners.get(line.product_size_id or 0, (None, None))[1],
                product_name=line.product_name,
                variant_name=line.variant_name,
                size_name=line.size_name,
                sku=line.sku,
                quantity=line.quantity,
                quantity_cancelled=line.quantity_cancelled,
                unit_price=from_minor(line.unit_price_minor, decimals),
                original_unit_price=from_minor(line.original_unit_price_minor, decimals),
                tax_percent=Decimal(line.tax_bp).scaleb(-2).quantize(Decimal("0.001")),
            )
            for line in sorted(order.lines, key=lambda line: line.id)
        )
        shipments = tuple(
            ErpShipment(
                id=shipment.id,
                number=shipment.number,
                appendix=shipment.appendix,
                shipped=shipment.shipped_at is not None,
                paid=shipment.captured,
                good_to_go=shipment.good_to_go,
                amount=from_minor(shipment.amount_minor, decimals),
                created_at=shipment.created_at,
                carrier=shipment.carrier,
                service=shipment.service,
                tracking=shipment.tracking_number,
                lines=tuple((line.order_line_id, line.quantity) for line in shipment.lines),
            )
            for shipment in sorted(order.shipments, key=lambda s: s.id)
        )
        return ErpOrder(
            id=order.id,
            number=order.number,
            store_id=order.store_id,
            status=STATUS_NAMES.get(OrderStatus(order.status), str(int(order.status))),
            locked=order.locked,
            currency=currency or "",
            total=from_minor(order.grand_total_minor, decimals),
            created_at=order.order_date,
            email=order.email,
            customer_id=order.customer_id,
            market_id=order.market_id,
            market_name=market or "",
            pricelist_id=order.pricelist_id,
            pricelist_name=pricelist or "",
            wholesale=store_type == StoreType.WHOLESALE,
            lines=lines,
            shipments=shipments,
        )
