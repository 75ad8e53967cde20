"""Root fields for editing orders and returns after they are placed, each with its permission.

``schema.Mutation`` inherits ``OrderEditMutation``.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import FieldExtension

from opencentra.api.graphql import order_edits
from opencentra.api.graphql.order_mutations import OrderPayload, ReturnPayload
from opencentra.api.graphql.permissions import Require


def _root(resolver: Any, permission: str, description: str | None = None) -> Any:
    extensions: list[FieldExtension] = [Require(permission)]
    return strawberry.field(resolver=resolver, extensions=extensions, description=description)


@strawberry.type
class OrderEditMutation:
    set_orders_lock: order_edits.SetOrdersLockPayload = _root(
        order_edits.set_orders_lock, "Order:write", "Lock or unlock orders; also needs Order.isLocked:write."
    )
    update_direct_to_consumer_order: OrderPayload = _root(order_edits.update_direct_to_consumer_order, "Order:write")
    update_wholesale_order: OrderPayload = _root(order_edits.update_wholesale_order, "Order:write")
    unallocate_order: OrderPayload = _root(order_edits.unallocate_order, "Order:write")
    release_remaining_order_authorization: order_edits.ReleaseAuthorizationPayload = _root(
        order_edits.release_remaining_order_authorization, "Payment.cancel:write"
    )
    uncomplete_return: ReturnPayload = _root(order_edits.uncomplete_return, "Return:write")
    delete_return: ReturnPayload = _root(order_edits.delete_return, "Return:write")
