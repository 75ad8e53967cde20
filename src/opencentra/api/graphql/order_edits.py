"""Order edits on the wire: lock, update, unallocate, release authorization, uncomplete and delete returns.

Each resolver maps its input to one use case in ``opencentra.orders.editing``
(or the ``opencentra.orders`` face) and renders domain errors as ``userErrors``; a
refused call changes nothing.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import orders
from opencentra.address import Address
from opencentra.api.graphql.catalog_mutations import CountryRef
from opencentra.api.graphql.common import UserError, UserWarning
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.order_mutations import OrderPayload, OrderRef, ReturnPayload, order_key
from opencentra.api.graphql.orders import Order, PaymentHistoryEntry, Return, make_order, return_object
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stock import IdRef, MonetaryValueInput
from opencentra.errors import DomainError, ValidationFailed


def _error(error: DomainError, prefix: str) -> UserError:
    """A domain error under the argument it concerns; a dotted field becomes path elements."""
    parts = error.field.split(".") if error.field else []
    if parts[:1] == [prefix]:
        parts = parts[1:]
    return UserError(message=error.message, path=[prefix, *parts])


# --- setOrdersLock ------------------------------------------------------------------------


@strawberry.input
class SetOrdersLockInput:
    orders: list[OrderRef]
    is_locked: bool


@strawberry.type
class SetOrdersLockPayload:
    orders: list[Order] | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def set_orders_lock(info: Info[Any, Any], input: SetOrdersLockInput) -> SetOrdersLockPayload:
    """All the orders or none: one unknown order refuses the whole call."""
    context: GraphQLContext = info.context
    check(info, "Order.isLocked:write")
    keys: list[orders.scoped.OrderKey] = []
    try:
        for index, ref in enumerate(input.orders):
            try:
                keys.append(order_key(ref))
            except DomainError as error:
                raise type(error)(error.message, field=f"orders.{index}") from None
        found = await orders.scoped.set_orders_lock(context.db, keys, input.is_locked, store_scope=context.store_id)
    except DomainError as error:
        return SetOrdersLockPayload(orders=None, user_errors=[_error(error, "input")], user_warnings=[])
    await context.after_write()
    return SetOrdersLockPayload(orders=[make_order(view) for view in found], user_errors=[], user_warnings=[])


# --- updateDirectToConsumerOrder / updateWholesaleOrder -----------------------------------


@strawberry.enum
class CancelLineStockAction(enum.Enum):
    RELEASE_BACK_TO_WAREHOUSE = "RELEASE_BACK_TO_WAREHOUSE"
    REMOVE_FROM_STOCK = "REMOVE_FROM_STOCK"


@strawberry.input
class CancelLineInput:
    line: IdRef
    quantity: int
    stock_action: CancelLineStockAction = CancelLineStockAction.RELEASE_BACK_TO_WAREHOUSE


@strawberry.input
class OrderAddressInput:
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zip_code: str | None = None
    state_or_province: str | None = None
    country: CountryRef | None = None
    phone_number: str | None = None
    email: str | None = None
    vat_number: str | None = None


@strawberry.input
class PersonInfoInput:
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@strawberry.input
class AddOrderLineInput:
    display: IdRef | None = None
    product_size: IdRef
    quantity: int
    unit_price: MonetaryValueInput | None = None
    tax_group: IdRef | None = None


@strawberry.input
class DirectToConsumerOrderUpdateInput:
    billing_address: OrderAddressInput | None = None
    shipping_address: OrderAddressInput | None = None
    customer_info: PersonInfoInput | None = None
    customer: IdRef | None = None
    is_internal: bool | None = None
    is_on_hold: bool | None = None
    hold_status_change_reason: str | None = None
    cancel_lines: list[CancelLineInput] | None = None
    cancellation_comment: str | None = None
    shipping_cost: MonetaryValueInput | None = None


@strawberry.input
class WholesaleOrderUpdateInput:
    billing_address: OrderAddressInput | None = None
    shipping_address: OrderAddressInput | None = None
    buyer_info: PersonInfoInput | None = None
    is_internal: bool | None = None
    is_on_hold: bool | None = None
    hold_status_change_reason: str | None = None
    cancel_lines: list[CancelLineInput] | None = None
    cancellation_comment: str | None = None
    shipping_cost: MonetaryValueInput | None = None
    add_lines: list[AddOrderLineInput] | None = None


def _address(given: OrderAddressInput | None, field: str) -> orders.scoped.AddressChange | None:
    if given is None:
        return None
    country = None
    if given.country is not None:
        country = orders.scoped.CountryChoice(code=given.country.code, id=given.country.id)
    address = Address(
        first_name=given.first_name,
        last_name=given.last_name,
        company=given.company_name,
        phone_number=given.phone_number,
        address1=given.address1,
        address2=given.address2,
        zip_code=given.zip_code,
        city=given.city,
        state=given.state_or_province,
        vat_number=given.vat_number,
    )
    return orders.scoped.AddressChange(address, country, field)


def _amount(value: MonetaryValueInput, field: str) -> orders.scoped.GivenAmount:
    # Floats from JSON: 14.3 must mean 14.3, not 14.300000000000000710...
    return orders.scoped.GivenAmount(Decimal(repr(value.value)), value.currency_iso_code, field)


async def _update_order(
    info: Info[Any, Any],
    ref: OrderRef,
    given: DirectToConsumerOrderUpdateInput | WholesaleOrderUpdateInput,
    wholesale: bool,
) -> OrderPayload:
    context: GraphQLContext = info.context
    warnings: list[UserWarning] = []
    if given.is_internal is not None:
        warnings.append(UserWarning(message="isInternal is not stored by OpenCentra", path=["input", "isInternal"]))
    person = given.buyer_info if isinstance(given, WholesaleOrderUpdateInput) else given.customer_info
    additions = [
        orders.scoped.LineAddition(
            product_size_id=line.product_size.id,
            quantity=line.quantity,
            unit_price=_amount(line.unit_price, f"addLines.{index}.unitPrice") if line.unit_price else None,
            display_id=line.display.id if line.display else None,
            tax_group_id=line.tax_group.id if line.tax_group else None,
        )
        for index, line in enumerate((given.add_lines or []) if isinstance(given, WholesaleOrderUpdateInput) else [])
    ]
    changes = orders.scoped.OrderChanges(
        billing=_address(given.billing_address, "billingAddress"),
        shipping=_address(given.shipping_address, "shippingAddress"),
        first_name=person.first_name if person is not None else None,
        last_name=person.last_name if person is not None else None,
        email=person.email if person is not None else None,
        customer_id=given.customer.id
        if isinstance(given, DirectToConsumerOrderUpdateInput) and given.customer
        else None,
        hold=given.is_on_hold,
        hold_reason=given.hold_status_change_reason,
        shipping_cost=_amount(given.shipping_cost, "shippingCost") if given.shipping_cost else None,
        cancel_lines=[
            orders.LineCancel(
                c.line.id, c.quantity, remove_from_stock=c.stock_action == CancelLineStockAction.REMOVE_FROM_STOCK
            )
            for c in given.cancel_lines or []
        ],
        cancellation_comment=given.cancellation_comment,
        add_lines=additions,
    )
    try:
        found = await orders.scoped.edit_order(
            context.db, order_key(ref), changes, wholesale=wholesale, store_scope=context.store_id
        )
    except DomainError as error:
        prefix = "order" if error.field == "order" else "input"
        return OrderPayload(order=None, user_errors=[_error(error, prefix)], user_warnings=warnings)
    await context.after_write()
    return OrderPayload(order=make_order(found), user_errors=[], user_warnings=warnings)


async def update_direct_to_consumer_order(
    info: Info[Any, Any], order: OrderRef, input: DirectToConsumerOrderUpdateInput
) -> OrderPayload:
    return await _update_order(info, order, input, wholesale=False)


async def update_wholesale_order(
    info: Info[Any, Any], order: OrderRef, input: WholesaleOrderUpdateInput
) -> OrderPayload:
    return await _update_order(info, order, input, wholesale=True)


# --- unallocateOrder ------------------------------------------------------------------------


@strawberry.input
class UnallocateLineInput:
    order_line: IdRef
    quantity: int


@strawberry.input
class StockActionPolicyInput:
    release_items_back_to_warehouse: bool | None = None
    remove_items_from_stock: bool | None = None
    send_items_to_different_warehouse: bool | None = None


@strawberry.input
class UnallocateOrderInput:
    order: OrderRef
    unallocate: list[UnallocateLineInput] | None = None
    warehouses: list[IdRef] | None = None
    stock_action_policy: StockActionPolicyInput | None = None


async def unallocate_order(info: Info[Any, Any], input: UnallocateOrderInput) -> OrderPayload:
    """Without ``unallocate`` every line gives back all its stock; more than allocated is a warning."""
    context: GraphQLContext = info.context
    policy = input.stock_action_policy or StockActionPolicyInput()
    try:
        if policy.send_items_to_different_warehouse:
            raise ValidationFailed(
                "sendItemsToDifferentWarehouse is not supported; release or remove the items",
                field="stockActionPolicy",
            )
        result = await orders.scoped.unallocate_order(
            context.db,
            order_key(input.order),
            [(u.order_line.id, u.quantity) for u in input.unallocate] if input.unallocate is not None else None,
            [w.id for w in input.warehouses] if input.warehouses is not None else None,
            remove_from_stock=bool(policy.remove_items_from_stock),
            store_scope=context.store_id,
        )
    except DomainError as error:
        return OrderPayload(order=None, user_errors=[_error(error, "input")], user_warnings=[])
    await context.after_write()
    warnings = [
        UserWarning(message=message, path=["input", "unallocate", str(index)]) for index, message in result.warnings
    ]
    return OrderPayload(order=make_order(result.order), user_errors=[], user_warnings=warnings)


# --- releaseRemainingOrderAuthorization -------------------------------------------------------


@strawberry.type
class ReleaseAuthorizationPayload:
    order: Order | None
    payment_history_entry: PaymentHistoryEntry | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def release_remaining_order_authorization(info: Info[Any, Any], order: OrderRef) -> ReleaseAuthorizationPayload:
    context: GraphQLContext = info.context
    try:
        found, entry = await orders.scoped.release_remaining_authorization(
            context.db, order_key(order), store_scope=context.store_id
        )
    except DomainError as error:
        return ReleaseAuthorizationPayload(
            order=None, payment_history_entry=None, user_errors=[_error(error, "order")], user_warnings=[]
        )
    await context.after_write()
    return ReleaseAuthorizationPayload(
        order=make_order(found),
        payment_history_entry=PaymentHistoryEntry.of(entry, found),
        user_errors=[],
        user_warnings=[],
    )


# --- returns ----------------------------------------------------------------------------------


async def uncomplete_return(info: Info[Any, Any], id: int) -> ReturnPayload:
    context: GraphQLContext = info.context
    try:
        returned, order = await orders.scoped.reopen_return(context.db, id, store_scope=context.store_id)
    except DomainError as error:
        return ReturnPayload(return_=None, user_errors=[_error(error, "id")], user_warnings=[])
    await context.after_write()
    return ReturnPayload(return_=return_object(returned, order), user_errors=[], user_warnings=[])


async def delete_return(info: Info[Any, Any], id: int) -> ReturnPayload:
    """The payload shows the return as it was, with its lines, as Centra's example does."""
    context: GraphQLContext = info.context
    try:
        deleted = await orders.scoped.delete_return(context.db, id, store_scope=context.store_id)
    except DomainError as error:
        return ReturnPayload(return_=None, user_errors=[_error(error, "id")], user_warnings=[])
    await context.after_write()
    # The rows are gone: prime the loader so ``lines`` shows what the return held.
    context.loaders.return_lines.prime(id, list(deleted.lines))
    shown: Return = return_object(deleted.returned, deleted.order)
    return ReturnPayload(return_=shown, user_errors=[], user_warnings=[])
