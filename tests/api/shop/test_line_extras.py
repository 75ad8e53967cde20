"""Shop API add-item body ``productUrl`` and ``additionalFields``: kept on the line the units went to and
shown on it (``items[].productUrl``, ``items[].additionalFields``), in every answer after."""

from __future__ import annotations

from tests.api.shop.conftest import ShopApiWorld, ShopClient


def test_product_url_and_additional_fields_stay_on_the_line(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    item = shop_world.ids.items["tee-black-M"]
    selection = shop_api.post("/selections", {"country": "SE"}).json()["selection"]
    plain = shop_api.post(f"/selections/{selection}/items/{item}")
    assert plain.status_code == 201, plain.text
    assert plain.json()["items"][0]["productUrl"] is None
    assert "additionalFields" not in plain.json()["items"][0]

    extras = {"productUrl": "https://shop.example/tee", "additionalFields": {"gift": True, "note": "blue box"}}
    added = shop_api.post(f"/selections/{selection}/items/{item}/quantity/2", extras)
    assert added.status_code == 201, added.text
    (line,) = added.json()["items"]
    assert (line["quantity"], line["line"]) == (3, added.json()["line"])
    assert (line["productUrl"], line["additionalFields"]) == (extras["productUrl"], extras["additionalFields"])
    shown = shop_api.get(f"/selections/{selection}").json()["items"][0]
    assert (shown["productUrl"], shown["additionalFields"]) == (extras["productUrl"], extras["additionalFields"])
    # A later add without them keeps them; one with a new url replaces it.
    again = shop_api.post(f"/selections/{selection}/items/{item}").json()["items"][0]
    assert again["productUrl"] == extras["productUrl"]
    moved = shop_api.post(f"/selections/{selection}/items/{item}", {"productUrl": "https://shop.example/t2"})
    assert moved.json()["items"][0]["productUrl"] == "https://shop.example/t2"


def test_bad_extras_are_400_and_change_nothing(shop_world: ShopApiWorld, shop_api: ShopClient) -> None:
    item = shop_world.ids.items["tee-black-M"]
    selection = shop_api.post("/selections", {"country": "SE"}).json()["selection"]
    for body, field in (
        ({"additionalFields": "text"}, "additionalFields"),
        ({"productUrl": 5}, "productUrl"),
        ({"productUrl": "x" * 2001}, "productUrl"),
        ({"additionalFields": {str(n): n for n in range(51)}}, "additionalFields"),
    ):
        refused = shop_api.post(f"/selections/{selection}/items/{item}", body)
        assert refused.status_code == 400 and field in refused.json()["errors"], (field, refused.text)
    assert shop_api.get(f"/selections/{selection}").json()["items"] == []
