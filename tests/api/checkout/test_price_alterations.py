"""A price alteration in force changes what a shopper sees and pays through the Checkout API."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.api.checkout.conftest import Browser, ShopIds
from tests.conftest import ApiHarness

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.pricing import alterations


async def _alter(db: Database, shop: ShopIds, *, active: bool) -> int:
    alteration = await alterations.create_price_alteration(
        db, shop.store, "Autumn prices", starts_at=utcnow() - timedelta(hours=1), active=active
    )
    await alterations.set_altered_prices(
        db,
        alteration.id,
        shop.pricelists["SEK"],
        [
            alterations.AlteredPriceSpec(shop.variants["tee-black"], Decimal("250")),
            alterations.AlteredPriceSpec(shop.variants["scarf-print"], Decimal("150")),
        ],
    )
    return alteration.id


def test_an_active_price_alteration_changes_product_and_selection_prices(
    api: ApiHarness, browser: Browser, shop: ShopIds
) -> None:
    alteration_id = api.call(_alter, shop, active=False)
    tee = browser.get(f"/products/{shop.products['tee-black']}").json()["product"]
    assert tee["priceAsNumber"] == 200  # not active yet

    api.call(alterations.update_price_alteration, alteration_id, active=True)
    tee = browser.get(f"/products/{shop.products['tee-black']}").json()["product"]
    assert (tee["priceAsNumber"], tee["showAsOnSale"]) == (250, False)
    white = browser.get(f"/products/{shop.products['tee-white']}").json()["product"]
    assert white["priceAsNumber"] == 200  # not altered
    # The scarf's 20 % campaign applies to the altered price.
    scarf = browser.get(f"/products/{shop.products['scarf-print']}").json()["product"]
    assert (scarf["priceAsNumber"], scarf["priceBeforeDiscountAsNumber"]) == (120, 150)

    added = browser.post(f"/items/{shop.items['tee-black-M']}").json()
    assert added["selection"]["totals"]["itemsTotalPriceAsNumber"] == 250
    # Euro shoppers have their own pricelist, which the alteration leaves alone.
    browser.put("/countries/DE")
    german = browser.get(f"/products/{shop.products['tee-black']}").json()["product"]
    assert german["priceAsNumber"] == 20
