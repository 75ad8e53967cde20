"""Variant prices per pricelist, with the market's active campaign applied.

``price_for_variants`` is the one place a shopper-facing price is decided;
every API asks it rather than reading ``prices`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.models import ProductVariant
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events import outbox
from opencentra.money import from_minor
from opencentra.pricing import _refs, alterations
from opencentra.pricing._amounts import exact_minor
from opencentra.pricing.alterations import AlteredPriceInForce
from opencentra.pricing.models import Campaign, CampaignMarket, CampaignVariant, Price

# Keeps IN lists well under every driver's bound-parameter limit.
_CHUNK = 500


@dataclass(frozen=True)
class Currency:
    currency_id: int
    code: str
    decimals: int


@dataclass(frozen=True)
class CampaignDiscount:
    campaign_id: int
    name: str
    discount_bp: int


@dataclass(frozen=True)
class PriceInfo:
    """What a variant costs in one pricelist and market at one moment."""

    variant_id: int
    price: Decimal
    price_before_discount: Decimal
    price_minor: int
    price_before_discount_minor: int
    currency_decimals: int
    campaign: CampaignDiscount | None
    show_as_on_sale: bool
    show_as_new: bool
    # The price alteration whose price replaced the base price, if one is in force.
    price_alteration_id: int | None = None

    @property
    def campaign_name(self) -> str | None:
        return self.campaign.name if self.campaign else None

    @property
    def campaign_discount_bp(self) -> int | None:
        return self.campaign.discount_bp if self.campaign else None

    @property
    def discount_percent(self) -> int:
        """Whole percent off the price before discount, rounded half up."""
        before = self.price_before_discount_minor
        if before <= 0 or self.price_minor >= before:
            return 0
        return ((before - self.price_minor) * 200 + before) // (2 * before)


@dataclass(frozen=True)
class PriceSpec:
    variant_id: int
    price: Decimal
    price_before_discount: Decimal | None = None
    show_as_on_sale: bool = False
    show_as_new: bool = False


def campaign_price_minor(price_minor: int, discount_bp: int) -> int:
    """A price less ``discount_bp``, rounded half up to the minor unit."""
    return (price_minor * (10_000 - discount_bp) + 5_000) // 10_000


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


async def _pricelist(session: AsyncSession, pricelist_id: int) -> tuple[int, Currency]:
    """(store id, currency) of a pricelist; ``NotFound(field="pricelist")`` if none."""
    pricelists, currencies = _refs.pricelists, _refs.currencies
    row = (
        await session.execute(
            select(pricelists.c.store_id, currencies.c.id, currencies.c.code, currencies.c.decimals)
            .select_from(pricelists.join(currencies, currencies.c.id == pricelists.c.currency_id))
            .where(pricelists.c.id == pricelist_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"pricelist {pricelist_id} not found", field="pricelist")
    return row[0], Currency(currency_id=row[1], code=row[2], decimals=row[3])


async def pricelist_currency(session: AsyncSession, pricelist_id: int) -> Currency:
    """The currency of a pricelist; ``NotFound(field="pricelist")`` if none."""
    return (await _pricelist(session, pricelist_id))[1]


def running_campaigns(store_id: int, at: datetime) -> list[ColumnElement[bool]]:
    """Conditions on ``Campaign``: the store's active campaigns whose window holds ``at``."""
    return [
        Campaign.store_id == store_id,
        Campaign.active.is_(True),
        or_(Campaign.starts_at.is_(None), Campaign.starts_at <= at),
        or_(Campaign.ends_at.is_(None), Campaign.ends_at > at),
    ]


def campaign_rank(discount_bp: int, row_pricelist_id: int | None, campaign_id: int) -> tuple[int, int, int]:
    """Which of several applying campaign rows wins: the largest discount, then the
    pricelist-specific row, then the older campaign (the highest rank)."""
    return (discount_bp, 1 if row_pricelist_id is not None else 0, -campaign_id)


def resolve_price(
    variant_id: int,
    stored: Price | None,
    alteration: AlteredPriceInForce | None,
    campaign: CampaignDiscount | None,
    decimals: int,
) -> PriceInfo:
    """The price from the stored price, the alteration in force and the winning campaign."""
    # A price alteration in force replaces the base price (and may price a
    # variant the pricelist itself has no price for).
    base = alteration.price_minor if alteration else stored.price_minor if stored else 0
    manual_before = stored.price_before_discount_minor if stored else None
    before = max(manual_before or base, base)
    now = campaign_price_minor(base, campaign.discount_bp) if campaign else base
    return PriceInfo(
        variant_id=variant_id,
        price=from_minor(now, decimals),
        price_before_discount=from_minor(before, decimals),
        price_minor=now,
        price_before_discount_minor=before,
        currency_decimals=decimals,
        campaign=campaign,
        show_as_on_sale=(stored is not None and stored.show_as_on_sale) or now < before,
        show_as_new=stored is not None and stored.show_as_new,
        price_alteration_id=alteration.price_alteration_id if alteration else None,
    )


