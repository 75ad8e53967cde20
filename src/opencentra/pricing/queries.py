"""Vouchers, campaigns and price alterations for integrations: read views, batched lookups and paged lists.

Each lookup takes the keys one level of a request asks for and reads them
with one statement (chunked) in the caller's read transaction; each list is
one statement with a filter of its own (``None`` fields match everything),
sort keys by field name and a window. A ``store_scope`` limits a list to the
one store the caller may see (``None``: every store).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from opencentra.catalog.models import ProductVariant
from opencentra.db.listing import (
    SortKey,
    TextMatch,
    Window,
    chunks,
    grouped,
    keyed,
    of_row,
    page,
    text_conditions,
    where_in,
)
from opencentra.pricing.alteration_models import AlteredPrice, PriceAlteration, PriceAlterationDeliveryWindow
from opencentra.pricing.models import (
    Campaign,
    CampaignMarket,
    CampaignVariant,
    Voucher,
    VoucherAmount,
    VoucherMarket,
    VoucherMinimumTotal,
    VoucherType,
)
from opencentra.pricing.variant_prices import CampaignVariantView, campaign_variant_view
from opencentra.pricing.vouchers import VoucherRowView, normalize_code, voucher_row_view

Owned = TypeVar("Owned", Campaign, PriceAlteration)

# --- views ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AmountView:
    """An amount in one currency, in its minor units."""

    currency_id: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class CampaignView:
    id: int
    store_id: int
    name: str
    active: bool
    starts_at: datetime | None
    ends_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PriceAlterationView:
    id: int
    store_id: int
    name: str
    active: bool
    # From this moment on its prices replace the base prices.
    starts_at: datetime
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AlteredPriceView:
    """One variant's price in one pricelist while its alteration is in force."""

    id: int
    price_alteration_id: int
    pricelist_id: int
    variant_id: int
    price_minor: int
    recommended_retail_price_minor: int | None


def campaign_view(row: Campaign) -> CampaignView:
    return of_row(CampaignView, row)


def price_alteration_view(row: PriceAlteration) -> PriceAlterationView:
    return of_row(PriceAlterationView, row)


def altered_price_view(row: AlteredPrice) -> AlteredPriceView:
    return of_row(AlteredPriceView, row)


def _amount_view(row: VoucherAmount | VoucherMinimumTotal) -> AmountView:
    return AmountView(currency_id=row.currency_id, amount_minor=row.amount_minor)


# --- by key --------------------------------------------------------------------------------------


async def vouchers_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, VoucherRowView]:
    return await keyed(session, Voucher, Voucher.id, ids, voucher_row_view)


async def amounts_of_vouchers(session: AsyncSession, voucher_ids: Iterable[int]) -> dict[int, list[AmountView]]:
    """The amounts each voucher takes off, one per currency, in id order."""
    return await grouped(session, VoucherAmount, VoucherAmount.voucher_id, voucher_ids, _amount_view, VoucherAmount.id)


async def minimum_totals_of_vouchers(session: AsyncSession, voucher_ids: Iterable[int]) -> dict[int, list[AmountView]]:
    """The items total each voucher needs, one per currency, in id order."""
    model = VoucherMinimumTotal
    return await grouped(session, model, model.voucher_id, voucher_ids, _amount_view, model.id)


async def _linked_ids(
    session: AsyncSession,
    owner: InstrumentedAttribute[int],
    target: InstrumentedAttribute[int],
    owner_ids: Iterable[int],
    order: InstrumentedAttribute[int],
) -> dict[int, list[int]]:
    """``{owner id: [target id...]}`` from a link table, in ``order``."""
    found: dict[int, list[int]] = defaultdict(list)
    for chunk in chunks(owner_ids):
        for owner_id, target_id in await session.execute(
            select(owner, target).where(owner.in_(chunk)).order_by(owner, order)
        ):
            found[owner_id].append(target_id)
    return dict(found)


async def markets_of_vouchers(session: AsyncSession, voucher_ids: Iterable[int]) -> dict[int, list[int]]:
    """The market ids each voucher is limited to (none: every market of its store), as they were given."""
    link = VoucherMarket
    return await _linked_ids(session, link.voucher_id, link.market_id, voucher_ids, link.id)


async def campaigns_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, CampaignView]:
    return await keyed(session, Campaign, Campaign.id, ids, campaign_view)


async def markets_of_campaigns(session: AsyncSession, campaign_ids: Iterable[int]) -> dict[int, list[int]]:
    """The market ids each campaign runs in, as they were given."""
    link = CampaignMarket
    return await _linked_ids(session, link.campaign_id, link.market_id, campaign_ids, link.id)


async def campaigns_of_markets(session: AsyncSession, market_ids: Iterable[int]) -> dict[int, list[CampaignView]]:
    """The campaigns that run in each market, in campaign id order."""
    found: dict[int, list[CampaignView]] = defaultdict(list)
    for chunk in chunks(market_ids):
        rows = await session.execute(
            select(CampaignMarket.market_id, Campaign)
            .join(CampaignMarket, CampaignMarket.campaign_id == Campaign.id)
            .where(CampaignMarket.market_id.in_(chunk))
            .order_by(CampaignMarket.market_id, Campaign.id)
        )
        for market_id, row in rows:
            found[market_id].append(campaign_view(row))
    return dict(found)


