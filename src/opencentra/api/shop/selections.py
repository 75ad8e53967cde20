"""Shop API selections by id: create, read, items and lines, location, methods,
vouchers, gift certificates, checkout fields, payment and the receipt.

Every route calls the same storefront use case the Checkout API calls, with a
``SelectionKey`` (the selection id from the path) where the Checkout API
passes its session; pricing, stock, vouchers and orders are the domain's. This
module only reads the wire (strict bodies: an unknown field is 400
``{"errors": {"<field>": "unknown"}}``) and writes it (``selection_shapes``).
A selection id that does not exist, or is another store's, is 404
``errors.selection``; so is a change to a selection that became an order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Depends, Path
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from opencentra import storefront
from opencentra.api import wire_items
from opencentra.api.context import context_from_scope
from opencentra.api.shop.selection_shapes import order_body, selection_body, unavailable_body
from opencentra.api.wire_address import WireAddress, checkout_fields
from opencentra.api.wire_amounts import priced
from opencentra.errors import NotFound, ValidationFailed
from opencentra.integers import as_int, parse_int
from opencentra.integration import ShopSettings
from opencentra.payments import FormAction, JavascriptAction, RedirectAction
from opencentra.selection import MAX_LINE_QUANTITY
from opencentra.storefront import (
    Channel,
    CheckoutCache,
    CheckoutState,
    OrderPlaced,
    PaymentAnswer,
    PaymentPending,
    PaymentRefused,
    SelectionKey,
    StockShort,
    Storefront,
    add_bundle,
    add_gift_certificate,
    add_item_on_plan,
    current_state,
    remove_gift_line,
    remove_line_plan,
    set_line_plan,
)

router = APIRouter(tags=["selections"])

CACHE_SECONDS_VARIABLE = "OPENCENTRA_SHOP_CACHE_SECONDS"
REFERENCE_SECONDS_VARIABLE = "OPENCENTRA_SHOP_REFERENCE_SECONDS"
SELECTION_STATE_KEY = "shop_selections_cache"

SelectionId = Annotated[
    str, Path(description="the selection's 32-hex id", examples=["8716039e2c65b561e014985186d3699d"])
]
Digits = Annotated[str, Path(description="a whole number, ASCII digits only", examples=["2"])]


# --- per request ---------------------------------------------------------------------------


def _seconds(variable: str, default: float) -> float:
    raw = os.environ.get(variable, "")
    try:
        value = float(raw) if raw.strip() else default
    except ValueError:
        value = default
    return max(value, 0.0)


def _cache(request: Request) -> CheckoutCache:
    """The app's storefront caches (reference data, catalogue and stock snapshots), made on first use."""
    state = request.app.state
    cache = getattr(state, SELECTION_STATE_KEY, None)
    if not isinstance(cache, CheckoutCache):
        cache = CheckoutCache(
            poll_seconds=_seconds(CACHE_SECONDS_VARIABLE, 0.5),
            reference_seconds=_seconds(REFERENCE_SECONDS_VARIABLE, 5.0),
        )
        setattr(state, SELECTION_STATE_KEY, cache)
    return cache


@dataclass(frozen=True)
class ShopCart:
    """One request on one selection: the plugin's storefront and the selection's key."""

    shop: Storefront
    key: SelectionKey
    # ``?pretty``: indented JSON, as on every Centra webshop API call.
    pretty: bool = False

    def answer(self, state: CheckoutState, status_code: int = 200) -> Response:
        return _selection(state, status_code, pretty=self.pretty)

    def json(self, body: Any, status_code: int = 200) -> Response:
        return _json(body, status_code, pretty=self.pretty)

    @property
    def selection_id(self) -> str:
        return self.key.uuid.strip().lower()


async def _storefront(request: Request) -> Storefront:
    # Async on purpose: FastAPI runs plain-function dependencies in a thread pool.
    context = context_from_scope(request.scope)
    plugin = context.plugin
    settings = plugin.settings
    markets = tuple(settings.markets) if isinstance(settings, ShopSettings) else ()
    channel = Channel(store_id=plugin.store_id, plugin_id=plugin.id, server_mode=True, market_ids=markets)
    return Storefront(context.db, _cache(request), channel)


async def _shop_cart(request: Request, selection: SelectionId) -> ShopCart:
    return ShopCart(await _storefront(request), SelectionKey(selection), "pretty" in request.query_params)


Shop = Annotated[Storefront, Depends(_storefront)]
Ctx = Annotated[ShopCart, Depends(_shop_cart)]


