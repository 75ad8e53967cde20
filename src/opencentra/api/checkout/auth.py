"""Checkout API modes.

Server mode: the shared secret as ``Authorization: Bearer`` or
``API-Authorization``; a wrong secret is refused. Client mode: no secret, and
the ``Origin`` must be in the plugin's allowed origins (an empty list allows
every origin, as in Centra).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from opencentra.api.checkout.errors import errors_response
from opencentra.api.context import presented_secret
from opencentra.integration.plugin_settings import CheckoutSettings
from opencentra.integration.services import PluginView


def is_server_mode(request: Request, plugin: PluginView) -> bool:
    return plugin.check_secret(presented_secret(request, accept_bearer=True))


def guard(request: Request, plugin: PluginView) -> Response | None:
    secret = presented_secret(request, accept_bearer=True)
    if secret is not None:
        if plugin.check_secret(secret):
            return None
        return errors_response(request, 401, {"authorization": "invalid shared secret"})
    settings = plugin.settings
    assert isinstance(settings, CheckoutSettings)
    origin = request.headers.get("origin")
    if settings.allowed_origins and origin is not None and origin not in settings.allowed_origins:
        return errors_response(request, 401, {"origin": "not allowed"})
    return None
