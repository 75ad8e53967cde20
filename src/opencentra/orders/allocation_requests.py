"""Store warehouses that must agree before they ship: Centra's two "ship from store" flows.

* "Direct, then confirm": the order's units are allocated in a store's
  warehouse at once and an allocation request asks the store to confirm.
  Confirming keeps the allocation; rejecting releases it there and takes
  the units from the market's other warehouses instead (whatever cannot be
  found stays back-ordered).
* "Check first, then allocate": the store is asked before anything is
  allocated; accepting allocates the order's back-ordered units in that
  warehouse, all or nothing.

Each answer is one transaction with its stock moves and its events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, OutOfStock, ValidationFailed
from opencentra.events.outbox import record
from opencentra.inventory import services as inventory
from opencentra.orders.models import (
    AllocationRequest,
    AllocationRequestLine,
    AllocationRequestStatus,
    Order,
    OrderAllocation,
    OrderLine,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)
from opencentra.orders.orders import add_allocation
from opencentra.orders.queries import OrderScope, check_in_scope
from opencentra.orders.state import SHIPPABLE, OrderStatus
from opencentra.selection.models import Selection
from opencentra.stores.models import Warehouse

OPEN = (AllocationRequestStatus.ALLOCATED, AllocationRequestStatus.SENT)
PAGE = 100


@dataclass(frozen=True)
class RequestView:
    request: AllocationRequest
    order_number: int
    selection_uuid: str | None
    warehouse_name: str
    # Per request line: the stock item (product size) it is for.
    sizes: dict[int, int | None]


async def _request_event(session: AsyncSession, request: AllocationRequest, order: Order, action: str) -> None:
    await session.flush()
    payload = {"order": order.id, "warehouse": request.warehouse_id, "status": request.status}
    await record(session, "allocation_request", request.id, action, payload, store_id=order.store_id)


async def request_confirmation(
    db: Database, order_id: int, warehouse_id: int, *, expires_at: datetime | None = None
) -> AllocationRequest:
    """Ask ``warehouse_id`` to confirm the order's units allocated there (status "sent")."""
    async with db.write() as session:
        order = await session.scalar(select(Order).where(Order.id == order_id).with_for_update())
        if order is None:
            raise NotFound("order does not exist", field="order")
        rows = (
            await session.execute(
                select(OrderAllocation.order_line_id, OrderAllocation.quantity)
                .join(OrderLine, OrderLine.id == OrderAllocation.order_line_id)
                .where(OrderLine.order_id == order.id, OrderAllocation.warehouse_id == warehouse_id)
                .order_by(OrderAllocation.order_line_id)
            )
        ).all()
        if not rows:
            raise Conflict("the order has nothing allocated in that warehouse", field="warehouse")
        request = AllocationRequest(
            order_id=order.id,
            warehouse_id=warehouse_id,
            status=AllocationRequestStatus.SENT,
            expires_at=expires_at,
            lines=[AllocationRequestLine(order_line_id=line, quantity=qty) for line, qty in rows],
        )
        session.add(request)
        await _request_event(session, request, order, "created")
        return request


async def list_requests(
    db: Database,
    scope: OrderScope,
    *,
    statuses: Sequence[str] | None = OPEN,
    order_numbers: Sequence[int] = (),
    warehouse_ids: Sequence[int] = (),
    page: int = 1,
) -> list[RequestView]:
    """Requests of orders in scope, oldest first, 100 a page (pages from 1)."""
    query = (
        select(AllocationRequest, Order.number, Selection.uuid, Warehouse.name)
        .join(Order, Order.id == AllocationRequest.order_id)
        .join(Warehouse, Warehouse.id == AllocationRequest.warehouse_id)
        .outerjoin(Selection, Selection.id == Order.selection_id)
        .where(*scope.for_writes().conditions())
        .options(selectinload(AllocationRequest.lines))
        .order_by(AllocationRequest.id)
        .limit(PAGE)
        .offset((page - 1) * PAGE)
    )
    if statuses is not None:
        query = query.where(AllocationRequest.status.in_(list(statuses)))
    if order_numbers:
        query = query.where(Order.number.in_(list(order_numbers)))
    if warehouse_ids:
        query = query.where(AllocationRequest.warehouse_id.in_(list(warehouse_ids)))
    async with db.read() as session:
        rows = (await session.execute(query)).all()
        line_ids = [line.order_line_id for row in rows for line in row[0].lines]
        sizes = dict(
            (
                await session.execute(select(OrderLine.id, OrderLine.product_size_id).where(OrderLine.id.in_(line_ids)))
            ).all()
        )
    return [
        RequestView(request, number, uuid, name, {line.id: sizes.get(line.order_line_id) for line in request.lines})
        for request, number, uuid, name in rows
    ]


