"""The logged-in shopper manages subscriptions through the Checkout API."""

from __future__ import annotations

from typing import Any

from tests.api.checkout.conftest import Browser, ShopIds
from tests.conftest import ApiHarness
from tests.subscriptions.helpers import buy_on_plan, setup_plans


def test_list_pause_resume_interval_address_cancel(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    ids = api.call(setup_plans, shop)
    assert buy_on_plan(browser, shop, ids["monthly"])["status"] == 200
    listed = browser.post("/customer/subscriptions")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["token"] and body["loggedIn"]
    (contract,) = body["subscriptionContracts"]
    (sub,) = contract["subscriptions"]
    assert (sub["item"], sub["quantity"], sub["status"], sub["paymentStatus"]) == (
        shop.items["tee-black-S"],
        2,
        "active",
        "active",
    )
    assert sub["subscriptionPlan"] == {
        "id": str(ids["monthly"]),
        "name": "Monthly",
        "intervalValue": 1,
        "intervalType": "month",
        "discountPercent": 10,
    }
    assert contract["paymentMethod"]["name"].startswith("Test card")

    def put(path: str, payload: dict[str, object]) -> tuple[int, Any]:
        answer = browser.put(path, payload)
        return answer.status_code, answer.json()

    status, paused = put("/subscription/status", {"subscription": sub["id"], "status": "paused"})
    assert status == 200 and paused["subscriptionContracts"][0]["subscriptions"][0]["status"] == "paused"
    assert put("/subscriptions/status", {"subscription": sub["id"], "status": "active"})[0] == 200
    status, changed = put(
        "/subscription/interval", {"subscription": sub["id"], "intervalValue": 2, "intervalType": "week"}
    )
    assert status == 200
    assert changed["subscriptionContracts"][0]["subscriptions"][0]["intervalType"] == "week"
    status, moved = put("/subscription/address", {"contract": contract["id"], "address": {"address1": "New street 2"}})
    assert status == 200
    assert moved["subscriptionContracts"][0]["shippingAddress"]["address1"] == "New street 2"
    assert moved["subscriptionContracts"][0]["shippingAddress"]["city"] == contract["shippingAddress"]["city"]
    # Bad input: each a clear error in the Checkout API's format.
    assert put("/subscription/interval", {"subscription": sub["id"], "intervalValue": 0, "intervalType": "week"})[1][
        "errors"
    ] == {"intervalValue": "interval must be 1 to 1000"}
    assert (
        "intervalType"
        in put("/subscription/interval", {"subscription": sub["id"], "intervalValue": 1, "intervalType": "fortnight"})[
            1
        ]["errors"]
    )
    assert put("/subscription/status", {"subscription": 987654, "status": "paused"})[0] == 404
    assert put("/subscription/address", {"contract": contract["id"], "address": {"country": "DE"}})[0] == 406
    assert put("/subscription/status", {"subscription": "x", "status": "paused"})[0] == 400
    assert put("/subscription/status", {"subscription": sub["id"], "status": "cancelled"})[0] == 200
    status, refused = put("/subscription/status", {"subscription": sub["id"], "status": "active"})
    assert status == 409 and refused["errors"] == {"status": "Cannot restore cancelled subscription"}
    stored = browser.post("/customer/stored/payment-methods").json()["storedPaymentMethods"]
    assert len(stored) == 1 and "token" not in stored[0]
    # Another shopper sees none of it, and cannot change it; logged out is 403.
    other = Browser(api.client)
    other.post("/register", {"email": "other@example.com", "password": "secret-password"})
    assert other.post("/customer/subscriptions").json()["subscriptionContracts"] == []
    assert other.put("/subscription/status", {"subscription": sub["id"], "status": "paused"}).status_code == 404
    stranger = Browser(api.client)
    refused_anon = stranger.post("/customer/subscriptions")
    assert refused_anon.status_code == 403 and refused_anon.json()["errors"] == {"accessRight": "denied"}
