"""Order, shipment and return mutations: each calls one ``opencentra.orders`` use case.

Business failures come back as ``userErrors`` (HTTP 200, nothing changed);
the payload carries the object as it is after the mutation.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
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
from opencentra.errors import DomainError, NotFound, ValidationFailed
from opencentra.orders import models
from opencentra.stores.models import Store as StoreRow


@strawberry.input(description="Exactly one of id (the 32-hex order id) or number.")
class OrderRef:
    id: str | None = None
    number: int | None = None


@strawberry.input
class IdInput:
    id: int


async def _order_id(context: GraphQLContext, ref: OrderRef) -> int:
    """The internal id of a referenced order the token may see; NotFound otherwise."""
    if (ref.id is None) == (ref.number is None):
        raise NotFound("Exactly one input field should be provided: id or number", field="order")
    statement = select(models.Order.id, models.Order.store_id)
    if ref.id is not None:
        internal = parse_order_id(ref.id)
        if internal is None:
            raise NotFound(f"Could not find Order with ID {ref.id}", field="order")
        statement = statement.where(models.Order.id == internal)
    else:
        statement = statement.where(models.Order.number == ref.number)
    async with context.read() as session:
        found = (await session.execute(statement)).first()
    if found is None or (context.store_id is not None and found[1] != context.store_id):
        what = ref.id if ref.id is not None else ref.number
        raise NotFound(f"Could not find Order with {'ID' if ref.id is not None else 'number'} {what}", field="order")
    return int(found[0])


async def _load_order(context: GraphQLContext, order_id: int) -> Order:
    async with context.read() as session:
        found = (
            await session.execute(
                select(models.Order, StoreRow.type)
                .join(StoreRow, StoreRow.id == models.Order.store_id)
                .where(models.Order.id == order_id)
            )
        ).first()
    assert found is not None
    return make_order(found[0], found[1])


async def _shipment_order(context: GraphQLContext, shipment_id: int) -> int:
    """The order of a shipment the token may see; NotFound otherwise."""
    async with context.read() as session:
        found = (
            await session.execute(
                select(models.Shipment.order_id, models.Order.store_id)
                .join(models.Order, models.Order.id == models.Shipment.order_id)
                .where(models.Shipment.id == shipment_id)
            )
        ).first()
    if found is None or (context.store_id is not None and found[1] != context.store_id):
        raise NotFound(f"Could not find Shipment with ID {shipment_id}", field="id")
    return int(found[0])


async def _load_shipment(context: GraphQLContext, shipment_id: int) -> Shipment | None:
    async with context.read() as session:
        found = (
            await session.execute(
                select(models.Shipment, models.Order, StoreRow.type)
                .join(models.Order, models.Order.id == models.Shipment.order_id)
                .join(StoreRow, StoreRow.id == models.Order.store_id)
                .where(models.Shipment.id == shipment_id)
            )
        ).first()
    return None if found is None else shipment_object(found[0], found[1], found[2])


async def _load_return(context: GraphQLContext, return_id: int) -> Return | None:
    async with context.read() as session:
        found = (
            await session.execute(
                select(models.Return, models.Order, StoreRow.type)
                .join(models.Order, models.Order.id == models.Return.order_id)
                .join(StoreRow, StoreRow.id == models.Order.store_id)
                .where(models.Return.id == return_id)
            )
        ).first()
    return None if found is None else return_object(found[0], found[1], found[2])


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
        order_id = await _order_id(context, input.order)
        await orders.confirm_order(context.db, order_id)
    except DomainError as error:
        return OrderPayload(order=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return OrderPayload(order=await _load_order(context, order_id), user_errors=[], user_warnings=[])


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
        order_id = await _order_id(context, OrderRef(id=id))
        await orders.cancel_order(context.db, order_id)
    except DomainError as error:
        return OrderPayload(order=None, user_errors=[user_error(error, "id")], user_warnings=warnings)
    await context.after_write()
    return OrderPayload(order=await _load_order(context, order_id), user_errors=[], user_warnings=warnings)


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


def _info_kwargs(value: ShipmentInfoInput | None, shipped_at: datetime | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"shipped_at": shipped_at}
    if value is not None:
        kwargs.update(
            carrier=value.carrier,
            service=value.service,
            tracking_number=value.tracking_number,
            return_slip_tracking=value.return_tracking_number,
            packages=value.packages_number,
        )
    return kwargs


async def create_shipment(info: Info[Any, Any], input: ShipmentCreateInput) -> ShipmentPayload:
    """Create, then (as asked) capture and complete; a failed capture is a warning, as in Centra."""
    context: GraphQLContext = info.context
    lines: dict[int, int] = {}
    for line in input.lines:
        lines[line.order_line.id] = lines.get(line.order_line.id, 0) + line.quantity
    try:
        order_id = await _order_id(context, input.order)
        shipment = await orders.create_shipment(context.db, order_id, lines, good_to_go=input.is_good_to_go)
    except DomainError as error:
        return ShipmentPayload(shipment=None, user_errors=[user_error(error, "input")], user_warnings=[])
    warnings: list[UserWarning] = []
    if input.capture or input.is_paid:
        try:
            await orders.capture_shipment(context.db, shipment.id)
        except DomainError as error:
            warnings.append(UserWarning(message=f"Capture failed: {error.message}", path=["input", "capture"]))
    if input.shipped_at is not None:
        try:
            await orders.complete_shipment(
                context.db, shipment.id, **_info_kwargs(input.shipment_info, input.shipped_at)
            )
        except DomainError as error:
            warnings.append(UserWarning(message=f"Not completed: {error.message}", path=["input", "shippedAt"]))
    if input.send_email:
        warnings.append(UserWarning(message="OpenCentra sends no emails; none was sent", path=["input", "sendEmail"]))
    await context.after_write()
    return ShipmentPayload(shipment=await _load_shipment(context, shipment.id), user_errors=[], user_warnings=warnings)


@strawberry.input
class ShipmentUpdateInput:
    is_good_to_go: bool | None = None
    is_paid: bool | None = None


async def update_shipment(info: Info[Any, Any], id: int, input: ShipmentUpdateInput) -> ShipmentPayload:
    context: GraphQLContext = info.context
    try:
        await _shipment_order(context, id)
        if input.is_good_to_go is not None:
            await orders.set_good_to_go(context.db, id, input.is_good_to_go)
        if input.is_paid:
            await orders.capture_shipment(context.db, id)
        elif input.is_paid is False:
            current = await _load_shipment(context, id)
            if current is not None and current.is_paid:
                raise NotFound("a captured shipment cannot be marked unpaid", field="isPaid")
    except DomainError as error:
        await context.after_write()
        return ShipmentPayload(shipment=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return ShipmentPayload(shipment=await _load_shipment(context, id), user_errors=[], user_warnings=[])


async def capture_shipment(info: Info[Any, Any], id: int) -> CaptureShipmentPayload:
    context: GraphQLContext = info.context
    try:
        await _shipment_order(context, id)
        capture = await orders.capture_shipment(context.db, id)
    except DomainError as error:
        return CaptureShipmentPayload(
            shipment=None, payment_history_entry=None, user_errors=[user_error(error, "id")], user_warnings=[]
        )
    await context.after_write()
    warnings = [] if capture.captured_now else [UserWarning(message="The shipment was already captured", path=["id"])]
    shipment = await _load_shipment(context, id)
    entry = None
    if capture.transaction is not None and shipment is not None:
        entry = PaymentHistoryEntry.of(capture.transaction, shipment._order)
    return CaptureShipmentPayload(
        shipment=shipment, payment_history_entry=entry, user_errors=[], user_warnings=warnings
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
        await _shipment_order(context, id)
        await orders.complete_shipment(context.db, id, **_info_kwargs(given.shipment_info, given.shipped_at))
    except DomainError as error:
        return ShipmentPayload(shipment=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    warnings = []
    if given.send_email:
        warnings.append(UserWarning(message="OpenCentra sends no emails; none was sent", path=["input", "sendEmail"]))
    return ShipmentPayload(shipment=await _load_shipment(context, id), user_errors=[], user_warnings=warnings)


@strawberry.type
class DeletePayload:
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def delete_shipment(info: Info[Any, Any], id: int) -> DeletePayload:
    context: GraphQLContext = info.context
    try:
        await _shipment_order(context, id)
        await orders.delete_shipment(context.db, id)
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
        await _shipment_order(context, input.shipment.id)
        async with context.read() as session:
            found = await session.execute(
                select(models.ShipmentLine.id, models.ShipmentLine.order_line_id).where(
                    models.ShipmentLine.shipment_id == input.shipment.id
                )
            )
            line_ids = {shipment_line: order_line for shipment_line, order_line in found}
            decimals = await session.scalar(
                select(models.Order.currency_decimals)
                .join(models.Shipment, models.Shipment.order_id == models.Order.id)
                .where(models.Shipment.id == input.shipment.id)
            )
        lines: dict[int, int] = {}
        for index, line in enumerate(input.lines):
            order_line = line_ids.get(line.shipment_line.id)
            if order_line is None:
                raise NotFound(
                    f"Could not find ShipmentLine with ID {line.shipment_line.id} on this shipment",
                    field=f"lines.{index}.shipmentLine",
                )
            lines[order_line] = lines.get(order_line, 0) + line.quantity
        returned = await orders.create_return(
            context.db,
            input.shipment.id,
            lines,
            return_stock=return_stock,
            comment=input.comment,
            amounts=_return_amounts(input, int(decimals or 0)),
        )
    except DomainError as error:
        return ReturnPayload(return_=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return ReturnPayload(return_=await _load_return(context, returned.id), user_errors=[], user_warnings=[])


def _minor(cost: ReturnCostInput | None, decimals: int, field: str) -> int:
    if cost is None or cost.value is None:
        return 0
    amount = Decimal(str(cost.value.value)).scaleb(decimals)
    if amount != amount.to_integral_value() or amount < 0:
        raise ValidationFailed(f"{field} has more decimals than the currency or is negative", field=field)
    return int(amount)


def _return_amounts(input: ReturnCreateInput, decimals: int) -> orders.ReturnAmounts:
    return orders.ReturnAmounts(
        shipping_minor=_minor(input.shipping_cost, decimals, "shippingCost"),
        handling_minor=_minor(input.handling_cost, decimals, "handlingCost"),
        voucher_minor=_minor(input.voucher_value, decimals, "voucherValue"),
        shipping_from_shipment=bool(input.shipping_cost and input.shipping_cost.from_shipment),
        handling_from_shipment=bool(input.handling_cost and input.handling_cost.from_shipment),
        voucher_from_shipment=bool(input.voucher_value and input.voucher_value.from_shipment),
    )


@strawberry.input
class ReturnCompleteInput:
    send_email: bool = False


async def _return_visible(context: GraphQLContext, return_id: int) -> None:
    async with context.read() as session:
        store_id = await session.scalar(
            select(models.Order.store_id)
            .join(models.Return, models.Return.order_id == models.Order.id)
            .where(models.Return.id == return_id)
        )
    if store_id is None or (context.store_id is not None and store_id != context.store_id):
        raise NotFound(f"Could not find Return with ID {return_id}", field="id")


async def complete_return(info: Info[Any, Any], id: int, input: ReturnCompleteInput | None = None) -> ReturnPayload:
    context: GraphQLContext = info.context
    try:
        await _return_visible(context, id)
        await orders.complete_return(context.db, id)
    except DomainError as error:
        return ReturnPayload(return_=None, user_errors=[user_error(error, "id")], user_warnings=[])
    await context.after_write()
    return ReturnPayload(return_=await _load_return(context, id), user_errors=[], user_warnings=[])
