"""``X-Correlation-ID``: echoed on every response, made up when absent.

Centra echoes the header and passes it on. The request's id is also in the
``correlation_id`` context variable while the request runs, for code that
wants to carry it further. This middleware logs nothing itself, so it can
never log a query string, a secret header or a body. A pure ASGI middleware,
because it runs on every request and must not buffer bodies.
"""

from __future__ import annotations

import contextvars
import os
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-correlation-id"
_VALID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


class CorrelationIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope["headers"]:
            if name == b"x-correlation-id":
                incoming = value.decode("latin-1")
                break
        # An id that would be unsafe to echo or log is replaced, not trusted.
        # 128 random bits in hex, as a uuid4's hex, without building a UUID per request.
        request_id = incoming if incoming is not None and _VALID.match(incoming) else os.urandom(16).hex()
        token = correlation_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)
