"""One request-body limit for every API, enforced while the body is read.

``Settings.max_body_bytes`` (``OPENCENTRA_MAX_BODY_BYTES``) bounds what any
request may send. A path prefix may have its own limit instead (``path_limits``):
the SOAP ERP API's batches of a thousand products run to megabytes, so it
takes ``Settings.soap_max_body_bytes``, while every other API keeps the small
default. A request whose ``Content-Length`` declares more is refused
before a byte of its body is read; a body without one (chunked) is counted as
it streams and refused at the chunk that passes the limit. Either way the
process never holds more than the limit plus one chunk of a body.

The refusal is ``BodyTooLarge``, an HTTP 413 raised from ``receive`` where
the app reads the body, so every API answers it in its own error format:
the REST adapters through their ``ErrorFormat.http`` (``api.errors``),
GraphQL as ``{"errors": [...]}``. A route that never reads its body answers
as it would have: nothing was read, so there is nothing to refuse. The
response to a request whose body was refused, or declared too large, closes
the connection, so the server does not go on reading the rest of a body
nobody wants.

A pure ASGI middleware, like ``CorrelationIdMiddleware``: it must not buffer
bodies.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """The request body is (or says it is) larger than the limit: HTTP 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is larger than {limit} bytes")


def declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length``, or None when absent or not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _covers(key: str, path: str) -> bool:
    """A key ending in ``/`` covers every path below it; any other key covers that one path only.

    The SOAP endpoint's key is its exact path, so nothing routed elsewhere (the
    admin UI is mounted on ``/ams``) can borrow its larger limit.
    """
    return path.startswith(key) if key.endswith("/") else path == key


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, path_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Longest key first, so the most specific one decides.
        self.path_limits = sorted((path_limits or {}).items(), key=lambda item: len(item[0]), reverse=True)

    def limit_for(self, path: str) -> int:
        """The body limit of a request for ``path``: its longest covering key's, else the default."""
        for key, limit in self.path_limits:
            if _covers(key, path):
                return limit
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = declared_length(scope)
        refused = declared is not None and declared > limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal refused, received
            if refused:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    raise BodyTooLarge(limit)
            return message

        async def send_closing(message: Message) -> None:
            if refused and message["type"] == "http.response.start":
                MutableHeaders(scope=message)["connection"] = "close"
            await send(message)

        await self.app(scope, limited_receive, send_closing)
