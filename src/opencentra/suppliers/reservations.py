"""The customer orders a supplier delivery fills, as an integration may see them.

``delivery_reservations`` finds every order waiting for the delivery's goods;
an integration sees only those its ``OrderScope`` reaches (its stores and
markets), read as order views in one batch.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from opencentra.db.engine import Database
from opencentra.orders.models import Order
from opencentra.orders.queries import OrderDetails, OrderScope, load_details
from opencentra.suppliers.services import ProductLine, Reservation


async def reserving_orders(
    db: Database, scope: OrderScope, reservations: Sequence[Reservation]
) -> list[tuple[OrderDetails, list[ProductLine]]]:
    """Each reserving order the scope reaches, in the reservations' order, with the units it gets."""
    if not reservations:
        return []
    async with db.read() as session:
        visible = set(
            await session.scalars(
                select(Order.id).where(Order.id.in_([r.order_id for r in reservations]), *scope.conditions())
            )
        )
        found = await load_details(session, [r.order_id for r in reservations if r.order_id in visible])
    by_id = {details.order.id: details for details in found}
    return [(by_id[r.order_id], r.products) for r in reservations if r.order_id in by_id]
