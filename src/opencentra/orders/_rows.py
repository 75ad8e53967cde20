"""The order and shipment rows every order use case works on: loading, locking, events, fulfilment.

Every use case locks the order row first (``FOR UPDATE`` on PostgreSQL;
SQLite write transactions are serialized by ``BEGIN IMMEDIATE``), so two
changes to one order never interleave. Each change writes its outbox event in
the same transaction. ``fulfilment_of`` is what the state machine
(``orders.state``) decides completion and cancelling on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.catalog.bundle_models import OrderBundleLine
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.orders import state
from opencentra.orders.models import Order, OrderLine, Shipment, ShipmentStatus
from opencentra.orders.state import Fulfilment, OrderStatus


def full_order_query(order_id: int) -> Select[Order]:
    return (
        select(Order)
        .where(Order.id == order_id)
        .options(selectinload(Order.lines), selectinload(Order.shipments).selectinload(Shipment.lines))
        .execution_options(populate_existing=True)
    )


async def reload_order(session: AsyncSession, order_id: int) -> Order:
    await session.flush()
    order = await session.scalar(full_order_query(order_id))
    assert order is not None
    return order


async def lock_order(session: AsyncSession, order_id: int) -> Order:
    order = await session.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound("order does not exist", field="order")
    return order


async def load_shipment(session: AsyncSession, shipment_id: int) -> Shipment:
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


async def lock_shipment(session: AsyncSession, shipment_id: int) -> tuple[Order, Shipment]:
    order_id = await session.scalar(select(Shipment.order_id).where(Shipment.id == shipment_id))
    if order_id is None:
        raise NotFound("shipment does not exist", field="shipment")
    order = await lock_order(session, order_id)
    return order, await load_shipment(session, shipment_id)


async def order_event(session: AsyncSession, order: Order, change: str, **extra: Any) -> None:
    await session.flush()
    payload = {"change": change, "status": int(order.status), **extra}
    await record(session, "order", order.id, "updated", payload, store_id=order.store_id)


async def shipment_event(session: AsyncSession, order: Order, shipment: Shipment, action: str) -> None:
    await session.flush()
    payload = {"order": order.id, "number": shipment.number, "status": shipment.status, "captured": shipment.captured}
    await record(session, "shipment", shipment.id, action, payload, store_id=order.store_id)


async def fulfilment_of(session: AsyncSession, order: Order) -> Fulfilment:
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


async def complete_if_done(session: AsyncSession, order: Order) -> None:
    if state.can_complete(order.status, await fulfilment_of(session, order)):
        order.status = OrderStatus.COMPLETED
        await order_event(session, order, "completed")


def check_amount(value: int, name: str) -> None:
    if value < 0:
        raise ValidationFailed(f"{name} cannot be negative", field=name)
