"""POST /payment for every test-provider behaviour, POST /payment-result, and what can go wrong."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select
from tests.api.checkout.conftest import Browser, ShopIds, pay_body
from tests.conftest import ApiHarness

from opencentra.db.engine import Database
from opencentra.inventory import services as inventory
from opencentra.orders.models import Order, PaymentTransaction


async def _orders(db: Database) -> list[tuple[int, int, str | None]]:
    async with db.read() as session:
        rows = await session.execute(
            select(Order.number, Order.grand_total_minor, Order.payment_provider).order_by(Order.id)
        )
        return [(r[0], r[1], r[2]) for r in rows]


def _ready(browser: Browser, shop: ShopIds, item: str = "tee-black-S", quantity: int = 1) -> None:
    browser.put("/countries/SE")
    assert browser.post(f"/items/{shop.items[item]}/quantity/{quantity}").status_code == 200


def test_success_places_the_order_at_once(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    _ready(browser, shop)
    paid = browser.post("/payment", pay_body("test-card"))
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["action"] == "success"
    assert body["token"] == browser.token
    assert body["order"]["totals"]["grandTotalPriceAsNumber"] == 250
    assert body["order"]["items"][0]["item"] == shop.items["tee-black-S"]
    assert api.call(_orders) == [(int(body["order"]["order"]), 25000, "test")]
    available = api.call(inventory.available_for_market, shop.markets["Nordics"], [shop.sizes["tee-black-S"]])
    assert available == {shop.sizes["tee-black-S"]: 9}
    # Paying again: the selection is an order now.
    again = browser.post("/payment", pay_body("test-card"))
    assert (again.status_code, again.json()["errors"]) == (406, {"selection": "the selection is empty"})
    # A new item starts a new selection.
    assert browser.post(f"/items/{shop.items['tee-black-S']}").json()["selection"]["items"][0]["quantity"] == 1


def _returned(action: dict[str, Any]) -> dict[str, str]:
    if action["action"] == "redirect":
        return dict(parse_qsl(urlsplit(action["url"]).query))
    return dict(action["formFields"])


@pytest.mark.parametrize("method", ["test-redirect", "test-form", "test-javascript"])
def test_actions_come_back_through_payment_result(
    api: ApiHarness, browser: Browser, shop: ShopIds, method: str
) -> None:
    _ready(browser, shop)
    started = browser.post("/payment", pay_body(method)).json()
    kind = {"test-redirect": "redirect", "test-form": "form", "test-javascript": "javascript"}[method]
    assert started["action"] == kind
    if kind == "form":
        assert started["formHtml"].startswith("<form") and started["formUrl"] == "https://shop.example/return"
    if kind == "javascript":
        assert "window.location" in started["code"]
    # Before the result nothing is ordered.
    assert api.call(_orders) == []
    fields = _returned(started)
    tampered = browser.post("/payment-result", {"paymentMethodFields": {**fields, "signature": "0" * 40}})
    assert tampered.status_code == 406
    assert tampered.json()["errors"] == {"paymentMethod": "failed"}
    # A declined attempt is spent: pay again, then return properly.
    started = browser.post("/payment", pay_body(method)).json()
    result = browser.post("/payment-result", {"paymentMethodFields": _returned(started)})
    assert result.status_code == 200, result.text
    assert result.json()["order"]["paymentMethod"] == method
    assert len(api.call(_orders)) == 1


def test_decline_and_validation(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    nothing = browser.post("/payment", pay_body())
    assert (nothing.status_code, nothing.json()["errors"]) == (406, {"selection": "the selection is empty"})
    _ready(browser, shop)
    no_email = browser.post("/payment", pay_body(address={"country": "SE"}))
    assert no_email.json()["errors"] == {"address.email": "required"}
    declined = browser.post("/payment", pay_body("test-decline"))
    assert declined.status_code == 406
    assert declined.json()["errors"] == {"paymentMethod": "failed"}
    assert declined.json()["messages"] == ["The test provider declined the payment."]
    for body, errors in (
        (pay_body(termsAndConditions=False), {"termsAndConditions": "must be true"}),
        ({**pay_body(), "termsAndConditions": None}, {"termsAndConditions": "must be true"}),
        (pay_body(paymentReturnPage=""), {"paymentReturnPage": "required"}),
        (pay_body(paymentReturnPage="javascript:alert(1)"), {"paymentReturnPage": "must be an absolute http(s) URL"}),
        (pay_body("klarna"), {"paymentMethod": "not found"}),
        (
            pay_body(address={"email": "x@example.com", "country": "NO"}),
            {"address.country": "we do not ship to this country"},
        ),
        (pay_body(address={"email": "not-an-email", "country": "SE"}), {"email": "not a valid email address"}),
    ):
        answer = browser.post("/payment", body)
        assert answer.status_code in (404, 406), answer.text
        assert answer.json()["errors"] == errors
    # The order-flow example sends "true" as a string.
    assert browser.post("/payment", {**pay_body(), "termsAndConditions": "true"}).status_code == 200
    assert len(api.call(_orders)) == 1


def test_a_fully_discounted_order_needs_no_provider(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    _ready(browser, shop)
    browser.post("/vouchers", {"voucher": "FREEALL"})
    paid = browser.post("/payment", pay_body("test-decline")).json()
    assert paid["action"] == "success"
    assert paid["order"]["totals"]["grandTotalPriceAsNumber"] == 0
    assert api.call(_orders)[0][1:] == (0, "none")


async def _transactions(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count(PaymentTransaction.id))) or 0)


def test_stock_is_checked_when_payment_starts(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    _ready(browser, shop, "jeans-blue-M", 4)
    api.call(inventory.set_physical, shop.warehouse, shop.sizes["jeans-blue-M"], 3)
    short = browser.post("/payment", pay_body())
    assert short.status_code == 410
    body = short.json()
    assert body["errors"] == {"stock": "unavailable items"}
    assert body["unavailable"] == [
        {
            "item": shop.items["jeans-blue-M"],
            "product": str(shop.products["jeans-blue"]),
            "originalQuantity": 4,
            "unavailable": 1,
            "available": 3,
        }
    ]
    # The selection was trimmed to what there is.
    assert body["selection"]["items"][0]["quantity"] == 3
    assert browser.post("/payment", pay_body()).json()["action"] == "success"
    assert api.call(_transactions) == 1


def test_a_selection_changed_after_payment_started_is_not_ordered(
    api: ApiHarness, browser: Browser, shop: ShopIds
) -> None:
    _ready(browser, shop)
    started = browser.post("/payment", pay_body("test-redirect")).json()
    browser.post(f"/items/{shop.items['tee-black-M']}")
    result = browser.post("/payment-result", {"paymentMethodFields": _returned(started)})
    assert result.status_code == 406
    assert "changed" in result.json()["message"]
    assert api.call(_orders) == []
    # Without any payment started, a result is refused.
    other = Browser(browser.client)
    other.post(f"/items/{shop.items['tee-black-S']}")
    assert other.post("/payment-result", {"paymentMethodFields": {}}).status_code == 406


def test_payment_result_is_idempotent(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    _ready(browser, shop)
    fields = _returned(browser.post("/payment", pay_body("test-redirect")).json())
    numbers = {
        browser.post("/payment-result", {"paymentMethodFields": fields}).json()["order"]["order"] for _ in range(5)
    }
    assert len(numbers) == 1
    assert len(api.call(_orders)) == 1
    # Another session replaying the same fields gets nothing.
    thief = Browser(browser.client)
    stolen = thief.post("/payment-result", {"paymentMethodFields": fields})
    assert stolen.status_code == 406
    assert "order" not in stolen.json()
