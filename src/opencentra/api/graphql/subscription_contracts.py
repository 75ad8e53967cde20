"""Subscription contracts and subscriptions for the back office: ``subscriptionContracts``,
``subscriptionContract``, ``subscriptions``, ``subscription``.

A contract is what a registered shopper gets when paying for lines on a
subscription plan: the customer, the stored payment method, the addresses,
and one subscription per product or bundle line. Reading needs
``Subscription:read`` (Centra's name for both); the addresses also need
``SubscriptionContract.shippingAddress:read`` / ``.billingAddress:read``, as
an order's do. The rows come from ``opencentra.subscriptions``; this module
only maps them (docs/compatibility/graphql-api.md, "Subscriptions").
"""

# Sort enums carry Centra's wire names (id_ASC, nextOrderDate_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import subscriptions as domain
from opencentra.api.graphql.common import Currency, DateTimeFilter, DateTimeTz, MonetaryValue, StringFilter, money
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import Address, Customer, load_customer
from opencentra.api.graphql.listing import between, sort_keys, text_match, window
from opencentra.api.graphql.orders import Order, load_order
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stores import Market, Pricelist, Store, load_market, load_pricelist, load_store
from opencentra.db.listing import Between

READ = "Subscription:read"
WRITE = "Subscription:write"
SHIPPING_ADDRESS = "SubscriptionContract.shippingAddress:read"
BILLING_ADDRESS = "SubscriptionContract.billingAddress:read"


