"""Issue 11: taking over what belongs to a shopper through the account endpoints.

- #2: registering a guest buyer's email must not show that guest's orders
  (names, street addresses) until the email is proven, by a mailed link used
  while logged in to the account, or by a password reset.
- #4: changing or resetting a password logs out the customer's other sessions.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from tests.api.checkout.conftest import CHECKOUT_ADDRESS, Browser, ShopIds, adapter_state, pay_body
from tests.conftest import ApiHarness

from opencentra.mail import Email, RecordingMailer

VICTIM = "guestvictim@example.com"


@pytest.fixture
def mail(api: ApiHarness, shop: ShopIds) -> RecordingMailer:
    mailer = RecordingMailer()
    state = adapter_state(api)
    state.checkout = dataclasses.replace(state.checkout, mailer=mailer)
    return mailer


def guest_order(api: ApiHarness, shop: ShopIds, email: str, street: str) -> dict[str, Any]:
    """A guest (nobody logged in) buys a tee with ``email`` and ships it to ``street``."""
    guest = Browser(api.client)
    guest.post(f"/items/{shop.items['tee-black-S']}")
    address = {**CHECKOUT_ADDRESS, "email": email, "firstName": "Greta", "lastName": "Guest", "address1": street}
    paid = guest.post("/payment", pay_body(address=address))
    assert paid.status_code == 200, paid.text
    assert paid.json()["action"] == "success"
    order: dict[str, Any] = paid.json()["order"]
    return order


def link_in(email: Email) -> dict[str, str]:
    link = next(line for line in email.text.splitlines() if line.startswith("https://"))
    return {"link": link, **dict(parse_qsl(urlsplit(link).query))}


def orders_of(browser: Browser) -> list[str]:
    answer = browser.post("/orders", {})
    assert answer.status_code == 200, answer.text
    return [order["order"] for order in answer.json()["orders"]]


def test_registering_a_guest_email_does_not_show_the_guests_orders(
    api: ApiHarness, browser: Browser, shop: ShopIds, mail: RecordingMailer
) -> None:
    order = guest_order(api, shop, VICTIM, "Victim Street 1")

    attacker = Browser(api.client)
    registered = attacker.post("/register", {"email": VICTIM, "password": "anything"})
    # A Centra client works unchanged: registering logs in...
    assert registered.status_code == 200, registered.text
    logged_in = registered.json()["loggedIn"]
    assert logged_in["email"] == VICTIM
    # ...but the account starts with what the registration said, not the guest's name and street,
    assert (logged_in["firstName"], logged_in["lastName"], logged_in["address1"]) == ("", "", "")
    # and its orders list has no guest orders.
    listed = attacker.post("/orders", {})
    assert listed.json()["orders"] == []
    assert listed.json()["ordersPaging"]["totalSize"] == 0
    assert "Victim Street" not in listed.text and "Greta" not in listed.text

    # The verification link went to the guest's inbox.
    [sent] = mail.sent
    assert (sent.to, sent.kind) == (VICTIM, "email-verification")
    link = link_in(sent)
    assert link["link"].startswith("https://shop.example/verify-email?id=")
    # Guessing the code does not verify, nor does the link without the account's password:
    # the guest, clicking it in a mail they never asked for, hands nothing over.
    guessed = attacker.post("/email-verification", {"id": link["id"], "i": "0" * 32})
    assert (guessed.status_code, guessed.json()["errors"]) == (
        406,
        {"i": "the verification link is invalid or has expired"},
    )
    clicked = Browser(api.client).post("/email-verification", {"id": link["id"], "i": link["i"]})
    assert (clicked.status_code, clicked.json()["errors"]) == (403, {"accessRight": "denied"})
    assert orders_of(attacker) == []

    # Orders the guest places later, without logging in, stay hidden as well.
    guest_order(api, shop, VICTIM, "Victim Street 1")
    assert orders_of(attacker) == []

    # The guest takes the account back with a password reset (the link goes to their inbox):
    # every session of the account is logged out, and the email is verified.
    victim = Browser(api.client)
    assert victim.post(f"/password-reset-email/{VICTIM}", {}).status_code == 200
    reset = link_in(mail.sent[-1])
    done = victim.post("/password-reset", {"id": reset["id"], "i": reset["i"], "newPassword": "mine-again"})
    assert done.status_code == 200, done.text
    assert attacker.get("/customer").status_code == 403
    assert attacker.post("/login/" + VICTIM, {"password": "anything"}).status_code == 406
    mine = orders_of(victim)
    assert len(mine) == 2 and order["order"] in mine


def test_the_owner_verifies_with_the_link_while_logged_in(
    api: ApiHarness, browser: Browser, shop: ShopIds, mail: RecordingMailer
) -> None:
    order = guest_order(api, shop, "owner@example.com", "Own Street 2")
    browser.post(
        "/register", {"email": "owner@example.com", "password": "secret", "verificationLinkUri": "/account/verify"}
    )
    assert orders_of(browser) == []
    [sent] = mail.sent
    link = link_in(sent)
    assert link["link"].startswith("https://shop.example/account/verify?id=")
    assert sent.subject == "Confirm your email address"

    # On another device: log in, then use the link.
    phone = Browser(api.client)
    phone.post("/login/owner@example.com", {"password": "secret"})
    verified = phone.post("/email-verification", {"id": link["id"], "i": link["i"]})
    assert verified.status_code == 200, verified.text
    assert verified.json()["loggedIn"]["email"] == "owner@example.com"
    assert orders_of(phone) == [order["order"]]
    assert orders_of(browser) == [order["order"]]
    # Used once; a verified account gets no more links.
    again = phone.post("/email-verification", {"id": link["id"], "i": link["i"]})
    assert again.status_code == 406
    assert phone.post("/email-verification-email", {}).status_code == 200
    assert len(mail.sent) == 1


def test_proving_another_address_shows_nothing_of_the_first(
    api: ApiHarness, browser: Browser, shop: ShopIds, mail: RecordingMailer
) -> None:
    """Register the victim's guest email, switch to an address of one's own, verify that: still nothing."""
    guest_order(api, shop, VICTIM, "Victim Street 1")
    browser.post("/register", {"email": VICTIM, "password": "anything"})
    victims_link = link_in(mail.sent[0])
    assert browser.put("/email", {"newEmail": "attacker@example.com"}).status_code == 200
    # A link sent to the old address verifies nothing any more.
    stale = browser.post("/email-verification", {"id": victims_link["id"], "i": victims_link["i"]})
    assert stale.status_code == 406
    own = guest_order(api, shop, "attacker@example.com", "Own Street 4")
    assert orders_of(browser) == []
    # A new link, on request, goes to the current address.
    assert browser.post("/email-verification-email", {"linkUri": "confirm"}).status_code == 200
    assert (mail.sent[-1].to, mail.sent[-1].kind) == ("attacker@example.com", "email-verification")
    fresh = link_in(mail.sent[-1])
    assert fresh["link"].startswith("https://shop.example/confirm?id=")
    assert browser.post("/email-verification", {"id": fresh["id"], "i": fresh["i"]}).status_code == 200
    # Verified: the guest orders placed with that address show; the victim's, placed with theirs, do not.
    assert orders_of(browser) == [own["order"]]
    # Asking for a link needs a login.
    assert Browser(api.client).post("/email-verification-email", {}).status_code == 403


def test_an_email_registered_first_does_not_collect_later_guest_orders(
    api: ApiHarness, browser: Browser, shop: ShopIds, mail: RecordingMailer
) -> None:
    attacker = Browser(api.client)
    attacker.post("/register", {"email": VICTIM, "password": "anything"})
    assert mail.sent == []  # nothing to verify yet: no mail
    guest_order(api, shop, VICTIM, "Victim Street 1")
    assert orders_of(attacker) == []
    # What the account ordered while logged in is its own.
    attacker.post(f"/items/{shop.items['scarf-print-One Size']}")
    paid = attacker.post("/payment", pay_body())
    assert paid.status_code == 200, paid.text
    assert orders_of(attacker) == [paid.json()["order"]["order"]]


def test_the_verification_code_is_never_logged(
    api: ApiHarness, browser: Browser, shop: ShopIds, caplog: pytest.LogCaptureFixture
) -> None:
    guest_order(api, shop, "quiet@example.com", "Quiet Street 5")
    with caplog.at_level(logging.DEBUG):
        assert browser.post("/register", {"email": "quiet@example.com", "password": "secret"}).status_code == 200
    records = [r.getMessage() for r in caplog.records if r.name == "opencentra.mail"]
    assert len(records) == 1 and "email-verification" in records[0]
    assert not any("&i=" in r.getMessage() or "?id=" in r.getMessage() for r in caplog.records)


def test_changing_the_password_logs_out_the_other_sessions(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    browser.post("/register", {"email": "ann@example.com", "password": "secret"})
    browser.put("/countries/SE")
    browser.post(f"/items/{shop.items['tee-black-S']}")
    stolen = Browser(api.client)
    assert stolen.post("/login/ann@example.com", {"password": "secret"}).status_code == 200
    assert stolen.get("/selection").json()["selection"]["items"]  # the account's cart

    changed = browser.put("/password", {"password": "secret", "newPassword": "better"})
    assert changed.status_code == 200, changed.text
    # The session that made the change stays logged in; every other one is out, without the account's cart.
    assert browser.get("/customer").json()["loggedIn"]["email"] == "ann@example.com"
    assert stolen.get("/customer").status_code == 403
    assert stolen.get("/selection").json()["selection"]["items"] == []
    assert stolen.post("/orders", {}).status_code == 403
    assert stolen.post("/login/ann@example.com", {"password": "secret"}).status_code == 406


def test_a_password_reset_logs_out_every_session(
    api: ApiHarness, browser: Browser, shop: ShopIds, mail: RecordingMailer
) -> None:
    browser.post("/register", {"email": "bea@example.com", "password": "secret"})
    other = Browser(api.client)
    other.post("/login/bea@example.com", {"password": "secret"})
    resetting = Browser(api.client)
    resetting.post("/password-reset-email/bea@example.com", {})
    link = link_in(mail.sent[-1])
    done = resetting.post("/password-reset", {"id": link["id"], "i": link["i"], "newPassword": "renewed"})
    assert done.status_code == 200, done.text
    assert done.json()["loggedIn"]["email"] == "bea@example.com"
    assert browser.get("/customer").status_code == 403
    assert other.get("/customer").status_code == 403
    assert resetting.get("/customer").status_code == 200
