"""The Shop API's catalogue: every market, pricelist and language in one answer; filters; 404 keys."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from tests.api.shop.conftest import ShopApiWorld, ShopClient, build_shop_api
from tests.conftest import ApiHarness

from opencentra import catalog
from opencentra.catalog import products as catalog_products
from opencentra.db.engine import Database
from opencentra.giftcards.models import GiftCertificateType
from opencentra.giftcards.services import GiftCertificateSpec, create_gift_certificate
from opencentra.stores import services as stores


@dataclass
class Catalogue:
    world: ShopApiWorld
    tee_display: int
    tee_product: int
    chart: int


async def _enrich(db: Database, world: ShopApiWorld) -> Catalogue:
    """Translations, images, a measurement chart and a gift certificate on top of the test shop."""
    ids = world.ids
    async with db.read() as session:
        tee = (await catalog.display_items_by_id(session, [ids.products["tee-black"]]))[ids.products["tee-black"]]
        variant = (await catalog.variants_by_id(session, [tee.variant_id]))[tee.variant_id]
    await catalog.localize(db, "Display", tee.display_id, [("name", "Ekologisk t-shirt")], language_code="sv")
    await catalog.localize(db, "Category", ids.categories["tops"], [("name", "Toppar")], language_code="sv")
    await catalog.localize(
        db, "Category", ids.categories["shop"], [("name", "Butik"), ("metaTitle", "Allt")], language_code="sv"
    )
    await catalog_products.add_media(db, variant.product_id, "https://img.example/tee.jpg")
    chart = await catalog.create_measurement_chart(
        db,
        "Tops",
        unit="cm",
        row_names=["Length"],
        column_names=["S", "M", "L"],
        cells={"Length": {"S": "23", "M": "27", "L": "30"}},
    )
    await catalog.update_product(db, variant.product_id, catalog.ProductChanges(measurement_chart_id=chart.id))
    sek = await stores.ensure_currency(db, "SEK", "Swedish krona", suffix=" SEK")
    await create_gift_certificate(
        db,
        GiftCertificateSpec(
            store_id=ids.store,
            uri="gift-500",
            name="Gift 500",
            type=GiftCertificateType.PREDETERMINED,
            amounts={sek.id: Decimal(500)},
        ),
    )
    return Catalogue(world, tee.display_id, variant.product_id, chart.id)


@pytest.fixture
def shop_catalogue(api: ApiHarness, shop_world: ShopApiWorld) -> Catalogue:
    return api.call(_enrich, shop_world)


def test_a_product_carries_every_market_pricelist_and_language(shop_api: ShopClient, shop_catalogue: Catalogue) -> None:
    ids = shop_catalogue.world.ids
    listing = shop_api.get("/products")
    assert listing.status_code == 200
    assert listing.headers["content-type"].startswith("application/json")
    everything = listing.json()
    assert set(everything) == {str(p) for p in ids.products.values()}

    tee = everything[str(ids.products["tee-black"])]
    assert shop_api.get(f"/products/{ids.products['tee-black']}").json() == tee
    pretty = shop_api.get("/products?pretty")
    assert pretty.json() == everything and "\n  " in pretty.text
    assert tee["product"] == str(ids.products["tee-black"])
    assert tee["silkProduct"] == str(shop_catalogue.tee_product)
    assert tee["silkVariant"] == str(ids.variants["tee-black"])
    assert tee["sku"] == "TEE-BLA" and tee["productSku"] == "TEE"
    assert tee["brandName"] == "Northbound" and tee["collectionName"] == "Autumn"
    markets = {str(m) for m in ids.markets.values()}
    pricelists = {str(p) for p in ids.pricelists.values()}
    assert set(tee["markets"]) == markets
    for market in tee["markets"].values():
        assert set(market["pricesByPricelist"]) == pricelists
        assert market["stockOfAllItems"] == 30
    sek = tee["markets"][str(ids.markets["Nordics"])]["pricesByPricelist"][str(ids.pricelists["SEK"])]
    assert sek["price"] == "200.00 SEK" and sek["priceAsNumber"] == 200
    assert sek["priceReductionAsNumber"] == 0 and sek["showAsOnSale"] is False and sek["newProduct"] is False
    item = tee["items"][ids.items["tee-black-M"]]
    assert item["item"] == ids.items["tee-black-M"] and item["name"] == "M"
    assert item["stockByMarket"] == {m: 10 for m in markets}
    assert tee["localized"]["sv"]["name"] == "Ekologisk t-shirt"
    assert tee["localized"]["sv"]["categories"] == {str(ids.categories["tops"]): {"name": "Toppar"}}
    assert tee["categories"][str(ids.categories["tops"])]["uri"] == "shop/tops"
    assert tee["canonicalCategory"] == str(ids.categories["tops"])
    assert tee["measurementChart"] == str(shop_catalogue.chart)
    assert tee["measurementChartRows"] == {"Length": {"S": "23", "M": "27", "L": "30"}}
    assert tee["media"] == [
        {"type": "image", "sources": {"standard": [{"url": "https://img.example/tee.jpg", "mimeType": "image/jpeg"}]}}
    ]

    # The campaign marks the scarf down in the Nordics only, in every pricelist (the domain's rule).
    scarf = everything[str(ids.products["scarf-print"])]["markets"]
    nordic = scarf[str(ids.markets["Nordics"])]["pricesByPricelist"][str(ids.pricelists["SEK"])]
    assert nordic["priceAsNumber"] == 80 and nordic["priceBeforeDiscountAsNumber"] == 100
    assert nordic["discountPercent"] == 20 and nordic["showAsOnSale"] is True
    assert scarf[str(ids.markets["Europe"])]["pricesByPricelist"][str(ids.pricelists["SEK"])]["priceAsNumber"] == 100


def test_stock_follows_each_markets_warehouses(api: ApiHarness, shop_api: ShopClient, shop_world: ShopApiWorld) -> None:
    from opencentra import inventory

    ids = shop_world.ids
    api.call(inventory.set_physical, ids.warehouse, ids.sizes["tee-black-M"], 3)
    tee = shop_api.get(f"/products/{ids.products['tee-black']}").json()
    assert set(tee["items"][ids.items["tee-black-M"]]["stockByMarket"].values()) == {3}
    assert tee["markets"][str(ids.markets["Europe"])]["stockOfAllItems"] == 23


def test_product_ids_and_the_404_keys(api: ApiHarness, shop_api: ShopClient, shop_world: ShopApiWorld) -> None:
    ids = shop_world.ids
    wrong_key = ShopClient(api, "wrong").get("/products")
    assert wrong_key.status_code == 401 and set(wrong_key.json()["errors"]) == {"API-Authorization"}
    listed = shop_api.get("/product-ids").json()
    assert sorted(listed) == sorted(str(p) for p in ids.products.values())
    for path, key in (
        ("/products/999999999", "product"),
        ("/products/abc", "product"),
        ("/brands/999999999", "brand"),
        ("/collections/0", "collection"),
        ("/categories/999999999", "category"),
        ("/campaigns/999999999", "campaign"),
        ("/campaign-sites/nowhere", "campaignSite"),
        ("/measurement-charts/999999999", "measurementChart"),
    ):
        answer = shop_api.get(path)
        assert answer.status_code == 404, path
        assert answer.json() == {"errors": {key: "not found"}}, path


def test_filter_matches_every_field_and_pages(shop_api: ShopClient, shop_world: ShopApiWorld) -> None:
    ids = shop_world.ids
    tee_black, tee_white = str(ids.products["tee-black"]), str(ids.products["tee-white"])
    jeans, scarf = str(ids.products["jeans-blue"]), str(ids.products["scarf-print"])

    def found(body: dict[str, Any]) -> list[str]:
        answer = shop_api.post("/products/filter", body)
        assert answer.status_code == 200, answer.text
        return list(answer.json())

    assert found({}) == [tee_black, tee_white, jeans, scarf]
    assert found({"products": [tee_white, int(jeans)]}) == [tee_white, jeans]
    assert found({"products": scarf}) == [scarf]
    # A parent category lists what its children hold.
    assert found({"categories": ids.categories["shop"]}) == [tee_black, tee_white, jeans]
    assert found({"categories": [str(ids.categories["accessories"])]}) == [scarf]
    assert found({"sku": "TEE"}) == [tee_black, tee_white]
    assert found({"sku": "TEE-WHI"}) == [tee_white]
    assert found({"silkVariant": ids.variants["jeans-blue"]}) == [jeans]
    assert found({"uri": "silk-scarf"}) == [scarf]
    assert found({"market": ids.markets["Europe"], "categories": ids.categories["tops"]}) == [tee_black, tee_white]
    assert found({"quantity": 2, "offset": 1}) == [tee_white, jeans]
    assert found({"quantity": 0}) == []
    assert found({"preview": False, "uri": None}) == [tee_black, tee_white, jeans, scarf]

    silk = shop_api.get(f"/products/{tee_black}").json()["silkProduct"]
    assert found({"silkProduct": silk}) == [tee_black, tee_white]
    assert list(shop_api.get(f"/products/silk-product/{silk}").json()) == [tee_black, tee_white]
    assert list(shop_api.get(f"/products/silk-variant/{ids.variants['scarf-print']}").json()) == [scarf]
    assert list(shop_api.get("/products/sku/JNS-BLU").json()) == [jeans]
    assert list(shop_api.get("/products/uri/silk-scarf").json()) == [scarf]
    assert list(shop_api.get(f"/products/categories/{ids.categories['tops']}").json()) == [tee_black, tee_white]
    assert shop_api.get("/products/sku/nothing%00here").json() == {}


def test_filter_refuses_bad_input_with_the_field_named(shop_api: ShopClient, shop_world: ShopApiWorld) -> None:
    def refused(body: Any, status: int = 400, **kwargs: Any) -> dict[str, Any]:
        answer = shop_api.post("/products/filter", body, **kwargs)
        assert answer.status_code == status, answer.text
        errors: dict[str, Any] = answer.json()["errors"]
        return errors

    assert refused({"hello": 1}) == {"hello": "unknown"}
    assert set(refused({"products": [{"x": 1}]})) == {"products"}
    assert set(refused({"quantity": -1})) == {"quantity"}
    assert set(refused({"offset": "1e3"})) == {"offset"}
    assert set(refused({"quantity": True})) == {"quantity"}
    assert set(refused({"sku": 5})) == {"sku"}
    assert set(refused({"market": [1, 2]})) == {"market"}
    assert set(refused({"preview": "yes"})) == {"preview"}
    assert set(refused({"products": list(range(1, 1002))})) == {"products"}
    assert set(refused([1, 2])) == {"request"}
    malformed = shop_api.post("/products/filter", content=b"{", headers={"content-type": "application/json"})
    assert malformed.status_code == 400 and set(malformed.json()["errors"]) == {"request"}
    assert refused({"categories": 999999999}, 404) == {"categories": "not found: 999999999"}
    assert refused({"market": 999999999}, 404) == {"market": "not found: 999999999"}
    assert shop_api.get("/products/categories/x").json() == {"errors": {"categories": "not found: x"}}
    description = shop_api.get("/openapi.json").json()["paths"]["/products/filter"]["post"]
    assert "quantity" in description["requestBody"]["content"]["application/json"]["schema"]["properties"]


def test_the_small_collections_are_keyed_by_id(shop_api: ShopClient, shop_catalogue: Catalogue) -> None:
    ids = shop_catalogue.world.ids
    brands = shop_api.get("/brands").json()
    assert brands[str(ids.brand)] == {
        "brand": str(ids.brand),
        "name": "Northbound",
        "uri": "northbound",
        "metaTitle": "",
        "metaDescription": "",
        "metaKeywords": "",
    }
    assert shop_api.get(f"/brands/{ids.brand}").json() == brands[str(ids.brand)]
    pretty = shop_api.get("/brands?pretty")
    assert pretty.json() == brands and "\n  " in pretty.text
    collections = shop_api.get("/collections").json()
    assert collections[str(ids.collection)] == {"collection": str(ids.collection), "name": "Autumn", "uri": "autumn"}
    chart = shop_api.get(f"/measurement-charts/{shop_catalogue.chart}").json()
    assert chart == {
        "measurementChart": str(shop_catalogue.chart),
        "name": "Tops",
        "unit": "cm",
        "rowNames": ["Length"],
        "columnNames": ["S", "M", "L"],
        "rows": {"Length": {"S": "23", "M": "27", "L": "30"}},
    }
    sites = shop_api.get("/campaign-sites").json()
    assert sites["nordics-vip"] == {
        "campaignSite": "nordics-vip",
        "name": "Nordics",
        "market": str(ids.markets["Nordics"]),
        "goTo": "",
    }
    assert shop_api.get("/campaign-sites/nordics-vip").json() == sites["nordics-vip"]
    gifts = shop_api.get("/gift-certificates").json()
    assert gifts == {
        "gift-500": {
            "giftCertificate": "gift-500",
            "name": "Gift 500",
            "currencyOfSaleOnly": True,
            "showGiftAmount": False,
            "type": "predeterminedAmount",
            "amountByCurrency": {"SEK": {"amount": "500.00 SEK", "amountAsNumber": 500}},
        }
    }


def test_campaigns_list_products_on_sale_per_market_and_pricelist(
    shop_api: ShopClient, shop_world: ShopApiWorld
) -> None:
    ids = shop_world.ids
    campaigns = shop_api.get("/campaigns").json()
    assert len(campaigns) == 1
    (campaign_id, campaign), *_ = campaigns.items()
    assert campaign["name"] == "Scarf sale" and campaign["campaign"] == campaign_id
    scarf = str(ids.products["scarf-print"])
    assert campaign["markets"] == {
        str(ids.markets["Nordics"]): {
            "pricelists": {str(p): {"productsOnSale": [scarf]} for p in sorted(ids.pricelists.values())}
        }
    }
    assert shop_api.get(f"/campaigns/{campaign_id}").json() == campaign


def test_categories_nest_with_their_products_and_translations(shop_api: ShopClient, shop_catalogue: Catalogue) -> None:
    ids = shop_catalogue.world.ids
    tree = shop_api.get("/categories").json()
    assert set(tree) == {str(ids.categories["shop"]), str(ids.categories["accessories"])}
    shop = tree[str(ids.categories["shop"])]
    assert shop["products"] == []
    tops = shop["categories"][str(ids.categories["tops"])]
    assert tops["completeUri"] == "shop/tops" and tops["uri"] == "tops"
    assert tops["localized"] == {"sv": {"name": "Toppar"}}
    assert tops["products"] == [str(ids.products["tee-black"]), str(ids.products["tee-white"])]
    assert tops["categories"] == {}
    assert shop_api.get(f"/categories/{ids.categories['tops']}").json() == tops
    assert shop_api.get(f"/categories/{ids.categories['shop']}").json() == shop


def test_the_plugins_markets_limit_what_it_serves(api: ApiHarness) -> None:
    world = api.call(build_shop_api)
    ids = world.ids
    from opencentra.integration import services as integration

    europe = ids.markets["Europe"]
    api.call(integration.update_plugin, world.plugin, settings={"markets": [europe]})
    client = ShopClient(api, world.secret)
    tee = client.get(f"/products/{ids.products['tee-black']}").json()
    assert set(tee["markets"]) == {str(europe)}
    assert set(tee["items"][ids.items["tee-black-M"]]["stockByMarket"]) == {str(europe)}
    assert client.post("/products/filter", {"market": ids.markets["Nordics"]}).status_code == 404
    assert set(client.get("/campaign-sites").json()) == {"europe-vip"}
    assert client.get("/campaigns").json()[next(iter(client.get("/campaigns").json()))]["markets"] == {}
