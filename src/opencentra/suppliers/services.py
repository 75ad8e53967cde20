"""Supplier use cases: suppliers, purchase orders, deliveries and accepting them into stock.

Accepting a delivery is one transaction: the received quantities are
recorded, the stock of the supplier order's preferred warehouse rises by
them (unless the caller counts stock in itself, ``insert_stock=False``),
and what is still missing becomes the next delivery. A delivery is
accepted once; a second attempt is a ``Conflict``. Every change writes an
outbox event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.inventory import services as inventory
from opencentra.inventory.stock_items import StockItem, load_stock_items, resolve_stock_keys
from opencentra.orders.models import Order, OrderAllocation, OrderLine, Shipment, ShipmentLine, ShipmentStatus
from opencentra.orders.state import OrderStatus
from opencentra.stores.models import AllocationRuleWarehouse, Currency, Market, Warehouse
from opencentra.suppliers.models import (
    Supplier,
    SupplierDelivery,
    SupplierDeliveryLine,
    SupplierOrder,
    SupplierOrderLine,
    SupplierOrderStatus,
)


@dataclass(frozen=True, slots=True)
class OrderLineSpec:
    product_size_id: int
    quantity: int
    cost: Decimal = Decimal(0)
    currency_id: int | None = None


@dataclass(frozen=True)
class DeliveryView:
    delivery: SupplierDelivery
    order: SupplierOrder
    supplier: Supplier


@dataclass(frozen=True)
class ProductLine:
    item: StockItem
    quantity: int
    cost_minor: int
    currency: str
    decimals: int


async def create_supplier(db: Database, name: str, country: str | None = None) -> Supplier:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 255:
        raise ValidationFailed("a supplier needs a name (at most 255 characters)", field="name")
    if country is not None and len(country.strip()) != 2:
        raise ValidationFailed("country is an ISO alpha-2 code", field="country")
    async with db.write() as session:
        if await session.scalar(select(Supplier.id).where(Supplier.name == cleaned)) is not None:
            raise Conflict(f"supplier {cleaned!r} already exists", field="name")
        supplier = Supplier(name=cleaned, country=country.strip().upper() if country else None)
        session.add(supplier)
        await session.flush()
        await record(session, "supplier", supplier.id, "created", {"name": cleaned})
        return supplier


async def create_supplier_order(
    db: Database,
    supplier_id: int,
    warehouse_id: int,
    lines: Sequence[OrderLineSpec],
    *,
    etd: datetime | None = None,
    eta: datetime | None = None,
    message: str = "",
    confirm: bool = True,
) -> SupplierOrder:
    """A purchase order; confirming it makes its first delivery with every line."""
    if not lines:
        raise ValidationFailed("a supplier order needs at least one line", field="lines")
    sizes = [line.product_size_id for line in lines]
    if len(set(sizes)) != len(sizes):
        raise ValidationFailed("a size is listed twice", field="lines")
    for index, line in enumerate(lines):
        if line.quantity < 1:
            raise ValidationFailed("quantity must be at least 1", field=f"lines.{index}.quantity")
        if line.cost < 0:
            raise ValidationFailed("cost cannot be negative", field=f"lines.{index}.cost")
    async with db.write() as session:
        if await session.get(Supplier, supplier_id) is None:
            raise NotFound(f"supplier {supplier_id} does not exist", field="supplier")
        if await session.get(Warehouse, warehouse_id) is None:
            raise NotFound(f"warehouse {warehouse_id} does not exist", field="warehouse")
        items = await load_stock_items(session, sizes)
        if missing := [s for s in sizes if s not in items]:
            raise NotFound(f"product sizes {missing} do not exist", field="lines")
        order = SupplierOrder(
            supplier_id=supplier_id,
            status=SupplierOrderStatus.DRAFT,
            preferred_warehouse_id=warehouse_id,
            etd=etd,
            eta=eta,
            message=message,
            delivery_count=0,
        )
        for index, line in enumerate(lines):
            currency = await session.get(Currency, line.currency_id) if line.currency_id else None
            if line.currency_id is not None and currency is None:
                raise NotFound(f"currency {line.currency_id} does not exist", field=f"lines.{index}.currency")
            decimals = currency.decimals if currency else 2
            cost = line.cost.scaleb(decimals)
            if cost != cost.to_integral_value():
                raise ValidationFailed("cost has more decimals than its currency", field=f"lines.{index}.cost")
            order.lines.append(
                SupplierOrderLine(
                    product_size_id=line.product_size_id,
                    quantity=line.quantity,
                    cost_minor=int(cost),
                    currency_id=line.currency_id or await _default_currency(session),
                )
            )
        session.add(order)
        await session.flush()
        await record(session, "supplier_order", order.id, "created", {"supplier": supplier_id})
        if confirm:
            await _confirm(session, order)
        return order


async def _default_currency(session: AsyncSession) -> int:
    found = await session.scalar(select(Currency.id).order_by(Currency.id).limit(1))
    if found is None:
        raise ValidationFailed("no currency to record the cost in", field="currency")
    return int(found)


async def _confirm(session: AsyncSession, order: SupplierOrder) -> None:
    order.status = SupplierOrderStatus.CONFIRMED
    await _new_delivery(session, order, [(line.id, line.quantity) for line in order.lines])
    await record(session, "supplier_order", order.id, "updated", {"status": "confirmed"})


async def _new_delivery(
    session: AsyncSession, order: SupplierOrder, lines: Sequence[tuple[int, int]]
) -> SupplierDelivery:
    await session.execute(
        update(SupplierOrder)
        .where(SupplierOrder.id == order.id)
        .values(delivery_count=SupplierOrder.delivery_count + 1)
        .execution_options(synchronize_session=False)
    )
    appendix = int(await session.scalar(select(SupplierOrder.delivery_count).where(SupplierOrder.id == order.id)) or 1)
    delivery = SupplierDelivery(
        supplier_order_id=order.id,
        appendix=appendix,
        number=f"{order.id}-{appendix}",
        etd=order.etd,
        eta=order.eta,
        message=order.message,
        lines=[SupplierDeliveryLine(supplier_order_line_id=line_id, quantity=qty) for line_id, qty in lines],
    )
    session.add(delivery)
    await session.flush()
    await record(session, "supplier_delivery", delivery.id, "created", {"number": delivery.number})
    return delivery


async def list_supplier_orders(db: Database) -> list[tuple[SupplierOrder, Supplier]]:
    """Confirmed supplier orders, oldest first."""
    async with db.read() as session:
        rows = await session.execute(
            select(SupplierOrder, Supplier)
            .join(Supplier, Supplier.id == SupplierOrder.supplier_id)
            .where(SupplierOrder.status == SupplierOrderStatus.CONFIRMED)
            .options(selectinload(SupplierOrder.lines))
            .order_by(SupplierOrder.id)
        )
        return [(order, supplier) for order, supplier in rows]


async def get_supplier_order(db: Database, order_id: int) -> tuple[SupplierOrder, Supplier, list[ProductLine]]:
    async with db.read() as session:
        row = (
            await session.execute(
                select(SupplierOrder, Supplier)
                .join(Supplier, Supplier.id == SupplierOrder.supplier_id)
                .where(SupplierOrder.id == order_id, SupplierOrder.status == SupplierOrderStatus.CONFIRMED)
                .options(selectinload(SupplierOrder.lines))
            )
        ).first()
        if row is None:
            raise NotFound("supplier order not found", field="order")
        order, supplier = row
        products = await _products(session, [(line, line.quantity) for line in order.lines])
        return order, supplier, products


async def _products(session: AsyncSession, lines: Sequence[tuple[SupplierOrderLine, int]]) -> list[ProductLine]:
    items = await load_stock_items(session, [line.product_size_id for line, _ in lines])
    currencies = {c.id: c for c in await session.scalars(select(Currency))}
    return [
        ProductLine(
            items[line.product_size_id],
            quantity,
            line.cost_minor,
            currencies[line.currency_id].code,
            currencies[line.currency_id].decimals,
        )
        for line, quantity in lines
        if line.product_size_id in items
    ]


def _open_deliveries(warehouse_id: int) -> Select[*tuple[Any, ...]]:
    has_items = (
        select(SupplierDeliveryLine.id)
        .where(SupplierDeliveryLine.delivery_id == SupplierDelivery.id, SupplierDeliveryLine.quantity > 0)
        .exists()
    )
    return (
        select(SupplierDelivery, SupplierOrder, Supplier)
        .join(SupplierOrder, SupplierOrder.id == SupplierDelivery.supplier_order_id)
        .join(Supplier, Supplier.id == SupplierOrder.supplier_id)
        .where(
            SupplierOrder.status == SupplierOrderStatus.CONFIRMED,
            SupplierOrder.preferred_warehouse_id == warehouse_id,
            SupplierDelivery.accepted_at.is_(None),
            has_items,
        )
        .options(selectinload(SupplierDelivery.lines))
    )


async def list_deliveries(db: Database, warehouse_id: int) -> list[DeliveryView]:
    """Deliveries still to come into ``warehouse_id``: confirmed order, not accepted, with items."""
    async with db.read() as session:
        rows = await session.execute(_open_deliveries(warehouse_id).order_by(SupplierDelivery.id))
        return [DeliveryView(d, o, s) for d, o, s in rows]


async def get_delivery(db: Database, warehouse_id: int, reference: str) -> tuple[DeliveryView, list[ProductLine]]:
    """An open delivery by its internal id ("364") or its number ("957-1")."""
    async with db.read() as session:
        view = await _find_delivery(session, warehouse_id, reference)
        order_lines = {line.id: line for line in view.order.lines}
        products = await _products(
            session, [(order_lines[line.supplier_order_line_id], line.quantity) for line in view.delivery.lines]
        )
        return view, products


async def _find_delivery(session: AsyncSession, warehouse_id: int, reference: str) -> DeliveryView:
    text = reference.strip()
    query = _open_deliveries(warehouse_id)
    if text.isascii() and text.isdigit() and len(text) < 19:
        query = query.where(SupplierDelivery.id == int(text))
    else:
        query = query.where(SupplierDelivery.number == text)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("supplier delivery not found", field="delivery")
    delivery, order, supplier = row
    await session.refresh(order, ["lines"])
    return DeliveryView(delivery, order, supplier)


def products_quantity(lines: Sequence[SupplierDeliveryLine] | Sequence[SupplierOrderLine]) -> int:
    return sum(line.quantity for line in lines)


async def accept_delivery(
    db: Database, warehouse_id: int, reference: str, received: Mapping[int, int], *, insert_stock: bool = True
) -> SupplierDelivery | None:
    """Accept a delivery with the units that came, per product size; returns the follow-up delivery, if any.

    Sizes not named received nothing. A size that is not on the supplier
    order is refused. With ``insert_stock`` the units go into the order's
    preferred warehouse.
    """
    for size_id, quantity in received.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise ValidationFailed("a received quantity is a whole number of at least 0", field=f"products.{size_id}")
    async with db.write() as session:
        view = await _find_delivery(session, warehouse_id, reference)
        delivery = await session.scalar(
            select(SupplierDelivery).where(SupplierDelivery.id == view.delivery.id).with_for_update()
        )
        if delivery is None or delivery.accepted_at is not None:
            raise Conflict("the delivery is already accepted", field="delivery")
        order_lines = {line.id: line for line in view.order.lines}
        by_size = {order_lines[line.supplier_order_line_id].product_size_id: line for line in view.delivery.lines}
        if unknown := [size for size in received if size not in by_size]:
            raise ValidationFailed(f"products {unknown} are not on this delivery", field="products")
        claimed = await session.execute(
            update(SupplierDelivery)
            .where(SupplierDelivery.id == delivery.id, SupplierDelivery.accepted_at.is_(None))
            .values(accepted_at=utcnow())
            .returning(SupplierDelivery.id)
            .execution_options(synchronize_session=False)
        )
        if claimed.first() is None:  # pragma: no cover - the row lock serializes acceptances
            raise Conflict("the delivery is already accepted", field="delivery")
        remainder: list[tuple[int, int]] = []
        for size_id, line in by_size.items():
            got = received.get(size_id, 0)
            line.received = got
            if got and insert_stock:
                await inventory.adjust_physical(session, view.order.preferred_warehouse_id, size_id, got)
            if got < line.quantity:
                remainder.append((line.supplier_order_line_id, line.quantity - got))
        await session.flush()
        await record(
            session,
            "supplier_delivery",
            delivery.id,
            "updated",
            {"accepted": True, "received": {str(k): v for k, v in received.items()}, "insert_stock": insert_stock},
        )
        if remainder:
            return await _new_delivery(session, view.order, remainder)
        return None


async def accept_delivery_by_keys(
    db: Database,
    warehouse_id: int,
    reference: str,
    received: Mapping[str, int],
    *,
    by_sku: bool = False,
    insert_stock: bool = True,
) -> SupplierDelivery | None:
    """``accept_delivery`` with products named by EAN (or by full SKU); unknown keys are refused."""
    async with db.read() as session:
        found = await resolve_stock_keys(session, received, ean=not by_sku, sku=by_sku)
    if missing := [key for key in received if key not in found]:
        raise ValidationFailed(f"unknown products: {', '.join(missing)}", field="products")
    by_size: dict[int, int] = {}
    for key, quantity in received.items():
        by_size[found[key]] = by_size.get(found[key], 0) + quantity
    return await accept_delivery(db, warehouse_id, reference, by_size, insert_stock=insert_stock)


async def delivery_quantity(db: Database, delivery_id: int) -> int:
    async with db.read() as session:
        total = await session.scalar(
            select(func.coalesce(func.sum(SupplierDeliveryLine.quantity), 0)).where(
                SupplierDeliveryLine.delivery_id == delivery_id
            )
        )
        return int(total or 0)


# --- customer orders waiting for a delivery -------------------------------------


@dataclass(frozen=True)
class Reservation:
    """A customer order whose back-ordered units a delivery fills; ``products`` quantities are those units."""

    order_id: int
    products: list[ProductLine]


# Orders whose back-orders still wait for goods: pending, confirmed or being shipped.
_WAITING_STATUSES = (OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PROCESSING)


async def _backorders(session: AsyncSession, warehouse_id: int, size_ids: Sequence[int]) -> list[tuple[int, int, int]]:
    """(order id, product size id, units missing) for open order lines short of stock, oldest order first.

    Only orders whose market allocates from ``warehouse_id`` can be filled by
    a delivery into it. A line's missing units are its quantity less what is
    cancelled, what is allocated in some warehouse and what has already shipped.
    """
    if not size_ids:
        return []
    allocates_here = (
        select(AllocationRuleWarehouse.id)
        .where(
            AllocationRuleWarehouse.allocation_rule_id == Market.allocation_rule_id,
            AllocationRuleWarehouse.warehouse_id == warehouse_id,
        )
        .exists()
    )
    lines = (
        await session.execute(
            select(OrderLine.id, OrderLine.order_id, OrderLine.product_size_id, OrderLine.quantity)
            .add_columns(OrderLine.quantity_cancelled)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Market, Market.id == Order.market_id)
            .where(
                OrderLine.product_size_id.in_(size_ids),
                OrderLine.quantity > OrderLine.quantity_shipped + OrderLine.quantity_cancelled,
                Order.status.in_(_WAITING_STATUSES),
                allocates_here,
            )
            .order_by(Order.order_date, Order.id, OrderLine.id)
        )
    ).all()
    if not lines:
        return []
    line_ids = [row[0] for row in lines]
    allocated: dict[int, int] = {
        line_id: int(total)
        for line_id, total in await session.execute(
            select(OrderAllocation.order_line_id, func.sum(OrderAllocation.quantity))
            .where(OrderAllocation.order_line_id.in_(line_ids))
            .group_by(OrderAllocation.order_line_id)
        )
    }
    shipped: dict[int, int] = {
        line_id: int(total)
        for line_id, total in await session.execute(
            select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(ShipmentLine.order_line_id.in_(line_ids), Shipment.status == ShipmentStatus.COMPLETED)
            .group_by(ShipmentLine.order_line_id)
        )
    }
    found: list[tuple[int, int, int]] = []
    for line_id, order_id, size_id, quantity, cancelled in lines:
        missing = quantity - cancelled - allocated.get(line_id, 0) - shipped.get(line_id, 0)
        if missing > 0 and size_id is not None:
            found.append((order_id, size_id, missing))
    return found


async def delivery_reservations(
    db: Database, warehouse_id: int, reference: str
) -> tuple[DeliveryView, list[Reservation]]:
    """The customer orders whose back-orders an open delivery will fill, oldest order first.

    Deliveries into the warehouse fill back-orders first come, first served:
    in order of arrival (ETA, deliveries without one last, then by id), each
    delivery's units go to the oldest waiting order lines of their size. An
    order is listed for this delivery when some of this delivery's units go to it.
    """
    async with db.read() as session:
        view = await _find_delivery(session, warehouse_id, reference)
        order_lines = {line.id: line for line in view.order.lines}
        wanted = {order_lines[line.supplier_order_line_id].product_size_id for line in view.delivery.lines}
        waiting = await _backorders(session, warehouse_id, sorted(wanted))
        queues: dict[int, list[list[int]]] = {}
        for order_id, size_id, missing in waiting:
            queues.setdefault(size_id, []).append([order_id, missing])
        earlier = (await session.execute(_open_deliveries(warehouse_id))).all()
        arrival = sorted(
            (row[0] for row in earlier),
            key=lambda d: (d.eta is None, d.eta.timestamp() if d.eta else 0.0, d.id),
        )
        reserved: dict[int, dict[int, int]] = {}
        for delivery in arrival:
            if delivery.id == view.delivery.id:
                incoming = {order_lines[line.supplier_order_line_id].product_size_id: line for line in delivery.lines}
            else:
                supplier_lines = await _supplier_lines(session, delivery)
                incoming = {supplier_lines[line.supplier_order_line_id]: line for line in delivery.lines}
            for size_id, line in incoming.items():
                units = line.quantity
                queue = queues.get(size_id, [])
                while units > 0 and queue:
                    order_id, missing = queue[0]
                    take = min(units, missing)
                    units -= take
                    queue[0][1] -= take
                    if queue[0][1] == 0:
                        queue.pop(0)
                    if delivery.id == view.delivery.id:
                        per_size = reserved.setdefault(order_id, {})
                        per_size[size_id] = per_size.get(size_id, 0) + take
            if delivery.id == view.delivery.id:
                break
        by_size = {line.product_size_id: line for line in view.order.lines}
        reservations = []
        for order_id, sizes in reserved.items():
            products = await _products(session, [(by_size[size], units) for size, units in sizes.items()])
            reservations.append(Reservation(order_id, products))
        return view, reservations


async def _supplier_lines(session: AsyncSession, delivery: SupplierDelivery) -> dict[int, int]:
    """Supplier order line id -> product size id, for a delivery's lines."""
    ids = [line.supplier_order_line_id for line in delivery.lines]
    rows = await session.execute(
        select(SupplierOrderLine.id, SupplierOrderLine.product_size_id).where(SupplierOrderLine.id.in_(ids))
    )
    return {line_id: size_id for line_id, size_id in rows}
