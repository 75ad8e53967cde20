"""Items, lines, quantities, bulk changes, location, methods and vouchers."""

from __future__ import annotations

import pytest
from tests.api.checkout.conftest import Browser, ShopIds, build_shop
from tests.conftest import ApiHarness

from opencentra.stores.models import OversellingMode


def test_items_and_lines(browser: Browser, shop: ShopIds) -> None:
    small, large = shop.items["tee-black-S"], shop.items["tee-black-L"]
    assert browser.post(f"/items/{small}").json()["selection"]["items"][0]["quantity"] == 1
    body = browser.post(f"/items/{small}/quantity/2").json()["selection"]
    assert [i["quantity"] for i in body["items"]] == [3]
    line = body["items"][0]["line"]
    # The same item with a comment is a line of its own.
    commented = browser.post(f"/items/{small}", {"comment": "gift wrap"}).json()["selection"]["items"]
    assert len(commented) == 2
    assert commented[1]["comment"] == "gift wrap"
    assert browser.post(f"/lines/{line}").json()["selection"]["items"][0]["quantity"] == 4
    assert browser.post(f"/lines/{line}/quantity/3").json()["selection"]["items"][0]["quantity"] == 7
    assert browser.delete(f"/lines/{line}/quantity/2").json()["selection"]["items"][0]["quantity"] == 5
    assert browser.put(f"/lines/{line}/quantity/1").json()["selection"]["totals"]["totalQuantity"] == 2
    gone = browser.delete(f"/lines/{commented[1]['line']}").json()["selection"]
    assert [i["line"] for i in gone["items"]] == [line]
    assert browser.put(f"/lines/{line}/quantity/0").json()["selection"]["items"] == []

    # Bulk: lines and items in one request, each entry on its own.
    line = browser.post(f"/items/{small}").json()["selection"]["items"][0]["line"]
    bulk = browser.put(
        "/items",
        {
            "lines": [{"line": line, "quantity": 4}, {"line": "f" * 32, "quantity": 1}],
            "items": [{"item": large, "quantity": 2}, {"item": "12345-6789", "quantity": 1}],
        },
    )
    assert bulk.status_code == 200
    assert bulk.json()["errors"] == {"lines.1.line": "line not found", "items.1.item": "product item not found"}
    assert sorted(i["quantity"] for i in bulk.json()["selection"]["items"]) == [2, 4]
    nothing = browser.put("/items", {"lines": [{"line": "f" * 32, "quantity": 1}]})
    assert nothing.status_code == 404
    assert browser.put("/items", {"lines": [{"line": line, "quantity": -1}]}).status_code == 400


@pytest.mark.usefixtures("wire_only")
def test_bad_items_lines_and_quantities(browser: Browser, shop: ShopIds) -> None:
    item = shop.items["tee-black-S"]
    for bad_item in ("999-999", "1-999999", "abc", "1-2-3", "0-1", "-1-2", "1" * 40 + "-1"):
        answer = browser.post(f"/items/{bad_item}")
        assert answer.status_code in (404, 406), bad_item
        assert set(answer.json()["errors"]) == {"item"}
        assert answer.json()["token"] == browser.token
    for quantity in ("0", "-3", "10001", "99999999999999999999", "abc", "1.5"):
        answer = browser.post(f"/items/{item}/quantity/{quantity}")
        assert answer.status_code in (400, 406), quantity
        assert "errors" in answer.json()
    for path in ("/lines/nope", "/lines/" + "0" * 32 + "/quantity/2"):
        assert browser.post(path).status_code == 404
    assert browser.delete("/lines/nope").json()["errors"] == {"line": "line not found"}
    for not_here in ("/items/bundles/1-1", "/items/gift-certificates/gc", "/items/gift-certificates/gc/amount/10"):
        assert browser.post(not_here).status_code == 404
    line = browser.post(f"/items/{item}").json()["selection"]["items"][0]["line"]
    assert browser.put(f"/lines/{line}/subscription-plan/1").json()["errors"] == {"subscriptionPlan": "not found"}
    assert browser.delete(f"/lines/{line}/subscription-plan").status_code == 200


