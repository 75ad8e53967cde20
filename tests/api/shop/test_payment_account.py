"""Shop API ``POST /selections/{id}/payment`` with the shopper's account, as Centra's subscription guide
shows it: ``address.loggedIn: true`` (the caller checked the password) and ``address.register: true`` with
``address.password`` (an account made while paying). Both make the order the account's."""

from __future__ import annotations

from typing import Any

from tests.api.checkout.conftest import CHECKOUT_ADDRESS
from tests.api.shop.conftest import ShopApiWorld, ShopClient

EMAIL = "payer@example.com"


def _pay(email: str, **address: Any) -> dict[str, Any]:
    return {
        "paymentMethod": "test-card",
        "paymentReturnPage": "https://shop.example/return",
        "termsAndConditions": True,
        "address": {**CHECKOUT_ADDRESS, "email": email, **address},
    }


def _cart(shop_api: ShopClient, item: str) -> str:
    created = shop_api.post("/selections", {"country": "SE"})
    assert created.status_code == 201, created.text
    selection: str = created.json()["selection"]
    assert shop_api.post(f"/selections/{selection}/items/{item}").status_code == 201
    return selection


def _orders(shop_api: ShopClient, email: str) -> list[str]:
    listed = shop_api.get(f"/customers/{email}/orders")
    assert listed.status_code == 200, listed.text
    return [order["order"] for order in listed.json()["orders"]]


def test_logged_in_at_payment_makes_the_order_the_accounts(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    item = shop_world.ids.items["tee-black-M"]
    selection = _cart(shop_api, item)
    # No account with this email: 404 on the field the body named, and nothing was paid.
    unknown = shop_api.post(f"/selections/{selection}/payment", _pay(EMAIL, loggedIn=True))
    assert unknown.status_code == 404 and set(unknown.json()["errors"]) == {"address.email"}, unknown.text
    assert shop_api.get(f"/selections/{selection}").json()["customer"] == ""

    customer = shop_api.post(f"/customers/{EMAIL}/register", {"password": "secret-enough"}).json()["customer"]
    paid = shop_api.post(f"/selections/{selection}/payment", _pay(EMAIL.upper(), loggedIn=True))
    assert paid.status_code == 200 and paid.json()["action"] == "success", paid.text
    assert paid.json()["customer"] == customer
    # Placed while logged in: the account's own orders show it (a guest order would wait for verification).
    assert _orders(shop_api, EMAIL) == [paid.json()["order"]]

    # loggedIn: false is a guest payment, as without the key.
    guest = _cart(shop_api, item)
    paid_as_guest = shop_api.post(f"/selections/{guest}/payment", _pay(EMAIL, loggedIn=False))
    assert paid_as_guest.status_code == 200, paid_as_guest.text
    assert _orders(shop_api, EMAIL) == [paid.json()["order"]]


def test_register_at_payment_makes_the_account_and_its_order(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    item = shop_world.ids.items["tee-black-M"]
    selection = _cart(shop_api, item)
    # register without a password: 400 naming it, no account made.
    bare = shop_api.post(f"/selections/{selection}/payment", _pay(EMAIL, register=True))
    assert bare.status_code == 406 and "address.password" in bare.json()["errors"], bare.text
    assert shop_api.post(f"/customers/{EMAIL}/login", {"password": "secret-enough"}).status_code == 406
    short = shop_api.post(f"/selections/{selection}/payment", _pay(EMAIL, register=True, password="x"))
    assert short.status_code >= 400 and set(short.json()["errors"]) == {"address.password"}, short.text

    # The terms not accepted: the account is made and the selection is its; the retry does not register twice.
    body = _pay(EMAIL, register=True, password="secret-enough")
    refused = shop_api.post(f"/selections/{selection}/payment", {**body, "termsAndConditions": False})
    assert refused.status_code >= 400 and set(refused.json()["errors"]) == {"termsAndConditions"}, refused.text
    paid = shop_api.post(f"/selections/{selection}/payment", body)
    assert paid.status_code == 200 and paid.json()["action"] == "success", paid.text

    logged_in = shop_api.post(f"/customers/{EMAIL}/login", {"password": "secret-enough"})
    assert logged_in.status_code == 200, logged_in.text
    assert logged_in.json()["firstName"] == CHECKOUT_ADDRESS["firstName"]
    assert paid.json()["customer"] == logged_in.json()["customer"]
    assert _orders(shop_api, EMAIL) == [paid.json()["order"]]

    # Registering an email that already has an account, on another selection: 409 on address.email.
    other = _cart(shop_api, item)
    taken = shop_api.post(f"/selections/{other}/payment", body)
    assert (taken.status_code, taken.json()) == (409, {"errors": {"address.email": "already registered"}})


def test_account_fields_are_strict_and_need_an_email(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    selection = _cart(shop_api, shop_world.ids.items["tee-black-M"])
    odd = shop_api.post(f"/selections/{selection}/payment", _pay(EMAIL, loggedIn="maybe"))
    assert odd.status_code == 400 and "address.loggedIn" in odd.json()["errors"], odd.text
    body = _pay(EMAIL, loggedIn=True)
    del body["address"]["email"]
    no_email = shop_api.post(f"/selections/{selection}/payment", body)
    assert (no_email.status_code, no_email.json()) == (406, {"errors": {"address.email": "required"}})
    missing = shop_api.post("/selections/" + "0" * 32 + "/payment", _pay(EMAIL, loggedIn=True))
    assert (missing.status_code, missing.json()) == (404, {"errors": {"selection": "not found"}})


def test_registering_is_for_the_payment_only(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    """``checkout-fields`` takes the address, not an account: ``register``/``password`` there are unknown."""
    selection = _cart(shop_api, shop_world.ids.items["tee-black-M"])
    body = {"address": {"email": EMAIL, "register": True, "password": "secret-enough"}}
    refused = shop_api.put(f"/selections/{selection}/checkout-fields", body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"] == {"address.register": "unknown", "address.password": "unknown"}
