"""``/metrics``: off without a token, bearer-protected with one, and counting what the brief names.

One app over the demo seed on SQLite: requests to each API are counted by API and
status class, a scrape shows the outbox lag of a consumer and the pool in use, and
the middleware adds no SQL statement to a request. The lag query runs on both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from opencentra import events, metrics
from opencentra.app import create_app
from opencentra.config import Settings, from_environment
from opencentra.db.engine import Database
from opencentra.db.models import metadata
from opencentra.demo.seed import DemoResult, seed_demo
from opencentra.errors import ValidationFailed
from opencentra.events import outbox

TOKEN = "metrics-token-for-tests-0123456789"
# The module's database, set by the ``served`` fixture.
URL = ""


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _requests(samples: dict[Any, float], api: str, status_class: str) -> float:
    return samples.get(("opencentra_http_requests_total", (("api", api), ("status_class", status_class))), 0.0)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, DemoResult]]:
    global URL
    URL = f"sqlite:///{tmp_path_factory.mktemp('metrics') / 'metrics.db'}"
    database = Database.from_url(URL)
    app = create_app(Settings(database_url=URL, plugin_cache_seconds=0, metrics_token=TOKEN), database=database)
    with TestClient(app) as client:
        assert client.portal is not None

        async def prepare() -> DemoResult:
            async with database.engine.begin() as connection:
                await connection.run_sync(metadata.create_all)
            demo = await seed_demo(database)
            await events.ensure_consumer(database, "metrics-test")
            async with database.write() as session:
                for n in range(3):
                    await outbox.record(session, "product", n + 1, "updated", {})
            return demo

        yield client, client.portal.call(prepare)
        client.portal.call(database.dispose)


def _scrape(client: TestClient) -> dict[Any, float]:
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return _samples(answer.text)


def test_requests_are_counted_by_api_and_status_class(served: tuple[TestClient, DemoResult]) -> None:
    client, demo = served
    plugins = {plugin.type: plugin for plugin in demo.plugins}
    before = _scrape(client)
    checkout = plugins["checkout"]
    assert client.get(f"{checkout.base}/markets", headers={"API-Authorization": checkout.secret}).status_code == 200
    # A refusal by the guard is still the order API's.
    assert client.get(f"{plugins['order'].base}/orders").status_code == 401
    assert (
        client.post("/graphql", json={"query": "{ orders { id } }"}, headers={"Authorization": "Bearer x"}).status_code
        == 401
    )
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/no-such-plugin/x").status_code == 404
    after = _scrape(client)
    assert _requests(after, "checkout", "2xx") == _requests(before, "checkout", "2xx") + 1
    assert _requests(after, "order", "4xx") == _requests(before, "order", "4xx") + 1
    assert _requests(after, "graphql", "4xx") == _requests(before, "graphql", "4xx") + 1
    # /healthz, the scrape before and an unknown plugin.
    assert _requests(after, "other", "2xx") >= _requests(before, "other", "2xx") + 2
    assert _requests(after, "other", "4xx") == _requests(before, "other", "4xx") + 1
    count = ("opencentra_http_request_duration_seconds_count", (("api", "checkout"), ("status_class", "2xx")))
    assert after[count] == before.get(count, 0) + 1


def test_scrape_needs_the_bearer_token(served: tuple[TestClient, DemoResult]) -> None:
    client, _ = served
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200
    # Not a plugin route: /api/metrics is the dispatcher's unknown plugin.
    assert client.get("/api/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


def test_scrape_shows_outbox_lag_pool_and_delivery_failures(served: tuple[TestClient, DemoResult]) -> None:
    client, _ = served
    metrics.DELIVERY_FAILURES.inc()
    samples = _scrape(client)
    assert samples[("opencentra_outbox_lag_events", (("consumer", "metrics-test"),))] == 3
    assert samples[("opencentra_db_pool_connections_max", ())] > 0
    assert ("opencentra_db_pool_connections_in_use", ()) in samples
    assert samples[("opencentra_webhook_delivery_failures_total", ())] >= 1


def test_metrics_are_off_without_a_token(tmp_path: Any) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'off.db'}"))
    with TestClient(app) as client:
        assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


class _Statements(list[str]):
    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.append(statement)


def test_the_middleware_adds_no_statement(served: tuple[TestClient, DemoResult]) -> None:
    _, demo = served
    checkout = next(p for p in demo.plugins if p.type == "checkout")
    counts = []
    for token in (TOKEN, None):
        database = Database.from_url(URL)
        statements = _Statements()
        event.listen(database.engine.sync_engine, "before_cursor_execute", statements)
        app = create_app(Settings(database_url=URL, plugin_cache_seconds=0, metrics_token=token), database=database)
        with TestClient(app) as other:
            answer = other.get(f"{checkout.base}/markets", headers={"API-Authorization": checkout.secret})
            assert answer.status_code == 200
            statements.clear()
            other.get(f"{checkout.base}/markets", headers={"API-Authorization": checkout.secret})
            assert other.portal is not None
            other.portal.call(database.dispose)
        counts.append(len(statements))
    assert counts[0] == counts[1] > 0


async def test_rate_limit_refusals_are_counted() -> None:
    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 429, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def send(_message: Any) -> None:
        return None

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    middleware = metrics.MetricsMiddleware(refuse, paths=(("/graphql", "graphql"),))
    child = metrics.RATE_LIMIT_REFUSALS.labels("graphql")
    before = child._value.get()
    await middleware({"type": "http", "path": "/graphql", "headers": []}, receive, send)
    assert child._value.get() == before + 1


async def test_consumer_lags(db: Database) -> None:
    await events.ensure_consumer(db, "lagging")
    async with db.write() as session:
        recorded = [await outbox.record(session, "product", n + 1, "updated", {}) for n in range(4)]
    ids = [event.id for event in recorded]
    await events.ensure_consumer(db, "late")
    [lagging, late] = await events.consumer_lags(db)
    assert (lagging.consumer, lagging.lag) == ("lagging", 4)
    assert (late.consumer, late.lag) == ("late", 0)
    await events.mark_done(db, "lagging", ids[:3])
    [lagging, _] = await events.consumer_lags(db)
    assert (lagging.position, lagging.lag) == (ids[2], 1)


def test_settings() -> None:
    settings = from_environment({"OPENCENTRA_METRICS_TOKEN": TOKEN, "OPENCENTRA_LOG_FORMAT": "JSON"})
    assert (settings.metrics_token, settings.log_format) == (TOKEN, "json")
    assert TOKEN not in repr(settings)
    with pytest.raises(ValidationFailed):
        from_environment({"OPENCENTRA_METRICS_TOKEN": "short"})
    with pytest.raises(ValidationFailed):
        from_environment({"OPENCENTRA_LOG_FORMAT": "xml"})
