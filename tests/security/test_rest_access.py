"""Every REST route, attacked without credentials and with another store's.

The routes come from the adapters' route tables (``surface.rest_routes``);
each is classified in ``surface.SECRET_ROUTES`` or ``surface.PUBLIC_ROUTES``.
Store A's plugins are the victims, store B's credentials the weapon, and the
other way round. Path parameters name the victim store's real objects, so a
request that got through would act on them.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.security.formats import assert_api_format, body_of, refusal
from tests.security.surface import PUBLIC_ROUTES, SECRET_ROUTES, Access, Route, rest_routes
from tests.security.world import B_ORIGIN, World

from opencentra.integration import services as integration
from opencentra.integration.models import PluginType

ROUTES = rest_routes()
SECRET = [r for r in ROUTES if r.access is Access.SECRET]
SHOPPER = [r for r in ROUTES if r.access is Access.SHOPPER]
OPEN = [r for r in ROUTES if r.access is Access.OPEN]
# What each API answers when the secret is missing or wrong.
NO_SECRET_STATUS = {PluginType.ORDER: 401, PluginType.SHOP: 401, PluginType.SUBSCRIPTION: 401}
# The Checkout API lets a request without a secret through in client mode; a
# server-mode endpoint then refuses it itself.
CHECKOUT_CLIENT_MODE_REFUSAL = 403


def _send(world: World, route: Route, base: str, values: dict[str, object], headers: dict[str, str]) -> Any:
    body: dict[str, Any] | None = {} if route.method in {"POST", "PUT", "DELETE"} else None
    return world.client.request(route.method, base + route.concrete(values), json=body, headers=headers)


def _secret_headers(api: PluginType, secret: str) -> dict[str, str]:
    if api is PluginType.CHECKOUT:
        return {"Authorization": f"Bearer {secret}"}
    return {"API-Authorization": secret}


def test_every_route_is_classified() -> None:
    unclassified = [r.id for r in ROUTES if r.access is None]
    assert not unclassified, (
        "classify these routes in tests/security/surface.py (SECRET_ROUTES or PUBLIC_ROUTES with a reason): "
        + ", ".join(unclassified)
    )
    both = [r.id for r in ROUTES if r.key in SECRET_ROUTES[r.api] and (r.api, r.key) in PUBLIC_ROUTES]
    assert not both, f"classified twice: {both}"
    existing = {(r.api, r.key) for r in ROUTES}
    stale = [f"{api.value} {key}" for api, keys in SECRET_ROUTES.items() for key in keys if (api, key) not in existing]
    stale += [f"{api.value} {key}" for api, key in PUBLIC_ROUTES if (api, key) not in existing]
    assert not stale, f"classified but no longer routed (remove them): {stale}"


def test_the_enumeration_sees_every_api() -> None:
    # Every plugin type that answers requests; a webhook plugin only sends.
    assert {r.api for r in ROUTES} == set(PluginType) - {PluginType.WEBHOOK}
    assert len(SECRET) >= 45 and len(SHOPPER) >= 60


@pytest.mark.parametrize("route", SECRET, ids=lambda r: r.id)
def test_secret_routes_refuse_a_request_without_credentials(world: World, route: Route) -> None:
    for victim in (world.a, world.b):
        plugin = victim.plugins[route.api]
        answer = _send(world, route, plugin.base, victim.path_values(), {})
        if route.api is PluginType.CHECKOUT:
            body = refusal(route.api, answer, CHECKOUT_CLIENT_MODE_REFUSAL)
            assert "authorization" in body["errors"], body
        else:
            refusal(route.api, answer, NO_SECRET_STATUS[route.api])


@pytest.mark.parametrize("route", SECRET + SHOPPER, ids=lambda r: r.id)
def test_another_stores_secret_is_refused(world: World, route: Route) -> None:
    """Store B's key never opens store A's plugin, nor A's key B's (by URI; by permalink in the next test)."""
    for victim in (world.a, world.b):
        attacker = world.other(victim)
        plugin = victim.plugins[route.api]
        headers = _secret_headers(route.api, attacker.plugins[route.api].secret)
        answer = _send(world, route, plugin.base, victim.path_values(), headers)
        body = refusal(route.api, answer, 401)
        if route.api is PluginType.CHECKOUT:
            assert body["errors"] == {"authorization": "invalid shared secret"}, body


# A webhook plugin only sends: nothing answers at its base.
@pytest.mark.parametrize("api", [t for t in PluginType if t is not PluginType.WEBHOOK])
def test_another_stores_secret_is_refused_by_permalink(world: World, api: PluginType) -> None:
    """The permalink ``/api/<uri>/<pluginId>`` runs the same guard: the dispatcher resolves it first."""
    routes = [r for r in SECRET + SHOPPER if r.api is api]
    for victim in (world.a, world.b):
        headers = _secret_headers(api, world.other(victim).plugins[api].secret)
        base = victim.plugins[api].permalink
        if routes:
            answer = _send(world, routes[0], base, victim.path_values(), headers)
        else:  # an API with no routes of its own yet: the guard still answers
            answer = world.client.get(f"{base}/anything", headers=headers)
        refusal(api, answer, 401)


@pytest.mark.parametrize("route", SHOPPER, ids=lambda r: r.id)
def test_shopper_routes_answer_client_mode_in_the_checkout_format(world: World, route: Route) -> None:
    """Open by design (PUBLIC_ROUTES says why): no server-mode refusal, no 5xx, the API's own shape."""
    answer = _send(world, route, world.a.plugins[route.api].base, world.a.path_values(), {})
    assert_api_format(route.api, answer)
    body = body_of(answer)
    assert not (answer.status_code in {401, 403} and "authorization" in body.get("errors", {})), (
        f"{route.id} refuses client mode: classify it in SECRET_ROUTES instead ({body})"
    )
    assert isinstance(body.get("token"), str), body


