"""Checkout: POST /payment, POST /payment-result and GET /receipt."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from opencentra import storefront
from opencentra.api.checkout.bodies import PaymentBody, PaymentResultBody
from opencentra.api.checkout.docs import SELECTION, AnyResponse
from opencentra.api.checkout.mailing import mail_gift_certificates
from opencentra.api.checkout.request import CheckoutRequest, Ctx
from opencentra.api.checkout.shapes import order_body, state_body, unavailable_body
from opencentra.api.wire_address import checkout_fields
from opencentra.api.wire_amounts import priced
from opencentra.payments import FormAction, JavascriptAction, RedirectAction
from opencentra.storefront import OrderPlaced, PaymentAnswer, PaymentPending, PaymentRefused, StockShort

router = APIRouter()

PAYMENT_RESPONSES: dict[int | str, dict[str, Any]] = {**SELECTION}


def _answer(ctx: CheckoutRequest, answer: PaymentAnswer, *, action_success: bool) -> Response:
    if isinstance(answer, OrderPlaced):
        body = ctx.context(answer.state)
        if action_success:
            body = (
                {"token": body.get("token"), "action": "success", **body}
                if "token" in body
                else {
                    "action": "success",
                    **body,
                }
            )
        body["order"] = order_body(answer.order, answer.state.reference)
        body["crossSell"] = {"isAllowed": False, "timeLimit": 0}
        return ctx.respond(body)
    if isinstance(answer, PaymentPending):
        action = answer.action
        out: dict[str, Any] = {}
        if isinstance(action, RedirectAction):
            out = {"action": "redirect", "url": action.url}
        elif isinstance(action, FormAction):
            out = {"action": "form", "formHtml": action.html, "formFields": dict(action.fields), "formUrl": action.url}
        elif isinstance(action, JavascriptAction):
            out = {"action": "javascript", "code": action.code, "formFields": dict(action.fields)}
        return ctx.respond(ctx.with_token(out))
    if isinstance(answer, PaymentRefused):
        return ctx.respond(
            ctx.with_token(
                {
                    "errors": {"paymentMethod": answer.code},
                    "code": answer.code,
                    "message": answer.message,
                    "messages": [answer.message],
                }
            ),
            406,
        )
    assert isinstance(answer, StockShort)
    body = state_body(answer.state, server_mode=ctx.server_mode)
    body["errors"] = {"stock": "unavailable items"}
    body["unavailable"] = unavailable_body(answer.unavailable)
    if answer.cancellation is not None:
        currency = answer.state.location.currency
        body["cancellation"] = {**priced("grandTotalPrice", answer.cancellation, currency), "currency": currency.code}
    return ctx.respond(body, 410)


@router.post("/payment", response_model=AnyResponse, responses=PAYMENT_RESPONSES, tags=["4 checkout flow"])
async def start_payment(ctx: Ctx, body: PaymentBody) -> Response:
    """Start paying: answers a redirect, form or javascript action, or the order at once."""
    request = storefront.payment.PaymentInput(
        payment_method=body.paymentMethod,
        return_page=body.paymentReturnPage,
        failed_page=body.paymentFailedPage,
        terms_and_conditions=body.termsAndConditions,
        fields=checkout_fields(body),
        initiate_only=body.paymentInitiateOnly,
    )
    answer = await storefront.payment.start_payment(ctx.shop, ctx.visitor, request)
    await mail_gift_certificates(ctx, answer)
    return _answer(ctx, answer, action_success=True)


@router.post("/payment-result", response_model=AnyResponse, responses=PAYMENT_RESPONSES, tags=["4 checkout flow"])
async def payment_result(ctx: Ctx, body: PaymentResultBody | None = None) -> Response:
    """Finish paying with what the provider sent back; makes the order once, however often it is called."""
    fields = (body or PaymentResultBody()).fields()
    answer = await storefront.payment.payment_result(ctx.shop, ctx.visitor, fields)
    await mail_gift_certificates(ctx, answer)
    return _answer(ctx, answer, action_success=False)


@router.get("/receipt", response_model=AnyResponse, responses=PAYMENT_RESPONSES, tags=["4 checkout flow"])
async def receipt(ctx: Ctx) -> Response:
    """The last order this session placed."""
    placed = await storefront.payment.receipt(ctx.shop, ctx.visitor)
    body = ctx.context(placed.state)
    body["order"] = order_body(placed.order, placed.state.reference)
    return ctx.respond(body)
