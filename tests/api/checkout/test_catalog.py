"""POST /products (filters, search, sort, paging, facets), GET /products/{id}, categories and POST /uri."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.checkout.conftest import Browser, ShopIds
from tests.conftest import ApiHarness

from opencentra.catalog import products as catalog_products
from opencentra.catalog.models import AttributeScope
from opencentra.db.engine import Database
from opencentra.inventory import services as inventory


async def _decorate(db: Database, shop: ShopIds) -> None:
    swatch = await catalog_products.create_attribute_type(db, "swatch__desc", "Swatch", scope=AttributeScope.VARIANT)
    for key, colour in (("tee-black", "Black"), ("tee-white", "White"), ("jeans-blue", "Blue")):
        await catalog_products.set_attribute_value(db, swatch.id, colour, variant_id=shop.variants[key])
    product_id = await _product_of(db, shop.variants["tee-black"])
    await catalog_products.add_media(
        db, product_id, "https://img.example/tee-black.jpg", variant_id=shop.variants["tee-black"]
    )
    # The white tee is sold out.
    for size in ("S", "M", "L"):
        await inventory.set_physical(db, shop.warehouse, shop.sizes[f"tee-white-{size}"], 0)


async def _product_of(db: Database, variant_id: int) -> int:
    from opencentra.catalog.models import ProductVariant

    async with db.read() as session:
        variant = await session.get(ProductVariant, variant_id)
        assert variant is not None
        return variant.product_id


def _names(body: dict[str, Any]) -> list[str]:
    return [f"{p['name']} {p['variantName']}" for p in body["products"]]


def test_listing_filters_search_sort_and_facets(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    api.call(_decorate, shop)
    everything = browser.post("/products").json()
    assert everything["productCount"] == 4
    assert _names(everything) == ["Organic Tee Black", "Organic Tee White", "Grön Jeans Blue", "Silk Scarf Print"]
    tee = everything["products"][0]
    assert tee["categoryName"] == ["Shop", "Tops"]
    assert tee["media"] == {"standard": ["https://img.example/tee-black.jpg"]}
    assert tee["swatch"] == {"desc": "Black"}
    assert tee["relatedProducts"] == [
        {"product": str(shop.products["tee-white"]), "relation": "variant", "media": {}, "available": False}
    ]
    assert [i["stock"] for i in everything["products"][1]["items"]] == ["no", "no", "no"]

    def listing(**body: Any) -> dict[str, Any]:
        answer = browser.post("/products", body)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    assert _names(listing(categories=[shop.categories["shop"]])) == [
        "Organic Tee Black",
        "Organic Tee White",
        "Grön Jeans Blue",
    ]
    assert _names(listing(categories=[shop.categories["bottoms"], shop.categories["accessories"]])) == [
        "Grön Jeans Blue",
        "Silk Scarf Print",
    ]
    assert listing(brands=[shop.brand], collections=[shop.collection])["productCount"] == 4
    assert listing(brands=[shop.brand + 1000])["productCount"] == 0
    assert _names(listing(products=[shop.products["scarf-print"]])) == ["Silk Scarf Print"]
    assert listing(onlyAvailable=True)["productCount"] == 3
    assert _names(listing(**{"swatch.desc": ["White", "Blue"]})) == ["Organic Tee White", "Grön Jeans Blue"]
    assert listing(**{"items.name": ["One Size"]})["productCount"] == 1
    # Search folds accents and forgives one typo in longer words.
    assert _names(listing(search="gron")) == ["Grön Jeans Blue"]
    assert _names(listing(search="jeams")) == ["Grön Jeans Blue"]
    assert _names(listing(search="silk sca")) == ["Silk Scarf Print"]
    assert listing(search="zzzz")["productCount"] == 0
    # Sort and paging.
    by_price = listing(sortOrder=[{"field": "priceAsNumber", "order": "desc"}])
    assert [p["priceAsNumber"] for p in by_price["products"]] == [800, 200, 200, 80]
    page = listing(sortOrder=[{"field": "priceAsNumber", "order": "asc"}], skipFirst=1, limit=2)
    assert page["productCount"] == 4
    assert [p["priceAsNumber"] for p in page["products"]] == [200, 200]
    # Facets: count within this filter, totalCount over everything.
    facets = {f["field"]: f["values"] for f in listing(search="tee")["filter"]}
    brand = facets["brands"][0]
    assert (brand["count"], brand["totalCount"], brand["data"]["brandName"]) == (2, 4, "Northbound")
    tops = next(v for v in facets["categories"] if v["data"]["uri"] == "shop/tops")
    assert (tops["count"], tops["totalCount"], tops["data"]["inCategory"]) == (2, 2, str(shop.categories["shop"]))
    swatches = {v["value"]: (v["count"], v["totalCount"]) for v in facets["swatch.desc"]}
    assert swatches == {"Black": (1, 1), "Blue": (0, 1), "White": (1, 1)}

    # Bad filters are errors, never 500s.
    for bad in ({"limit": -1}, {"skipFirst": "x"}, {"sortOrder": [{"field": "nope"}]}, {"categories": ["a"]}):
        answer = browser.post("/products", bad)
        assert answer.status_code in (400, 406), bad
        assert "errors" in answer.json()


def test_campaign_prices_show_as_on_sale(browser: Browser, shop: ShopIds) -> None:
    scarf = browser.get(f"/products/{shop.products['scarf-print']}").json()["product"]
    assert (scarf["priceAsNumber"], scarf["priceBeforeDiscountAsNumber"]) == (80, 100)
    assert scarf["discountPercent"] == 20
    assert scarf["showAsOnSale"] is True
    # Germany is not in the campaign's market.
    browser.put("/countries/DE")
    german = browser.get(f"/products/{shop.products['scarf-print']}").json()["product"]
    assert (german["price"], german["showAsOnSale"]) == ("€10.00", False)


@pytest.mark.usefixtures("wire_only")
def test_single_product_categories_and_uri(browser: Browser, shop: ShopIds) -> None:
    one = browser.get(f"/products/{shop.products['tee-white']}")
    assert one.status_code == 200
    assert one.json()["product"]["relatedProducts"][0]["relation"] == "variant"
    assert "items" in one.json()["product"]["relatedProducts"][0]  # full objects for a single product
    for missing in ("999999", "abc", "-1", "1" * 30):
        answer = browser.get(f"/products/{missing}")
        assert answer.status_code == 404
        assert answer.json()["errors"] == {"product": "product not found"}

    categories = browser.get("/categories").json()["categories"]
    assert [c["uri"] for c in categories] == ["shop", "shop/tops", "shop/bottoms", "accessories"]
    assert categories[1] == {
        "category": str(shop.categories["tops"]),
        "name": ["Shop", "Tops"],
        "uri": "shop/tops",
        "inCategory": str(shop.categories["shop"]),
    }

    product = browser.post("/uri", {"uri": "organic-tee", "for": ["product"]}).json()
    assert (product["found"], product["product"]["variantName"]) == ("product", "Black")
    nested = browser.post("/uri", {"uri": "shop/tops/organic-tee", "for": ["category", "product"]}).json()
    assert nested["found"] == "product"
    category = browser.post("/uri", {"uri": "shop", "for": ["category", "product"], "limit": 1}).json()
    assert category["found"] == "category"
    assert (category["productCount"], len(category["products"])) == (3, 1)
    nowhere = browser.post("/uri", {"uri": "organic-tee", "for": ["category"]})
    assert nowhere.status_code == 404
    assert nowhere.json() == {"token": browser.token, "errors": {"uri": "not found"}}
    assert browser.post("/products", {"uri": {"uri": "shop/bottoms", "for": ["category"]}}).json()["productCount"] == 1


def test_repeated_listings_reuse_bytes_and_see_changes(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    first = browser.post("/products", {"limit": 1, "search": "scarf"})
    again = browser.post("/products", {"limit": 1, "search": "scarf"})
    assert first.content == again.content
    api.call(inventory.set_physical, shop.warehouse, shop.sizes["scarf-print-One Size"], 0)
    changed = browser.post("/products", {"limit": 1, "search": "scarf"}).json()
    assert changed["products"][0]["available"] is False
    pretty = browser.post("/products?pretty", {"limit": 1})
    assert b"\n  " in pretty.content


def test_the_hot_path_answers_by_raw_bytes_per_session(api: ApiHarness, shop: ShopIds) -> None:
    first, second = Browser(api.client), Browser(api.client)
    body = {"limit": 1, "search": "tee"}
    one = first.post("/products", body).json()
    two = second.post("/products", body).json()
    assert one["token"] != two["token"]
    assert one["products"] == two["products"]
    # A session that moves sees its own market at once.
    second.put("/countries/DE")
    assert second.post("/products", body).json()["products"][0]["price"] == "€20.00"
    assert first.post("/products", body).json()["products"][0]["price"] == "200.00 SEK"
    # Server mode with the same bytes is a different answer (the secret unlocks the body's pricelist).
    server = Browser(api.client, headers={"API-Authorization": shop.secret})
    asked = {"limit": 1, "search": "tee", "pricelist": shop.pricelists["USD"]}
    assert server.post("/products", asked).json()["products"][0]["price"] == "$25.00"
    assert first.post("/products", asked).json()["products"][0]["price"] == "200.00 SEK"
    assert server.post("/products", asked).json()["products"][0]["price"] == "$25.00"
