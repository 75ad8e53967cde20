"""Order use cases: create, the status transitions, shipments, capture, returns, refunds.

Every service locks the order row first (``FOR UPDATE`` on PostgreSQL; SQLite
write transactions are serialized by ``BEGIN IMMEDIATE``), so two changes to
one order never interleave. Quantities and money that must never overshoot
are also moved with conditional UPDATEs, so even a missed lock cannot ship,
return, capture or refund twice. Each change writes its outbox event in the
same transaction.

Stock. An order takes its stock in the transaction that creates it
(``inventory.allocate`` over the market's allocation rule) and records where
in ``order_allocations``. A store whose overselling mode is OFF (or a draft
with ``backorder=True``) may create the order without enough stock: whatever
is free is allocated and recorded, and the rest of each line is a back-order
(its quantity minus its allocations). A shipment is assigned warehouses from
its lines' allocations (``shipment_line_warehouses``), taking back-ordered
units from stock at that moment or refusing with ``OutOfStock``; completing
the shipment ships those units (physical and allocated drop together);
cancelling releases every allocation; completing a return with "return to
stock" puts the units back into the warehouses they shipped from. Lines
without a ``product_size_id`` (legacy products) never touch stock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.expression import Executable

from opencentra import payments
from opencentra.catalog.bundle_models import OrderBundleLine
from opencentra.catalog.bundles import bundle_lines_as_components
from opencentra.customers.address import SHIPPING_FIELDS, Address, write_address
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, OutOfStock, ValidationFailed
from opencentra.events.outbox import record
from opencentra.inventory import services as inventory
from opencentra.inventory.stock_changes import latest_stock_changes, stock_change_for_line
from opencentra.orders import state
from opencentra.orders.models import (
    Order,
    OrderAllocation,
    OrderCounter,
    OrderLine,
    PaymentTransaction,
    Refund,
    Return,
    ReturnLine,
    ReturnStatus,
    Shipment,
    ShipmentLine,
    ShipmentLineWarehouse,
    ShipmentStatus,
    TransactionKind,
    TransactionStatus,
)
from opencentra.orders.state import Fulfilment, OrderStatus
from opencentra.selection.models import Selection, SelectionStatus
from opencentra.stores.models import Currency, OversellingMode, Store

ORDER_NUMBER_COUNTER = "order_number"


# --- inputs and results -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineDraft:
    product_name: str
    quantity: int
    # What one unit costs the customer, discounts applied and tax included.
    unit_price_minor: int
    # Before discounts; defaults to the unit price.
    original_unit_price_minor: int | None = None
    product_size_id: int | None = None
    display_item_id: int | None = None
    variant_name: str | None = None
    size_name: str | None = None
    sku: str | None = None
    ean: str | None = None
    tax_bp: int = 0
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class OrderDraft:
    store_id: int
    market_id: int
    pricelist_id: int
    currency_id: int
    customer_id: int
    email: str
    lines: Sequence[LineDraft]
    billing: Address = field(default_factory=Address)
    # None: ship to the billing address.
    shipping: Address | None = None
    selection_id: int | None = None
    language_id: int | None = None
    country_id: int | None = None
    shipping_minor: int = 0
    handling_minor: int = 0
    # An order-level discount that the line prices do not already include.
    discount_minor: int = 0
    tax_minor: int = 0
    shipping_method_id: int | None = None
    payment_method_id: int | None = None
    payment_provider: str = "manual"
    payment_reference: str | None = None
    comment: str | None = None
    internal_comment: str | None = None
    # An explicit order number (Order API ``orderNumber``); otherwise the next free one.
    number: int | None = None
    # None: confirm if the store has "Autoconfirm Orders".
    confirm: bool | None = None
    waiting_for_payment: bool = False
    order_date: datetime | None = None
    delivery_date: datetime | None = None
    cancel_date: datetime | None = None
    po_number: str | None = None
    extra_attributes: Mapping[str, str] = field(default_factory=dict)
    # Take stock for the lines now (Order API ``adjustStock``). False leaves every
    # line back-ordered: its stock is taken when a shipment is made for it.
    take_stock: bool = True
    # May lines be short of stock? None: only if the store's overselling mode is OFF.
    backorder: bool | None = None
    # Leave the order incomplete (status 0) until ``place_order`` (Order API ``createOnly``).
    incomplete: bool = False


@dataclass(frozen=True, slots=True)
class Capture:
    shipment: Shipment
    # False when the shipment was already captured (capturing again is a no-op).
    captured_now: bool
    transaction: PaymentTransaction | None


# --- helpers ------------------------------------------------------------------


def _full_order_query(order_id: int) -> Select[Order]:
    return (
        select(Order)
        .where(Order.id == order_id)
        .options(selectinload(Order.lines), selectinload(Order.shipments).selectinload(Shipment.lines))
        .execution_options(populate_existing=True)
    )


async def _reload(session: AsyncSession, order_id: int) -> Order:
    await session.flush()
    order = await session.scalar(_full_order_query(order_id))
    assert order is not None
    return order


async def _lock_order(session: AsyncSession, order_id: int) -> Order:
    order = await session.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound("order does not exist", field="order")
    return order


async def _load_shipment(session: AsyncSession, shipment_id: int) -> Shipment:
    """The shipment as stored now, with its lines."""
    await session.flush()
    shipment = await session.scalar(
        select(Shipment)
        .where(Shipment.id == shipment_id)
        .options(selectinload(Shipment.lines))
        .execution_options(populate_existing=True)
    )
    assert shipment is not None
    return shipment


async def _lock_shipment(session: AsyncSession, shipment_id: int) -> tuple[Order, Shipment]:
    order_id = await session.scalar(select(Shipment.order_id).where(Shipment.id == shipment_id))
    if order_id is None:
        raise NotFound("shipment does not exist", field="shipment")
    order = await _lock_order(session, order_id)
    return order, await _load_shipment(session, shipment_id)


async def _order_event(session: AsyncSession, order: Order, change: str, **extra: Any) -> None:
    await session.flush()
    payload = {"change": change, "status": int(order.status), **extra}
    await record(session, "order", order.id, "updated", payload, store_id=order.store_id)


async def _shipment_event(session: AsyncSession, order: Order, shipment: Shipment, action: str) -> None:
    await session.flush()
    payload = {"order": order.id, "number": shipment.number, "status": shipment.status, "captured": shipment.captured}
    await record(session, "shipment", shipment.id, action, payload, store_id=order.store_id)


async def _fulfilment(session: AsyncSession, order: Order) -> Fulfilment:
    counts = (
        await session.execute(
            select(
                func.count(Shipment.id),
                func.count(Shipment.id).filter(Shipment.status == ShipmentStatus.COMPLETED),
                func.count(Shipment.id).filter(Shipment.captured.is_(True)),
            ).where(Shipment.order_id == order.id)
        )
    ).one()
    left = await session.scalar(
        select(
            func.coalesce(func.sum(OrderLine.quantity - OrderLine.quantity_shipped - OrderLine.quantity_cancelled), 0)
        ).where(
            OrderLine.order_id == order.id,
            # A bundle line ships as its component lines; it has nothing of its own to ship.
            OrderLine.id.not_in(select(OrderBundleLine.order_line_id)),
        )
    )
    return Fulfilment(
        shipments=counts[0],
        shipments_completed=counts[1],
        shipments_captured=counts[2],
        units_left_to_ship=int(left or 0),
        captured_minor=order.captured_minor,
    )


async def _complete_if_done(session: AsyncSession, order: Order) -> None:
    if state.can_complete(order.status, await _fulfilment(session, order)):
        order.status = OrderStatus.COMPLETED
        await _order_event(session, order, "completed")


def _check_amount(value: int, name: str) -> None:
    if value < 0:
        raise ValidationFailed(f"{name} cannot be negative", field=name)


async def _take_number(session: AsyncSession, explicit: int | None) -> int:
    if explicit is not None:
        if explicit < 1:
            raise ValidationFailed("an order number is a positive whole number", field="number")
        if await session.scalar(select(Order.id).where(Order.number == explicit)):
            raise Conflict(f"order number {explicit} already exists", field="number")
        return explicit
    while True:
        # One atomic UPDATE: concurrent checkouts queue on the counter row and never share a number.
        taken = await session.scalar(
            update(OrderCounter)
            .where(OrderCounter.name == ORDER_NUMBER_COUNTER)
            .values(value=OrderCounter.value + 1)
            .returning(OrderCounter.value)
        )
        if taken is None:
            start = await session.scalar(select(func.coalesce(func.max(Order.number), 0)))
            statement: Executable
            values = {"name": ORDER_NUMBER_COUNTER, "value": int(start or 0)}
            if session.get_bind().dialect.name == "sqlite":
                statement = sqlite_insert(OrderCounter).values(values).on_conflict_do_nothing()
            else:
                statement = pg_insert(OrderCounter).values(values).on_conflict_do_nothing()
            await session.execute(statement)
            continue
        # Explicit numbers may already sit ahead of the counter; skip them.
        if not await session.scalar(select(Order.id).where(Order.number == taken)):
            return int(taken)


# --- stock --------------------------------------------------------------------


async def add_allocation(session: AsyncSession, order_line_id: int, warehouse_id: int, quantity: int) -> None:
    existing = await session.scalar(
        select(OrderAllocation).where(
            OrderAllocation.order_line_id == order_line_id, OrderAllocation.warehouse_id == warehouse_id
        )
    )
    # The stock change that just took these units (GraphQL OrderLineAllocation.stockChangeLine).
    change_id = await stock_change_for_line(session, order_line_id, warehouse_id)
    if existing is None:
        session.add(
            OrderAllocation(
                order_line_id=order_line_id, warehouse_id=warehouse_id, quantity=quantity, stock_change_id=change_id
            )
        )
    else:
        existing.quantity += quantity
        existing.stock_change_id = change_id
    await session.flush()


async def _unassigned_allocations(session: AsyncSession, order_line_id: int, shipment_id: int) -> dict[int, int]:
    """The line's allocated units per warehouse that no other open shipment has claimed, in allocation order."""
    allocated = (
        await session.execute(
            select(OrderAllocation.warehouse_id, OrderAllocation.quantity)
            .where(OrderAllocation.order_line_id == order_line_id)
            .order_by(OrderAllocation.id)
        )
    ).all()
    claimed: dict[int, int] = {
        warehouse_id: int(quantity)
        for warehouse_id, quantity in (
            await session.execute(
                select(ShipmentLineWarehouse.warehouse_id, func.sum(ShipmentLineWarehouse.quantity))
                .join(ShipmentLine, ShipmentLine.id == ShipmentLineWarehouse.shipment_line_id)
                .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                .where(
                    ShipmentLine.order_line_id == order_line_id,
                    Shipment.id != shipment_id,
                    Shipment.status != ShipmentStatus.COMPLETED,
                )
                .group_by(ShipmentLineWarehouse.warehouse_id)
            )
        ).all()
    }
    free: dict[int, int] = {}
    for warehouse_id, quantity in allocated:
        left = quantity - int(claimed.get(warehouse_id, 0))
        if left > 0:
            free[warehouse_id] = left
    return free


