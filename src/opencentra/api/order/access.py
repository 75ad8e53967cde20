"""What one Order API plugin may see and do.

The plugin's settings decide it: its store plus "Additional stores", its
markets (none listed: every market of those stores), the order statuses it
lists, whether Hold / Waiting-for-payment orders show, and the whitelist of
endpoints ("Allow access to the following endpoints"), which refuses any
other with HTTP 403 ``{"status": "Not Allowed"}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from fastapi import Depends
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match

from opencentra import stores
from opencentra.api.context import PluginContext, plugin_context
from opencentra.api.order.wire import zone
from opencentra.db.engine import Database
from opencentra.integration import OrderSettings, PluginView
from opencentra.orders import OrderScope

_PARAMETER = re.compile(r"\{[^}]*\}|\*[^/]*\*")
# Older spellings routed to the same handlers: a whitelist that names the current one allows them.
OLDER_SPELLINGS = {
    "POST /shipment": "POST /shipments",
    "GET /shipment/{}": "GET /shipments/{}",
    "PUT /stock": "POST /stock",
}
_SHIPMENT_ENDPOINTS = frozenset(
    {"GET /shipments", "POST /shipments", "GET /shipments/{}", "PUT /shipments/{}", "/shipments", "/shipments/{}"}
)


@dataclass(frozen=True)
class OrderApi:
    """Per request: the database, the plugin, its settings and its reach."""

    db: Database
    plugin: PluginView
    settings: OrderSettings
    timezone: ZoneInfo

    @property
    def store_ids(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys((self.plugin.store_id, *self.settings.additional_stores)))

    @property
    def scope(self) -> OrderScope:
        """The orders GET /orders lists."""
        return OrderScope(
            store_ids=self.store_ids,
            market_ids=self.settings.markets or None,
            statuses=self.settings.order_statuses,
            include_hold_and_waiting=self.settings.include_hold_and_waiting_for_payment,
        )

    @property
    def write_scope(self) -> OrderScope:
        """The orders it may change (and read by number): its stores and markets, any status."""
        return self.scope.for_writes()

    @property
    def stock_warehouses(self) -> tuple[int, ...]:
        """What GET /stock sums: the primary warehouse and the virtual ones."""
        primary = () if self.settings.primary_warehouse is None else (self.settings.primary_warehouse,)
        return tuple(dict.fromkeys((*primary, *self.settings.virtual_warehouses)))


async def order_api(context: PluginContext = Depends(plugin_context)) -> OrderApi:  # noqa: B008
    settings = context.plugin.settings
    if not isinstance(settings, OrderSettings):  # pragma: no cover - the dispatcher routes by type
        raise HTTPException(404, "not an Order API plugin")
    name = await stores.store_timezone(context.db, context.plugin.store_id)
    return OrderApi(db=context.db, plugin=context.plugin, settings=settings, timezone=zone(name))


def normalize_endpoint(name: str) -> str:
    """``"GET /shipments/{shipmentId}"``, ``"get shipments/*id*"`` -> ``"GET /shipments/{}"``."""
    method, _, path = name.strip().partition(" ")
    if not path:
        method, path = "", method
    path = "/" + _PARAMETER.sub("{}", path.strip()).strip("/")
    return f"{method.upper()} {path}".strip()


async def check_allowed(request: Request, context: PluginContext = Depends(plugin_context)) -> None:  # noqa: B008
    """Refuse an endpoint the plugin's whitelist leaves out (None allows all).

    A whitelist entry is ``"<METHOD> <path>"`` (``"GET /orders"``,
    ``"PUT /shipments/{shipmentId}"``) or a bare path for every method.
    """
    settings = context.plugin.settings
    if not isinstance(settings, OrderSettings) or settings.allowed_endpoints is None:
        return
    route_path = _route_path(request)
    wanted = normalize_endpoint(f"{request.method} {route_path}")
    bare = normalize_endpoint(route_path)
    allowed = {normalize_endpoint(entry) for entry in settings.allowed_endpoints}
    if wanted in allowed or bare in allowed:
        return
    current = OLDER_SPELLINGS.get(wanted)
    if current is not None and (current in allowed or normalize_endpoint(current.partition(" ")[2]) in allowed):
        return
    # A shipment's documents are linked from the shipment endpoints: whoever may use one may read them.
    if route_path.startswith("/documents/") and allowed & _SHIPMENT_ENDPOINTS:
        return
    raise HTTPException(403, "Not Allowed")


def _route_path(request: Request) -> str:
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    for candidate in request.app.router.routes:  # pragma: no cover - FastAPI sets scope["route"]
        match, _ = candidate.matches(request.scope)
        if match == Match.FULL:
            return str(getattr(candidate, "path", request.url.path))
    return request.url.path  # pragma: no cover
