"""Plugin routing, authentication per API and the domain-to-wire error mapping."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import ApiHarness
from tests.helpers import make_store

from opencentra.api.dispatch import PluginCache
from opencentra.db.engine import Database
from opencentra.integration import services
from opencentra.integration.services import PluginView


def _plugin(api: ApiHarness, plugin_type: str, uri: str, **kwargs: Any) -> tuple[PluginView, str]:
    store_id = api.call(make_store, name=f"store-{uri}")
    return api.call(services.create_plugin, store_id=store_id, plugin_type=plugin_type, uri=uri, **kwargs)


def test_healthz_reports_database(api: ApiHarness) -> None:
    response = api.client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] in {"sqlite", "postgresql"}


def test_correlation_id_is_echoed_or_made(api: ApiHarness) -> None:
    echoed = api.client.get("/healthz", headers={"X-Correlation-ID": "abc-123"})
    assert echoed.headers["x-correlation-id"] == "abc-123"
    made = api.client.get("/healthz")
    assert len(made.headers["x-correlation-id"]) == 32
    unsafe = api.client.get("/healthz", headers={"X-Correlation-ID": "bad value\twith tab"})
    assert unsafe.headers["x-correlation-id"] != "bad value\twith tab"
    # Plugin routes carry it too, including refusals.
    refused = api.client.get("/api/nothing-here/orders", headers={"X-Correlation-ID": "r-1"})
    assert refused.headers["x-correlation-id"] == "r-1"


def test_unknown_uri_is_404(api: ApiHarness) -> None:
    response = api.client.get("/api/no-such-plugin/orders")
    assert response.status_code == 404
    assert response.json()["errors"] == {"api": "not found"}


def test_order_api_authentication(api: ApiHarness) -> None:
    plugin, secret = _plugin(api, "order", "order-api")
    _other, other_secret = _plugin(api, "order", "other-order-api")

    missing = api.client.get("/api/order-api/orders")
    assert missing.status_code == 401
    assert missing.json()["status"] == "no"

    wrong = api.client.get("/api/order-api/orders", headers={"API-Authorization": secret + "x"})
    assert wrong.status_code == 401

    other_plugins_key = api.client.get("/api/order-api/orders", headers={"API-Authorization": other_secret})
    assert other_plugins_key.status_code == 401

    # The Order API takes no Bearer form.
    bearer = api.client.get("/api/order-api/orders", headers={"Authorization": f"Bearer {secret}"})
    assert bearer.status_code == 401

    # The right key passes authentication; the route itself comes with the
    # Order API issue, so here it is the Order API's own 404 envelope.
    right = api.client.get("/api/order-api/no-such-endpoint", headers={"API-Authorization": secret})
    assert right.status_code == 404
    assert right.json() == {"status": "no", "msg": "Unknown endpoint"}

    issued = api.call(services.rotate_plugin_secret, plugin.id)
    revoked = api.client.get("/api/order-api/x", headers={"API-Authorization": secret})
    assert revoked.status_code == 401
    assert api.client.get("/api/order-api/x", headers={"API-Authorization": issued.secret}).status_code == 404

    api.call(services.revoke_plugin_secret, plugin.id)
    assert api.client.get("/api/order-api/x", headers={"API-Authorization": issued.secret}).status_code == 401


def test_permalink_and_trailing_segments(api: ApiHarness) -> None:
    plugin, secret = _plugin(api, "order", "wms")
    headers = {"API-Authorization": secret}
    assert api.client.get(f"/api/wms/{plugin.id}/nothing", headers=headers).json()["msg"] == "Unknown endpoint"
    # A plugin id that is not this URI's is not found at all.
    assert api.client.get("/api/wms/99999/nothing", headers=headers).json()["errors"] == {"api": "not found"}
    # The adapter's OpenAPI document is public and relative to the plugin base.
    openapi = api.client.get("/api/wms/openapi.json")
    assert openapi.status_code == 200
    assert openapi.json()["info"]["title"] == "OpenCentra Order API"


def test_inactive_plugin_is_404_in_its_own_format(api: ApiHarness) -> None:
    _order, order_secret = _plugin(api, "order", "sleepy-order", active=False)
    response = api.client.get("/api/sleepy-order/orders", headers={"API-Authorization": order_secret})
    assert response.status_code == 404
    assert response.json()["status"] == "no"

    _checkout, _checkout_secret = _plugin(api, "checkout", "sleepy-checkout", active=False)
    response = api.client.get("/api/sleepy-checkout/selection")
    assert response.status_code == 404
    assert "errors" in response.json()


def test_checkout_modes(api: ApiHarness) -> None:
    _plugin_view, secret = _plugin(api, "checkout", "checkout", settings={"allowed_origins": ["https://shop.example"]})
    # Server mode: both header forms, and a wrong secret is refused.
    for headers in (
        {"Authorization": f"Bearer {secret}"},
        {"API-Authorization": secret},
        {"authorization": f"bearer {secret}"},
    ):
        assert api.client.get("/api/checkout/no-such", headers=headers).status_code == 404
    wrong = api.client.get("/api/checkout/no-such", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json()["errors"] == {"authorization": "invalid shared secret"}
    # Client mode: the origin must be allowed.
    assert api.client.get("/api/checkout/no-such", headers={"Origin": "https://shop.example"}).status_code == 404
    evil = api.client.get("/api/checkout/no-such", headers={"Origin": "https://evil.example"})
    assert evil.status_code == 401
    assert evil.json()["errors"] == {"origin": "not allowed"}


def test_checkout_empty_allowed_origins_allows_all(api: ApiHarness) -> None:
    _plugin(api, "checkout", "open-checkout")
    response = api.client.get("/api/open-checkout/no-such", headers={"Origin": "https://anything.example"})
    assert response.status_code == 404
    assert response.json()["errors"] == {"endpoint": "not found"}


@pytest.mark.parametrize(
    ("plugin_type", "uri"),
    [("shop", "shop-api"), ("subscription", "subscription-api")],
)
def test_shop_and_subscription_need_the_secret(api: ApiHarness, plugin_type: str, uri: str) -> None:
    _plugin_view, secret = _plugin(api, plugin_type, uri)
    assert api.client.get(f"/api/{uri}/x").status_code == 401
    assert api.client.get(f"/api/{uri}/x", headers={"API-Authorization": "nope"}).status_code == 401
    assert api.client.get(f"/api/{uri}/x", headers={"API-Authorization": secret}).status_code == 404


def test_subscription_accepts_secret_query_parameter(api: ApiHarness) -> None:
    _plugin_view, secret = _plugin(api, "subscription", "subs")
    assert api.client.get("/api/subs/x", params={"secret": secret}).status_code == 404
    assert api.client.get("/api/subs/x", params={"secret": "wrong"}).status_code == 401


async def test_plugin_cache_expires(db: Database) -> None:
    store_id = await make_store(db)
    plugin, _ = await services.create_plugin(db, store_id=store_id, plugin_type="order", uri="cached")
    now = [100.0]
    cache = PluginCache(ttl=1.0, clock=lambda: now[0])
    first = await cache.get(db, "cached", None)
    await services.rotate_plugin_secret(db, plugin.id)
    assert await cache.get(db, "CACHED", None) is first  # within the TTL: the cached view
    now[0] += 1.01
    refreshed = await cache.get(db, "cached", None)
    assert refreshed is not None and refreshed.secret_hash != first.secret_hash  # type: ignore[union-attr]
    assert await PluginCache(ttl=0).get(db, "nothing", None) is None
