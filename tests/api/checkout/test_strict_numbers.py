"""Numbers in paths and bodies are ASCII digits, and a line holds at most MAX_LINE_QUANTITY units."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from tests.api.checkout.conftest import BASE, Browser, ShopIds
from tests.conftest import ApiHarness

from opencentra.selection.services import MAX_LINE_QUANTITY

# Each is a number to int() (or to pydantic's lax int), and none may be one here.
LENIENT = ["1_000", "+1", " 1", "1 ", "１", "٣", "01", "1.0", "-1", "\x1c1", "9" * 25]


def _lines(browser: Browser) -> list[tuple[str, int]]:
    items = browser.get("/selection").json()["selection"]["items"]
    return [(entry["item"], entry["quantity"]) for entry in items]


@pytest.mark.usefixtures("wire_only")
def test_lenient_numbers_in_paths_are_refused(browser: Browser, shop: ShopIds) -> None:
    item = shop.items["tee-black-S"]
    added = browser.post(f"/items/{item}")
    assert added.status_code == 200
    line = added.json()["selection"]["items"][0]["line"]
    product = shop.products["tee-black"]
    for raw in LENIENT:
        path = quote(raw, safe="")
        for method, url in (
            ("POST", f"/items/{item}/quantity/{path}"),
            ("POST", f"/lines/{line}/quantity/{path}"),
            ("PUT", f"/lines/{line}/quantity/{path}"),
            ("DELETE", f"/lines/{line}/quantity/{path}"),
        ):
            refused = browser.request(method, url)
            assert refused.status_code == 406, (method, url, refused.text)
            assert set(refused.json()["errors"]) == {"quantity"}, (method, url)
            assert refused.json()["token"] == browser.token
        for url, key in ((f"/products/{path}", "product"), (f"/bundles/{path}", "bundle")):
            missing = browser.get(url)
            assert missing.status_code == 404, (url, missing.text)
            assert set(missing.json()["errors"]) == {key}
        # Full-width or padded digits in an item id name no item either.
        assert browser.post(f"/items/{quote(raw, safe='')}-{item.split('-')[1]}").status_code in (404, 406)
    assert _lines(browser) == [(item, 1)]
    # The plain spellings still work.
    assert browser.get(f"/products/{product}").status_code == 200
    assert browser.post(f"/items/{item}/quantity/2").status_code == 200
    assert _lines(browser) == [(item, 3)]


@pytest.mark.usefixtures("wire_only")
def test_lenient_numbers_in_bodies_are_refused(browser: Browser, shop: ShopIds) -> None:
    item = shop.items["tee-black-S"]
    for value in ("1_000", "+1", " 1", "１", "01", True, 2.0, "2.0"):
        refused = browser.put("/items", {"items": [{"item": item, "quantity": value}]})
        assert refused.status_code == 400, (value, refused.text)
        assert set(refused.json()["errors"]) == {"items.0.quantity"}, value
        listing = browser.post("/products", {"limit": value})
        assert listing.status_code == 400, (value, listing.text)
        assert set(listing.json()["errors"]) == {"limit"}
    # A JSON integer, or a string of digits, is fine.
    assert browser.put("/items", {"items": [{"item": item, "quantity": "2"}]}).status_code == 200
    assert browser.put("/items", {"items": [{"item": item, "quantity": 3}]}).status_code == 200
    assert _lines(browser) == [(item, 3)]
    assert browser.post("/products", {"limit": "1"}).json()["productCount"] >= 1


def test_a_line_holds_at_most_the_ceiling(browser: Browser, shop: ShopIds) -> None:
    item = shop.items["tee-black-S"]
    ceiling = MAX_LINE_QUANTITY
    too_many = browser.post(f"/items/{item}/quantity/{ceiling + 1}")
    assert too_many.status_code == 406
    assert set(too_many.json()["errors"]) == {"quantity"}
    # Repeated adds stop at the ceiling: the add that would pass it is refused whole.
    half = ceiling // 2
    assert browser.post(f"/items/{item}/quantity/{half}").status_code == 200
    assert browser.post(f"/items/{item}/quantity/{ceiling - half}").status_code == 200
    assert _lines(browser) == [(item, ceiling)]
    for _ in range(3):
        refused = browser.post(f"/items/{item}")
        assert refused.status_code == 406
        assert refused.json()["errors"] == {"quantity": f"a line holds at most {ceiling} units"}
    line = browser.get("/selection").json()["selection"]["items"][0]["line"]
    assert browser.post(f"/lines/{line}").status_code == 406
    assert browser.post(f"/lines/{line}/quantity/1").status_code == 406
    assert browser.put(f"/lines/{line}/quantity/{ceiling + 1}").status_code == 406
    assert browser.put("/items", {"items": [{"item": item, "quantity": ceiling + 1}]}).status_code == 400
    assert _lines(browser) == [(item, ceiling)]
    # Down, and back up to exactly the ceiling, is fine.
    assert browser.delete(f"/lines/{line}/quantity/5").status_code == 200
    assert browser.post(f"/lines/{line}/quantity/5").status_code == 200
    assert browser.put(f"/lines/{line}/quantity/{ceiling}").status_code == 200
    assert _lines(browser) == [(item, ceiling)]


@pytest.mark.usefixtures("wire_only")
def test_the_plugin_permalink_id_is_read_strictly(api: ApiHarness, shop: ShopIds) -> None:
    """``/api/<uri>/<pluginId>`` names a plugin only by its canonical digits."""
    base = BASE.rstrip("/")
    assert api.client.get(f"{base}/{shop.plugin}/countries").status_code == 200
    for raw in ("１", "0" + str(shop.plugin), "+" + str(shop.plugin)):
        # Not a plugin id, so a path of the plugin found by its URI alone: no such route.
        assert api.client.get(f"{base}/{quote(raw, safe='')}/countries").status_code == 404, raw


@pytest.mark.usefixtures("wire_only")
def test_wishlist_numbers_are_read_strictly(browser: Browser, shop: ShopIds) -> None:
    assert browser.post("/register", {"email": "strict@example.com", "password": "a-long-password"}).status_code == 200
    assert browser.get("/customer/wishlists/0?page=1").status_code == 200
    for raw in ("1_0", "+1", "１"):
        assert browser.get(f"/customer/wishlists/0?page={quote(raw)}").status_code in (400, 406), raw
        assert browser.post(f"/customer/wishlists/0/items/{quote(raw, safe='')}").status_code == 404, raw
