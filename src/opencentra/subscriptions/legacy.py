"""The old Subscription API's use cases: packages, a subscription started by a server, its payment.

A *package* is a subscription plan: its items are every size of every
display item on the displays that offer the plan, one of each, and its price
is their price in the pricelist less the plan's discount. A store modelling
an old-style package ("socks and a tee every month") makes a plan with that
name and offers it on those displays.

``start_subscription`` makes the contract (customer found or created by
email, one subscription per package item, the interval the request gives)
with its first payment pending, and starts that payment with the provider.
``complete_payment`` verifies what the provider sent back, places the first
order (stock, events, the authorization), keeps the stored payment method
and activates the contract; asked again it answers the same contract.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.address import SHIPPING_FIELDS, Address, write_address
from opencentra.catalog.models import DisplayItem, ProductSize, ProductVariant, Size
from opencentra.customers.services import ensure_guest_customer
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.integers import parse_int
from opencentra.money import from_minor
from opencentra.orders import insert_order
from opencentra.orders.models import PaymentTransaction, TransactionKind, TransactionStatus
from opencentra.payments import (
    Authorized,
    Declined,
    FormAction,
    PaymentRequest,
    RedirectAction,
    provider_for,
)
from opencentra.pricing.prices import price_for_variants
from opencentra.stores.geo import resolve_location
from opencentra.stores.models import Currency, PaymentBehaviour, PaymentMethod, Pricelist
from opencentra.stores.options import payment_methods, shipping_options
from opencentra.subscriptions.contracts import (
    ContractView,
    _views,
    advance,
    check_interval,
    first_payment_pending,
)
from opencentra.subscriptions.models import (
    ContractSubscription,
    DisplaySubscriptionPlan,
    StoredPaymentMethod,
    SubscriptionContract,
    SubscriptionPaymentStatus,
    SubscriptionPlan,
    SubscriptionStatus,
)
from opencentra.subscriptions.renewals import Unrenewable, order_draft
from opencentra.subscriptions.services import PlanInfo, with_plan_discount

# The old API's default: every 14 days.
DEFAULT_INTERVAL = 14


class BadPaymentMethod(ValidationFailed):
    """The ``payment`` uri is not a payment method of the market."""


class PaymentFailed(ValidationFailed):
    """The provider refused or could not verify the first payment."""


@dataclass(frozen=True, slots=True)
class PackageItem:
    product_size_id: int
    display_item_id: int
    variant_id: int
    product_id: int
    size_name: str


@dataclass(frozen=True, slots=True)
class PackageView:
    id: int
    name: str
    price: Decimal
    currency_code: str
    currency_decimals: int
    items: tuple[PackageItem, ...]


async def _package_items(session: AsyncSession, plan_ids: Sequence[int]) -> dict[int, list[PackageItem]]:
    rows = await session.execute(
        select(DisplaySubscriptionPlan.plan_id, DisplayItem.id, ProductSize.id, ProductVariant, Size.name)
        .join(DisplayItem, DisplayItem.display_id == DisplaySubscriptionPlan.display_id)
        .join(ProductVariant, ProductVariant.id == DisplayItem.variant_id)
        .join(ProductSize, ProductSize.variant_id == ProductVariant.id)
        .join(Size, Size.id == ProductSize.size_id)
        .where(DisplaySubscriptionPlan.plan_id.in_(plan_ids))
        .order_by(DisplaySubscriptionPlan.plan_id, DisplaySubscriptionPlan.sort_order, DisplayItem.id, ProductSize.id)
    )
    found: dict[int, list[PackageItem]] = {}
    for plan_id, display_item_id, size_id, variant, size_name in rows:
        found.setdefault(plan_id, []).append(
            PackageItem(size_id, display_item_id, variant.id, variant.product_id, size_name)
        )
    return found


async def packages(
    db: Database, store_id: int, pricelist: str | None, *, at: datetime | None = None
) -> list[PackageView]:
    """The store's active packages priced in a pricelist (by name or id; the store's first one when not given)."""
    async with db.read() as session:
        query = select(Pricelist).where(Pricelist.store_id == store_id)
        wanted = (pricelist or "").strip()
        if wanted:
            number = parse_int(wanted)
            query = query.where(
                Pricelist.name == wanted if number is None else (Pricelist.name == wanted) | (Pricelist.id == number)
            )
        found = await session.scalar(query.order_by(Pricelist.id).limit(1))
        if found is None:
            raise NotFound("Pricelist not found", field="pricelist")
        currency = await session.get(Currency, found.currency_id)
        assert currency is not None
        plans = list(
            await session.scalars(
                select(SubscriptionPlan)
                .where(SubscriptionPlan.store_id == store_id, SubscriptionPlan.active.is_(True))
                .order_by(SubscriptionPlan.id)
            )
        )
        items = await _package_items(session, [plan.id for plan in plans])
        variant_ids = {item.variant_id for members in items.values() for item in members}
        # Market 0: no campaign applies; a package shows its list price less the plan discount.
        prices = await price_for_variants(session, found.id, 0, variant_ids, at or utcnow()) if variant_ids else {}
        views: list[PackageView] = []
        for plan in plans:
            members = items.get(plan.id, [])
            info = PlanInfo(plan.id, plan.name, plan.interval_value, plan.interval_type, plan.discount_bp)
            priced = [prices.get(item.variant_id) for item in members]
            if not members or any(price is None for price in priced):
                continue  # not sellable in this pricelist
            total = sum(with_plan_discount(price, info).price_minor for price in priced if price is not None)
            views.append(
                PackageView(
                    plan.id,
                    plan.name,
                    from_minor(total, currency.decimals),
                    currency.code,
                    currency.decimals,
                    tuple(members),
                )
            )
        return views


@dataclass(frozen=True)
class LegacyOrder:
    """``POST subscription/order``."""

    store_id: int
    email: str
    first_name: str
    last_name: str
    country: str
    package_ids: Sequence[int]
    payment: str
    payment_url: str = ""
    address: Address = field(default_factory=Address)
    language: str | None = None
    start_date: date | None = None
    interval: int = DEFAULT_INTERVAL
    # "day" or "month" (the old API's ``D`` and ``M``).
    interval_type: str = "day"
    newsletter: bool = False


@dataclass(frozen=True)
class LegacyStarted:
    contract: ContractView
    # Where the shopper pays (the provider's page, or straight back to ``payment_url``).
    payment_url: str
    amount: Decimal


async def _method(session: AsyncSession, market_id: int, uri: str) -> PaymentMethod:
    for method in await payment_methods(session, market_id):
        if method.uri == uri:
            return method
    raise BadPaymentMethod(f"payment method {uri!r} is not available", field="payment")


def _request(
    contract_id: int, state: Mapping[str, Any], currency: Currency, method: PaymentMethod, email: str
) -> PaymentRequest:
    return PaymentRequest(
        reference=str(state["reference"]),
        selection=f"subscription-{contract_id}",
        amount_minor=int(state["amount_minor"]),
        currency_code=currency.code,
        currency_decimals=currency.decimals,
        method_uri=method.uri,
        return_url=str(state["return_url"]),
        failed_url=str(state["return_url"]),
        behaviour=PaymentBehaviour(method.behaviour) if method.behaviour is not None else None,
        email=email,
    )


async def start_subscription(db: Database, spec: LegacyOrder) -> LegacyStarted:
    """Make the contract with its first payment pending, and start that payment."""
    missing = [
        name
        for name, value in (
            ("name", spec.first_name),
            ("sname", spec.last_name),
            ("email", spec.email),
            ("country", spec.country),
            ("package", spec.package_ids),
            ("payment", spec.payment),
        )
        if not value
    ]
    if "@" not in spec.email:
        missing.append("email")
    if missing:
        raise ValidationFailed("Could not register customer", field=",".join(dict.fromkeys(missing)))
    interval, kind = check_interval(spec.interval, spec.interval_type)
    today = utcnow().date()
    start = spec.start_date or today
    if start < today:
        raise ValidationFailed("startdate is in the past", field="startdate")
    return_url = spec.payment_url.strip()
    if return_url and not return_url.lower().startswith(("http://", "https://")):
        raise ValidationFailed("payment_url must be an absolute http(s) URL", field="payment_url")
    location = await resolve_location(db, spec.store_id, spec.country)
    async with db.write() as session:
        method = await _method(session, location.market_id, spec.payment)
        plan_ids = list(dict.fromkeys(spec.package_ids))
        plans = {
            plan.id: plan
            for plan in await session.scalars(
                select(SubscriptionPlan).where(
                    SubscriptionPlan.id.in_(plan_ids),
                    SubscriptionPlan.store_id == spec.store_id,
                    SubscriptionPlan.active.is_(True),
                )
            )
        }
        unknown = [plan_id for plan_id in plan_ids if plan_id not in plans]
        if unknown:
            raise NotFound(f"package {unknown[0]} not found", field="package")
        items = await _package_items(session, plan_ids)
        if any(not items.get(plan_id) for plan_id in plan_ids):
            raise ValidationFailed("the package has no items", field="package")
        address = Address(
            first_name=spec.first_name.strip(),
            last_name=spec.last_name.strip(),
            country=location.country_code,
        ).merged(spec.address)
        customer = await ensure_guest_customer(
            session, spec.store_id, spec.email, address=address, newsletter=spec.newsletter
        )
        shipping_method = next(
            iter(
                await shipping_options(
                    session,
                    spec.store_id,
                    country_id=location.country_id,
                    pricelist_id=location.pricelist_id,
                    market_id=location.market_id,
                )
            ),
            None,
        )
        contract = SubscriptionContract(
            store_id=spec.store_id,
            market_id=location.market_id,
            pricelist_id=location.pricelist_id,
            currency_id=location.currency_id,
            country_id=location.country_id,
            language_id=location.language_id,
            customer_id=customer.id,
            email=customer.email,
            payment_method_id=method.id,
            shipping_method_id=shipping_method.shipping_method_id if shipping_method is not None else None,
            start_date=start,
        )
        write_address(contract, "billing_", address)
        write_address(contract, "shipping_", address, SHIPPING_FIELDS)
        session.add(contract)
        await session.flush()
        subs: list[ContractSubscription] = []
        for plan_id in plan_ids:
            plan = plans[plan_id]
            for item in items[plan_id]:
                sub = ContractSubscription(
                    contract_id=contract.id,
                    plan_id=plan.id,
                    plan_name=plan.name,
                    interval_value=interval,
                    interval_type=kind,
                    discount_bp=plan.discount_bp,
                    quantity=1,
                    display_item_id=item.display_item_id,
                    product_size_id=item.product_size_id,
                    status=SubscriptionStatus.ACTIVE.value,
                    payment_status=SubscriptionPaymentStatus.PENDING.value,
                    next_order_date=start,
                    failed_attempts=0,
                )
                session.add(sub)
                subs.append(sub)
        await session.flush()
        try:
            draft = await order_draft(session, contract, subs, utcnow())
        except Unrenewable as error:
            raise ValidationFailed(error.message, field="package") from None
        items_total = sum(line.unit_price_minor * line.quantity for line in draft.lines)
        contract.amount_minor = items_total + draft.shipping_minor
        contract.shipping_minor = draft.shipping_minor
        currency = await session.get(Currency, contract.currency_id)
        assert currency is not None
        state: dict[str, Any] = {
            "reference": secrets.token_hex(16),
            "amount_minor": contract.amount_minor,
            "return_url": return_url,
            "provider": method.provider,
        }
        contract.pending_payment = state
        await session.flush()
        await record(
            session, "subscription_contract", contract.id, "created", {"pending": True}, store_id=contract.store_id
        )
        request = _request(contract.id, state, currency, method, contract.email)
        contract_id = contract.id
    provider = provider_for(method.provider)
    started = await provider.start(request)
    if isinstance(started.outcome, Declined):
        raise PaymentFailed(started.outcome.message, field="payment")
    url = return_url
    if isinstance(started.action, RedirectAction | FormAction):
        url = started.action.url
    async with db.write() as session:
        locked = await session.get(SubscriptionContract, contract_id, with_for_update=True)
        assert locked is not None
        kept = dict(locked.pending_payment or {})
        kept["state"] = dict(started.state)
        if isinstance(started.outcome, Authorized):
            # Authorized at once (no page to visit): kept until ``subscription/payment`` completes it.
            kept["authorized"] = {
                "reference": started.outcome.reference,
                "stored_token": started.outcome.stored_token,
                "stored_label": started.outcome.stored_label,
            }
        locked.pending_payment = kept
        await session.flush()
        (view,) = await _views(session, [locked])
    return LegacyStarted(view, url, from_minor(view.amount_minor, view.currency_decimals))


async def _contract_of_store(session: AsyncSession, store_id: int, contract_id: int) -> SubscriptionContract:
    contract = await session.get(SubscriptionContract, contract_id)
    if contract is None or contract.store_id != store_id:
        raise NotFound("Subscription not found", field="id")
    return contract


async def complete_payment(
    db: Database, store_id: int, contract_id: int, payment: str, fields: Mapping[str, str]
) -> ContractView:
    """``POST subscription/payment``: verify, place the first order, activate. Idempotent."""
    async with db.read() as session:
        contract = await _contract_of_store(session, store_id, contract_id)
        if not first_payment_pending(contract):
            (view,) = await _views(session, [contract])
            return view
        pending = dict(contract.pending_payment or {})
        method = await session.get(PaymentMethod, contract.payment_method_id) if contract.payment_method_id else None
        if method is None or (payment and payment != method.uri):
            raise BadPaymentMethod("the payment method is not the subscription's", field="payment")
        currency = await session.get(Currency, contract.currency_id)
        assert currency is not None
        email = contract.email
    kept = pending.get("authorized")
    if isinstance(kept, dict):
        outcome: Authorized | Declined = Authorized(
            str(kept["reference"]), stored_token=kept.get("stored_token"), stored_label=kept.get("stored_label")
        )
    else:
        request = _request(contract_id, pending, currency, method, email)
        outcome = await provider_for(method.provider).verify(request, pending.get("state") or {}, fields)
    if isinstance(outcome, Declined):
        raise PaymentFailed(outcome.message, field="payment")
    async with db.write() as session:
        paying = await session.get(SubscriptionContract, contract_id, with_for_update=True)
        assert paying is not None
        if not first_payment_pending(paying):
            (view,) = await _views(session, [paying])
            return view
        subs = list(
            await session.scalars(
                select(ContractSubscription)
                .where(ContractSubscription.contract_id == paying.id)
                .order_by(ContractSubscription.id)
                .with_for_update()
            )
        )
        now = utcnow()
        try:
            draft = await order_draft(session, paying, subs, now)
        except Unrenewable as error:
            raise Conflict(error.message, field="package") from None
        draft = type(draft)(
            **{
                **{name: getattr(draft, name) for name in type(draft).__dataclass_fields__},
                "payment_provider": method.provider,
                "payment_reference": outcome.reference,
            }
        )
        order = await insert_order(session, draft)
        if order.grand_total_minor > 0:
            session.add(
                PaymentTransaction(
                    order_id=order.id,
                    kind=TransactionKind.AUTHORIZE,
                    status=TransactionStatus.SUCCESS,
                    amount_minor=order.grand_total_minor,
                    provider=method.provider,
                    reference=outcome.reference,
                    idempotency_key=f"authorize:{pending['reference']}",
                )
            )
        if outcome.stored_token:
            stored = await session.scalar(
                select(StoredPaymentMethod).where(
                    StoredPaymentMethod.provider == method.provider, StoredPaymentMethod.token == outcome.stored_token
                )
            )
            if stored is None:
                stored = StoredPaymentMethod(
                    store_id=paying.store_id,
                    customer_id=paying.customer_id,
                    payment_method_id=method.id,
                    provider=method.provider,
                    token=outcome.stored_token,
                    label=(outcome.stored_label or method.provider)[:255],
                    active=True,
                )
                session.add(stored)
                await session.flush()
            paying.stored_payment_method_id = stored.id
        start = paying.start_date or now.date()
        for sub in subs:
            sub.payment_status = SubscriptionPaymentStatus.ACTIVE.value
            sub.next_order_date = advance(start, sub.interval_value, sub.interval_type)
            sub.updated_at = now
        paying.origin_order_id = order.id
        paying.amount_minor = order.grand_total_minor
        paying.shipping_minor = order.shipping_minor
        paying.pending_payment = None
        paying.updated_at = now
        await session.flush()
        await record(session, "subscription_contract", paying.id, "paid", {"order": order.id}, store_id=paying.store_id)
        (view,) = await _views(session, [paying])
        return view


async def store_contract(db: Database, store_id: int, contract_id: int) -> ContractView:
    async with db.read() as session:
        contract = await _contract_of_store(session, store_id, contract_id)
        (view,) = await _views(session, [contract])
        return view


async def set_contract_status(db: Database, store_id: int, contract_id: int, status: str) -> ContractView:
    """``PUT subscription/subscription/<id>``: every subscription of the contract to ``status``."""
    try:
        wanted = SubscriptionStatus(status.strip().lower())
    except ValueError:
        raise ValidationFailed("Invalid status provided", field="status") from None
    async with db.write() as session:
        contract = await session.get(SubscriptionContract, contract_id, with_for_update=True)
        if contract is None or contract.store_id != store_id:
            raise NotFound("Subscription not found", field="id")
        subs = list(
            await session.scalars(
                select(ContractSubscription).where(ContractSubscription.contract_id == contract.id).with_for_update()
            )
        )
        current = {sub.status for sub in subs}
        if wanted is not SubscriptionStatus.CANCELLED and current == {SubscriptionStatus.CANCELLED.value}:
            raise Conflict("Cannot restore cancelled subscription", field="status")
        today = utcnow().date()
        for sub in subs:
            if sub.status == wanted or sub.status == SubscriptionStatus.CANCELLED:
                continue
            sub.status = wanted.value
            if wanted is SubscriptionStatus.ACTIVE:
                sub.next_order_date = max(sub.next_order_date, today)
                sub.failed_attempts = 0
                sub.retry_at = None
            sub.updated_at = utcnow()
        await session.flush()
        await record(
            session, "subscription_contract", contract.id, "status_changed", {"to": wanted.value}, store_id=store_id
        )
        (view,) = await _views(session, [contract])
        return view