async def answer(db: Database, scope: OrderScope, request_id: int, *, confirmed: bool) -> AllocationRequest:
    """Confirm (keep the allocation) or reject (take the units elsewhere) an open request."""
    async with db.write() as session:
        order_id = await session.scalar(select(AllocationRequest.order_id).where(AllocationRequest.id == request_id))
        order = (
            None
            if order_id is None
            else await session.scalar(select(Order).where(Order.id == order_id).with_for_update())
        )
        if order is None:
            raise NotFound("Allocation request not found", field="id")
        try:
            await check_in_scope(session, scope, order)
        except NotFound:
            raise NotFound("Allocation request not found", field="id") from None
        request = await session.scalar(
            select(AllocationRequest)
            .where(AllocationRequest.id == request_id)
            .options(selectinload(AllocationRequest.lines))
            .execution_options(populate_existing=True)
        )
        assert request is not None
        if request.status not in OPEN:
            raise Conflict(f"You can't update allocation request, which is in status {request.status}.", field="status")
        if order.status not in SHIPPABLE and order.status != OrderStatus.PENDING:
            request.status = AllocationRequestStatus.OUTDATED
            await _request_event(session, request, order, "updated")
            raise Conflict("Failed to allocate stock from the warehouse.", field="id")
        if confirmed:
            request.status = AllocationRequestStatus.CONFIRMED
        else:
            await _move_elsewhere(session, order, request)
            request.status = AllocationRequestStatus.REJECTED
        await _request_event(session, request, order, "updated")
        return request


async def _move_elsewhere(session: AsyncSession, order: Order, request: AllocationRequest) -> None:
    lines = {
        line.id: line
        for line in await session.scalars(
            select(OrderLine).where(OrderLine.id.in_([rl.order_line_id for rl in request.lines]))
        )
    }
    for request_line in request.lines:
        line = lines[request_line.order_line_id]
        allocation = await session.scalar(
            select(OrderAllocation).where(
                OrderAllocation.order_line_id == line.id, OrderAllocation.warehouse_id == request.warehouse_id
            )
        )
        quantity = min(request_line.quantity, allocation.quantity if allocation else 0)
        if quantity == 0 or line.product_size_id is None or allocation is None:
            continue
        await inventory.release(session, [inventory.Allocation(request.warehouse_id, line.product_size_id, quantity)])
        if allocation.quantity == quantity:
            await session.delete(allocation)
        else:
            allocation.quantity -= quantity
        await session.flush()
        taken = await inventory.allocate(
            session, order.market_id, [(line.product_size_id, quantity)], partial=True, exclude=[request.warehouse_id]
        )
        for found in taken:
            await add_allocation(session, line.id, found.warehouse_id, found.quantity)


async def outstanding(session: AsyncSession, order: Order) -> dict[int, int]:
    """Units per stock-tracked line that are neither allocated, shipped nor cancelled (back-ordered)."""
    lines = list(await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)))
    allocated = dict(
        (
            await session.execute(
                select(OrderAllocation.order_line_id, func.sum(OrderAllocation.quantity))
                .where(OrderAllocation.order_line_id.in_([line.id for line in lines]))
                .group_by(OrderAllocation.order_line_id)
            )
        ).all()
    )
    shipped = dict(
        (
            await session.execute(
                select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
                .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                .where(
                    ShipmentLine.order_line_id.in_([line.id for line in lines]),
                    Shipment.status == ShipmentStatus.COMPLETED,
                )
                .group_by(ShipmentLine.order_line_id)
            )
        ).all()
    )
    result = {}
    for line in lines:
        if line.product_size_id is None:
            continue
        left = line.quantity - line.quantity_cancelled - int(shipped.get(line.id, 0)) - int(allocated.get(line.id, 0))
        if left > 0:
            result[line.id] = left
    return result


async def check_first(db: Database, scope: OrderScope, order_number: int, warehouse_id: int, *, accepted: bool) -> None:
    """A store's answer before allocation; accepting takes the back-ordered units from its warehouse."""
    async with db.write() as session:
        order = await session.scalar(select(Order).where(Order.number == order_number).with_for_update())
        if order is None:
            raise NotFound("order does not exist", field="orderNumber")
        await check_in_scope(session, scope, order)
        if await session.get(Warehouse, warehouse_id) is None:
            raise ValidationFailed("invalid value", field="warehouseId")
        if accepted:
            missing = await outstanding(session, order)
            sizes = {
                line.id: line.product_size_id
                for line in await session.scalars(select(OrderLine).where(OrderLine.id.in_(list(missing))))
            }
            try:
                for line_id, quantity in missing.items():
                    size_id = sizes[line_id]
                    assert size_id is not None
                    taken = await inventory.allocate(
                        session, order.market_id, [(size_id, quantity)], only=[warehouse_id]
                    )
                    for found in taken:
                        await add_allocation(session, line_id, found.warehouse_id, found.quantity)
            except OutOfStock:
                raise Conflict("failed to allocate stock", field="warehouseId") from None
        await session.flush()
        await record(
            session,
            "order",
            order.id,
            "updated",
            {"change": "check_first", "warehouse": warehouse_id, "accepted": accepted, "status": int(order.status)},
            store_id=order.store_id,
        )