async def price_for_variants(
    session: AsyncSession,
    pricelist_id: int,
    market_id: int,
    variant_ids: Iterable[int],
    at: datetime,
) -> dict[int, PriceInfo]:
    """Prices of the given variants; variants without a price are absent.

    A price alteration in force at ``at`` (``pricing.alterations.in_force``)
    replaces the pricelist's base price before any campaign applies.

    A campaign applies when it is active at ``at``, belongs to the pricelist's
    store, includes ``market_id`` and lists the variant for all pricelists or
    for this one. If several apply, the largest discount wins (then the
    pricelist-specific row, then the older campaign). The struck-out price is
    the manual before-discount price if set, else the base price.
    """
    if at.tzinfo is None:
        raise ValueError("price_for_variants needs a timezone-aware datetime")
    ids = sorted(set(variant_ids))
    store_id, currency = await _pricelist(session, pricelist_id)
    if not ids:
        return {}

    prices: dict[int, Price] = {}
    altered: dict[int, AlteredPriceInForce] = {}
    best: dict[int, tuple[tuple[int, int, int], CampaignDiscount]] = {}
    for chunk in _chunks(ids):
        for price in await session.scalars(
            select(Price).where(Price.pricelist_id == pricelist_id, Price.variant_id.in_(chunk))
        ):
            prices[price.variant_id] = price
        altered.update(await alterations.in_force(session, store_id, pricelist_id, chunk, at))
        rows = await session.execute(
            select(
                CampaignVariant.variant_id,
                CampaignVariant.discount_bp,
                CampaignVariant.pricelist_id,
                Campaign.id,
                Campaign.name,
            )
            .join(Campaign, Campaign.id == CampaignVariant.campaign_id)
            .join(
                CampaignMarket,
                (CampaignMarket.campaign_id == Campaign.id) & (CampaignMarket.market_id == market_id),
            )
            .where(
                *running_campaigns(store_id, at),
                CampaignVariant.variant_id.in_(chunk),
                or_(CampaignVariant.pricelist_id.is_(None), CampaignVariant.pricelist_id == pricelist_id),
            )
        )
        for variant_id, discount_bp, row_pricelist, campaign_id, name in rows:
            rank = campaign_rank(discount_bp, row_pricelist, campaign_id)
            if variant_id not in best or rank > best[variant_id][0]:
                best[variant_id] = (rank, CampaignDiscount(campaign_id, name, discount_bp))

    result: dict[int, PriceInfo] = {}
    for variant_id in sorted(prices.keys() | altered.keys()):
        campaign = best[variant_id][1] if variant_id in best else None
        result[variant_id] = resolve_price(
            variant_id, prices.get(variant_id), altered.get(variant_id), campaign, currency.decimals
        )
    return result


async def set_prices(db: Database, pricelist_id: int, prices: Sequence[PriceSpec]) -> list[Price]:
    """Create or replace variant prices in a pricelist."""
    async with db.write() as session:
        return await set_prices_in(session, pricelist_id, prices)


async def set_prices_in(session: AsyncSession, pricelist_id: int, prices: Sequence[PriceSpec]) -> list[Price]:
    """``set_prices`` inside a transaction the caller owns (bulk seeding)."""
    store_id, currency = await _pricelist(session, pricelist_id)
    variant_ids = [spec.variant_id for spec in prices]
    if len(set(variant_ids)) != len(variant_ids):
        raise ValidationFailed("a variant is priced twice", field="variant")
    amounts: list[tuple[PriceSpec, int, int | None]] = []
    for spec in prices:
        price_minor = exact_minor(spec.price, currency.decimals, field="price")
        before_minor = None
        if spec.price_before_discount is not None:
            before_minor = exact_minor(spec.price_before_discount, currency.decimals, field="price_before_discount")
            if before_minor < price_minor:
                raise ValidationFailed(
                    "the price before discount cannot be below the price", field="price_before_discount"
                )
        amounts.append((spec, price_minor, before_minor))

    existing: dict[int, Price] = {}
    known: set[int] = set()
    for chunk in _chunks(sorted(variant_ids)):
        known.update(await session.scalars(select(ProductVariant.id).where(ProductVariant.id.in_(chunk))))
        for price in await session.scalars(
            select(Price).where(Price.pricelist_id == pricelist_id, Price.variant_id.in_(chunk))
        ):
            existing[price.variant_id] = price
    if missing := sorted(set(variant_ids) - known):
        raise NotFound(f"variants {missing} not found", field="variant")

    changes: list[tuple[Price, str]] = []
    for spec, price_minor, before_minor in amounts:
        row = existing.get(spec.variant_id)
        action = "updated"
        if row is None:
            row = Price(pricelist_id=pricelist_id, variant_id=spec.variant_id, price_minor=price_minor)
            session.add(row)
            action = "created"
        row.price_minor = price_minor
        row.price_before_discount_minor = before_minor
        row.show_as_on_sale = spec.show_as_on_sale
        row.show_as_new = spec.show_as_new
        changes.append((row, action))
    await session.flush()
    for row, action in changes:
        await outbox.record(
            session,
            "price",
            row.id,
            action,
            {
                "pricelist": pricelist_id,
                "variant": row.variant_id,
                "price_minor": row.price_minor,
                "price_before_discount_minor": row.price_before_discount_minor,
            },
            store_id=store_id,
        )
    return [row for row, _ in changes]
