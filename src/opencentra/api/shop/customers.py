"""Shop API customers by email: log in, register, the account's own orders and the
shipping address of one, newsletter and back-in-stock sign-ups.

The Shop API is stateless: ``POST /customers/{email}/login`` checks a
password and answers the account; the webshop keeps the login. Naming a
``selection`` in a login or a registration attaches the account to that
selection (``storefront.account_by_email``), which makes its order the
account's and lets it hold subscription plan lines. Bodies are v1-strict
(``selections.read_body``): an unknown field is 400 ``{"errors": {"<field>": "unknown"}}``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path
from pydantic import Field, StringConstraints
from starlette.requests import Request
from starlette.responses import Response

from opencentra import storefront
from opencentra.api.context import context_from_scope
from opencentra.api.shop.selection_shapes import order_body
from opencentra.api.shop.selections import Body, Shop, Short, WholeNumber, read_body
from opencentra.api.wire_address import WireAddressFields
from opencentra.errors import NotFound
from opencentra.integers import parse_int
from opencentra.ratelimit.throttle import Throttle, Throttles, TooManyAttempts
from opencentra.storefront import (
    MAX_PAGE,
    AccountAnswer,
    CheckoutState,
    CustomerView,
    Newsletter,
    PlacedOrder,
    Registration,
    SelectionKey,
    Storefront,
)

router = APIRouter(tags=["customers"])

THROTTLE_STATE_KEY = "shop_throttles"

Email = Annotated[str, Path(description="the customer's email", examples=["shopper@example.com"])]
Password = Annotated[str, StringConstraints(max_length=1000)]
EmailText = Annotated[str, StringConstraints(max_length=254)]


def _throttle(request: Request) -> Throttle:
    """The login throttle: Redis when the settings name one (shared by every process), else this process."""
    state = request.app.state
    throttles = getattr(state, THROTTLE_STATE_KEY, None)
    if not isinstance(throttles, Throttles):
        throttles = Throttles()
        setattr(state, THROTTLE_STATE_KEY, throttles)
    return throttles.get(context_from_scope(request.scope).app.settings.redis_url)


def _json(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json", headers=headers)


def _too_many(error: TooManyAttempts) -> Response:
    retry = str(max(1, math.ceil(error.retry_after)))
    return _json({"errors": {error.field or "email": error.message}}, 429, {"Retry-After": retry})


def _selection_key(selection: str | None) -> SelectionKey | None:
    return SelectionKey(selection) if selection else None


# --- bodies --------------------------------------------------------------------------------


class AddressFields(WireAddressFields, Body):
    """The address fields (``opencentra.api.wire_address``), strict."""


class LoginBody(Body):
    password: Password
    # A selection (32-hex id) to attach the account to.
    selection: Short | None = None
    # The shopper's address, for the per-address login throttle (the caller is one server for all shoppers).
    ipAddress: Short | None = None  # noqa: N815


class RegisterBody(AddressFields):
    password: Password
    gender: Short | None = None
    newsletter: bool = False
    address: AddressFields | None = None
    selection: Short | None = None


class OrdersBody(Body):
    from_: Annotated[WholeNumber, Field(alias="from", ge=0, le=1_000_000)] = 0
    size: Annotated[WholeNumber, Field(ge=0, le=MAX_PAGE)] | None = None


class NewsletterBody(Body):
    country: Short | None = None
    language: Short | None = None
    product: Annotated[WholeNumber, Field(ge=1, le=2**62)] | None = None
    item: Short | None = None
    # Centra's honeypot: a value means a bot filled in the form; the answer is the same, nothing is stored.
    email_field: Short | None = None


class ShipTo(Body):
    country: Short
    state: Short | None = None


class BackInStockBody(Body):
    item: Short
    shipTo: ShipTo  # noqa: N815
    language: Short | None = None


class BackInStockWithEmailBody(BackInStockBody):
    email: EmailText


# --- answers -------------------------------------------------------------------------------


def customer_body(customer: CustomerView) -> dict[str, Any]:
    address = customer.address
    return {
        "customer": str(customer.id),
        "email": customer.email,
        "firstName": customer.first_name or "",
        "lastName": customer.last_name or "",
        "gender": customer.gender or "",
        "address1": address.address1 or "",
        "address2": address.address2 or "",
        "zipCode": address.zip_code or "",
        "city": address.city or "",
        "state": address.state or "",
        "country": address.country or "",
        "phoneNumber": address.phone_number or "",
        "company": address.company or "",
        "language": customer.language or "",
        "newsletter": customer.newsletter,
    }


def _account(answer: AccountAnswer, status_code: int = 200) -> Response:
    body = customer_body(answer.customer)
    if answer.selection is not None:
        body["selection"] = answer.selection
    return _json(body, status_code)


def _order(placed: PlacedOrder, state: CheckoutState) -> dict[str, Any]:
    body = order_body(placed.order, state, placed.selection)
    body["market"] = str(placed.market_id)
    body["pricelist"] = str(placed.pricelist_id)
    return body


# --- routes --------------------------------------------------------------------------------


@router.post("/customers/{email}/login")
async def login(request: Request, shop: Shop, email: Email) -> Response:
    """Check the password (406 ``password: incorrect``); with ``selection``, attach the account to it."""
    body = await read_body(request, LoginBody)
    try:
        answer = await storefront.account_by_email.log_in(
            shop,
            _throttle(request),
            email,
            body.password,
            client_address=body.ipAddress,
            selection=_selection_key(body.selection),
        )
    except TooManyAttempts as error:
        return _too_many(error)
    return _account(answer)


@router.post("/customers/{email}/register", status_code=201)
async def register(request: Request, shop: Shop, email: Email) -> Response:
    """A new account (201); an email known from guest orders becomes one. With ``selection``, attached to it."""
    body = await read_body(request, RegisterBody)
    address = body.to_address()
    if body.address is not None:
        address = address.merged(body.address.to_address())
    registration = Registration(
        email=email, password=body.password, address=address, newsletter=body.newsletter, gender=body.gender
    )
    answer = await storefront.account_by_email.register(shop, registration, selection=_selection_key(body.selection))
    return _account(answer, 201)


async def _orders(shop: Storefront, email: str, body: OrdersBody) -> Response:
    page = await storefront.account_by_email.customer_orders(shop, email, body.from_, body.size)
    return _json(
        {
            "orders": [_order(placed, page.state) for placed in page.orders],
            "ordersPaging": {
                "from": page.start,
                "size": page.size if page.size is not None else page.total,
                "totalSize": page.total,
            },
        }
    )


@router.get("/customers/{email}/orders")
async def orders(shop: Shop, email: Email) -> Response:
    """The account's orders, newest first (404 ``customer`` for an email without an account)."""
    return await _orders(shop, email, OrdersBody())