async def _assign_warehouses(
    session: AsyncSession, order: Order, shipment_id: int, order_lines: Mapping[int, OrderLine]
) -> None:
    """Say where each unit of the shipment comes from, taking back-ordered units from stock now."""
    shipment_lines = (
        await session.scalars(
            select(ShipmentLine).where(ShipmentLine.shipment_id == shipment_id).order_by(ShipmentLine.id)
        )
    ).all()
    for shipment_line in shipment_lines:
        line = order_lines[shipment_line.order_line_id]
        if line.product_size_id is None:
            continue
        free = await _unassigned_allocations(session, line.id, shipment_id)
        missing = shipment_line.quantity - sum(free.values())
        if missing > 0:
            try:
                taken = await inventory.allocate(session, order.market_id, [(line.product_size_id, missing)])
            except OutOfStock as short:
                raise OutOfStock(
                    f"line {line.id} has {missing} unit(s) without allocated stock and the warehouses "
                    "have too few to take them now",
                    field=f"products.{line.id}",
                    unavailable=short.unavailable,
                ) from None
            for allocation in taken:
                await add_allocation(session, line.id, allocation.warehouse_id, allocation.quantity)
                free[allocation.warehouse_id] = free.get(allocation.warehouse_id, 0) + allocation.quantity
        left = shipment_line.quantity
        for warehouse_id, quantity in free.items():
            take = min(quantity, left)
            if take <= 0:
                break
            session.add(
                ShipmentLineWarehouse(shipment_line_id=shipment_line.id, warehouse_id=warehouse_id, quantity=take)
            )
            left -= take
    await session.flush()


