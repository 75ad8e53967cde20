"""Client and server mode, allowed origins, and CORS preflights."""

from __future__ import annotations

import pytest
from tests.api.checkout.conftest import BASE, ORIGIN, Browser, ShopIds, build_shop
from tests.conftest import ApiHarness


@pytest.fixture
def guarded_shop(api: ApiHarness) -> ShopIds:
    return api.call(build_shop, allowed_origins=(ORIGIN,))


@pytest.mark.usefixtures("wire_only")
def test_origins_and_preflights(api: ApiHarness, guarded_shop: ShopIds) -> None:
    client = api.client
    allowed = client.get(f"{BASE}/selection", headers={"Origin": ORIGIN})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    refused = client.get(f"{BASE}/selection", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 401
    assert refused.json()["errors"] == {"origin": "not allowed"}
    assert "access-control-allow-origin" not in refused.headers

    preflight = client.options(
        f"{BASE}/items/1-1",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "api-token, content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    for secret_header in ("Authorization", "API-Authorization", "content-type, authorization"):
        blocked = client.options(
            f"{BASE}/products",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": secret_header,
            },
        )
        assert blocked.status_code == 403
        assert "access-control-allow-origin" not in blocked.headers
    evil_preflight = client.options(
        f"{BASE}/selection", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert evil_preflight.status_code == 401
    assert "access-control-allow-origin" not in evil_preflight.headers


def test_server_mode_endpoints_need_the_secret(browser: Browser, server: Browser, shop: ShopIds) -> None:
    for method, path in (
        ("GET", "/markets"),
        ("GET", "/pricelists"),
        ("GET", "/countries/all"),
        ("PUT", "/selection"),
        ("PUT", "/selection/" + "0" * 32),
        ("PUT", f"/markets/{shop.markets['Europe']}"),
    ):
        denied = browser.request(method, path, json={})
        assert denied.status_code == 403, (method, path)
        assert denied.json()["errors"] == {"authorization": "this endpoint needs the shared secret (server mode)"}
        assert "token" in denied.json()
    assert browser.post("/products", {"pricelist": "all"}).status_code == 403

    markets = server.get("/markets").json()["markets"]
    assert {m["name"] for m in markets} == {"Nordics", "Europe", "America"}
    assert [m["default"] for m in markets].count(True) == 1
    pricelists = server.get("/pricelists").json()["pricelists"]
    assert {p["currency"]["currency"] for p in pricelists} == {"SEK", "EUR", "USD"}
    everything = server.get("/countries/all").json()["countries"]
    norway = next(c for c in everything if c["country"] == "NO")
    assert norway["shipTo"] is False
    assert {"market", "pricelist"} <= set(everything[0])


def test_server_mode_chooses_market_pricelist_and_language(server: Browser, shop: ShopIds) -> None:
    moved = server.put(
        "/selection", {"market": shop.markets["Europe"], "pricelist": shop.pricelists["USD"], "language": "de"}
    ).json()
    assert moved["authorized"]["market"] == shop.markets["Europe"]
    assert moved["location"]["pricelist"] == shop.pricelists["USD"]
    assert moved["location"]["language"]["language"] == "de"
    assert moved["selection"]["currency"] == "USD"
    uuid = server.post(f"/items/{shop.items['tee-black-S']}").json()["selection"]["selection"]

    # Abandoned-cart recovery: another session binds to the selection by its id.
    recovery = Browser(server.client, headers=server.headers)
    bound = recovery.put(f"/selection/{uuid}").json()
    assert bound["selection"]["items"][0]["item"] == shop.items["tee-black-S"]
    assert recovery.put("/selection/" + "f" * 32).status_code == 404

    # POST /products with an explicit pricelist, and with every pricelist.
    listed = server.post("/products", {"pricelist": shop.pricelists["EUR"], "limit": 1}).json()
    assert listed["products"][0]["price"] == "€20.00"
    every = server.post("/products", {"pricelist": "all", "limit": 1}).json()["products"][0]
    assert "price" not in every
    assert {v["priceAsNumber"] for v in every["prices"].values()} == {200, 20, 25}
    assert server.post("/products", {"market": 999_999}).status_code == 404


@pytest.mark.usefixtures("wire_only")
def test_a_wrong_secret_is_refused_not_downgraded(api: ApiHarness, shop: ShopIds) -> None:
    for headers in ({"Authorization": "Bearer wrong"}, {"API-Authorization": "wrong"}):
        refused = api.client.get(f"{BASE}/markets", headers=headers)
        assert refused.status_code == 401
        assert refused.json()["errors"] == {"authorization": "invalid shared secret"}
    assert api.client.get(f"{BASE}/markets", headers={"API-Authorization": shop.secret}).status_code == 200
