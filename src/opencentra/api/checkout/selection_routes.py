"""Settings and the selection: countries, languages, markets, items, lines,
vouchers, methods and checkout fields. Every change answers a SelectionResponse."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from opencentra import storefront
from opencentra.api import wire_items
from opencentra.api.checkout import params
from opencentra.api.checkout.bodies import (
    BulkItemsBody,
    CampaignSiteBody,
    CountryBody,
    ItemBody,
    OptionalVoucherBody,
    PaymentFieldsBody,
    SelectionBody,
    VoucherBody,
)
from opencentra.api.checkout.docs import SELECTION, AnyResponse, SelectionResponse
from opencentra.api.checkout.errors import errors_response
from opencentra.api.checkout.request import CheckoutRequest, Ctx
from opencentra.api.checkout.shapes import countries_body, languages_body, state_body
from opencentra.api.errors import http_status
from opencentra.api.wire_address import checkout_fields
from opencentra.errors import NotFound, PermissionDenied
from opencentra.storefront import (
    CheckoutState,
    add_item_on_plan,
    current_state,
    remove_gift_line,
    remove_line_plan,
    set_line_plan,
)
from opencentra.storefront import add_gift_certificate as add_gift_certificate_line

router = APIRouter()
# Read by ``params.quantity`` (ASCII digits only), not by FastAPI's lenient int.
Quantity = Annotated[str, Path(description="a whole number, ASCII digits only", examples=["2"])]


def _server_only(ctx: CheckoutRequest) -> None:
    if not ctx.server_mode:
        raise PermissionDenied("this endpoint needs the shared secret (server mode)", field="authorization")


def _answer(ctx: CheckoutRequest, state: CheckoutState) -> Response:
    """A SelectionResponse; 410 with ``errors.stock`` when units could not be had."""
    if state.unavailable:
        return ctx.state(state, 410, errors={"stock": "unavailable items"})
    return ctx.state(state)


# --- 1 general settings --------------------------------------------------------------------


@router.get("/countries", response_model=AnyResponse, responses=SELECTION, tags=["1 general settings"])
async def countries(ctx: Ctx) -> Response:
    """Countries the store ships to."""
    reference = await ctx.shop.reference()
    return ctx.respond(ctx.with_token({"countries": countries_body(reference, server_mode=ctx.server_mode)}))


@router.get("/countries/all", response_model=AnyResponse, responses=SELECTION, tags=["1 general settings"])
async def all_countries(ctx: Ctx) -> Response:
    """Server mode: every country, each with ``shipTo``."""
    _server_only(ctx)
    reference = await ctx.shop.reference()
    body = countries_body(reference, server_mode=True, all_countries=True)
    return ctx.respond(ctx.with_token({"countries": body}))


@router.get("/markets", response_model=AnyResponse, responses=SELECTION, tags=["1 general settings"])
async def markets(ctx: Ctx) -> Response:
    _server_only(ctx)
    reference = await ctx.shop.reference()
    body = [
        {"market": str(m.id), "name": m.name, "default": m.id == reference.default_market_id}
        for m in reference.markets.values()
        if m.active and ctx.shop.channel.allows_market(m.id)
    ]
    return ctx.respond(ctx.with_token({"markets": body}))


@router.get("/pricelists", response_model=AnyResponse, responses=SELECTION, tags=["1 general settings"])
async def pricelists(ctx: Ctx) -> Response:
    _server_only(ctx)
    reference = await ctx.shop.reference()
    body = []
    for p in reference.pricelists.values():
        if not p.active:
            continue
        c = reference.currencies[p.currency_id]
        body.append(
            {
                "pricelist": str(p.id),
                "name": p.name,
                "default": p.id == reference.default_pricelist_id,
                "currency": {
                    "currency": c.code,
                    "name": c.name,
                    "prefix": c.prefix,
                    "suffix": c.suffix,
                    "decimalPoint": c.decimal_point,
                    "decimalDigits": str(c.decimals),
                    "thousandsSeparator": c.thousands_separator,
                    "uri": c.code.lower(),
                },
            }
        )
    return ctx.respond(ctx.with_token({"pricelists": body}))


@router.get("/languages", response_model=AnyResponse, responses=SELECTION, tags=["1 general settings"])
async def languages(ctx: Ctx) -> Response:
    reference = await ctx.shop.reference()
    return ctx.respond(ctx.with_token({"languages": languages_body(reference)}))


@router.put("/languages/{language}", response_model=SelectionResponse, responses=SELECTION, tags=["1 general settings"])
async def set_language(ctx: Ctx, language: str) -> Response:
    return _answer(ctx, await storefront.cart.set_language(ctx.shop, ctx.visitor, language))


@router.put("/markets/{market}", response_model=SelectionResponse, responses=SELECTION, tags=["1 general settings"])
async def set_market(ctx: Ctx, market: str) -> Response:
    """Server mode: move the session into a market."""
    _server_only(ctx)
    market_id = params.path_id(market, "market", "market not found")
    return _answer(ctx, await storefront.cart.set_location(ctx.shop, ctx.visitor, market=market_id))


# --- 2 selection handling ------------------------------------------------------------------


@router.get("/selection", response_model=SelectionResponse, responses=SELECTION, tags=["2 selection handling, cart"])
async def selection(ctx: Ctx) -> Response:
    """The session's selection (a new session when the token is missing or stale)."""
    return ctx.state(await current_state(ctx.shop, ctx.visitor))


