"""Checkout API: the logged-in shopper's subscription contracts (Centra's "6 customer handling").

Each answer is the session context plus ``subscriptionContracts``: the
customer's contracts with their subscriptions (the shape is documented in
docs/compatibility/subscription-api.md, as Centra publishes no schema for
these endpoints). Not logged in is 403 ``accessRight``, like the other
account endpoints; a subscription or contract of another customer is 404.

Registered before ``unsupported_routes``, so these paths answer here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field
from starlette.responses import Response

from opencentra import subscriptions
from opencentra.api.checkout.bodies import AddressBody, Body, Id, PaymentResultBody, Short, Text
from opencentra.api.checkout.docs import ACCOUNT, AnyResponse
from opencentra.api.checkout.params import WholeNumber, path_id
from opencentra.api.checkout.request import CheckoutRequest, Ctx
from opencentra.errors import PermissionDenied
from opencentra.payments import FormAction, JavascriptAction, RedirectAction
from opencentra.storefront import CheckoutState, current_state

router = APIRouter()
TAG = "6 customer handling"


class StatusBody(Body):
    subscription: Id
    status: Short


class IntervalBody(Body):
    subscription: Id
    intervalValue: Annotated[WholeNumber, Field(ge=0, le=2**62)]  # noqa: N815 - Centra's field names
    intervalType: Short  # noqa: N815


class AddSubscriptionBody(Body):
    item: Annotated[str, Field(max_length=64)]
    subscriptionPlan: Id  # noqa: N815 - Centra's field names
    quantity: Annotated[WholeNumber, Field(ge=0, le=2**62)] = 1


class ChangeSubscriptionBody(Body):
    subscriptionPlan: Id | None = None  # noqa: N815
    quantity: Annotated[WholeNumber, Field(ge=0, le=2**62)] | None = None
    status: Short | None = None


class StoredMethodsBody(Body):
    contract: Id | None = None


class StoredPaymentBody(Body):
    contracts: Annotated[list[Id], Field(min_length=1, max_length=100)]
    paymentMethod: Short  # noqa: N815
    paymentReturnPage: Text  # noqa: N815
    paymentFailedPage: Text = ""  # noqa: N815


ContractPath = Annotated[str, Path(description="the subscription contract's id", examples=["1"])]
SubscriptionPath = Annotated[str, Path(description="the subscription's id (one line of the contract)", examples=["1"])]


class ContractAddressBody(Body):
    contract: Id
    address: AddressBody | None = None
    shippingAddress: AddressBody | None = None  # noqa: N815


def _plan(sub: subscriptions.SubscriptionView) -> dict[str, Any]:
    percent = sub.discount_percent
    return {
        "id": str(sub.plan_id) if sub.plan_id is not None else None,
        "name": sub.plan_name,
        "intervalValue": sub.interval_value,
        "intervalType": sub.interval_type,
        "discountPercent": int(percent) if percent == percent.to_integral_value() else float(percent),
    }


def _address(view: subscriptions.ContractView) -> dict[str, Any]:
    address = view.shipping
    return {
        "firstName": address.first_name or "",
        "lastName": address.last_name or "",
        "address1": address.address1 or "",
        "address2": address.address2 or "",
        "zipCode": address.zip_code or "",
        "city": address.city or "",
        "state": address.state or "",
        "country": address.country or "",
        "phoneNumber": address.phone_number or "",
    }


def contract_body(view: subscriptions.ContractView) -> dict[str, Any]:
    stored = view.stored_payment
    return {
        "id": view.id,
        "createdAt": view.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "currency": view.currency_code,
        "shippingAddress": _address(view),
        "paymentMethod": {"id": stored.id, "name": stored.label} if stored is not None else None,
        "subscriptions": [
            {
                "id": sub.id,
                "item": sub.item,
                "product": str(sub.display_item_id) if sub.display_item_id is not None else None,
                "quantity": sub.quantity,
                "status": sub.status,
                "paymentStatus": sub.payment_status,
                "intervalValue": sub.interval_value,
                "intervalType": sub.interval_type,
                "nextOrderDate": sub.next_order_date.isoformat(),
                "subscriptionPlan": _plan(sub),
            }
            for sub in view.subscriptions
        ],
    }


async def _logged_in(ctx: CheckoutRequest) -> tuple[int, CheckoutState]:
    state = await current_state(ctx.shop, ctx.visitor)
    if state.customer is None:
        raise PermissionDenied("denied", field="accessRight")
    return state.customer.id, state


async def _answer(ctx: CheckoutRequest, customer_id: int, state: CheckoutState) -> Response:
    contracts = await subscriptions.customer_contracts(ctx.shop.db, customer_id)
    return ctx.respond(ctx.context(state, subscriptionContracts=[contract_body(c) for c in contracts]))


@router.post("/customer/subscriptions", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def customer_subscriptions(ctx: Ctx) -> Response:
    """The logged-in customer's subscription contracts."""
    customer_id, state = await _logged_in(ctx)
    return await _answer(ctx, customer_id, state)


async def _status(ctx: CheckoutRequest, body: StatusBody) -> Response:
    customer_id, state = await _logged_in(ctx)
    await subscriptions.set_subscription_status(ctx.shop.db, body.subscription, body.status, customer_id=customer_id)
    return await _answer(ctx, customer_id, state)


