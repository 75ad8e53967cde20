"""Logging in, sessions, CSRF, roles, logout and the password change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.routing import Mount, Route
from tests.api.admin.conftest import ADMIN, MANAGER, Browser
from tests.conftest import ApiHarness

from opencentra.api.admin.app import ROUTES, create_admin_app
from opencentra.api.admin.web import SESSION_COOKIE
from opencentra.integration import admin_access
from opencentra.integration import services as integration


def _concrete(path: str, world: dict[str, int]) -> str:
    return (
        path.replace("{store_id}", str(world["first"]))
        .replace("{plugin_id}", "1")
        .replace("{token_id}", "1")
        .replace("{order_id}", "1")
        .replace("{action}", "confirm")
        .replace("{product_id}", "1")
        .replace("{customer_id}", "1")
        .replace("{contract_id}", "1")
        .replace("{voucher_id}", "1")
        .replace("{campaign_id}", "1")
    )


def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(browser: Browser, admin_world: dict[str, int]) -> None:
    assert browser.get("/ams/").headers["location"] == "/ams/login?next=%2Fams%2F"
    login_page = browser.get("/ams/login")
    assert login_page.status_code == 200
    assert "default-src 'none'" in login_page.headers["content-security-policy"]

    answer = browser.login(*ADMIN, next_page="/ams/system/tokens")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ams/system/tokens"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Path=/ams" in cookie
    assert "Secure" not in cookie  # plain http here; https requests get Secure (next test)
    token = browser.client.cookies[SESSION_COOKIE]

    home = browser.get("/ams/")
    assert home.status_code == 200
    assert "SYSTEM" in home.text
    assert home.headers["cache-control"] == "no-store"

    assert browser.post("/ams/logout").status_code == 303
    # The old cookie, replayed, no longer opens anything: the session is gone server-side.
    replay = Browser(browser.api)
    replay.client.cookies.set(SESSION_COOKIE, token, path="/ams")
    assert replay.get("/ams/").status_code == 303


def test_cookie_is_secure_over_https(api: ApiHarness, admin_world: dict[str, int]) -> None:
    browser = Browser(api)
    browser.client.base_url = "https://testserver"  # type: ignore[assignment]
    browser.get("/ams/login")
    answer = browser.post("/ams/login", {"username": ADMIN[0], "password": ADMIN[1]})
    assert answer.status_code == 303
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}="))
    assert "Secure" in cookie


def test_wrong_password_and_unknown_user_get_the_same_answer(browser: Browser, admin_world: dict[str, int]) -> None:
    wrong = browser.login(ADMIN[0], "not the password")
    unknown = browser.login("nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password." in wrong.text
    assert SESSION_COOKIE not in browser.client.cookies


def test_login_needs_its_csrf_token_and_never_redirects_elsewhere(
    browser: Browser, admin_world: dict[str, int]
) -> None:
    browser.get("/ams/login")
    refused = browser.post("/ams/login", {"username": ADMIN[0], "password": ADMIN[1], "csrf_token": "forged"})
    assert refused.status_code == 403
    for target in ("https://evil.example/", "//evil.example/ams/", "/ams/\\evil", "/elsewhere", "javascript:x"):
        answer = browser.login(*ADMIN, next_page=target)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/ams/", target
        browser.post("/ams/logout")


def test_every_page_redirects_a_visitor_without_a_session(browser: Browser, admin_world: dict[str, int]) -> None:
    for route in ROUTES:
        path = "/ams" + _concrete(route.path, admin_world)
        for method in route.methods:
            answer = browser.client.request(method, path, follow_redirects=False)
            if method == "GET":
                assert answer.status_code == 303, path
                assert answer.headers["location"].startswith("/ams/login?next="), path
            else:
                assert answer.status_code == 401, path


def test_every_post_is_refused_without_the_csrf_token(root: Browser, admin_world: dict[str, int]) -> None:
    stores_before = root.get("/ams/system/stores").text
    for route in ROUTES:
        if "POST" not in route.methods:
            continue
        path = "/ams" + _concrete(route.path, admin_world)
        assert root.post(path, {"name": "Forged"}, csrf=False).status_code == 403, path
        assert root.post(path, {"name": "Forged", "csrf_token": "x" * 64}).status_code == 403, path
    assert root.get("/ams/system/stores").text.count("Forged") == stores_before.count("Forged") == 0
    # The session survived the refusals.
    assert root.get("/ams/").status_code == 200


def test_a_store_manager_reaches_only_their_stores(manager: Browser, admin_world: dict[str, int]) -> None:
    home = manager.get("/ams/")
    assert "First" in home.text
    assert "Second" not in home.text
    assert "SYSTEM" not in home.text
    for route in ROUTES:
        path = "/ams" + _concrete(route.path, admin_world)
        if route.system:
            for method in route.methods:
                answer = manager.get(path) if method == "GET" else manager.post(path, {})
                assert answer.status_code == 403, (method, path)
    assert manager.get(f"/ams/stores/{admin_world['first']}/orders").status_code == 200
    other = f"/ams/stores/{admin_world['second']}"
    assert manager.get(f"{other}/orders").status_code == 404
    assert manager.get(f"{other}/orders/1").status_code == 404
    assert manager.post(f"{other}/orders/1/cancel", {}).status_code == 404
    assert manager.get("/ams/stores/99999999/orders").status_code == 404
    assert manager.get("/ams/stores/x1/orders").status_code == 404


def test_password_change_ends_every_other_session(api: ApiHarness, admin_world: dict[str, int]) -> None:
    here, elsewhere = Browser(api), Browser(api)
    here.login(*MANAGER)
    elsewhere.login(*MANAGER)
    page = here.get("/ams/account/password")
    assert page.status_code == 200
    wrong = here.post(
        "/ams/account/password",
        {"current_password": "nope", "new_password": "a new password", "repeat_password": "a new password"},
    )
    assert wrong.status_code == 400
    assert "current password is wrong" in wrong.text
    short = here.post(
        "/ams/account/password",
        {"current_password": MANAGER[1], "new_password": "short", "repeat_password": "short"},
    )
    assert short.status_code == 400
    assert "at least 8" in short.text
    changed = here.post(
        "/ams/account/password",
        {"current_password": MANAGER[1], "new_password": "a new password", "repeat_password": "a new password"},
    )
    assert changed.status_code == 200, changed.text
    assert "Password changed" in changed.text
    # This browser goes on with its new session; the other one is logged out.
    assert here.get("/ams/").status_code == 200
    assert elsewhere.get("/ams/").status_code == 303
    assert here.post("/ams/logout").status_code == 303
    assert Browser(api).login(MANAGER[0], MANAGER[1]).status_code == 401
    assert Browser(api).login(MANAGER[0], "a new password").status_code == 303


def test_a_deactivated_admin_is_logged_out_at_once(api: ApiHarness, manager: Browser) -> None:
    assert manager.get("/ams/").status_code == 200
    api.call(integration.deactivate_admin, MANAGER[0])
    assert manager.get("/ams/").status_code == 303


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_logins_are_throttled_per_address(browser: Browser, admin_world: dict[str, int]) -> None:
    # 20 failures per address per 5 minutes; the per-user slowdown starts after 5, so vary the username.
    for attempt in range(20):
        assert browser.login(f"guess{attempt}", "wrong password").status_code == 401
    refused = browser.login(*ADMIN)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0


def test_pages_escape_what_people_typed(root: Browser, admin_world: dict[str, int]) -> None:
    answer = root.post(
        "/ams/system/stores",
        {
            "name": "<script>alert(1)</script>",
            "type": "DTC",
            "overselling_mode": "standard",
            "timezone": "Europe/Stockholm",
        },
    )
    assert answer.status_code == 303
    listing = root.get("/ams/system/stores").text
    assert "<script>alert(1)</script>" not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert not re.search(r"<script>(?!</script>)", listing.replace('<script src="/ams/static/admin.js" defer>', ""))


JUNK_VALUES = ("\x00", "9" * 30, "-1", "１", "<x>", "a" * 5000, "\ufffe")
FIELDS = (
    "name", "type", "uri", "active", "timezone", "overselling_mode", "username", "password", "role", "stores",
    "store", "days", "permissions", "action", "shipment", "amount", "qty.1", "setting.markets",
    "setting.session_days", "current_password", "new_password", "repeat_password",
    # The store's daily work: catalogue, customers, vouchers and campaigns.
    "status", "display", "display_name", "variant", "pricelist", "price", "size", "warehouse", "quantity", "target",
    "first_name", "country", "zip_code", "email", "key", "consent_name", "code", "percent_off", "usage_limit",
    "starts_at", "ends_at", "deactivate", "market", "variants", "discount",
)  # fmt: skip


def test_junk_never_breaks_a_page(root: Browser, admin_world: dict[str, int]) -> None:
    """Every POST route, with a valid session and CSRF token, gets hostile values and bodies: never a 5xx."""
    failures = []
    for route in ROUTES:
        if "POST" not in route.methods or route.path == "/logout":
            continue
        path = "/ams" + _concrete(route.path, admin_world)
        for value in JUNK_VALUES:
            answer = root.post(path, dict.fromkeys(FIELDS, value))
            if answer.status_code >= 500 or "Traceback" in answer.text:
                failures.append(f"{path} {value[:10]!r}: {answer.status_code}")
        for body, content_type in (
            (b"<?xml version='1.0'?><x/>", "application/xml"),
            (b"--x\r\n", "multipart/form-data; boundary=x"),
        ):
            answer = root.client.post(path, content=body, headers={"content-type": content_type})
            if answer.status_code >= 500:
                failures.append(f"{path} {content_type}: {answer.status_code}")
    big = root.client.post(
        "/ams/system/stores",
        content=b"a=" + b"x" * 1_100_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413
    assert not failures, "\n".join(failures)
    assert root.get("/ams/").status_code == 200


def test_sessions_expire_when_idle_and_after_their_lifetime(manager: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    real_now = admin_access.utcnow
    assert manager.get("/ams/").status_code == 200
    # Used again within the idle limit: still valid (and its last use moves on).
    monkeypatch.setattr(admin_access, "utcnow", lambda: real_now() + admin_access.SESSION_IDLE - timedelta(minutes=1))
    assert manager.get("/ams/").status_code == 200
    # Past the lifetime, however recently used: the session has ended.
    later = admin_access.SESSION_LIFETIME + timedelta(minutes=1)
    monkeypatch.setattr(admin_access, "utcnow", lambda: real_now() + later)
    assert manager.get("/ams/").status_code == 303


def test_an_idle_session_ends(manager: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    real_now = admin_access.utcnow
    monkeypatch.setattr(admin_access, "utcnow", lambda: real_now() + admin_access.SESSION_IDLE + timedelta(minutes=1))
    assert manager.get("/ams/").status_code == 303


def test_every_admin_route_is_in_the_enumerated_table() -> None:
    """The access tests walk ``ROUTES``; a route served but missing there would escape them."""
    app = create_admin_app()
    served = {route.path for route in app.routes if isinstance(route, Route)}
    assert served - {r.path for r in ROUTES} == {"/login"}
    assert {r.path for r in app.routes if isinstance(r, Mount)} == {"/static"}
