"""The contract between the plugin dispatcher and each REST API adapter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from opencentra.integration import PluginView

# Paths an adapter serves without authentication: its own API description.
PUBLIC_PATHS = frozenset({"/openapi.json"})


class NotFoundResponder(Protocol):
    def __call__(self, plugin: PluginView, message: str) -> Response: ...


class Guard(Protocol):
    """Checks a request before the adapter sees it; a response means "refused".

    It runs in the dispatcher, before routing, so an unauthenticated caller
    learns nothing about which endpoints exist.
    """

    def __call__(self, request: Request, plugin: PluginView) -> Response | None: ...


@dataclass(frozen=True)
class Adapter:
    """One API dialect: its ASGI app, its guard and how it says "not found"."""

    app: ASGIApp
    guard: Guard
    not_found: NotFoundResponder
