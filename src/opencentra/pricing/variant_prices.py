"""Variants' prices and campaign discounts as they are stored, read in batches for the APIs.

What a shopper pays (campaigns applied, in a market, at a moment) is
``prices.price_for_variants``; these are the stored figures an integration
reads back: each variant's price per pricelist and each campaign row that
discounts it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.pricing.models import Campaign, CampaignVariant, Price
from opencentra.stores.models import Pricelist

# Keep each IN (...) list well below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 900


def _chunks(keys: Iterable[int]) -> list[list[int]]:
    unique = list(dict.fromkeys(keys))
    return [unique[i : i + _CHUNK] for i in range(0, len(unique), _CHUNK)]


@dataclass(frozen=True, slots=True)
class VariantPriceView:
    """A variant's price in one pricelist, in minor units of the pricelist's currency."""

    id: int
    variant_id: int
    pricelist_id: int
    # The pricelist's store and currency, so the price can be shown and scoped without reading it.
    store_id: int
    currency_id: int
    price_minor: int
    price_before_discount_minor: int | None


@dataclass(frozen=True, slots=True)
class CampaignVariantView:
    """A variant's discount in a campaign, in all the campaign's pricelists (``pricelist_id`` None) or one."""

    id: int
    campaign_id: int
    # The campaign's store.
    store_id: int
    variant_id: int
    pricelist_id: int | None
    discount_bp: int


def campaign_variant_view(row: CampaignVariant, store_id: int) -> CampaignVariantView:
    """``row`` as a read view; ``store_id`` is its campaign's store."""
    return CampaignVariantView(
        id=row.id,
        campaign_id=row.campaign_id,
        store_id=store_id,
        variant_id=row.variant_id,
        pricelist_id=row.pricelist_id,
        discount_bp=row.discount_bp,
    )


async def prices_of_variants(session: AsyncSession, variant_ids: Iterable[int]) -> dict[int, list[VariantPriceView]]:
    """Each variant's prices, by pricelist id; variants without prices are left out."""
    found: dict[int, list[VariantPriceView]] = defaultdict(list)
    for chunk in _chunks(variant_ids):
        statement = (
            select(Price, Pricelist.store_id, Pricelist.currency_id)
            .join(Pricelist, Pricelist.id == Price.pricelist_id)
            .where(Price.variant_id.in_(chunk))
            .order_by(Price.variant_id, Price.pricelist_id)
        )
        for price, store_id, currency_id in await session.execute(statement):
            found[price.variant_id].append(
                VariantPriceView(
                    id=price.id,
                    variant_id=price.variant_id,
                    pricelist_id=price.pricelist_id,
                    store_id=store_id,
                    currency_id=currency_id,
                    price_minor=price.price_minor,
                    price_before_discount_minor=price.price_before_discount_minor,
                )
            )
    return dict(found)


async def campaign_variants_of_variants(
    session: AsyncSession, variant_ids: Iterable[int]
) -> dict[int, list[CampaignVariantView]]:
    """The campaign rows that discount each variant, in the order they were made."""
    found: dict[int, list[CampaignVariantView]] = defaultdict(list)
    for chunk in _chunks(variant_ids):
        statement = (
            select(CampaignVariant, Campaign.store_id)
            .join(Campaign, Campaign.id == CampaignVariant.campaign_id)
            .where(CampaignVariant.variant_id.in_(chunk))
            .order_by(CampaignVariant.variant_id, CampaignVariant.id)
        )
        for row, store_id in await session.execute(statement):
            found[row.variant_id].append(campaign_variant_view(row, store_id))
    return dict(found)