async def _ship_stock(session: AsyncSession, shipment: Shipment) -> None:
    """The shipment's units leave their warehouses and their order lines' allocations."""
    rows = (
        await session.execute(
            select(
                ShipmentLineWarehouse.warehouse_id,
                OrderLine.product_size_id,
                ShipmentLineWarehouse.quantity,
                OrderLine.id,
            )
            .join(ShipmentLine, ShipmentLine.id == ShipmentLineWarehouse.shipment_line_id)
            .join(OrderLine, OrderLine.id == ShipmentLine.order_line_id)
            .where(ShipmentLine.shipment_id == shipment.id, OrderLine.product_size_id.is_not(None))
            .order_by(ShipmentLineWarehouse.id)
        )
    ).all()
    if not rows:
        return
    await inventory.ship_many(session, [(warehouse, size, quantity) for warehouse, size, quantity, _ in rows if size])
    for warehouse_id, _size, quantity, order_line_id in rows:
        allocation = await session.scalar(
            select(OrderAllocation).where(
                OrderAllocation.order_line_id == order_line_id, OrderAllocation.warehouse_id == warehouse_id
            )
        )
        if allocation is None or allocation.quantity < quantity:  # pragma: no cover - assigned from allocations
            raise Conflict(f"line {order_line_id} has too little allocated to ship", field="shipment")
        if allocation.quantity == quantity:
            await session.delete(allocation)
        else:
            allocation.quantity -= quantity
    await session.flush()


async def _release_order_stock(session: AsyncSession, order: Order) -> None:
    rows = (
        await session.execute(
            select(OrderAllocation.warehouse_id, OrderLine.product_size_id, OrderAllocation.quantity)
            .join(OrderLine, OrderLine.id == OrderAllocation.order_line_id)
            .where(OrderLine.order_id == order.id)
        )
    ).all()
    if not rows:
        return
    await inventory.release(
        session, [inventory.Allocation(warehouse, size, quantity) for warehouse, size, quantity in rows if size]
    )
    await session.execute(
        delete(OrderAllocation).where(
            OrderAllocation.order_line_id.in_(select(OrderLine.id).where(OrderLine.order_id == order.id))
        )
    )


async def _restock_return(session: AsyncSession, returned: Return) -> None:
    """Put returned units back where they shipped from.

    Earlier restocking returns of the same shipment line consumed its
    warehouses in order, so this one continues after them.
    """
    for return_line in returned.lines:
        size_id = await session.scalar(
            select(OrderLine.product_size_id).where(OrderLine.id == return_line.order_line_id)
        )
        if size_id is None:
            continue
        before = await session.scalar(
            select(func.coalesce(func.sum(ReturnLine.quantity), 0))
            .join(Return, Return.id == ReturnLine.return_id)
            .where(
                ReturnLine.shipment_line_id == return_line.shipment_line_id,
                Return.id != returned.id,
                Return.status == ReturnStatus.COMPLETED,
                Return.return_stock.is_(True),
            )
        )
        skip = int(before or 0)
        left = return_line.quantity
        sources = (
            await session.execute(
                select(ShipmentLineWarehouse.warehouse_id, ShipmentLineWarehouse.quantity)
                .where(ShipmentLineWarehouse.shipment_line_id == return_line.shipment_line_id)
                .order_by(ShipmentLineWarehouse.id)
            )
        ).all()
        for warehouse_id, quantity in sources:
            room = quantity - min(skip, quantity)
            skip -= quantity - room
            take = min(room, left)
            if take > 0:
                await inventory.restock(session, warehouse_id, size_id, take)
                left -= take
            if left == 0:
                break


# --- creating and reading -----------------------------------------------------


async def insert_order(session: AsyncSession, draft: OrderDraft) -> Order:
    """Create an order in the caller's transaction (checkout uses this).

    With a ``selection_id`` the selection is completed in the same
    transaction; a selection that is already an order is a ``Conflict``, and
    the UNIQUE ``orders.selection_id`` backs that up against a race.
    """
    if not draft.lines:
        raise ValidationFailed("the order is empty", field="products")
    for index, line in enumerate(draft.lines):
        if line.quantity < 1:
            raise ValidationFailed("quantity must be at least 1", field=f"products.{index}.quantity")
        if line.unit_price_minor < 0 or (line.original_unit_price_minor or 0) < 0:
            raise ValidationFailed("prices cannot be negative", field=f"products.{index}.price")
        if not line.product_name.strip():
            raise ValidationFailed("a line needs a product name", field=f"products.{index}.name")
    for name in ("shipping_minor", "handling_minor", "discount_minor", "tax_minor"):
        _check_amount(getattr(draft, name), name)
    items_total = sum(line.unit_price_minor * line.quantity for line in draft.lines)
    grand_total = items_total + draft.shipping_minor + draft.handling_minor - draft.discount_minor
    if grand_total < 0:
        raise ValidationFailed("the discount is larger than the order", field="discount_minor")

    decimals = await session.scalar(select(Currency.decimals).where(Currency.id == draft.currency_id))
    if decimals is None:
        raise ValidationFailed("unknown currency", field="currency")
    store = (
        await session.execute(
            select(Store.autoconfirm_orders, Store.overselling_mode).where(Store.id == draft.store_id)
        )
    ).first()
    if store is None:
        raise ValidationFailed("unknown store", field="store")
    confirm = draft.confirm
    if confirm is None:
        confirm = bool(store.autoconfirm_orders)
    backorder = draft.backorder
    if backorder is None:
        backorder = store.overselling_mode == OversellingMode.OFF
    order = Order(
        store_id=draft.store_id,
        market_id=draft.market_id,
        pricelist_id=draft.pricelist_id,
        currency_id=draft.currency_id,
        currency_decimals=decimals,
        language_id=draft.language_id,
        country_id=draft.country_id,
        selection_id=draft.selection_id,
        customer_id=draft.customer_id,
        status=OrderStatus.INCOMPLETE
        if draft.incomplete
        else (OrderStatus.CONFIRMED if confirm else OrderStatus.PENDING),
        hold=False,
        waiting_for_payment=draft.waiting_for_payment,
        email=draft.email.strip().lower(),
        items_total_minor=items_total,
        discount_minor=draft.discount_minor,
        shipping_minor=draft.shipping_minor,
        handling_minor=draft.handling_minor,
        tax_minor=draft.tax_minor,
        grand_total_minor=grand_total,
        shipping_method_id=draft.shipping_method_id,
        payment_method_id=draft.payment_method_id,
        payment_provider=draft.payment_provider,
        payment_reference=draft.payment_reference,
        comment=draft.comment,
        internal_comment=draft.internal_comment,
        order_date=draft.order_date or utcnow(),
        delivery_date=draft.delivery_date,
        cancel_date=draft.cancel_date,
        po_number=draft.po_number,
        extra_attributes=dict(draft.extra_attributes),
        shipment_count=0,
        captured_minor=0,
        refunded_minor=0,
    )
    write_address(order, "billing_", draft.billing)
    write_address(order, "shipping_", draft.shipping or draft.billing, SHIPPING_FIELDS)
    for line in draft.lines:
        original = line.unit_price_minor if line.original_unit_price_minor is None else line.original_unit_price_minor
        order.lines.append(
            OrderLine(
                product_size_id=line.product_size_id,
                display_item_id=line.display_item_id,
                product_name=line.product_name,
                variant_name=line.variant_name,
                size_name=line.size_name,
                sku=line.sku,
                ean=line.ean,
                quantity=line.quantity,
                quantity_shipped=0,
                quantity_returned=0,
                quantity_cancelled=0,
                unit_price_minor=line.unit_price_minor,
                original_unit_price_minor=original,
                discount_minor=max(original - line.unit_price_minor, 0) * line.quantity,
                tax_bp=line.tax_bp,
                comment=line.comment,
            )
        )
    # One savepoint: a clash (the selection or number taken by a concurrent order) leaves the
    # caller's transaction as it was, with the selection still open.
    try:
        async with session.begin_nested():
            if draft.selection_id is not None:
                completed = await session.scalar(
                    update(Selection)
                    .where(Selection.id == draft.selection_id, Selection.status == SelectionStatus.OPEN)
                    .values(status=SelectionStatus.COMPLETED, updated_at=utcnow())
                    .returning(Selection.id)
                )
                if completed is None:
                    raise Conflict("the selection is not open; it may already be an order", field="selection")
            allocations = await _allocate_draft(session, draft, backorder=backorder) if draft.take_stock else []
            order.number = await _take_number(session, draft.number)
            session.add(order)
            await session.flush()
            changes = await latest_stock_changes(
                session, [(w, order.lines[i].product_size_id or 0) for i, w, _ in allocations]
            )
            for line_index, warehouse_id, quantity in allocations:
                order_line = order.lines[line_index]
                session.add(
                    OrderAllocation(
                        order_line_id=order_line.id,
                        warehouse_id=warehouse_id,
                        quantity=quantity,
                        stock_change_id=changes.get((warehouse_id, order_line.product_size_id or 0)),
                    )
                )
            await session.flush()
    except IntegrityError:
        raise Conflict("an order already exists for this selection or number", field="selection") from None
    await record(
        session,
        "order",
        order.id,
        "created",
        {"number": order.number, "status": int(order.status)},
        store_id=order.store_id,
    )
    return await _reload(session, order.id)


