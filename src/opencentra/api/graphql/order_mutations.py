"""Order, shipment and return mutations: each calls one ``opencentra.orders`` use case.

Business failures come back as ``userErrors`` (HTTP 200, nothing changed);
the payload carries the object as it is after the mutation.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import orders
from opencentra.api.graphql.common import DateTimeTz, UserError, UserWarning, user_error
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.orders import (
    Order,
    PaymentHistoryEntry,
    Return,
    Shipment,
    make_order,
    parse_order_id,
    return_object,
    shipment_object,
)
from opencentra.api.graphql.stock import MonetaryValueInput
from opencentra.errors import DomainError, NotFound


@strawberry.input(description="Exactly one of id (the 32-hex order id) or number.")
class OrderRef:
    id: str | None = None
    number: int | None = None


@strawberry.input
class IdInput:
    id: int


def order_key(ref: OrderRef) -> orders.scoped.OrderKey:
    """The orders domain's key for a referenced order; NotFound for a reference that names none."""
    if (ref.id is None) == (ref.number is None):
        raise NotFound("Exactly one input field should be provided: id or number", field="order")
    if ref.id is not None:
        internal = parse_order_id(ref.id)
        if internal is None:
            raise NotFound(f"Could not find Order with ID {ref.id}", field="order")
        return orders.scoped.OrderKey(order_id=internal, shown=f"ID {ref.id}")
    return orders.scoped.OrderKey(number=ref.number, shown=f"number {ref.number}")


# --- orders ---------------------------------------------------------------------------------


@strawberry.input
class ConfirmOrderInput:
    order: OrderRef


