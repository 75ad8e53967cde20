"""Subscription-plan lines over the Checkout API: plans on products, adding items on a plan,
changing and removing a line's plan, the discount in the totals, and the order keeping the plan."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.api.checkout.conftest import CHECKOUT_ADDRESS, Browser, ShopIds, pay_body
from tests.conftest import ApiHarness

from opencentra.catalog.models import DisplayItem
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.subscriptions import services as plans
from opencentra.subscriptions.models import OrderLineSubscription

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "checkout-api.examples.jsonl"
PLAN_KEYS = {"id", "name", "intervalValue", "intervalType", "discountPercent"}


async def _display_of(db: Database, display_item_id: int) -> int:
    async with db.read() as session:
        found = await session.scalar(select(DisplayItem.display_id).where(DisplayItem.id == display_item_id))
        assert found is not None
        return found


async def _setup_plans(db: Database, shop: ShopIds) -> dict[str, int]:
    monthly = await plans.create_plan(db, plans.PlanSpec(shop.store, "1 month subscription", 1, "month", Decimal(10)))
    biweekly = await plans.create_plan(
        db, plans.PlanSpec(shop.store, "2 weeks subscription", 2, "week", Decimal("12.5"))
    )
    elsewhere = await plans.create_plan(db, plans.PlanSpec(shop.store, "Yearly", 1, "year", Decimal(5)))
    tee = await _display_of(db, shop.products["tee-black"])
    await plans.set_display_plans(db, tee, [monthly.id, biweekly.id])
    return {"monthly": monthly.id, "biweekly": biweekly.id, "unoffered": elsewhere.id}


@pytest.fixture
def plan_ids(api: ApiHarness, shop: ShopIds) -> dict[str, int]:
    return api.call(_setup_plans, shop)


async def _order_plans(db: Database) -> list[tuple[str, int, str, int]]:
    async with db.read() as session:
        rows = await session.scalars(select(OrderLineSubscription))
        return [(r.name, r.interval_value, r.interval_type, r.discount_bp) for r in rows]


def _documented_plan_keys() -> set[str] | None:
    if not FIXTURES.exists():
        return None
    for raw in FIXTURES.read_text().splitlines():
        entry = json.loads(raw)
        if "subscriptions" in entry["page"] and isinstance(entry["json"], list) and entry["json"]:
            return set(entry["json"][0])
    return None


def test_products_show_their_plans(browser: Browser, shop: ShopIds, plan_ids: dict[str, int]) -> None:
    browser.put("/countries/SE")
    product = browser.get(f"/products/{shop.products['tee-black']}").json()["product"]
    assert product["subscriptionPlans"] == [
        {
            "id": str(plan_ids["monthly"]),
            "name": "1 month subscription",
            "intervalValue": 1,
            "intervalType": "month",
            "discountPercent": 10,
        },
        {
            "id": str(plan_ids["biweekly"]),
            "name": "2 weeks subscription",
            "intervalValue": 2,
            "intervalType": "week",
            "discountPercent": 12.5,
        },
    ]
    documented = _documented_plan_keys()
    if documented is not None:
        assert set(product["subscriptionPlans"][0]) == documented
    assert set(product["subscriptionPlans"][0]) == PLAN_KEYS
    # A product without plans has no key, and POST /products shows the same plans.
    assert "subscriptionPlans" not in browser.get(f"/products/{shop.products['scarf-print']}").json()["product"]
    listed = browser.post("/products", {"products": [shop.products["tee-black"]]}).json()["products"]
    assert [p["id"] for p in listed[0]["subscriptionPlans"]] == [str(plan_ids["monthly"]), str(plan_ids["biweekly"])]


def test_add_item_on_a_plan(browser: Browser, shop: ShopIds, plan_ids: dict[str, int]) -> None:
    browser.put("/countries/SE")
    item = shop.items["tee-black-S"]
    added = browser.post(f"/items/{item}", {"subscriptionPlan": plan_ids["monthly"]})
    assert added.status_code == 200, added.text
    body = added.json()
    (line,) = body["selection"]["items"]
    assert line["subscriptionPlan"]["id"] == str(plan_ids["monthly"])
    assert set(line["subscriptionPlan"]) == PLAN_KEYS
    assert (line["priceEachAsNumber"], line["priceEachBeforeDiscountAsNumber"]) == (180, 200)
    assert line["anyDiscount"] is True
    assert body["selection"]["totals"]["itemsTotalPrice"].startswith("180")
    assert body["selection"]["totals"]["grandTotalPriceAsNumber"] == 230
    # The same item without a plan is another line; with the same plan it joins the line.
    browser.post(f"/items/{item}")
    more = browser.post(f"/items/{item}/quantity/2", {"subscriptionPlan": str(plan_ids["monthly"])}).json()
    lines = more["selection"]["items"]
    assert [(entry["quantity"], "subscriptionPlan" in entry) for entry in lines] == [(3, True), (1, False)]
    assert more["selection"]["totals"]["itemsTotalPriceAsNumber"] == 3 * 180 + 200


@pytest.mark.parametrize(
    ("plan", "item", "field"),
    [
        ("unoffered", "tee-black-S", "subscriptionPlan"),
        ("monthly", "scarf-print-One Size", "subscriptionPlan"),
        (987654, "tee-black-S", "subscriptionPlan"),
        ("monthly", None, "item"),
    ],
)
def test_add_item_on_a_plan_errors(
    browser: Browser, shop: ShopIds, plan_ids: dict[str, int], plan: Any, item: str | None, field: str
) -> None:
    plan_id = plan_ids.get(plan, plan) if isinstance(plan, str) else plan
    item_id = shop.items[item] if item else "999999-1"
    refused = browser.post(f"/items/{item_id}", {"subscriptionPlan": plan_id})
    assert refused.status_code == 404
    body = refused.json()
    assert field in body["errors"]
    assert body["token"]
    assert browser.get("/selection").json()["selection"]["items"] == []


def test_bad_plan_values_are_400(browser: Browser, shop: ShopIds, plan_ids: dict[str, int]) -> None:
    for bad in (0, -1, "abc", 2**70):
        refused = browser.post(f"/items/{shop.items['tee-black-S']}", {"subscriptionPlan": bad})
        assert refused.status_code == 400, (bad, refused.text)
        assert "subscriptionPlan" in refused.json()["errors"]


def test_change_and_remove_a_line_plan(browser: Browser, shop: ShopIds, plan_ids: dict[str, int]) -> None:
    browser.put("/countries/SE")
    line = browser.post(f"/items/{shop.items['tee-black-M']}").json()["selection"]["items"][0]["line"]
    on_plan = browser.put(f"/lines/{line}/subscription-plan/{plan_ids['biweekly']}")
    assert on_plan.status_code == 200, on_plan.text
    entry = on_plan.json()["selection"]["items"][0]
    assert entry["subscriptionPlan"]["intervalType"] == "week"
    assert entry["priceEachAsNumber"] == 175
    switched = browser.put(f"/lines/{line}/subscription-plan/{plan_ids['monthly']}").json()
    assert switched["selection"]["items"][0]["priceEachAsNumber"] == 180
    assert browser.put(f"/lines/{line}/subscription-plan/{plan_ids['unoffered']}").status_code == 404
    assert browser.put(f"/lines/{line}/subscription-plan/nope").json()["errors"] == {"subscriptionPlan": "not found"}
    assert browser.put(f"/lines/{'0' * 32}/subscription-plan/{plan_ids['monthly']}").status_code == 404
    removed = browser.delete(f"/lines/{line}/subscription-plan")
    assert removed.status_code == 200
    entry = removed.json()["selection"]["items"][0]
    assert "subscriptionPlan" not in entry and entry["priceEachAsNumber"] == 200
    # Again: no plan to remove is fine; an unknown line is not.
    assert browser.delete(f"/lines/{line}/subscription-plan").status_code == 200
    missing = browser.delete(f"/lines/{'f' * 32}/subscription-plan")
    assert (missing.status_code, list(missing.json()["errors"])) == (404, ["line"])


def test_another_session_cannot_touch_the_line(
    api: ApiHarness, browser: Browser, shop: ShopIds, plan_ids: dict[str, int]
) -> None:
    line = browser.post(f"/items/{shop.items['tee-black-M']}").json()["selection"]["items"][0]["line"]
    stranger = Browser(api.client)
    assert stranger.put(f"/lines/{line}/subscription-plan/{plan_ids['monthly']}").status_code == 404
    assert "subscriptionPlan" not in browser.get("/selection").json()["selection"]["items"][0]


def test_the_order_keeps_which_lines_are_subscriptions(
    api: ApiHarness, browser: Browser, shop: ShopIds, plan_ids: dict[str, int]
) -> None:
    # Only a registered, logged-in shopper may buy on a plan (a contract needs a customer).
    registered = browser.post(
        "/register", {"email": CHECKOUT_ADDRESS["email"], "password": "secret", "address": {"country": "se"}}
    )
    assert registered.status_code == 200, registered.text
    browser.put("/countries/SE")
    browser.post(f"/items/{shop.items['tee-black-S']}", {"subscriptionPlan": plan_ids["monthly"]})
    browser.post(f"/items/{shop.items['jeans-blue-M']}")
    paid = browser.post("/payment", pay_body("test-card"))
    assert paid.status_code == 200, paid.text
    order = paid.json()["order"]
    by_item = {entry["item"]: entry for entry in order["items"]}
    assert by_item[shop.items["tee-black-S"]]["subscriptionPlan"]["name"] == "1 month subscription"
    assert "subscriptionPlan" not in by_item[shop.items["jeans-blue-M"]]
    assert order["totals"]["grandTotalPriceAsNumber"] == 180 + 800 + 50  # shipping is free from 1000
    assert api.call(_order_plans) == [("1 month subscription", 1, "month", 1000)]
    # The receipt shows the same; changing the plan later does not change the order.
    api.call(plans.update_plan, plan_ids["monthly"], name="Monthly (new)", discount_percent=Decimal(20))
    receipt = browser.get("/receipt").json()["order"]
    assert receipt["items"][0]["subscriptionPlan"]["name"] == "1 month subscription"


async def test_plan_service_checks(db: Database) -> None:
    from tests.helpers import make_store

    store = await make_store(db)
    for name, value, kind, percent, field in (
        ("", 1, "month", 0, "name"),
        ("x", 0, "month", 0, "intervalValue"),
        ("x", 1, "fortnight", 0, "intervalType"),
        ("x", 1, "month", 101, "discountPercent"),
        ("x", 1, "month", Decimal("1.005"), "discountPercent"),
    ):
        with pytest.raises(ValidationFailed) as error:
            await plans.create_plan(db, plans.PlanSpec(store, name, value, kind, Decimal(percent)))
        assert error.value.field == field
    plan = await plans.create_plan(db, plans.PlanSpec(store, "Weekly", 1, "WEEK", Decimal(0)))
    assert (plan.interval_type, plan.discount_bp) == ("week", 0)
    with pytest.raises(NotFound):
        await plans.update_plan(db, 999_999, name="x")
    with pytest.raises(NotFound):
        await plans.set_display_plans(db, 999_999, [plan.id])


def test_bulk_item_quantities_leave_plan_lines_alone(browser: Browser, shop: ShopIds, plan_ids: dict[str, int]) -> None:
    browser.put("/countries/SE")
    item = shop.items["tee-black-L"]
    browser.post(f"/items/{item}/quantity/2", {"subscriptionPlan": plan_ids["monthly"]})
    answer = browser.put("/items", {"items": [{"item": item, "quantity": 3}], "lines": []})
    assert answer.status_code == 200, answer.text
    lines = answer.json()["selection"]["items"]
    assert sorted((entry["quantity"], "subscriptionPlan" in entry) for entry in lines) == [(2, True), (3, False)]


def test_login_merge_keeps_the_plan(browser: Browser, shop: ShopIds, plan_ids: dict[str, int]) -> None:
    browser.put("/countries/SE")
    assert browser.post("/register", {"email": "plans@example.com", "password": "secret-enough"}).status_code == 200
    browser.post(f"/items/{shop.items['tee-black-S']}", {"subscriptionPlan": plan_ids["monthly"]})
    browser.post("/logout")
    browser.put("/countries/SE")
    browser.post(f"/items/{shop.items['jeans-blue-M']}")
    merged = browser.post("/login/plans@example.com", {"password": "secret-enough"})
    assert merged.status_code == 200, merged.text
    lines = {entry["item"]: entry for entry in merged.json()["selection"]["items"]}
    assert lines[shop.items["tee-black-S"]]["subscriptionPlan"]["id"] == str(plan_ids["monthly"])
    assert "subscriptionPlan" not in lines[shop.items["jeans-blue-M"]]