async def variants_of_campaigns(
    session: AsyncSession, campaign_ids: Iterable[int]
) -> dict[int, list[CampaignVariantView]]:
    """The variant discounts of each campaign, in id order."""
    found: dict[int, list[CampaignVariantView]] = defaultdict(list)
    for chunk in chunks(campaign_ids):
        rows = await session.execute(
            select(CampaignVariant, Campaign.store_id)
            .join(Campaign, Campaign.id == CampaignVariant.campaign_id)
            .where(CampaignVariant.campaign_id.in_(chunk))
            .order_by(CampaignVariant.campaign_id, CampaignVariant.id)
        )
        for row, store_id in rows:
            found[row.campaign_id].append(campaign_variant_view(row, store_id))
    return dict(found)


async def price_alterations_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, PriceAlterationView]:
    return await keyed(session, PriceAlteration, PriceAlteration.id, ids, price_alteration_view)


async def delivery_windows_of_alterations(session: AsyncSession, alteration_ids: Iterable[int]) -> dict[int, list[int]]:
    """The wholesale delivery window ids each price alteration names, in id order."""
    link = PriceAlterationDeliveryWindow
    return await _linked_ids(
        session, link.price_alteration_id, link.delivery_window_id, alteration_ids, link.delivery_window_id
    )


# --- lists ---------------------------------------------------------------------------------------


def _owned(
    statement: Select[Owned],
    model: type[Campaign] | type[PriceAlteration],
    ids: Sequence[int] | None,
    store_id: int | None,
    store_scope: int | None,
    name: TextMatch | None,
    active: Sequence[bool] | None,
) -> Select[Owned]:
    """A store's objects filtered by id, store, name and status."""
    statement = where_in(statement, model.id, ids).where(*text_conditions(model.name, name))
    for store in (store_scope, store_id):
        if store is not None:
            statement = statement.where(model.store_id == store)
    if active is not None:
        statement = statement.where(model.active.in_(list(active)))
    return statement


@dataclass(frozen=True, slots=True)
class VoucherFilter:
    ids: Sequence[int] | None = None
    store_id: int | None = None
    name: TextMatch | None = None
    # Matched as a shopper's code is (any case or width).
    code: str | None = None
    types: Sequence[VoucherType] | None = None
    # True: active vouchers; (True, False): both.
    active: Sequence[bool] | None = None


async def voucher_page(
    session: AsyncSession,
    where: VoucherFilter,
    sort: Sequence[SortKey],
    window: Window,
    *,
    store_scope: int | None = None,
) -> list[VoucherRowView]:
    """Vouchers sorted by ``id``, ``name`` or ``updated_at`` (then id)."""
    v = Voucher
    statement = where_in(select(v), v.id, where.ids).where(*text_conditions(v.name, where.name))
    for store_id in (store_scope, where.store_id):
        if store_id is not None:
            statement = statement.where(v.store_id == store_id)
    if where.code is not None:
        statement = statement.where(v.code_normalized == normalize_code(where.code))
    if where.types is not None:
        statement = statement.where(v.type.in_([VoucherType(t).value for t in where.types]))
    if where.active is not None:
        statement = statement.where(v.active.in_(list(where.active)))
    columns = {"id": v.id, "name": v.name, "updated_at": v.updated_at}
    return await page(session, statement, sort, columns, window, voucher_row_view)


@dataclass(frozen=True, slots=True)
class CampaignFilter:
    ids: Sequence[int] | None = None
    store_id: int | None = None
    name: TextMatch | None = None
    active: Sequence[bool] | None = None


async def campaign_page(
    session: AsyncSession,
    where: CampaignFilter,
    sort: Sequence[SortKey],
    window: Window,
    *,
    store_scope: int | None = None,
) -> list[CampaignView]:
    """Campaigns sorted by ``id``, ``name`` or ``updated_at`` (then id)."""
    c = Campaign
    statement = _owned(select(c), c, where.ids, where.store_id, store_scope, where.name, where.active)
    columns = {"id": c.id, "name": c.name, "updated_at": c.updated_at}
    return await page(session, statement, sort, columns, window, campaign_view)


@dataclass(frozen=True, slots=True)
class PriceAlterationFilter:
    ids: Sequence[int] | None = None
    store_id: int | None = None
    name: TextMatch | None = None
    active: Sequence[bool] | None = None


async def price_alteration_page(
    session: AsyncSession,
    where: PriceAlterationFilter,
    sort: Sequence[SortKey],
    window: Window,
    *,
    store_scope: int | None = None,
) -> list[PriceAlterationView]:
    """Price alterations sorted by ``id`` or ``start_date`` (their start; then id)."""
    a = PriceAlteration
    statement = _owned(select(a), a, where.ids, where.store_id, store_scope, where.name, where.active)
    columns = {"id": a.id, "start_date": a.starts_at}
    return await page(session, statement, sort, columns, window, price_alteration_view)


@dataclass(frozen=True, slots=True)
class AlteredPriceFilter:
    pricelist_id: int | None = None
    product_id: int | None = None
    variant_id: int | None = None


async def altered_price_page(
    session: AsyncSession, alteration_id: int, where: AlteredPriceFilter, window: Window
) -> list[AlteredPriceView]:
    """The prices of one alteration, in id order."""
    p = AlteredPrice
    statement = select(p).where(p.price_alteration_id == alteration_id)
    if where.pricelist_id is not None:
        statement = statement.where(p.pricelist_id == where.pricelist_id)
    if where.variant_id is not None:
        statement = statement.where(p.variant_id == where.variant_id)
    if where.product_id is not None:
        variants = select(ProductVariant.id).where(ProductVariant.product_id == where.product_id)
        statement = statement.where(p.variant_id.in_(variants))
    return await page(session, statement, (), {"id": p.id}, window, altered_price_view)