@pytest.mark.parametrize("route", SHOPPER, ids=lambda r: r.id)
def test_client_mode_refuses_an_origin_the_plugin_does_not_allow(world: World, route: Route) -> None:
    plugin = world.b.plugins[PluginType.CHECKOUT]
    answer = _send(world, route, plugin.base, world.b.path_values(), {"Origin": "https://evil.example"})
    body = refusal(route.api, answer, 401)
    assert body["errors"] == {"origin": "not allowed"}, body
    allowed = _send(world, route, plugin.base, world.b.path_values(), {"Origin": B_ORIGIN})
    assert allowed.status_code != 401, allowed.text
    assert allowed.headers.get("access-control-allow-origin") == B_ORIGIN


@pytest.mark.parametrize("route", OPEN, ids=lambda r: r.id)
def test_open_routes_need_nothing_and_say_nothing_of_the_store(world: World, route: Route) -> None:
    answer = _send(world, route, world.a.plugins[route.api].base, {}, {})
    assert answer.status_code == 200, answer.text
    assert world.a.name not in answer.text and world.a.email not in answer.text


@pytest.mark.parametrize("api", [PluginType.ORDER, PluginType.SHOP, PluginType.SUBSCRIPTION])
def test_guards_run_before_routing(world: World, api: PluginType) -> None:
    """An unknown path without a key is refused like a known one: no map of what exists."""
    for path in ("/no-such-endpoint", "/orders%2F..%2F..%2F..%2Fhealthz", "/openapi.json/x"):
        refusal(api, world.client.get(world.a.plugins[api].base + path), NO_SECRET_STATUS[api])
        wrong = world.client.get(
            world.a.plugins[api].base + path, headers=_secret_headers(api, world.b.plugins[api].secret)
        )
        refusal(api, wrong, 401)


