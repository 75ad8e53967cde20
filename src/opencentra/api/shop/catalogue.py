"""The Shop API's catalogue endpoints (spec §2.2): brands, campaign sites, campaigns,
categories, collections, measurement charts, products and gift certificates.

Every answer covers all the markets the plugin serves (its ``markets``
setting, or every active market of its store), every active pricelist and
every language. Products are read a chunk at a time
(``catalog.PRODUCT_CHUNK``): the whole catalogue streams out as it is read,
so neither memory nor the number of statements grows per product.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol, TypeVar

import orjson
from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from opencentra import catalog, giftcards, inventory, pricing
from opencentra.api.context import context_from_scope
from opencentra.api.shop.catalogue_shapes import (
    brand_body,
    campaign_body,
    campaign_site_body,
    categories_body,
    collection_body,
    gift_certificate_body,
    measurement_chart_body,
    product_body,
)
from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.integers import as_int, parse_int
from opencentra.integration import ShopSettings
from opencentra.storefront import StoreReference, load_reference

router = APIRouter(tags=["catalogue"])

# POST /products/filter: the body fields Centra documents, nothing else (v1 refuses unknown ones).
FILTER_FIELDS = frozenset(
    {"products", "uri", "categories", "sku", "silkProduct", "silkVariant", "market", "quantity", "offset", "preview"}
)
# Longest uri or SKU a filter may name (the columns hold 255 and 64 characters).
_MAX_TEXT = 255
# Most ids one filter field may list: keeps the statement within every driver's parameter limit.
MAX_IDS = 1000
_ID_OR_IDS: dict[str, Any] = {
    "oneOf": [
        {"type": ["integer", "string"]},
        {"type": "array", "items": {"type": ["integer", "string"]}, "maxItems": MAX_IDS},
    ]
}
# The documented body, for the OpenAPI description (the route parses it itself, v1-strict).
_FILTER_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "products": _ID_OR_IDS,
                        "categories": _ID_OR_IDS,
                        "silkProduct": _ID_OR_IDS,
                        "silkVariant": _ID_OR_IDS,
                        "market": {"type": ["integer", "string"]},
                        "uri": {"type": "string", "maxLength": _MAX_TEXT},
                        "sku": {"type": "string", "maxLength": _MAX_TEXT},
                        "quantity": {"type": "integer", "minimum": 0},
                        "offset": {"type": "integer", "minimum": 0},
                        "preview": {"type": "boolean"},
                    },
                }
            }
        },
    }
}


@dataclass(frozen=True)
class ShopCatalogue:
    """Per request: the database, the plugin's store and the markets it serves."""

    db: Database
    store_id: int
    configured_markets: tuple[int, ...]
    pretty: bool

    def markets(self, reference: StoreReference) -> list[int]:
        active = [m.id for m in reference.markets.values() if m.active]
        if self.configured_markets:
            return [m for m in active if m in self.configured_markets]
        return active


async def shop_catalogue(request: Request) -> ShopCatalogue:
    context = context_from_scope(request.scope)
    settings = context.plugin.settings
    markets = settings.markets if isinstance(settings, ShopSettings) else ()
    return ShopCatalogue(context.db, context.plugin.store_id, tuple(markets), "pretty" in request.query_params)


Shop = Annotated[ShopCatalogue, Depends(shop_catalogue)]


def _json(shop: ShopCatalogue, body: Any) -> Response:
    option = orjson.OPT_INDENT_2 if shop.pretty else 0
    return Response(orjson.dumps(body, option=option), media_type="application/json")


def _path_id(raw: str, field: str) -> int:
    """An id from the path; anything that is not one is simply not found."""
    value = parse_int(raw)
    if value is None:
        raise NotFound("not found", field=field)
    return value