def _json(body: Any, status_code: int = 200, *, pretty: bool = False) -> Response:
    option = orjson.OPT_INDENT_2 if pretty else 0
    return Response(orjson.dumps(body, option=option), status_code=status_code, media_type="application/json")


def _selection(state: CheckoutState, status_code: int = 200, *, pretty: bool = False) -> Response:
    """A selection; 410 with ``errors.stock`` when units could not be had (aggressive overselling)."""
    body = selection_body(state)
    if state.unavailable:
        body["errors"] = {"stock": "unavailable items"}
        return _json(body, 410, pretty=pretty)
    return _json(body, status_code, pretty=pretty)


def _quantity(text: str) -> int:
    number = parse_int(text, negative=True)
    if number is None:
        raise ValidationFailed("quantity must be a whole number written with the digits 0-9", field="quantity")
    return number


def _path_id(text: str, field: str) -> int:
    number = parse_int(text)
    if number is None or number == 0:
        raise NotFound("not found", field=field)
    return number


# --- bodies (v1: strict) -------------------------------------------------------------------


def _whole(value: object) -> object:
    number = as_int(value)
    if number is None:
        raise ValueError("must be a whole number: a JSON integer or a string of the digits 0-9")
    return number


WholeNumber = Annotated[int, BeforeValidator(_whole)]
Id = Annotated[WholeNumber, Field(ge=1, le=2**62)]
Text = Annotated[str, StringConstraints(max_length=2000)]
Short = Annotated[str, StringConstraints(max_length=255)]


class Body(BaseModel):
    # Shop API v1 validates its input: an unknown field is refused, not ignored.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LocationBody(Body):
    country: Short | None = None
    state: Short | None = None
    market: Id | None = None
    pricelist: Id | None = None
    language: Short | None = None


class ItemBody(Body):
    productUrl: Text | None = None  # noqa: N815 - Centra's field names
    comment: Text | None = None
    subscriptionPlan: Id | None = None  # noqa: N815
    # Plugin data kept on the line and shown there (at most 50 keys).
    additionalFields: dict[str, Any] | None = Field(default=None, max_length=50)  # noqa: N815


class SectionChoice(Body):
    section: Id
    item: Annotated[str, StringConstraints(max_length=64)] | None = None


class BundleBody(Body):
    """A bundle's choices: ``sections`` as ``[{"section": id, "item": "<product>-<size>"}]`` or as a map
    ``{"<section id>": "<item>"}``, as the Checkout API takes them (docs/compatibility/shop-api.md)."""

    sections: list[SectionChoice] | dict[str, Annotated[str, StringConstraints(max_length=64)] | None] = Field(
        default_factory=list, max_length=100
    )
    quantity: WholeNumber = Field(default=1, ge=1, le=MAX_LINE_QUANTITY)
    comment: Text | None = None

    def choices(self) -> dict[int, str | None]:
        if isinstance(self.sections, dict):
            chosen: dict[int, str | None] = {}
            for key, item in self.sections.items():
                section = parse_int(key)
                if section is None or section == 0:
                    raise NotFound(f"section {key[:20]!r} is not in this bundle", field=f"sections.{key[:20]}")
                chosen[section] = item
            return chosen
        return {entry.section: entry.item for entry in self.sections}


class LanguageBody(Body):
    language: Short | None = None


class VoucherBody(Body):
    voucher: Annotated[str, StringConstraints(max_length=200)]


class AddressBody(WireAddress, Body):
    """An address (``opencentra.api.wire_address``), strict, and the Shop API's account fields."""

    # The shopper logged in (POST /customers/{email}/login): the order is the account's.
    loggedIn: bool | None = None  # noqa: N815


class PaymentAddressBody(AddressBody):
    """The payment's address may also register an account (Centra's subscription guide, "ShopAPI")."""

    register_: bool | None = Field(default=None, alias="register")
    password: Annotated[str, StringConstraints(max_length=1000, strip_whitespace=False)] | None = None


class CheckoutFieldsBody(Body):
    address: AddressBody | None = None
    shippingAddress: AddressBody | None = None  # noqa: N815
    newsletter: bool | None = None
    additionalNotes: Text | None = None  # noqa: N815
    comment: Text | None = None
    termsAndConditions: bool | None = None  # noqa: N815
    # Plugin callback data (CheckoutScript / Ingrid); no such plugin runs here, so it is not kept.
    additionalFields: dict[str, Any] | None = None  # noqa: N815