def test_the_secret_is_never_taken_from_the_wrong_place(world: World) -> None:
    """The Order and Shop APIs take their own key in ``API-Authorization`` only: no Bearer, no query string,
    no cookie, no near miss, and no other credential of the same store."""
    for api in (PluginType.ORDER, PluginType.SHOP):
        plugin = world.a.plugins[api]
        secret = plugin.secret
        path = plugin.base + ("/orders" if api is PluginType.ORDER else "/anything")
        for kwargs in (
            {"headers": {"Authorization": f"Bearer {secret}"}},
            {"params": {"secret": secret}},
            {"params": {"api-authorization": secret}},
            {"headers": {"Cookie": f"API-Authorization={secret}"}},
            {"headers": {"API-Authorization": secret[:-1]}},
            {"headers": {"API-Authorization": secret + secret}},
            {"headers": {"API-Authorization": secret.upper() if secret != secret.upper() else secret.lower()}},
            {"headers": {"API-Authorization": world.admin_token}},  # a GraphQL token is no plugin key
            {"headers": {"API-Authorization": world.a.plugins[PluginType.CHECKOUT].secret}},  # nor another plugin's
        ):
            refusal(api, world.client.get(path, **kwargs), 401)


def test_a_permalink_never_crosses_stores(world: World) -> None:
    """``/api/<A's uri>/<B's plugin id>`` is no plugin at all: both parts must match."""
    a_order = world.a.plugins[PluginType.ORDER]
    b_order = world.b.plugins[PluginType.ORDER]
    for secret in (a_order.secret, b_order.secret):
        answer = world.client.get(f"{a_order.base}/{b_order.id}/orders", headers={"API-Authorization": secret})
        assert answer.status_code == 404, answer.text
        assert body_of(answer)["errors"] == {"api": "not found"}


def test_a_plugin_sharing_another_stores_uri_sees_only_its_own_store(world: World) -> None:
    """Several plugins may share a URI (Centra); the permalink picks one, and its key opens only it."""
    a_order = world.a.plugins[PluginType.ORDER]
    twin, secret = world.call(
        integration.create_plugin, store_id=world.b.id, plugin_type=PluginType.ORDER, uri=a_order.uri
    )
    # The URI alone answers as store A's plugin (the lowest id), which B's twin key does not open.
    refusal(PluginType.ORDER, world.client.get(f"{a_order.base}/orders", headers={"API-Authorization": secret}), 401)
    own = world.client.get(f"{a_order.base}/{twin.id}/orders", headers={"API-Authorization": secret})
    assert own.status_code == 200, own.text
    numbers = {int(order["orderId"]) for order in body_of(own)["orders"]}
    assert numbers == set(world.b.order_numbers)
    stolen = world.client.get(f"{a_order.base}/{twin.id}/orders", headers={"API-Authorization": a_order.secret})
    refusal(PluginType.ORDER, stolen, 401)


def test_an_order_api_key_reaches_only_its_own_stores_objects(world: World) -> None:
    """With its own valid key, store B's plugin cannot read or change store A's orders, shipments or customers."""
    plugin = world.b.plugins[PluginType.ORDER]
    headers = {"API-Authorization": plugin.secret}
    a_order, a_shipment = world.a.order_numbers[1], world.a.shipment_ids[1]
    listed = body_of(world.client.get(f"{plugin.base}/orders", headers=headers))
    assert {int(o["orderId"]) for o in listed["orders"]} == set(world.b.order_numbers)
    one = body_of(world.client.get(f"{plugin.base}/orders", params={"order": a_order}, headers=headers))
    assert one.get("orders", []) == [], one
    for method, path, body in (
        ("PUT", "/orders", {"order": a_order, "internalComment": "pwned"}),
        ("GET", f"/shipments/{a_shipment}", None),
        ("PUT", f"/shipments/{a_shipment}", {"gtg": True}),
        ("DELETE", f"/shipments/{a_shipment}", None),
        ("GET", f"/documents/{a_shipment}/invoice", None),
        ("PUT", "/capture", {"shipment": a_shipment}),
        ("PUT", f"/returns/{world.a.return_ids[0]}", {}),
        ("GET", f"/customers/{world.a.customer_ids[0]}", None),
        ("PUT", f"/customers/{world.a.customer_ids[0]}", {"firstName": "pwned"}),
        ("PUT", f"/anonymize-customer/{world.a.customer_ids[0]}", {}),
    ):
        answer = world.client.request(method, plugin.base + path, json=body, headers=headers)
        assert_api_format(PluginType.ORDER, answer)
        verdict = body_of(answer)
        assert verdict["status"] == "no", f"{method} {path}: {verdict}"
    customers = body_of(world.client.get(f"{plugin.base}/customers", headers=headers))
    assert world.a.email not in str(customers)
    # Store A's data is as it was.
    a_headers = {"API-Authorization": world.a.plugins[PluginType.ORDER].secret}
    mine = body_of(world.client.get(f"{world.a.plugins[PluginType.ORDER].base}/orders", headers=a_headers))
    assert "pwned" not in str(mine)
    assert {int(o["orderId"]) for o in mine["orders"]} >= set(world.a.order_numbers)