def test_location_methods_and_currency(browser: Browser, shop: ShopIds) -> None:
    browser.post(f"/items/{shop.items['jeans-blue-M']}")
    sweden = browser.put("/countries/se").json()
    assert (sweden["location"]["country"], sweden["selection"]["currency"]) == ("SE", "SEK")
    assert sweden["selection"]["items"][0]["priceEach"] == "800.00 SEK"
    # Free shipping above 1000 SEK after vouchers: 800 is below.
    assert sweden["selection"]["totals"]["shippingPriceAsNumber"] == 50

    usa = browser.put("/countries/US/states/ca").json()
    assert (usa["location"]["state"], usa["location"]["stateName"]) == ("CA", "California")
    assert usa["selection"]["currency"] == "USD"
    assert usa["selection"]["items"][0]["priceEachAsNumber"] == 90
    assert usa["selection"]["items"][0]["taxPercent"] == 7.25
    assert usa["location"]["market"] == shop.markets["America"]
    assert usa["selection"]["shippingMethod"] == "standard-us"

    german = browser.put("/countries/DE", {"language": "de"}).json()
    assert german["location"]["language"]["language"] == "de"
    assert german["selection"]["totals"]["taxPercent"] == 19
    assert browser.put("/languages/sv").json()["location"]["language"] == {
        "language": "sv",
        "name": "Swedish",
        "default": False,
    }
    # Norway is a country, but nobody ships there.
    norway = browser.put("/countries/NO").json()
    assert (norway["location"]["shipTo"], norway["shippingMethods"]) == (False, [])
    for bad in ("/countries/XX", "/countries/SWE", "/countries/US/states/ZZ", "/languages/xx"):
        answer = browser.put(bad)
        assert answer.status_code == 404, bad
        assert "errors" in answer.json()

    browser.put("/countries/SE")
    assert browser.put("/shipping-methods/express").json()["selection"]["shippingMethodName"] == "Express"
    assert browser.put("/payment-methods/test-form").json()["selection"]["paymentMethod"] == "test-form"
    assert browser.put("/shipping-methods/standard-us").json()["errors"] == {"shippingMethod": "not found"}
    assert browser.put("/payment-methods/klarna").json()["errors"] == {"paymentMethod": "not found"}
    # The market's VIP site keeps the pricelist and moves the market.
    vip = browser.put("/campaign-site", {"uri": "europe-vip"}).json()
    assert vip["location"]["market"] == shop.markets["Europe"]
    assert browser.put("/campaign-site", {"uri": "nope"}).status_code == 404


def test_vouchers(browser: Browser, shop: ShopIds) -> None:
    browser.put("/countries/SE")
    browser.post(f"/items/{shop.items['tee-black-S']}/quantity/2")
    with_code = browser.post("/vouchers", {"voucher": "WELCOME10"}).json()["selection"]
    assert with_code["discounts"]["vouchers"][0]["voucher"] == "WELCOME10"
    assert with_code["items"][0]["discounts"]["vouchers"][0]["priceOffAsNumber"] == -40
    assert with_code["totals"]["grandTotalPriceAsNumber"] == 400 - 40 + 50
    free = browser.post("/vouchers", {"voucher": "freeship"}).json()["selection"]["totals"]
    assert (free["shippingPriceAsNumber"], free["grandTotalPriceAsNumber"]) == (50, 360)
    # SAVE100 needs 500 SEK of items: held, but not applied.
    held = browser.post("/vouchers", {"voucher": "SAVE100"}).json()["selection"]
    assert [v["voucher"] for v in held["discounts"]["vouchers"]] == ["WELCOME10", "FREESHIP"]
    bigger = browser.post(f"/items/{shop.items['tee-black-S']}").json()["selection"]
    assert [v["voucher"] for v in bigger["discounts"]["vouchers"]] == ["WELCOME10", "FREESHIP", "SAVE100"]

    remaining = browser.delete("/vouchers/welcome10").json()["selection"]["discounts"]["vouchers"]
    assert [v["voucher"] for v in remaining] == ["FREESHIP", "SAVE100"]
    assert browser.delete("/vouchers/WELCOME10").status_code == 200  # not applied any more: fine
    assert browser.delete("/vouchers", {"voucher": "FREESHIP"}).status_code == 200
    unknown = browser.post("/vouchers", {"voucher": "NOPE"})
    assert (unknown.status_code, unknown.json()["errors"]) == (404, {"voucher": "voucher not found"})
    assert browser.delete("/vouchers/TEST%2BCODE").json()["errors"] == {"voucher": "not found"}
    assert browser.post("/vouchers", {}).status_code == 400


@pytest.fixture
def aggressive_shop(api: ApiHarness) -> ShopIds:
    return api.call(build_shop, overselling=OversellingMode.AGGRESSIVE, stock=3)


def test_aggressive_overselling_checks_stock_on_add(api: ApiHarness, aggressive_shop: ShopIds) -> None:
    browser = Browser(api.client)
    item = aggressive_shop.items["tee-black-S"]
    ok = browser.post(f"/items/{item}/quantity/2")
    assert ok.status_code == 200
    short = browser.post(f"/items/{item}/quantity/5")
    assert short.status_code == 410
    body = short.json()
    assert body["errors"] == {"stock": "unavailable items"}
    assert body["unavailable"] == [
        {"item": item, "product": item.split("-")[0], "originalQuantity": 7, "unavailable": 4, "available": 3}
    ]
    assert body["selection"]["items"][0]["quantity"] == 3
    line = body["selection"]["items"][0]["line"]
    assert browser.post(f"/lines/{line}").status_code == 410
    assert browser.put(f"/lines/{line}/quantity/1").status_code == 200
