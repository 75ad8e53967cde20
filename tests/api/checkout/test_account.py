"""Customer handling through the session: accounts, passwords, orders, newsletter, back-in-stock, wishlist."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import uvicorn
from sqlalchemy import select
from starlette.testclient import TestClient
from tests.api.checkout.conftest import Browser, ShopIds, adapter_state, build_shop, capture_mail, pay_body
from tests.conftest import ApiHarness, _truncate_all

from opencentra import cli
from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.customers.models import BackInStockSubscription, Customer, NewsletterSubscription
from opencentra.db.engine import Database
from opencentra.ratelimit import ManualClock
from opencentra.ratelimit.throttle import MemoryCounterStore, Throttle, Throttles


def test_register_login_and_account_changes(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    registered = browser.post(
        "/register",
        {
            "email": "ann@example.com",
            "password": "secret",
            "firstName": "Ann",
            "address": {"city": "Lund", "country": "se"},
        },
    )
    assert registered.status_code == 200, registered.text
    assert registered.json()["loggedIn"]["firstName"] == "Ann"
    assert registered.json()["loggedIn"]["country"] == "SE"
    again = Browser(browser.client).post("/register", {"email": "ANN@example.com", "password": "secret"})
    assert (again.status_code, again.json()["errors"]) == (409, {"email": "already registered"})
    weak = Browser(browser.client).post("/register", {"email": "bo@example.com", "password": "abc"})
    assert (weak.status_code, list(weak.json()["errors"])) == (406, ["password"])
    assert Browser(browser.client).post("/register", {"email": "nope", "password": "secret"}).status_code == 406

    assert browser.get("/customer").json()["loggedIn"]["email"] == "ann@example.com"
    updated = browser.put("/customer/update", {"firstName": "Anna", "newsletter": True, "language": "sv"}).json()
    assert (updated["loggedIn"]["firstName"], updated["loggedIn"]["newsletter"]) == ("Anna", True)
    assert (
        browser.put("/address", {"address1": "Main St 1", "zipCode": "22100"}).json()["loggedIn"]["address1"]
        == "Main St 1"
    )
    assert browser.put("/email", {"newEmail": "anna@example.com"}).json()["loggedIn"]["email"] == "anna@example.com"
    wrong = browser.put("/password", {"password": "bad", "newPassword": "better"})
    assert (wrong.status_code, wrong.json()["errors"]) == (406, {"password": "incorrect"})
    assert browser.put("/password", {"password": "secret", "newPassword": "better"}).status_code == 200
    browser.post("/logout")

    for method, path, body in (
        ("GET", "/customer", None),
        ("PUT", "/customer/update", {"firstName": "X"}),
        ("PUT", "/address", {"city": "X"}),
        ("PUT", "/email", {"newEmail": "x@example.com"}),
        ("PUT", "/password", {"password": "a", "newPassword": "bbbb"}),
        ("POST", "/orders", {}),
        ("GET", "/customer/wishlists/0", None),
    ):
        denied = browser.request(method, path, json=body)
        assert denied.status_code == 403, path
        assert denied.json()["errors"] == {"accessRight": "denied"}

    failed = browser.post("/login/anna@example.com", {"password": "secret"})
    assert (failed.status_code, failed.json()["errors"]) == (406, {"password": "incorrect"})
    unknown = browser.post("/login/nobody@example.com", {"password": "secret"})
    assert unknown.json()["errors"] == {"password": "incorrect"}
    assert browser.post("/login/anna@example.com", {"password": "better"}).json()["loggedIn"]["firstName"] == "Anna"


class Waits:
    """The login throttle's waits, recorded instead of slept."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def record_waits(state: Any) -> Waits:
    """Give the Checkout API a throttle on a clock that stands still and record its waits."""
    waits = Waits()
    throttle = Throttle(MemoryCounterStore(ManualClock()), sleep=waits)
    state.checkout = dataclasses.replace(state.checkout, throttle=Throttles(lambda _redis_url: throttle))
    return waits


def test_wrong_passwords_slow_an_account_down_but_never_refuse_its_password(
    api: ApiHarness, browser: Browser, shop: ShopIds
) -> None:
    """Issue 11 #3: ten wrong passwords for an email used to answer its owner's right password with 429."""
    waits = record_waits(adapter_state(api))
    browser.post("/register", {"email": "target@example.com", "password": "right"})
    attacker = Browser(browser.client)
    codes = [attacker.post("/login/target@example.com", {"password": "guess"}).status_code for _ in range(10)]
    assert codes == [406] * 10
    # Past five failures each attempt for the account waits longer before its password is checked.
    assert waits.seconds == [1, 2, 4, 8, 16]
    owner = Browser(browser.client).post("/login/target@example.com", {"password": "right"})
    assert owner.status_code == 200, owner.text
    assert owner.json()["loggedIn"]["email"] == "target@example.com"
    assert waits.seconds[-1] == 16