def test_a_checkout_session_belongs_to_its_store(world: World) -> None:
    """A shopper's token from store B's storefront opens nothing in store A's: A makes a new session."""
    b_checkout = world.b.plugins[PluginType.CHECKOUT]
    a_checkout = world.a.plugins[PluginType.CHECKOUT]
    added = world.client.post(f"{b_checkout.base}/items/{world.b.item}", headers={"Origin": B_ORIGIN})
    assert added.status_code == 200, added.text
    token = body_of(added)["token"]
    seen = body_of(world.client.get(f"{a_checkout.base}/selection", headers={"API-Token": token}))
    assert seen["token"] != token
    assert seen["items"] == [] if "items" in seen else seen["selection"].get("items", []) == []
    # And a store's catalogue does not sell another store's items.
    foreign = world.client.post(f"{a_checkout.base}/items/{world.b.item}", headers={"API-Token": seen["token"]})
    assert foreign.status_code in {404, 406}, foreign.text
    assert_api_format(PluginType.CHECKOUT, foreign)
    product = world.client.get(f"{a_checkout.base}/products/{world.b.display_item}")
    refusal(PluginType.CHECKOUT, product, 404)


def test_pricelist_all_needs_server_mode(world: World) -> None:
    base = world.a.plugins[PluginType.CHECKOUT].base
    body = refusal(PluginType.CHECKOUT, world.client.post(f"{base}/products", json={"pricelist": "all"}), 403)
    assert "pricelist" in body["errors"]
    server = world.client.post(
        f"{base}/products",
        json={"pricelist": "all", "limit": 1},
        headers={"API-Authorization": world.a.plugins[PluginType.CHECKOUT].secret},
    )
    assert server.status_code == 200, server.text


def test_a_browser_preflight_may_not_carry_the_secret(world: World) -> None:
    base = world.a.plugins[PluginType.CHECKOUT].base
    for header in ("Authorization", "API-Authorization", "content-type, authorization"):
        answer = world.client.options(
            f"{base}/selection",
            headers={
                "Origin": "https://shop.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": header,
            },
        )
        refusal(PluginType.CHECKOUT, answer, 403)
        assert "access-control-allow-origin" not in answer.headers


def test_revoked_and_rotated_keys_stop_working(world: World) -> None:
    """A fresh plugin: its key works, a rotation retires it, a revocation leaves no key at all."""
    plugin, secret = world.call(
        integration.create_plugin, store_id=world.a.id, plugin_type=PluginType.ORDER, uri="rotation-probe"
    )
    url = "/api/rotation-probe/orders"
    assert world.client.get(url, headers={"API-Authorization": secret}).status_code == 200
    rotated = world.call(integration.rotate_plugin_secret, plugin.id)
    refusal(PluginType.ORDER, world.client.get(url, headers={"API-Authorization": secret}), 401)
    assert world.client.get(url, headers={"API-Authorization": rotated.secret}).status_code == 200
    world.call(integration.revoke_plugin_secret, plugin.id)
    refusal(PluginType.ORDER, world.client.get(url, headers={"API-Authorization": rotated.secret}), 401)
    refusal(PluginType.ORDER, world.client.get(url, headers={"API-Authorization": ""}), 401)