@router.put("/selection", response_model=SelectionResponse, responses=SELECTION, tags=["2 selection handling, cart"])
async def set_selection(ctx: Ctx, body: SelectionBody | None = None) -> Response:
    """Server mode: set country, market, pricelist and language on the session."""
    _server_only(ctx)
    body = body or SelectionBody()
    state = await storefront.cart.set_location(
        ctx.shop,
        ctx.visitor,
        country=body.country,
        state=body.state,
        market=body.market,
        pricelist=body.pricelist,
        language=body.language,
    )
    location = state.location
    authorized = {
        "country": location.country.code if location.country else None,
        "market": location.market.id,
        "pricelist": location.pricelist.id,
        "language": location.language.code if location.language else None,
    }
    return ctx.state(state, authorized=authorized)


@router.put(
    "/selection/{selection}",
    response_model=SelectionResponse,
    responses=SELECTION,
    tags=["2 selection handling, cart"],
)
async def attach_selection(ctx: Ctx, selection: str) -> Response:
    """Server mode: bind this token to an open selection (abandoned-cart links)."""
    _server_only(ctx)
    return ctx.state(await storefront.cart.attach_selection(ctx.shop, ctx.visitor, selection))


@router.post(
    "/items/{item}", response_model=SelectionResponse, responses=SELECTION, tags=["2 selection handling, cart"]
)
async def add_item(ctx: Ctx, item: str, body: ItemBody | None = None) -> Response:
    """Add one of an item ``<product>-<size>``; the first item creates the selection."""
    comment = body.comment if body else None
    if body is not None and body.subscriptionPlan is not None:
        plan = body.subscriptionPlan
        return _answer(ctx, await add_item_on_plan(ctx.shop, ctx.visitor, item, plan, comment=comment))
    return _answer(ctx, await wire_items.add_item(ctx.shop, ctx.visitor, item, 1, body))


@router.post(
    "/items/{item}/quantity/{quantity}",
    response_model=SelectionResponse,
    responses=SELECTION,
    tags=["2 selection handling, cart"],
)
async def add_items(ctx: Ctx, item: str, quantity: Quantity, body: ItemBody | None = None) -> Response:
    comment = body.comment if body else None
    units = params.quantity(quantity)
    if body is not None and body.subscriptionPlan is not None:
        plan = body.subscriptionPlan
        return _answer(ctx, await add_item_on_plan(ctx.shop, ctx.visitor, item, plan, units, comment=comment))
    return _answer(ctx, await wire_items.add_item(ctx.shop, ctx.visitor, item, units, body))


