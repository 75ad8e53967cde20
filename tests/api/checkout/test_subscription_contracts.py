"""Checkout API: a shopper adds to and changes subscriptions of their own contracts, and updates
the stored payment (``/customer/contracts/...``, ``/customer/stored/payment[-result]``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select
from tests.api.checkout.conftest import Browser, ShopIds
from tests.conftest import ApiHarness
from tests.subscriptions.helpers import at, buy_on_plan, setup_plans

from opencentra import subscriptions
from opencentra.catalog.models import DisplayItem
from opencentra.db.engine import Database
from opencentra.stores import services as stores
from opencentra.stores.models import PaymentBehaviour
from opencentra.subscriptions import services as plans

RETURN = "https://shop.example/stored-return"


def _contract(browser: Browser) -> dict[str, Any]:
    (contract,) = browser.post("/customer/subscriptions").json()["subscriptionContracts"]
    return dict(contract)


def test_add_and_change_subscriptions_of_own_contract(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    ids = api.call(setup_plans, shop)
    weekly = api.call(plans.create_plan, plans.PlanSpec(shop.store, "Fortnightly", 2, "week", Decimal(5)))
    assert buy_on_plan(browser, shop, ids["monthly"])["status"] == 200
    contract = _contract(browser)
    (first,) = contract["subscriptions"]
    base = f"/customer/contracts/{contract['id']}/subscription"

    added = browser.post(base, {"item": shop.items["tee-black-M"], "subscriptionPlan": ids["monthly"], "quantity": 3})
    assert added.status_code == 200, added.text
    body = added.json()
    assert body["token"] and body["loggedIn"]
    (after,) = body["subscriptionContracts"]
    new = next(s for s in after["subscriptions"] if s["id"] != first["id"])
    assert (new["item"], new["quantity"], new["status"], new["intervalType"]) == (
        shop.items["tee-black-M"],
        3,
        "active",
        "month",
    )
    # Bad input, each named: a plan not offered on the product, an unknown plan, a bad item, quantity 0.
    refused = browser.post(base, {"item": shop.items["jeans-blue-M"], "subscriptionPlan": ids["monthly"]})
    assert refused.status_code == 406 and "subscriptionPlan" in refused.json()["errors"]
    assert browser.post(base, {"item": shop.items["tee-black-M"], "subscriptionPlan": 987654}).status_code == 406
    assert browser.post(base, {"item": "nope", "subscriptionPlan": ids["monthly"]}).json()["errors"].keys() == {"item"}
    zero = browser.post(base, {"item": shop.items["tee-black-M"], "subscriptionPlan": ids["monthly"], "quantity": 0})
    assert zero.status_code == 406 and "quantity" in zero.json()["errors"]

    # Another plan offered on the tee: its interval and discount are copied onto the subscription.
    api.call(_offer_too, shop, ids["monthly"], weekly.id)
    changed = browser.put(f"{base}/{first['id']}", {"subscriptionPlan": weekly.id, "quantity": 4, "status": "paused"})
    assert changed.status_code == 200, changed.text
    moved = next(s for s in changed.json()["subscriptionContracts"][0]["subscriptions"] if s["id"] == first["id"])
    assert (moved["intervalValue"], moved["intervalType"], moved["quantity"], moved["status"]) == (
        2,
        "week",
        4,
        "paused",
    )
    assert moved["subscriptionPlan"]["discountPercent"] == 5
    assert browser.put(f"{base}/{first['id']}", {"status": "cancelled"}).status_code == 200
    assert browser.put(f"{base}/{first['id']}", {"quantity": 2}).status_code == 409
    assert browser.put(f"{base}/{first['id']}", {"status": "active"}).status_code == 409

    # Not the shopper's, not in this contract, or not an id: 404. Logged out: 403.
    assert browser.put(f"/customer/contracts/{contract['id'] + 999}/subscription/{new['id']}", {}).status_code == 404
    assert browser.put(f"{base}/{new['id'] + 999}", {"quantity": 1}).status_code == 404
    assert browser.put(f"/customer/contracts/x/subscription/{new['id']}", {}).status_code == 404
    other = Browser(api.client)
    other.post("/register", {"email": "other@example.com", "password": "secret-password"})
    assert other.post(base, {"item": shop.items["tee-black-M"], "subscriptionPlan": ids["monthly"]}).status_code == 404
    assert other.put(f"{base}/{new['id']}", {"quantity": 1}).status_code == 404
    assert other.post("/customer/stored/payment-methods", {"contract": contract["id"]}).status_code == 404
    anonymous = Browser(api.client)
    assert anonymous.put(f"{base}/{new['id']}", {"quantity": 1}).status_code == 403


async def _offer_too(db: Database, shop: ShopIds, *plan_ids: int) -> None:
    async with db.read() as session:
        display = await session.scalar(
            select(DisplayItem.display_id).where(DisplayItem.id == int(shop.items["tee-black-S"].split("-")[0]))
        )
    assert display is not None
    await plans.set_display_plans(db, display, list(plan_ids))


def test_openapi_declares_the_path_parameters(api: ApiHarness, shop: ShopIds) -> None:
    schema = api.client.get("/api/checkout/openapi.json").json()
    for path in (
        "/customer/contracts/{contract}/subscription",
        "/customer/contracts/{contract}/subscription/{subscription}",
    ):
        for operation in schema["paths"][path].values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(path.replace("}", "{").split("{")[1::2]), (path, declared)


async def _redirect_method(db: Database, shop: ShopIds) -> None:
    await stores.create_payment_method(
        db,
        shop.store,
        "Card on a page",
        "test-redirect-card",
        market_ids=list(shop.markets.values()),
        behaviour=PaymentBehaviour.REDIRECT,
        sort_order=10,
    )


def test_stored_payment_update_revives_a_failing_contract(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    ids = api.call(setup_plans, shop)
    api.call(_redirect_method, shop)
    assert buy_on_plan(browser, shop, ids["monthly"], method="test-failing-card")["status"] == 200
    contract = _contract(browser)
    old_method = contract["paymentMethod"]["id"]
    due = at(date.fromisoformat(contract["subscriptions"][0]["nextOrderDate"]))
    assert [r.outcome for r in api.call(subscriptions.run_due_renewals, due).results] == ["declined"]
    assert _contract(browser)["subscriptions"][0]["paymentStatus"] == "failed"

    # Bad input: an unknown method, another customer's contract, nothing pending.
    start = {"contracts": [contract["id"]], "paymentMethod": "test-redirect-card", "paymentReturnPage": RETURN}
    assert browser.post("/customer/stored/payment", {**start, "paymentMethod": "nope"}).status_code == 406
    assert browser.post("/customer/stored/payment", {**start, "contracts": [contract["id"] + 9]}).status_code == 404
    assert browser.post("/customer/stored/payment-result", {"paymentMethodFields": {}}).status_code == 404

    started = browser.post("/customer/stored/payment", start)
    assert started.status_code == 200, started.text
    assert started.json()["action"] == "redirect"
    fields = dict(parse_qsl(urlsplit(started.json()["url"]).query))
    forged = browser.post("/customer/stored/payment-result", {"paymentMethodFields": {**fields, "signature": "x"}})
    assert forged.status_code == 406
    done = browser.post("/customer/stored/payment-result", {"paymentMethodFields": fields})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["contractIds"]) == ("ok", [contract["id"]])
    updated = _contract(browser)
    assert updated["paymentMethod"]["id"] != old_method
    # The retry waits no longer: the same moment renews with the new method.
    assert [r.outcome for r in api.call(subscriptions.run_due_renewals, due).results] == ["placed"]
    assert _contract(browser)["subscriptions"][0]["paymentStatus"] == "active"
    # A method that authorizes at once answers success; logged out is 403.
    at_once = browser.post("/customer/stored/payment", {**start, "paymentMethod": "test-card"})
    assert at_once.status_code == 200 and at_once.json()["action"] == "success"
    assert Browser(api.client).post("/customer/stored/payment", start).status_code == 403
