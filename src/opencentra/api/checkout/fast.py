"""The hot path of POST /products: a finished answer found by the request's raw bytes.

Storefronts ask for the same listings again and again. When the FastAPI
route has answered a request, it files the answer's bytes under (plugin,
mode, the session's market and pricelist, the raw body); a later request
with the same bytes is answered here, before FastAPI parses anything, if the
catalogue and stock snapshots it was built from are still the current ones.
Anything not found this way (a new session, a changed catalogue, another
spelling of the same query) goes the ordinary way and is filed for next time.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import orjson
from starlette.requests import Request
from starlette.types import Scope

from opencentra.api.checkout.auth import is_server_mode
from opencentra.api.checkout.request import read_token
from opencentra.api.context import SCOPE_KEY, PluginContext
from opencentra.integration import CheckoutSettings
from opencentra.selection import is_token_shaped
from opencentra.storefront import Channel, CheckoutCache, Storefront, Visitor, current_shopper, known_shopper

# Larger bodies are not worth a dictionary key.
MAX_KEY_BODY = 4096


@dataclass(frozen=True, slots=True)
class FastEntry:
    payload: bytes
    market_id: int
    pricelist_id: int
    catalogue_serial: int
    stock_serial: int


def fast_key(
    plugin_id: int,
    server_mode: bool,
    market_id: int,
    pricelist_id: int,
    raw: bytes,
    *,
    language_id: int | None = None,
    numbers: bool = False,
) -> Hashable | None:
    """The session's language is part of the key: the same request shows other texts in another language."""
    if len(raw) > MAX_KEY_BODY:
        return None
    return ("fast-products", plugin_id, server_mode, market_id, pricelist_id, language_id, numbers, raw)


def with_token(token: str | None, payload: bytes) -> bytes:
    """``payload`` (a JSON object) with ``token`` as its first key."""
    if token is None:
        return payload
    if payload == b"{}":
        return b'{"token":' + orjson.dumps(token) + b"}"
    return b'{"token":' + orjson.dumps(token) + b"," + payload[1:]


async def cached_products(scope: Scope, cache: CheckoutCache, raw: bytes) -> bytes | None:
    """The answer to this POST /products if an identical one is filed and still current."""
    context = scope.get(SCOPE_KEY)
    if not isinstance(context, PluginContext) or len(raw) > MAX_KEY_BODY:
        return None
    request = Request(scope)
    token, stateless = read_token(request)
    if not stateless and (token is None or not is_token_shaped(token)):
        return None  # a new token is minted the ordinary way
    plugin = context.plugin
    settings = plugin.settings
    assert isinstance(settings, CheckoutSettings)
    server_mode = is_server_mode(request, plugin)
    # A session read moments ago needs nothing else; the rest goes the way every catalogue read does.
    shopper = known_shopper(cache, token) if token is not None else None
    if shopper is None:
        channel = Channel(
            store_id=plugin.store_id,
            plugin_id=plugin.id,
            server_mode=server_mode,
            market_ids=tuple(settings.markets),
            session_days=settings.session_days,
            frontend_url=settings.frontend_url,
        )
        shop = Storefront(context.db, cache, channel)
        visitor = Visitor(token=token, stateless=stateless)
        shopper, _reference = await current_shopper(shop, visitor, for_catalogue=True)
        if shopper.token != token:
            return None  # the token was stale; the ordinary way answers with the new one
    key = fast_key(
        plugin.id,
        server_mode,
        shopper.market_id,
        shopper.pricelist_id,
        raw,
        language_id=shopper.language_id,
        numbers=settings.stock_as_number,
    )
    entry = cache.response(key) if key is not None else None
    if not isinstance(entry, FastEntry):
        return None
    snapshot = await cache.catalogue(context.db, plugin.store_id, entry.market_id, entry.pricelist_id)
    stock = await cache.stock(context.db, entry.market_id)
    if snapshot.serial != entry.catalogue_serial or stock.serial != entry.stock_serial:
        return None
    return with_token(shopper.token, entry.payload)
