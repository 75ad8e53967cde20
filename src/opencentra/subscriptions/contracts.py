"""Subscription contracts: made from a paid order's plan lines, read and changed by shopper and back office.

A registered, logged-in customer who pays for lines bought on a plan gets
one contract for that order: the customer, the stored payment method the
provider tokenised at that payment, the order's addresses, and one
subscription per plan line (plan, interval, discount, quantity, status and
next order date). A guest cannot: the payment is refused with a clear error
(``GuestSubscription``) rather than the plan silently dropped.

Status rules (Centra's): active <-> paused; either may be cancelled; a
cancelled subscription is never resumed.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.address import ADDRESS_FIELDS, SHIPPING_FIELDS, Address, read_address, write_address
from opencentra.catalog.items import load_items
from opencentra.catalog.models import DisplayItem
from opencentra.customers.models import Customer
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.orders.models import Order, OrderLine
from opencentra.payments import Authorized
from opencentra.stores.models import Currency
from opencentra.subscriptions.models import (
    ContractSubscription,
    DisplaySubscriptionPlan,
    IntervalType,
    OrderLineSubscription,
    StoredPaymentMethod,
    SubscriptionContract,
    SubscriptionPaymentStatus,
    SubscriptionPlan,
    SubscriptionStatus,
)
from opencentra.subscriptions.services import MAX_INTERVAL

# Key of a started stored-payment update in ``SubscriptionContract.pending_payment`` (``payment_update``);
# any other content there is the old Subscription API's first payment.
UPDATE_KEY = "update"

GUEST_MESSAGE = "buying on a subscription plan needs a registered customer: log in or register first"


class GuestSubscription(ValidationFailed):
    """Lines on a subscription plan need a registered, logged-in customer."""


def first_payment_pending(contract: SubscriptionContract) -> bool:
    """Waiting for its first payment (old Subscription API); a started payment update is not that."""
    return contract.pending_payment is not None and UPDATE_KEY not in contract.pending_payment


# --- read views ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredMethodView:
    id: int
    customer_id: int
    provider: str
    label: str
    payment_method_id: int | None
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    id: int
    contract_id: int
    plan_id: int | None
    plan_name: str
    interval_value: int
    interval_type: str
    discount_bp: int
    quantity: int
    display_item_id: int | None
    product_size_id: int | None
    status: str
    payment_status: str
    next_order_date: date
    failed_attempts: int
    retry_at: datetime | None
    created_at: datetime

    @property
    def discount_percent(self) -> Decimal:
        return Decimal(self.discount_bp) / 100

    @property
    def item(self) -> str | None:
        """Centra's item id, ``{displayItemId}-{sizeId}``."""
        if self.display_item_id is None or self.product_size_id is None:
            return None
        return f"{self.display_item_id}-{self.product_size_id}"


@dataclass(frozen=True, slots=True)
class ContractView:
    id: int
    store_id: int
    market_id: int
    pricelist_id: int
    currency_id: int
    customer_id: int
    email: str
    billing: Address
    shipping: Address
    origin_order_id: int | None
    shipping_method_id: int | None
    payment_method_id: int | None
    stored_payment: StoredMethodView | None
    subscriptions: tuple[SubscriptionView, ...]
    created_at: datetime
    currency_code: str
    currency_decimals: int
    # One order's amount and shipping when the contract was made.
    amount_minor: int
    shipping_minor: int
    start_date: date | None
    # Started by the old Subscription API and not paid yet.
    pending: bool

    @property
    def status(self) -> str:
        """The contract's status as the old Subscription API shows it: active if any subscription is."""
        statuses = {sub.status for sub in self.subscriptions}
        for status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED):
            if status.value in statuses:
                return status.value
        return SubscriptionStatus.CANCELLED.value

    @property
    def plan_ids(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(sub.plan_id for sub in self.subscriptions if sub.plan_id is not None))


def _subscription_view(row: ContractSubscription) -> SubscriptionView:
    return SubscriptionView(
        id=row.id,
        contract_id=row.contract_id,
        plan_id=row.plan_id,
        plan_name=row.plan_name,
        interval_value=row.interval_value,
        interval_type=row.interval_type,
        discount_bp=row.discount_bp,
        quantity=row.quantity,
        display_item_id=row.display_item_id,
        product_size_id=row.product_size_id,
        status=row.status,
        payment_status=row.payment_status,
        next_order_date=row.next_order_date,
        failed_attempts=row.failed_attempts,
        retry_at=row.retry_at,
        created_at=row.created_at,
    )


