"""What bundles cost: a bundle's price range, and one bundle with its chosen components.

A static bundle costs its own variant's price; a dynamic one costs the
chosen components' prices (times the section quantity) less its discount
(``catalog.bundles.discounted``). Prices come from the pricelist in force
in the market (``pricing.prices``); a bundle missing a price it needs has no
price.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.bundle_models import Bundle, BundlePriceType
from opencentra.catalog.bundles import BundleLinePrice, ChosenComponent, discounted
from opencentra.pricing.prices import price_for_variants


@dataclass(frozen=True)
class PriceRange:
    """What a bundle costs at least and at most, before and after its discounts (minor units)."""

    min_minor: int
    max_minor: int
    min_before_minor: int
    max_before_minor: int
    # Dynamic bundles: the components at their own prices, cheapest choice.
    items_minor: int


async def _variant_prices(
    session: AsyncSession, pricelist_id: int, market_id: int, variant_ids: Iterable[int], at: datetime
) -> dict[int, tuple[int, int]]:
    prices = await price_for_variants(session, pricelist_id, market_id, variant_ids, at)
    return {v: (p.price_minor, p.price_before_discount_minor) for v, p in prices.items()}


async def price_ranges(
    session: AsyncSession,
    bundles: Iterable[Bundle],
    pricelist_id: int,
    market_id: int,
    at: datetime,
) -> dict[int, PriceRange]:
    """Price ranges of loaded bundles (by bundle id); a bundle missing a price it needs is left out."""
    bundles = list(bundles)
    variant_ids = {b.variant_id for b in bundles} | {
        o.variant_id for b in bundles for s in b.sections for o in s.options
    }
    prices = await _variant_prices(session, pricelist_id, market_id, variant_ids, at)
    ranges: dict[int, PriceRange] = {}
    for bundle in bundles:
        if bundle.price_type == BundlePriceType.STATIC:
            own = prices.get(bundle.variant_id)
            if own is None:
                continue
            parts = [
                [prices[o.variant_id][0] * s.quantity for o in s.options if o.variant_id in prices]
                for s in bundle.sections
            ]
            items = sum(min(p) for p, s in zip(parts, bundle.sections, strict=True) if p and not s.optional)
            ranges[bundle.id] = PriceRange(own[0], own[0], own[1], own[1], items)
            continue
        low = high = low_before = high_before = 0
        complete = True
        for section in bundle.sections:
            options = [prices[o.variant_id] for o in section.options if o.variant_id in prices]
            if not options:
                complete = complete and section.optional
                continue
            cheapest = min(p for p, _b in options) * section.quantity
            dearest = max(p for p, _b in options) * section.quantity
            high += dearest
            high_before += max(b for _p, b in options) * section.quantity
            if not section.optional:
                low += cheapest
                low_before += min(b for _p, b in options) * section.quantity
        if not complete:
            continue
        ranges[bundle.id] = PriceRange(
            discounted(low, bundle.discount_bp), discounted(high, bundle.discount_bp), low_before, high_before, low
        )
    return ranges


async def line_price(
    session: AsyncSession,
    bundle: Bundle,
    components: Sequence[ChosenComponent],
    pricelist_id: int,
    market_id: int,
    at: datetime,
) -> BundleLinePrice | None:
    """The price of one bundle with these components; None when a price it needs is missing."""
    prices = await _variant_prices(
        session, pricelist_id, market_id, {bundle.variant_id} | {c.variant_id for c in components}, at
    )
    parts: list[tuple[int, int]] = []
    for component in components:
        price = prices.get(component.variant_id)
        if price is None and bundle.price_type == BundlePriceType.DYNAMIC:
            return None
        parts.append(price or (0, 0))
    total = sum(p * c.quantity for (p, _b), c in zip(parts, components, strict=True))
    total_before = sum(b * c.quantity for (_p, b), c in zip(parts, components, strict=True))
    if bundle.price_type == BundlePriceType.STATIC:
        own = prices.get(bundle.variant_id)
        if own is None:
            return None
        return BundleLinePrice(own[0], own[1], tuple(parts))
    return BundleLinePrice(discounted(total, bundle.discount_bp), total_before, tuple(parts))
