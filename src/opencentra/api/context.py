"""What the plugin dispatcher hands to an adapter with each request."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import Scope

from opencentra.config import Settings
from opencentra.db.engine import Database
from opencentra.integration import PluginView

SCOPE_KEY = "opencentra.context"


@dataclass(frozen=True)
class AppContext:
    """Process-wide state, made once in the app's lifespan."""

    settings: Settings
    db: Database


@dataclass(frozen=True)
class PluginContext:
    """Per request: the application state and the plugin the URI selected."""

    app: AppContext
    plugin: PluginView

    @property
    def db(self) -> Database:
        return self.app.db


def plugin_context(request: Request) -> PluginContext:
    """FastAPI dependency: the context the dispatcher put in the scope."""
    return context_from_scope(request.scope)


def context_from_scope(scope: Scope) -> PluginContext:
    context = scope.get(SCOPE_KEY)
    if not isinstance(context, PluginContext):
        raise RuntimeError("adapter called outside the plugin dispatcher")
    return context


def presented_secret(request: Request, *, accept_bearer: bool) -> str | None:
    """The shared secret a caller sent: ``API-Authorization`` or, where the API
    takes it, ``Authorization: Bearer`` (scheme matched case-insensitively)."""
    api_authorization = request.headers.get("api-authorization")
    if api_authorization and api_authorization.strip():
        return api_authorization.strip()
    if accept_bearer:
        authorization = request.headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
    return None
