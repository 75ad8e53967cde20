"""Order edits on the wire: lock, update, unallocate, release authorization, uncomplete and delete returns.

Each resolver maps its input to one use case in ``opencentra.orders.editing``
(or the ``opencentra.orders`` face) and renders domain errors as ``userErrors``; a
refused call changes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from opencentra import orders
from opencentra.address import Address
from opencentra.api.graphql.catalog_mutations import CountryRef
from opencentra.api.graphql.common import UserError, UserWarning
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.order_mutations import (
    OrderPayload,
    OrderRef,
    ReturnPayload,
    _load_order,
    _load_return,
    _order_id,
    _return_visible,
)
from opencentra.api.graphql.orders import Order, PaymentHistoryEntry, Return, return_object
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stock import IdRef, MonetaryValueInput
from opencentra.errors import DomainError, ValidationFailed
from opencentra.orders import editing, models
from opencentra.stores.models import Country, Currency
from opencentra.stores.models import Store as StoreRow
from opencentra.stores.models import StoreType as DomainStoreType


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
    ids: list[int] = []
    try:
        for index, ref in enumerate(input.orders):
            try:
                ids.append(await _order_id(context, ref))
            except DomainError as error:
                raise type(error)(error.message, field=f"orders.{index}") from None
        await editing.set_orders_lock(context.db, ids, input.is_locked)
    except DomainError as error:
        return SetOrdersLockPayload(orders=None, user_errors=[_error(error, "input")], user_warnings=[])
    await context.after_write()
    found = [await _load_order(context, order_id) for order_id in dict.fromkeys(ids)]
    return SetOrdersLockPayload(orders=found, user_errors=[], user_warnings=[])


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


async def _address(context: GraphQLContext, given: OrderAddressInput | None, field: str) -> Address | None:
    if given is None:
        return None
    country = None
    if given.country is not None:
        async with context.read() as session:
            statement = select(Country.code)
            if given.country.code is not None:
                statement = statement.where(Country.code == given.country.code.strip().upper())
            else:
                statement = statement.where(Country.id == given.country.id)
            country = await session.scalar(statement)
        if country is None:
            raise ValidationFailed("Could not find that country", field=f"{field}.country")
    return Address(
        first_name=given.first_name,
        last_name=given.last_name,
        company=given.company_name,
        phone_number=given.phone_number,
        address1=given.address1,
        address2=given.address2,
        zip_code=given.zip_code,
        city=given.city,
        state=given.state_or_province,
        country=country,
        vat_number=given.vat_number,
    )


@dataclass(frozen=True)
class _OrderFacts:
    store_type: DomainStoreType
    currency: str
    decimals: int

    def minor(self, value: MonetaryValueInput, field: str) -> int:
        """An input amount in the order's currency as minor units."""
        if value.currency_iso_code.strip().upper() != self.currency:
            raise ValidationFailed(f"the amount must be in the order's currency, {self.currency}", field=field)
        return _minor(value, self.decimals, field)


async def _order_facts(context: GraphQLContext, order_id: int) -> _OrderFacts:
    async with context.read() as session:
        found = (
            await session.execute(
                select(StoreRow.type, Currency.code, models.Order.currency_decimals)
                .join(models.Order, models.Order.store_id == StoreRow.id)
                .join(Currency, Currency.id == models.Order.currency_id)
                .where(models.Order.id == order_id)
            )
        ).one()
    return _OrderFacts(store_type=found[0], currency=found[1], decimals=int(found[2]))


async def _order_store_type(context: GraphQLContext, order_id: int) -> DomainStoreType:
    return (await _order_facts(context, order_id)).store_type


