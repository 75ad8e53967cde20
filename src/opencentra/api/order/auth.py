"""Order API authentication: ``API-Authorization: <secret>``, no Bearer form."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from opencentra.api.context import presented_secret
from opencentra.api.order.envelope import no
from opencentra.integration import PluginView


def guard(request: Request, plugin: PluginView) -> Response | None:
    if plugin.check_secret(presented_secret(request, accept_bearer=False)):
        return None
    return no("Unauthorized: send the plugin's secret in the API-Authorization header", 401)
