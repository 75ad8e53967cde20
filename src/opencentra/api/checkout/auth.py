"""Checkout API modes, and CORS.

Server mode: the shared secret as ``Authorization: Bearer`` or
``API-Authorization``; a wrong secret is refused. Client mode: no secret, and
the ``Origin`` must be in the plugin's allowed origins (an empty list allows
every origin, as in Centra).

CORS preflights are answered here, before routing: a preflight that asks to
send ``Authorization`` or ``API-Authorization`` is refused, so a browser can
never carry the shared secret (Centra's rule); an allowed origin gets the
methods and headers a storefront needs.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from opencentra.api.checkout.errors import errors_response
from opencentra.api.context import presented_secret
from opencentra.integration import CheckoutSettings, PluginView

SECRET_HEADERS = frozenset({"authorization", "api-authorization"})
ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
# What a storefront sends; the browser asks for these in preflights.
ALLOWED_HEADERS = "api-token, content-type, accept, x-correlation-id"
PREFLIGHT_MAX_AGE = "600"
# The guard's verdict on the secret, kept in the request's scope so the
# endpoint does not read the headers and hash the secret a second time.
SERVER_MODE_SCOPE_KEY = "opencentra.storefront.server_mode"


def is_server_mode(request: Request, plugin: PluginView) -> bool:
    known = request.scope.get(SERVER_MODE_SCOPE_KEY)
    if known is not None:
        return bool(known)
    return plugin.check_secret(presented_secret(request, accept_bearer=True))


def origin_allowed(plugin: PluginView, origin: str | None) -> bool:
    settings = plugin.settings
    assert isinstance(settings, CheckoutSettings)
    return not settings.allowed_origins or origin is None or origin in settings.allowed_origins


def _preflight(request: Request, plugin: PluginView) -> Response:
    origin = request.headers.get("origin")
    requested = {
        name.strip().lower() for name in request.headers.get("access-control-request-headers", "").split(",") if name
    }
    if requested & SECRET_HEADERS:
        # No Access-Control-Allow-* headers: the browser refuses to send the request.
        return errors_response(request, 403, {"cors": "the shared secret must not be sent from a browser"})
    if not origin_allowed(plugin, origin):
        return errors_response(request, 401, {"origin": "not allowed"})
    headers = {
        "Access-Control-Allow-Origin": origin or "*",
        "Access-Control-Allow-Methods": ALLOWED_METHODS,
        "Access-Control-Allow-Headers": ", ".join(sorted(requested)) if requested else ALLOWED_HEADERS,
        "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        "Vary": "Origin",
    }
    return Response(status_code=204, headers=headers)


def guard(request: Request, plugin: PluginView) -> Response | None:
    if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
        return _preflight(request, plugin)
    secret = presented_secret(request, accept_bearer=True)
    if secret is not None:
        if plugin.check_secret(secret):
            request.scope[SERVER_MODE_SCOPE_KEY] = True
            return None
        return errors_response(request, 401, {"authorization": "invalid shared secret"})
    if not origin_allowed(plugin, request.headers.get("origin")):
        return errors_response(request, 401, {"origin": "not allowed"})
    request.scope[SERVER_MODE_SCOPE_KEY] = False
    return None
