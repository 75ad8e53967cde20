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
from opencentra.api.openapi_responses import EDGE_STATUSES, error_responses
from opencentra.api.subscription_legacy.routes import router
from opencentra.errors import DomainError, NotFound
from opencentra.integration import PluginView
from opencentra.subscriptions import BadPaymentMethod

# Failures the old docs show without an ``errors`` list.
_PLAIN = frozenset({"Invalid status provided", "Cannot restore cancelled subscription"})

# Failures are HTTP 200 (each route's own 200) except these (SubscriptionErrorFormat.http).
ERROR_RESPONSES = error_responses(
    {
        "type": "object",
        "required": ["status", "error"],
        "properties": {
            "status": {"type": "string"},
            "error": {"type": "boolean"},
            "errors": {"type": "array", "items": {"type": "string"}},
        },
    },
    (*EDGE_STATUSES, 400),
)


def failure(status: str, status_code: int = 200, **extra: object) -> Response:
    return Response(
        orjson.dumps({"status": status, "error": True, **extra}), status_code=status_code, media_type="application/json"
    )


class SubscriptionErrorFormat:
    def domain(self, request: Request, error: DomainError) -> Response:
        if isinstance(error, BadPaymentMethod):
            return failure("Bad Payment Method", message=error.message)
        if isinstance(error, NotFound) and error.field == "id":
            return failure("Subscription not found")
        if error.message in _PLAIN:
            return failure(error.message)
        if error.field:
            # A use case names several missing fields at once as "email,payment".
            return failure(error.message, errors=error.field.split(","))
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
    app = FastAPI(
        title="OpenCentra Subscription API (legacy)", docs_url=None, redoc_url=None, responses=ERROR_RESPONSES
    )
    install_error_format(app, SubscriptionErrorFormat())
    app.include_router(router)
    return Adapter(app=app, guard=guard, not_found=not_found)
