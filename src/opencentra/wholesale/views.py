"""Wholesale accounts, buyers and delivery windows as frozen read views: by id in batches, and in filtered pages.

The batch functions answer a request's dataloaders with one ``WHERE key IN
(...)`` per chunk of keys. The pages take the caller's ``store_scope`` (the
one store it may see, None for every store); ``account_store``,
``buyer_store`` and ``market_store`` tell which store an object belongs to,
for an API's check before a change. The ``*_view`` functions turn the rows
the wholesale use cases return into views, so the rows never leave the domain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar, cast

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from opencentra.address import Address, read_address
from opencentra.db.listing import (
    SortKey,
    TextMatch,
    Window,
    chunks,
    grouped,
    keyed,
    ordered,
    text_conditions,
    windowed,
)
from opencentra.stores.models import Market
from opencentra.stores.views import MarketView, market_view
from opencentra.wholesale.models import (
    Account,
    AccountDeliveryWindowDiscount,
    AccountStatus,
    AllocationOrder,
    Buyer,
    DeliveryWindow,
    DeliveryWindowKind,
    DeliveryWindowMarket,
    DeliveryWindowStatus,
    DeliveryWindowVariant,
    LimitOn,
    LimitType,
    VariantDeliveryType,
)

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class AccountView:
    id: int
    name: str
    active: bool
    store_id: int
    market_id: int
    pricelist_id: int | None
    discount_bp: int
    discount_visible: bool
    website_url: str | None
    payment_terms_id: int | None
    shipping_terms_id: int | None
    sales_representative_id: int | None
    carrier_name: str | None
    carrier_service: str | None
    carrier_account: str | None
    carrier_tax_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class BuyerView:
    id: int
    account_id: int
    store_id: int
    active: bool
    email: str | None
    website_url: str | None
    receive_auto_emails: bool
    billing_address: Address
    billing_cell_phone_number: str | None
    billing_fax_number: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryWindowView:
    id: int
    name: str
    at_once: bool
    status: DeliveryWindowStatus
    allocation_rule_id: int | None
    default_variant_delivery_type: VariantDeliveryType
    delivery_dates_visible: bool
    selectable_by_buyers: bool
    selected_by_default: bool
    # An at-once window's.
    days_from_now: int | None
    selectable_date: bool | None
    # A preorder window's.
    allocation_order: AllocationOrder | None
    delivery_start: date | None
    delivery_end: date | None
    sales_start: date | None
    sales_end: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class WindowVariantView:
    """A variant a delivery window sells, optionally capped at ``limit_value`` units."""

    delivery_window_id: int
    variant_id: int
    delivery_type: VariantDeliveryType
    limit_value: int | None
    limit_type: LimitType | None
    limit_on: LimitOn | None


@dataclass(frozen=True, slots=True)
class WindowDiscountView:
    """An account's discount in one delivery window."""

    id: int
    account_id: int
    delivery_window_id: int
    discount_bp: int


