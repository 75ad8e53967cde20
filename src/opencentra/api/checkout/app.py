"""The Checkout API adapter's app.

Around the FastAPI app sits a small ASGI edge that answers the cached
``POST /products`` and adds the CORS response headers for allowed browser
origins. Preflights are answered by the guard (``auth.py``), which runs before
routing. Oversized bodies are refused by the app-wide limit
(``api.body_limit``), in this API's error shape.

Caches (reference data, catalogue and stock snapshots, finished catalogue
responses) live per app; ``OPENCENTRA_CHECKOUT_CACHE_SECONDS`` sets how often
they look for changes in the outbox (default 0.5 s; 0 checks on every
request), ``OPENCENTRA_CHECKOUT_REFERENCE_SECONDS`` how long countries,
languages, methods and tax rules are kept (default 5 s).
"""

from __future__ import annotations

import os

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from opencentra.api.adapter import Adapter
from opencentra.api.body_limit import BodyTooLarge
from opencentra.api.checkout import (
    account_routes,
    bundle_routes,
    catalog_routes,
    payment_routes,
    selection_routes,
    subscription_routes,
    unsupported_routes,
)
from opencentra.api.checkout.auth import guard, origin_allowed
from opencentra.api.checkout.errors import CheckoutErrorFormat, not_found
from opencentra.api.checkout.fast import cached_products
from opencentra.api.checkout.request import AdapterState
from opencentra.api.context import SCOPE_KEY, PluginContext
from opencentra.api.errors import install_error_format
from opencentra.api.openapi_responses import ERRORS_OBJECT_RESPONSES
from opencentra.mail import Mailer
from opencentra.ratelimit.throttle import Throttles
from opencentra.storefront import CheckoutCache, ResetMailer

CACHE_SECONDS_VARIABLE = "OPENCENTRA_CHECKOUT_CACHE_SECONDS"
REFERENCE_SECONDS_VARIABLE = "OPENCENTRA_CHECKOUT_REFERENCE_SECONDS"


def _seconds(variable: str, default: float) -> float:
    raw = os.environ.get(variable, "")
    try:
        value = float(raw) if raw.strip() else default
    except ValueError:
        value = default
    return max(value, 0.0)


class CheckoutEdge:
    """CORS response headers and the cached POST /products, in front of the FastAPI app."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    @property
    def state(self) -> AdapterState:
        state = self.app.state.checkout
        assert isinstance(state, AdapterState)
        return state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_cors(scope, send, scope.get(SCOPE_KEY))
        if scope["method"] == "POST" and _local_path(scope) == "/products" and not scope.get("query_string"):
            try:
                body = await _read_body(receive)
            except BodyTooLarge as refused:
                await CheckoutErrorFormat().http(Request(scope), refused.status_code, refused.detail)(
                    scope, receive, send
                )
                return
            cached = await cached_products(scope, self.state.cache, body)
            if cached is not None:
                await Response(cached, media_type="application/json")(scope, receive, send)
                return
            receive = _replay(body)
        await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    """The whole body; the app-wide limit refuses a too-large one while it streams."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _local_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _with_cors(scope: Scope, send: Send, context: object) -> Send:
    origin = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"origin"), None)
    if origin is None or not isinstance(context, PluginContext) or not origin_allowed(context.plugin, origin):
        return send

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = "X-Correlation-ID"
            headers.add_vary_header("Origin")
        await send(message)

    return send_with_cors


def create_checkout_adapter(*, mailer: ResetMailer | Mailer | None = None) -> Adapter:
    app = FastAPI(
        title="OpenCentra Checkout API",
        description=(
            "Centra-compatible Checkout API (client and server mode). Send the session token back as "
            "`API-Token`; every answer carries `token`. Errors are `{token, errors: {field: message}}`."
        ),
        docs_url=None,
        redoc_url=None,
        # The error shape of errors.py, for every operation (api/openapi_responses.py).
        responses=ERRORS_OBJECT_RESPONSES,
    )
    app.state.checkout = AdapterState(
        cache=CheckoutCache(
            poll_seconds=_seconds(CACHE_SECONDS_VARIABLE, 0.5),
            reference_seconds=_seconds(REFERENCE_SECONDS_VARIABLE, 5.0),
        ),
        throttle=Throttles(),
        mailer=mailer,
    )
    for module in (
        catalog_routes,
        selection_routes,
        bundle_routes,
        payment_routes,
        account_routes,
        subscription_routes,  # before unsupported_routes: its paths answer here
        unsupported_routes,
    ):
        app.include_router(module.router)
    install_error_format(app, CheckoutErrorFormat())
    return Adapter(app=CheckoutEdge(app), guard=guard, not_found=not_found)
