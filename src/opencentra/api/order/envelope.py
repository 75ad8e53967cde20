"""The Order API's envelopes: ``{"status": "ok", ...}`` and ``{"status": "no", "msg": ...}``.

Centra answers failures with HTTP 200 and ``status: no``; a validation
failure puts an object keyed by field in ``msg``. Only authentication (401,
undocumented in Centra, our choice), a blocked endpoint (403 ``Not Allowed``)
and unknown routes (404) use other status codes.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from opencentra.errors import DomainError, Unauthorized, ValidationFailed
from opencentra.integration.services import PluginView


def json_response(body: dict[str, Any], status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


def ok(**fields: Any) -> dict[str, Any]:
    return {"status": "ok", **fields}


def no(msg: str | dict[str, str], status_code: int = 200) -> Response:
    return json_response({"status": "no", "msg": msg}, status_code)


class OrderErrorFormat:
    def domain(self, request: Request, error: DomainError) -> Response:
        if isinstance(error, Unauthorized):
            return no(error.message, 401)
        if isinstance(error, ValidationFailed) and error.field:
            return no({error.field: error.message})
        return no(error.message)

    def invalid_request(self, request: Request, fields: dict[str, str]) -> Response:
        return no(fields)

    def http(self, request: Request, status_code: int, message: str) -> Response:
        if status_code == 404:
            return no("Unknown endpoint", 404)
        if status_code == 405:
            return no("Method not allowed for this endpoint", 405)
        if status_code >= 500:
            return no("Internal error", 500)
        return no(message, status_code)


def not_found(plugin: PluginView, message: str) -> Response:
    return no(f"Not found: {message}", 404)
