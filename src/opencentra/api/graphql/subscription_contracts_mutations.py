"""Changing subscriptions from the back office: pause, resume, cancel, interval, quantity, next order
date, and a contract's addresses. Each is one domain service (``opencentra.subscriptions``) in one
transaction that records its outbox event; refusals (a cancelled subscription resumed, an interval of
zero, another store's contract) come back as ``userErrors``. Every mutation needs ``Subscription:write``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import subscriptions as domain
from opencentra.address import Address as AddressValue
from opencentra.api.graphql.common import UserError, UserWarning
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import Require
from opencentra.api.graphql.subscription_contracts import (
    WRITE,
    Subscription,
    SubscriptionContract,
    SubscriptionIntervalType,
    SubscriptionStatus,
    load_contract,
)
from opencentra.errors import DomainError


@strawberry.type
class SubscriptionPayload:
    subscription: Subscription | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


@strawberry.type
class SubscriptionContractUpdatePayload:
    subscription_contract: SubscriptionContract | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


@strawberry.input
class SubscriptionIntervalInput:
    value: int
    type: SubscriptionIntervalType


@strawberry.input
class SubscriptionAddressInput:
    """Fields left out keep their value; the country cannot change (the contract's market)."""

    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    phone_number: str | None = None
    address1: str | None = None
    address2: str | None = None
    zip_code: str | None = None
    city: str | None = None
    state_or_province: str | None = None
    country_code: str | None = None

    def value(self) -> AddressValue:
        return AddressValue(
            first_name=self.first_name,
            last_name=self.last_name,
            company=self.company_name,
            phone_number=self.phone_number,
            address1=self.address1,
            address2=self.address2,
            zip_code=self.zip_code,
            city=self.city,
            state=self.state_or_province,
            country=self.country_code,
        )


@strawberry.input
class SubscriptionContractUpdateInput:
    shipping_address: SubscriptionAddressInput | None = None
    billing_address: SubscriptionAddressInput | None = None


def _error(error: DomainError, argument: str) -> UserError:
    """At ``id`` when the subscription is not found (or not the token's store's), else at the argument."""
    if error.field in ("subscription", "contract"):
        return UserError(message=error.message, path=["id"])
    return UserError(message=error.message, path=[argument])


async def _subscription_change(info: Info[Any, Any], argument: str, change: Any) -> SubscriptionPayload:
    context: GraphQLContext = info.context
    try:
        view = await change(context)
    except DomainError as error:
        return SubscriptionPayload(subscription=None, user_errors=[_error(error, argument)], user_warnings=[])
    await context.after_write()
    return SubscriptionPayload(subscription=Subscription.of(view), user_errors=[], user_warnings=[])


async def _set_status(info: Info[Any, Any], id: int, status: SubscriptionStatus) -> SubscriptionPayload:
    return await _subscription_change(
        info,
        "status",
        lambda context: domain.set_subscription_status(context.db, id, status.value, store_id=context.store_id),
    )


async def pause_subscription(info: Info[Any, Any], id: int) -> SubscriptionPayload:
    """ACTIVE to PAUSED: no renewal is made until it is resumed."""
    return await _set_status(info, id, SubscriptionStatus.PAUSED)


async def resume_subscription(info: Info[Any, Any], id: int) -> SubscriptionPayload:
    """PAUSED to ACTIVE; a next order date in the past moves to today and failed charges start over.
    A cancelled subscription cannot be resumed (a userError)."""
    return await _set_status(info, id, SubscriptionStatus.ACTIVE)


async def cancel_subscription(info: Info[Any, Any], id: int) -> SubscriptionPayload:
    """For good: a cancelled subscription is never resumed."""
    return await _set_status(info, id, SubscriptionStatus.CANCELLED)


async def update_subscription_status(info: Info[Any, Any], id: int, status: SubscriptionStatus) -> SubscriptionPayload:
    return await _set_status(info, id, status)


async def update_subscription_interval(
    info: Info[Any, Any], id: int, interval: SubscriptionIntervalInput
) -> SubscriptionPayload:
    return await _subscription_change(
        info,
        "interval",
        lambda context: domain.set_subscription_interval(
            context.db, id, interval.value, interval.type.value, store_id=context.store_id
        ),
    )


async def update_subscription_quantity(info: Info[Any, Any], id: int, quantity: int) -> SubscriptionPayload:
    return await _subscription_change(
        info,
        "quantity",
        lambda context: domain.set_subscription_quantity(context.db, id, quantity, store_id=context.store_id),
    )


async def update_subscription_next_order_date(
    info: Info[Any, Any], id: int, next_order_date: date
) -> SubscriptionPayload:
    """The day the next renewal is made; today or later."""
    return await _subscription_change(
        info,
        "nextOrderDate",
        lambda context: domain.set_next_order_date(context.db, id, next_order_date, store_id=context.store_id),
    )


async def update_subscription_contract(
    info: Info[Any, Any], id: int, input: SubscriptionContractUpdateInput
) -> SubscriptionContractUpdatePayload:
    """A contract's shipping address (where renewals go) and billing address; fields left out stay."""
    context: GraphQLContext = info.context
    if input.shipping_address is None and input.billing_address is None:
        error = UserError(message="give shippingAddress or billingAddress", path=["input"])
        return SubscriptionContractUpdatePayload(subscription_contract=None, user_errors=[error], user_warnings=[])
    try:
        await domain.set_contract_address(
            context.db,
            id,
            input.shipping_address.value() if input.shipping_address is not None else AddressValue(),
            billing=input.billing_address.value() if input.billing_address is not None else None,
            store_id=context.store_id,
        )
    except DomainError as error:
        field = (error.field or "").replace("address.", "shippingAddress.")
        path = ["id"] if error.field == "contract" else ["input", *field.split(".")] if field else ["input"]
        return SubscriptionContractUpdatePayload(
            subscription_contract=None, user_errors=[UserError(message=error.message, path=path)], user_warnings=[]
        )
    await context.after_write()
    return SubscriptionContractUpdatePayload(
        subscription_contract=await load_contract(info, id), user_errors=[], user_warnings=[]
    )


def _mutation(resolver: Any) -> Any:
    return strawberry.field(resolver=resolver, extensions=[Require(WRITE)])


@strawberry.type
class SubscriptionContractMutation:
    pause_subscription: SubscriptionPayload = _mutation(pause_subscription)
    resume_subscription: SubscriptionPayload = _mutation(resume_subscription)
    cancel_subscription: SubscriptionPayload = _mutation(cancel_subscription)
    update_subscription_status: SubscriptionPayload = _mutation(update_subscription_status)
    update_subscription_interval: SubscriptionPayload = _mutation(update_subscription_interval)
    update_subscription_quantity: SubscriptionPayload = _mutation(update_subscription_quantity)
    update_subscription_next_order_date: SubscriptionPayload = _mutation(update_subscription_next_order_date)
    update_subscription_contract: SubscriptionContractUpdatePayload = _mutation(update_subscription_contract)