async def _allocate_draft(session: AsyncSession, draft: OrderDraft, *, backorder: bool) -> list[tuple[int, int, int]]:
    """Take the draft's stock: (draft line index, warehouse id, quantity) per allocation."""
    tracked = [(index, line) for index, line in enumerate(draft.lines) if line.product_size_id is not None]
    if not tracked:
        return []
    requested = [(line.product_size_id, line.quantity) for _, line in tracked if line.product_size_id is not None]
    try:
        taken = await inventory.allocate(session, draft.market_id, requested, partial=backorder)
    except OutOfStock as short:
        # Name the draft's own lines, not the positions among the stock-tracked ones.
        unavailable = [{**entry, "line": tracked[int(str(entry["line"]))][0]} for entry in short.unavailable]
        first = unavailable[0]["line"] if unavailable else 0
        raise OutOfStock(short.message, field=f"products.{first}", unavailable=unavailable) from None
    return [(tracked[a.line][0], a.warehouse_id, a.quantity) for a in taken]


async def create_order(db: Database, draft: OrderDraft) -> Order:
    async with db.write() as session:
        return await insert_order(session, draft)


async def get_order(db: Database, order_id: int) -> Order:
    """The order with its lines and shipments (and their lines) loaded."""
    async with db.read() as session:
        order = await session.scalar(_full_order_query(order_id))
    if order is None:
        raise NotFound("order does not exist", field="order")
    return order


async def get_order_by_number(db: Database, number: int) -> Order:
    async with db.read() as session:
        order_id = await session.scalar(select(Order.id).where(Order.number == number))
        order = None if order_id is None else await session.scalar(_full_order_query(order_id))
    if order is None:
        raise NotFound("order does not exist", field="order")
    return order


# --- status transitions -------------------------------------------------------


async def place_order_in(session: AsyncSession, order_id: int) -> Order:
    """Check out an incomplete order: pending, or confirmed if the store autoconfirms."""
    order = await _lock_order(session, order_id)
    autoconfirm = bool(await session.scalar(select(Store.autoconfirm_orders).where(Store.id == order.store_id)))
    order.status = state.place(order.status, autoconfirm=autoconfirm)
    await _order_event(session, order, "placed")
    return await _reload(session, order.id)


async def confirm_order(db: Database, order_id: int) -> Order:
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        order.status = state.confirm(order.status)
        await _order_event(session, order, "confirmed")
        return await _reload(session, order.id)


async def complete_order(db: Database, order_id: int) -> Order:
    """Complete an order explicitly; it also completes by itself when the last shipment is done."""
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        order.status = state.complete(order.status, await _fulfilment(session, order))
        await _order_event(session, order, "completed")
        return await _reload(session, order.id)


async def archive_order(db: Database, order_id: int) -> Order:
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        order.status = state.archive(order.status)
        await _order_event(session, order, "archived")
        return await _reload(session, order.id)


async def cancel_order(db: Database, order_id: int) -> Order:
    """Cancel before any capture: open shipments go, every unit not shipped is cancelled."""
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        order.status = state.cancel(order.status, await _fulfilment(session, order))
        await _release_order_stock(session, order)
        await session.execute(delete(Shipment).where(Shipment.order_id == order.id))
        await session.execute(
            update(OrderLine)
            .where(OrderLine.order_id == order.id)
            .values(quantity_shipped=0, quantity_cancelled=OrderLine.quantity)
        )
        session.add(
            PaymentTransaction(
                order_id=order.id,
                kind=TransactionKind.CANCEL,
                status=TransactionStatus.SUCCESS,
                amount_minor=order.grand_total_minor,
                provider=order.payment_provider,
                reference=order.payment_reference,
                idempotency_key=f"cancel:order:{order.id}",
            )
        )
        await _order_event(session, order, "cancelled")
        return await _reload(session, order.id)


