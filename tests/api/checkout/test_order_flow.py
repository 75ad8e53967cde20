"""The documented order flow, end to end over HTTP, as a storefront runs it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from tests.api.checkout.conftest import Browser, ShopIds, capture_mail, pay_body
from tests.conftest import ApiHarness

from opencentra.customers.services import find_customer


def test_the_whole_storefront_flow(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    # Catalogue: find the tee, then add two of it (the first item creates the selection).
    listed = browser.post("/products", {"search": "tee", "limit": 10})
    assert listed.status_code == 200
    tee = next(p for p in listed.json()["products"] if p["variantName"] == "Black")
    item = next(i["item"] for i in tee["items"] if i["name"] == "M")
    first_token = browser.token
    added = browser.post(f"/items/{item}/quantity/2")
    assert added.status_code == 200
    assert added.json()["token"] == first_token
    selection = added.json()["selection"]
    assert selection["items"][0]["quantity"] == 2
    assert selection["paymentMethod"] == "test-card"  # the market's first method
    assert added.json()["shippingMethods"] == []  # no country yet

    # Change country: shipping methods appear, the first is chosen.
    moved = browser.put("/countries/SE").json()
    assert moved["location"]["country"] == "SE"
    assert [m["shippingMethod"] for m in moved["shippingMethods"]] == ["standard", "express"]
    assert moved["selection"]["shippingMethod"] == "standard"
    assert moved["selection"]["totals"]["taxPercent"] == 25

    # Voucher, shipping method and checkout fields.
    with_voucher = browser.post("/vouchers", {"voucher": "welcome10"}).json()
    assert with_voucher["selection"]["totals"]["totalDiscountPriceAsNumber"] == -40
    assert browser.put("/shipping-methods/express").json()["selection"]["shippingMethod"] == "express"
    fields = browser.put(
        "/payment-fields", {"address": {"email": "shopper@example.com", "country": "SE", "firstName": "Test"}}
    ).json()
    assert fields["selection"]["address"]["email"] == "shopper@example.com"
    totals = fields["selection"]["totals"]
    assert totals["grandTotalPriceAsNumber"] == 400 - 40 + 150
    assert totals["grandTotalPriceTaxAsNumber"] == 102  # 25 % VAT inside 510

    # Payment: the test provider redirects to the return page with signed fields.
    started = browser.post("/payment", pay_body("test-redirect"))
    assert started.status_code == 200, started.text
    assert started.json()["action"] == "redirect"
    returned = dict(parse_qsl(urlsplit(started.json()["url"]).query))
    assert returned["amount"] == "51000"

    result = browser.post("/payment-result", {"paymentMethodFields": returned})
    assert result.status_code == 200, result.text
    order = result.json()["order"]
    assert order["status"] == "progress"  # the shop confirms orders automatically
    assert order["totals"]["grandTotalPriceAsNumber"] == 510
    assert order["address"]["email"] == "shopper@example.com"

    receipt = browser.get("/receipt").json()
    assert receipt["order"]["order"] == order["order"]
    # The selection is now an order.
    assert browser.get("/selection").json()["order"]["order"] == order["order"]

    # Register with the email of the guest order: the order becomes the customer's, and
    # shows once the email is verified with the link mailed to it (issue 11 #2).
    mailed = capture_mail(api)
    registered = browser.post("/register", {"email": "Shopper@Example.com", "password": "correct horse"})
    assert registered.status_code == 200, registered.text
    assert registered.json()["loggedIn"]["email"] == "shopper@example.com"
    assert browser.post("/orders", {}).json()["orders"] == []
    [(to, link)] = mailed
    assert to == "shopper@example.com"
    verify = dict(parse_qsl(urlsplit(link).query))
    assert browser.post("/email-verification", {"id": verify["id"], "i": verify["i"]}).status_code == 200
    own = browser.post("/orders", {}).json()
    assert [o["order"] for o in own["orders"]] == [order["order"]]
    assert own["ordersPaging"] == {"from": 0, "size": 1, "totalSize": 1}

    # Log out, then in again from a new browser.
    assert "loggedIn" not in browser.post("/logout").json()
    other = Browser(browser.client)
    logged_in = other.post("/login/shopper%40example.com", {"password": "correct horse"})
    assert logged_in.status_code == 200, logged_in.text
    assert other.post("/orders", {"from": 0, "size": 5}).json()["orders"][0]["order"] == order["order"]
    customer = api.call(find_customer, shop.store, "shopper@example.com")
    assert customer is not None
    assert customer.registered