@strawberry.enum
class SubscriptionStatus(enum.Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"


@strawberry.enum
class SubscriptionPaymentStatus(enum.Enum):
    ACTIVE = "active"
    PENDING = "pending"
    FAILED = "failed"


@strawberry.enum
class SubscriptionIntervalType(enum.Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@strawberry.type
class SubscriptionInterval:
    value: int
    type: SubscriptionIntervalType


@strawberry.type
class SubscriptionPlanReference:
    """The plan the subscription was bought on, as it was then (null ``id``: the plan is deleted)."""

    id: int | None
    name: str


@strawberry.type
class StoredPaymentMethod:
    """The tokenised payment renewals charge; the token itself is never shown."""

    id: int
    provider: str
    label: str
    is_active: bool
    created_at: DateTimeTz


@strawberry.type
class Subscription:
    id: int
    status: SubscriptionStatus
    payment_status: SubscriptionPaymentStatus
    interval: SubscriptionInterval
    discount_percent: float
    quantity: int
    next_order_date: date
    failed_payment_attempts: int
    next_payment_retry_at: DateTimeTz | None
    created_at: DateTimeTz
    subscription_plan: SubscriptionPlanReference
    item: str | None = strawberry.field(description="Centra's item id, displayItemId-sizeId (null if removed).")
    _view: strawberry.Private[domain.SubscriptionView]

    @classmethod
    def of(cls, view: domain.SubscriptionView) -> Subscription:
        return cls(
            id=view.id,
            status=SubscriptionStatus(view.status),
            payment_status=SubscriptionPaymentStatus(view.payment_status),
            interval=SubscriptionInterval(value=view.interval_value, type=SubscriptionIntervalType(view.interval_type)),
            discount_percent=float(view.discount_percent),
            quantity=view.quantity,
            next_order_date=view.next_order_date,
            failed_payment_attempts=view.failed_attempts,
            next_payment_retry_at=view.retry_at,
            created_at=view.created_at,
            subscription_plan=SubscriptionPlanReference(id=view.plan_id, name=view.plan_name),
            item=view.item,
            _view=view,
        )

    @strawberry.field
    async def subscription_contract(self, info: Info[Any, Any]) -> SubscriptionContract | None:
        return await load_contract(info, self._view.contract_id)


@strawberry.type
class SubscriptionContract:
    id: int
    status: SubscriptionStatus = strawberry.field(
        description="ACTIVE while any subscription is, else PAUSED while any is, else CANCELLED."
    )
    email: str
    created_at: DateTimeTz
    start_date: date | None
    is_waiting_for_first_payment: bool
    _view: strawberry.Private[domain.ContractView]

    @classmethod
    def of(cls, view: domain.ContractView) -> SubscriptionContract:
        return cls(
            id=view.id,
            status=SubscriptionStatus(view.status),
            email=view.email,
            created_at=view.created_at,
            start_date=view.start_date,
            is_waiting_for_first_payment=view.pending,
            _view=view,
        )

    @strawberry.field
    def subscriptions(self) -> list[Subscription]:
        return [Subscription.of(view) for view in self._view.subscriptions]

    @strawberry.field
    async def customer(self, info: Info[Any, Any]) -> Customer | None:
        return await load_customer(info, self._view.customer_id)

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._view.store_id)

    @strawberry.field
    async def market(self, info: Info[Any, Any]) -> Market:
        return await load_market(info, self._view.market_id)

    @strawberry.field
    async def pricelist(self, info: Info[Any, Any]) -> Pricelist:
        return await load_pricelist(info, self._view.pricelist_id)

    @strawberry.field
    async def currency(self, info: Info[Any, Any]) -> Currency:
        found: Currency | None = await info.context.loaders.currency.load(self._view.currency_id)
        assert found is not None
        return found

    @strawberry.field
    async def origin_order(self, info: Info[Any, Any]) -> Order | None:
        """The order the contract was made from (null once that order is deleted)."""
        if self._view.origin_order_id is None:
            return None
        return await load_order(info, self._view.origin_order_id)

    @strawberry.field
    def order_total(self) -> MonetaryValue:
        """One order's total when the contract was made."""
        view = self._view
        return money(view.amount_minor, view.currency_id, view.currency_decimals)

    @strawberry.field
    def shipping_address(self, info: Info[Any, Any]) -> Address:
        check(info, SHIPPING_ADDRESS)
        return Address.of(self._view.shipping, self._view.email)

    @strawberry.field
    def billing_address(self, info: Info[Any, Any]) -> Address:
        check(info, BILLING_ADDRESS)
        return Address.of(self._view.billing, self._view.email)

    @strawberry.field
    def stored_payment_method(self) -> StoredPaymentMethod | None:
        stored = self._view.stored_payment
        if stored is None:
            return None
        return StoredPaymentMethod(
            id=stored.id,
            provider=stored.provider,
            label=stored.label,
            is_active=stored.active,
            created_at=stored.created_at,
        )


async def load_contract(info: Info[Any, Any], contract_id: int) -> SubscriptionContract | None:
    """Through the request's loader: one set of statements for every contract a page asks for."""
    view = await info.context.loaders.keyed("subscription_contracts", domain.contracts_by_id).load(contract_id)
    return None if view is None else SubscriptionContract.of(view)


# --- filters, sorts and root fields ----------------------------------------------------


@strawberry.input
class SubscriptionContractFilter:
    id: list[int] | None = None
    customer_id: list[int] | None = None
    email: StringFilter | None = None
    store_id: int | None = None
    status: list[SubscriptionStatus] | None = strawberry.field(
        default=None, description="Contracts with at least one subscription in one of these."
    )
    created_at: DateTimeFilter | None = None


@strawberry.enum
class SubscriptionContractSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    createdAt_ASC = "createdAt_ASC"
    createdAt_DESC = "createdAt_DESC"
    updatedAt_ASC = "updatedAt_ASC"
    updatedAt_DESC = "updatedAt_DESC"


@strawberry.input
class DateRangeFilter:
    from_: date | None = strawberry.field(name="from", default=None)
    to: date | None = None


@strawberry.input
class SubscriptionFilter:
    id: list[int] | None = None
    subscription_contract_id: list[int] | None = None
    customer_id: list[int] | None = None
    store_id: int | None = None
    status: list[SubscriptionStatus] | None = None
    payment_status: list[SubscriptionPaymentStatus] | None = None
    next_order_date: DateRangeFilter | None = None


@strawberry.enum
class SubscriptionSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    nextOrderDate_ASC = "nextOrderDate_ASC"
    nextOrderDate_DESC = "nextOrderDate_DESC"
    createdAt_ASC = "createdAt_ASC"
    createdAt_DESC = "createdAt_DESC"


def _store_ids(context: GraphQLContext, wanted: int | None) -> tuple[int, ...] | None:
    """The token's store, narrowed by ``storeId``; a store outside the token's matches nothing."""
    own = context.store_id
    if wanted is None:
        return None if own is None else (own,)
    return (wanted,) if own in (None, wanted) else ()


def _values(given: list[Any] | None) -> tuple[str, ...] | None:
    return None if given is None else tuple(member.value for member in given)


async def resolve_subscription_contracts(
    info: Info[Any, Any],
    where: SubscriptionContractFilter | None = None,
    sort: list[SubscriptionContractSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[SubscriptionContract]:
    context: GraphQLContext = info.context
    where = where or SubscriptionContractFilter()
    wanted = domain.ContractFilter(
        store_ids=_store_ids(context, where.store_id),
        ids=where.id,
        customer_ids=where.customer_id,
        email=text_match(where.email),
        statuses=_values(where.status),
        created=between(where.created_at),
    )
    rows = window(limit, page)
    async with context.read() as session:
        found = await domain.contract_page(session, wanted, sort_keys(sort), rows)
    return [SubscriptionContract.of(view) for view in found]


async def resolve_subscription_contract(info: Info[Any, Any], id: int) -> SubscriptionContract | None:
    found = await load_contract(info, id)
    if found is None or (info.context.store_id is not None and found._view.store_id != info.context.store_id):
        return None
    return found


async def resolve_subscriptions(
    info: Info[Any, Any],
    where: SubscriptionFilter | None = None,
    sort: list[SubscriptionSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Subscription]:
    context: GraphQLContext = info.context
    where = where or SubscriptionFilter()
    dates = where.next_order_date
    wanted = domain.SubscriptionFilter(
        store_ids=_store_ids(context, where.store_id),
        ids=where.id,
        contract_ids=where.subscription_contract_id,
        customer_ids=where.customer_id,
        statuses=_values(where.status),
        payment_statuses=_values(where.payment_status),
        next_order_date=None if dates is None else Between(start=dates.from_, end=dates.to),
    )
    rows = window(limit, page)
    async with context.read() as session:
        found = await domain.subscription_page(session, wanted, sort_keys(sort), rows)
    return [Subscription.of(view) for view in found]


async def resolve_subscription(info: Info[Any, Any], id: int) -> Subscription | None:
    context: GraphQLContext = info.context
    wanted = domain.SubscriptionFilter(store_ids=_store_ids(context, None), ids=[id])
    async with context.read() as session:
        found = await domain.subscription_page(session, wanted, [], window(1, 1))
    return Subscription.of(found[0]) if found else None