async def update_notes(
    db: Database,
    order_id: int,
    *,
    internal_comment: str | None = None,
    replace_internal_comment: bool = False,
    comment: str | None = None,
    replace_comment: bool = False,
    extra_attributes: Mapping[str, str] | None = None,
) -> Order:
    """Comments and custom attributes (Order API PUT /orders).

    A comment is appended on a new line unless ``replace_*``; an attribute
    set to the empty string is removed.
    """
    for name, value in (extra_attributes or {}).items():
        if not name or len(name) > 128 or len(value) > 4000:
            raise ValidationFailed(
                "attribute names are 1-128 characters, values at most 4000", field=f"extraAttributes.{name}"
            )
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        changed: list[str] = []
        if internal_comment is not None:
            new = (
                internal_comment
                if replace_internal_comment
                else append_comment(order.internal_comment, internal_comment)
            )
            if new != order.internal_comment:
                order.internal_comment = new
                changed.append("internal_comment")
        if comment is not None:
            new = comment if replace_comment else append_comment(order.comment, comment)
            if new != order.comment:
                order.comment = new
                changed.append("comment")
        if extra_attributes:
            attributes = dict(order.extra_attributes or {})
            for name, value in extra_attributes.items():
                if value == "":
                    attributes.pop(name, None)
                else:
                    attributes[name] = value
            if attributes != order.extra_attributes:
                order.extra_attributes = attributes
                changed.append("extra_attributes")
        if changed:
            order.updated_at = utcnow()
            await _order_event(session, order, "notes", fields=changed)
        return await _reload(session, order.id)


async def set_hold(db: Database, order_id: int, hold: bool) -> Order:
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        state.check_flag_change(order.status, "hold")
        if order.hold != hold:
            order.hold = hold
            await _order_event(session, order, "hold" if hold else "unhold", hold=hold)
        return await _reload(session, order.id)


async def set_waiting_for_payment(db: Database, order_id: int, waiting: bool) -> Order:
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        state.check_flag_change(order.status, "waiting_for_payment")
        if order.waiting_for_payment != waiting:
            order.waiting_for_payment = waiting
            await _order_event(session, order, "waiting_for_payment", waiting_for_payment=waiting)
        return await _reload(session, order.id)


# --- shipments ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShipInfo:
    """What a WMS reports when goods leave: carrier, tracking and so on."""

    carrier: str | None = None
    service: str | None = None
    tracking_number: str | None = None
    return_slip_tracking: str | None = None
    packages: int | None = None
    shipped_at: datetime | None = None
    # Appended to the order's internal comment.
    internal_comment: str | None = None


def _check_lines(lines: Mapping[int, int]) -> None:
    if not lines:
        raise ValidationFailed("a shipment needs at least one line", field="products")
    for line_id, quantity in lines.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValidationFailed("quantity must be at least 1", field=f"products.{line_id}")


async def _place_lines(session: AsyncSession, order: Order, shipment: Shipment, lines: Mapping[int, int]) -> None:
    """Put units of order lines on the shipment; a quantity above what is left to ship is refused."""
    # A bundle line ships as its component lines, which hold the stock.
    lines = await bundle_lines_as_components(session, lines)
    order_lines = {
        line.id: line for line in (await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))).all()
    }
    for line_id, quantity in lines.items():
        line = order_lines.get(line_id)
        if line is None:
            raise ValidationFailed(f"line {line_id} is not on order {order.number}", field=f"products.{line_id}")
        left = line.quantity - line.quantity_shipped - line.quantity_cancelled
        if quantity > left:
            raise ValidationFailed(
                f"line {line_id} has {left} left to ship, not {quantity}", field=f"products.{line_id}"
            )
    for line_id, quantity in lines.items():
        moved = await session.scalar(
            update(OrderLine)
            .where(
                OrderLine.id == line_id,
                OrderLine.quantity_shipped + OrderLine.quantity_cancelled + quantity <= OrderLine.quantity,
            )
            .values(quantity_shipped=OrderLine.quantity_shipped + quantity)
            .returning(OrderLine.id)
        )
        if moved is None:  # pragma: no cover - the order lock already serializes this
            raise ValidationFailed(f"line {line_id} has too little left to ship", field=f"products.{line_id}")
        session.add(ShipmentLine(shipment_id=shipment.id, order_line_id=line_id, quantity=quantity))
    await session.flush()
    await _assign_warehouses(session, order, shipment.id, order_lines)
    items_value = sum(order_lines[i].unit_price_minor * q for i, q in lines.items())
    shipment.amount_minor = await _shipment_amount(session, order, shipment, items_value)


async def _take_lines_back(session: AsyncSession, shipment: Shipment) -> None:
    """The shipment's units become unshipped again (before a delete or a change of lines)."""
    for line in shipment.lines:
        await session.execute(
            update(OrderLine)
            .where(OrderLine.id == line.order_line_id)
            .values(quantity_shipped=OrderLine.quantity_shipped - line.quantity)
        )


def append_comment(current: str | None, addition: str | None) -> str | None:
    if not addition:
        return current
    return f"{current}\n{addition}" if current else addition


async def create_shipment(
    db: Database,
    order_id: int,
    lines: Mapping[int, int],
    *,
    good_to_go: bool = False,
    capture: bool = False,
    shipped: ShipInfo | None = None,
    reuse_open: bool = False,
) -> Shipment:
    """Put units of order lines (``{order_line_id: quantity}``) on a new shipment.

    Only confirmed or processing orders that are not on hold can ship; a
    quantity above what is left to ship on its line is rejected naming that
    line. ``capture`` captures the shipment's amount and ``shipped``
    completes it, in the same transaction: if either fails, no shipment is
    made. With ``reuse_open`` an open, uncaptured shipment with exactly these
    lines is returned instead of a second one (Order API without createAlways).
    """
    _check_lines(lines)
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        if reuse_open:
            same = await _identical_open_shipment(session, order, lines)
            if same is not None:
                return same
        order.status = state.on_shipment_created(order.status)
        if order.hold:
            raise Conflict("the order is on hold", field="hold")
        appendix = order.shipment_count + 1
        order.shipment_count = appendix
        shipment = Shipment(
            order_id=order.id,
            number=f"{order.number}-{appendix}",
            appendix=appendix,
            status=ShipmentStatus.GOOD_TO_GO if good_to_go else ShipmentStatus.IN_PROGRESS,
            good_to_go=good_to_go,
            captured=False,
            amount_minor=0,
        )
        session.add(shipment)
        await session.flush()
        await _place_lines(session, order, shipment, lines)
        await _shipment_event(session, order, shipment, "created")
        await _order_event(session, order, "shipment_created", shipment=shipment.number)
        if capture:
            await _capture_in(session, order, shipment, reference=None)
        if shipped is not None:
            await _complete_shipment_in(session, order, await _load_shipment(session, shipment.id), shipped)
        return await _load_shipment(session, shipment.id)