@router.put("/items", response_model=SelectionResponse, responses=SELECTION, tags=["4 checkout flow"])
async def bulk_items(ctx: Ctx, body: BulkItemsBody) -> Response:
    """Set many line and item quantities at once; each entry succeeds or fails on its own."""
    result = await storefront.cart.bulk_update(
        ctx.shop,
        ctx.visitor,
        [(entry.line, entry.quantity) for entry in body.lines],
        [(entry.item, entry.quantity) for entry in body.items],
    )
    body_out = state_body(result.state, server_mode=ctx.server_mode)
    if result.errors:
        body_out["errors"] = {key: error.message for key, error in result.errors}
        status = 200 if result.applied else http_status(result.errors[0][1])
        return ctx.respond(body_out, status)
    if result.state.unavailable:
        body_out["errors"] = {"stock": "unavailable items"}
        return ctx.respond(body_out, 410)
    return ctx.respond(body_out)


# POST /items/bundles/{item}: bundle_routes.py.


@router.post(
    "/items/gift-certificates/{certificate}",
    response_model=SelectionResponse,
    responses=SELECTION,
    tags=["2 selection handling, cart"],
)
async def add_gift_certificate(ctx: Ctx, certificate: str) -> Response:
    """Buy a gift certificate with a predetermined amount; it becomes the selection's only line."""
    return _answer(ctx, await add_gift_certificate_line(ctx.shop, ctx.visitor, certificate))


@router.post(
    "/items/gift-certificates/{certificate}/amount/{amount}",
    response_model=SelectionResponse,
    responses=SELECTION,
    tags=["2 selection handling, cart"],
)
async def add_gift_certificate_amount(ctx: Ctx, certificate: str, amount: str) -> Response:
    """Buy an any-amount gift certificate for ``amount`` in the session's currency."""
    return _answer(ctx, await add_gift_certificate_line(ctx.shop, ctx.visitor, certificate, amount))


# GET|POST /bundles/{product}: bundle_routes.py.


# --- lines ---------------------------------------------------------------------------------


@router.post("/lines/{line}", response_model=SelectionResponse, responses=SELECTION, tags=["4 checkout flow"])
async def line_plus_one(ctx: Ctx, line: str) -> Response:
    return _answer(ctx, await storefront.cart.increase_line(ctx.shop, ctx.visitor, line, 1))


@router.post(
    "/lines/{line}/quantity/{quantity}", response_model=SelectionResponse, responses=SELECTION, tags=["4 checkout flow"]
)
async def line_plus(ctx: Ctx, line: str, quantity: Quantity) -> Response:
    return _answer(ctx, await storefront.cart.increase_line(ctx.shop, ctx.visitor, line, params.quantity(quantity)))


@router.put(
    "/lines/{line}/quantity/{quantity}", response_model=SelectionResponse, responses=SELECTION, tags=["4 checkout flow"]
)
async def line_set(ctx: Ctx, line: str, quantity: Quantity) -> Response:
    return _answer(ctx, await storefront.cart.set_line(ctx.shop, ctx.visitor, line, params.quantity(quantity)))


@router.delete("/lines/{line}", response_model=SelectionResponse, responses=SELECTION, tags=["4 checkout flow"])
async def line_remove(ctx: Ctx, line: str) -> Response:
    try:
        return _answer(ctx, await storefront.cart.remove_line(ctx.shop, ctx.visitor, line))
    except NotFound:
        # Not a product line: it may be the gift certificate the selection is buying.
        return _answer(ctx, await remove_gift_line(ctx.shop, ctx.visitor, line))


@router.delete(
    "/lines/{line}/quantity/{quantity}", response_model=SelectionResponse, responses=SELECTION, tags=["4 checkout flow"]
)
async def line_minus(ctx: Ctx, line: str, quantity: Quantity) -> Response:
    return _answer(ctx, await storefront.cart.decrease_line(ctx.shop, ctx.visitor, line, params.quantity(quantity)))


@router.put(
    "/lines/{line}/subscription-plan/{plan}",
    response_model=SelectionResponse,
    responses=SELECTION,
    tags=["2 selection handling, cart"],
)
async def line_plan(ctx: Ctx, line: str, plan: str) -> Response:
    """Put the line on a subscription plan its product offers (404 ``line`` or ``subscriptionPlan``)."""
    return _answer(ctx, await set_line_plan(ctx.shop, ctx.visitor, line, params.path_id(plan, "subscriptionPlan")))


