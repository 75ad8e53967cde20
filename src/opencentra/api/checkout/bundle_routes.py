"""Bundles in the Checkout API: POST /items/bundles/{item} and GET|POST /bundles/{product}.

The add body is ``{"sections": [{"section": <id>, "item": "<product>-<size>"}], "quantity": n,
"comment": "..."}``; Centra publishes no schema for it, so the choice is written down in
docs/compatibility/checkout-api.md. Sections may also be sent as a map ``{"<section id>": "<item>"}``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field, StringConstraints
from starlette.responses import Response

from opencentra.api.checkout import params
from opencentra.api.checkout.bodies import Body, Id, Text
from opencentra.api.checkout.docs import SELECTION, AnyResponse, SelectionResponse
from opencentra.api.checkout.params import WholeNumber
from opencentra.api.checkout.request import Ctx, json_response
from opencentra.api.checkout.shapes import product_body
from opencentra.api.context import SCOPE_KEY, PluginContext
from opencentra.errors import NotFound
from opencentra.integration import CheckoutSettings
from opencentra.selection import MAX_LINE_QUANTITY
from opencentra.storefront import add_bundle, current_shopper

router = APIRouter()

ItemId = Annotated[str, StringConstraints(max_length=64)]


class SectionChoice(Body):
    section: Id
    item: ItemId | None = None


class BundleBody(Body):
    sections: list[SectionChoice] | dict[str, ItemId | None] = Field(default_factory=list, max_length=100)
    quantity: WholeNumber = Field(default=1, ge=1, le=MAX_LINE_QUANTITY)
    comment: Text | None = None


def _choices(body: BundleBody | None) -> dict[int, str | None]:
    if body is None:
        return {}
    if isinstance(body.sections, dict):
        chosen: dict[int, str | None] = {}
        for key, item in body.sections.items():
            section = params.path_id(key, f"sections.{key[:20]}", f"section {key[:20]!r} is not in this bundle")
            chosen[section] = item
        return chosen
    return {entry.section: entry.item for entry in body.sections}


def _flexible_allowed(ctx: Ctx) -> bool:
    context = ctx.request.scope.get(SCOPE_KEY)
    settings = context.plugin.settings if isinstance(context, PluginContext) else None
    return isinstance(settings, CheckoutSettings) and settings.allow_flexible_bundles


@router.post(
    "/items/bundles/{item}", response_model=SelectionResponse, responses=SELECTION, tags=["2 selection handling, cart"]
)
async def add_bundle_item(ctx: Ctx, item: str, body: BundleBody | None = None) -> Response:
    """Add a bundle with the shopper's choice per section (404 ``errors.item`` for what is not a bundle)."""
    state = await add_bundle(
        ctx.shop,
        ctx.visitor,
        item,
        _choices(body),
        body.quantity if body is not None else 1,
        comment=body.comment if body is not None else None,
        allow_flexible=_flexible_allowed(ctx),
    )
    if state.unavailable:
        return ctx.state(state, 410, errors={"stock": "unavailable items"})
    return ctx.state(state)


async def _bundle(ctx: Ctx, product: str) -> Response:
    product_id = params.path_id(product, "bundle", "bundle not found")
    shopper, reference = await current_shopper(ctx.shop, ctx.visitor, for_catalogue=True)
    market_id, pricelist_id = shopper.market_id, shopper.pricelist_id
    catalogue = await ctx.shop.cache.catalogue(ctx.shop.db, ctx.shop.channel.store_id, market_id, pricelist_id)
    stock = await ctx.shop.cache.stock(ctx.shop.db, market_id)
    found = catalogue.by_display_item.get(product_id)
    if found is None or found.bundle_info is None:
        raise NotFound("bundle not found", field="bundle")
    currency = reference.currency_of(pricelist_id)
    members = {p for section in found.bundle_info.sections for p in section.products}
    section_products = [
        product_body(other, currency, stock, catalogue=catalogue, related="none")
        for other in catalogue.products
        if other.display_item_id in members
    ]
    body = {"bundle": product_body(found, currency, stock, catalogue=catalogue), "sectionProducts": section_products}
    return json_response(ctx.request, {"token": shopper.token, **body} if shopper.token else body)


@router.get("/bundles/{product}", response_model=AnyResponse, responses=SELECTION, tags=["5 product catalog"])
async def bundle(ctx: Ctx, product: str) -> Response:
    """A bundle product with the products its sections offer."""
    return await _bundle(ctx, product)


@router.post("/bundles/{product}", response_model=AnyResponse, responses=SELECTION, tags=["5 product catalog"])
async def bundle_post(ctx: Ctx, product: str) -> Response:
    return await _bundle(ctx, product)