class PaymentBody(CheckoutFieldsBody):
    address: PaymentAddressBody | None = None
    paymentMethod: Short | None = None  # noqa: N815
    paymentReturnPage: Text = ""  # noqa: N815
    paymentFailedPage: Text = ""  # noqa: N815
    paymentInitiateOnly: bool = False  # noqa: N815
    paymentMethodSpecificFields: dict[str, Any] | None = None  # noqa: N815
    ipAddress: Short | None = None  # noqa: N815


class PaymentResultBody(Body):
    paymentMethodFields: dict[str, Any] = Field(default_factory=dict)  # noqa: N815

    def fields(self) -> dict[str, str]:
        return {
            str(k)[:200]: str(v)[:2000] for k, v in self.paymentMethodFields.items() if isinstance(v, str | int | float)
        }


B = TypeVar("B", bound=Body)


async def read_body(request: Request, model: type[B]) -> B:
    """The JSON body as ``model``; an empty body is an empty object. 400 names the field:
    ``unknown`` for a field the operation does not take, else what is wrong with it."""
    raw = await request.body()
    try:
        return model.model_validate_json(raw if raw.strip() else b"{}")
    except ValidationError as error:
        errors = []
        for entry in error.errors():
            found: dict[str, Any] = {"loc": ("body", *entry.get("loc", ())), "type": entry["type"]}
            if entry["type"] == "extra_forbidden":
                found["msg"] = "unknown"
            elif entry["type"] == "json_invalid":
                found["loc"] = ("body",)
                found["msg"] = "malformed JSON"
            else:
                found["msg"] = entry.get("msg", "invalid")
            errors.append(found)
        raise RequestValidationError(errors) from None


# --- the selection -------------------------------------------------------------------------


@router.post("/selections", status_code=201)
async def create_selection(request: Request, shop: Shop) -> Response:
    """A new selection (201), at the store's defaults or where the body says (``country`` and so on)."""
    body = await read_body(request, LocationBody)
    state = await storefront.cart.create_selection(
        shop,
        country=body.country,
        state=body.state,
        market=body.market,
        pricelist=body.pricelist,
        language=body.language,
    )
    return _selection(state, 201, pretty="pretty" in request.query_params)


@router.get("/selections/{selection}")
async def get_selection(ctx: Ctx) -> Response:
    state = await current_state(ctx.shop, ctx.key)
    if state.order is not None:
        # It became an order: a selection by id is then "not found", as Centra has it since v2.69.
        raise NotFound("not found", field="selection")
    return ctx.answer(state)


@router.put("/selections/{selection}")
async def set_location(request: Request, ctx: Ctx) -> Response:
    """Any of ``country`` (with ``state``), ``market``, ``pricelist`` and ``language``."""
    body = await read_body(request, LocationBody)
    state = await storefront.cart.set_location(
        ctx.shop,
        ctx.key,
        country=body.country,
        state=body.state,
        market=body.market,
        pricelist=body.pricelist,
        language=body.language,
    )
    return ctx.answer(state)


# --- items and lines -----------------------------------------------------------------------


async def _add(request: Request, ctx: ShopCart, item: str, quantity: int) -> Response:
    body = await read_body(request, ItemBody)
    if body.subscriptionPlan is not None:
        state = await add_item_on_plan(ctx.shop, ctx.key, item, body.subscriptionPlan, quantity, comment=body.comment)
    else:
        state = await wire_items.add_item(ctx.shop, ctx.key, item, quantity, body)
    return ctx.answer(state, 201)


@router.post("/selections/{selection}/items/{item}", status_code=201)
async def add_item(request: Request, ctx: Ctx, item: str) -> Response:
    """One unit of ``item`` (201, with the ``line`` it went to); body ``subscriptionPlan``, ``productUrl``."""
    return await _add(request, ctx, item, 1)


@router.post("/selections/{selection}/items/{item}/quantity/{quantity}", status_code=201)
async def add_items(request: Request, ctx: Ctx, item: str, quantity: Digits) -> Response:
    return await _add(request, ctx, item, _quantity(quantity))


@router.post("/selections/{selection}/items/bundles/{item}", status_code=201)
async def add_bundle_item(request: Request, ctx: Ctx, item: str) -> Response:
    """A bundle (fixed or flexible) by its item id, with the choice per section (404 ``errors.item`` for what
    is not a bundle, ``errors.sections.<id>`` for a choice the bundle does not offer)."""
    body = await read_body(request, BundleBody)
    state = await add_bundle(
        ctx.shop, ctx.key, item, body.choices(), body.quantity, comment=body.comment, allow_flexible=True
    )
    return ctx.answer(state, 201)