def _stored_view(row: StoredPaymentMethod) -> StoredMethodView:
    return StoredMethodView(
        row.id, row.customer_id, row.provider, row.label, row.payment_method_id, row.active, row.created_at
    )


async def _views(session: AsyncSession, contracts: Sequence[SubscriptionContract]) -> list[ContractView]:
    if not contracts:
        return []
    ids = [c.id for c in contracts]
    subs = await session.scalars(
        select(ContractSubscription)
        .where(ContractSubscription.contract_id.in_(ids))
        .order_by(ContractSubscription.contract_id, ContractSubscription.id)
    )
    by_contract: dict[int, list[SubscriptionView]] = {}
    for sub in subs:
        by_contract.setdefault(sub.contract_id, []).append(_subscription_view(sub))
    stored_ids = {c.stored_payment_method_id for c in contracts if c.stored_payment_method_id is not None}
    stored = (
        {
            row.id: _stored_view(row)
            for row in await session.scalars(select(StoredPaymentMethod).where(StoredPaymentMethod.id.in_(stored_ids)))
        }
        if stored_ids
        else {}
    )
    currencies = {
        row.id: row
        for row in await session.scalars(select(Currency).where(Currency.id.in_({c.currency_id for c in contracts})))
    }
    return [
        ContractView(
            id=c.id,
            store_id=c.store_id,
            market_id=c.market_id,
            pricelist_id=c.pricelist_id,
            currency_id=c.currency_id,
            customer_id=c.customer_id,
            email=c.email,
            billing=read_address(c, "billing_"),
            shipping=read_address(c, "shipping_", SHIPPING_FIELDS),
            origin_order_id=c.origin_order_id,
            shipping_method_id=c.shipping_method_id,
            payment_method_id=c.payment_method_id,
            stored_payment=stored.get(c.stored_payment_method_id) if c.stored_payment_method_id else None,
            subscriptions=tuple(by_contract.get(c.id, ())),
            created_at=c.created_at,
            currency_code=currencies[c.currency_id].code,
            currency_decimals=currencies[c.currency_id].decimals,
            amount_minor=c.amount_minor,
            shipping_minor=c.shipping_minor,
            start_date=c.start_date,
            pending=first_payment_pending(c),
        )
        for c in contracts
    ]


async def contract_view(db: Database, contract_id: int, *, customer_id: int | None = None) -> ContractView:
    """One contract; with ``customer_id``, only if it is that customer's (else not found)."""
    async with db.read() as session:
        contract = await session.get(SubscriptionContract, contract_id)
        if contract is None or (customer_id is not None and contract.customer_id != customer_id):
            raise NotFound("subscription contract not found", field="contract")
        (view,) = await _views(session, [contract])
        return view


async def customer_contracts(db: Database, customer_id: int) -> list[ContractView]:
    """A customer's contracts, oldest first."""
    async with db.read() as session:
        rows = list(
            await session.scalars(
                select(SubscriptionContract)
                .where(SubscriptionContract.customer_id == customer_id)
                .order_by(SubscriptionContract.id)
            )
        )
        return await _views(session, rows)


async def contracts_by_email(db: Database, store_id: int, email: str) -> list[ContractView]:
    """The contracts of the store's customer with this email (none for an unknown email)."""
    async with db.read() as session:
        rows = list(
            await session.scalars(
                select(SubscriptionContract)
                .where(SubscriptionContract.store_id == store_id, SubscriptionContract.email == email.strip().lower())
                .order_by(SubscriptionContract.id)
            )
        )
        return await _views(session, rows)


async def stored_payment_methods(db: Database, customer_id: int) -> list[StoredMethodView]:
    async with db.read() as session:
        rows = await session.scalars(
            select(StoredPaymentMethod)
            .where(StoredPaymentMethod.customer_id == customer_id, StoredPaymentMethod.active.is_(True))
            .order_by(StoredPaymentMethod.id)
        )
        return [_stored_view(row) for row in rows]


