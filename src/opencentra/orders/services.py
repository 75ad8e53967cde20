"""Order use cases: create, the status transitions, shipments, capture, returns, refunds.

Every service locks the order row first (``FOR UPDATE`` on PostgreSQL; SQLite
write transactions are serialized by ``BEGIN IMMEDIATE``), so two changes to
one order never interleave. Quantities and money that must never overshoot
are also moved with conditional UPDATEs, so even a missed lock cannot ship,
return, capture or refund twice. Each change writes its outbox event in the
same transaction.

Stock effects (allocation at create, release at cancel, physical stock at
shipment completion and returns) belong to ``opencentra.inventory.services``
and are not wired in yet; the places are marked ``TODO(inventory)``.
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

from opencentra.customers.address import SHIPPING_FIELDS, Address, write_address
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.orders import state
from opencentra.orders.models import (
    Order,
    OrderCounter,
    OrderLine,
    PaymentTransaction,
    Refund,
    Return,
    ReturnLine,
    ReturnStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TransactionKind,
    TransactionStatus,
)
from opencentra.orders.state import Fulfilment, OrderStatus
from opencentra.selection.models import Selection, SelectionStatus
from opencentra.stores.models import Currency, Store

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
        ).where(OrderLine.order_id == order.id)
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
    confirm = draft.confirm
    if confirm is None:
        confirm = bool(await session.scalar(select(Store.autoconfirm_orders).where(Store.id == draft.store_id)))
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
        status=OrderStatus.CONFIRMED if confirm else OrderStatus.PENDING,
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
            order.number = await _take_number(session, draft.number)
            session.add(order)
            await session.flush()
    except IntegrityError:
        raise Conflict("an order already exists for this selection or number", field="selection") from None
    # TODO(inventory): allocate stock for the lines (opencentra.inventory.services).
    await record(
        session,
        "order",
        order.id,
        "created",
        {"number": order.number, "status": int(order.status)},
        store_id=order.store_id,
    )
    return await _reload(session, order.id)


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
        # TODO(inventory): release the order's stock allocations.
        await _order_event(session, order, "cancelled")
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


async def create_shipment(
    db: Database, order_id: int, lines: Mapping[int, int], *, good_to_go: bool = False
) -> Shipment:
    """Put units of order lines (``{order_line_id: quantity}``) on a new shipment.

    Only confirmed or processing orders that are not on hold can ship; a
    quantity above what is left to ship on its line is rejected naming that line.
    """
    if not lines:
        raise ValidationFailed("a shipment needs at least one line", field="products")
    async with db.write() as session:
        order = await _lock_order(session, order_id)
        order.status = state.on_shipment_created(order.status)
        if order.hold:
            raise Conflict("the order is on hold", field="hold")
        order_lines = {
            line.id: line
            for line in (await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id))).all()
        }
        for line_id, quantity in lines.items():
            line = order_lines.get(line_id)
            if line is None:
                raise ValidationFailed(f"line {line_id} is not on order {order.number}", field=f"products.{line_id}")
            if quantity < 1:
                raise ValidationFailed("quantity must be at least 1", field=f"products.{line_id}")
            left = line.quantity - line.quantity_shipped - line.quantity_cancelled
            if quantity > left:
                raise ValidationFailed(
                    f"line {line_id} has {left} left to ship, not {quantity}", field=f"products.{line_id}"
                )

        appendix = order.shipment_count + 1
        order.shipment_count = appendix
        items_value = sum(order_lines[i].unit_price_minor * q for i, q in lines.items())
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
        shipment.amount_minor = await _shipment_amount(session, order, shipment, items_value)
        await _shipment_event(session, order, shipment, "created")
        await _order_event(session, order, "shipment_created", shipment=shipment.number)
        return await _load_shipment(session, shipment.id)


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


async def set_good_to_go(db: Database, shipment_id: int, good_to_go: bool) -> Shipment:
    async with db.write() as session:
        order, shipment = await _lock_shipment(session, shipment_id)
        if shipment.status == ShipmentStatus.COMPLETED:
            raise Conflict("shipment is sent and can not be updated", field="shipment")
        if shipment.good_to_go != good_to_go:
            shipment.good_to_go = good_to_go
            shipment.status = ShipmentStatus.GOOD_TO_GO if good_to_go else ShipmentStatus.IN_PROGRESS
            await _shipment_event(session, order, shipment, "updated")
            await _order_event(session, order, "shipment_updated", shipment=shipment.number)
        return shipment


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
) -> Shipment:
    """Mark a shipment shipped (Good-To-Go implied); completes the order when it was the last one."""
    async with db.write() as session:
        order, shipment = await _lock_shipment(session, shipment_id)
        if shipment.status == ShipmentStatus.COMPLETED:
            raise Conflict("shipment is already completed", field="shipment")
        if order.status not in state.SHIPPABLE:
            raise Conflict(f"a {order.status.name.lower()} order cannot ship", field="order")
        if packages is not None and packages < 0:
            raise ValidationFailed("packages cannot be negative", field="packages")
        shipment.good_to_go = True
        shipment.status = ShipmentStatus.COMPLETED
        shipment.shipped_at = shipped_at or utcnow()
        shipment.carrier = carrier
        shipment.service = service
        shipment.tracking_number = tracking_number
        shipment.return_slip_tracking = return_slip_tracking
        shipment.packages = packages
        # TODO(inventory): the shipped units leave physical stock and their allocations.
        await _shipment_event(session, order, shipment, "completed")
        await _order_event(session, order, "shipment_completed", shipment=shipment.number)
        await _complete_if_done(session, order)
        return shipment


async def capture_shipment(db: Database, shipment_id: int, *, reference: str | None = None) -> Capture:
    """Capture the shipment's amount, exactly once.

    The claim is a conditional UPDATE (``captured = false`` to ``true``): of two
    concurrent captures only one changes the row, and the other returns
    ``captured_now=False`` without touching the payment, as Centra treats a
    repeated capture as a no-op.
    """
    async with db.write() as session:
        order, shipment = await _lock_shipment(session, shipment_id)
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
            return Capture(shipment=await _load_shipment(session, shipment.id), captured_now=False, transaction=None)
        # TODO(payments): ask the order's payment provider to capture before recording success.
        transaction = PaymentTransaction(
            order_id=order.id,
            shipment_id=shipment.id,
            kind=TransactionKind.CAPTURE,
            status=TransactionStatus.SUCCESS,
            amount_minor=shipment.amount_minor,
            provider=order.payment_provider,
            reference=reference or order.payment_reference,
            idempotency_key=f"capture:shipment:{shipment.id}",
        )
        session.add(transaction)
        await session.execute(
            update(Order)
            .where(Order.id == order.id)
            .values(captured_minor=Order.captured_minor + shipment.amount_minor)
            .execution_options(synchronize_session=False)
        )
        await session.flush()
        await session.refresh(order)
        shipment = await _load_shipment(session, shipment.id)
        await _shipment_event(session, order, shipment, "updated")
        await _order_event(session, order, "captured", shipment=shipment.number, amount_minor=shipment.amount_minor)
        await _complete_if_done(session, order)
        return Capture(shipment=shipment, captured_now=True, transaction=transaction)


async def delete_shipment(db: Database, shipment_id: int) -> None:
    """Remove a shipment that is neither shipped nor captured; its units can ship again."""
    async with db.write() as session:
        order, shipment = await _lock_shipment(session, shipment_id)
        if shipment.captured:
            raise Conflict("shipment is captured and can not be deleted", field="shipment")
        if shipment.status == ShipmentStatus.COMPLETED:
            raise Conflict("shipment is sent and can not be deleted", field="shipment")
        for line in shipment.lines:
            await session.execute(
                update(OrderLine)
                .where(OrderLine.id == line.order_line_id)
                .values(quantity_shipped=OrderLine.quantity_shipped - line.quantity)
            )
        number = shipment.number
        await session.execute(delete(Shipment).where(Shipment.id == shipment.id))
        remaining = await session.scalar(select(func.count(Shipment.id)).where(Shipment.order_id == order.id))
        order.status = state.on_shipment_deleted(order.status, int(remaining or 0))
        await record(session, "shipment", shipment_id, "deleted", {"order": order.id, "number": number}, order.store_id)
        await _order_event(session, order, "shipment_deleted", shipment=number)


# --- returns and refunds ------------------------------------------------------


async def create_return(
    db: Database,
    shipment_id: int,
    lines: Mapping[int, int],
    *,
    return_stock: bool = True,
    return_cost_minor: int = 0,
    comment: str | None = None,
) -> Return:
    """Return units of a shipped shipment (``{order_line_id: quantity}``).

    A line can return at most what the shipment shipped of it minus what was
    already returned from it; the refund due is the units' price minus the
    return cost.
    """
    if not lines:
        raise ValidationFailed("a return needs at least one line", field="products")
    _check_amount(return_cost_minor, "return_cost_minor")
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
            if quantity < 1:
                raise ValidationFailed("quantity must be at least 1", field=f"products.{line_id}")
            left = shipped.quantity - shipped.quantity_returned
            if quantity > left:
                raise ValidationFailed(
                    f"line {line_id} has {left} left to return on this shipment, not {quantity}",
                    field=f"products.{line_id}",
                )
        value = sum(prices[i] * q for i, q in lines.items())
        if return_cost_minor > value:
            raise ValidationFailed("the return cost is more than the returned items", field="return_cost_minor")
        returned = Return(
            order_id=order.id,
            shipment_id=shipment.id,
            status=ReturnStatus.PENDING,
            return_stock=return_stock,
            return_cost_minor=return_cost_minor,
            refund_minor=value - return_cost_minor,
            refunded=False,
            comment=comment,
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
    # TODO(inventory): with return_stock, put the returned units back into physical stock.
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
    # TODO(payments): ask the payment provider to refund before recording success.
    session.add(
        PaymentTransaction(
            order_id=order.id,
            refund_id=refund.id,
            kind=TransactionKind.REFUND,
            status=TransactionStatus.SUCCESS,
            amount_minor=amount_minor,
            provider=order.payment_provider,
            reference=order.payment_reference,
            idempotency_key=f"refund:{refund.id}",
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
