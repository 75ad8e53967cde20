"""Shop API bundles by id: ``POST /selections/{selection}/items/bundles/{item}`` adds a fixed or a
flexible bundle to a selection addressed by id, through the same storefront use case as the Checkout
API's ``POST /items/bundles/{item}``; the line shows its components under ``bundle``."""

from __future__ import annotations

import pytest
from tests.api.shop.conftest import ShopApiWorld, ShopClient
from tests.bundle_helpers import BundleIds, add_bundles
from tests.conftest import ApiHarness


@pytest.fixture
def made(api: ApiHarness, shop_world: ShopApiWorld) -> BundleIds:
    return api.call(add_bundles, shop_world.ids)


def _selection(shop_api: ShopClient) -> str:
    created = shop_api.post("/selections", {"country": "SE"})
    assert created.status_code == 201, created.text
    selection: str = created.json()["selection"]
    return selection


def test_a_flexible_bundle_by_id(shop_world: ShopApiWorld, shop_api: ShopClient, made: BundleIds) -> None:
    ids = shop_world.ids
    selection = _selection(shop_api)
    tees, jeans = made.sections["duo"]
    body = {
        "sections": [
            {"section": tees, "item": ids.items["tee-white-M"]},
            {"section": jeans, "item": ids.items["jeans-blue-L"]},
        ]
    }
    added = shop_api.post(f"/selections/{selection}/items/bundles/{made.items['duo']}", body)
    assert added.status_code == 201, added.text
    (line,) = added.json()["items"]
    assert line["item"] == made.items["duo"]
    assert line["bundle"] == [
        {"section": tees, "item": ids.items["tee-white-M"], "product": str(ids.products["tee-white"]), "quantity": 1},
        {
            "section": jeans,
            "item": ids.items["jeans-blue-L"],
            "product": str(ids.products["jeans-blue"]),
            "quantity": 2,
        },
    ]
    # (200 + 2 x 800) less 10 %, as in the Checkout API: one pricing.
    assert line["priceEachAsNumber"] == 1620
    # The map form of the choices, and a quantity: another line.
    other = shop_api.post(
        f"/selections/{selection}/items/bundles/{made.items['duo']}",
        {"sections": {str(tees): ids.items["tee-black-S"]}, "quantity": 3},
    )
    assert other.status_code == 201, other.text
    assert [(i["quantity"], i["priceEachAsNumber"]) for i in other.json()["items"]] == [(1, 1620), (3, 180)]
    assert shop_api.get(f"/selections/{selection}").json()["items"][1]["bundle"][0]["section"] == tees


def test_a_fixed_bundle_by_id_and_the_errors(shop_world: ShopApiWorld, shop_api: ShopClient, made: BundleIds) -> None:
    selection = _selection(shop_api)
    fixed = shop_api.post(f"/selections/{selection}/items/bundles/{made.items['gift-M']}")
    assert fixed.status_code == 201, fixed.text
    assert len(fixed.json()["items"][0]["bundle"]) == 2

    base = f"/selections/{selection}/items/bundles"
    not_a_bundle = shop_api.post(f"{base}/{shop_world.ids.items['tee-black-M']}")
    assert (not_a_bundle.status_code, set(not_a_bundle.json()["errors"])) == (404, {"item"})
    unknown_field = shop_api.post(f"{base}/{made.items['duo']}", {"hello": 1})
    assert (unknown_field.status_code, unknown_field.json()["errors"]) == (400, {"hello": "unknown"})
    bad_section = shop_api.post(f"{base}/{made.items['duo']}", {"sections": {"x": "1-1"}})
    assert bad_section.status_code == 404 and set(bad_section.json()["errors"]) == {"sections.x"}, bad_section.text
    missing = shop_api.post(f"/selections/{'0' * 32}/items/bundles/{made.items['duo']}")
    assert (missing.status_code, missing.json()) == (404, {"errors": {"selection": "not found"}})
    # Nothing half-written: the selection still has the fixed bundle only.
    assert [i["item"] for i in shop_api.get(f"/selections/{selection}").json()["items"]] == [made.items["gift-M"]]