# --- dates ---------------------------------------------------------------------


def advance(day: date, interval_value: int, interval_type: str) -> date:
    """``day`` plus one interval; a month or year landing past the month's end takes its last day."""
    kind = IntervalType(interval_type)
    if kind is IntervalType.DAY:
        return day + timedelta(days=interval_value)
    if kind is IntervalType.WEEK:
        return day + timedelta(weeks=interval_value)
    months = interval_value * (12 if kind is IntervalType.YEAR else 1)
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_interval(interval_value: int, interval_type: str) -> tuple[int, str]:
    if isinstance(interval_value, bool) or not 1 <= interval_value <= MAX_INTERVAL:
        raise ValidationFailed(f"interval must be 1 to {MAX_INTERVAL}", field="intervalValue")
    try:
        kind = IntervalType(interval_type.strip().lower())
    except ValueError:
        raise ValidationFailed("interval type must be day, week, month or year", field="intervalType") from None
    return interval_value, kind.value


# --- the checkout hook ------------------------------------------------------------


def check_plan_buyer(has_plan_lines: bool, logged_in_customer_id: int | None) -> None:
    """Refuse plan lines for a shopper who is not logged in, before any payment starts."""
    if has_plan_lines and logged_in_customer_id is None:
        raise GuestSubscription(GUEST_MESSAGE, field="subscriptionPlan")


async def _stored_method_in(
    session: AsyncSession, order: Order, authorization: Authorized
) -> StoredPaymentMethod | None:
    token = authorization.stored_token
    if not token:
        return None
    found = await session.scalar(
        select(StoredPaymentMethod).where(
            StoredPaymentMethod.provider == order.payment_provider, StoredPaymentMethod.token == token
        )
    )
    if found is not None:
        return found
    method = StoredPaymentMethod(
        store_id=order.store_id,
        customer_id=order.customer_id,
        payment_method_id=order.payment_method_id,
        provider=order.payment_provider,
        token=token,
        label=(authorization.stored_label or order.payment_provider)[:255],
        active=True,
    )
    session.add(method)
    await session.flush()
    return method


async def start_contract_in(
    session: AsyncSession, order: Order, authorization: Authorized, *, logged_in_customer_id: int | None
) -> int | None:
    """Make the contract for a just-placed order's plan lines, in the checkout's transaction.

    Called once per order, after its lines' plans are recorded. Returns the
    contract id, or None when no line is on a plan. Lines on a plan bought
    without being logged in as a registered customer raise ``GuestSubscription``
    (the checkout's transaction, and so the order, is rolled back).
    """
    rows = (
        await session.execute(
            select(OrderLine, OrderLineSubscription)
            .join(OrderLineSubscription, OrderLineSubscription.order_line_id == OrderLine.id)
            .where(OrderLine.order_id == order.id)
            .order_by(OrderLine.id)
        )
    ).all()
    if not rows:
        return None
    customer = await session.get(Customer, order.customer_id)
    if (
        logged_in_customer_id is None
        or customer is None
        or customer.id != logged_in_customer_id
        or not customer.registered
    ):
        raise GuestSubscription(GUEST_MESSAGE, field="subscriptionPlan")
    stored = await _stored_method_in(session, order, authorization)
    contract = SubscriptionContract(
        store_id=order.store_id,
        market_id=order.market_id,
        pricelist_id=order.pricelist_id,
        currency_id=order.currency_id,
        country_id=order.country_id,
        language_id=order.language_id,
        customer_id=order.customer_id,
        email=order.email,
        stored_payment_method_id=stored.id if stored is not None else None,
        payment_method_id=order.payment_method_id,
        shipping_method_id=order.shipping_method_id,
        origin_order_id=order.id,
        amount_minor=order.grand_total_minor,
        shipping_minor=order.shipping_minor,
        start_date=(order.order_date or utcnow()).date(),
    )
    write_address(contract, "billing_", read_address(order, "billing_"))
    write_address(contract, "shipping_", read_address(order, "shipping_", SHIPPING_FIELDS), SHIPPING_FIELDS)
    session.add(contract)
    await session.flush()
    today = (order.order_date or utcnow()).date()
    for line, plan in rows:
        session.add(
            ContractSubscription(
                contract_id=contract.id,
                plan_id=plan.plan_id,
                plan_name=plan.name,
                interval_value=plan.interval_value,
                interval_type=plan.interval_type,
                discount_bp=plan.discount_bp,
                quantity=line.quantity,
                display_item_id=line.display_item_id,
                product_size_id=line.product_size_id,
                status=SubscriptionStatus.ACTIVE.value,
                payment_status=SubscriptionPaymentStatus.ACTIVE.value,
                next_order_date=advance(today, plan.interval_value, plan.interval_type),
                failed_attempts=0,
            )
        )
    await session.flush()
    await record(
        session,
        "subscription_contract",
        contract.id,
        "created",
        {"order": order.id, "customer": order.customer_id, "subscriptions": len(rows)},
        store_id=order.store_id,
    )
    return contract.id


