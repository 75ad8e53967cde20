"""Checkout API add-item body ``productUrl`` and ``additionalFields``: the same storefront use case as the
Shop API's keeps them on the line, and the selection shows them."""

from __future__ import annotations

from tests.api.checkout.conftest import Browser, ShopIds


def test_product_url_and_additional_fields_on_the_line(browser: Browser, shop: ShopIds) -> None:
    browser.put("/countries/SE")
    plain = browser.post(f"/items/{shop.items['tee-black-S']}").json()["selection"]["items"][0]
    assert plain["productUrl"] is None and "additionalFields" not in plain
    body = {"productUrl": "https://shop.example/tee", "additionalFields": {"engraving": "AB"}}
    added = browser.post(f"/items/{shop.items['tee-black-M']}/quantity/2", body)
    assert added.status_code == 200, added.text
    line = next(i for i in added.json()["selection"]["items"] if i["item"] == shop.items["tee-black-M"])
    assert (line["quantity"], line["productUrl"], line["additionalFields"]) == (
        2,
        body["productUrl"],
        {"engraving": "AB"},
    )
    assert browser.post(f"/items/{shop.items['tee-black-M']}", {"additionalFields": []}).status_code == 400
