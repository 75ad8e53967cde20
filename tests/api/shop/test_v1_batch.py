"""Shop API v1: the list of operations with their help, ``<base>/v1/...``, and batch requests."""

from __future__ import annotations

from tests.api.shop.conftest import ShopApiWorld, ShopClient


def test_the_operations_list_their_help(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    listed = shop_api.get("/v1")
    assert listed.status_code == 200, listed.text
    operations = listed.json()["operations"]
    assert shop_api.get("/").json() == listed.json()
    pairs = {(o["method"], o["uri"]) for o in operations}
    for expected in (
        ("GET", "products"),
        ("POST", "products/filter"),
        ("POST", "selections"),
        ("POST", "selections/{selection}/payment"),
        ("POST", "customers/{email}/login"),
        ("PUT", "customers/{email}/orders/{order}/shipping-address"),
        ("POST", "back-in-stock-subscription"),
    ):
        assert expected in pairs
    assert all(o["helpUri"] == f"http://testserver/api/shop/v1/help/{o['uri']}" for o in operations)
    assert not any(o["uri"].startswith("v1/") or o["uri"] == "openapi.json" for o in operations)

    help_uri = "/v1/help/customers/{email}/orders/{order}/shipping-address"
    helped = shop_api.get(help_uri)
    assert helped.status_code == 200, helped.text
    (operation,) = helped.json()["operations"]
    assert operation["method"] == "PUT"
    assert {p["name"] for p in operation["parameters"]} == {"email", "order"}
    assert shop_api.get("/v1/help/no/such/thing").json() == {"errors": {"uri": "not found"}}
    # Without the key, even the list is refused.
    assert shop_api.get("/v1", headers={"API-Authorization": "wrong"}).status_code == 401


def test_v1_paths_are_the_same_operations(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    assert shop_api.get("/v1/product-ids").json() == shop_api.get("/product-ids").json()
    created = shop_api.post("/v1/selections", {"country": "SE"})
    assert created.status_code == 201, created.text
    selection = created.json()["selection"]
    assert shop_api.get(f"/v1/selections/{selection}").json()["selection"] == selection
    unknown = shop_api.post("/v1/selections", {"country": "SE", "hello": "world"})
    assert (unknown.status_code, unknown.json()) == (400, {"errors": {"hello": "unknown"}})
    assert shop_api.get("/v1/nothing-here").status_code == 404
    assert shop_api.get("/v1/v1/product-ids").json() == {"errors": {"endpoint": "not found"}}


def test_a_batch_runs_in_order_resolves_references_and_stops_at_the_first_error(
    shop_world: ShopApiWorld, shop_api: ShopClient
) -> None:
    item = shop_world.ids.items["tee-black-M"]
    answer = shop_api.post(
        "",
        {
            "first": {"method": "POST", "uri": "selections", "request": {"country": "se"}},
            "second": {"method": "POST", "uri": ["selections", {"previousResponse": "first:selection"}, "items", item]},
            "third": {
                "method": "PUT",
                "uri": ["selections", {"previousResponse": "first:selection"}, "lines",
                        {"previousResponse": "second:line"}, "quantity", 3],
            },
            "fourth": {
                "method": "post",
                "uri": "selections/" + "0" * 32 + "/vouchers",
                "request": {"voucher": {"previousResponse": "first:nothing", "default": "NOPE"}},
            },
            "fifth": {"method": "GET", "uri": "product-ids"},
        },
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert list(body) == ["first", "second", "third", "fourth"]
    assert body["first"]["httpCode"] == 201 and body["first"]["httpHeader"] == "HTTP/1.1 201 Created"
    selection = body["first"]["response"]["selection"]
    assert body["second"]["httpCode"] == 201
    assert body["second"]["response"]["selection"] == selection
    assert body["third"]["httpCode"] == 200
    assert body["third"]["response"]["items"][0]["quantity"] == 3
    assert body["fourth"] == {
        "httpCode": 404,
        "httpHeader": "HTTP/1.1 404 Not Found",
        "response": {"errors": {"selection": "not found"}},
    }
    assert shop_api.get(f"/selections/{selection}").json()["items"][0]["quantity"] == 3

    missing = shop_api.post("/", {"a": {"uri": ["selections", {"previousResponse": "a:selection"}]}})
    assert missing.json() == {
        "a": {
            "httpCode": 400,
            "httpHeader": "HTTP/1.1 400 Bad Request",
            "response": {"errors": {"previousResponse": "not found: a:selection"}},
        }
    }


def test_a_malformed_batch_is_refused_whole(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    cases = [
        ([], {"request": "a batch is an object of named operations"}),
        ({"a": {"method": "GET", "uri": "brands", "hello": 1}}, {"a.hello": "unknown"}),
        ({"a": {"method": "PATCH", "uri": "brands"}}, {"a.method": "must be one of GET, POST, PUT, DELETE"}),
        ({"a": {"method": "GET"}}, {"a.uri": "required"}),
        ({"a": "GET brands"}, {"a": "an operation is an object {method, uri, request}"}),
    ]
    for body, errors in cases:
        answer = shop_api.post("/", body)
        assert (answer.status_code, answer.json()) == (400, {"errors": errors}), body
    malformed = shop_api.post("/", content=b"{", headers={"Content-Type": "application/json"})
    assert (malformed.status_code, malformed.json()) == (400, {"errors": {"request": "malformed JSON"}})
    nested = shop_api.post("/", {"a": {"method": "POST", "uri": "", "request": {"b": {"uri": "brands"}}}})
    assert nested.json()["a"]["httpCode"] == 400
    assert nested.json()["a"]["response"] == {"errors": {"request": "a batch cannot run inside a batch"}}
    via_v1 = shop_api.post("/", {"a": {"method": "POST", "uri": "v1", "request": {"b": {"uri": "brands"}}}})
    assert via_v1.json()["a"]["httpCode"] == 400
