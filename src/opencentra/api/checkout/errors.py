"""The Checkout API's error shape: an ``errors`` object keyed by field, plus ``token``.

"If there is no ``errors``, it succeeded": any status >= 400 carries it, and
the session token is still returned so the client keeps its session.
"""

from __future__ import annotations

import math
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from opencentra.api.errors import http_status
from opencentra.errors import DomainError, OutOfStock
from opencentra.integration import PluginView
from opencentra.ratelimit.throttle import TooManyAttempts
from opencentra.selection import is_token_shaped

# The session layer puts the current shopper token here for error bodies.
TOKEN_SCOPE_KEY = "opencentra.storefront.token"


def error_body(errors: dict[str, str], token: str | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if token is not None:
        body["token"] = token
    body["errors"] = errors
    body.update(extra)
    return body


def _token(request: Request | None) -> str | None:
    """The session token for an error body: the request's, even if it failed before the session layer ran."""
    if request is None:
        return None
    token = request.scope.get(TOKEN_SCOPE_KEY)
    if isinstance(token, str):
        return token
    presented = request.headers.get("api-token", "").strip()
    return presented if is_token_shaped(presented) else None


def errors_response(
    request: Request | None,
    status_code: int,
    errors: dict[str, str],
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    token = _token(request)
    return Response(
        orjson.dumps(error_body(errors, token, **extra)),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


class CheckoutErrorFormat:
    def domain(self, request: Request, error: DomainError) -> Response:
        extra: dict[str, Any] = {}
        field = error.field or error.code
        if isinstance(error, OutOfStock):
            field = error.field or "stock"
            extra["unavailable"] = error.unavailable
        if isinstance(error, TooManyAttempts):
            retry = str(max(1, math.ceil(error.retry_after)))
            return errors_response(request, 429, {field: error.message}, headers={"Retry-After": retry})
        return errors_response(request, http_status(error), {field: error.message}, **extra)

    def invalid_request(self, request: Request, fields: dict[str, str]) -> Response:
        return errors_response(request, 400, fields)

    def http(self, request: Request, status_code: int, message: str) -> Response:
        if status_code == 404:
            return errors_response(request, 404, {"endpoint": "not found"})
        if status_code == 405:
            return errors_response(request, 405, {"method": "not allowed"})
        if status_code >= 500:
            return errors_response(request, 500, {"server": "internal error"})
        return errors_response(request, status_code, {"request": message})


def not_found(plugin: PluginView, message: str) -> Response:
    return errors_response(None, 404, {"plugin": message})