# --- changes (shopper and back office) ---------------------------------------------


async def _locked_subscription(
    session: AsyncSession, subscription_id: int, customer_id: int | None, store_id: int | None
) -> tuple[ContractSubscription, SubscriptionContract]:
    sub = await session.get(ContractSubscription, subscription_id, with_for_update=True)
    contract = await session.get(SubscriptionContract, sub.contract_id) if sub is not None else None
    if (
        sub is None
        or contract is None
        or (customer_id is not None and contract.customer_id != customer_id)
        or (store_id is not None and contract.store_id != store_id)
    ):
        raise NotFound("subscription not found", field="subscription")
    return sub, contract


async def set_subscription_status(
    db: Database,
    subscription_id: int,
    status: str,
    *,
    customer_id: int | None = None,
    store_id: int | None = None,
    today: date | None = None,
) -> SubscriptionView:
    """Pause, resume or cancel; a cancelled subscription stays cancelled (``Conflict``)."""
    wanted = _wanted_status(status)
    async with db.write() as session:
        sub, contract = await _locked_subscription(session, subscription_id, customer_id, store_id)
        await _change_status_in(session, sub, contract, wanted, today)
        return _subscription_view(sub)


def _wanted_status(status: str) -> SubscriptionStatus:
    try:
        return SubscriptionStatus(status.strip().lower())
    except ValueError:
        raise ValidationFailed("status must be active, paused or cancelled", field="status") from None


async def _change_status_in(
    session: AsyncSession,
    sub: ContractSubscription,
    contract: SubscriptionContract,
    wanted: SubscriptionStatus,
    today: date | None,
) -> None:
    current = SubscriptionStatus(sub.status)
    if current is wanted:
        return
    if current is SubscriptionStatus.CANCELLED:
        raise Conflict("Cannot restore cancelled subscription", field="status")
    sub.status = wanted.value
    if wanted is SubscriptionStatus.ACTIVE:
        # Resumed: the next order is not in the past, and failed charges start over.
        start = today or utcnow().date()
        sub.next_order_date = max(sub.next_order_date, start)
        sub.failed_attempts = 0
        sub.retry_at = None
    sub.updated_at = utcnow()
    await session.flush()
    await record(
        session,
        "subscription",
        sub.id,
        "status_changed",
        {"contract": contract.id, "from": current.value, "to": wanted.value},
        store_id=contract.store_id,
    )


async def set_subscription_interval(
    db: Database,
    subscription_id: int,
    interval_value: int,
    interval_type: str,
    *,
    customer_id: int | None = None,
    store_id: int | None = None,
) -> SubscriptionView:
    value, kind = check_interval(interval_value, interval_type)
    async with db.write() as session:
        sub, contract = await _locked_subscription(session, subscription_id, customer_id, store_id)
        if sub.status == SubscriptionStatus.CANCELLED:
            raise Conflict("the subscription is cancelled", field="status")
        sub.interval_value, sub.interval_type = value, kind
        sub.updated_at = utcnow()
        await session.flush()
        await record(
            session,
            "subscription",
            sub.id,
            "interval_changed",
            {"contract": contract.id, "intervalValue": value, "intervalType": kind},
            store_id=contract.store_id,
        )
        return _subscription_view(sub)


