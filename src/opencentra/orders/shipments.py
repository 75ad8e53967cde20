"""Shipments: put order lines on a shipment, change it, ship it (complete) or delete it.

A shipment is assigned warehouses from its lines' allocations, taking
back-ordered units from stock at that moment or refusing with
``OutOfStock``; completing it ships those units (physical and allocated drop
together) and completes the order when it was the last one. Capturing a
shipment's amount is ``orders.payments``; ``create_shipment`` and
``complete_shipment`` can capture in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.catalog.bundles import bundle_lines_as_components
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, OutOfStock, ValidationFailed
from opencentra.events.outbox import record
from opencentra.inventory import services as inventory
from opencentra.orders import state
from opencentra.orders._rows import (
    complete_if_done,
    fulfilment_of,
    load_shipment,
    lock_order,
    lock_shipment,
    order_event,
    shipment_event,
)
from opencentra.orders.models import (
    Order,
    OrderAllocation,
    OrderLine,
    Shipment,
    ShipmentLine,
    ShipmentLineWarehouse,
    ShipmentStatus,
)
from opencentra.orders.orders import add_allocation, append_comment
from opencentra.orders.payments import capture_in


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


# --- lines and their stock ----------------------------------------------------


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
    fulfilment = await fulfilment_of(session, order)
    if fulfilment.units_left_to_ship == 0:
        return max(remaining, 0)
    extras = order.shipping_minor + order.handling_minor - order.discount_minor if shipment.appendix == 1 else 0
    return max(min(items_value + extras, remaining), 0)


# --- use cases ----------------------------------------------------------------


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
        order = await lock_order(session, order_id)
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
        await shipment_event(session, order, shipment, "created")
        await order_event(session, order, "shipment_created", shipment=shipment.number)
        if capture:
            await capture_in(session, order, shipment, reference=None)
        if shipped is not None:
            await _complete_shipment_in(session, order, await load_shipment(session, shipment.id), shipped)
        return await load_shipment(session, shipment.id)


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
        order, shipment = await lock_shipment(session, shipment_id)
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
            await shipment_event(session, order, shipment, "updated")
            await order_event(session, order, "shipment_updated", shipment=shipment.number)
        return await load_shipment(session, shipment.id)


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
    await shipment_event(session, order, shipment, "completed")
    await order_event(session, order, "shipment_completed", shipment=shipment.number)
    await complete_if_done(session, order)


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
        order, shipment = await lock_shipment(session, shipment_id)
        if capture and not shipment.captured:
            await capture_in(session, order, shipment, reference=None)
            shipment = await load_shipment(session, shipment.id)
        await _complete_shipment_in(session, order, shipment, info)
        return await load_shipment(session, shipment.id)


async def delete_shipment(db: Database, shipment_id: int) -> str:
    """Remove a shipment that is neither shipped nor captured; its units can ship again.

    The order keeps its stock allocations. Returns the removed shipment's number.
    """
    async with db.write() as session:
        order, shipment = await lock_shipment(session, shipment_id)
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
        await order_event(session, order, "shipment_deleted", shipment=number)
        return number