@strawberry.type
class OrderPayload:
    order: Order | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def confirm_order(info: Info[Any, Any], input: ConfirmOrderInput) -> OrderPayload:
    context: GraphQLContext = info.context
    try:
        found = await orders.scoped.confirm_order(context.db, order_key(input.order), store_scope=context.store_id)
    except DomainError as error:
        return OrderPayload(order=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return OrderPayload(order=make_order(found), user_errors=[], user_warnings=[])


@strawberry.input
class EmailOptionsInput:
    send_email: bool = False


@strawberry.input
class CancelStockActionInput:
    remove_items_from_stock: bool = False


@strawberry.input
class CancelOrderInput:
    comment: str | None = None
    email_options: EmailOptionsInput | None = None
    stock_action: CancelStockActionInput | None = None
    cancel_authorization: bool = False


async def cancel_direct_to_consumer_order(
    info: Info[Any, Any], id: str, input: CancelOrderInput | None = None
) -> OrderPayload:
    context: GraphQLContext = info.context
    warnings: list[UserWarning] = []
    if input is not None and input.email_options is not None and input.email_options.send_email:
        warnings.append(
            UserWarning(message="OpenCentra sends no emails; none was sent", path=["input", "emailOptions"])
        )
    try:
        found = await orders.scoped.cancel_order(context.db, order_key(OrderRef(id=id)), store_scope=context.store_id)
    except DomainError as error:
        return OrderPayload(order=None, user_errors=[user_error(error, "id")], user_warnings=warnings)
    await context.after_write()
    return OrderPayload(order=make_order(found), user_errors=[], user_warnings=warnings)


# --- shipments ------------------------------------------------------------------------------


@strawberry.input
class ShipmentLineInput:
    order_line: IdInput
    quantity: int


@strawberry.input
class ShipmentInfoInput:
    carrier: str | None = None
    service: str | None = None
    packages_number: int | None = None
    tracking_number: str | None = None
    return_tracking_number: str | None = None
    internal_shipping_cost: MonetaryValueInput | None = None


@strawberry.input
class ShipmentMethodInput:
    plugin_id: int | None = None


@strawberry.input
class ShipmentCreateInput:
    order: OrderRef
    lines: list[ShipmentLineInput]
    is_good_to_go: bool = False
    is_paid: bool = False
    capture: bool = False
    created_at: DateTimeTz | None = None
    shipped_at: DateTimeTz | None = None
    shipment_info: ShipmentInfoInput | None = None
    send_email: bool = False
    additional_message: str | None = None
    allocate_demand: bool = False
    shipment_method: ShipmentMethodInput | None = None


@strawberry.type
class ShipmentPayload:
    shipment: Shipment | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


@strawberry.type
class CaptureShipmentPayload:
    shipment: Shipment | None
    payment_history_entry: PaymentHistoryEntry | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _shipping(value: ShipmentInfoInput | None, shipped_at: datetime | None) -> orders.scoped.Shipping:
    if value is None:
        return orders.scoped.Shipping(shipped_at=shipped_at)
    return orders.scoped.Shipping(
        shipped_at=shipped_at,
        carrier=value.carrier,
        service=value.service,
        tracking_number=value.tracking_number,
        return_slip_tracking=value.return_tracking_number,
        packages=value.packages_number,
    )


async def create_shipment(info: Info[Any, Any], input: ShipmentCreateInput) -> ShipmentPayload:
    """Create, then (as asked) capture and complete; a failed capture is a warning, as in Centra."""
    context: GraphQLContext = info.context
    lines: dict[int, int] = {}
    for line in input.lines:
        lines[line.order_line.id] = lines.get(line.order_line.id, 0) + line.quantity
    try:
        shipment, order = await orders.scoped.create_shipment(
            context.db, order_key(input.order), lines, good_to_go=input.is_good_to_go, store_scope=context.store_id
        )
    except DomainError as error:
        return ShipmentPayload(shipment=None, user_errors=[user_error(error, "input")], user_warnings=[])
    warnings: list[UserWarning] = []
    if input.capture or input.is_paid:
        try:
            captured = await orders.scoped.capture_shipment(context.db, shipment.id, store_scope=context.store_id)
            shipment, order = captured.shipment, captured.order
        except DomainError as error:
            warnings.append(UserWarning(message=f"Capture failed: {error.message}", path=["input", "capture"]))
    if input.shipped_at is not None:
        try:
            shipment, order = await orders.scoped.complete_shipment(
                context.db,
                shipment.id,
                _shipping(input.shipment_info, input.shipped_at),
                store_scope=context.store_id,
            )
        except DomainError as error:
            warnings.append(UserWarning(message=f"Not completed: {error.message}", path=["input", "shippedAt"]))
    if input.send_email:
        warnings.append(UserWarning(message="OpenCentra sends no emails; none was sent", path=["input", "sendEmail"]))
    await context.after_write()
    return ShipmentPayload(shipment=shipment_object(shipment, order), user_errors=[], user_warnings=warnings)


@strawberry.input
class ShipmentUpdateInput:
    is_good_to_go: bool | None = None
    is_paid: bool | None = None


async def update_shipment(info: Info[Any, Any], id: int, input: ShipmentUpdateInput) -> ShipmentPayload:
    context: GraphQLContext = info.context
    try:
        shipment, order = await orders.scoped.update_shipment(
            context.db, id, good_to_go=input.is_good_to_go, paid=input.is_paid, store_scope=context.store_id
        )
    except DomainError as error:
        await context.after_write()
        return ShipmentPayload(shipment=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return ShipmentPayload(shipment=shipment_object(shipment, order), user_errors=[], user_warnings=[])


async def capture_shipment(info: Info[Any, Any], id: int) -> CaptureShipmentPayload:
    context: GraphQLContext = info.context
    try:
        captured = await orders.scoped.capture_shipment(context.db, id, store_scope=context.store_id)
    except DomainError as error:
        return CaptureShipmentPayload(
            shipment=None, payment_history_entry=None, user_errors=[user_error(error, "id")], user_warnings=[]
        )
    await context.after_write()
    warnings = [] if captured.captured_now else [UserWarning(message="The shipment was already captured", path=["id"])]
    entry = None if captured.entry is None else PaymentHistoryEntry.of(captured.entry, captured.order)
    return CaptureShipmentPayload(
        shipment=shipment_object(captured.shipment, captured.order),
        payment_history_entry=entry,
        user_errors=[],
        user_warnings=warnings,
    )


@strawberry.input
class ShipmentCompleteInput:
    shipped_at: DateTimeTz | None = None
    send_email: bool = False
    shipment_info: ShipmentInfoInput | None = None


async def complete_shipment(
    info: Info[Any, Any], id: int, input: ShipmentCompleteInput | None = None
) -> ShipmentPayload:
    context: GraphQLContext = info.context
    given = input or ShipmentCompleteInput()
    try:
        shipment, order = await orders.scoped.complete_shipment(
            context.db, id, _shipping(given.shipment_info, given.shipped_at), store_scope=context.store_id
        )
    except DomainError as error:
        return ShipmentPayload(shipment=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    warnings = []
    if given.send_email:
        warnings.append(UserWarning(message="OpenCentra sends no emails; none was sent", path=["input", "sendEmail"]))
    return ShipmentPayload(shipment=shipment_object(shipment, order), user_errors=[], user_warnings=warnings)


@strawberry.type
class DeletePayload:
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def delete_shipment(info: Info[Any, Any], id: int) -> DeletePayload:
    context: GraphQLContext = info.context
    try:
        await orders.scoped.delete_shipment(context.db, id, store_scope=context.store_id)
    except DomainError as error:
        return DeletePayload(user_errors=[user_error(error, "id")], user_warnings=[])
    await context.after_write()
    return DeletePayload(user_errors=[], user_warnings=[])


# --- returns --------------------------------------------------------------------------------


@strawberry.input
class ReturnLineInput:
    shipment_line: IdInput
    quantity: int


@strawberry.input
class ReturnStockActionPolicyInput:
    release_items_back_to_warehouse: bool | None = None
    remove_items_from_stock: bool | None = None
    send_items_to_different_warehouse: bool | None = None


@strawberry.input
class ReturnCostInput:
    value: MonetaryValueInput | None = None
    from_shipment: bool | None = None


@strawberry.input
class ReturnCreateInput:
    shipment: IdInput
    lines: list[ReturnLineInput]
    return_stock_action_policy: ReturnStockActionPolicyInput | None = None
    shipping_cost: ReturnCostInput | None = None
    handling_cost: ReturnCostInput | None = None
    voucher_value: ReturnCostInput | None = None
    comment: str | None = None


@strawberry.type
class ReturnPayload:
    return_: Return | None = strawberry.field(name="return")
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_return(info: Info[Any, Any], input: ReturnCreateInput) -> ReturnPayload:
    context: GraphQLContext = info.context
    policy = input.return_stock_action_policy
    return_stock = not (policy is not None and policy.remove_items_from_stock)
    try:
        returned, order = await orders.scoped.create_return(
            context.db,
            input.shipment.id,
            [(line.shipment_line.id, line.quantity) for line in input.lines],
            return_stock=return_stock,
            comment=input.comment,
            costs=_return_costs(input),
            store_scope=context.store_id,
        )
    except DomainError as error:
        return ReturnPayload(return_=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return ReturnPayload(return_=return_object(returned, order), user_errors=[], user_warnings=[])


def _cost(cost: ReturnCostInput | None) -> Decimal | None:
    # Floats from JSON: 14.3 must mean 14.3, not 14.300000000000000710...
    return None if cost is None or cost.value is None else Decimal(str(cost.value.value))


def _return_costs(input: ReturnCreateInput) -> orders.scoped.ReturnCosts:
    return orders.scoped.ReturnCosts(
        shipping=_cost(input.shipping_cost),
        handling=_cost(input.handling_cost),
        voucher=_cost(input.voucher_value),
        shipping_from_shipment=bool(input.shipping_cost and input.shipping_cost.from_shipment),
        handling_from_shipment=bool(input.handling_cost and input.handling_cost.from_shipment),
        voucher_from_shipment=bool(input.voucher_value and input.voucher_value.from_shipment),
    )


@strawberry.input
class ReturnCompleteInput:
    send_email: bool = False


async def complete_return(info: Info[Any, Any], id: int, input: ReturnCompleteInput | None = None) -> ReturnPayload:
    context: GraphQLContext = info.context
    try:
        returned, order = await orders.scoped.complete_return(context.db, id, store_scope=context.store_id)
    except DomainError as error:
        return ReturnPayload(return_=None, user_errors=[user_error(error, "id")], user_warnings=[])
    await context.after_write()
    return ReturnPayload(return_=return_object(returned, order), user_errors=[], user_warnings=[])
