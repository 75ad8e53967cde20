"""Orders: create, read, and the status transitions (place, confirm, complete, archive, cancel, hold).

Quantities and money that must never overshoot are moved with conditional
UPDATEs, so even a missed lock cannot ship, return, capture or refund twice.
Shipments, payments (capture, refund) and returns are their own modules;
``opencentra.orders`` exports the use cases of all four.

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

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable

from opencentra.address import SHIPPING_FIELDS, Address, write_address
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, OutOfStock, ValidationFailed
from opencentra.events.models import Event
from opencentra.events.outbox import record
from opencentra.inventory import services as inventory
from opencentra.inventory.models import Stock
from opencentra.inventory.stock_changes import EVENT_OBJECT_TYPE as STOCK_EVENT_TYPE
from opencentra.inventory.stock_changes import latest_stock_changes
from opencentra.orders import state
from opencentra.orders._rows import (
    check_amount,
    fulfilment_of,
    full_order_query,
    lock_order,
    order_event,
    reload_order,
)
from opencentra.orders.models import (
    Order,
    OrderAllocation,
    OrderCounter,
    OrderLine,
    PaymentTransaction,
    Shipment,
    TransactionKind,
    TransactionStatus,
)
from opencentra.orders.state import OrderStatus
from opencentra.selection.models import Selection, SelectionStatus
from opencentra.stores.models import Currency, OversellingMode, Store

ORDER_NUMBER_COUNTER = "order_number"


# --- inputs -------------------------------------------------------------------


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


# --- helpers ------------------------------------------------------------------


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


def append_comment(current: str | None, addition: str | None) -> str | None:
    if not addition:
        return current
    return f"{current}\n{addition}" if current else addition


# --- stock --------------------------------------------------------------------


async def add_allocation(session: AsyncSession, order_line_id: int, warehouse_id: int, quantity: int) -> None:
    existing = await session.scalar(
        select(OrderAllocation).where(
            OrderAllocation.order_line_id == order_line_id, OrderAllocation.warehouse_id == warehouse_id
        )
    )
    # The stock change that just took these units (GraphQL OrderLineAllocation.stockChangeLine).
    change_id = await _stock_change_for_line(session, order_line_id, warehouse_id)
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


async def _stock_change_for_line(session: AsyncSession, order_line_id: int, warehouse_id: int) -> int | None:
    """The newest stock event of the row holding ``order_line_id``'s size in ``warehouse_id``.

    Allocating takes the units in this transaction with the stock row locked
    (or guarded) until commit, so that event is the change that took them
    (see ``inventory.stock_changes``).
    """
    statement = (
        select(func.max(Event.id))
        .select_from(OrderLine)
        .join(Stock, (Stock.product_size_id == OrderLine.product_size_id) & (Stock.warehouse_id == warehouse_id))
        .join(Event, (Event.object_type == STOCK_EVENT_TYPE) & (Event.object_id == Stock.id))
        .where(OrderLine.id == order_line_id)
    )
    found = await session.scalar(statement)
    return None if found is None else int(found)


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
        check_amount(getattr(draft, name), name)
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
    return await reload_order(session, order.id)


async def create_order(db: Database, draft: OrderDraft) -> Order:
    async with db.write() as session:
        return await insert_order(session, draft)


async def get_order(db: Database, order_id: int) -> Order:
    """The order with its lines and shipments (and their lines) loaded."""
    async with db.read() as session:
        order = await session.scalar(full_order_query(order_id))
    if order is None:
        raise NotFound("order does not exist", field="order")
    return order


async def get_order_by_number(db: Database, number: int) -> Order:
    async with db.read() as session:
        order_id = await session.scalar(select(Order.id).where(Order.number == number))
        order = None if order_id is None else await session.scalar(full_order_query(order_id))
    if order is None:
        raise NotFound("order does not exist", field="order")
    return order


# --- status transitions -------------------------------------------------------


async def place_order_in(session: AsyncSession, order_id: int) -> Order:
    """Check out an incomplete order: pending, or confirmed if the store autoconfirms."""
    order = await lock_order(session, order_id)
    autoconfirm = bool(await session.scalar(select(Store.autoconfirm_orders).where(Store.id == order.store_id)))
    order.status = state.place(order.status, autoconfirm=autoconfirm)
    await order_event(session, order, "placed")
    return await reload_order(session, order.id)


async def confirm_order(db: Database, order_id: int) -> Order:
    async with db.write() as session:
        order = await lock_order(session, order_id)
        order.status = state.confirm(order.status)
        await order_event(session, order, "confirmed")
        return await reload_order(session, order.id)


async def complete_order(db: Database, order_id: int) -> Order:
    """Complete an order explicitly; it also completes by itself when the last shipment is done."""
    async with db.write() as session:
        order = await lock_order(session, order_id)
        order.status = state.complete(order.status, await fulfilment_of(session, order))
        await order_event(session, order, "completed")
        return await reload_order(session, order.id)


async def archive_order(db: Database, order_id: int) -> Order:
    async with db.write() as session:
        order = await lock_order(session, order_id)
        order.status = state.archive(order.status)
        await order_event(session, order, "archived")
        return await reload_order(session, order.id)


async def cancel_order(db: Database, order_id: int) -> Order:
    """Cancel before any capture: open shipments go, every unit not shipped is cancelled."""
    async with db.write() as session:
        order = await lock_order(session, order_id)
        order.status = state.cancel(order.status, await fulfilment_of(session, order))
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
        await order_event(session, order, "cancelled")
        return await reload_order(session, order.id)


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
        order = await lock_order(session, order_id)
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
            await order_event(session, order, "notes", fields=changed)
        return await reload_order(session, order.id)


async def set_hold(db: Database, order_id: int, hold: bool) -> Order:
    async with db.write() as session:
        order = await lock_order(session, order_id)
        state.check_flag_change(order.status, "hold")
        if order.hold != hold:
            order.hold = hold
            await order_event(session, order, "hold" if hold else "unhold", hold=hold)
        return await reload_order(session, order.id)


async def set_waiting_for_payment(db: Database, order_id: int, waiting: bool) -> Order:
    async with db.write() as session:
        order = await lock_order(session, order_id)
        state.check_flag_change(order.status, "waiting_for_payment")
        if order.waiting_for_payment != waiting:
            order.waiting_for_payment = waiting
            await order_event(session, order, "waiting_for_payment", waiting_for_payment=waiting)
        return await reload_order(session, order.id)