@router.post("/customers/{email}/orders")
async def orders_paged(request: Request, shop: Shop, email: Email) -> Response:
    """The account's orders, paged with ``from`` and ``size``."""
    return await _orders(shop, email, await read_body(request, OrdersBody))


@router.put("/customers/{email}/orders/{order}/shipping-address")
async def shipping_address(request: Request, shop: Shop, email: Email, order: str) -> Response:
    """Change where one of the account's orders goes, until it ships (409 ``order`` after)."""
    body = await read_body(request, AddressFields)
    number = parse_int(order)
    if number is None:
        raise NotFound("not found", field="order")
    placed, state = await storefront.account_by_email.set_order_shipping_address(shop, email, number, body.to_address())
    return _json(_order(placed, state))


@router.post("/customers/{email}/newsletter-subscription")
async def newsletter(request: Request, shop: Shop, email: Email) -> Response:
    body = await read_body(request, NewsletterBody)
    if not body.email_field:
        request_ = Newsletter(
            email=email, country=body.country, language=body.language, product=body.product, item=body.item
        )
        await storefront.account_by_email.subscribe_newsletter(shop, request_)
    return _json({"subscribed": True})


@router.post("/back-in-stock-subscription")
async def back_in_stock(request: Request, shop: Shop) -> Response:
    """Tell ``email`` when ``item`` is back in stock where ``shipTo`` is."""
    body = await read_body(request, BackInStockWithEmailBody)
    return await _back_in_stock(shop, body.email, body)


@router.post("/customers/{email}/back-in-stock-subscription")
async def back_in_stock_for(request: Request, shop: Shop, email: Email) -> Response:
    body = await read_body(request, BackInStockBody)
    return await _back_in_stock(shop, email, body)


async def _back_in_stock(shop: Storefront, email: str, body: BackInStockBody) -> Response:
    await storefront.account_by_email.subscribe_back_in_stock(
        shop, body.item, body.shipTo.country, email=email, state=body.shipTo.state, language=body.language
    )
    return _json({"subscribed": True})