async def set_next_order_date(
    db: Database,
    subscription_id: int,
    next_order_date: date,
    *,
    store_id: int | None = None,
    today: date | None = None,
) -> SubscriptionView:
    """The day of the next renewal: today or later (an earlier day would renew at once; run it instead)."""
    if next_order_date < (today or utcnow().date()):
        raise ValidationFailed("the next order date cannot be in the past", field="nextOrderDate")
    async with db.write() as session:
        sub, contract = await _locked_subscription(session, subscription_id, None, store_id)
        if sub.status == SubscriptionStatus.CANCELLED:
            raise Conflict("the subscription is cancelled", field="status")
        sub.next_order_date = next_order_date
        sub.retry_at = None
        sub.updated_at = utcnow()
        await session.flush()
        await record(
            session,
            "subscription",
            sub.id,
            "next_order_date_changed",
            {"contract": contract.id, "nextOrderDate": next_order_date.isoformat()},
            store_id=contract.store_id,
        )
        return _subscription_view(sub)


async def set_contract_address(
    db: Database,
    contract_id: int,
    shipping: Address,
    *,
    billing: Address | None = None,
    customer_id: int | None = None,
    store_id: int | None = None,
) -> ContractView:
    """Where the renewals go (and, given, who pays); the country must stay the contract's market's."""
    async with db.write() as session:
        contract = await session.get(SubscriptionContract, contract_id, with_for_update=True)
        if (
            contract is None
            or (customer_id is not None and contract.customer_id != customer_id)
            or (store_id is not None and contract.store_id != store_id)
        ):
            raise NotFound("subscription contract not found", field="contract")
        current = read_address(contract, "shipping_", SHIPPING_FIELDS)
        country = (shipping.country or "").strip().upper()
        if country and current.country and country != current.country.upper():
            raise ValidationFailed("the shipping country of a subscription cannot change", field="address.country")
        for name in SHIPPING_FIELDS:
            value = getattr(shipping, name)
            if value is not None and len(str(value)) > 200:
                raise ValidationFailed("too long", field=f"address.{name}")
        # Fields left out stay as they were (Centra's partial update).
        write_address(contract, "shipping_", current.merged(shipping), SHIPPING_FIELDS)
        if billing is not None:
            write_address(contract, "billing_", read_address(contract, "billing_").merged(billing), ADDRESS_FIELDS)
        contract.updated_at = utcnow()
        await session.flush()
        await record(session, "subscription_contract", contract.id, "address_changed", {}, store_id=contract.store_id)
        (view,) = await _views(session, [contract])
        return view


async def set_contract_payment(
    db: Database, contract_id: int, stored_payment_method_id: int, *, customer_id: int | None = None
) -> ContractView:
    """Renewals charge another of the customer's stored methods from now on."""
    async with db.write() as session:
        contract = await session.get(SubscriptionContract, contract_id, with_for_update=True)
        if contract is None or (customer_id is not None and contract.customer_id != customer_id):
            raise NotFound("subscription contract not found", field="contract")
        method = await session.get(StoredPaymentMethod, stored_payment_method_id)
        if method is None or method.customer_id != contract.customer_id or not method.active:
            raise NotFound("stored payment method not found", field="paymentMethod")
        contract.stored_payment_method_id = method.id
        contract.updated_at = utcnow()
        await session.flush()
        await record(session, "subscription_contract", contract.id, "payment_changed", {}, store_id=contract.store_id)
        (view,) = await _views(session, [contract])
        return view


MAX_QUANTITY = 1000


def _check_quantity(quantity: int) -> int:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(f"quantity must be 1 to {MAX_QUANTITY}", field="quantity")
    return quantity


async def _locked_contract(
    session: AsyncSession, contract_id: int, customer_id: int | None, store_id: int | None = None
) -> SubscriptionContract:
    contract = await session.get(SubscriptionContract, contract_id, with_for_update=True)
    if (
        contract is None
        or (customer_id is not None and contract.customer_id != customer_id)
        or (store_id is not None and contract.store_id != store_id)
    ):
        raise NotFound("subscription contract not found", field="contract")
    return contract