async def _identical_open_shipment(session: AsyncSession, order: Order, lines: Mapping[int, int]) -> Shipment | None:
    candidates = (
        await session.scalars(
            select(Shipment)
            .where(
                Shipment.order_id == order.id,
                Shipment.status != ShipmentStatus.COMPLETED,
                Shipment.captured.is_(False),
            )
            .options(selectinload(Shipment.lines))
            .order_by(Shipment.id)
        )
    ).all()
    for candidate in candidates:
        if {line.order_line_id: line.quantity for line in candidate.lines} == dict(lines):
            return candidate
    return None


async def _shipment_amount(session: AsyncSession, order: Order, shipment: Shipment, items_value: int) -> int:
    """What capturing this shipment takes: its items, plus the order-level amounts on the first shipment.

    The last shipment takes whatever is left, so the captures add up to the
    grand total exactly, whatever rounding the split produced.
    """
    others = await session.scalar(
        select(func.coalesce(func.sum(Shipment.amount_minor), 0)).where(
            Shipment.order_id == order.id, Shipment.id != shipment.id
        )
    )
    remaining = order.grand_total_minor - int(others or 0)
    fulfilment = await _fulfilment(session, order)
    if fulfilment.units_left_to_ship == 0:
        return max(remaining, 0)
    extras = order.shipping_minor + order.handling_minor - order.discount_minor if shipment.appendix == 1 else 0
    return max(min(items_value + extras, remaining), 0)


def _check_changeable(shipment: Shipment, refunded: bool) -> None:
    """Centra's order of refusals for changing a shipment's lines."""
    if shipment.status == ShipmentStatus.COMPLETED:
        raise Conflict("shipment is sent and can not be updated", field="shipment")
    if shipment.captured:
        raise Conflict("shipment is captured and can not be updated", field="shipment")
    if refunded:
        raise Conflict("shipment has refunds and can not be updated", field="shipment")


async def update_shipment(
    db: Database, shipment_id: int, *, lines: Mapping[int, int] | None = None, good_to_go: bool | None = None
) -> Shipment:
    """Change an open shipment's lines (replacing them) and/or its Good-To-Go flag.

    Lines change only while the shipment is neither shipped nor captured;
    Good-To-Go can change until it is shipped.
    """
    if lines is not None:
        _check_lines(lines)
    async with db.write() as session:
        order, shipment = await _lock_shipment(session, shipment_id)
        changed = False
        if lines is not None and {line.order_line_id: line.quantity for line in shipment.lines} != dict(lines):
            _check_changeable(shipment, refunded=order.refunded_minor > 0)
            await _take_lines_back(session, shipment)
            await session.execute(delete(ShipmentLine).where(ShipmentLine.shipment_id == shipment.id))
            await session.flush()
            await _place_lines(session, order, shipment, lines)
            changed = True
        if good_to_go is not None and shipment.good_to_go != good_to_go:
            if shipment.status == ShipmentStatus.COMPLETED:
                raise Conflict("shipment is sent and can not be updated", field="shipment")
            shipment.good_to_go = good_to_go
            shipment.status = ShipmentStatus.GOOD_TO_GO if good_to_go else ShipmentStatus.IN_PROGRESS
            changed = True
        if changed:
            shipment.updated_at = utcnow()
            await _shipment_event(session, order, shipment, "updated")
            await _order_event(session, order, "shipment_updated", shipment=shipment.number)
        return await _load_shipment(session, shipment.id)


async def set_good_to_go(db: Database, shipment_id: int, good_to_go: bool) -> Shipment:
    return await update_shipment(db, shipment_id, good_to_go=good_to_go)


async def _complete_shipment_in(session: AsyncSession, order: Order, shipment: Shipment, info: ShipInfo) -> None:
    if shipment.status == ShipmentStatus.COMPLETED:
        raise Conflict("shipment is already completed", field="shipment")
    if order.status not in state.SHIPPABLE:
        raise Conflict(f"a {order.status.name.lower()} order cannot ship", field="order")
    if info.packages is not None and info.packages < 0:
        raise ValidationFailed("packages cannot be negative", field="packages")
    shipment.good_to_go = True
    shipment.status = ShipmentStatus.COMPLETED
    shipment.shipped_at = info.shipped_at or utcnow()
    shipment.carrier = info.carrier
    shipment.service = info.service
    shipment.tracking_number = info.tracking_number
    shipment.return_slip_tracking = info.return_slip_tracking
    shipment.packages = info.packages
    shipment.updated_at = utcnow()
    order.internal_comment = append_comment(order.internal_comment, info.internal_comment)
    await _ship_stock(session, shipment)
    await _shipment_event(session, order, shipment, "completed")
    await _order_event(session, order, "shipment_completed", shipment=shipment.number)
    await _complete_if_done(session, order)


async def complete_shipment(
    db: Database,
    shipment_id: int,
    *,
    carrier: str | None = None,
    service: str | None = None,
    tracking_number: str | None = None,
    return_slip_tracking: str | None = None,
    packages: int | None = None,
    shipped_at: datetime | None = None,
    internal_comment: str | None = None,
    capture: bool = False,
) -> Shipment:
    """Mark a shipment shipped (Good-To-Go implied); completes the order when it was the last one.

    With ``capture`` an uncaptured shipment is captured first, in the same
    transaction (an already captured one is left as it is); if the capture
    fails, nothing ships.
    """
    info = ShipInfo(carrier, service, tracking_number, return_slip_tracking, packages, shipped_at, internal_comment)
    async with db.write() as session:
        order, shipment = await _lock_shipment(session, shipment_id)
        if capture and not shipment.captured:
            await _capture_in(session, order, shipment, reference=None)
            shipment = await _load_shipment(session, shipment.id)
        await _complete_shipment_in(session, order, shipment, info)
        return await _load_shipment(session, shipment.id)