@router.post("/selections/{selection}/lines/{line}/quantity/{quantity}")
async def increase_line(ctx: Ctx, line: str, quantity: Digits) -> Response:
    return ctx.answer(await storefront.cart.increase_line(ctx.shop, ctx.key, line, _quantity(quantity)))


@router.put("/selections/{selection}/lines/{line}/quantity/{quantity}")
async def set_line(ctx: Ctx, line: str, quantity: Digits) -> Response:
    """The line's quantity; 0 removes it."""
    return ctx.answer(await storefront.cart.set_line(ctx.shop, ctx.key, line, _quantity(quantity)))


@router.delete("/selections/{selection}/lines/{line}/quantity/{quantity}")
async def decrease_line(ctx: Ctx, line: str, quantity: Digits) -> Response:
    return ctx.answer(await storefront.cart.decrease_line(ctx.shop, ctx.key, line, _quantity(quantity)))


@router.delete("/selections/{selection}/lines/{line}")
async def remove_line(ctx: Ctx, line: str) -> Response:
    """Remove a product line, or the gift certificate line."""
    try:
        state = await storefront.cart.remove_line(ctx.shop, ctx.key, line)
    except NotFound as error:
        if error.field != "line":
            raise
        state = await remove_gift_line(ctx.shop, ctx.key, line)
    return ctx.answer(state)


@router.put("/selections/{selection}/lines/{line}/subscription-plan/{plan}")
async def set_subscription_plan(ctx: Ctx, line: str, plan: str) -> Response:
    return ctx.answer(await set_line_plan(ctx.shop, ctx.key, line, plan))


@router.delete("/selections/{selection}/lines/{line}/subscription-plan")
async def remove_subscription_plan(ctx: Ctx, line: str) -> Response:
    return ctx.answer(await remove_line_plan(ctx.shop, ctx.key, line))


# --- gift certificates ---------------------------------------------------------------------


@router.post("/selections/{selection}/gift-certificates/{certificate}")
async def add_certificate(ctx: Ctx, certificate: str) -> Response:
    return ctx.answer(await add_gift_certificate(ctx.shop, ctx.key, certificate))


@router.post("/selections/{selection}/gift-certificates/{certificate}/amount/{amount}")
async def add_certificate_amount(ctx: Ctx, certificate: str, amount: str) -> Response:
    return ctx.answer(await add_gift_certificate(ctx.shop, ctx.key, certificate, amount))


# --- vouchers ------------------------------------------------------------------------------


@router.post("/selections/{selection}/vouchers")
async def add_voucher(request: Request, ctx: Ctx) -> Response:
    body = await read_body(request, VoucherBody)
    return ctx.answer(await storefront.cart.add_voucher(ctx.shop, ctx.key, body.voucher))


@router.delete("/selections/{selection}/vouchers/{voucher}")
async def remove_voucher(ctx: Ctx, voucher: str) -> Response:
    return ctx.answer(await storefront.cart.remove_voucher(ctx.shop, ctx.key, voucher))


@router.delete("/selections/{selection}/vouchers")
async def remove_voucher_in_body(request: Request, ctx: Ctx) -> Response:
    body = await read_body(request, VoucherBody)
    return ctx.answer(await storefront.cart.remove_voucher(ctx.shop, ctx.key, body.voucher))


# --- where the selection is, and its methods -----------------------------------------------


@router.put("/selections/{selection}/countries/{country}")
async def set_country(request: Request, ctx: Ctx, country: str) -> Response:
    """Market and pricelist follow the country; optional body ``language``."""
    body = await read_body(request, LanguageBody)
    return ctx.answer(await storefront.cart.set_country(ctx.shop, ctx.key, country, language=body.language))


@router.put("/selections/{selection}/countries/{country}/states/{state}")
async def set_country_state(request: Request, ctx: Ctx, country: str, state: str) -> Response:
    body = await read_body(request, LanguageBody)
    return ctx.answer(await storefront.cart.set_country(ctx.shop, ctx.key, country, state, language=body.language))


@router.put("/selections/{selection}/markets/{market}")
async def set_market(ctx: Ctx, market: Digits) -> Response:
    return ctx.answer(await storefront.cart.set_location(ctx.shop, ctx.key, market=_path_id(market, "market")))


@router.put("/selections/{selection}/pricelists/{pricelist}")
async def set_pricelist(ctx: Ctx, pricelist: Digits) -> Response:
    return ctx.answer(await storefront.cart.set_location(ctx.shop, ctx.key, pricelist=_path_id(pricelist, "pricelist")))