async def _offered_plan(session: AsyncSession, plan_id: int, store_id: int, display_id: int) -> SubscriptionPlan:
    """An active plan of the store offered on the display; ``ValidationFailed`` otherwise."""
    plan = await session.get(SubscriptionPlan, plan_id)
    if plan is None or plan.store_id != store_id or not plan.active:
        raise ValidationFailed("unknown subscription plan", field="subscriptionPlan")
    offered = await session.scalar(
        select(DisplaySubscriptionPlan.plan_id).where(
            DisplaySubscriptionPlan.display_id == display_id, DisplaySubscriptionPlan.plan_id == plan_id
        )
    )
    if offered is None:
        raise ValidationFailed("the subscription plan is not offered on this product", field="subscriptionPlan")
    return plan


def _apply_plan(sub: ContractSubscription, plan: SubscriptionPlan) -> None:
    """Every plan property is copied onto the subscription (Centra: interval and discount)."""
    sub.plan_id = plan.id
    sub.plan_name = plan.name
    sub.interval_value = plan.interval_value
    sub.interval_type = plan.interval_type
    sub.discount_bp = plan.discount_bp


async def add_subscription(
    db: Database,
    contract_id: int,
    item: str,
    plan_id: int,
    quantity: int = 1,
    *,
    customer_id: int | None = None,
    today: date | None = None,
) -> ContractView:
    """Add one item on a plan to an existing contract; first ordered one interval from ``today``.

    The item must be on sale in the contract's market and the plan offered on its product.
    Renewals then order it with the contract's other subscriptions when their dates meet."""
    _check_quantity(quantity)
    async with db.write() as session:
        contract = await _locked_contract(session, contract_id, customer_id)
        loaded = (await load_items(session, [item], contract.market_id)).get(item)
        if loaded is None or loaded.store_id != contract.store_id:
            raise ValidationFailed("the item is not available", field="item")
        plan = await _offered_plan(session, plan_id, contract.store_id, loaded.display_id)
        start = today or utcnow().date()
        sub = ContractSubscription(
            contract_id=contract.id,
            quantity=quantity,
            display_item_id=loaded.display_item_id,
            product_size_id=loaded.product_size_id,
            status=SubscriptionStatus.ACTIVE.value,
            payment_status=SubscriptionPaymentStatus.ACTIVE.value,
            next_order_date=advance(start, plan.interval_value, plan.interval_type),
            failed_attempts=0,
        )
        _apply_plan(sub, plan)
        session.add(sub)
        contract.updated_at = utcnow()
        await session.flush()
        await record(
            session,
            "subscription",
            sub.id,
            "created",
            {"contract": contract.id, "item": item, "plan": plan.id, "quantity": quantity},
            store_id=contract.store_id,
        )
        (view,) = await _views(session, [contract])
        return view


async def update_subscription(
    db: Database,
    contract_id: int,
    subscription_id: int,
    *,
    customer_id: int | None = None,
    plan_id: int | None = None,
    quantity: int | None = None,
    status: str | None = None,
) -> ContractView:
    """Move one subscription of a contract to another plan offered on its product, change its
    quantity or its status, all in one transaction. A cancelled subscription cannot change."""
    if quantity is not None:
        _check_quantity(quantity)
    wanted = _wanted_status(status) if status is not None else None
    async with db.write() as session:
        contract = await _locked_contract(session, contract_id, customer_id)
        sub = await session.get(ContractSubscription, subscription_id, with_for_update=True)
        if sub is None or sub.contract_id != contract.id:
            raise NotFound("subscription not found", field="subscription")
        if sub.status == SubscriptionStatus.CANCELLED and (plan_id is not None or quantity is not None):
            raise Conflict("the subscription is cancelled", field="status")
        changes: dict[str, object] = {"contract": contract.id}
        if plan_id is not None:
            display_id = await session.scalar(
                select(DisplayItem.display_id).where(DisplayItem.id == sub.display_item_id)
            )
            if display_id is None:
                raise ValidationFailed("the subscribed product is no longer sold", field="subscriptionPlan")
            _apply_plan(sub, await _offered_plan(session, plan_id, contract.store_id, display_id))
            changes["plan"] = plan_id
        if quantity is not None:
            sub.quantity = quantity
            changes["quantity"] = quantity
        if len(changes) > 1:
            sub.updated_at = utcnow()
            await session.flush()
            await record(session, "subscription", sub.id, "changed", changes, store_id=contract.store_id)
        if wanted is not None:
            await _change_status_in(session, sub, contract, wanted, None)
        (view,) = await _views(session, [contract])
        return view