async def _capture_in(
    session: AsyncSession, order: Order, shipment: Shipment, *, reference: str | None
) -> tuple[bool, PaymentTransaction | None]:
    """Claim the capture with a conditional UPDATE: (False, None) if it was already captured.

    The transaction is None when nothing was left to capture (the order was paid in full elsewhere).
    """
    if order.status == OrderStatus.CANCELLED:
        raise Conflict("can not capture a cancelled order", field="order")
    claimed = await session.scalar(
        update(Shipment)
        .where(Shipment.id == shipment.id, Shipment.captured.is_(False))
        .values(captured=True, updated_at=utcnow())
        .returning(Shipment.id)
        .execution_options(synchronize_session=False)
    )
    if claimed is None:
        return False, None
    # An order paid in full elsewhere (captured when it was inserted) has nothing left to capture.
    await session.refresh(order)
    due = min(shipment.amount_minor, max(order.grand_total_minor - order.captured_minor, 0))
    if due == 0:
        shipment = await _load_shipment(session, shipment.id)
        await _shipment_event(session, order, shipment, "updated")
        await _complete_if_done(session, order)
        return True, None
    key = f"capture:shipment:{shipment.id}"
    settled = await _provider_moves("capture", order, due, reference or order.payment_reference, key)
    if settled is None:
        raise Conflict("capture failed", field="capture")
    transaction = PaymentTransaction(
        order_id=order.id,
        shipment_id=shipment.id,
        kind=TransactionKind.CAPTURE,
        status=TransactionStatus.SUCCESS,
        amount_minor=due,
        provider=order.payment_provider,
        reference=settled or reference or order.payment_reference,
        idempotency_key=key,
    )
    session.add(transaction)
    await session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(captured_minor=Order.captured_minor + due)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    await session.refresh(order)
    shipment = await _load_shipment(session, shipment.id)
    await _shipment_event(session, order, shipment, "updated")
    await _order_event(session, order, "captured", shipment=shipment.number, amount_minor=due)
    await _complete_if_done(session, order)
    return True, transaction


async def _provider_moves(kind: str, order: Order, amount_minor: int, reference: str | None, key: str) -> str | None:
    """Ask the order's payment provider to capture or refund; None when it declined.

    Answers the provider's transaction id ("" when it gives none). An order
    whose provider this server does not run (``manual``, or one inserted by
    an integration that was paid elsewhere) is recorded as settled. The call
    happens inside the order's transaction, so a refusal changes nothing.
    """
    try:
        provider = payments.provider_for(order.payment_provider)
    except payments.UnknownProvider:
        return ""
    move = getattr(provider, kind, None)
    if move is None:  # a provider registered before the seam had captures and refunds
        return ""
    answer = await move(reference, amount_minor, key)
    if isinstance(answer, payments.Settled):
        return answer.reference or ""
    if answer is True:
        return ""
    return None


async def capture_shipment(db: Database, shipment_id: int, *, reference: str | None = None) -> Capture:
    """Capture the shipment's amount, exactly once.

    The claim is a conditional UPDATE (``captured = false`` to ``true``): of two
    concurrent captures only one changes the row, and the other returns
    ``captured_now=False`` without touching the payment, as Centra treats a
    repeated capture as a no-op.
    """
    async with db.write() as session:
        order, shipment = await _lock_shipment(session, shipment_id)
        claimed, transaction = await _capture_in(session, order, shipment, reference=reference)
        return Capture(
            shipment=await _load_shipment(session, shipment.id), captured_now=claimed, transaction=transaction
        )


async def delete_shipment(db: Database, shipment_id: int) -> str:
    """Remove a shipment that is neither shipped nor captured; its units can ship again.

    The order keeps its stock allocations. Returns the removed shipment's number.
    """
    async with db.write() as session:
        order, shipment = await _lock_shipment(session, shipment_id)
        if shipment.captured:
            raise Conflict("shipment has invoices or creditnotes and could not be deleted.", field="shipment")
        if shipment.status == ShipmentStatus.COMPLETED:
            raise Conflict("shipment is sent and can not be deleted", field="shipment")
        await _take_lines_back(session, shipment)
        number = shipment.number
        await session.execute(delete(Shipment).where(Shipment.id == shipment.id))
        remaining = await session.scalar(select(func.count(Shipment.id)).where(Shipment.order_id == order.id))
        order.status = state.on_shipment_deleted(order.status, int(remaining or 0))
        await record(session, "shipment", shipment_id, "deleted", {"order": order.id, "number": number}, order.store_id)
        await _order_event(session, order, "shipment_deleted", shipment=number)
        return number


# --- returns and refunds ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReturnAmounts:
    """Order-level money a return gives back (or takes off) besides the items.

    ``*_from_shipment`` takes the amount the shipment carried instead: the
    order's shipping (or handling) if this is the order's first shipment.
    """

    return_cost_minor: int = 0
    shipping_minor: int = 0
    handling_minor: int = 0
    voucher_minor: int = 0
    shipping_from_shipment: bool = False
    handling_from_shipment: bool = False
    voucher_from_shipment: bool = False


async def create_return(
    db: Database,
    shipment_id: int,
    lines: Mapping[int, int],
    *,
    return_stock: bool = True,
    return_cost_minor: int = 0,
    comment: str | None = None,
    amounts: ReturnAmounts | None = None,
    created_from: str | None = None,
    created_at: datetime | None = None,
    refund: bool = False,
) -> Return:
    """Return units of a shipped shipment (``{order_line_id: quantity}``).

    A line can return at most what the shipment shipped of it minus what was
    already returned from it; the refund due is the units' price plus the
    shipping and handling given back, minus the voucher value and the return
    cost. With ``refund`` that amount is refunded at once and the return
    completed, in the same transaction.
    """
    if not lines:
        raise ValidationFailed("a return needs at least one line", field="products")
    for line_id, quantity in lines.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValidationFailed("quantity must be at least 1", field=f"products.{line_id}")
    money = amounts or ReturnAmounts(return_cost_minor=return_cost_minor)
    for name in ("return_cost_minor", "shipping_minor", "handling_minor", "voucher_minor"):
        _check_amount(getattr(money, name), name)
    async with db.write() as session:
        order, shipment = await _lock_shipment(session, shipment_id)
        if shipment.status != ShipmentStatus.COMPLETED:
            raise Conflict("only a shipped shipment can be returned", field="shipment")
        by_order_line = {line.order_line_id: line for line in shipment.lines}
        prices = {
            line.id: line.unit_price_minor
            for line in (await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))).all()
        }
        for line_id, quantity in lines.items():
            shipped = by_order_line.get(line_id)
            if shipped is None:
                raise ValidationFailed(
                    f"line {line_id} is not on shipment {shipment.number}", field=f"products.{line_id}"
                )
            left = shipped.quantity - shipped.quantity_returned
            if quantity > left:
                raise ValidationFailed(
                    f"line {line_id} has {left} left to return on this shipment, not {quantity}",
                    field=f"products.{line_id}",
                )
        first = shipment.appendix == 1
        shipping = (order.shipping_minor if first else 0) if money.shipping_from_shipment else money.shipping_minor
        handling = (order.handling_minor if first else 0) if money.handling_from_shipment else money.handling_minor
        voucher = (order.discount_minor if first else 0) if money.voucher_from_shipment else money.voucher_minor
        return_cost_minor = money.return_cost_minor
        value = sum(prices[i] * q for i, q in lines.items()) + shipping + handling - voucher
        if return_cost_minor > value:
            raise ValidationFailed("the return cost is more than the returned items", field="return_cost_minor")
        returned = Return(
            order_id=order.id,
            shipment_id=shipment.id,
            status=ReturnStatus.PENDING,
            return_stock=return_stock,
            return_cost_minor=return_cost_minor,
            shipping_minor=shipping,
            handling_minor=handling,
            voucher_minor=voucher,
            refund_minor=value - return_cost_minor,
            refunded=False,
            comment=comment,
            created_from=created_from,
            created_at=created_at or utcnow(),
        )
        session.add(returned)
        await session.flush()
        for line_id, quantity in lines.items():
            shipped = by_order_line[line_id]
            moved = await session.scalar(
                update(ShipmentLine)
                .where(
                    ShipmentLine.id == shipped.id, ShipmentLine.quantity_returned + quantity <= ShipmentLine.quantity
                )
                .values(quantity_returned=ShipmentLine.quantity_returned + quantity)
                .returning(ShipmentLine.id)
                .execution_options(synchronize_session=False)
            )
            if moved is None:  # pragma: no cover - the order lock already serializes this
                raise ValidationFailed(f"line {line_id} has too little left to return", field=f"products.{line_id}")
            await session.execute(
                update(OrderLine)
                .where(OrderLine.id == line_id)
                .values(quantity_returned=OrderLine.quantity_returned + quantity)
            )
            session.add(
                ReturnLine(
                    return_id=returned.id,
                    shipment_line_id=shipped.id,
                    order_line_id=line_id,
                    quantity=quantity,
                    unit_price_minor=prices[line_id],
                )
            )
        await session.flush()
        await record(session, "return", returned.id, "created", {"order": order.id}, store_id=order.store_id)
        await _order_event(session, order, "return_created", **{"return": returned.id})
        await session.refresh(returned, ["lines"])
        if refund:
            # In the same transaction: a refund that fails leaves no return behind.
            returned.refunded = True
            if returned.refund_minor > 0:
                await _refund(session, order, returned.refund_minor, return_id=returned.id, reason=comment)
            await _finish_return(session, order, returned)
        return returned


