"""The lowest price of the last 30 days (Centra's ``lowestPrice``, for the EU Omnibus rule).

``record_prices`` looks at the price in force (campaigns and alterations
applied, ``pricing.prices.price_for_variants``) of every priced variant in
every pricelist and market of each store, and writes a history row where it
differs from the last one. The app runs it periodically
(``OPENCENTRA_PRICE_HISTORY_SECONDS``, default hourly) and ``opencentra
record-prices`` runs it once; a run that wrote rows records an outbox event so
the storefront's catalogue is rebuilt with the new lowest prices.

``lowest_prices`` answers, per variant, the lowest price in force at any time
in the last ``days``: the rows written in that window and the row that was in
force when it began.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.events.outbox import record
from opencentra.pricing.history_models import PriceObservation
from opencentra.pricing.models import Price
from opencentra.pricing.prices import price_for_variants
from opencentra.stores.models import Market, Pricelist

LOWEST_PRICE_DAYS = 30


@dataclass(frozen=True, slots=True)
class ObservedPrice:
    price_minor: int
    price_before_discount_minor: int


async def _latest(
    session: AsyncSession, pricelist_id: int, market_id: int, *, before: datetime | None = None
) -> dict[int, ObservedPrice]:
    """Per variant, the last row (written before ``before``, if given)."""
    conditions = [PriceObservation.pricelist_id == pricelist_id, PriceObservation.market_id == market_id]
    if before is not None:
        conditions.append(PriceObservation.observed_at < before)
    latest = (
        select(PriceObservation.variant_id, func.max(PriceObservation.observed_at).label("observed_at"))
        .where(*conditions)
        .group_by(PriceObservation.variant_id)
        .subquery()
    )
    rows = await session.execute(
        select(PriceObservation.variant_id, PriceObservation.price_minor, PriceObservation.price_before_discount_minor)
        .join(
            latest,
            and_(
                PriceObservation.variant_id == latest.c.variant_id,
                PriceObservation.observed_at == latest.c.observed_at,
            ),
        )
        .where(PriceObservation.pricelist_id == pricelist_id, PriceObservation.market_id == market_id)
    )
    return {variant_id: ObservedPrice(price, before_price) for variant_id, price, before_price in rows}


async def record_prices(db: Database, *, at: datetime | None = None) -> int:
    """Write a row for each price in force that changed since its last row; the number written."""
    now = at or utcnow()
    written = 0
    async with db.write() as session:
        pairs = await session.execute(
            select(Pricelist.id, Market.id, Pricelist.store_id)
            .join(Market, Market.store_id == Pricelist.store_id)
            .where(Pricelist.active.is_(True), Market.active.is_(True))
            .order_by(Pricelist.id, Market.id)
        )
        stores: set[int] = set()
        for pricelist_id, market_id, store_id in pairs.all():
            variant_ids = list(
                await session.scalars(select(Price.variant_id).where(Price.pricelist_id == pricelist_id))
            )
            if not variant_ids:
                continue
            current = await price_for_variants(session, pricelist_id, market_id, variant_ids, now)
            last = await _latest(session, pricelist_id, market_id)
            for variant_id, info in current.items():
                observed = ObservedPrice(info.price_minor, info.price_before_discount_minor)
                if last.get(variant_id) == observed:
                    continue
                session.add(
                    PriceObservation(
                        pricelist_id=pricelist_id,
                        market_id=market_id,
                        variant_id=variant_id,
                        price_minor=observed.price_minor,
                        price_before_discount_minor=observed.price_before_discount_minor,
                        observed_at=now,
                    )
                )
                written += 1
                stores.add(store_id)
        await session.flush()
        for store_id in sorted(stores):
            await record(session, "price_history", store_id, "recorded", {"at": now.isoformat()}, store_id=store_id)
    return written


async def lowest_prices(
    session: AsyncSession, pricelist_id: int, market_id: int, *, at: datetime, days: int = LOWEST_PRICE_DAYS
) -> dict[int, ObservedPrice]:
    """Per variant with history, the lowest price in force during the ``days`` before ``at``."""
    cutoff = at - timedelta(days=days)
    lowest = await _latest(session, pricelist_id, market_id, before=cutoff)
    rows = await session.execute(
        select(
            PriceObservation.variant_id, PriceObservation.price_minor, PriceObservation.price_before_discount_minor
        ).where(
            PriceObservation.pricelist_id == pricelist_id,
            PriceObservation.market_id == market_id,
            PriceObservation.observed_at >= cutoff,
            PriceObservation.observed_at <= at,
        )
    )
    for variant_id, price, before_price in rows:
        found = lowest.get(variant_id)
        if found is None or price < found.price_minor:
            lowest[variant_id] = ObservedPrice(price, before_price)
    return lowest
