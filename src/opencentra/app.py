"""``create_app(settings)``: one process serving every API dialect over one domain."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event, text
from sqlalchemy.exc import InvalidRequestError
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
from opencentra.worker import STOP_GRACE, Loops, start_loops

HEALTH_KEY = "opencentra_health"
# /healthz answers from the process's last successful statement when it is this recent.
HEALTH_FRESH_SECONDS = 5.0
# A check that takes longer than this counts as "unreachable".
HEALTH_CHECK_TIMEOUT = 5.0

# SIGTERM to exit must stay under the 30 s orchestrators wait before SIGKILL: the background loops
# start stopping at the signal, while uvicorn drains requests (at most 25 s), and get what is left.
SHUTDOWN_BUDGET_SECONDS = 27.0


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the ASGI app. ``database`` lets tests share one they already opened."""
    # Background loops off (serve --no-background): `opencentra worker` runs them (opencentra.worker).
    settings = settings if settings.background else settings.without_background()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        db = database or Database.from_url(settings.database_url)
        # The background loops (opencentra.worker, the same ones `opencentra worker` runs): renewals,
        # webhook and Shop API push delivery (never by the request that made the change), purges.
        # Without OPENCENTRA_WEBHOOKS_KEY an app server sends nothing (as before pushes existed): no
        # delivery round every 2 s in every process, test apps included. `opencentra worker` sends pushes.
        background = settings if settings.webhooks_key else dataclasses.replace(settings, webhooks_deliver_seconds=0)
        loops = start_loops(db, background, mailer=mailer_for(settings.smtp_url))
        signalled = _stop_loops_on_signal(loops)
        stop_watching_pool = metrics.watch_pool(db) if settings.metrics_token else None
        health = DatabaseHealth(db)
        health.watch()
        try:
            yield {APP_CONTEXT_KEY: AppContext(settings=settings, db=db), HEALTH_KEY: health}
        finally:
            health.unwatch()
            if stop_watching_pool is not None:
                stop_watching_pool()
                metrics.process_exited()
            # Each loop finishes its unit in hand (a renewal, a round of sends, a purge batch) and stops;
            # one still busy after the grace is cancelled, and a cancelled send round releases its claims.
            await loops.stop(grace_seconds=signalled.grace())
            signalled.restore()
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
        """Liveness and database reachability (from the process's own probe when it is fresh, so a
        busy process answers without queueing for a pooled connection; see ``DatabaseHealth``)."""
        context: AppContext = getattr(request.state, APP_CONTEXT_KEY)
        health: DatabaseHealth = getattr(request.state, HEALTH_KEY, None) or DatabaseHealth(context.db)
        if not await health.reachable():
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


class _Signalled:
    """SIGTERM (or SIGINT) seen by this process: when, and how to put the handlers back."""

    def __init__(self) -> None:
        self.at: float | None = None
        self.previous: dict[int, Any] = {}

    def grace(self) -> float:
        """What is left of the shutdown budget for the loops (all of STOP_GRACE when no signal came)."""
        if self.at is None:
            return STOP_GRACE
        return max(1.0, SHUTDOWN_BUDGET_SECONDS - (time.monotonic() - self.at))

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signum, handler)
        self.previous.clear()


def _stop_loops_on_signal(loops: Loops) -> _Signalled:
    """Ask the loops to stop the moment SIGTERM or SIGINT arrives, then let the server's own handler
    (uvicorn's: stop accepting, drain requests) run; so background work drains beside the requests,
    not after them. Only a Python handler already installed is wrapped (uvicorn's, in ``serve``);
    elsewhere (tests, other servers) nothing changes."""
    seen = _Signalled()
    if threading.current_thread() is not threading.main_thread():
        return seen
    running = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue

        def handler(
            sig: int, frame: FrameType | None, previous: Callable[[int, FrameType | None], Any] = previous
        ) -> None:
            if seen.at is None:
                seen.at = time.monotonic()
                running.call_soon_threadsafe(loops.stopping.set)
            previous(sig, frame)

        signal.signal(signum, handler)
        seen.previous[signum] = previous
    return seen


class DatabaseHealth:
    """Whether this process reaches its database, known without a query per ``/healthz`` when busy.

    Every statement any request or loop of this process runs successfully proves the database
    reachable; ``watch`` notes when the last one ended (an engine event: one float written). While
    that is under ``HEALTH_FRESH_SECONDS`` old, ``/healthz`` answers from it with no statement of its
    own, so a busy process never makes its health check queue for a pooled connection behind the
    requests that keep it busy. An idle process checks live (``SELECT 1``, one check at a time,
    bounded by ``HEALTH_CHECK_TIMEOUT``); a failed check is reported at once.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.ok_at: float | None = None
        self._live = asyncio.Lock()

    def _succeeded(self, *_args: Any) -> None:
        self.ok_at = time.monotonic()

    def _failed(self, *_args: Any) -> None:
        # Any database error (a lost connection or a constraint): the next /healthz checks live.
        self.ok_at = None

    def watch(self) -> None:
        event.listen(self.db.engine.sync_engine, "after_cursor_execute", self._succeeded)
        event.listen(self.db.engine.sync_engine, "handle_error", self._failed)

    def unwatch(self) -> None:
        with contextlib.suppress(InvalidRequestError):
            event.remove(self.db.engine.sync_engine, "after_cursor_execute", self._succeeded)
            event.remove(self.db.engine.sync_engine, "handle_error", self._failed)

    def fresh(self) -> bool:
        return self.ok_at is not None and time.monotonic() - self.ok_at < HEALTH_FRESH_SECONDS

    async def probe(self) -> bool:
        try:
            async with asyncio.timeout(HEALTH_CHECK_TIMEOUT), self.db.read() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            self.ok_at = None
            return False
        self.ok_at = time.monotonic()
        return True

    async def reachable(self) -> bool:
        if self.fresh():
            return True
        async with self._live:
            # Several health checks at once: the first checks, the others take its answer.
            return self.fresh() or await self.probe()
