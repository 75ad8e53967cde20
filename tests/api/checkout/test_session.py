"""The session token: issued, sent back in every form, replaced when stale, never shared."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update
from tests.api.checkout.conftest import BASE, Browser, ShopIds
from tests.conftest import ApiHarness

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.selection.models import Selection, ShopperSession
from opencentra.selection.services import token_hash

TOKEN = re.compile(r"[a-z0-9]{32}")


def test_every_answer_carries_a_token_and_the_same_one_comes_back(browser: Browser, shop: ShopIds) -> None:
    first = browser.get("/selection")
    assert first.status_code == 200
    token = first.json()["token"]
    assert TOKEN.fullmatch(token)
    for method, path in (("GET", "/countries"), ("GET", "/languages"), ("POST", "/products"), ("GET", "/categories")):
        answer = browser.request(method, path)
        assert answer.status_code == 200
        assert answer.json()["token"] == token
    # Errors carry it too.
    missing = browser.post("/items/999-999")
    assert missing.status_code == 404
    assert missing.json() == {"token": token, "errors": {"item": "product item not found"}}


def test_the_header_name_is_case_insensitive_and_accept_works_too(api: ApiHarness, shop: ShopIds) -> None:
    client = api.client
    token = client.get(f"{BASE}/selection").json()["token"]
    item = shop.items["tee-black-S"]
    for headers in ({"api-token": token}, {"API-TOKEN": token}, {"Api-Token": token}):
        assert client.post(f"{BASE}/items/{item}", headers=headers).json()["token"] == token
    via_accept = client.get(f"{BASE}/selection", headers={"Accept": f"*/*; api-token={token}"}).json()
    assert via_accept["token"] == token
    assert via_accept["selection"]["items"][0]["quantity"] == 3


def test_api_token_none_makes_no_session(api: ApiHarness, shop: ShopIds) -> None:
    before = api.call(_count_sessions)
    body = api.client.post(f"{BASE}/products", headers={"API-Token": "none"}, json={"limit": 1}).json()
    assert "token" not in body
    assert body["productCount"] == 4
    assert "token" not in api.client.get(f"{BASE}/selection", headers={"api-token": "NONE"}).json()
    assert api.call(_count_sessions) == before
    refused = api.client.post(f"{BASE}/items/{shop.items['tee-black-S']}", headers={"API-Token": "none"})
    assert refused.status_code == 406
    assert "token" not in refused.json()


async def _count_sessions(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count(ShopperSession.id))) or 0)


async def _expire(db: Database, token: str) -> None:
    async with db.write() as session:
        await session.execute(
            update(ShopperSession)
            .where(ShopperSession.token_hash == token_hash(token))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


def test_unknown_and_expired_tokens_are_replaced_silently(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    stale = "a" * 32
    answer = api.client.get(f"{BASE}/selection", headers={"API-Token": stale})
    assert answer.status_code == 200
    assert answer.json()["token"] != stale
    for junk in ("x", "UPPER" * 6, "caf\xe9".encode("latin-1"), "a" * 200):
        replaced = api.client.get(f"{BASE}/selection", headers={"API-Token": junk})
        assert replaced.status_code == 200
        assert TOKEN.fullmatch(replaced.json()["token"])

    browser.post(f"/items/{shop.items['tee-black-S']}")
    old = browser.token
    assert old is not None
    api.call(_expire, old)
    fresh = browser.get("/selection").json()
    assert fresh["token"] != old
    assert fresh["selection"]["items"] == []


def test_a_token_never_reads_another_sessions_cart(api: ApiHarness, shop: ShopIds) -> None:
    alice, bob = Browser(api.client), Browser(api.client)
    line = alice.post(f"/items/{shop.items['tee-black-S']}").json()["selection"]["items"][0]["line"]
    assert bob.get("/selection").json()["selection"]["items"] == []
    assert bob.delete(f"/lines/{line}").status_code == 404
    assert bob.put(f"/lines/{line}/quantity/5").status_code == 404
    assert alice.get("/selection").json()["selection"]["items"][0]["quantity"] == 1
    # Bob's receipt and orders are his own (none).
    assert bob.get("/receipt").status_code == 404
    assert bob.post("/orders").status_code == 403


def test_a_new_selection_starts_with_default_methods(browser: Browser, shop: ShopIds) -> None:
    browser.put("/countries/SE")
    selection = browser.post(f"/items/{shop.items['tee-black-S']}").json()["selection"]
    assert selection["paymentMethod"] == "test-card"
    assert selection["shippingMethod"] == "standard"


async def _session_days(db: Database, token: str) -> float:
    async with db.read() as session:
        row = await session.scalar(select(ShopperSession).where(ShopperSession.token_hash == token_hash(token)))
        assert row is not None
        return (row.expires_at - utcnow()).total_seconds() / 86400


def test_anonymous_sessions_last_thirty_days(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    browser.post(f"/items/{shop.items['tee-black-S']}")
    assert browser.token is not None
    assert 29.9 < api.call(_session_days, browser.token) <= 30


def test_logout_detaches_the_customer_and_empties_the_selection(
    api: ApiHarness, browser: Browser, shop: ShopIds
) -> None:
    browser.post("/register", {"email": "a@example.com", "password": "secret"})
    browser.post(f"/items/{shop.items['tee-black-S']}")
    out = browser.post("/logout").json()
    assert "loggedIn" not in out
    assert out["selection"]["items"] == []
    # Logging in again brings the saved cart back.
    back = browser.post("/login/a@example.com", {"password": "secret"}).json()
    assert back["selection"]["items"][0]["item"] == shop.items["tee-black-S"]


async def _selection_count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count(Selection.id))) or 0)


def test_reading_never_creates_a_selection(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    browser.get("/selection")
    browser.post("/products")
    browser.put("/countries/DE")
    assert api.call(_selection_count) == 0
