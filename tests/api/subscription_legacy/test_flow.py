"""The old Subscription API over HTTP with form bodies: packages, order, payment, get, list, status."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select
from tests.api.checkout.conftest import ShopIds, build_shop
from tests.conftest import ApiHarness

from opencentra import subscriptions
from opencentra.catalog.models import DisplayItem
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.subscriptions import services as plans

BASE = "/api/subscription-api"


async def _setup(db: Database, shop: ShopIds) -> tuple[str, int]:
    _plugin, secret = await integration.create_plugin(
        db, store_id=shop.store, plugin_type="subscription", uri="subscription-api"
    )
    club = await plans.create_plan(db, plans.PlanSpec(shop.store, "Scarf club", 1, "month", Decimal(10)))
    async with db.read() as session:
        display = await session.scalar(
            select(DisplayItem.display_id).where(DisplayItem.id == shop.products["scarf-print"])
        )
    assert display is not None
    await plans.set_display_plans(db, display, [club.id])
    return secret, club.id


@pytest.fixture
def legacy(api: ApiHarness) -> tuple[ShopIds, str, int]:
    shop = api.call(build_shop)
    secret, package = api.call(_setup, shop)
    return shop, secret, package


def _order_form(package: int, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "Kalle",
        "sname": "Anka",
        "email": "kalle@example.com",
        "address": "Malarvarvsbacken 8",
        "coaddress": "c/o Young Skilled AB",
        "city": "Stockholm",
        "zipcode": "11733",
        "phoneNumber": "+4687203333",
        "country": "SE",
        "package[]": [str(package)],
        "payment": "test-redirect",
        "payment_url": "https://shop.example/subscription-return",
        "interval": "1",
        "intervaltype": "M",
        "consent[terms]": "1",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def test_documented_flow_over_http(api: ApiHarness, legacy: tuple[ShopIds, str, int]) -> None:
    shop, secret, package = legacy
    client = api.client
    auth = {"API-Authorization": secret}

    listed = client.get(f"{BASE}/subscription/packages", params={"pricelist": "SEK"}, headers=auth)
    assert listed.status_code == 200, listed.text
    (found,) = listed.json()["packages"]
    assert (found["id"], found["name"], found["price"], found["currency"]) == (package, "Scarf club", "90.00", "SEK")
    assert found["products"] == [
        {
            "id": shop.products["scarf-print"],
            "size": shop.sizes["scarf-print-One Size"],
            "variant": found["products"][0]["variant"],
            "product": found["products"][0]["product"],
        }
    ]

    ordered = client.post(f"{BASE}/subscription/order", data=_order_form(package), params={"secret": secret})
    body = ordered.json()
    assert ordered.status_code == 200, body
    assert body["status"] == "ok", body
    contract_id = body["id"]
    assert body["payment"]["currency"] == "SEK" and Decimal(body["payment"]["value"]) > 0
    assert body["payment"]["url"].startswith("https://shop.example/subscription-return?")
    # Not complete before the payment: not renewed, shown as active with its first payment pending.
    returned = dict(parse_qsl(urlsplit(body["payment"]["url"]).query))
    paid = client.post(
        f"{BASE}/subscription/payment",
        data={"id": str(contract_id), "payment": "test-redirect", **returned},
        headers=auth,
    )
    receipt = paid.json()
    assert receipt["status"] == "ok", receipt
    assert receipt["id"] == contract_id and receipt["amount"] == body["payment"]["value"]
    assert (receipt["interval"], receipt["intervalType"], receipt["itemCount"]) == (1, "Month", 1)
    assert receipt["address"]["firstName"] == "Kalle" and receipt["address"]["address2"] == "c/o Young Skilled AB"
    # Paying again answers the same subscription (the provider's return may be replayed).
    again = client.post(
        f"{BASE}/subscription/payment",
        data={"id": str(contract_id), "payment": "test-redirect", **returned},
        headers=auth,
    ).json()
    assert again["status"] == "ok" and again["id"] == contract_id

    answer = client.get(f"{BASE}/subscription/subscription/{contract_id}", headers=auth).json()
    assert answer["status"] == "ok"
    (one,) = answer["subscriptions"]
    assert set(one) == {
        "status", "id", "amount", "shipping", "itemCount", "currency", "createdAt", "startDate",
        "nextOrderDate", "interval", "intervalType", "pricelist", "packages", "address", "customer",
    }  # fmt: skip
    assert (one["status"], one["packages"]) == ("active", [str(package)])
    assert one["nextOrderDate"] == subscriptions.advance(utcnow().date(), 1, "month").isoformat()
    for path in (f"/subscription/{contract_id}", f"/subscription/subscriptions/{contract_id}"):
        assert client.get(f"{BASE}{path}", headers=auth).json()["subscriptions"] == [one]
    for path in ("/subscription/subscriptions", "/subscription"):
        many = client.get(f"{BASE}{path}", params={"customerEmail": "KALLE@example.com"}, headers=auth).json()
        assert many["status"] == "ok" and [s["id"] for s in many["subscriptions"]] == [contract_id]

    def put(status: str) -> dict[str, Any]:
        answer = client.put(f"{BASE}/subscription/subscription/{contract_id}", data={"status": status}, headers=auth)
        assert answer.status_code == 200
        result: dict[str, Any] = answer.json()
        return result

    assert put("paused")["subscriptions"][0]["status"] == "paused"
    assert put("active")["subscriptions"][0]["status"] == "active"
    assert put("cancelled")["subscriptions"][0]["status"] == "cancelled"
    assert put("active") == {"status": "Cannot restore cancelled subscription", "error": True}
    assert put("sleeping") == {"status": "Invalid status provided", "error": True}
    # A renewal run a month on makes nothing for a cancelled subscription.
    later = utcnow() + timedelta(days=40)
    assert api.call(subscriptions.run_due_renewals, later).results == ()


def test_errors_are_http_200_objects(api: ApiHarness, legacy: tuple[ShopIds, str, int]) -> None:
    _shop, secret, package = legacy
    client = api.client
    auth = {"API-Authorization": secret}
    missing = client.post(
        f"{BASE}/subscription/order", data=_order_form(package, email=None, payment=None), headers=auth
    )
    assert missing.status_code == 200
    assert missing.json() == {"status": "Could not register customer", "error": True, "errors": ["email", "payment"]}
    bad_method = client.post(f"{BASE}/subscription/order", data=_order_form(package, payment="nope"), headers=auth)
    assert bad_method.json()["status"] == "Bad Payment Method" and bad_method.json()["error"] is True
    assert "message" in bad_method.json()
    unknown = client.post(f"{BASE}/subscription/order", data=_order_form(987654), headers=auth).json()
    assert unknown["error"] is True and unknown["errors"] == ["package"]
    for bad in ("abc", "0", "-1", str(2**70)):
        answer = client.post(
            f"{BASE}/subscription/order", data=_order_form(package, **{"package[]": [bad]}), headers=auth
        )
        assert answer.status_code == 200 and answer.json()["error"] is True, bad
    zero = client.post(f"{BASE}/subscription/order", data=_order_form(package, interval="0"), headers=auth).json()
    assert zero["error"] is True and zero["errors"] == ["intervalValue"]
    assert client.get(f"{BASE}/subscription/subscriptions/999999", headers=auth).json() == {
        "status": "Subscription not found",
        "error": True,
    }
    assert client.get(f"{BASE}/subscription/subscriptions/x", headers=auth).json()["error"] is True
    declined = client.post(
        f"{BASE}/subscription/order", data=_order_form(package, payment="test-redirect"), headers=auth
    )
    contract_id = declined.json()["id"]
    forged = client.post(
        f"{BASE}/subscription/payment",
        data={"id": str(contract_id), "payment": "test-redirect", "signature": "forged"},
        headers=auth,
    ).json()
    assert forged["error"] is True
    assert client.get(f"{BASE}/subscription/packages", params={"pricelist": "nope"}, headers=auth).json()["error"]
    assert client.get(f"{BASE}/subscription/packages").status_code == 401