@router.put("/selections/{selection}/languages/{language}")
async def set_language(ctx: Ctx, language: str) -> Response:
    return ctx.answer(await storefront.cart.set_language(ctx.shop, ctx.key, language))


@router.put("/selections/{selection}/shipping-methods/{method}")
async def set_shipping_method(ctx: Ctx, method: str) -> Response:
    return ctx.answer(await storefront.cart.set_shipping_method(ctx.shop, ctx.key, method))


@router.put("/selections/{selection}/payment-methods/{method}")
async def set_payment_method(ctx: Ctx, method: str) -> Response:
    return ctx.answer(await storefront.cart.set_payment_method(ctx.shop, ctx.key, method))


@router.put("/selections/{selection}/checkout-fields")
async def set_checkout_fields(request: Request, ctx: Ctx) -> Response:
    """Addresses, newsletter and notes (the Checkout API's PUT /payment-fields)."""
    body = await read_body(request, CheckoutFieldsBody)
    return ctx.answer(await storefront.cart.set_checkout_fields(ctx.shop, ctx.key, checkout_fields(body)))


# --- paying --------------------------------------------------------------------------------


def _payment_answer(ctx: ShopCart, answer: PaymentAnswer, *, action_success: bool) -> Response:
    selection = ctx.selection_id
    if isinstance(answer, OrderPlaced):
        body = order_body(answer.order, answer.state, selection)
        return ctx.json({"action": "success", **body} if action_success else body)
    if isinstance(answer, PaymentPending):
        action = answer.action
        out: dict[str, Any] = {}
        if isinstance(action, RedirectAction):
            out = {"action": "redirect", "url": action.url}
        elif isinstance(action, FormAction):
            out = {"action": "form", "formHtml": action.html, "formFields": dict(action.fields), "formUrl": action.url}
        elif isinstance(action, JavascriptAction):
            out = {"action": "javascript", "code": action.code, "formFields": dict(action.fields)}
        return ctx.json({**out, "selection": answer.state.selection.uuid})
    if isinstance(answer, PaymentRefused):
        return ctx.json(
            {
                "errors": {"paymentMethod": answer.code},
                "code": answer.code,
                "message": answer.message,
                "messages": [answer.message],
            },
            406,
        )
    assert isinstance(answer, StockShort)
    body = selection_body(answer.state)
    body["errors"] = {"stock": "unavailable items"}
    body["unavailable"] = unavailable_body(answer.unavailable)
    if answer.cancellation is not None:
        currency = answer.state.location.currency
        body["cancellation"] = {**priced("grandTotalPrice", answer.cancellation, currency), "currency": currency.code}
    return ctx.json(body, 410)


@router.post("/selections/{selection}/payment")
async def start_payment(request: Request, ctx: Ctx) -> Response:
    """Start paying: a redirect, form or javascript action, or the order at once (``action: success``).

    ``address.loggedIn: true`` makes the order the account's with the payment's email (the caller checked
    the password); ``address.register: true`` with ``address.password`` registers that account first."""
    body = await read_body(request, PaymentBody)
    started = storefront.payment.PaymentInput(
        payment_method=body.paymentMethod,
        return_page=body.paymentReturnPage,
        failed_page=body.paymentFailedPage,
        terms_and_conditions=body.termsAndConditions,
        fields=checkout_fields(body),
        initiate_only=body.paymentInitiateOnly,
    )
    address = body.address
    account = storefront.account_by_email.PaymentAccount(
        logged_in=bool(address and address.loggedIn),
        register_password=_register_password(address),
    )
    answer = await storefront.account_by_email.start_payment_with_account(ctx.shop, ctx.key, started, account)
    return _payment_answer(ctx, answer, action_success=True)


def _register_password(address: PaymentAddressBody | None) -> str | None:
    """``address.register: true`` needs ``address.password``; the password alone registers nothing."""
    if address is None or not address.register_:
        return None
    if not address.password:
        raise ValidationFailed("required to register", field="address.password")
    return address.password


@router.post("/selections/{selection}/payment-result")
async def payment_result(request: Request, ctx: Ctx) -> Response:
    """The provider's return (``paymentMethodFields``) makes the order, once however often it is sent."""
    body = await read_body(request, PaymentResultBody)
    answer = await storefront.payment.payment_result(ctx.shop, ctx.key, body.fields())
    return _payment_answer(ctx, answer, action_success=False)


@router.get("/selections/{selection}/receipt")
async def receipt(ctx: Ctx) -> Response:
    """The order the selection became."""
    placed = await storefront.payment.receipt(ctx.shop, ctx.key)
    return ctx.json(order_body(placed.order, placed.state, ctx.selection_id))
