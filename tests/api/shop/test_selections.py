"""Shop API selections by id over HTTP: a whole cart, the flat shape, and bad input."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.api.checkout.conftest import CHECKOUT_ADDRESS
from tests.api.graphql.gqlkit import GraphQLClient
from tests.api.shop.conftest import ShopApiWorld, ShopClient
from tests.conftest import ApiHarness

from opencentra.integration import services as integration
from opencentra.stores import services as stores

PAY = {
    "paymentMethod": "test-redirect",
    "paymentReturnPage": "https://shop.example/return",
    "paymentFailedPage": "https://shop.example/failed",
    "termsAndConditions": True,
    "address": dict(CHECKOUT_ADDRESS),
}


def _create(shop_api: ShopClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    created = shop_api.post("/selections", body if body is not None else {"country": "SE"})
    assert created.status_code == 201, created.text
    selection: dict[str, Any] = created.json()
    return selection


def test_a_whole_cart_by_selection_id(api: ApiHarness, shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    ids = shop_world.ids
    created = _create(shop_api)
    selection = created["selection"]
    assert len(selection) == 32
    # Flat: no token, no wrapper; methods keyed by id.
    assert "token" not in created
    assert created["country"] == "SE"
    assert created["market"] == str(ids.markets["Nordics"])
    assert created["pricelist"] == str(ids.pricelists["SEK"])
    assert created["currency"] == "SEK"
    assert set(created["shippingMethodsAvailable"]) == {"standard", "express"}
    assert created["shippingMethodsAvailable"]["standard"]["priceAsNumber"] == 50
    assert "test-redirect" in created["paymentMethodsAvailable"]
    assert created["items"] == []
    pretty = shop_api.get(f"/selections/{selection}?pretty")
    assert pretty.text.startswith('{\n  "selection"') and pretty.json()["selection"] == selection

    added = shop_api.post(f"/selections/{selection}/items/{ids.items['jeans-blue-M']}", {"productUrl": "/jeans"})
    assert added.status_code == 201, added.text
    body = added.json()
    line = body["line"]
    assert [(i["line"], i["quantity"], i["product"]) for i in body["items"]] == [
        (line, 1, str(ids.products["jeans-blue"]))
    ]
    item = body["items"][0]
    assert item["productName"] == "Grön Jeans"
    assert item["brandName"] == "Northbound"
    assert item["silkVariant"] == str(ids.variants["jeans-blue"])
    assert item["priceEachAsNumber"] == 800

    more = shop_api.put(f"/selections/{selection}/lines/{line}/quantity/2")
    assert more.status_code == 200, more.text
    assert more.json()["totals"]["itemsTotalPriceAsNumber"] == 1600

    voucher = shop_api.post(f"/selections/{selection}/vouchers", {"voucher": "WELCOME10"})
    assert voucher.status_code == 200, voucher.text
    cart = voucher.json()
    assert set(cart["discounts"]["vouchers"]) == {"WELCOME10"}
    assert cart["totals"]["totalDiscountPriceAsNumber"] == -160
    # Over 1000 SEK, standard shipping is free.
    assert cart["totals"]["grandTotalPriceAsNumber"] == 1440

    moved = shop_api.put(f"/selections/{selection}/countries/DK", {"language": "en"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["country"], moved.json()["language"]) == ("DK", "en")
    fields = shop_api.put(f"/selections/{selection}/checkout-fields", {"address": {"firstName": "Ada"}})
    assert fields.json()["address"]["firstName"] == "Ada"

    started = shop_api.post(f"/selections/{selection}/payment", PAY)
    assert started.status_code == 200, started.text
    assert started.json()["action"] == "redirect"
    returned = dict(parse_qsl(urlsplit(started.json()["url"]).query))
    answers = [
        shop_api.post(f"/selections/{selection}/payment-result", {"paymentMethodFields": returned}) for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [200, 200], answers[0].text
    orders = [a.json() for a in answers]
    assert orders[0]["order"] == orders[1]["order"]
    order = orders[0]
    assert order["selection"] == selection
    assert order["totals"]["grandTotalPriceAsNumber"] == 1440
    assert order["address"]["email"] == "shopper@example.com"
    assert "token" not in order

    receipt = shop_api.get(f"/selections/{selection}/receipt")
    assert receipt.status_code == 200, receipt.text
    assert receipt.json()["order"] == order["order"]
    # An order is no longer a selection: reading or changing it is "not found".
    assert shop_api.get(f"/selections/{selection}").json() == {"errors": {"selection": "not found"}}
    again = shop_api.post(f"/selections/{selection}/items/{ids.items['jeans-blue-M']}")
    assert (again.status_code, again.json()) == (404, {"errors": {"selection": "not found"}})

    # The order is the store's like any other: the Order API lists it.
    plugin, secret = api.call(
        lambda db: integration.create_plugin(db, store_id=ids.store, plugin_type="order", uri="wms", settings={})
    )
    listed = api.client.get(f"{plugin.base}/orders", headers={"API-Authorization": secret})
    assert listed.status_code == 200, listed.text
    assert order["order"] in listed.text
    # ... and so does the GraphQL Integration API, with the same total.
    found = GraphQLClient(api).query("{ orders { number grandTotal { value } } }")["data"]["orders"]
    assert [(str(o["number"]), o["grandTotal"]["value"]) for o in found] == [(order["order"], 1440)]


def test_the_checkout_api_rules_hold_by_selection_id(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    """Location moves, campaigns, line changes and vouchers are the storefront's, not the adapter's."""
    ids = shop_world.ids
    selection = _create(shop_api, {})["selection"]
    scarf = shop_api.post(f"/selections/{selection}/items/{ids.items['scarf-print-One Size']}/quantity/3")
    assert scarf.status_code == 201, scarf.text
    line = scarf.json()["line"]
    # The default market is the Nordics: the scarf is on campaign there (20% off 100 SEK).
    assert scarf.json()["items"][0]["campaign"]["discountAsNumber"] == 20
    assert scarf.json()["totals"]["itemsTotalPriceAsNumber"] == 240
    assert shop_api.delete(f"/selections/{selection}/lines/{line}/quantity/1").json()["items"][0]["quantity"] == 2
    assert shop_api.post(f"/selections/{selection}/lines/{line}/quantity/2").json()["items"][0]["quantity"] == 4

    # Moving to Germany: euro pricelist, Europe market, no campaign.
    moved = shop_api.put(f"/selections/{selection}", {"country": "DE"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["currency"], moved.json()["market"]) == ("EUR", str(ids.markets["Europe"]))
    assert moved.json()["totals"]["itemsTotalPriceAsNumber"] == 40
    assert shop_api.put(f"/selections/{selection}/markets/{ids.markets['Nordics']}").json()["market"] == str(
        ids.markets["Nordics"]
    )
    assert shop_api.put(f"/selections/{selection}/languages/de").json()["language"] == "de"
    shipping = shop_api.put(f"/selections/{selection}/shipping-methods/nope")
    assert (shipping.status_code, shipping.json()) == (404, {"errors": {"shippingMethod": "not found"}})

    assert shop_api.post(f"/selections/{selection}/vouchers", {"voucher": "NOPE"}).status_code == 404
    assert shop_api.post(f"/selections/{selection}/vouchers", {"voucher": "FREESHIP"}).status_code == 200
    removed = shop_api.delete(f"/selections/{selection}/vouchers/FREESHIP")
    assert removed.status_code == 200, removed.text
    assert removed.json()["discounts"]["vouchers"] == {}
    gone = shop_api.delete(f"/selections/{selection}/lines/{line}")
    assert gone.json()["items"] == []


def test_bad_input_is_refused_in_the_shop_api_shape(
    api: ApiHarness, shop_world: ShopApiWorld, shop_api: ShopClient
) -> None:
    ids = shop_world.ids
    selection = _create(shop_api)["selection"]
    item = ids.items["tee-black-M"]

    missing = shop_api.get("/selections/" + "0" * 32)
    assert (missing.status_code, missing.json()) == (404, {"errors": {"selection": "not found"}})
    assert shop_api.get("/selections/not-an-id").json() == {"errors": {"selection": "not found"}}
    wrong_key = shop_api.get(f"/selections/{selection}", headers={"API-Authorization": "wrong"})
    assert wrong_key.status_code == 401

    unknown = shop_api.post(f"/selections/{selection}/items/{item}", {"hello": 1})
    assert (unknown.status_code, unknown.json()) == (400, {"errors": {"hello": "unknown"}})
    assert shop_api.post("/selections", {"country": "SE", "currency": "SEK"}).json() == {
        "errors": {"currency": "unknown"}
    }
    malformed = shop_api.post(f"/selections/{selection}/vouchers", content=b"{", headers={"content-type": "x"})
    assert malformed.status_code == 400
    typed = shop_api.post(f"/selections/{selection}/items/{item}", {"subscriptionPlan": [1]})
    assert typed.status_code == 400 and set(typed.json()["errors"]) == {"subscriptionPlan"}
    nested = shop_api.put(f"/selections/{selection}/checkout-fields", {"address": {"fax": "1"}})
    assert nested.json() == {"errors": {"address.fax": "unknown"}}
    assert shop_api.post(f"/selections/{selection}/items/{item}/quantity/1_000").status_code == 406
    assert shop_api.post(f"/selections/{selection}/items/999999-1").status_code == 404
    assert shop_api.put(f"/selections/{selection}/countries/XX").json() == {"errors": {"country": "country not found"}}

    # Nothing was half-written: the selection is as it was made.
    unchanged = shop_api.get(f"/selections/{selection}").json()
    assert (unchanged["items"], unchanged["country"], unchanged["discounts"]["vouchers"]) == ([], "SE", {})

    # Another store's selection is not found through this store's plugin.
    other = api.call(_second_store_plugin)
    foreign = api.client.get(f"/api/other/selections/{selection}", headers={"API-Authorization": other})
    assert (foreign.status_code, foreign.json()) == (404, {"errors": {"selection": "not found"}})


async def _second_store_plugin(db: Any) -> str:
    store = await stores.create_store(db, "Other Shop")
    _plugin, secret = await integration.create_plugin(db, store_id=store.id, plugin_type="shop", uri="other")
    return secret


def test_gift_certificates_and_subscription_plans_by_selection_id(
    api: ApiHarness, shop_world: ShopApiWorld, shop_api: ShopClient
) -> None:
    selection = _create(shop_api)["selection"]
    unknown = shop_api.post(f"/selections/{selection}/gift-certificates/nope")
    assert (unknown.status_code, list(unknown.json()["errors"])) == (404, ["giftCertificate"])
    plan = shop_api.post(
        f"/selections/{selection}/items/{shop_world.ids.items['tee-black-M']}", {"subscriptionPlan": "999"}
    )
    assert (plan.status_code, plan.json()) == (404, {"errors": {"subscriptionPlan": "not found"}})
    added = shop_api.post(f"/selections/{selection}/items/{shop_world.ids.items['tee-black-M']}")
    line = added.json()["line"]
    assert shop_api.put(f"/selections/{selection}/lines/{line}/subscription-plan/999").status_code == 404
    cleared = shop_api.delete(f"/selections/{selection}/lines/{line}/subscription-plan")
    assert cleared.status_code == 200, cleared.text
