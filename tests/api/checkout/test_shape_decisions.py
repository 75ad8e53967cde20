"""The Checkout API shape decisions of issue 18 (docs/compatibility/checkout-api.md, "Shape decisions"):
a typed storefront written against Centra's newest material works unchanged.

- ``subscriptionPlans[].intervalValue`` (and a line's ``subscriptionPlan.intervalValue``) is a number;
- a selection or order line's ``comment`` is ``""`` when there is none, never ``null``;
- server-mode ``GET /markets``, ``GET /pricelists`` and ``GET /countries/all`` give their ids as strings;
- ``POST /customers/{email}/newsletter-subscription`` is the older spelling of the newsletter sign-up.
"""

from __future__ import annotations

from sqlalchemy import select
from tests.api.checkout.conftest import CHECKOUT_ADDRESS, Browser, ShopIds
from tests.conftest import ApiHarness
from tests.subscriptions.helpers import setup_plans

from opencentra.customers.models import NewsletterSubscription
from opencentra.db.engine import Database


def test_interval_value_is_a_number(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    plan = api.call(setup_plans, shop)["monthly"]
    browser.put("/countries/SE")
    offered = browser.get(f"/products/{shop.products['tee-black']}").json()["product"]["subscriptionPlans"]
    assert [(p["id"], p["intervalValue"]) for p in offered] == [(str(plan), 1)]
    assert type(offered[0]["intervalValue"]) is int
    line = browser.post(f"/items/{shop.items['tee-black-S']}", {"subscriptionPlan": plan}).json()
    assert line["selection"]["items"][0]["subscriptionPlan"]["intervalValue"] == 1


def test_a_line_without_comment_says_empty_string(browser: Browser, shop: ShopIds) -> None:
    browser.put("/countries/SE")
    items = browser.post(f"/items/{shop.items['tee-black-S']}").json()["selection"]["items"]
    assert items[0]["comment"] == ""
    items = browser.post(f"/items/{shop.items['tee-black-M']}", {"comment": "gift wrap"}).json()["selection"]["items"]
    assert sorted(i["comment"] for i in items) == ["", "gift wrap"]
    # The order's lines too.
    browser.put("/payment-fields", {"address": {**CHECKOUT_ADDRESS, "email": "c@example.com"}})
    paid = browser.post(
        "/payment",
        {"paymentMethod": "test-card", "paymentReturnPage": "https://shop.example/r", "termsAndConditions": True},
    )
    assert paid.status_code == 200, paid.text
    assert sorted(i["comment"] for i in paid.json()["order"]["items"]) == ["", "gift wrap"]


def test_server_mode_reference_ids_are_strings(server: Browser, shop: ShopIds) -> None:
    markets = server.get("/markets").json()["markets"]
    assert {m["market"] for m in markets} == {str(i) for i in shop.markets.values()}
    pricelists = server.get("/pricelists").json()["pricelists"]
    assert {p["pricelist"] for p in pricelists} == {str(i) for i in shop.pricelists.values()}
    for countries in (server.get("/countries/all").json()["countries"], server.get("/countries").json()["countries"]):
        assert countries and all(type(c["market"]) is str and type(c["pricelist"]) is str for c in countries)
        sweden = next(c for c in countries if c["country"] == "SE")
        assert (sweden["market"], sweden["pricelist"]) == (str(shop.markets["Nordics"]), str(shop.pricelists["SEK"]))


async def _newsletter(db: Database) -> list[str]:
    async with db.read() as session:
        return sorted(s.email for s in await session.scalars(select(NewsletterSubscription)))


def test_the_older_newsletter_spelling(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    older = browser.post("/customers/old@example.com/newsletter-subscription", {"country": "SE"})
    assert older.status_code == 200 and older.json()["subscribed"] is True, older.text
    current = browser.post("/newsletter-subscription/new@example.com", {"country": "SE"})
    assert set(current.json()) == set(older.json())
    # The same handler: the same checks.
    bad = browser.post("/customers/x@example.com/newsletter-subscription", {"country": "XX"})
    assert bad.status_code == browser.post("/newsletter-subscription/x@example.com", {"country": "XX"}).status_code
    assert api.call(_newsletter) == ["new@example.com", "old@example.com"]