def _minor(value: MonetaryValueInput, decimals: int, field: str) -> int:
    amount = Decimal(repr(value.value)).scaleb(decimals)
    if amount != amount.to_integral_value():
        raise ValidationFailed("the amount has more decimals than the currency", field=field)
    return int(amount)


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
    try:
        order_id = await _order_id(context, ref)
        facts = await _order_facts(context, order_id)
        if (facts.store_type == DomainStoreType.WHOLESALE) != wholesale:
            kind = "a wholesale" if wholesale else "a direct-to-consumer"
            raise ValidationFailed(f"The order is not {kind} order", field="order")
        additions = [
            editing.LineAdd(
                product_size_id=line.product_size.id,
                quantity=line.quantity,
                unit_price_minor=facts.minor(line.unit_price, f"addLines.{index}.unitPrice")
                if line.unit_price
                else None,
                display_id=line.display.id if line.display else None,
                tax_group_id=line.tax_group.id if line.tax_group else None,
            )
            for index, line in enumerate(
                (given.add_lines or []) if isinstance(given, WholesaleOrderUpdateInput) else []
            )
        ]
        billing = await _address(context, given.billing_address, "billingAddress")
        if person is not None and (person.first_name is not None or person.last_name is not None):
            names = Address(first_name=person.first_name, last_name=person.last_name)
            billing = names if billing is None else billing.merged(names)
        edit = editing.OrderEdit(
            billing=billing,
            shipping=await _address(context, given.shipping_address, "shippingAddress"),
            email=person.email if person is not None else None,
            customer_id=given.customer.id
            if isinstance(given, DirectToConsumerOrderUpdateInput) and given.customer
            else None,
            hold=given.is_on_hold,
            hold_reason=given.hold_status_change_reason,
            shipping_minor=facts.minor(given.shipping_cost, "shippingCost") if given.shipping_cost else None,
            cancel_lines=[
                editing.LineCancel(
                    c.line.id, c.quantity, remove_from_stock=c.stock_action == CancelLineStockAction.REMOVE_FROM_STOCK
                )
                for c in given.cancel_lines or []
            ],
            cancellation_comment=given.cancellation_comment,
            add_lines=additions,
        )
        await editing.edit_order(context.db, order_id, edit)
    except DomainError as error:
        prefix = "order" if error.field == "order" else "input"
        return OrderPayload(order=None, user_errors=[_error(error, prefix)], user_warnings=warnings)
    await context.after_write()
    return OrderPayload(order=await _load_order(context, order_id), user_errors=[], user_warnings=warnings)


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
        order_id = await _order_id(context, input.order)
        result = await editing.unallocate_order(
            context.db,
            order_id,
            [(u.order_line.id, u.quantity) for u in input.unallocate] if input.unallocate is not None else None,
            [w.id for w in input.warehouses] if input.warehouses is not None else None,
            remove_from_stock=bool(policy.remove_items_from_stock),
        )
    except DomainError as error:
        return OrderPayload(order=None, user_errors=[_error(error, "input")], user_warnings=[])
    await context.after_write()
    warnings = [
        UserWarning(message=message, path=["input", "unallocate", str(index)]) for index, message in result.warnings
    ]
    return OrderPayload(order=await _load_order(context, order_id), user_errors=[], user_warnings=warnings)


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
        order_id = await _order_id(context, order)
        transaction = await editing.release_remaining_authorization(context.db, order_id)
    except DomainError as error:
        return ReleaseAuthorizationPayload(
            order=None, payment_history_entry=None, user_errors=[_error(error, "order")], user_warnings=[]
        )
    await context.after_write()
    found = await _load_order(context, order_id)
    return ReleaseAuthorizationPayload(
        order=found,
        payment_history_entry=PaymentHistoryEntry.of(transaction, found._row),
        user_errors=[],
        user_warnings=[],
    )


# --- returns ----------------------------------------------------------------------------------


async def uncomplete_return(info: Info[Any, Any], id: int) -> ReturnPayload:
    context: GraphQLContext = info.context
    try:
        await _return_visible(context, id)
        await orders.reopen_return(context.db, id)
    except DomainError as error:
        return ReturnPayload(return_=None, user_errors=[_error(error, "id")], user_warnings=[])
    await context.after_write()
    return ReturnPayload(return_=await _load_return(context, id), user_errors=[], user_warnings=[])


async def delete_return(info: Info[Any, Any], id: int) -> ReturnPayload:
    """The payload shows the return as it was, with its lines, as Centra's example does."""
    context: GraphQLContext = info.context
    try:
        await _return_visible(context, id)
        before = await _load_return(context, id)
        assert before is not None
        deleted = await editing.delete_return(context.db, id)
    except DomainError as error:
        return ReturnPayload(return_=None, user_errors=[_error(error, "id")], user_warnings=[])
    await context.after_write()
    store_type = await _order_store_type(context, before._order.id)
    # The rows are gone: prime the loader so ``lines`` shows what the return held.
    context.loaders.many(models.ReturnLine, models.ReturnLine.return_id).prime(id, list(deleted.lines))
    shown: Return = return_object(deleted, before._order, store_type)
    return ReturnPayload(return_=shown, user_errors=[], user_warnings=[])