def account_view(row: Account) -> AccountView:
    return AccountView(
        id=row.id,
        name=row.name,
        active=row.status == AccountStatus.ACTIVE,
        store_id=row.store_id,
        market_id=row.market_id,
        pricelist_id=row.pricelist_id,
        discount_bp=row.discount_bp,
        discount_visible=row.discount_visible,
        website_url=row.website_url,
        payment_terms_id=row.payment_terms_id,
        shipping_terms_id=row.shipping_terms_id,
        sales_representative_id=row.sales_representative_id,
        carrier_name=row.carrier_name,
        carrier_service=row.carrier_service,
        carrier_account=row.carrier_account,
        carrier_tax_id=row.carrier_tax_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def buyer_view(row: Buyer) -> BuyerView:
    return BuyerView(
        id=row.id,
        account_id=row.account_id,
        store_id=row.store_id,
        active=row.status == AccountStatus.ACTIVE,
        email=row.email,
        website_url=row.website_url,
        receive_auto_emails=row.receive_auto_emails,
        billing_address=read_address(row, "billing_"),
        billing_cell_phone_number=row.billing_cell_phone_number,
        billing_fax_number=row.billing_fax_number,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def delivery_window_view(row: DeliveryWindow) -> DeliveryWindowView:
    return DeliveryWindowView(
        id=row.id,
        name=row.name,
        at_once=row.kind == DeliveryWindowKind.AT_ONCE,
        status=DeliveryWindowStatus(row.status),
        allocation_rule_id=row.allocation_rule_id,
        default_variant_delivery_type=VariantDeliveryType(row.default_variant_delivery_type),
        delivery_dates_visible=row.delivery_dates_visible,
        selectable_by_buyers=row.selectable_by_buyers,
        selected_by_default=row.selected_by_default,
        days_from_now=row.days_from_now,
        selectable_date=row.selectable_date,
        allocation_order=None if row.allocation_order is None else AllocationOrder(row.allocation_order),
        delivery_start=row.delivery_start,
        delivery_end=row.delivery_end,
        sales_start=row.sales_start,
        sales_end=row.sales_end,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _window_variant_view(row: DeliveryWindowVariant) -> WindowVariantView:
    return WindowVariantView(
        delivery_window_id=row.delivery_window_id,
        variant_id=row.variant_id,
        delivery_type=VariantDeliveryType(row.delivery_type),
        limit_value=row.limit_value,
        limit_type=None if row.limit_type is None else LimitType(row.limit_type),
        limit_on=None if row.limit_on is None else LimitOn(row.limit_on),
    )


def _discount_view(row: AccountDeliveryWindowDiscount) -> WindowDiscountView:
    return WindowDiscountView(row.id, row.account_id, row.delivery_window_id, row.discount_bp)


# --- batches by key (for dataloaders) ------------------------------------------------------------


async def accounts_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, AccountView]:
    return await keyed(session, Account, Account.id, ids, account_view)


async def buyers_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, BuyerView]:
    return await keyed(session, Buyer, Buyer.id, ids, buyer_view)


async def buyers_of_accounts(session: AsyncSession, account_ids: Iterable[int]) -> dict[int, list[BuyerView]]:
    return await grouped(session, Buyer, Buyer.account_id, account_ids, buyer_view, Buyer.id)


async def delivery_window_views_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, DeliveryWindowView]:
    return await keyed(session, DeliveryWindow, DeliveryWindow.id, ids, delivery_window_view)


async def variants_of_windows(session: AsyncSession, window_ids: Iterable[int]) -> dict[int, list[WindowVariantView]]:
    return await grouped(
        session,
        DeliveryWindowVariant,
        DeliveryWindowVariant.delivery_window_id,
        window_ids,
        _window_variant_view,
        DeliveryWindowVariant.id,
    )


async def discounts_of_accounts(
    session: AsyncSession, account_ids: Iterable[int]
) -> dict[int, list[WindowDiscountView]]:
    return await grouped(
        session,
        AccountDeliveryWindowDiscount,
        AccountDeliveryWindowDiscount.account_id,
        account_ids,
        _discount_view,
        AccountDeliveryWindowDiscount.id,
    )


async def markets_of_windows(session: AsyncSession, window_ids: Iterable[int]) -> dict[int, list[MarketView]]:
    """The markets each delivery window sells in, in market id order."""
    found: dict[int, list[MarketView]] = defaultdict(list)
    for chunk in chunks(window_ids):
        rows = await session.execute(
            select(DeliveryWindowMarket.delivery_window_id, Market)
            .join(Market, Market.id == DeliveryWindowMarket.market_id)
            .where(DeliveryWindowMarket.delivery_window_id.in_(chunk))
            .order_by(DeliveryWindowMarket.delivery_window_id, Market.id)
        )
        for window_id, market in rows:
            found[window_id].append(market_view(market))
    return found


# --- filtered pages and scope checks ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountQuery:
    ids: tuple[int, ...] | None = None
    name: TextMatch | None = None
    active: bool | None = None
    store_id: int | None = None