async def _lock_return(session: AsyncSession, return_id: int) -> tuple[Order, Return]:
    order_id = await session.scalar(select(Return.order_id).where(Return.id == return_id))
    if order_id is None:
        raise NotFound(f"Return with id={return_id} does not exist", field="return")
    order = await _lock_order(session, order_id)
    returned = await session.scalar(
        select(Return)
        .where(Return.id == return_id)
        .options(selectinload(Return.lines))
        .execution_options(populate_existing=True)
    )
    assert returned is not None
    return order, returned


async def _finish_return(session: AsyncSession, order: Order, returned: Return) -> None:
    returned.status = ReturnStatus.COMPLETED
    returned.completed_at = utcnow()
    if returned.return_stock:
        await _restock_return(session, returned)
    await session.flush()
    await record(session, "return", returned.id, "completed", {"order": order.id}, store_id=order.store_id)
    await _order_event(session, order, "return_completed", **{"return": returned.id})


async def complete_return(db: Database, return_id: int) -> Return:
    async with db.write() as session:
        order, returned = await _lock_return(session, return_id)
        if returned.status == ReturnStatus.COMPLETED:
            raise Conflict("the return is already completed", field="return")
        await _finish_return(session, order, returned)
        return returned


async def reopen_return(db: Database, return_id: int) -> Return:
    """Set a completed return back to pending (Order API ``completed: false``).

    Refused once it is refunded, or when completing it put units back in
    stock: taking them out again could not be told apart from a stock count.
    """
    async with db.write() as session:
        order, returned = await _lock_return(session, return_id)
        if returned.status == ReturnStatus.PENDING:
            return returned
        if returned.refunded:
            raise Conflict("the return is refunded and can not be reopened", field="return")
        if returned.return_stock:
            raise Conflict("the return put its items back in stock and can not be reopened", field="return")
        returned.status = ReturnStatus.PENDING
        returned.completed_at = None
        await session.flush()
        await record(session, "return", returned.id, "updated", {"order": order.id}, store_id=order.store_id)
        await _order_event(session, order, "return_reopened", **{"return": returned.id})
        return returned


async def _refund(
    session: AsyncSession, order: Order, amount_minor: int, *, return_id: int | None, reason: str | None
) -> Refund:
    if amount_minor < 1:
        raise ValidationFailed("a refund must be more than zero", field="amount")
    # Conditional: refunds can never add up to more than was captured.
    took = await session.scalar(
        update(Order)
        .where(Order.id == order.id, Order.refunded_minor + amount_minor <= Order.captured_minor)
        .values(refunded_minor=Order.refunded_minor + amount_minor)
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    )
    if took is None:
        raise Conflict("cannot refund more than was captured", field="amount")
    refund = Refund(order_id=order.id, return_id=return_id, amount_minor=amount_minor, reason=reason)
    session.add(refund)
    await session.flush()
    key = f"refund:{refund.id}"
    settled = await _provider_moves("refund", order, amount_minor, order.payment_reference, key)
    if settled is None:
        raise Conflict("refund failed", field="refund")
    session.add(
        PaymentTransaction(
            order_id=order.id,
            refund_id=refund.id,
            kind=TransactionKind.REFUND,
            status=TransactionStatus.SUCCESS,
            amount_minor=amount_minor,
            provider=order.payment_provider,
            reference=settled or order.payment_reference,
            idempotency_key=key,
        )
    )
    await session.flush()
    await session.refresh(order)
    await _order_event(session, order, "refunded", refund=refund.id, amount_minor=amount_minor)
    return refund


async def refund_return(db: Database, return_id: int, *, reason: str | None = None) -> Refund:
    """Refund what a return is due, once; a pending return is completed by its refund."""
    async with db.write() as session:
        order, returned = await _lock_return(session, return_id)
        if returned.refunded:
            raise Conflict("the return is already refunded", field="return")
        returned.refunded = True
        refund = await _refund(session, order, returned.refund_minor, return_id=returned.id, reason=reason)
        if returned.status == ReturnStatus.PENDING:
            await _finish_return(session, order, returned)
        return refund


async def refund_order(db: Database, order_id: int, amount_minor: int, *, reason: str | None = None) -> Refund:
    """Refund part of what was captured, without a return (e.g. a goodwill refund)."""
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        return await _refund(session, order, amount_minor, return_id=None, reason=reason)