@router.delete(
    "/lines/{line}/subscription-plan",
    response_model=SelectionResponse,
    responses=SELECTION,
    tags=["2 selection handling, cart"],
)
async def line_plan_remove(ctx: Ctx, line: str) -> Response:
    """Make the line a one-off purchase; a line with no plan stays as it is."""
    return _answer(ctx, await remove_line_plan(ctx.shop, ctx.visitor, line))


# --- 3 modify selection --------------------------------------------------------------------


@router.put("/countries/{country}", response_model=SelectionResponse, responses=SELECTION, tags=["3 modify selection"])
async def set_country(ctx: Ctx, country: str, body: CountryBody | None = None) -> Response:
    """Move the shopper; market and pricelist follow the country."""
    language = body.language if body else None
    return _answer(ctx, await storefront.cart.set_country(ctx.shop, ctx.visitor, country, language=language))


@router.put(
    "/countries/{country}/states/{state}",
    response_model=SelectionResponse,
    responses=SELECTION,
    tags=["3 modify selection"],
)
async def set_country_state(ctx: Ctx, country: str, state: str, body: CountryBody | None = None) -> Response:
    language = body.language if body else None
    return _answer(ctx, await storefront.cart.set_country(ctx.shop, ctx.visitor, country, state, language=language))


@router.put(
    "/shipping-methods/{method}", response_model=SelectionResponse, responses=SELECTION, tags=["3 modify selection"]
)
async def set_shipping_method(ctx: Ctx, method: str) -> Response:
    return _answer(ctx, await storefront.cart.set_shipping_method(ctx.shop, ctx.visitor, method))


@router.put(
    "/payment-methods/{method}", response_model=SelectionResponse, responses=SELECTION, tags=["3 modify selection"]
)
async def set_payment_method(ctx: Ctx, method: str) -> Response:
    return _answer(ctx, await storefront.cart.set_payment_method(ctx.shop, ctx.visitor, method))


@router.post("/vouchers", response_model=SelectionResponse, responses=SELECTION, tags=["3 modify selection"])
async def add_voucher(ctx: Ctx, body: VoucherBody) -> Response:
    return _answer(ctx, await storefront.cart.add_voucher(ctx.shop, ctx.visitor, body.voucher))


@router.delete(
    "/vouchers/{voucher}", response_model=SelectionResponse, responses=SELECTION, tags=["3 modify selection"]
)
async def remove_voucher(ctx: Ctx, voucher: str) -> Response:
    return _answer(ctx, await storefront.cart.remove_voucher(ctx.shop, ctx.visitor, voucher))


@router.delete("/vouchers", response_model=SelectionResponse, responses=SELECTION, tags=["3 modify selection"])
async def remove_voucher_by_body(ctx: Ctx, body: OptionalVoucherBody | None = None) -> Response:
    """The official Node example sends the code in the body instead of the path."""
    if body is None or not body.voucher:
        return errors_response(ctx.request, 404, {"voucher": "not found"})
    return _answer(ctx, await storefront.cart.remove_voucher(ctx.shop, ctx.visitor, body.voucher))


@router.put("/campaign-site", response_model=SelectionResponse, responses=SELECTION, tags=["3 modify selection"])
async def campaign_site(ctx: Ctx, body: CampaignSiteBody) -> Response:
    """Enter a campaign site: the market whose uri it is (a VIP market)."""
    return _answer(ctx, await storefront.cart.enter_campaign_site(ctx.shop, ctx.visitor, body.uri))


@router.put("/payment-fields", response_model=SelectionResponse, responses=SELECTION, tags=["4 checkout flow"])
async def payment_fields(ctx: Ctx, body: PaymentFieldsBody | None = None) -> Response:
    """Pre-fill checkout fields (addresses, newsletter, notes)."""
    body = body or PaymentFieldsBody()
    return _answer(ctx, await storefront.cart.set_checkout_fields(ctx.shop, ctx.visitor, checkout_fields(body)))
