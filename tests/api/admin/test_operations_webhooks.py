"""SYSTEM > Operations: webhook deliveries with their retry state and a retry button, and the GraphQL
rate-limit buckets read from Redis (the same buckets the GraphQL endpoint charges)."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis
from starlette.testclient import TestClient
from tests.api.admin.conftest import Browser
from tests.conftest import ApiHarness
from tests.webhooks.conftest import SERVER_KEY, record_events, webhook_plugin

from opencentra import ratelimit, webhooks
from opencentra.api.graphql.limits import make_store, rate_limit_key
from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database
from opencentra.integration import TokenView, create_token


async def _failed_and_waiting(db: Database, store_id: int) -> tuple[int, int]:
    """Two webhook plugins whose receiver is not there: one gives up at once, one will try again."""
    moment = datetime.now(UTC)
    _, gives_up, _ = await webhook_plugin(db, "http://127.0.0.1:9/gone", store_id=store_id, retries=0)
    _, retries, _ = await webhook_plugin(db, "http://127.0.0.1:9/later", store_id=store_id, retries=3)
    await record_events(db, store_id, 2)
    await webhooks.deliver_due(db, server_key=SERVER_KEY, allow_private=True, now=moment)
    return gives_up, retries


def test_operations_show_webhook_deliveries_and_retry_a_failed_one(
    api: ApiHarness, root: Browser, manager: Browser, admin_world: dict[str, int]
) -> None:
    gives_up, retries = api.call(_failed_and_waiting, admin_world["first"])
    rows = {row.plugin_id: row for row in api.call(webhooks.deliveries)}
    failed, waiting = rows[gives_up], rows[retries]
    assert (failed.status, waiting.status) == (webhooks.DeliveryStatus.FAILED, webhooks.DeliveryStatus.PENDING)

    page = root.get("/ams/system/operations")
    assert page.status_code == 200
    assert f'<tr data-delivery="{failed.id}">' in page.text and f'<tr data-delivery="{waiting.id}">' in page.text
    assert "<td>1 / 1</td>" in page.text and "<td>1 / 4</td>" in page.text  # attempts / at most
    only_failed = root.get("/ams/system/operations", params={"delivery_status": "failed"}).text
    assert f'data-delivery="{failed.id}"' in only_failed and f'data-delivery="{waiting.id}"' not in only_failed
    assert "No webhook deliveries delivered." in root.get("/ams/system/operations?delivery_status=delivered").text
    assert root.get("/ams/system/operations", params={"delivery_status": "<x>"}).status_code == 200

    retry = f"/ams/system/operations/webhooks/{failed.id}/retry"
    assert root.post(retry, csrf=False).status_code == 403
    assert manager.post(retry).status_code == 403
    assert api.call(webhooks.deliveries, status=webhooks.DeliveryStatus.FAILED)[0].id == failed.id
    answer = root.post(retry)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/ams/system/operations?delivery_status=pending&retried=")
    again = next(row for row in api.call(webhooks.deliveries) if row.id == failed.id)
    assert (again.status, again.max_attempts) == (webhooks.DeliveryStatus.PENDING, 2)
    assert f"Delivery {failed.id} is due again." in root.get(answer.headers["location"]).text
    assert root.post("/ams/system/operations/webhooks/999999/retry").status_code == 404
    assert root.post("/ams/system/operations/webhooks/abc/retry").status_code == 404

    # Without Redis the page says why it has no rate-limit figures.
    assert "keeps its own rate-limit buckets in memory" in root.get("/ams/system/operations").text


async def _charge(redis_url: str, key: str, cost: ratelimit.Cost) -> None:
    """Charge ``key`` as the GraphQL endpoint does (its store's plan and ceiling), on a client closed after."""
    graphql = make_store(Settings(database_url="sqlite://", redis_url=redis_url))
    assert isinstance(graphql, ratelimit.RedisRateLimitStore)
    assert graphql.ceiling == ratelimit.ceiling_of(graphql.plan, per_integration=True)
    client = Redis.from_url(redis_url)
    try:
        store = ratelimit.RedisRateLimitStore(client, graphql.plan, ceiling=graphql.ceiling)
        assert (await store.consume(key, cost)).allowed
    finally:
        await client.aclose()


# Big enough that the continuous refill (8,333 complexity points and 0.5 mutations a second in the
# hour's buckets) cannot bring them under the asserted floor in the seconds a test takes.
COST = ratelimit.Cost(complexity=250_000, mutations=20)


def test_the_admin_reads_the_buckets_the_graphql_endpoint_charges(redis_url: str) -> None:
    # A Redis database of its own: every integration also pays into the instance-wide ceiling's
    # short-window buckets, which the GraphQL tests running beside this one charge in database 0.
    redis_url = redis_url.rsplit("/", 1)[0] + "/13"
    name = f"erp-{uuid.uuid4().hex[:10]}"
    settings = Settings(database_url="sqlite://", redis_url=redis_url)
    token = TokenView(id=1, name=name, permissions=frozenset(), store_id=None, expires_at=None, revoked=False)
    assert rate_limit_key(settings, token) == ratelimit.integration_key(name)
    asyncio.run(_charge(redis_url, rate_limit_key(settings, token), COST))

    usage = asyncio.run(
        ratelimit.read_usage("growth", redis_url=redis_url, per_integration=True, integrations=[name, name])
    )
    assert usage is not None
    assert [u.integration for u in usage] == [None, name]
    own = {(str(b.kind), str(b.window)): b for b in usage[1].buckets}
    assert len(own) == 6 and all(b.used + b.remaining == b.quota for b in own.values())
    assert own[("QUERY_COMPLEXITY", "ONE_HOUR")].used >= 100_000
    assert own[("MUTATION_COUNT", "ONE_HOUR")].used >= 10
    assert own[("REQUEST_COUNT", "ONE_HOUR")].quota == 5000
    assert asyncio.run(ratelimit.read_usage("growth", redis_url=None, per_integration=True, integrations=[])) is None
    with pytest.raises(ratelimit.UsageUnavailable):
        asyncio.run(
            ratelimit.read_usage("growth", redis_url="redis://127.0.0.1:9/0", per_integration=True, integrations=[])
        )


def test_the_operations_page_shows_each_integrations_buckets(
    api: ApiHarness, root: Browser, redis_url: str, database_url: str
) -> None:
    name = f"wms-{uuid.uuid4().hex[:10]}"
    api.call(create_token, name=name, permissions=["Order:read"])
    asyncio.run(_charge(redis_url, ratelimit.integration_key(name), COST))
    app = create_app(Settings(database_url=database_url, redis_url=redis_url, plugin_cache_seconds=0), database=api.db)
    # The same database behind an app with Redis; the session comes from the login on the first app
    # (a login here would leave the Redis-backed login throttle's connection open after the test).
    with TestClient(app, base_url="http://testserver") as client:
        client.cookies.update(root.client.cookies)
        answer = client.get("/ams/system/operations", follow_redirects=False)
        assert answer.status_code == 200
        page = answer.text
    assert "Instance (all integrations)" in page
    section = page.split(f"Integration {name}</h3>")[1].split("</table>")[0]
    cells = re.findall(r"<tr><td>(\w+) / (\w+)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", section)
    assert len(cells) == 6
    used = {(kind, window): int(used) for kind, window, _, used in cells}
    assert used[("QUERY_COMPLEXITY", "ONE_HOUR")] >= 100_000
