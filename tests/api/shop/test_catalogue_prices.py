"""Prices in every market and pricelist at once agree with the checkout's price, pair by pair.

``pricing.prices_in_markets`` batches the reads behind the Shop API's
``pricesByPricelist``; ``pricing.prices.price_for_variants`` is the price a
shopper pays. Overlapping campaigns (all pricelists and one pricelist), a
campaign not started yet and a price alteration in force must come out the same.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.api.checkout.conftest import build_shop

from opencentra import pricing
from opencentra.db.engine import Database
from opencentra.pricing import alterations, campaigns
from opencentra.pricing.prices import price_for_variants


async def test_every_market_and_pricelist_prices_like_the_checkout(db: Database) -> None:
    shop = await build_shop(db)
    now = datetime.now(UTC)
    tee, jeans, scarf = shop.variants["tee-black"], shop.variants["jeans-blue"], shop.variants["scarf-print"]
    markets, pricelists = shop.markets, shop.pricelists
    await campaigns.create_campaign(
        db,
        shop.store,
        "Tee week",
        market_ids=[markets["Nordics"], markets["Europe"]],
        variants=[campaigns.CampaignVariantSpec(tee, 1000)],
    )
    await campaigns.create_campaign(
        db,
        shop.store,
        "Euro tee",
        market_ids=[markets["Europe"]],
        variants=[
            campaigns.CampaignVariantSpec(tee, 3000, pricelist_id=pricelists["EUR"]),
            campaigns.CampaignVariantSpec(scarf, 500),
        ],
    )
    await campaigns.create_campaign(
        db,
        shop.store,
        "Not yet",
        market_ids=[markets["America"]],
        variants=[campaigns.CampaignVariantSpec(jeans, 5000)],
        starts_at=now + timedelta(days=1),
    )
    alteration = await alterations.create_price_alteration(
        db, shop.store, "Jeans down", starts_at=now - timedelta(hours=1), active=True
    )
    await alterations.set_altered_prices(
        db, alteration.id, pricelists["SEK"], [alterations.AlteredPriceSpec(jeans, Decimal(500))]
    )

    variants = sorted(shop.variants.values())
    all_markets = sorted(markets.values())
    async with db.read() as session:
        batched = await pricing.prices_in_markets(session, shop.store, {v: all_markets for v in variants}, now)
        for market in all_markets:
            for pricelist in sorted(pricelists.values()):
                one_by_one = await price_for_variants(session, pricelist, market, variants, now)
                for variant in variants:
                    assert batched.get(variant, {}).get(market, {}).get(pricelist) == one_by_one.get(variant), (
                        market,
                        pricelist,
                        variant,
                    )
    europe_eur = batched[tee][markets["Europe"]][pricelists["EUR"]]
    assert europe_eur.campaign is not None and europe_eur.campaign.name == "Euro tee"
    assert batched[jeans][markets["Nordics"]][pricelists["SEK"]].price == Decimal(500)
    assert batched[jeans][markets["America"]][pricelists["USD"]].campaign is None
