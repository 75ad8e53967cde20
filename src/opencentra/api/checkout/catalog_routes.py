"""Catalogue endpoints: POST /products, GET /products/{product}, categories, POST /uri.

Answers are built from the cached catalogue snapshot, and the finished bytes
of each distinct request are kept too (keyed by everything they depend on:
plugin, mode, market, pricelist, the request and the catalogue and stock
versions), so a repeated listing costs a dictionary lookup. Only the session
token is spliced in per request.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from opencentra.api.checkout import params
from opencentra.api.checkout.bodies import CategoriesBody, ProductsBody, UriBody
from opencentra.api.checkout.docs import CATALOG, AnyResponse
from opencentra.api.checkout.fast import FastEntry, fast_key
from opencentra.api.checkout.fast import with_token as _with_token
from opencentra.api.checkout.request import CheckoutRequest, Ctx, json_response
from opencentra.api.checkout.shapes import categories_body, facets_body, product_body
from opencentra.api.checkout.stock_numbers import wants_numbers, with_stock_numbers
from opencentra.errors import NotFound, PermissionDenied
from opencentra.pricing import PriceInfo
from opencentra.storefront import (
    CatalogSnapshot,
    CurrencyInfo,
    ProductData,
    ProductPage,
    ProductQuery,
    SortField,
    StockSnapshot,
    StoreReference,
    current_shopper,
    in_language,
    search_products,
)

router = APIRouter()


async def _where(
    ctx: CheckoutRequest, market: int | None, pricelist: int | str | None, language: str | None = None
) -> tuple[str | None, int, int, StoreReference]:
    """(token, market, pricelist): the session's, or in server mode the ones asked for.

    The language (the session's, or in server mode the one asked for) is left
    in ``request.state.language_id`` for ``_snapshots``.
    """
    shopper, reference = await current_shopper(ctx.shop, ctx.visitor, for_catalogue=True)
    ctx.request.state.session_location = (shopper.market_id, shopper.pricelist_id, shopper.language_id)
    ctx.request.state.language_id = shopper.language_id
    market_id, pricelist_id = shopper.market_id, shopper.pricelist_id
    if ctx.server_mode and language is not None:
        found_language = reference.language_by_code(language)
        if found_language is None:
            raise NotFound("language not found", field="language")
        ctx.request.state.language_id = found_language.id
    if ctx.server_mode:
        if market is not None:
            found = reference.markets.get(market)
            if found is None or not found.active or not ctx.shop.channel.allows_market(market):
                raise NotFound("market not found", field="market")
            market_id = market
        if isinstance(pricelist, int):
            found_pricelist = reference.pricelists.get(pricelist)
            if found_pricelist is None or not found_pricelist.active:
                raise NotFound("pricelist not found", field="pricelist")
            pricelist_id = pricelist
    elif pricelist == "all":
        raise PermissionDenied("pricelist 'all' needs the shared secret (server mode)", field="pricelist")
    return shopper.token, market_id, pricelist_id, reference


async def _snapshots(
    ctx: CheckoutRequest, market_id: int, pricelist_id: int, reference: StoreReference
) -> tuple[CatalogSnapshot, CatalogSnapshot]:
    """(the default-language snapshot, the one in the request's language): the same one in the default language."""
    cache = ctx.shop.cache
    snapshot = await cache.catalogue(ctx.shop.db, ctx.shop.channel.store_id, market_id, pricelist_id)
    language_id: int | None = ctx.request.state.language_id
    shown = await in_language(cache, ctx.shop.db, snapshot, language_id, reference.default_language_id)
    return snapshot, shown


def _stock_numbers(ctx: CheckoutRequest, bodies: list[dict[str, Any]], stock: StockSnapshot) -> list[dict[str, Any]]:
    if wants_numbers(ctx.request):
        for body in bodies:
            with_stock_numbers(body, stock)
    return bodies


async def _all_prices(
    ctx: CheckoutRequest, reference: StoreReference, market_id: int
) -> dict[int, dict[int, tuple[PriceInfo | None, CurrencyInfo]]]:
    """Per product, its price in every active pricelist of the store (``pricelist: "all"``)."""
    table: dict[int, dict[int, tuple[PriceInfo | None, CurrencyInfo]]] = {}
    for pricelist in reference.pricelists.values():
        if not pricelist.active:
            continue
        snapshot = await ctx.shop.cache.catalogue(ctx.shop.db, ctx.shop.channel.store_id, market_id, pricelist.id)
        currency = reference.currencies[pricelist.currency_id]
        for product in snapshot.products:
            table.setdefault(product.display_item_id, {})[pricelist.id] = (product.price, currency)
    return table


def _products_body(
    page: ProductPage,
    snapshot: CatalogSnapshot,
    stock: StockSnapshot,
    currency: CurrencyInfo,
    *,
    related: str,
    prices: dict[int, dict[int, tuple[PriceInfo | None, CurrencyInfo]]] | None,
) -> list[dict[str, Any]]:
    return [
        product_body(
            product,
            currency,
            stock,
            catalogue=snapshot,
            related=related,
            prices=prices.get(product.display_item_id, {}) if prices is not None else None,
        )
        for product in page.products
    ]


def _query(body: ProductsBody, snapshot: CatalogSnapshot) -> ProductQuery:
    categories = tuple(body.categories)
    products = tuple(body.products)
    if body.uri is not None:
        wanted = body.uri.for_ or ["product", "category"]
        category = snapshot.category_by_uri(body.uri.uri) if "category" in wanted else None
        product = _product_at(snapshot, body.uri.uri) if "product" in wanted and category is None else None
        if category is not None:
            categories = (*categories, category.category_id)
        elif product is not None:
            products = (product.display_item_id,)
        else:
            products = (-1,)
    return ProductQuery(
        skip_first=body.skipFirst,
        limit=body.limit,
        categories=categories,
        collections=tuple(body.collections),
        brands=tuple(body.brands),
        products=products,
        silk_product=body.silkProduct,
        search=body.search,
        only_available=body.onlyAvailable,
        attributes=body.attribute_filters(),
        sort=tuple(SortField(s.field, s.order.lower() == "desc") for s in body.sortOrder),
    )


def _product_at(snapshot: CatalogSnapshot, uri: str) -> ProductData | None:
    """A product by its uri, or by "<category uri>/<product uri>"."""
    uri = uri.strip("/")
    found = snapshot.by_uri(uri)
    if found is not None or "/" not in uri:
        return found
    prefix, _, last = uri.rpartition("/")
    candidate = snapshot.by_uri(last)
    if candidate is not None and any(c.uri == prefix for c in candidate.categories):
        return candidate
    return None


@router.post("/products", response_model=AnyResponse, responses=CATALOG, tags=["5 product catalog"])
async def products(ctx: Ctx, body: ProductsBody | None = None) -> Response:
    """List, filter, search, sort and page products, with facet counts (`filter`)."""
    body = body or ProductsBody()
    token, market_id, pricelist_id, reference = await _where(ctx, body.market, body.pricelist, body.language)
    cache = ctx.shop.cache
    db = ctx.shop.db
    source, snapshot = await _snapshots(ctx, market_id, pricelist_id, reference)
    stock = await cache.stock(db, market_id)
    pretty = "pretty" in ctx.request.query_params
    query = _query(body, snapshot)
    all_prices = body.pricelist == "all"
    numbers = wants_numbers(ctx.request)
    # Everything the answer depends on; the parsed query, so spelling and key order do not matter.
    # (A snapshot in another language has a serial of its own.)
    key = (
        "products",
        ctx.shop.channel.plugin_id,
        market_id,
        pricelist_id,
        snapshot.serial,
        stock.serial,
        query,
        body.relatedProducts,
        all_prices,
        numbers,
    )
    payload = None if pretty else cache.response(key)
    if payload is None:
        page = search_products(snapshot, stock, query)
        prices = await _all_prices(ctx, reference, market_id) if all_prices else None
        currency = reference.currency_of(pricelist_id)
        bodies = _products_body(
            page,
            snapshot,
            stock,
            currency,
            related="full" if body.relatedProducts else "short",
            prices=prices,
        )
        result = {
            "products": _stock_numbers(ctx, bodies, stock) if numbers else bodies,
            "productCount": page.count,
            "filter": facets_body(page.facets),
        }
        if pretty:
            return json_response(ctx.request, {"token": token, **result} if token else result)
        payload = orjson.dumps(result)
        cache.keep_response(key, payload)
        if not all_prices:
            # Filed against the default-language snapshot: the one a later request can check cheaply,
            # and rebuilt whenever a translation changes.
            await _keep_for_fast_path(ctx, payload, market_id, pricelist_id, source.serial, stock.serial, numbers)
    return json_response(ctx.request, _with_token(token, payload))


async def _keep_for_fast_path(
    ctx: CheckoutRequest,
    payload: bytes,
    market_id: int,
    pricelist_id: int,
    snapshot: int,
    stock: int,
    numbers: bool,
) -> None:
    """File the answer under the request's raw bytes, for ``fast.cached_products``."""
    raw = await ctx.request.body()
    session_market, session_pricelist, session_language = ctx.request.state.session_location
    key = fast_key(
        ctx.shop.channel.plugin_id,
        ctx.server_mode,
        session_market,
        session_pricelist,
        raw,
        language_id=session_language,
        numbers=numbers,
    )
    if key is not None:
        ctx.shop.cache.keep_response(key, FastEntry(payload, market_id, pricelist_id, snapshot, stock))


@router.get("/products/{product}", response_model=AnyResponse, responses=CATALOG, tags=["5 product catalog"])
async def product(ctx: Ctx, product: str) -> Response:
    token, market_id, pricelist_id, reference = await _where(ctx, None, None)
    product_id = params.path_id(product, "product", "product not found")
    _source, snapshot = await _snapshots(ctx, market_id, pricelist_id, reference)
    stock = await ctx.shop.cache.stock(ctx.shop.db, market_id)
    found = snapshot.product(product_id)
    body = product_body(found, reference.currency_of(pricelist_id), stock, catalogue=snapshot, related="full")
    _stock_numbers(ctx, [body], stock)
    return json_response(ctx.request, {"token": token, "product": body} if token else {"product": body})


async def _categories(ctx: CheckoutRequest, body: CategoriesBody) -> Response:
    token, market_id, pricelist_id, reference = await _where(ctx, body.market, body.pricelist, body.language)
    _source, snapshot = await _snapshots(ctx, market_id, pricelist_id, reference)
    result = {"categories": categories_body(snapshot)}
    return json_response(ctx.request, {"token": token, **result} if token else result)


@router.get("/categories", response_model=AnyResponse, responses=CATALOG, tags=["5 product catalog"])
async def categories(ctx: Ctx) -> Response:
    """The store's categories in admin order, each with its full path."""
    return await _categories(ctx, CategoriesBody())


@router.post("/categories", response_model=AnyResponse, responses=CATALOG, tags=["5 product catalog"])
async def categories_for(ctx: Ctx, body: CategoriesBody | None = None) -> Response:
    """Server mode: the categories for a market and pricelist."""
    return await _categories(ctx, body or CategoriesBody())


@router.post("/uri", response_model=AnyResponse, responses=CATALOG, tags=["8 routing mechanism"])
async def uri(ctx: Ctx, body: UriBody) -> Response:
    """What a storefront URL shows: a product, or a category with its products."""
    token, market_id, pricelist_id, reference = await _where(ctx, body.market, body.pricelist, body.language)
    _source, snapshot = await _snapshots(ctx, market_id, pricelist_id, reference)
    stock = await ctx.shop.cache.stock(ctx.shop.db, market_id)
    currency = reference.currency_of(pricelist_id)
    wanted = body.for_ or ["product", "category"]
    path = body.uri.strip("/")
    result: dict[str, Any] | None = None
    category = snapshot.category_by_uri(path) if "category" in wanted else None
    if category is not None:
        page = search_products(
            snapshot,
            stock,
            ProductQuery(skip_first=body.skipFirst, limit=body.limit, categories=(category.category_id,)),
        )
        category_body: dict[str, Any] = {
            "category": str(category.category_id),
            "name": list(category.names),
            "uri": category.uri,
        }
        if category.parent_id is not None:
            category_body["inCategory"] = str(category.parent_id)
        result = {
            "found": "category",
            "category": category_body,
            "products": _stock_numbers(
                ctx, _products_body(page, snapshot, stock, currency, related="short", prices=None), stock
            ),
            "productCount": page.count,
            "filter": facets_body(page.facets),
        }
    elif "product" in wanted:
        found = _product_at(snapshot, path)
        if found is not None:
            result = {
                "found": "product",
                "product": _stock_numbers(
                    ctx, [product_body(found, currency, stock, catalogue=snapshot, related="full")], stock
                )[0],
            }
    if result is None:
        raise NotFound("not found", field="uri")
    return json_response(ctx.request, {"token": token, **result} if token else result)
