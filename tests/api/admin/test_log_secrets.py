"""No password, session token or issued secret of the admin UI reaches a log record."""

from __future__ import annotations

import logging
import re

import pytest
from tests.api.admin.conftest import ADMIN, Browser
from tests.conftest import ApiHarness

from opencentra.api.admin.web import SESSION_COOKIE

_SECRET = re.compile(r'id="issued-secret" type="text" readonly value="([^"]+)"')


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_admin_flows_log_no_secret(
    api: ApiHarness, admin_world: dict[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("opencentra", "sqlalchemy", "sqlalchemy.engine", "uvicorn", "starlette"):
        caplog.set_level(logging.DEBUG, logger=name)
    browser = Browser(api)
    browser.login(ADMIN[0], "a wrong password to log")
    browser.login(*ADMIN)
    session_token = browser.client.cookies[SESSION_COOKIE]
    created = browser.post(f"/ams/system/stores/{admin_world['first']}/plugins/new", {"type": "shop", "uri": "shop"})
    found = _SECRET.search(created.text)
    assert found
    soap = _SECRET.search(browser.post("/ams/system/soap-users", {"action": "create", "username": "erp"}).text)
    assert soap
    browser.post(
        "/ams/account/password",
        {"current_password": ADMIN[1], "new_password": "the next password", "repeat_password": "the next password"},
    )
    secrets = {
        "admin password": ADMIN[1],
        "wrong password": "a wrong password to log",
        "new password": "the next password",
        "session token": session_token,
        "new session token": browser.client.cookies[SESSION_COOKIE],
        "plugin secret": found.group(1),
        "SOAP password": soap.group(1),
    }
    assert caplog.records, "nothing was logged: the scan would prove nothing"
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + (record.exc_text or "")
        for what, secret in secrets.items():
            assert secret not in text, f"{what} in a log record of {record.name}"
