"""Password-reset email through the Mailer: recorded in tests, logged (without the link) when no SMTP is set."""

from __future__ import annotations

import dataclasses
import logging
from urllib.parse import parse_qsl, urlsplit

import pytest
from tests.api.checkout.conftest import Browser, ShopIds, adapter_state
from tests.conftest import ApiHarness

from opencentra.mail import RecordingMailer


def test_reset_email_goes_through_the_mailer(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    mailer = RecordingMailer()
    state = adapter_state(api)
    state.checkout = dataclasses.replace(state.checkout, mailer=mailer)
    browser.post("/register", {"email": "mail@example.com", "password": "forgotten"})
    browser.post("/logout")
    answer = browser.post("/password-reset-email/mail@example.com", {"linkUri": "reset"})
    assert answer.status_code == 200
    assert "token" in answer.json()
    assert browser.post("/password-reset-email/nobody@example.com", {}).status_code == 200
    assert [(m.to, m.kind) for m in mailer.sent] == [("mail@example.com", "password-reset")]
    email = mailer.sent[0]
    assert email.subject == "Reset your password"
    link = next(line for line in email.text.splitlines() if line.startswith("https://"))
    assert link.startswith("https://shop.example/reset?id=")
    query = dict(parse_qsl(urlsplit(link).query))
    done = browser.post("/password-reset", {"id": query["id"], "i": query["i"], "newPassword": "remembered"})
    assert done.status_code == 200
    assert done.json()["loggedIn"]["email"] == "mail@example.com"


def test_without_smtp_the_email_is_logged_without_its_secret(
    api: ApiHarness, browser: Browser, shop: ShopIds, caplog: pytest.LogCaptureFixture
) -> None:
    browser.post("/register", {"email": "logged@example.com", "password": "forgotten"})
    browser.post("/logout")
    with caplog.at_level(logging.INFO, logger="opencentra.mail"):
        assert browser.post("/password-reset-email/logged@example.com", {}).status_code == 200
    records = [r.getMessage() for r in caplog.records if r.name == "opencentra.mail"]
    assert len(records) == 1
    assert "logged@example.com" in records[0] and "password-reset" in records[0]
    assert "?id=" not in records[0] and "&i=" not in records[0]
