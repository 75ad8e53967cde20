"""Endpoints tied to third-party services OpenCentra does not run.

They answer in the documented error shape with a message that says why, so a
storefront written for Centra fails clearly instead of with a bare 404 for an
unknown route. Listed in docs/compatibility/checkout-api.md.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from opencentra.api.checkout.bodies import AddressSearchBody, UpsellBody
from opencentra.api.checkout.docs import ACCOUNT, AnyResponse
from opencentra.api.checkout.errors import errors_response
from opencentra.api.checkout.request import Ctx

router = APIRouter()

KLARNA_SEARCH = "address search needs Klarna invoice payments, which OpenCentra does not run"
UPSELL = "post-purchase upsell needs Klarna Checkout v3, which OpenCentra does not run"
SUBSCRIPTIONS = "subscription contracts are not available in the Checkout API of OpenCentra"


@router.post("/address-search", response_model=AnyResponse, responses=ACCOUNT, tags=["4 checkout flow"])
async def address_search(ctx: Ctx, body: AddressSearchBody | None = None) -> Response:
    return errors_response(ctx.request, 404, {"paymentMethod": KLARNA_SEARCH})


@router.post("/orders/{order}/items", response_model=AnyResponse, responses=ACCOUNT, tags=["7 upsell"])
async def upsell(ctx: Ctx, order: str, body: UpsellBody | None = None) -> Response:
    return errors_response(ctx.request, 404, {"order": UPSELL})


@router.post("/orders/{order}/items/{item}", response_model=AnyResponse, responses=ACCOUNT, tags=["7 upsell"])
async def upsell_item(ctx: Ctx, order: str, item: str) -> Response:
    return errors_response(ctx.request, 404, {"order": UPSELL})


_SUBSCRIPTION_PATHS = (
    ("POST", "/customer/subscriptions"),
    ("PUT", "/subscription/interval"),
    ("PUT", "/subscriptions/interval"),
    ("PUT", "/subscription/status"),
    ("PUT", "/subscriptions/status"),
    ("PUT", "/subscription/address"),
    ("PUT", "/subscriptions/address"),
    ("POST", "/customer/stored/payment-methods"),
)


async def _subscriptions(ctx: Ctx) -> Response:
    return errors_response(ctx.request, 404, {"subscription": SUBSCRIPTIONS})


for _method, _path in _SUBSCRIPTION_PATHS:
    router.add_api_route(
        _path,
        _subscriptions,
        methods=[_method],
        response_model=AnyResponse,
        responses=ACCOUNT,
        tags=["6 customer handling"],
        name=f"subscriptions {_method} {_path}",
        summary="Subscription contracts (not available)",
    )
