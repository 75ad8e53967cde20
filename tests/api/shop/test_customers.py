"""Shop API customers by email: register and log in (with a selection, which makes a plan purchase
possible), the account's own orders only, an order's shipping address, and the sign-ups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from tests.api.checkout.conftest import CHECKOUT_ADDRESS
from tests.api.shop.conftest import ShopApiWorld, ShopClient
from tests.conftest import ApiHarness

from opencentra.catalog.models import DisplayItem
from opencentra.customers.models import BackInStockSubscription, NewsletterSubscription
from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.orders.models import Order
from opencentra.orders.state import OrderStatus
from opencentra.storefront import account_by_email
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.shopper import Channel
from opencentra.storefront.storefront import SelectionKey, Storefront, changing
from opencentra.subscriptions import services as plans

EMAIL = "buyer@example.com"


def _pay(email: str) -> dict[str, Any]:
    return {
        "paymentMethod": "test-card",
        "paymentReturnPage": "https://shop.example/return",
        "termsAndConditions": True,
        "address": {**CHECKOUT_ADDRESS, "email": email},
    }


def _cart(shop_api: ShopClient, item: str, body: dict[str, Any] | None = None) -> str:
    created = shop_api.post("/selections", {"country": "SE"})
    assert created.status_code == 201, created.text
    selection: str = created.json()["selection"]
    added = shop_api.post(f"/selections/{selection}/items/{item}", body)
    assert added.status_code == 201, added.text
    return selection


def _buy(shop_api: ShopClient, item: str, email: str) -> str:
    selection = _cart(shop_api, item)
    paid = shop_api.post(f"/selections/{selection}/payment", _pay(email))
    assert paid.status_code == 200 and paid.json()["action"] == "success", paid.text
    number: str = paid.json()["order"]
    return number


async def _monthly_plan_on(db: Database, store: int, display_item: int) -> int:
    plan = await plans.create_plan(db, plans.PlanSpec(store, "Monthly", 1, "month", Decimal(10)))
    async with db.read() as session:
        display = await session.scalar(select(DisplayItem.display_id).where(DisplayItem.id == display_item))
    assert display is not None
    await plans.set_display_plans(db, display, [plan.id])
    return plan.id


def test_register_log_in_and_buy_on_a_plan_by_selection(
    api: ApiHarness, shop_world: ShopApiWorld, shop_api: ShopClient
) -> None:
    ids = shop_world.ids
    item = ids.items["tee-black-M"]
    plan = api.call(_monthly_plan_on, ids.store, ids.products["tee-black"])

    # A guest may not buy on a plan: the selection has no customer.
    guest = _cart(shop_api, item, {"subscriptionPlan": plan})
    refused = shop_api.post(f"/selections/{guest}/payment", _pay(EMAIL))
    assert refused.status_code == 406 and set(refused.json()["errors"]) == {"subscriptionPlan"}, refused.text

    registered = shop_api.post(f"/customers/{EMAIL}/register", {"password": "secret-enough", "firstName": "Bo"})
    assert registered.status_code == 201, registered.text
    assert registered.json()["email"] == EMAIL and registered.json()["firstName"] == "Bo"
    assert "selection" not in registered.json()
    again = shop_api.post(f"/customers/{EMAIL}/register", {"password": "secret-enough"})
    assert (again.status_code, again.json()) == (409, {"errors": {"email": "already registered"}})

    wrong = shop_api.post(f"/customers/{EMAIL}/login", {"password": "wrong-password"})
    assert (wrong.status_code, wrong.json()) == (406, {"errors": {"password": "incorrect"}})
    unknown = shop_api.post("/customers/nobody@example.com/login", {"password": "secret-enough"})
    assert (unknown.status_code, unknown.json()) == (406, {"errors": {"password": "incorrect"}})

    # Logging in with the selection attaches the account to it; now the plan line may be bought.
    logged_in = shop_api.post(f"/customers/{EMAIL}/login", {"password": "secret-enough", "selection": guest})
    assert logged_in.status_code == 200, logged_in.text
    customer = logged_in.json()["customer"]
    assert logged_in.json()["selection"] == guest
    assert shop_api.get(f"/selections/{guest}").json()["customer"] == customer
    paid = shop_api.post(f"/selections/{guest}/payment", _pay(EMAIL))
    assert paid.status_code == 200 and paid.json()["action"] == "success", paid.text
    assert paid.json()["customer"] == customer

    # Registering with a selection attaches the new account too; a missing selection refuses it all.
    other = _cart(shop_api, item)
    missing = shop_api.post(
        "/customers/second@example.com/register", {"password": "secret-enough", "selection": "0" * 32}
    )
    assert (missing.status_code, missing.json()) == (404, {"errors": {"selection": "not found"}})
    second = shop_api.post("/customers/second@example.com/register", {"password": "secret-enough", "selection": other})
    assert second.status_code == 201 and second.json()["selection"] == other, second.text
    assert shop_api.get(f"/selections/{other}").json()["customer"] == second.json()["customer"]


async def _mark(db: Database, number: str, status: OrderStatus) -> None:
    async with db.write() as session:
        order = await session.scalar(select(Order).where(Order.number == int(number)))
        assert order is not None
        order.status = status


def test_the_accounts_own_orders_and_their_shipping_address(
    api: ApiHarness, shop_world: ShopApiWorld, shop_api: ShopClient
) -> None:
    item = shop_world.ids.items["jeans-blue-M"]
    for email in (EMAIL, "other@example.com"):
        assert shop_api.post(f"/customers/{email}/register", {"password": "secret-enough"}).status_code == 201
    # A guest order with the account's email stays hidden until the email is verified.
    _buy(shop_api, item, EMAIL)
    selection = _cart(shop_api, item)
    assert shop_api.post(f"/customers/{EMAIL}/login", {"password": "secret-enough", "selection": selection}).is_success
    paid = shop_api.post(f"/selections/{selection}/payment", _pay(EMAIL))
    mine = paid.json()["order"]
    theirs = _buy_logged_in(shop_api, item, "other@example.com")

    listed = shop_api.get(f"/customers/{EMAIL}/orders")
    assert listed.status_code == 200, listed.text
    assert [o["order"] for o in listed.json()["orders"]] == [mine]
    assert listed.json()["ordersPaging"] == {"from": 0, "size": 1, "totalSize": 1}
    assert listed.json()["orders"][0]["selection"] == selection
    paged = shop_api.post(f"/customers/{EMAIL}/orders", {"from": 1, "size": 5})
    assert paged.json() == {"orders": [], "ordersPaging": {"from": 1, "size": 5, "totalSize": 1}}
    assert shop_api.get("/customers/guest@example.com/orders").status_code == 404

    moved = shop_api.put(
        f"/customers/{EMAIL}/orders/{mine}/shipping-address", {"address1": "New street 2", "city": "Lund"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["shippingAddress"]["address1"] == "New street 2"
    assert moved.json()["shippingAddress"]["city"] == "Lund"
    for number in (theirs, "999999", "x"):
        refused = shop_api.put(f"/customers/{EMAIL}/orders/{number}/shipping-address", {"city": "Lund"})
        assert (refused.status_code, refused.json()) == (404, {"errors": {"order": "not found"}})
    api.call(_mark, mine, OrderStatus.COMPLETED)
    late = shop_api.put(f"/customers/{EMAIL}/orders/{mine}/shipping-address", {"city": "Ystad"})
    assert late.status_code == 409 and set(late.json()["errors"]) == {"order"}
    unknown = shop_api.put(f"/customers/{EMAIL}/orders/{mine}/shipping-address", {"fax": "1"})
    assert (unknown.status_code, unknown.json()) == (400, {"errors": {"fax": "unknown"}})


def _buy_logged_in(shop_api: ShopClient, item: str, email: str) -> str:
    selection = _cart(shop_api, item)
    assert shop_api.post(f"/customers/{email}/login", {"password": "secret-enough", "selection": selection}).is_success
    paid = shop_api.post(f"/selections/{selection}/payment", _pay(email))
    number: str = paid.json()["order"]
    return number


async def _signups(db: Database) -> tuple[list[str], list[tuple[str, str]]]:
    async with db.read() as session:
        letters = list(await session.scalars(select(NewsletterSubscription.email)))
        waiting = [(r.email, r.country) for r in await session.scalars(select(BackInStockSubscription))]
        return letters, waiting


def test_newsletter_and_back_in_stock_sign_ups(api: ApiHarness, shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    item = shop_world.ids.items["tee-black-S"]
    signed = shop_api.post("/customers/news@example.com/newsletter-subscription", {"country": "se", "item": item})
    assert (signed.status_code, signed.json()) == (200, {"subscribed": True})
    bot = shop_api.post("/customers/bot@example.com/newsletter-subscription", {"email_field": "x"})
    assert (bot.status_code, bot.json()) == (200, {"subscribed": True})
    assert shop_api.post("/customers/news@example.com/newsletter-subscription", {"hello": 1}).json() == {
        "errors": {"hello": "unknown"}
    }
    waiting = shop_api.post(
        "/back-in-stock-subscription", {"item": item, "shipTo": {"country": "SE"}, "email": "w@example.com"}
    )
    assert (waiting.status_code, waiting.json()) == (200, {"subscribed": True})
    by_path = shop_api.post(
        "/customers/v@example.com/back-in-stock-subscription", {"item": item, "shipTo": {"country": "DE"}}
    )
    assert by_path.status_code == 200, by_path.text
    no_email = shop_api.post("/back-in-stock-subscription", {"item": item, "shipTo": {"country": "SE"}})
    assert no_email.status_code == 400 and set(no_email.json()["errors"]) == {"email"}
    nowhere = shop_api.post(
        "/back-in-stock-subscription", {"item": item, "shipTo": {"country": "XX"}, "email": "w@example.com"}
    )
    assert (nowhere.status_code, nowhere.json()) == (404, {"errors": {"shipTo.country": "country not found"}})
    letters, waits = api.call(_signups)
    assert letters == ["news@example.com"]
    assert sorted(waits) == [("v@example.com", "DE"), ("w@example.com", "SE")]


async def _logged_in(db: Database, world: ShopApiWorld, selection: str, email: str) -> None:
    """``address.loggedIn``: the caller vouches for the login; the email's account takes the selection."""
    shop = Storefront(db, CheckoutCache(), Channel(store_id=world.ids.store, plugin_id=world.plugin, server_mode=True))
    async with changing(shop, SelectionKey(selection)) as change:
        await account_by_email.attach_account_in(change, email)


def test_a_logged_in_payment_attaches_the_emails_account(
    api: ApiHarness, shop_world: ShopApiWorld, shop_api: ShopClient
) -> None:
    selection = _cart(shop_api, shop_world.ids.items["tee-black-M"])
    with pytest.raises(NotFound):
        api.call(_logged_in, shop_world, selection, EMAIL)
    assert shop_api.get(f"/selections/{selection}").json()["customer"] == ""
    customer = shop_api.post(f"/customers/{EMAIL}/register", {"password": "secret-enough"}).json()["customer"]
    api.call(_logged_in, shop_world, selection, EMAIL.upper())
    assert shop_api.get(f"/selections/{selection}").json()["customer"] == customer
