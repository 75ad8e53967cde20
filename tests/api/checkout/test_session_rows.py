"""A session's row is written by its first change, never by a read; the token handed out before it works."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from tests.api.checkout.conftest import BASE, Browser, ShopIds, build_shop
from tests.conftest import ApiHarness

from opencentra.db.engine import Database
from opencentra.selection.models import Selection, SelectionLine, ShopperSession
from opencentra.selection.services import is_minted, new_token, token_hash
from opencentra.storefront import cart
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.shopper import Channel, Visitor
from opencentra.storefront.storefront import Storefront

READS = 5


async def _rows(db: Database) -> tuple[int, int, int]:
    """(sessions, selections, lines)."""
    async with db.read() as session:
        counted = [
            int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (ShopperSession, Selection, SelectionLine)
        ]
    return counted[0], counted[1], counted[2]


@contextmanager
def writes(db: Database) -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements sent while inside."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


def _reads(api: ApiHarness, shop: ShopIds, headers: dict[str, str]) -> list[str]:
    """Every catalogue read and GET /selection, READS times each; the tokens answered."""
    client = api.client
    product = shop.products["tee-black"]
    tokens = []
    for _ in range(READS):
        for method, path, body in (
            ("GET", "/selection", None),
            ("POST", "/products", {"limit": 2}),
            ("POST", "/products", None),
            ("GET", f"/products/{product}", None),
            ("GET", "/categories", None),
            ("GET", "/countries", None),
            ("GET", "/languages", None),
            ("GET", "/receipt", None),
        ):
            answer = client.request(method, BASE + path, json=body, headers=headers)
            assert answer.status_code < 500, answer.text
            if isinstance(answer.json().get("token"), str):
                tokens.append(answer.json()["token"])
    return tokens


def test_reads_without_a_token_write_nothing(api: ApiHarness, shop: ShopIds) -> None:
    with writes(api.db) as seen:
        tokens = _reads(api, shop, {})
    assert seen == []
    assert api.call(_rows) == (0, 0, 0)
    # Each token-less request was handed a token of its own, minted but not saved.
    assert len(set(tokens)) == len(tokens) and all(is_minted(token) for token in tokens)


def test_reads_with_a_handed_out_token_keep_it_and_write_nothing(api: ApiHarness, shop: ShopIds) -> None:
    token = api.client.get(f"{BASE}/selection").json()["token"]
    with writes(api.db) as seen:
        tokens = _reads(api, shop, {"API-Token": token})
    assert seen == []
    assert set(tokens) == {token}
    assert api.call(_rows) == (0, 0, 0)


def test_the_first_change_saves_the_session_under_the_handed_out_token(
    api: ApiHarness, browser: Browser, shop: ShopIds
) -> None:
    token = browser.get("/selection").json()["token"]
    browser.post("/products")
    item = shop.items["tee-black-S"]
    added = browser.post(f"/items/{item}")
    assert added.status_code == 200
    assert added.json()["token"] == token
    assert api.call(_rows) == (1, 1, 1)
    # The token now reads that session, and further changes use its row.
    assert browser.get("/selection").json()["selection"]["items"][0]["quantity"] == 1
    assert browser.post(f"/items/{item}").json()["selection"]["items"][0]["quantity"] == 2
    assert browser.put("/countries/DE").status_code == 200
    assert api.call(_rows) == (1, 1, 1)
    assert api.call(_hashes) == [token_hash(token)]


async def _hashes(db: Database) -> list[str]:
    async with db.read() as session:
        return list(await session.scalars(select(ShopperSession.token_hash)))


def test_a_first_change_without_a_token_saves_one_session(api: ApiHarness, shop: ShopIds) -> None:
    item = shop.items["tee-black-S"]
    added = api.client.post(f"{BASE}/items/{item}")
    assert added.status_code == 200
    token = added.json()["token"]
    assert api.call(_rows) == (1, 1, 1)
    assert api.call(_hashes) == [token_hash(token)]
    again = api.client.post(f"{BASE}/items/{item}", headers={"API-Token": token})
    assert again.json()["selection"]["items"][0]["quantity"] == 2
    assert api.call(_rows) == (1, 1, 1)


def test_a_failed_or_empty_change_saves_no_session(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    token = browser.get("/selection").json()["token"]
    # Refused changes roll back; changes that leave the session as a new one starts keep no row.
    assert browser.post("/items/999-999").status_code == 404
    assert browser.post("/vouchers", {"voucher": "NO-SUCH-CODE"}).status_code == 404
    assert browser.delete("/vouchers/WELCOME10").status_code == 200
    assert browser.post("/logout").status_code == 200
    assert browser.token == token
    assert api.call(_rows) == (0, 0, 0)
    # A chosen country is something to keep.
    assert browser.put("/countries/SE").json()["location"]["country"] == "SE"
    assert browser.token == token
    assert api.call(_rows) == (1, 0, 0)


def test_unknown_tokens_are_replaced_and_minted_ones_kept(api: ApiHarness, shop: ShopIds) -> None:
    minted = new_token()
    kept = api.client.get(f"{BASE}/selection", headers={"API-Token": minted}).json()["token"]
    assert kept == minted
    # Shaped like a token, but not one this server minted: replaced, as before.
    for unknown in ("a" * 32, minted[:-1] + ("b" if minted[-1] != "b" else "c"), "esf1p3tgchfg5ggtpqdpgqjtt6"):
        replaced = api.client.get(f"{BASE}/selection", headers={"API-Token": unknown}).json()["token"]
        assert replaced != unknown and is_minted(replaced)
    assert api.call(_rows) == (0, 0, 0)


def _front(db: Database, shop: ShopIds) -> Storefront:
    return Storefront(
        db, CheckoutCache(poll_seconds=0), Channel(store_id=shop.store, plugin_id=shop.plugin, server_mode=False)
    )


async def test_concurrent_first_changes_with_one_new_token_share_one_session(db: Database) -> None:
    shop = await build_shop(db)
    front = _front(db, shop)
    token = new_token()
    item = shop.items["tee-black-S"]
    states = await asyncio.gather(*(cart.add_item(front, Visitor(token=token), item) for _ in range(6)))
    assert {state.shopper.token for state in states} == {token}
    assert await _rows(db) == (1, 1, 1)
    async with db.read() as session:
        assert await session.scalar(select(SelectionLine.quantity)) == 6
    assert await _hashes(db) == [token_hash(token)]
