"""Translated catalogue texts over the Checkout API: the session's language (server mode: the one
asked for), falling back to the default text; a new translation shows on the next request.
Also item ``stock`` as a number for plugins set to show it so."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from tests.api.checkout.conftest import Browser, ShopIds
from tests.conftest import ApiHarness

from opencentra.catalog import translations
from opencentra.catalog.models import DisplayItem
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.stores.models import Language


async def _ids(db: Database, shop: ShopIds) -> dict[str, int]:
    async with db.read() as session:
        tee = await session.scalar(select(DisplayItem.display_id).where(DisplayItem.id == shop.products["tee-black"]))
        swedish = await session.scalar(select(Language.id).where(Language.code == "sv"))
        assert tee is not None and swedish is not None
        return {"tee": tee, "sv": swedish}


@pytest.fixture
def ids(api: ApiHarness, shop: ShopIds) -> dict[str, int]:
    found = api.call(_ids, shop)
    api.call(
        translations.localize,
        "Display",
        found["tee"],
        found["sv"],
        {"name": "Ekologisk tröja", "description": "Den ekologiska tröjan.", "uri": "ekologisk-troja"},
    )
    api.call(translations.localize, "Category", shop.categories["tops"], found["sv"], {"name": "Toppar"})
    api.call(translations.localize, "ProductVariant", shop.variants["tee-black"], found["sv"], {"name": "Svart"})
    return found


def _products(client: Browser, *ids: int, **extra: Any) -> dict[str, dict[str, Any]]:
    response = client.post("/products", {"products": list(ids), **extra})
    assert response.status_code == 200, response.text
    return {p["product"]: p for p in response.json()["products"]}


def test_products_show_the_session_language_and_fall_back(browser: Browser, shop: ShopIds, ids: dict[str, int]) -> None:
    tee, jeans = shop.products["tee-black"], shop.products["jeans-blue"]
    before = _products(browser, tee, jeans)
    assert before[str(tee)]["name"] == "Organic Tee"
    assert browser.put("/languages/sv").status_code == 200
    for _ in range(2):  # the second answer comes from the finished-bytes caches
        found = _products(browser, tee, jeans)
        translated = found[str(tee)]
        assert translated["name"] == "Ekologisk tröja"
        assert translated["description"] == "Den ekologiska tröjan."
        assert translated["uri"] == "ekologisk-troja"
        assert translated["variantName"] == "Svart"
        assert translated["categoryName"] == ["Shop", "Toppar"]
        # No translation: the default text.
        assert translated["excerpt"] == "A organic tee"
        assert found[str(jeans)]["name"] == "Grön Jeans"
        assert found[str(jeans)]["categoryName"] == ["Shop", "Bottoms"]
        # Prices and stock are the same in every language.
        assert translated["priceAsNumber"] == before[str(tee)]["priceAsNumber"]
    # Another shopper, in the default language, sends the very same request.
    other = Browser(browser.client)
    assert _products(other, tee, jeans)[str(tee)]["name"] == "Organic Tee"
    assert _products(other, tee, jeans)[str(tee)]["name"] == "Organic Tee"


def test_single_product_uri_search_and_categories_are_translated(
    browser: Browser, shop: ShopIds, ids: dict[str, int]
) -> None:
    tee = shop.products["tee-black"]
    browser.put("/languages/sv")
    single = browser.get(f"/products/{tee}").json()["product"]
    assert single["name"] == "Ekologisk tröja"
    searched = browser.post("/products", {"search": "ekologisk"}).json()
    # Both colours of the translated display, nothing else.
    assert {p["product"] for p in searched["products"]} == {str(tee), str(shop.products["tee-white"])}
    routed = browser.post("/uri", {"uri": "ekologisk-troja", "for": ["product"]})
    assert routed.status_code == 200 and routed.json()["product"]["name"] == "Ekologisk tröja"
    names = {c["category"]: c["name"] for c in browser.get("/categories").json()["categories"]}
    assert names[str(shop.categories["tops"])] == ["Shop", "Toppar"]


def test_selection_items_are_translated(browser: Browser, shop: ShopIds, ids: dict[str, int]) -> None:
    browser.put("/languages/sv")
    added = browser.post(f"/items/{shop.items['tee-black-M']}")
    assert added.status_code in (200, 201), added.text
    line = added.json()["selection"]["items"][0]
    assert line["product"]["name"] == "Ekologisk tröja"
    assert browser.get("/selection").json()["selection"]["items"][0]["product"]["name"] == "Ekologisk tröja"
    browser.put("/languages/en")
    assert browser.get("/selection").json()["selection"]["items"][0]["product"]["name"] == "Organic Tee"


def test_a_new_translation_shows_on_the_next_request(
    api: ApiHarness, browser: Browser, shop: ShopIds, ids: dict[str, int]
) -> None:
    tee = shop.products["tee-black"]
    browser.put("/languages/sv")
    assert _products(browser, tee)[str(tee)]["name"] == "Ekologisk tröja"
    api.call(translations.localize, "Display", ids["tee"], ids["sv"], {"name": "Ny tröja"})
    assert _products(browser, tee)[str(tee)]["name"] == "Ny tröja"
    assert browser.get(f"/products/{tee}").json()["product"]["name"] == "Ny tröja"
    # Removing the translation falls back to the default text.
    api.call(translations.localize, "Display", ids["tee"], ids["sv"], {"name": None})
    assert _products(browser, tee)[str(tee)]["name"] == "Organic Tee"


def test_server_mode_chooses_the_language(server: Browser, shop: ShopIds, ids: dict[str, int]) -> None:
    tee = shop.products["tee-black"]
    assert _products(server, tee, language="sv")[str(tee)]["name"] == "Ekologisk tröja"
    assert _products(server, tee, language="en")[str(tee)]["name"] == "Organic Tee"
    assert _products(server, tee)[str(tee)]["name"] == "Organic Tee"
    unknown = server.post("/products", {"products": [tee], "language": "xx"})
    assert unknown.status_code == 404
    assert "language" in unknown.json()["errors"] and "token" in unknown.json()
    categories = server.post("/categories", {"language": "sv"}).json()["categories"]
    assert ["Shop", "Toppar"] in [c["name"] for c in categories]


def test_client_mode_cannot_choose_the_language_in_the_body(
    browser: Browser, shop: ShopIds, ids: dict[str, int]
) -> None:
    tee = shop.products["tee-black"]
    assert _products(browser, tee, language="sv")[str(tee)]["name"] == "Organic Tee"


def test_stock_as_number(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    tee = shop.products["tee-black"]
    assert {i["stock"] for i in _products(browser, tee)[str(tee)]["items"]} == {"yes"}
    api.call(
        integration.update_plugin,
        shop.plugin,
        settings={"frontend_url": "https://shop.example", "stock_as_number": True},
    )
    for _ in range(2):
        items = _products(browser, tee)[str(tee)]["items"]
        assert [i["stock"] for i in items] == [10, 10, 10]
    single = browser.get(f"/products/{tee}").json()["product"]
    assert [i["stock"] for i in single["items"]] == [10, 10, 10]
    related = browser.post("/products", {"products": [tee], "relatedProducts": True}).json()["products"][0]
    assert all(isinstance(i["stock"], int) for r in related["relatedProducts"] for i in r["items"])