def test_successful_logins_are_not_counted(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    waits = record_waits(adapter_state(api))
    browser.post("/register", {"email": "often@example.com", "password": "right"})
    codes = {
        Browser(browser.client).post("/login/often@example.com", {"password": "right"}).status_code for _ in range(51)
    }
    assert codes == {200}
    assert waits.seconds == []


def test_a_client_with_many_failures_is_refused(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    record_waits(adapter_state(api))
    codes = {browser.post(f"/login/nobody{n}@example.com", {"password": "guess"}).status_code for n in range(50)}
    assert codes == {406}
    refused = browser.post("/login/nobody@example.com", {"password": "guess"})
    assert (refused.status_code, refused.json()["errors"]) == (429, {"email": "too many attempts; try again later"})
    assert refused.headers["retry-after"] == "300"


def _served_app(monkeypatch: pytest.MonkeyPatch, database_url: str, database: Database, *flags: str) -> Any:
    """The app wrapped the way ``opencentra serve <flags>`` has uvicorn wrap it."""
    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda _app, **options: served.update(options))
    monkeypatch.setattr(cli, "_migrate", lambda _url: None)
    monkeypatch.setenv("OPENCENTRA_DATABASE_URL", database_url)  # serve sets it; restored afterwards
    cli.main(["serve", *flags])
    app = create_app(Settings(database_url=database_url, plugin_cache_seconds=0), database=database)
    config = uvicorn.Config(
        app, proxy_headers=served["proxy_headers"], forwarded_allow_ips=served["forwarded_allow_ips"]
    )
    config.load()
    return config.loaded_app


@pytest.fixture
def behind_proxy(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[ApiHarness]:
    """The app served with ``--forwarded-allow-ips 10.0.0.1``; every request comes through that proxy."""
    database = Database.from_url(database_url)
    app = _served_app(monkeypatch, database_url, database, "--forwarded-allow-ips", "10.0.0.1")
    try:
        with TestClient(app, client=("10.0.0.1", 40000)) as client:
            yield ApiHarness(client, database)
            assert client.portal is not None
            client.portal.call(database.dispose)
    finally:
        _truncate_all(database_url)


def test_one_client_behind_a_proxy_cannot_lock_out_the_others(behind_proxy: ApiHarness) -> None:
    """Issue 11 #3: behind a reverse proxy every shopper had the proxy's address, so 50 failures refused everyone."""
    behind_proxy.call(build_shop)
    shopper = Browser(behind_proxy.client, headers={"X-Forwarded-For": "203.0.113.10"})
    shopper.post("/register", {"email": "shopper@example.com", "password": "right"})
    shopper.post("/logout")
    attacker = Browser(behind_proxy.client, headers={"X-Forwarded-For": "198.51.100.66"})
    for n in range(50):
        assert attacker.post(f"/login/victim{n}@example.com", {"password": "guess"}).status_code == 406
    assert attacker.post("/login/victim@example.com", {"password": "guess"}).status_code == 429
    # The attacker's failures are the attacker's: the shopper, a different client, logs in.
    logged_in = shopper.post("/login/shopper@example.com", {"password": "right"})
    assert logged_in.status_code == 200, logged_in.text


def test_password_reset_by_link(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    sent = capture_mail(api)
    browser.post("/register", {"email": "reset@example.com", "password": "forgotten"})
    browser.post("/logout")
    asked = browser.post("/password-reset-email/reset@example.com", {"linkUri": "account/reset"})
    assert asked.status_code == 200
    quiet = browser.post("/password-reset-email/stranger@example.com", {})
    assert quiet.status_code == 200  # the same answer for unknown emails
    assert len(sent) == 1
    to, link = sent[0]
    assert to == "reset@example.com"
    assert link.startswith("https://shop.example/account/reset?id=")
    query = dict(parse_qsl(urlsplit(link).query))
    bad = browser.post("/password-reset", {"id": query["id"], "i": "0" * 32, "newPassword": "remembered"})
    assert (bad.status_code, bad.json()["errors"]) == (406, {"i": "the reset link is invalid or has expired"})
    done = browser.post("/password-reset", {"id": query["id"], "i": query["i"], "newPassword": "remembered"})
    assert done.status_code == 200
    assert done.json()["loggedIn"]["email"] == "reset@example.com"
    # Used once only.
    assert browser.post("/password-reset", {**query, "newPassword": "again"}).status_code == 406
    assert Browser(browser.client).post("/login/reset@example.com", {"password": "remembered"}).status_code == 200


async def _subscriptions(db: Database) -> tuple[list[str], list[tuple[str, str]], bool]:
    async with db.read() as session:
        newsletter = [s.email for s in await session.scalars(select(NewsletterSubscription))]
        stock = [(s.email, s.country) for s in await session.scalars(select(BackInStockSubscription))]
        customer = await session.scalar(select(Customer).where(Customer.email == "fan@example.com"))
        return newsletter, stock, bool(customer and customer.newsletter)


def test_newsletter_back_in_stock_and_wishlist(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    assert browser.post("/newsletter-subscription/news@example.com", {"country": "SE"}).json()["subscribed"] is True
    assert browser.post("/newsletter-subscription", {"email": "news@example.com"}).json()["subscribed"] is True
    assert browser.post("/newsletter-subscription", {"email": "bot@example.com", "email_field": "x"}).status_code == 200
    assert browser.post("/newsletter-subscription", {}).json()["errors"] == {"email": "required"}
    assert browser.post("/newsletter-subscription", {"email": "x@example.com", "country": "XX"}).status_code == 404
    item = shop.items["tee-black-S"]
    wanted = browser.post(
        "/back-in-stock-subscription", {"item": item, "shipTo": {"country": "SE"}, "email": "w@example.com"}
    )
    assert wanted.status_code == 200, wanted.text
    anonymous = browser.post("/back-in-stock-subscription", {"item": item, "shipTo": {"country": "SE"}})
    assert anonymous.json()["errors"] == {"email": "required"}
    assert (
        browser.post(
            "/back-in-stock-subscription", {"item": "9-9", "shipTo": {"country": "SE"}, "email": "w@example.com"}
        ).status_code
        == 404
    )

    browser.post("/register", {"email": "fan@example.com", "password": "secret"})
    browser.post("/newsletter-subscription", {"email": "fan@example.com"})
    newsletter, stock, flagged = api.call(_subscriptions)
    assert sorted(newsletter) == ["fan@example.com", "news@example.com"]
    assert stock == [("w@example.com", "SE")]
    assert flagged

    product = shop.products["tee-black"]
    empty = browser.get("/customer/wishlists/0").json()
    assert empty["wishlist"] == {"wishlist": 0, "isDefault": True, "items": []}
    added = browser.post(f"/customer/wishlists/0/items/{product}").json()["wishlist"]["items"]
    assert [entry["product"] for entry in added] == [product]
    duplicate = browser.post(f"/customer/wishlists/0/items/{product}")
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"] == {"wishlist": f"Cannot add display {product} to wishlist 0: duplicate item"}
    assert browser.post("/customer/wishlists/0/items/999999").json()["errors"] == {
        "displayItem": "display item not found"
    }
    assert browser.get("/customer/wishlists/7").json()["errors"] == {"wishlist": "not found"}
    assert browser.post(f"/customer/wishlists/3/items/{product}").json()["errors"] == {
        "wishlist": "Could not find a wishlist with id 3"
    }
    assert browser.delete(f"/customer/wishlists/0/items/{product}").json()["wishlist"]["items"] == []
    assert browser.delete(f"/customer/wishlists/0/items/{product}").status_code == 404


def test_login_merges_the_anonymous_cart_and_orders_page(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    browser.post("/register", {"email": "merge@example.com", "password": "secret"})
    browser.put("/countries/SE")
    browser.post(f"/items/{shop.items['tee-black-S']}")
    browser.post("/logout")
    browser.post(f"/items/{shop.items['jeans-blue-M']}")
    merged = browser.post("/login/merge@example.com", {"password": "secret"}).json()["selection"]["items"]
    assert sorted(i["item"] for i in merged) == sorted([shop.items["tee-black-S"], shop.items["jeans-blue-M"]])
    for _ in range(3):
        paid = browser.post("/payment", pay_body())
        assert paid.status_code == 200, paid.text
        browser.post(f"/items/{shop.items['scarf-print-One Size']}")
    page = browser.post("/orders", {"from": 1, "size": 1}).json()
    assert page["ordersPaging"] == {"from": 1, "size": 1, "totalSize": 3}
    assert len(page["orders"]) == 1
    assert browser.post("/orders", {"from": -1}).status_code == 400
