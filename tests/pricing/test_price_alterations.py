"""Price alterations: dated replacement prices that every shopper-facing price follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.models import Event
from opencentra.pricing import alterations
from opencentra.pricing.alteration_models import AlteredPrice
from opencentra.pricing.alterations import AlteredPriceSpec
from opencentra.pricing.campaigns import CampaignVariantSpec, create_campaign
from opencentra.pricing.prices import PriceSpec, price_for_variants, set_prices

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


async def prices(db: Database, pricelist: int, market: int, variants: Any, at: datetime = NOW) -> Any:
    async with db.read() as session:
        return await price_for_variants(session, pricelist, market, variants, at)


async def _events(db: Database) -> list[tuple[int, str]]:
    async with db.read() as session:
        rows = await session.execute(
            select(Event.object_id, Event.action).where(Event.object_type == "price_alteration").order_by(Event.id)
        )
        return [(object_id, action) for object_id, action in rows]


async def test_an_active_alteration_replaces_the_base_price_from_its_start(db: Database, world: Any) -> None:
    v0, v1, v2 = world.variants
    await set_prices(db, world.pricelist_sek, [PriceSpec(v0, Decimal("100")), PriceSpec(v1, Decimal("200"))])
    spring = await alterations.create_price_alteration(db, world.store, "Spring", starts_at=NOW - DAY)
    await alterations.set_altered_prices(
        db,
        spring.id,
        world.pricelist_sek,
        [AlteredPriceSpec(v0, Decimal("120")), AlteredPriceSpec(v2, Decimal("50"), Decimal("79.90"))],
    )
    # Inactive: nothing changes yet.
    before = await prices(db, world.pricelist_sek, world.market_se, [v0, v1, v2])
    assert set(before) == {v0, v1}
    assert before[v0].price == Decimal("100.00")

    await alterations.update_price_alteration(db, spring.id, active=True)
    after = await prices(db, world.pricelist_sek, world.market_se, [v0, v1, v2])
    assert after[v0].price == Decimal("120.00")
    assert after[v0].price_alteration_id == spring.id
    assert after[v0].show_as_on_sale is False  # a new price, not a markdown
    assert after[v1].price == Decimal("200.00")  # not altered
    assert after[v1].price_alteration_id is None
    assert after[v2].price == Decimal("50.00")  # priced by the alteration alone
    # Before its start, and in another pricelist or store, the base price stands.
    assert (await prices(db, world.pricelist_sek, world.market_se, [v0], NOW - 2 * DAY))[v0].price == Decimal("100")
    assert await prices(db, world.other_pricelist, world.other_market, [v0]) == {}

    assert await _events(db) == [(spring.id, "created"), (spring.id, "updated"), (spring.id, "updated")]


async def test_the_latest_started_alteration_wins_and_campaigns_apply_on_top(db: Database, world: Any) -> None:
    v0 = world.variants[0]
    await set_prices(db, world.pricelist_sek, [PriceSpec(v0, Decimal("100"))])
    old = await alterations.create_price_alteration(db, world.store, "Old", starts_at=NOW - 10 * DAY, active=True)
    new = await alterations.create_price_alteration(db, world.store, "New", starts_at=NOW - DAY, active=True)
    future = await alterations.create_price_alteration(db, world.store, "Later", starts_at=NOW + DAY, active=True)
    for alteration, amount in ((old, "110"), (new, "150"), (future, "999")):
        await alterations.set_altered_prices(
            db, alteration.id, world.pricelist_sek, [AlteredPriceSpec(v0, Decimal(amount))]
        )
    assert (await prices(db, world.pricelist_sek, world.market_se, [v0]))[v0].price == Decimal("150.00")
    assert (await prices(db, world.pricelist_sek, world.market_se, [v0], NOW + 2 * DAY))[v0].price == Decimal("999")

    await create_campaign(
        db, world.store, "Sale", market_ids=[world.market_se], variants=[CampaignVariantSpec(v0, 2000)]
    )
    marked_down = (await prices(db, world.pricelist_sek, world.market_se, [v0]))[v0]
    assert (marked_down.price, marked_down.price_before_discount) == (Decimal("120.00"), Decimal("150.00"))
    assert marked_down.show_as_on_sale is True


async def test_setting_altered_prices_again_replaces_them(db: Database, world: Any) -> None:
    v0 = world.variants[0]
    alteration = await alterations.create_price_alteration(db, world.store, "A", starts_at=NOW, active=True)
    first = await alterations.set_altered_prices(
        db, alteration.id, world.pricelist_sek, [AlteredPriceSpec(v0, Decimal("1"))]
    )
    again = await alterations.set_altered_prices(
        db, alteration.id, world.pricelist_sek, [AlteredPriceSpec(v0, Decimal("2"))]
    )
    assert first[0].id == again[0].id
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(AlteredPrice)) == 1
        assert await session.scalar(select(AlteredPrice.price_minor)) == 200


async def test_bad_input_is_refused_and_changes_nothing(db: Database, world: Any) -> None:
    v0 = world.variants[0]
    with pytest.raises(ValidationFailed):
        await alterations.create_price_alteration(db, world.store, "  ", starts_at=NOW)
    with pytest.raises(ValidationFailed):
        await alterations.create_price_alteration(db, world.store, "Naive", starts_at=datetime(2025, 1, 1))
    with pytest.raises(NotFound):
        await alterations.create_price_alteration(db, 999_999, "Nowhere", starts_at=NOW)
    alteration = await alterations.create_price_alteration(db, world.store, "A", starts_at=NOW)
    with pytest.raises(NotFound):
        await alterations.update_price_alteration(db, 999_999, active=True)
    bad: list[tuple[int, int, list[AlteredPriceSpec]]] = [
        (999_999, world.pricelist_sek, [AlteredPriceSpec(v0, Decimal("1"))]),
        (alteration.id, world.other_pricelist, [AlteredPriceSpec(v0, Decimal("1"))]),  # another store's
        (alteration.id, world.pricelist_sek, [AlteredPriceSpec(999_999, Decimal("1"))]),
        (alteration.id, world.pricelist_sek, [AlteredPriceSpec(v0, Decimal("-1"))]),
        (alteration.id, world.pricelist_jpy, [AlteredPriceSpec(v0, Decimal("1.5"))]),  # yen has no decimals
        (alteration.id, world.pricelist_sek, [AlteredPriceSpec(v0, Decimal("1")), AlteredPriceSpec(v0, Decimal("2"))]),
    ]
    for alteration_id, pricelist_id, specs in bad:
        with pytest.raises((NotFound, ValidationFailed)):
            await alterations.set_altered_prices(db, alteration_id, pricelist_id, specs)
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(AlteredPrice)) == 0
    assert await _events(db) == [(alteration.id, "created")]


async def test_the_storefront_snapshot_expires_when_an_alteration_starts(db: Database, world: Any) -> None:
    from opencentra.storefront.catalog import next_campaign_change

    start = NOW + DAY
    await alterations.create_price_alteration(db, world.store, "Later", starts_at=start, active=True)
    await alterations.create_price_alteration(db, world.store, "Inactive", starts_at=NOW + DAY / 2)
    async with db.read() as session:
        assert await next_campaign_change(session, world.store, NOW) == start
        assert await alterations.next_start(session, world.store, start) is None
        assert await alterations.next_start(session, world.other_store, NOW) is None