def _invalid(field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


class _Keyed(Protocol):
    @property
    def id(self) -> int: ...


K = TypeVar("K", bound=_Keyed)


def _keyed_routes(
    path: str,
    field: str,
    load: Callable[[Any, int | None], Awaitable[Sequence[K]]],
    shape: Callable[[K], dict[str, Any]],
    *,
    name: str,
    plural: str,
) -> None:
    """``GET /<path>`` (every one, keyed by id) and ``GET /<path>/{<field>}`` (the bare object; 404
    ``errors.<field>``), read by ``load(session, id or None)`` and written by ``shape``."""

    async def every(shop: Shop) -> Response:
        async with shop.db.read() as session:
            found = await load(session, None)
        return _json(shop, {str(one.id): shape(one) for one in found})

    async def single(shop: Shop, key: str) -> Response:
        async with shop.db.read() as session:
            found = await load(session, _path_id(key, field))
        return _json(shop, shape(found[0]))

    # Set here, not in the signature: annotations are strings read in the module's namespace.
    single.__annotations__["key"] = Annotated[str, PathParam(alias=field)]
    every.__doc__ = f"Every {name}, keyed by id."
    single.__doc__ = f"One {name}; 404 ``errors.{field}`` when there is none."
    router.add_api_route(f"/{path}", every, methods=["GET"], name=plural)
    router.add_api_route(f"/{path}/{{{field}}}", single, methods=["GET"], name=field)


# --- brands, collections, measurement charts ------------------------------------------------

_keyed_routes("brands", "brand", catalog.brand_details, brand_body, name="brand", plural="brands")
_keyed_routes(
    "collections", "collection", catalog.collection_details, collection_body, name="collection", plural="collections"
)
_keyed_routes(
    "measurement-charts",
    "measurementChart",
    catalog.measurement_chart_details,
    measurement_chart_body,
    name="measurement chart",
    plural="measurementCharts",
)


# --- campaign sites and campaigns ----------------------------------------------------------


async def _campaign_sites(shop: ShopCatalogue) -> dict[str, Any]:
    async with shop.db.read() as session:
        reference = await load_reference(session, shop.store_id)
    served = set(shop.markets(reference))
    return {
        market.uri: campaign_site_body(market.id, market.name, market.uri)
        for market in reference.markets.values()
        if market.uri and market.id in served
    }


@router.get("/campaign-sites")
async def campaign_sites(shop: Shop) -> Response:
    """The store's campaign sites (markets entered by a uri), keyed by uri."""
    return _json(shop, await _campaign_sites(shop))


@router.get("/campaign-sites/{site}")
async def campaign_site(shop: Shop, site: str) -> Response:
    found = (await _campaign_sites(shop)).get(site)
    if found is None:
        raise NotFound("not found", field="campaignSite")
    return _json(shop, found)


async def _campaigns(shop: ShopCatalogue, campaign_id: int | None) -> list[dict[str, Any]]:
    async with shop.db.read() as session:
        reference = await load_reference(session, shop.store_id)
        markets = shop.markets(reference)
        items = await catalog.store_item_markets(session, shop.store_id, markets)
        variant_markets: dict[int, set[int]] = {}
        for item in items:
            variant_markets.setdefault(item.variant_id, set()).update(item.market_ids)
        campaigns = await pricing.campaigns_on_sale(
            session, shop.store_id, variant_markets, datetime.now(UTC), campaign_id=campaign_id
        )
    items_of: dict[tuple[int, int], list[int]] = {}
    for item in items:
        for market_id in item.market_ids:
            items_of.setdefault((item.variant_id, market_id), []).append(item.display_item_id)
    served = set(markets)
    bodies = []
    for campaign in campaigns:
        on_sale = {
            market_id: {
                pricelist_id: [p for v in variants for p in items_of.get((v, market_id), [])]
                for pricelist_id, variants in by_pricelist.items()
            }
            for market_id, by_pricelist in campaign.variants_on_sale.items()
            if market_id in served
        }
        bodies.append(campaign_body(campaign, on_sale))
    return bodies


@router.get("/campaigns")
async def campaigns(shop: Shop) -> Response:
    """The store's active campaigns, keyed by id, with the products each puts on sale per market and pricelist."""
    return _json(shop, {body["campaign"]: body for body in await _campaigns(shop, None)})


@router.get("/campaigns/{campaign}")
async def campaign(shop: Shop, campaign: str) -> Response:
    return _json(shop, (await _campaigns(shop, _path_id(campaign, "campaign")))[0])


# --- categories ----------------------------------------------------------------------------


@router.get("/categories")
async def categories(shop: Shop) -> Response:
    """The store's category tree: roots keyed by id, children nested under ``categories``."""
    async with shop.db.read() as session:
        reference = await load_reference(session, shop.store_id)
        found = await catalog.store_categories(session, shop.store_id, shop.markets(reference))
    return _json(shop, categories_body(found))


@router.get("/categories/{category}")
async def category(shop: Shop, category: str) -> Response:
    category_id = _path_id(category, "category")
    async with shop.db.read() as session:
        reference = await load_reference(session, shop.store_id)
        found = await catalog.store_categories(session, shop.store_id, shop.markets(reference))
    if not any(c.id == category_id for c in found):
        raise NotFound("not found", field="category")
    return _json(shop, categories_body(found, root=category_id))


# --- gift certificates ---------------------------------------------------------------------


@router.get("/gift-certificates")
async def gift_certificates(shop: Shop) -> Response:
    """The store's gift certificates, keyed by their uri."""
    async with shop.db.read() as session:
        reference = await load_reference(session, shop.store_id)
        found = await giftcards.certificates_of_store(session, shop.store_id)
    return _json(shop, {c.uri: gift_certificate_body(c, reference.currencies) for c in found})


# --- products ------------------------------------------------------------------------------


async def _found_ids(
    shop: ShopCatalogue, where: catalog.StoreProductFilter, *, offset: int = 0, limit: int | None = None
) -> tuple[StoreReference, list[int], list[int]]:
    """(reference, the markets served, the ids the filter finds), read together."""
    async with shop.db.read() as session:
        reference = await load_reference(session, shop.store_id)
        markets = shop.markets(reference)
        if where.market is not None and where.market not in markets:
            raise NotFound(f"not found: {where.market}", field="market")
        ids = await catalog.store_product_ids(session, shop.store_id, markets, where, offset=offset, limit=limit)
    return reference, markets, ids


async def _product_bodies(
    shop: ShopCatalogue, reference: StoreReference, markets: Sequence[int], ids: Sequence[int]
) -> list[dict[str, Any]]:
    """Full bodies of some products: a fixed number of statements, however many."""
    async with shop.db.read() as session:
        products = await catalog.store_products(session, shop.store_id, markets, ids)
        variant_markets: dict[int, set[int]] = {}
        for product in products:
            variant_markets.setdefault(product.variant_id, set()).update(product.market_ids)
        pricelists = [p.id for p in reference.pricelists.values() if p.active]
        prices = await pricing.prices_in_markets(
            session, shop.store_id, variant_markets, datetime.now(UTC), pricelist_ids=pricelists
        )
        stock = await inventory.stock_by_market(
            session, markets, [i.product_size_id for p in products for i in p.items]
        )
        chart_ids = {p.measurement_chart_id for p in products if p.measurement_chart_id is not None}
        charts = await catalog.measurement_charts_by_id(session, chart_ids) if chart_ids else {}
    return [product_body(p, reference, prices, stock, charts) for p in products]


def _stream(shop: ShopCatalogue, reference: StoreReference, markets: Sequence[int], ids: list[int]) -> Response:
    """``{"<id>": product, ...}``, written a chunk of products at a time."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"{"
        first = True
        for start in range(0, len(ids), catalog.PRODUCT_CHUNK):
            bodies = await _product_bodies(shop, reference, markets, ids[start : start + catalog.PRODUCT_CHUNK])
            parts = []
            for body in bodies:
                parts.append(b"" if first else b",")
                parts.append(orjson.dumps(body["product"]) + b":" + orjson.dumps(body))
                first = False
            yield b"".join(parts)
        yield b"}"

    if shop.pretty:
        return StreamingResponse(_pretty(chunks()), media_type="application/json")
    return StreamingResponse(chunks(), media_type="application/json")


async def _pretty(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """``?pretty``: indented, so built whole (a debugging aid, not for a full catalogue)."""
    raw = b"".join([chunk async for chunk in chunks])
    yield orjson.dumps(orjson.loads(raw), option=orjson.OPT_INDENT_2)


async def _products(
    shop: ShopCatalogue, where: catalog.StoreProductFilter, *, offset: int = 0, limit: int | None = None
) -> Response:
    reference, markets, ids = await _found_ids(shop, where, offset=offset, limit=limit)
    return _stream(shop, reference, markets, ids)


@router.get("/product-ids")
async def product_ids(shop: Shop) -> Response:
    """Ids of every product the plugin's markets sell: a cheap way for a cache to find removed ones."""
    _reference, _markets, ids = await _found_ids(shop, catalog.StoreProductFilter())
    return _json(shop, [str(i) for i in ids])


@router.get("/products")
async def products(shop: Shop) -> Response:
    """Every product, keyed by id, in every market, pricelist and language."""
    return await _products(shop, catalog.StoreProductFilter())


@router.get("/products/{product}")
async def product(shop: Shop, product: str) -> Response:
    product_id = _path_id(product, "product")
    reference, markets, ids = await _found_ids(shop, catalog.StoreProductFilter(products=(product_id,)))
    bodies = await _product_bodies(shop, reference, markets, ids)
    if not bodies:
        raise NotFound("not found", field="product")
    return _json(shop, bodies[0])


def _ids(value: object, field: str) -> tuple[int, ...]:
    """One id or a list of them, each a JSON integer or a digit string."""
    values = value if isinstance(value, list) else [value]
    if len(values) > MAX_IDS:
        raise _invalid(field, f"at most {MAX_IDS} ids")
    ids = []
    for entry in values:
        parsed = as_int(entry)
        if parsed is None or isinstance(entry, bool):
            raise _invalid(field, "must be an id or a list of ids")
        ids.append(parsed)
    return tuple(ids)


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or len(value) > _MAX_TEXT or not value.isprintable():
        raise _invalid(field, f"must be a string of at most {_MAX_TEXT} characters")
    return value


def _count(value: object, field: str) -> int:
    parsed = as_int(value)
    if parsed is None or isinstance(value, bool):
        raise _invalid(field, "must be a whole number, 0 or more")
    return parsed


async def _filter_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _invalid("request", "malformed JSON") from None
    if not isinstance(body, dict):
        raise _invalid("request", "must be a JSON object")
    unknown = sorted(set(body) - FILTER_FIELDS)
    if unknown:
        raise RequestValidationError([{"loc": ("body", key), "msg": "unknown", "type": "extra"} for key in unknown])
    return body


@router.post("/products/filter", openapi_extra=_FILTER_BODY)
async def products_filter(shop: Shop, request: Request) -> Response:
    """Products matching every given field (a list matches any of its values), paged by ``quantity`` and ``offset``."""
    body = await _filter_body(request)
    present = {key: value for key, value in body.items() if value is not None}
    market = _ids(present["market"], "market") if "market" in present else ()
    if len(market) > 1:
        raise _invalid("market", "must be one market id")
    if "preview" in present and not isinstance(present["preview"], bool):
        raise _invalid("preview", "must be true or false")
    where = catalog.StoreProductFilter(
        products=_ids(present["products"], "products") if "products" in present else (),
        categories=_ids(present["categories"], "categories") if "categories" in present else (),
        uri=_text(present["uri"], "uri") if "uri" in present else None,
        sku=_text(present["sku"], "sku") if "sku" in present else None,
        silk_products=_ids(present["silkProduct"], "silkProduct") if "silkProduct" in present else (),
        silk_variants=_ids(present["silkVariant"], "silkVariant") if "silkVariant" in present else (),
        market=market[0] if market else None,
    )
    offset = _count(present["offset"], "offset") if "offset" in present else 0
    quantity = _count(present["quantity"], "quantity") if "quantity" in present else None
    return await _products(shop, where, offset=offset, limit=quantity)


# --- the single-filter shortcuts -----------------------------------------------------------


@router.get("/products/categories/{categories}")
async def products_in_categories(shop: Shop, categories: str) -> Response:
    """Products in any of the comma-separated categories (or below them)."""
    if categories.count(",") >= MAX_IDS:
        raise NotFound(f"not found: more than {MAX_IDS} categories", field="categories")
    ids = tuple(parse_int(part.strip()) for part in categories.split(","))
    missing = [part for part, parsed in zip(categories.split(","), ids, strict=True) if parsed is None]
    if missing:
        raise NotFound(f"not found: {', '.join(missing)}", field="categories")
    return await _products(shop, catalog.StoreProductFilter(categories=tuple(i for i in ids if i is not None)))


@router.get("/products/silk-product/{silk_product}")
async def products_of_silk_product(shop: Shop, silk_product: str) -> Response:
    found = parse_int(silk_product)
    return await _products(shop, catalog.StoreProductFilter(silk_products=(found if found is not None else -1,)))


@router.get("/products/silk-variant/{silk_variant}")
async def products_of_silk_variant(shop: Shop, silk_variant: str) -> Response:
    found = parse_int(silk_variant)
    return await _products(shop, catalog.StoreProductFilter(silk_variants=(found if found is not None else -1,)))


def _path_text(raw: str) -> str:
    """A SKU or uri from the path; one no column can hold matches nothing (and PostgreSQL refuses NUL)."""
    return raw if len(raw) <= _MAX_TEXT and raw.isprintable() else "\n"


@router.get("/products/sku/{sku}")
async def products_by_sku(shop: Shop, sku: str) -> Response:
    return await _products(shop, catalog.StoreProductFilter(sku=_path_text(sku)))


@router.get("/products/uri/{uri:path}")
async def products_by_uri(shop: Shop, uri: str) -> Response:
    return await _products(shop, catalog.StoreProductFilter(uri=_path_text(uri)))
