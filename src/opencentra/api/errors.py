"""Installing an adapter's error format on its app.

Each adapter says how a domain error, a malformed request, an unknown route
and an unexpected failure look in its own wire format; this module wires those
four cases into FastAPI so that no error escapes in another API's shape, and
no exception becomes a bare 500 with a traceback.
"""

from __future__ import annotations

import logging
import re
from typing import Protocol

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp

from opencentra.errors import (
    Conflict,
    DomainError,
    NotFound,
    OutOfStock,
    PermissionDenied,
    Unauthorized,
    ValidationFailed,
)

log = logging.getLogger("opencentra.api")


class ErrorFormat(Protocol):
    def domain(self, request: Request, error: DomainError) -> Response: ...

    def invalid_request(self, request: Request, fields: dict[str, str]) -> Response: ...

    def http(self, request: Request, status_code: int, message: str) -> Response: ...


def http_status(error: DomainError) -> int:
    """The HTTP status REST adapters use for a domain error by default."""
    if isinstance(error, OutOfStock):
        return 410
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, Unauthorized):
        return 401
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, ValidationFailed):
        return 406
    return 400


def validation_fields(exc: RequestValidationError) -> dict[str, str]:
    """FastAPI's validation errors as ``{"dotted.field": "message"}``."""
    fields: dict[str, str] = {}
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
        key = ".".join(location) or "request"
        if error.get("type") == "json_invalid":
            key, message = "request", "malformed JSON"
        else:
            message = str(error.get("msg", "invalid"))
        fields.setdefault(key, message)
    return fields


def install_error_format(app: FastAPI, error_format: ErrorFormat) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        return error_format.domain(request, exc)

    async def on_invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_format.invalid_request(request, validation_fields(exc))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return error_format.http(request, exc.status_code, str(exc.detail))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Log the failure without headers or body: they may carry secrets.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_format.http(request, 500, "internal error")

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)


def mount_every_path(app: FastAPI, path: str, mounted: ASGIApp, *, name: str) -> None:
    """``app.mount(path, mounted)``, but every path under ``path`` reaches ``mounted``.

    Starlette's mount pattern ``^/api/(?P<path>.*)$`` has no DOTALL: a decoded
    newline (``%0A``) in the middle of a path does not match, so the outer app
    answers FastAPI's ``{"detail": "Not Found"}``, and a trailing one matches
    with the newline cut off the remaining path. Either way the adapter, and
    its error format, never sees the request; matching newlines too lets it
    answer in its own format.
    """
    mount = Mount(path, app=mounted, name=name)
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    app.router.routes.append(mount)
