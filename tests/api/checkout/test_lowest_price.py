"""``lowestPrice`` (the lowest price of the last 30 days) on Checkout API products, from the price history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.api.checkout.conftest import Browser, ShopIds
from tests.conftest import ApiHarness

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.pricing import prices
from opencentra.pricing.history import record_prices


async def _history(db: Database, shop: ShopIds) -> None:
    now = utcnow()
    sek = shop.pricelists["SEK"]
    tee, jeans = shop.variants["tee-black"], shop.variants["jeans-blue"]
    # Jeans: cheap long ago, back to 800 before the window began.
    await prices.set_prices(db, sek, [prices.PriceSpec(jeans, Decimal(300))])
    await record_prices(db, at=now - timedelta(days=60))
    await prices.set_prices(db, sek, [prices.PriceSpec(jeans, Decimal(800))])
    await record_prices(db, at=now - timedelta(days=40))
    # The tee: marked down to 100 (from 200) ten days ago, back to 200 since yesterday.
    await prices.set_prices(db, sek, [prices.PriceSpec(tee, Decimal(100), price_before_discount=Decimal(200))])
    await record_prices(db, at=now - timedelta(days=10))
    await prices.set_prices(db, sek, [prices.PriceSpec(tee, Decimal(200))])
    await record_prices(db, at=now - timedelta(days=1))


def test_lowest_price_of_the_last_30_days(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    browser.put("/countries/SE")
    before = browser.get(f"/products/{shop.products['tee-black']}").json()["product"]
    assert "lowestPrice" not in before  # no history yet
    api.call(_history, shop)
    tee = browser.get(f"/products/{shop.products['tee-black']}").json()["product"]
    assert tee["priceAsNumber"] == 200
    assert tee["lowestPrice"] == [
        {
            "periodDays": 30,
            "price": tee["lowestPrice"][0]["price"],
            "priceAsNumber": 100,
            "priceBeforeDiscount": tee["priceBeforeDiscount"],
            "priceBeforeDiscountAsNumber": 200,
        }
    ]
    assert tee["lowestPrice"][0]["price"].startswith("100")
    # The jeans' 300 is older than 30 days: the lowest is what was in force when the window began.
    jeans = browser.get(f"/products/{shop.products['jeans-blue']}").json()["product"]
    assert jeans["lowestPrice"][0]["priceAsNumber"] == 800
    # The scarf is on a 20 % campaign now: its lowest price is the campaign price.
    scarf = browser.get(f"/products/{shop.products['scarf-print']}").json()["product"]
    assert scarf["lowestPrice"][0]["priceAsNumber"] == scarf["priceAsNumber"] == 80
    # Product lists show the same.
    listed = browser.post("/products", {"products": [shop.products["tee-black"]]}).json()["products"][0]
    assert listed["lowestPrice"][0]["priceAsNumber"] == 100
