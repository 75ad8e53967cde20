"""Prometheus metrics: what each process counts, and the ``/metrics`` answer.

Counted in every process, as requests pass (``MetricsMiddleware``):

- ``opencentra_http_requests_total{api, status_class}`` and
  ``opencentra_http_request_duration_seconds{api, status_class}``; ``api`` is
  one of ``APIS`` (a plugin request is named by its plugin's type, set by the
  adapter through ``name_api``), ``status_class`` is ``2xx`` ... ``5xx``;
- ``opencentra_rate_limit_refusals_total{api}``: answers with status 429
  (GraphQL rate limits, login and reset throttles);
- ``opencentra_webhook_delivery_failures_total`` and
  ``opencentra_webhook_deliveries_given_up_total``: incremented by the
  outbound webhooks (``DELIVERY_FAILURES.inc()``);
- ``opencentra_db_pool_connections_in_use`` and
  ``opencentra_db_pool_connections_max``: from the connection pool's
  checkout and checkin events (``watch_pool``).

Read at scrape time from the database, so the same whichever process answers:
``opencentra_outbox_lag_events{consumer}`` (``events.consumer_lags``).

Several worker processes: ``opencentra serve --workers N`` points
prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``) at a
fresh directory before the workers start, so a scrape answered by any worker
sums every worker's counters (docs/operations.md).

The middleware is pure ASGI and allocates one small object per request:
every label combination's metric is made once, up front.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opencentra.db.engine import Database

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
APIS = ("checkout", "shop", "order", "subscription", "graphql", "soap", "admin", "other")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
# The key under which a request's ``_Exchange`` sits in the ASGI scope; a
# plugin adapter's scope is a copy of it, so the adapter names the same one.
SCOPE_KEY = "opencentra.metrics"
# Up to 10 s: a request slower than that is a failure whatever its bucket.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "opencentra_http_requests", "HTTP requests answered, by API and status class.", ["api", "status_class"]
)
LATENCY = Histogram(
    "opencentra_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by API and status class.",
    ["api", "status_class"],
    buckets=_BUCKETS,
)
RATE_LIMIT_REFUSALS = Counter(
    "opencentra_rate_limit_refusals", "Requests refused with 429 (rate limits, login throttles), by API.", ["api"]
)
DELIVERY_FAILURES = Counter(
    "opencentra_webhook_delivery_failures",
    "Outbound webhook attempts that failed (timeout, connection refused, an answer other than 2xx).",
)
DELIVERIES_GIVEN_UP = Counter(
    "opencentra_webhook_deliveries_given_up", "Outbound webhook deliveries given up after their last attempt."
)
POOL_IN_USE = Gauge(
    "opencentra_db_pool_connections_in_use",
    "Database connections checked out of the pool now (all processes together).",
    multiprocess_mode="livesum",
)
POOL_MAX = Gauge(
    "opencentra_db_pool_connections_max",
    "Most connections the pools may hold, overflow included (all processes together).",
    multiprocess_mode="livesum",
)

_STATUS_CLASS = {n: f"{n}xx" for n in range(1, 6)}
_CHILDREN = {
    (api, status_class): (REQUESTS.labels(api, status_class), LATENCY.labels(api, status_class))
    for api in APIS
    for status_class in STATUS_CLASSES
}
_REFUSALS = {api: RATE_LIMIT_REFUSALS.labels(api) for api in APIS}


def name_api(scope: Scope, api: str) -> None:
    """Name the API a request is for (a plugin adapter, once the dispatcher picked it)."""
    exchange = scope.get(SCOPE_KEY)
    if exchange is not None:
        exchange.api = api


class NamedApi:
    """An ASGI app whose requests are counted as ``api``'s; ``app`` is the app it wraps."""

    def __init__(self, app: ASGIApp, api: str) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name_api(scope, self.api)
        await self.app(scope, receive, send)


class _Exchange:
    """One request's API and status, and the ``send`` that notes the status."""

    __slots__ = ("api", "send", "status")

    def __init__(self, api: str, send: Send) -> None:
        self.api = api
        self.status = 500
        self.send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self.send(message)


class MetricsMiddleware:
    """Counts every HTTP request by API and status class, and times it.

    ``paths`` maps path prefixes to API names, tried in order; a request none
    matches is ``other`` unless an adapter names it (``name_api``).
    """

    def __init__(self, app: ASGIApp, paths: Iterable[tuple[str, str]] = ()) -> None:
        self.app = app
        self.paths = tuple(paths)

    def _api(self, path: str) -> str:
        for prefix, api in self.paths:
            if path.startswith(prefix):
                return api
        return "other"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        exchange = _Exchange(self._api(scope["path"]), send)
        scope[SCOPE_KEY] = exchange
        try:
            await self.app(scope, receive, exchange)
        finally:
            # An exception without an answer becomes a 500 further out.
            api = exchange.api
            status = exchange.status
            requests, latency = _CHILDREN[(api, _STATUS_CLASS.get(status // 100, "5xx"))]
            requests.inc()
            latency.observe(time.perf_counter() - started)
            if status == 429:
                _REFUSALS[api].inc()


def watch_pool(db: Database) -> Callable[[], None]:
    """Count ``db``'s pooled connections in use; returns the function that stops counting."""
    pool = db.engine.sync_engine.pool
    size = getattr(pool, "size", None)
    overflow = getattr(pool, "_max_overflow", 0)
    capacity = (size() + max(overflow, 0)) if callable(size) else 0
    POOL_MAX.inc(capacity)

    def checkout(_dbapi: Any, _record: Any, _proxy: Any) -> None:
        POOL_IN_USE.inc()

    def checkin(_dbapi: Any, _record: Any) -> None:
        POOL_IN_USE.dec()

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)

    def stop() -> None:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)
        POOL_MAX.dec(capacity)

    return stop


def token_matches(authorization: str | None, token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time (the scheme in any case)."""
    scheme, _, given = (authorization or "").partition(" ")
    # Compared even when the scheme is wrong, so the answer takes the same time.
    same = hmac.compare_digest(given.strip().encode(), token.encode())
    return same and scheme.lower() == "bearer"


class _Lags(Collector):
    def __init__(self, lags: Iterable[tuple[str, int]]) -> None:
        self.lags = lags

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "opencentra_outbox_lag_events",
            "Events in the outbox newer than the newest one the consumer has finished.",
            labels=["consumer"],
        )
        for consumer, lag in self.lags:
            family.add_metric([consumer], lag)
        yield family


def exposition(lags: Iterable[tuple[str, int]]) -> tuple[bytes, str]:
    """The text a scrape answers: this process's metrics (every worker's in multiprocess mode) and the lags."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_ENV):
        _multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in (REQUESTS, LATENCY, RATE_LIMIT_REFUSALS, DELIVERY_FAILURES, DELIVERIES_GIVEN_UP):
            registry.register(collector)
        for gauge in (POOL_IN_USE, POOL_MAX):
            registry.register(gauge)
    registry.register(_Lags(list(lags)))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def process_exited() -> None:
    """In multiprocess mode, drop this process's live gauges (pool use) as it shuts down."""
    if os.environ.get(MULTIPROCESS_ENV):
        _multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
