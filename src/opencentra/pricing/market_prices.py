"""Prices in every market and pricelist of a store at once, and the campaigns that make them.

A cache-building API (the Shop API) shows each product's price in every
pricelist for every market it is sold in. Each (market, pricelist) price is
decided by the rule of ``prices.price_for_variants`` (its ``resolve_price``,
``campaign_rank`` and ``running_campaigns``, and ``alterations.in_force``),
so a campaign or a price alteration counts here exactly as at checkout; only
the reads are batched over all the pairs. The number of statements depends
on the number of pricelists, never on the number of variants or markets (per
chunk of 500 variants).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.errors import NotFound
from opencentra.pricing import _refs, alterations
from opencentra.pricing.alterations import AlteredPriceInForce
from opencentra.pricing.models import Campaign, CampaignMarket, CampaignVariant, Price
from opencentra.pricing.prices import CampaignDiscount, PriceInfo, campaign_rank, resolve_price, running_campaigns

# Variants per round of statements (as ``prices``): far below the drivers' parameter limits.
_CHUNK = 500

MarketPrices = Mapping[int, Mapping[int, Mapping[int, PriceInfo]]]
"""``{variant id: {market id: {pricelist id: price}}}``; a variant without a price in a pricelist has no entry."""


@dataclass(frozen=True, slots=True)
class CampaignOnSaleView:
    """A campaign of a store and what it marks down now, per market and pricelist."""

    id: int
    name: str
    starts_at: datetime | None
    ends_at: datetime | None
    market_ids: tuple[int, ...]
    # ``{market id: {pricelist id: variant ids whose price this campaign sets now}}``.
    variants_on_sale: Mapping[int, Mapping[int, tuple[int, ...]]]


async def active_pricelist_ids(session: AsyncSession, store_id: int) -> list[int]:
    pricelists = _refs.pricelists
    return list(
        await session.scalars(
            select(pricelists.c.id)
            .where(pricelists.c.store_id == store_id, pricelists.c.active.is_(True))
            .order_by(pricelists.c.id)
        )
    )


async def prices_in_markets(
    session: AsyncSession,
    store_id: int,
    variant_markets: Mapping[int, Iterable[int]],
    at: datetime,
    *,
    pricelist_ids: Sequence[int] | None = None,
) -> MarketPrices:
    """Each variant's price in every active pricelist of the store (or those given), in each of its markets.

    ``variant_markets`` maps a variant to the markets it is sold in. The same
    rule as ``prices.price_for_variants`` for each (market, pricelist) pair
    (``resolve_price``, ``campaign_rank``, ``alterations.in_force``), read in
    one pass: 1 statement, then per chunk of variants 2 and one per pricelist.
    """
    if at.tzinfo is None:
        raise ValueError("prices_in_markets needs a timezone-aware datetime")
    wanted = {variant: sorted(set(markets)) for variant, markets in variant_markets.items()}
    wanted = {variant: markets for variant, markets in wanted.items() if markets}
    if not wanted:
        return {}
    pricelists = list(pricelist_ids) if pricelist_ids is not None else await active_pricelist_ids(session, store_id)
    if not pricelists:
        return {}
    refs, currencies = _refs.pricelists, _refs.currencies
    decimals: dict[int, int] = {
        pricelist_id: places
        for pricelist_id, places in await session.execute(
            select(refs.c.id, currencies.c.decimals)
            .select_from(refs.join(currencies, currencies.c.id == refs.c.currency_id))
            .where(refs.c.id.in_(pricelists), refs.c.store_id == store_id)
        )
    }
    pricelists = [p for p in pricelists if p in decimals]
    all_markets = sorted({m for markets in wanted.values() for m in markets})
    ids = sorted(wanted)

    stored: dict[tuple[int, int], Price] = {}
    altered: dict[tuple[int, int], AlteredPriceInForce] = {}
    # (market, pricelist, variant) -> (rank, discount)
    best: dict[tuple[int, int, int], tuple[tuple[int, int, int], CampaignDiscount]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for price in await session.scalars(
            select(Price).where(Price.pricelist_id.in_(pricelists), Price.variant_id.in_(chunk))
        ):
            stored[(price.pricelist_id, price.variant_id)] = price
        for pricelist_id in pricelists:
            in_force = await alterations.in_force(session, store_id, pricelist_id, chunk, at)
            for variant_id, alteration_in_force in in_force.items():
                altered[(pricelist_id, variant_id)] = alteration_in_force
        rows = await session.execute(
            select(
                CampaignVariant.variant_id,
                CampaignVariant.discount_bp,
                CampaignVariant.pricelist_id,
                Campaign.id,
                Campaign.name,
                CampaignMarket.market_id,
            )
            .join(Campaign, Campaign.id == CampaignVariant.campaign_id)
            .join(CampaignMarket, CampaignMarket.campaign_id == Campaign.id)
            .where(
                *running_campaigns(store_id, at),
                CampaignMarket.market_id.in_(all_markets),
                CampaignVariant.variant_id.in_(chunk),
                or_(CampaignVariant.pricelist_id.is_(None), CampaignVariant.pricelist_id.in_(pricelists)),
            )
        )
        for variant_id, discount_bp, row_pricelist, campaign_id, name, market_id in rows:
            rank = campaign_rank(discount_bp, row_pricelist, campaign_id)
            for pricelist_id in pricelists if row_pricelist is None else [row_pricelist]:
                key = (market_id, pricelist_id, variant_id)
                if key not in best or rank > best[key][0]:
                    best[key] = (rank, CampaignDiscount(campaign_id, name, discount_bp))

    found: dict[int, dict[int, dict[int, PriceInfo]]] = {}
    for variant_id in ids:
        for pricelist_id in pricelists:
            stored_price = stored.get((pricelist_id, variant_id))
            alteration = altered.get((pricelist_id, variant_id))
            if stored_price is None and alteration is None:
                continue
            for market_id in wanted[variant_id]:
                campaign = best.get((market_id, pricelist_id, variant_id))
                found.setdefault(variant_id, {}).setdefault(market_id, {})[pricelist_id] = resolve_price(
                    variant_id, stored_price, alteration, campaign[1] if campaign else None, decimals[pricelist_id]
                )
    return found


async def campaigns_on_sale(
    session: AsyncSession,
    store_id: int,
    variant_markets: Mapping[int, Iterable[int]],
    at: datetime,
    *,
    campaign_id: int | None = None,
) -> list[CampaignOnSaleView]:
    """The store's active campaigns (or the one asked for: ``NotFound(field="campaign")``), by id.

    A variant is on sale in a campaign, market and pricelist when that
    campaign sets its price there at ``at`` (the largest discount wins, as at
    checkout). ``variant_markets`` maps the variants the caller sells to
    their markets; others are not looked at.
    """
    statement = select(Campaign).where(Campaign.store_id == store_id, Campaign.active.is_(True)).order_by(Campaign.id)
    if campaign_id is not None:
        statement = statement.where(Campaign.id == campaign_id)
    campaigns = list(await session.scalars(statement))
    if campaign_id is not None and not campaigns:
        raise NotFound("not found", field="campaign")
    if not campaigns:
        return []
    ids = [c.id for c in campaigns]
    markets: dict[int, list[int]] = defaultdict(list)
    for owner, market_id in await session.execute(
        select(CampaignMarket.campaign_id, CampaignMarket.market_id)
        .where(CampaignMarket.campaign_id.in_(ids))
        .order_by(CampaignMarket.market_id)
    ):
        markets[owner].append(market_id)
    discounted = set(
        await session.scalars(select(CampaignVariant.variant_id).where(CampaignVariant.campaign_id.in_(ids)))
    )
    wanted = {variant: list(m) for variant, m in variant_markets.items() if variant in discounted}
    pricelists = await active_pricelist_ids(session, store_id)
    prices = await prices_in_markets(session, store_id, wanted, at, pricelist_ids=pricelists)
    on_sale: dict[int, dict[int, dict[int, list[int]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for variant_id in sorted(prices):
        for market_id, by_pricelist in prices[variant_id].items():
            for pricelist_id, price in by_pricelist.items():
                if price.campaign is not None:
                    on_sale[price.campaign.campaign_id][market_id][pricelist_id].append(variant_id)
    return [
        CampaignOnSaleView(
            id=campaign.id,
            name=campaign.name,
            starts_at=campaign.starts_at,
            ends_at=campaign.ends_at,
            market_ids=tuple(markets.get(campaign.id, [])),
            variants_on_sale={
                market_id: {
                    pricelist_id: tuple(on_sale[campaign.id][market_id][pricelist_id]) for pricelist_id in pricelists
                }
                for market_id in markets.get(campaign.id, [])
            },
        )
        for campaign in campaigns
    ]
