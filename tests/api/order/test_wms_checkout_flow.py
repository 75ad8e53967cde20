"""A WMS runs its job on an order a shopper placed over HTTP through the Checkout API.

The shopper (client mode) finds a product, adds it, picks shipping, pays with
the test provider's redirect and comes back to POST /payment-result; the
store's "Autoconfirm Orders" confirms the order. The WMS then sees it in the
Order API, ships it Good-To-Go, completes it with tracking (capturing through
the payment provider), and handles a return with a refund (refunded through
the provider too). GET /stock is checked at every step.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select
from tests.api.checkout.conftest import Browser, build_shop, pay_body
from tests.conftest import ApiHarness

from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.orders.models import Order, PaymentTransaction
from opencentra.payments import provider_for
from opencentra.payments.test_provider import TestProvider


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Checkout API caches its catalogue; these steps must see the stock they just changed.
    monkeypatch.setenv("OPENCENTRA_CHECKOUT_CACHE_SECONDS", "0")


def test_an_order_placed_through_the_checkout_api_is_shipped_captured_returned_and_refunded(
    api: ApiHarness,
) -> None:
    shop = api.call(build_shop)
    plugin, secret = api.call(
        lambda db: integration.create_plugin(
            db,
            store_id=shop.store,
            plugin_type="order",
            uri="wms",
            settings={"markets": [shop.markets["Nordics"]], "primary_warehouse": shop.warehouse},
        )
    )
    headers = {"API-Authorization": secret}
    base = plugin.base
    size = shop.sizes["tee-black-M"]

    def wms(method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = api.client.request(method, base + path, json=body, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    def stock() -> tuple[int, int, int]:
        [row] = wms("GET", "/stock", stockItemId=size)["products"]
        assert row["physicalStock"] == row["allocatedStock"] + row["availableStock"]
        return row["physicalStock"], row["allocatedStock"], row["availableStock"]

    assert stock() == (10, 0, 10)

    # 1. The shopper, in client mode: products, add an item, shipping, payment, payment-result.
    shopper = Browser(api.client)
    listed = shopper.post("/products", {"search": "tee", "limit": 10}).json()
    tee = next(p for p in listed["products"] if p["variantName"] == "Black")
    item = next(i["item"] for i in tee["items"] if i["name"] == "M")
    assert shopper.post(f"/items/{item}/quantity/2").status_code == 200
    assert shopper.put("/countries/SE").json()["selection"]["shippingMethod"] == "standard"
    assert shopper.put("/shipping-methods/standard").status_code == 200
    # A selection reserves nothing.
    assert stock() == (10, 0, 10)
    started = shopper.post("/payment", pay_body("test-redirect"))
    assert started.status_code == 200 and started.json()["action"] == "redirect", started.text
    fields = dict(parse_qsl(urlsplit(started.json()["url"]).query))
    assert stock() == (10, 0, 10)
    result = shopper.post("/payment-result", {"paymentMethodFields": fields})
    assert result.status_code == 200, result.text
    placed = result.json()["order"]
    assert placed["status"] == "progress"  # confirmed by Autoconfirm
    number = int(placed["order"])
    # 2. The order took its stock.
    assert stock() == (10, 2, 8)

    # 3. The WMS sees it, confirmed, paid by the test provider.
    [seen] = wms("GET", "/orders", order=number)["orders"]
    assert (seen["orderStatus"], seen["paymentPlugin"], seen["grandTotalValue"]) == ("2", "test", 450)
    reference = seen["paymentReference"]
    assert reference and reference.startswith("test-")
    [line] = seen["products"]
    assert (line["qty"], line["ean"] is not None) == (2, True)

    # 4. Picked: a Good-To-Go shipment without capture; nothing leaves the shelf.
    created = wms("POST", "/shipments", {"order": number, "products": {line["lineId"]: 2}, "gtg": True, "capture": 0})
    shipment = created["shipment"]
    assert "invoice" not in created and created["deliveryNote"].endswith(".pdf")
    [goodtogo] = wms("GET", "/shipments")["shipments"]
    assert (goodtogo["shipmentId"], goodtogo["paid"], goodtogo["shouldCapture"]) == (shipment, 0, 1)
    assert stock() == (10, 2, 8)

    # 5. Shipped: completed with tracking and captured in the same call, through the provider.
    done = wms(
        "PUT",
        "/shipment",
        {"order": number, "shipment": shipment, "carrier": "PostNord", "tracking": "PN1", "capture": True},
    )
    assert done == {"status": "ok", "order": number, "shipment": shipment}
    assert stock() == (8, 0, 8)
    [shipped] = wms("GET", "/orders", order=number)["orders"]
    assert shipped["orderStatus"] == "4" and shipped["shipments"][0]["trackingId"] == "PN1"
    [completed] = wms("GET", "/shipments", status="completed")["shipments"]
    assert completed["paid"] == 1 and len(completed["invoices"]) == 1
    assert wms("GET", "/shipments")["shipments"] == []
    # Capturing again is refused and captures nothing.
    assert wms("PUT", "/capture", {"shipment": shipment})["status"] == "no"

    # 6. One tee comes back to stock and is refunded through the provider.
    returned = wms(
        "POST",
        "/return",
        {"shipment": shipment, "products": {line["lineId"]: 1}, "returnStock": True, "refund": {"refundPayment": True}},
    )
    assert returned["returnCompleted"] is True and returned["refund"] == {"status": "ok"}
    assert stock() == (9, 0, 9)
    [shown] = wms("GET", "/returns", order=number)["returns"]
    assert (shown["completed"], shown["refunded"], shown["refundValue"]) == (True, True, 200)

    provider = provider_for("test")
    assert isinstance(provider, TestProvider)
    asked = [(t.kind, t.amount_minor, t.settled) for t in provider.transactions_for(reference)]
    assert asked == [("capture", 45000, True), ("refund", 20000, True)]

    async def money(db: Database) -> tuple[int, int, list[str]]:
        async with db.read() as session:
            order = await session.scalar(select(Order).where(Order.number == number))
            assert order is not None
            kinds = await session.scalars(
                select(PaymentTransaction.kind)
                .where(PaymentTransaction.order_id == order.id)
                .order_by(PaymentTransaction.id)
            )
            return order.captured_minor, order.refunded_minor, list(kinds)

    captured, refunded, kinds = api.call(money)
    assert (captured, refunded) == (45000, 20000)
    assert [k for k in kinds if k in ("capture", "refund")] == ["capture", "refund"]
