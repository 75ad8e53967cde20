"""Returns: take back units of a shipped shipment, complete, reopen and refund them.

A line can return at most what its shipment shipped of it minus what was
already returned; the refund due is the units' price plus the shipping and
handling given back, minus the voucher value and the return cost. Completing
a return with "return to stock" puts the units back into the warehouses they
shipped from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.inventory import services as inventory
from opencentra.orders._rows import check_amount, lock_order, lock_shipment, order_event
from opencentra.orders.models import (
    Order,
    OrderLine,
    Refund,
    Return,
    ReturnLine,
    ReturnStatus,
    ShipmentLine,
    ShipmentLineWarehouse,
    ShipmentStatus,
)
from opencentra.orders.payments import refund_in


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
        check_amount(getattr(money, name), name)
    async with db.write() as session:
        order, shipment = await lock_shipment(session, shipment_id)
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
        await order_event(session, order, "return_created", **{"return": returned.id})
        await session.refresh(returned, ["lines"])
        if refund:
            # In the same transaction: a refund that fails leaves no return behind.
            returned.refunded = True
            if returned.refund_minor > 0:
                await refund_in(session, order, returned.refund_minor, return_id=returned.id, reason=comment)
            await _finish_return(session, order, returned)
        return returned


async def _lock_return(session: AsyncSession, return_id: int) -> tuple[Order, Return]:
    order_id = await session.scalar(select(Return.order_id).where(Return.id == return_id))
    if order_id is None:
        raise NotFound(f"Return with id={return_id} does not exist", field="return")
    order = await lock_order(session, order_id)
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
    await order_event(session, order, "return_completed", **{"return": returned.id})


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
        await order_event(session, order, "return_reopened", **{"return": returned.id})
        return returned


async def refund_return(db: Database, return_id: int, *, reason: str | None = None) -> Refund:
    """Refund what a return is due, once; a pending return is completed by its refund."""
    async with db.write() as session:
        order, returned = await _lock_return(session, return_id)
        if returned.refunded:
            raise Conflict("the return is already refunded", field="return")
        returned.refunded = True
        refund = await refund_in(session, order, returned.refund_minor, return_id=returned.id, reason=reason)
        if returned.status == ReturnStatus.PENDING:
            await _finish_return(session, order, returned)
        return refund
