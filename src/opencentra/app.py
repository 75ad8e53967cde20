"""``create_app(settings)``: one process serving every API dialect over one domain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from opencentra import __version__
from opencentra.api.body_limit import BodyLimitMiddleware
from opencentra.api.checkout.app import create_checkout_adapter
from opencentra.api.context import AppContext
from opencentra.api.dispatch import APP_CONTEXT_KEY, PluginCache, PluginDispatcher
from opencentra.api.graphql.app import create_graphql_app
from opencentra.api.order.app import create_order_adapter
from opencentra.api.shop.app import create_shop_adapter
from opencentra.api.subscription_legacy.app import create_subscription_adapter
from opencentra.config import Settings, from_environment
from opencentra.correlation import CorrelationIdMiddleware
from opencentra.db.engine import Database
from opencentra.db.models import metadata as _all_models  # noqa: F401 - maps every table
from opencentra.integration.models import PluginType
from opencentra.maintenance import start_price_recorder, start_session_purger, stop_session_purger


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the ASGI app. ``database`` lets tests share one they already opened."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        db = database or Database.from_url(settings.database_url)
        purger = start_session_purger(db, settings.session_purge_seconds)
        recorder = start_price_recorder(db, settings.price_history_seconds)
        try:
            yield {APP_CONTEXT_KEY: AppContext(settings=settings, db=db)}
        finally:
            await stop_session_purger(purger)
            await stop_session_purger(recorder)
            if database is None:
                await db.dispose()

    app = FastAPI(
        title="OpenCentra",
        version=__version__,
        description="Self-hostable headless commerce that speaks Centra's APIs.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )

    dispatcher = PluginDispatcher(
        {
            PluginType.CHECKOUT: create_checkout_adapter(),
            PluginType.SHOP: create_shop_adapter(),
            PluginType.ORDER: create_order_adapter(),
            PluginType.SUBSCRIPTION: create_subscription_adapter(),
        },
        PluginCache(settings.plugin_cache_seconds),
    )
    # Mounted first: nearly every request is for a plugin, and routes are tried in order.
    app.mount("/api", dispatcher, name="plugins")

    @app.get("/healthz", tags=["operations"])
    async def healthz(request: Request) -> JSONResponse:
        """Liveness and database reachability."""
        context: AppContext = getattr(request.state, APP_CONTEXT_KEY)
        try:
            async with context.db.read() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        backend = context.db.url.get_backend_name()
        return JSONResponse({"status": "ok", "version": __version__, "database": backend})

    # GraphQL Integration API: one endpoint for the whole instance, not per plugin.
    app.add_route("/graphql", create_graphql_app(settings).handle, methods=["GET", "POST"], include_in_schema=False)
    # The last added runs first: every response, a 413 too, carries the correlation id.
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(CorrelationIdMiddleware)
    return app


def app_from_environment() -> FastAPI:
    """Factory for uvicorn workers: settings come from ``OPENCENTRA_*``."""
    return create_app(from_environment())
