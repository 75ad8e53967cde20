"""Routes ``/api/<uri>/...`` and ``/api/<uri>/<pluginId>/...`` to the plugin's adapter.

The plugin's type picks the adapter; the adapter sees its own paths (``/orders``)
with ``root_path`` set to the plugin's base, exactly as a Starlette ``Mount``
would, so its OpenAPI document and URLs are relative to that base.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from opencentra.api.adapter import PUBLIC_PATHS, Adapter
from opencentra.api.context import SCOPE_KEY, AppContext, PluginContext
from opencentra.db.engine import Database
from opencentra.integers import parse_int
from opencentra.integration import PluginType, PluginView, resolve_plugin

APP_CONTEXT_KEY = "opencentra_app"


def _unknown_plugin() -> Response:
    # No plugin means no API whose format we could answer in; this shape is
    # readable by the Checkout/Shop clients (errors object) and plain enough
    # for the others. Recorded in docs/compatibility.md.
    return Response(
        orjson.dumps({"errors": {"api": "not found"}, "status": "no", "msg": "Unknown API endpoint"}),
        status_code=404,
        media_type="application/json",
    )


class PluginCache:
    """Plugins by (URI, permalink id) for a short time, per process.

    Every REST request needs its plugin; looking it up in the database each
    time would cost a query per request. Entries expire after ``ttl``
    seconds, which bounds how long another process honours a rotated secret.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[tuple[str, int | None], tuple[float, PluginView | None]] = {}

    async def get(self, db: Database, uri: str, plugin_id: int | None) -> PluginView | None:
        if self.ttl <= 0:
            return await resolve_plugin(db, uri, plugin_id)
        key = (uri.lower(), plugin_id)
        now = self.clock()
        cached = self._entries.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        plugin = await resolve_plugin(db, uri, plugin_id)
        if len(self._entries) > 10_000:
            # Unknown URIs are cached too; bound what a scan of random URIs can fill.
            self._entries.clear()
        self._entries[key] = (now + self.ttl, plugin)
        return plugin


class PluginDispatcher:
    def __init__(self, adapters: dict[PluginType, Adapter], cache: PluginCache) -> None:
        self.adapters = adapters
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        app_context: AppContext = scope["state"][APP_CONTEXT_KEY]
        root_path = scope.get("root_path", "")
        path: str = scope["path"]
        # The remaining path after this mount, e.g. "/order-api/12/orders".
        rest = path[len(root_path) :] if path.startswith(root_path) else path
        segments = rest.split("/")
        # segments[0] is "" (leading slash).
        uri = segments[1] if len(segments) > 1 else ""
        plugin_id: int | None = None
        consumed = 2
        if len(segments) > 2:
            plugin_id = parse_int(segments[2])
            if plugin_id is not None:
                consumed = 3
        plugin = await self.cache.get(app_context.db, uri, plugin_id) if uri else None
        if plugin is None or plugin.type not in self.adapters:
            await _unknown_plugin()(scope, receive, send)
            return
        adapter = self.adapters[plugin.type]
        if not plugin.active:
            await adapter.not_found(plugin, "plugin is inactive")(scope, receive, send)
            return
        base = "/".join(segments[:consumed])
        child_scope = dict(scope)
        child_scope["root_path"] = root_path + base
        if path == root_path + base:
            # "/api/<uri>" alone: the adapter's root.
            child_scope["path"] = path + "/"
            child_scope["raw_path"] = child_scope["path"].encode()
        child_scope[SCOPE_KEY] = PluginContext(app=app_context, plugin=plugin)
        local_path = child_scope["path"][len(child_scope["root_path"]) :]
        if local_path not in PUBLIC_PATHS:
            refusal = adapter.guard(Request(child_scope, receive), plugin)
            if refusal is not None:
                await refusal(child_scope, receive, send)
                return
        await adapter.app(child_scope, receive, send)


def describe(plugin: PluginView) -> str:
    return f"{plugin.type.value} plugin {plugin.id} at {plugin.base}"
