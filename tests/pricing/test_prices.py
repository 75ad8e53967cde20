"""Prices per pricelist and campaign markdowns per market."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.models import Event
from opencentra.pricing.campaigns import CampaignVariantSpec, create_campaign
from opencentra.pricing.prices import PriceSpec, campaign_price_minor, price_for_variants, set_prices

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


async def prices(db: Database, pricelist: int, market: int, variants: Any, at: datetime = NOW) -> Any:
    async with db.read() as session:
        return await price_for_variants(session, pricelist, market, variants, at)


def test_campaign_price_rounds_half_up() -> None:
    assert campaign_price_minor(19_900, 2_500) == 14_925
    assert campaign_price_minor(2_995, 1_000) == 2_696  # 2695.5
    assert campaign_price_minor(2_993, 1_000) == 2_694  # 2693.7
    assert campaign_price_minor(1, 5_000) == 1  # 0.5
    assert campaign_price_minor(12_345, 10_000) == 0


async def test_set_prices_and_read_them_back(db: Database, world: Any) -> None:
    v0, v1, v2 = world.variants
    first = await set_prices(
        db,
        world.pricelist_sek,
        [
            PriceSpec(v0, Decimal("199.00")),
            PriceSpec(v1, Decimal("299.5"), price_before_discount=Decimal("399.50"), show_as_new=True),
        ],
    )
    result = await prices(db, world.pricelist_sek, world.market_se, [v0, v1, v2])
    assert set(result) == {v0, v1}  # no price, not buyable
    plain, marked_down = result[v0], result[v1]
    assert (plain.price, plain.price_before_discount, plain.campaign) == (Decimal("199.00"), Decimal("199.00"), None)
    assert (plain.discount_percent, plain.show_as_on_sale, plain.show_as_new) == (0, False, False)
    assert (marked_down.price, marked_down.price_before_discount) == (Decimal("299.50"), Decimal("399.50"))
    assert (marked_down.discount_percent, marked_down.show_as_on_sale, marked_down.show_as_new) == (25, True, True)
    assert marked_down.currency_decimals == 2

    again = await set_prices(db, world.pricelist_sek, [PriceSpec(v0, Decimal("149"))])
    assert again[0].id == first[0].id
    assert (await prices(db, world.pricelist_sek, world.market_se, [v0]))[v0].price == Decimal("149.00")
    async with db.read() as session:
        actions = list(
            await session.scalars(select(Event.action).where(Event.object_type == "price").order_by(Event.id))
        )
    assert actions == ["created", "created", "updated"]

    rejections: list[tuple[int, list[PriceSpec], type[Exception], str]] = [
        (world.pricelist_sek, [PriceSpec(v0, Decimal("1.005"))], ValidationFailed, "price"),
        (world.pricelist_jpy, [PriceSpec(v0, Decimal("100.5"))], ValidationFailed, "price"),
        (world.pricelist_sek, [PriceSpec(v0, Decimal("-1"))], ValidationFailed, "price"),
        (world.pricelist_sek, [PriceSpec(v0, Decimal("NaN"))], ValidationFailed, "price"),
        (world.pricelist_sek, [PriceSpec(v0, Decimal("1E+30"))], ValidationFailed, "price"),
        (world.pricelist_sek, [PriceSpec(v0, Decimal(10), Decimal(5))], ValidationFailed, "price_before_discount"),
        (world.pricelist_sek, [PriceSpec(v0, Decimal(1)), PriceSpec(v0, Decimal(2))], ValidationFailed, "variant"),
        (world.pricelist_sek, [PriceSpec(999, Decimal(1))], NotFound, "variant"),
        (999, [PriceSpec(v0, Decimal(1))], NotFound, "pricelist"),
    ]
    for pricelist, specs, error, field in rejections:
        with pytest.raises(error) as raised:
            await set_prices(db, pricelist, specs)
        assert getattr(raised.value, "field", None) == field, specs
    with pytest.raises(NotFound):
        await prices(db, 999, world.market_se, [v0])


async def test_campaigns_change_prices_per_market_pricelist_and_time(db: Database, world: Any) -> None:
    v0, v1, v2 = world.variants
    await set_prices(db, world.pricelist_sek, [PriceSpec(v0, Decimal("199.00")), PriceSpec(v1, Decimal("100.00"))])
    await set_prices(db, world.pricelist_jpy, [PriceSpec(v0, Decimal(1999)), PriceSpec(v1, Decimal(2995))])
    summer = await create_campaign(
        db,
        world.store,
        "Summer",
        market_ids=[world.market_se],
        variants=[
            CampaignVariantSpec(v0, 2_500),
            CampaignVariantSpec(v1, 1_000, pricelist_id=world.pricelist_jpy),
        ],
        starts_at=NOW - DAY,
        ends_at=NOW + 10 * DAY,
    )
    assert {m.market_id for m in summer.markets} == {world.market_se}
    await create_campaign(
        db, world.store, "Smaller", market_ids=[world.market_se], variants=[CampaignVariantSpec(v0, 2_000)]
    )
    await create_campaign(
        db,
        world.store,
        "Flash",
        market_ids=[world.market_se],
        variants=[CampaignVariantSpec(v0, 3_000)],
        starts_at=NOW + DAY,
        ends_at=NOW + 2 * DAY,
    )
    await create_campaign(
        db, world.store, "Off", market_ids=[world.market_se], variants=[CampaignVariantSpec(v0, 5_000)], active=False
    )
    await create_campaign(
        db, world.store, "US", market_ids=[world.market_us], variants=[CampaignVariantSpec(v0, 4_000)]
    )

    se = await prices(db, world.pricelist_sek, world.market_se, [v0, v1, v2])
    assert se[v0].price == Decimal("149.25")
    assert se[v0].price_before_discount == Decimal("199.00")
    assert (se[v0].campaign_name, se[v0].campaign_discount_bp) == ("Summer", 2_500)
    assert se[v0].show_as_on_sale
    assert se[v0].discount_percent == 25
    assert se[v1].campaign is None  # its campaign row is for the JPY pricelist only

    jpy = await prices(db, world.pricelist_jpy, world.market_se, [v0, v1])
    assert (jpy[v0].price, jpy[v0].currency_decimals) == (Decimal(1499), 0)  # 1499.25
    assert jpy[v1].price == Decimal(2696)  # 2695.5 rounds half up

    us = await prices(db, world.pricelist_sek, world.market_us, [v0])
    assert (us[v0].price, us[v0].campaign_name) == (Decimal("119.40"), "US")

    flash = await prices(db, world.pricelist_sek, world.market_se, [v0], at=NOW + DAY)
    assert (flash[v0].price, flash[v0].campaign_name) == (Decimal("139.30"), "Flash")
    # Half-open window: the end instant is outside.
    after_flash = await prices(db, world.pricelist_sek, world.market_se, [v0], at=NOW + 2 * DAY)
    assert after_flash[v0].campaign_name == "Summer"
    later = await prices(db, world.pricelist_sek, world.market_se, [v0], at=NOW + 20 * DAY)
    assert later[v0].campaign_name == "Smaller"
    # A market of another store never sees this store's campaigns.
    foreign = await prices(db, world.pricelist_sek, world.other_market, [v0])
    assert foreign[v0].campaign is None
    async with db.read() as session:
        count = await session.scalar(select(func.count()).select_from(Event).where(Event.object_type == "campaign"))
    assert count == 5


async def test_create_campaign_rejects(db: Database, world: Any) -> None:
    v0 = world.variants[0]
    good: dict[str, Any] = {"market_ids": [world.market_se], "variants": [CampaignVariantSpec(v0, 1_000)]}
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"market_ids": []}, ValidationFailed, "markets"),
        ({"market_ids": [world.other_market]}, ValidationFailed, "markets"),
        ({"variants": []}, ValidationFailed, "variants"),
        ({"variants": [CampaignVariantSpec(v0, 0)]}, ValidationFailed, "discount"),
        ({"variants": [CampaignVariantSpec(v0, 10_001)]}, ValidationFailed, "discount"),
        ({"variants": [CampaignVariantSpec(v0, 10), CampaignVariantSpec(v0, 20)]}, ValidationFailed, "variants"),
        ({"variants": [CampaignVariantSpec(v0, 10, world.other_pricelist)]}, ValidationFailed, "pricelists"),
        ({"variants": [CampaignVariantSpec(999, 10)]}, NotFound, "variants"),
        ({"starts_at": NOW, "ends_at": NOW}, ValidationFailed, "ends_at"),
        ({"starts_at": datetime(2025, 1, 1)}, ValidationFailed, "starts_at"),
    ]
    for change, error, field in cases:
        with pytest.raises(error) as raised:
            await create_campaign(db, world.store, "Bad", **{**good, **change})
        assert getattr(raised.value, "field", None) == field, change
    with pytest.raises(NotFound):
        await create_campaign(db, 999, "Nowhere", **good)
