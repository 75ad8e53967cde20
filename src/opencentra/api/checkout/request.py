"""Per request: which session (token), which plugin and mode, and how to answer.

The token comes as an ``API-Token`` header (any case), or as a parameter of
``Accept`` (``Accept: */*; api-token=<token>``, which needs no CORS
preflight). ``API-Token: none`` asks for no session at all. A request without
a usable token gets a new token before the endpoint runs, so that even an
error answer carries a token the client can keep; the session's row is only
written when a change first gives it something to hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from opencentra.api.checkout.auth import is_server_mode
from opencentra.api.checkout.errors import TOKEN_SCOPE_KEY
from opencentra.api.checkout.shapes import context_body, state_body
from opencentra.api.context import PluginContext, context_from_scope
from opencentra.integration import CheckoutSettings
from opencentra.mail import Mailer
from opencentra.ratelimit.throttle import Throttles
from opencentra.selection import is_token_shaped, new_token
from opencentra.storefront import Channel, CheckoutCache, CheckoutState, ResetMailer, Storefront, Visitor

STATELESS = "none"
MAX_TOKEN = 64


def read_token(request: Request) -> tuple[str | None, bool]:
    """(token, stateless) from ``API-Token`` or the ``Accept`` header's parameter."""
    raw = request.headers.get("api-token")
    if raw is None:
        for media_range in request.headers.get("accept", "").split(","):
            for parameter in media_range.split(";")[1:]:
                name, _, value = parameter.strip().partition("=")
                if name.strip().lower() == "api-token":
                    raw = value.strip().strip('"')
                    break
            if raw is not None:
                break
    if raw is None:
        return None, False
    token = raw.strip()
    if token.lower() == STATELESS:
        return None, True
    return (token if token and len(token) <= MAX_TOKEN else None), False


@dataclass(frozen=True)
class AdapterState:
    """What the Checkout API keeps per app: caches, login throttling, the reset mailer."""

    cache: CheckoutCache
    throttle: Throttles
    mailer: ResetMailer | Mailer | None = None


@dataclass(frozen=True)
class CheckoutRequest:
    request: Request
    shop: Storefront
    visitor: Visitor
    adapter: AdapterState

    @property
    def server_mode(self) -> bool:
        return self.shop.channel.server_mode

    @property
    def token(self) -> str | None:
        return self.visitor.token

    def respond(self, body: dict[str, Any], status_code: int = 200) -> Response:
        return json_response(self.request, body, status_code)

    def with_token(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.visitor.token is None:
            return body
        return {"token": self.visitor.token, **body}

    def state(self, state: CheckoutState, status_code: int = 200, **extra: Any) -> Response:
        body = state_body(state, server_mode=self.server_mode)
        body.update(extra)
        return self.respond(body, status_code)

    def context(self, state: CheckoutState, **extra: Any) -> dict[str, Any]:
        body = context_body(state, server_mode=self.server_mode)
        body.update(extra)
        return body


def json_response(request: Request, body: dict[str, Any] | bytes, status_code: int = 200) -> Response:
    if isinstance(body, bytes):
        return Response(body, status_code=status_code, media_type="application/json")
    option = orjson.OPT_INDENT_2 if "pretty" in request.query_params else 0
    return Response(orjson.dumps(body, option=option), status_code=status_code, media_type="application/json")


def adapter_state(request: Request) -> AdapterState:
    state = request.app.state.checkout
    assert isinstance(state, AdapterState)
    return state


def channel_for(request: Request, context: PluginContext) -> Channel:
    plugin = context.plugin
    settings = plugin.settings
    assert isinstance(settings, CheckoutSettings)
    return Channel(
        store_id=plugin.store_id,
        plugin_id=plugin.id,
        server_mode=is_server_mode(request, plugin),
        market_ids=tuple(settings.markets),
        session_days=settings.session_days,
        frontend_url=settings.frontend_url,
    )


async def checkout_request(request: Request) -> CheckoutRequest:
    """FastAPI dependency: the session, mode and store of this request.

    Async on purpose: FastAPI runs plain-function dependencies in a thread
    pool, which costs more than everything else this does.
    """
    context = context_from_scope(request.scope)
    adapter = adapter_state(request)
    channel = channel_for(request, context)
    shop = Storefront(context.db, adapter.cache, channel)
    token, stateless = read_token(request)
    fresh = not stateless and (token is None or not is_token_shaped(token))
    if fresh:
        # Only minted: the session's row is written by its first change, never by a read.
        token = new_token()
    request.scope[TOKEN_SCOPE_KEY] = token
    client = request.client.host if request.client else None
    visitor = Visitor(token=token, stateless=stateless, client_address=client, fresh=fresh)
    return CheckoutRequest(request, shop, visitor, adapter)


Ctx = Annotated[CheckoutRequest, Depends(checkout_request)]
