"""The old Subscription API adapter.

Its secret came as ``?secret=`` on every URL in the old docs and as the
generic ``API-Authorization`` header later; both are accepted. Failures are
HTTP 200 with the message in ``status`` and ``"error": true``.
"""

from __future__ import annotations

import orjson
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from opencentra.api.adapter import Adapter
from opencentra.api.context import presented_secret
from opencentra.api.errors import install_error_format
from opencentra.errors import DomainError
from opencentra.integration.services import PluginView


def failure(status: str, status_code: int = 200, **extra: object) -> Response:
    return Response(
        orjson.dumps({"status": status, "error": True, **extra}), status_code=status_code, media_type="application/json"
    )


class SubscriptionErrorFormat:
    def domain(self, request: Request, error: DomainError) -> Response:
        if error.field:
            return failure(error.message, errors=[error.field])
        return failure(error.message)

    def invalid_request(self, request: Request, fields: dict[str, str]) -> Response:
        return failure("Invalid request", errors=sorted(fields))

    def http(self, request: Request, status_code: int, message: str) -> Response:
        if status_code == 404:
            return failure("Unknown endpoint", 404)
        if status_code >= 500:
            return failure("Internal error", 500)
        return failure(message, status_code)


def guard(request: Request, plugin: PluginView) -> Response | None:
    secret = presented_secret(request, accept_bearer=False) or request.query_params.get("secret")
    if plugin.check_secret(secret):
        return None
    return failure("Unauthorized", 401)


def not_found(plugin: PluginView, message: str) -> Response:
    return failure(f"Not found: {message}", 404)


def create_subscription_adapter() -> Adapter:
    app = FastAPI(title="OpenCentra Subscription API (legacy)", docs_url=None, redoc_url=None)
    install_error_format(app, SubscriptionErrorFormat())
    return Adapter(app=app, guard=guard, not_found=not_found)
