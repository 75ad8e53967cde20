"""The Order API's envelopes: ``{"status": "ok", ...}`` and ``{"status": "no", "msg": ...}``.

Centra answers failures with HTTP 200 and ``status: no``; a validation
failure puts an object keyed by field in ``msg``. Only authentication (401,
undocumented in Centra, our choice), a blocked endpoint (403 ``Not Allowed``)
and unknown routes (404) use other status codes.

Many failures echo what they were about (``"order": 83651``,
``"shipment": "83651-1"``): a route records that with ``echo()`` before it
calls the domain, and the error format adds it to the ``no`` envelope.
Every response, success or failure, is XML instead of JSON when the caller
asked with ``xml=1`` (query string or body).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from opencentra.api.order import xmlformat
from opencentra.errors import DomainError, Unauthorized, ValidationFailed
from opencentra.integration import PluginView

_TRUE = {"1", "true", "yes", "on"}


def json_response(body: dict[str, Any], status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")


def ok(**fields: Any) -> dict[str, Any]:
    return {"status": "ok", **fields}


def no(msg: str | dict[str, str], status_code: int = 200) -> Response:
    return json_response({"status": "no", "msg": msg}, status_code)


def ask_xml(request: Request, flag: Any = None) -> None:
    """Remember that the body asked for XML (``"xml": 1``)."""
    if flag is True or (isinstance(flag, int | str) and str(flag).strip().lower() in _TRUE):
        request.state.order_api_xml = True


def wants_xml(request: Request) -> bool:
    if getattr(request.state, "order_api_xml", False):
        return True
    return request.query_params.get("xml", "").strip().lower() in _TRUE


def echo(request: Request, **fields: Any) -> None:
    """Fields a failure of this request repeats back (``order``, ``shipment``, ``voucher``)."""
    current: dict[str, Any] = getattr(request.state, "order_api_echo", {})
    request.state.order_api_echo = {**current, **fields}


def respond(request: Request, body: dict[str, Any], status_code: int = 200) -> Response:
    if wants_xml(request):
        return Response(xmlformat.render(body), status_code=status_code, media_type="application/xml")
    return json_response(body, status_code)


def failure(request: Request, msg: str | dict[str, str], status_code: int = 200, **extra: Any) -> Response:
    echoed: dict[str, Any] = getattr(request.state, "order_api_echo", {})
    return respond(request, {"status": "no", "msg": msg, **echoed, **extra}, status_code)


def message(error: DomainError) -> str | dict[str, str]:
    """A validation failure is keyed by its field; anything else is a sentence."""
    if isinstance(error, ValidationFailed) and error.field:
        return {error.field: error.message}
    return error.message


class OrderErrorFormat:
    def domain(self, request: Request, error: DomainError) -> Response:
        if isinstance(error, Unauthorized):
            return failure(request, error.message, 401)
        return failure(request, message(error))

    def invalid_request(self, request: Request, fields: dict[str, str]) -> Response:
        return failure(request, fields)

    def http(self, request: Request, status_code: int, message: str) -> Response:
        if status_code == 403 and message == "Not Allowed":
            return respond(request, {"status": "Not Allowed"}, 403)
        if status_code == 404:
            return failure(request, "Unknown endpoint", 404)
        if status_code == 405:
            return failure(request, "Method not allowed for this endpoint", 405)
        if status_code >= 500:
            return failure(request, "Internal error", 500)
        return failure(request, message, status_code)


def not_found(plugin: PluginView, message: str) -> Response:
    return no(f"Not found: {message}", 404)
