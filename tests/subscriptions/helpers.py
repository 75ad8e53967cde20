"""Buying on a plan through the Checkout API, for the subscription tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from tests.api.checkout.conftest import Browser, ShopIds, pay_body

from opencentra.catalog.models import DisplayItem
from opencentra.db.engine import Database
from opencentra.stores import services as stores
from opencentra.stores.models import PaymentBehaviour
from opencentra.subscriptions import services as plans

EMAIL = "shopper@example.com"


async def setup_plans(db: Database, shop: ShopIds) -> dict[str, int]:
    """A monthly plan (10 % off) on the tee, and a payment method whose stored card starts failing."""
    monthly = await plans.create_plan(db, plans.PlanSpec(shop.store, "Monthly", 1, "month", Decimal(10)))
    async with db.read() as session:
        display = await session.scalar(
            select(DisplayItem.display_id).where(DisplayItem.id == shop.products["tee-black"])
        )
    assert display is not None
    await plans.set_display_plans(db, display, [monthly.id])
    await stores.create_payment_method(
        db,
        shop.store,
        "Failing card",
        "test-failing-card",
        market_ids=list(shop.markets.values()),
        behaviour=PaymentBehaviour.SUCCESS,
        sort_order=9,
    )
    return {"monthly": monthly.id}


def buy_on_plan(
    browser: Browser, shop: ShopIds, plan_id: int, *, method: str = "test-card", register: bool = True
) -> dict[str, object]:
    if register:
        registered = browser.post("/register", {"email": EMAIL, "password": "secret-password"})
        assert registered.status_code == 200, registered.text
    browser.put("/countries/SE")
    added = browser.post(f"/items/{shop.items['tee-black-S']}/quantity/2", {"subscriptionPlan": plan_id})
    assert added.status_code == 200, added.text
    browser.post(f"/items/{shop.items['jeans-blue-M']}")
    paid = browser.post("/payment", pay_body(method))
    return {"status": paid.status_code, "body": paid.json()}


def at(day: date) -> datetime:
    """Noon UTC of a day: the moment a renewal run is told it is."""
    return datetime.combine(day, time(12), tzinfo=UTC)