@router.put("/subscription/status", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def subscription_status(ctx: Ctx, body: StatusBody) -> Response:
    """Pause, resume or cancel one subscription (a cancelled one cannot be resumed: 409)."""
    return await _status(ctx, body)


@router.put("/subscriptions/status", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def subscriptions_status(ctx: Ctx, body: StatusBody) -> Response:
    return await _status(ctx, body)


async def _interval(ctx: CheckoutRequest, body: IntervalBody) -> Response:
    customer_id, state = await _logged_in(ctx)
    await subscriptions.set_subscription_interval(
        ctx.shop.db, body.subscription, body.intervalValue, body.intervalType, customer_id=customer_id
    )
    return await _answer(ctx, customer_id, state)


@router.put("/subscription/interval", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def subscription_interval(ctx: Ctx, body: IntervalBody) -> Response:
    return await _interval(ctx, body)


@router.put("/subscriptions/interval", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def subscriptions_interval(ctx: Ctx, body: IntervalBody) -> Response:
    return await _interval(ctx, body)


async def _contract_address(ctx: CheckoutRequest, body: ContractAddressBody) -> Response:
    customer_id, state = await _logged_in(ctx)
    given = body.shippingAddress or body.address or AddressBody()
    await subscriptions.set_contract_address(ctx.shop.db, body.contract, given.to_address(), customer_id=customer_id)
    return await _answer(ctx, customer_id, state)


@router.put("/subscription/address", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def subscription_address(ctx: Ctx, body: ContractAddressBody) -> Response:
    """Where a contract's renewals are shipped (the country stays the contract's)."""
    return await _contract_address(ctx, body)


@router.put("/subscriptions/address", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def subscriptions_address(ctx: Ctx, body: ContractAddressBody) -> Response:
    return await _contract_address(ctx, body)


@router.post("/customer/stored/payment-methods", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def stored_payment_methods(ctx: Ctx, body: StoredMethodsBody | None = None) -> Response:
    """The payment methods kept for the logged-in customer's renewals (never the provider's token).
    With ``contract``, that contract must be the shopper's (else 404)."""
    customer_id, state = await _logged_in(ctx)
    if body is not None and body.contract is not None:
        await subscriptions.contract_view(ctx.shop.db, body.contract, customer_id=customer_id)
    methods = await subscriptions.stored_payment_methods(ctx.shop.db, customer_id)
    return ctx.respond(
        ctx.context(
            state,
            storedPaymentMethods=[
                {"id": m.id, "name": m.label, "createdAt": m.created_at.strftime("%Y-%m-%d %H:%M:%S")} for m in methods
            ],
        )
    )


@router.post("/customer/contracts/{contract}/subscription", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def add_contract_subscription(ctx: Ctx, contract: ContractPath, body: AddSubscriptionBody) -> Response:
    """Add an item on a plan offered on its product to one of the shopper's contracts."""
    customer_id, state = await _logged_in(ctx)
    contract_id = path_id(contract, "contract", "subscription contract not found")
    await subscriptions.add_subscription(
        ctx.shop.db, contract_id, body.item, body.subscriptionPlan, body.quantity, customer_id=customer_id
    )
    return await _answer(ctx, customer_id, state)


@router.put(
    "/customer/contracts/{contract}/subscription/{subscription}",
    response_model=AnyResponse,
    responses=ACCOUNT,
    tags=[TAG],
)
async def change_contract_subscription(
    ctx: Ctx, contract: ContractPath, subscription: SubscriptionPath, body: ChangeSubscriptionBody
) -> Response:
    """Move a subscription of the contract to another plan (its interval and discount) or change its
    quantity; ``status`` as in ``PUT /subscription/status``."""
    customer_id, state = await _logged_in(ctx)
    contract_id = path_id(contract, "contract", "subscription contract not found")
    subscription_id = path_id(subscription, "subscription", "subscription not found")
    await subscriptions.update_subscription(
        ctx.shop.db,
        contract_id,
        subscription_id,
        customer_id=customer_id,
        plan_id=body.subscriptionPlan,
        quantity=body.quantity,
        status=body.status,
    )
    return await _answer(ctx, customer_id, state)


@router.post("/customer/stored/payment", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def stored_payment(ctx: Ctx, body: StoredPaymentBody) -> Response:
    """Pay with a new method for some of the shopper's contracts: answers the provider's action
    (``redirect``/``form``/``javascript``), or ``success`` when it authorized at once."""
    customer_id, _state = await _logged_in(ctx)
    started = await subscriptions.start_payment_update(
        ctx.shop.db,
        customer_id,
        body.contracts,
        body.paymentMethod,
        body.paymentReturnPage,
        body.paymentFailedPage or None,
    )
    action = started.action
    out: dict[str, Any]
    if isinstance(action, RedirectAction):
        out = {"action": "redirect", "url": action.url}
    elif isinstance(action, FormAction):
        out = {"action": "form", "formHtml": action.html, "formFields": dict(action.fields), "formUrl": action.url}
    elif isinstance(action, JavascriptAction):
        out = {"action": "javascript", "code": action.code, "formFields": dict(action.fields)}
    else:
        out = {"action": "success", "status": "ok", "contractIds": list(started.contract_ids)}
    return ctx.respond(ctx.with_token(out))


@router.post("/customer/stored/payment-result", response_model=AnyResponse, responses=ACCOUNT, tags=[TAG])
async def stored_payment_result(ctx: Ctx, body: PaymentResultBody | None = None) -> Response:
    """Finish a stored payment update with what the provider sent back (``paymentMethodFields``)."""
    customer_id, _state = await _logged_in(ctx)
    fields = (body or PaymentResultBody()).fields()
    contract_ids = await subscriptions.complete_payment_update(ctx.shop.db, customer_id, fields)
    return ctx.respond(ctx.with_token({"status": "ok", "paymentHtml": "", "contractIds": list(contract_ids)}))
