"""Deleting a campaign: its markdown stops at once, and the outbox says so."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.events.models import Event
from opencentra.pricing.campaign_changes import delete_campaign
from opencentra.pricing.campaigns import CampaignVariantSpec, create_campaign
from opencentra.pricing.models import CampaignMarket, CampaignVariant
from opencentra.pricing.prices import PriceSpec, price_for_variants, set_prices

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


async def test_delete_campaign(db: Database, world: Any) -> None:
    v0 = world.variants[0]
    await set_prices(db, world.pricelist_sek, [PriceSpec(v0, Decimal("100"))])
    campaign = await create_campaign(
        db, world.store, "Sale", market_ids=[world.market_se], variants=[CampaignVariantSpec(v0, 2000)]
    )
    with pytest.raises(NotFound):
        await delete_campaign(db, campaign.id + 1000)
    await delete_campaign(db, campaign.id)
    async with db.read() as session:
        found = await price_for_variants(session, world.pricelist_sek, world.market_se, [v0], NOW)
        assert (found[v0].price, found[v0].campaign) == (Decimal("100.00"), None)
        for model in (CampaignMarket, CampaignVariant):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
        actions = list(
            await session.scalars(select(Event.action).where(Event.object_type == "campaign").order_by(Event.id))
        )
    assert actions == ["created", "deleted"]