async def account_page(
    session: AsyncSession,
    query: AccountQuery,
    window: Window,
    *,
    store_scope: int | None,
    sort: Sequence[SortKey] = (),
) -> list[AccountView]:
    """Accounts in ``sort`` order (``id``, ``name``), then id order."""
    conditions: list[ColumnElement[bool]] = []
    if store_scope is not None:
        conditions.append(Account.store_id == store_scope)
    if query.ids is not None:
        conditions.append(Account.id.in_(query.ids))
    if query.active is not None:
        conditions.append(Account.status == (AccountStatus.ACTIVE if query.active else AccountStatus.INACTIVE))
    if query.store_id is not None:
        conditions.append(Account.store_id == query.store_id)
    conditions += text_conditions(Account.name, query.name)
    columns = {"id": Account.id, "name": Account.name}
    statement = windowed(ordered(select(Account).where(*conditions), sort, columns, Account.id), window)
    return [account_view(row) for row in await session.scalars(statement)]


@dataclass(frozen=True, slots=True)
class BuyerQuery:
    ids: tuple[int, ...] | None = None
    account_ids: tuple[int, ...] | None = None
    email: TextMatch | None = None
    active: bool | None = None


async def buyer_page(
    session: AsyncSession,
    query: BuyerQuery,
    window: Window,
    *,
    store_scope: int | None,
    sort: Sequence[SortKey] = (),
) -> list[BuyerView]:
    """Buyers in ``sort`` order (``id``), then id order."""
    conditions: list[ColumnElement[bool]] = []
    if store_scope is not None:
        conditions.append(Buyer.store_id == store_scope)
    if query.ids is not None:
        conditions.append(Buyer.id.in_(query.ids))
    if query.account_ids is not None:
        conditions.append(Buyer.account_id.in_(query.account_ids))
    if query.active is not None:
        conditions.append(Buyer.status == (AccountStatus.ACTIVE if query.active else AccountStatus.INACTIVE))
    conditions += text_conditions(cast(InstrumentedAttribute[str], Buyer.email), query.email)
    statement = windowed(ordered(select(Buyer).where(*conditions), sort, {"id": Buyer.id}, Buyer.id), window)
    return [buyer_view(row) for row in await session.scalars(statement)]


@dataclass(frozen=True, slots=True)
class DeliveryWindowQuery:
    ids: tuple[int, ...] | None = None
    name: TextMatch | None = None
    statuses: tuple[DeliveryWindowStatus, ...] | None = None
    # Windows that sell in any of these markets.
    market_ids: tuple[int, ...] | None = None


async def delivery_window_page(
    session: AsyncSession, query: DeliveryWindowQuery, window: Window, *, sort: Sequence[SortKey] = ()
) -> list[DeliveryWindowView]:
    """Delivery windows in ``sort`` order (``id``, ``name``), then id order (instance-wide, as in Centra)."""
    conditions: list[ColumnElement[bool]] = []
    if query.ids is not None:
        conditions.append(DeliveryWindow.id.in_(query.ids))
    if query.statuses is not None:
        conditions.append(DeliveryWindow.status.in_([s.value for s in query.statuses]))
    if query.market_ids is not None:
        conditions.append(
            DeliveryWindow.id.in_(
                select(DeliveryWindowMarket.delivery_window_id).where(
                    DeliveryWindowMarket.market_id.in_(query.market_ids)
                )
            )
        )
    conditions += text_conditions(DeliveryWindow.name, query.name)
    columns = {"id": DeliveryWindow.id, "name": DeliveryWindow.name}
    statement = windowed(ordered(select(DeliveryWindow).where(*conditions), sort, columns, DeliveryWindow.id), window)
    return [delivery_window_view(row) for row in await session.scalars(statement)]


async def account_store(session: AsyncSession, account_id: int) -> int | None:
    """The store of an account; None if there is no such account."""
    return await session.scalar(select(Account.store_id).where(Account.id == account_id))


async def buyer_store(session: AsyncSession, buyer_id: int) -> int | None:
    return await session.scalar(select(Buyer.store_id).where(Buyer.id == buyer_id))


async def market_store(session: AsyncSession, market_id: int | None) -> int | None:
    return await session.scalar(select(Market.store_id).where(Market.id == market_id))
