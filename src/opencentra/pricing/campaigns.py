"""Campaigns: percentage markdowns of chosen variants in chosen markets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from opencentra.catalog.models import ProductVariant
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events import outbox
from opencentra.pricing import _refs
from opencentra.pricing.models import Campaign, CampaignMarket, CampaignVariant
from opencentra.stores.markets import check_markets_of_store


@dataclass(frozen=True)
class CampaignVariantSpec:
    """``pricelist_id`` None: the discount applies in every pricelist."""

    variant_id: int
    discount_bp: int
    pricelist_id: int | None = None


def check_window(starts_at: datetime | None, ends_at: datetime | None) -> None:
    """Both bounds timezone-aware, and the end after the start."""
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and value.tzinfo is None:
            raise ValidationFailed(f"{name} needs a timezone", field=name)
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationFailed("ends_at must be after starts_at", field="ends_at")


async def create_campaign(
    db: Database,
    store_id: int,
    name: str,
    *,
    market_ids: Sequence[int],
    variants: Sequence[CampaignVariantSpec],
    active: bool = True,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Campaign:
    """Create a campaign (``markets`` and ``variants`` loaded on the result)."""
    name = name.strip()
    if not name or len(name) > 255:
        raise ValidationFailed("name is required (at most 255 characters)", field="name")
    check_window(starts_at, ends_at)
    if not market_ids:
        raise ValidationFailed("a campaign needs at least one market", field="markets")
    if len(set(market_ids)) != len(market_ids):
        raise ValidationFailed("a market is listed twice", field="markets")
    if not variants:
        raise ValidationFailed("a campaign needs at least one variant", field="variants")
    keys = [(v.variant_id, v.pricelist_id) for v in variants]
    if len(set(keys)) != len(keys):
        raise ValidationFailed("a variant is listed twice for the same pricelist", field="variants")
    for spec in variants:
        if not 0 < spec.discount_bp <= 10_000:
            raise ValidationFailed("discount must be above 0 and at most 100%", field="discount")

    async with db.write() as session:
        if await session.scalar(select(_refs.stores.c.id).where(_refs.stores.c.id == store_id)) is None:
            raise NotFound(f"store {store_id} not found", field="store")
        await check_markets_of_store(session, store_id, market_ids)
        pricelist_ids = {v.pricelist_id for v in variants if v.pricelist_id is not None}
        if pricelist_ids:
            pricelists = _refs.pricelists
            own_pricelists = set(
                await session.scalars(
                    select(pricelists.c.id).where(
                        pricelists.c.store_id == store_id, pricelists.c.id.in_(sorted(pricelist_ids))
                    )
                )
            )
            if missing := sorted(pricelist_ids - own_pricelists):
                raise ValidationFailed(
                    f"pricelists {missing} are not pricelists of store {store_id}", field="pricelists"
                )
        variant_ids = sorted({v.variant_id for v in variants})
        known = set(await session.scalars(select(ProductVariant.id).where(ProductVariant.id.in_(variant_ids))))
        if missing := sorted(set(variant_ids) - known):
            raise NotFound(f"variants {missing} not found", field="variants")

        campaign = Campaign(
            store_id=store_id,
            name=name,
            active=active,
            starts_at=starts_at,
            ends_at=ends_at,
            markets=[CampaignMarket(market_id=m) for m in market_ids],
            variants=[
                CampaignVariant(variant_id=v.variant_id, pricelist_id=v.pricelist_id, discount_bp=v.discount_bp)
                for v in variants
            ],
        )
        session.add(campaign)
        await session.flush()
        await outbox.record(
            session,
            "campaign",
            campaign.id,
            "created",
            {
                "name": name,
                "active": active,
                "starts_at": starts_at.isoformat() if starts_at else None,
                "ends_at": ends_at.isoformat() if ends_at else None,
                "markets": list(market_ids),
                "variants": [
                    {"variant": v.variant_id, "pricelist": v.pricelist_id, "discount_bp": v.discount_bp}
                    for v in variants
                ],
            },
            store_id=store_id,
        )
        return campaign
