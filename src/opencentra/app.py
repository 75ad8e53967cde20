"""``create_app(settings)``: one process serving every API dialect over one domain."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from opencentra import __version__, events, metrics
from opencentra.api.adapter import Adapter
from opencentra.api.admin.app import create_admin_app
from opencentra.api.body_limit import BodyLimitMiddleware
from opencentra.api.checkout.app import create_checkout_adapter
from opencentra.api.context import AppContext
from opencentra.api.dispatch import APP_CONTEXT_KEY, PluginCache, PluginDispatcher
from opencentra.api.errors import mount_every_path
from opencentra.api.graphql.app import create_graphql_app
from opencentra.api.order.app import create_order_adapter
from opencentra.api.shop.app import create_shop_adapter
from opencentra.api.soap.app import PATH as SOAP_PATH
from opencentra.api.soap.app import create_soap_app
from opencentra.api.subscription_legacy.app import create_subscription_adapter
from opencentra.config import Settings, from_environment
from opencentra.correlation import CorrelationIdMiddleware
from opencentra.db.engine import Database
from opencentra.db.models import metadata as _all_models  # noqa: F401 - maps every table
from opencentra.integration.models import PluginType
from opencentra.mail import mailer_for
from opencentra.maintenance import (
    start_price_recorder,
    start_renewal_runner,
    start_session_purger,
    start_webhook_sender,
    stop_renewal_runner,
    stop_session_purger,
)


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the ASGI app. ``database`` lets tests share one they already opened."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        db = database or Database.from_url(settings.database_url)
        purger = start_session_purger(db, settings.session_purge_seconds)
        recorder = start_price_recorder(db, settings.price_history_seconds)
        # Outbound webhooks: sent by a background task, never by the request that made the change.
        sender = start_webhook_sender(
            db,
            settings.webhooks_deliver_seconds,
            server_key=settings.webhooks_key,
            allow_private=settings.webhooks_allow_private,
        )
        # Subscription renewals: due contracts become charged orders; each is claimed by one process.
        renewals = start_renewal_runner(db, settings.renewal_seconds, mailer_for(settings.smtp_url))
        stop_watching_pool = metrics.watch_pool(db) if settings.metrics_token else None
        try:
            yield {APP_CONTEXT_KEY: AppContext(settings=settings, db=db)}
        finally:
            if stop_watching_pool is not None:
                stop_watching_pool()
                metrics.process_exited()
            await stop_session_purger(purger)
            await stop_session_purger(recorder)
            await stop_session_purger(sender)
            await stop_renewal_runner(renewals)
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
            PluginType.CHECKOUT: _measured(create_checkout_adapter(), "checkout", settings),
            PluginType.SHOP: _measured(create_shop_adapter(), "shop", settings),
            PluginType.ORDER: _measured(create_order_adapter(), "order", settings),
            PluginType.SUBSCRIPTION: _measured(create_subscription_adapter(), "subscription", settings),
        },
        PluginCache(settings.plugin_cache_seconds),
    )
    # Mounted first: nearly every request is for a plugin, and routes are tried in order.
    mount_every_path(app, "/api", dispatcher, name="plugins")

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
    # SOAP ERP API: one endpoint for the whole instance (issue 13).
    app.add_route(SOAP_PATH, create_soap_app().handle, methods=["GET", "POST"], include_in_schema=False)
    # The last added runs first: every response, a 413 too, carries the correlation id.
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        # The SOAP ERP API's batches are larger than any other API's bodies (docs/compatibility/soap-api.md).
        path_limits={SOAP_PATH: settings.soap_max_body_bytes},
    )
    app.add_middleware(CorrelationIdMiddleware)
    if settings.metrics_token:
        # /metrics: off the plugin routes, and off entirely without a token (docs/operations.md).
        app.add_route("/metrics", _metrics_endpoint(settings.metrics_token), methods=["GET"], include_in_schema=False)
        # Outermost: counts every answer, a 413 and the correlation middleware's included.
        paths = (("/graphql", "graphql"), (SOAP_PATH, "soap"), ("/ams", "admin"))
        app.add_middleware(metrics.MetricsMiddleware, paths=paths)
    # Admin UI: mounted last, so the SOAP endpoint's own route under /ams/system/... matches first.
    app.mount("/ams", create_admin_app(), name="admin")
    return app


def _measured(adapter: Adapter, api: str, settings: Settings) -> Adapter:
    """``adapter``, naming its requests ``api`` for the metrics (guard refusals included)."""
    if not settings.metrics_token:
        return adapter
    inner_guard = adapter.guard

    def guard(request: Request, plugin: Any) -> Response | None:
        metrics.name_api(request.scope, api)
        return inner_guard(request, plugin)

    return dataclasses.replace(adapter, app=metrics.NamedApi(adapter.app, api), guard=guard)


def _metrics_endpoint(token: str) -> Any:
    async def endpoint(request: Request) -> Response:
        if not metrics.token_matches(request.headers.get("authorization"), token):
            return JSONResponse(
                {"error": "unauthorized"}, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
            )
        context: AppContext = getattr(request.state, APP_CONTEXT_KEY)
        lags = await events.consumer_lags(context.db)
        body, content_type = metrics.exposition((lag.consumer, lag.lag) for lag in lags)
        return Response(body, media_type=content_type)

    return endpoint


def app_from_environment() -> FastAPI:
    """Factory for uvicorn workers: settings come from ``OPENCENTRA_*``."""
    return create_app(from_environment())
