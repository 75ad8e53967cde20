"""Renewal orders: every due contract becomes one order per period, charged to its stored payment.

``run_due_renewals(db, now)`` renews every contract with an active
subscription whose next order date is on or before ``now`` (and whose retry,
after a declined charge, is due). Each contract goes through three steps, so
no provider call happens inside a transaction:

1. **Claim** (one transaction): a conditional ``UPDATE`` takes a lease on the
   contract (``lease_until``, wall-clock) only if no other runner holds one,
   so any number of processes may run at once and each contract is worked by
   one of them. The period's renewal row (UNIQUE contract + period) is found
   or made; the due lines are priced by the domain pricing at ``now`` (plan
   discount included), with tax and the contract's shipping, and stock is
   checked under the store's overselling mode.
2. **Charge** the stored method, outside any transaction, with the idempotency
   key ``renewal:<contract>:<period>:<attempt>``. A runner that crashed after
   the charge leaves the row pending; when its lease runs out the next runner
   asks again with the same key and gets the same answer, so the shopper is
   never charged twice and the order is still made.
3. **Place** (one transaction): the order (stock allocated, the same events
   as every order, an authorization transaction for the charge), the renewal
   row marked placed and each due subscription moved one interval on; or,
   declined, the attempt counted: payment status failed, a retry after
   ``RETRY_DAYS``, and after the last one the subscriptions are paused. The
   shopper gets an email for each failure.

A missed stretch (the runner was off for months) makes one order, and the
next order date moves past ``now``: a shopper is not sent a pile of orders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.address import SHIPPING_FIELDS, read_address
from opencentra.catalog import bundles
from opencentra.catalog.bundle_models import Bundle, OrderBundleComponent, OrderBundleLine
from opencentra.catalog.bundles import BundleOrderPlan, ChosenComponent
from opencentra.catalog.models import Product, ProductSize, ProductVariant, Size
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import DomainError, OutOfStock
from opencentra.events.outbox import record
from opencentra.inventory.services import available_for_market
from opencentra.mail import Email, Mailer
from opencentra.money import round_money
from opencentra.orders import LineDraft, OrderDraft
from opencentra.orders.bundle_lines import insert_order_with_bundles
from opencentra.orders.models import OrderLine, PaymentTransaction, TransactionKind, TransactionStatus
from opencentra.payments import Declined, Settled, Settlement, UnknownProvider, stored_provider_for
from opencentra.pricing import bundle_prices
from opencentra.pricing.prices import price_for_variants
from opencentra.stores.models import Currency, OversellingMode, Store
from opencentra.stores.options import shipping_options
from opencentra.stores.services import tax_rates
from opencentra.stores.tax import document_vat_minor
from opencentra.subscriptions.contracts import advance
from opencentra.subscriptions.models import (
    ContractSubscription,
    RenewalStatus,
    StoredPaymentMethod,
    SubscriptionContract,
    SubscriptionPaymentStatus,
    SubscriptionRenewal,
    SubscriptionStatus,
)
from opencentra.subscriptions.services import PlanInfo, with_plan_discount

logger = logging.getLogger("opencentra.subscriptions")

# Days after a declined charge (or a renewal that could not be priced or stocked) before the
# next try; after the last retry fails the subscriptions are paused.
RETRY_DAYS: tuple[int, ...] = (1, 3, 7)
# How long a runner may hold a contract before another may take it over (a crashed runner).
LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class RenewalResult:
    contract_id: int
    period: date
    # placed | declined | paused | skipped
    outcome: str
    order_id: int | None = None
    message: str | None = None


@dataclass(frozen=True)
class RenewalRun:
    results: tuple[RenewalResult, ...] = field(default_factory=tuple)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def placed(self) -> int:
        return self.count("placed")


@dataclass(frozen=True)
class _Claim:
    contract_id: int
    store_id: int
    renewal_id: int
    period: date
    attempt: int
    email: str
    draft: OrderDraft | None
    amount_minor: int
    currency_code: str
    provider: str | None
    token: str | None
    # Why the renewal cannot be ordered at all (no price, no stock); it then fails like a decline.
    problem: str | None = None
    # Draft line index -> how that bundle line becomes its component lines.
    bundle_plans: Mapping[int, BundleOrderPlan] = field(default_factory=dict)


class Unrenewable(DomainError):
    """A contract's lines cannot be ordered now (gone, no price, no stock, no shipping)."""

    code = "unrenewable"


def _key(claim: _Claim) -> str:
    return f"renewal:{claim.contract_id}:{claim.period.isoformat()}:{claim.attempt}"


async def due_contract_ids(db: Database, now: datetime, *, limit: int | None = None) -> list[int]:
    """Contracts with an active subscription due at ``now`` (a read; the claim re-checks)."""
    async with db.read() as session:
        query = (
            select(ContractSubscription.contract_id)
            .where(
                ContractSubscription.status == SubscriptionStatus.ACTIVE.value,
                # A contract waiting for its first payment (old Subscription API) is not renewed.
                ContractSubscription.payment_status != SubscriptionPaymentStatus.PENDING.value,
                ContractSubscription.next_order_date <= now.date(),
                or_(ContractSubscription.retry_at.is_(None), ContractSubscription.retry_at <= now),
            )
            .group_by(ContractSubscription.contract_id)
            .order_by(ContractSubscription.contract_id)
        )
        if limit is not None:
            query = query.limit(limit)
        return list(await session.scalars(query))


async def run_due_renewals(
    db: Database,
    now: datetime,
    *,
    mailer: Mailer | None = None,
    limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RenewalRun:
    """Renew everything due at ``now`` (at most ``limit`` contracts); safe to run in many processes at once.

    ``should_stop`` is asked before each contract: a server shutting down finishes the contract in
    hand (charge and order) and leaves the rest to the next run, never stopping between the two."""
    results: list[RenewalResult] = []
    for contract_id in await due_contract_ids(db, now, limit=limit):
        if should_stop is not None and should_stop():
            break
        result = await renew_contract(db, contract_id, now, mailer=mailer)
        if result is not None:
            results.append(result)
    return RenewalRun(tuple(results))


async def renew_contract(
    db: Database, contract_id: int, now: datetime, *, mailer: Mailer | None = None
) -> RenewalResult | None:
    """One contract's due period: claimed, charged once, ordered. None when nothing was due or another runner has it."""
    claim = await _claim(db, contract_id, now)
    if claim is None:
        return None
    settlement: Settlement
    if claim.problem is not None:
        settlement = Declined(claim.problem, code="unrenewable")
    elif claim.amount_minor == 0:
        settlement = Settled(None)
    elif claim.provider is None or claim.token is None:
        settlement = Declined("no stored payment method", code="no_stored_payment")
    else:
        try:
            provider = stored_provider_for(claim.provider)
        except UnknownProvider as error:
            settlement = Declined(error.message, code="unknown_provider")
        else:
            try:
                settlement = await provider.charge_stored(
                    claim.token, claim.amount_minor, claim.currency_code, _key(claim)
                )
            except Exception:
                # Unknown whether the money moved: leave the renewal pending; the lease runs
                # out and the next run asks again with the same key.
                logger.exception("renewal charge for contract %s failed to answer", claim.contract_id)
                return RenewalResult(claim.contract_id, claim.period, "skipped", message="provider error")
    if isinstance(settlement, Settled):
        placed = await _place(db, claim, settlement, now)
        if placed is not None:
            return placed
        settlement = Declined("out of stock", code="out_of_stock")
    result = await _decline(db, claim, settlement, now)
    if mailer is not None:
        await mailer.send(_failure_email(claim, result))
    return result


async def _release(session: AsyncSession, contract_id: int) -> None:
    await session.execute(
        update(SubscriptionContract).where(SubscriptionContract.id == contract_id).values(lease_until=None)
    )


async def _claim(db: Database, contract_id: int, now: datetime) -> _Claim | None:
    wall = utcnow()
    async with db.write() as session:
        taken = await session.execute(
            update(SubscriptionContract)
            .where(
                SubscriptionContract.id == contract_id,
                or_(SubscriptionContract.lease_until.is_(None), SubscriptionContract.lease_until < wall),
            )
            .values(lease_until=wall + LEASE)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        contract = await session.get(SubscriptionContract, contract_id)
        assert contract is not None
        due = list(await session.scalars(_due_query(contract_id, now)))
        if not due:
            await _release(session, contract_id)
            return None
        period = min(sub.next_order_date for sub in due)
        renewal = await session.scalar(
            select(SubscriptionRenewal).where(
                SubscriptionRenewal.contract_id == contract_id, SubscriptionRenewal.period == period
            )
        )
        if renewal is None:
            renewal = SubscriptionRenewal(
                contract_id=contract_id, period=period, status=RenewalStatus.PENDING.value, attempt=1
            )
            try:
                async with session.begin_nested():
                    session.add(renewal)
                    await session.flush()
            except IntegrityError:
                # Cannot happen while the lease holds; the UNIQUE row is the last guard.
                return None
        elif renewal.status == RenewalStatus.PLACED:
            await _release(session, contract_id)
            return None
        elif renewal.status == RenewalStatus.FAILED:
            # Resumed after it was given up: a new attempt, so a new idempotency key.
            renewal.status = RenewalStatus.PENDING.value
            renewal.attempt += 1
        stored = (
            await session.get(StoredPaymentMethod, contract.stored_payment_method_id)
            if contract.stored_payment_method_id is not None
            else None
        )
        currency = await session.get(Currency, contract.currency_id)
        assert currency is not None
        problem: str | None = None
        draft: OrderDraft | None = None
        bundle_plans: dict[int, BundleOrderPlan] = {}
        amount = renewal.amount_minor
        try:
            draft, bundle_plans = await renewal_draft(session, contract, due, now)
            items = sum(line.unit_price_minor * line.quantity for line in draft.lines)
            total = items + draft.shipping_minor + draft.handling_minor - draft.discount_minor
            if renewal.amount_minor and renewal.amount_minor != total:
                # A crashed runner may already have charged the earlier amount under this key;
                # the order must say what was charged.
                problem = "the price changed while a charge was open; retrying later"
            amount = total
        except Unrenewable as error:
            problem = error.message
        renewal.amount_minor = amount
        renewal.updated_at = utcnow()
        await session.flush()
        return _Claim(
            contract_id=contract.id,
            store_id=contract.store_id,
            renewal_id=renewal.id,
            period=period,
            attempt=renewal.attempt,
            email=contract.email,
            draft=draft,
            amount_minor=amount,
            currency_code=currency.code,
            provider=stored.provider if stored is not None and stored.active else None,
            token=stored.token if stored is not None and stored.active else None,
            problem=problem,
            bundle_plans=bundle_plans,
        )


def _due_query(contract_id: int, now: datetime):  # type: ignore[no-untyped-def]
    return (
        select(ContractSubscription)
        .where(
            ContractSubscription.contract_id == contract_id,
            ContractSubscription.status == SubscriptionStatus.ACTIVE.value,
            ContractSubscription.payment_status != SubscriptionPaymentStatus.PENDING.value,
            ContractSubscription.next_order_date <= now.date(),
            or_(ContractSubscription.retry_at.is_(None), ContractSubscription.retry_at <= now),
        )
        .order_by(ContractSubscription.id)
    )


async def order_draft(
    session: AsyncSession, contract: SubscriptionContract, due: Sequence[ContractSubscription], now: datetime
) -> OrderDraft:
    """The renewal order, priced now (``renewal_draft`` without its bundle plans)."""
    draft, _plans = await renewal_draft(session, contract, due, now)
    return draft


async def _bundle_of(
    session: AsyncSession, contract: SubscriptionContract, sub: ContractSubscription
) -> tuple[Bundle, list[ChosenComponent]] | None:
    """The bundle a subscription renews and its components, or None for a plain product.

    A bundle bought at checkout is kept as its bundle line (no size of its own): it renews with
    the components of that first order. A bundle item added later names its bundle size: it
    renews with that size's components (a section with a choice cannot be renewed)."""
    if sub.product_size_id is not None:
        if not await bundles.is_bundle_size(session, [sub.product_size_id]):
            return None
        variant_id = await session.scalar(select(ProductSize.variant_id).where(ProductSize.id == sub.product_size_id))
        bundle = await bundles.bundle_of_variant(session, variant_id) if variant_id is not None else None
        if bundle is None:
            raise Unrenewable("a subscribed bundle no longer exists")
        try:
            chosen = await bundles.choose_components(session, contract.store_id, sub.product_size_id, {})
        except DomainError as error:
            raise Unrenewable(f"the bundle cannot be renewed: {error.message}") from None
        return bundle, chosen
    line = (
        await session.execute(
            select(OrderLine.id, OrderBundleLine.bundle_id)
            .join(OrderBundleLine, OrderBundleLine.order_line_id == OrderLine.id)
            .where(OrderLine.order_id == contract.origin_order_id, OrderLine.display_item_id == sub.display_item_id)
            .order_by(OrderLine.id)
            .limit(1)
        )
    ).first()
    if line is None or contract.origin_order_id is None or line.bundle_id is None:
        raise Unrenewable("a subscribed product no longer exists")
    variant_id = await session.scalar(select(Bundle.variant_id).where(Bundle.id == line.bundle_id))
    bundle = await bundles.bundle_of_variant(session, variant_id) if variant_id is not None else None
    rows = (
        await session.execute(
            select(OrderLine.product_size_id, OrderLine.display_item_id, OrderBundleComponent.quantity_per_bundle)
            .join(OrderBundleComponent, OrderBundleComponent.order_line_id == OrderLine.id)
            .where(OrderBundleComponent.bundle_line_id == line.id)
            .order_by(OrderLine.id)
        )
    ).all()
    sizes = [size for size, _item, _units in rows if size is not None]
    variants = dict(
        (await session.execute(select(ProductSize.id, ProductSize.variant_id).where(ProductSize.id.in_(sizes)))).all()
    )
    if bundle is None or not rows or len(variants) != len(rows):
        raise Unrenewable("a subscribed bundle no longer exists")
    chosen = [
        ChosenComponent(
            section_id=0, quantity=units, variant_id=variants[size], product_size_id=size, display_item_id=item
        )
        for size, item, units in rows
        if size is not None
    ]
    return bundle, chosen


async def renewal_draft(
    session: AsyncSession, contract: SubscriptionContract, due: Sequence[ContractSubscription], now: datetime
) -> tuple[OrderDraft, dict[int, BundleOrderPlan]]:
    """The renewal order, priced now: current (campaign) price less the plan discount, tax, shipping;
    and, per bundle line of the draft, how it becomes its component lines (which take the stock)."""
    bundled: dict[int, tuple[Bundle, list[ChosenComponent]]] = {}
    for sub in due:
        found = await _bundle_of(session, contract, sub)
        if found is not None:
            bundled[sub.id] = found
    size_ids = [sub.product_size_id for sub in due if sub.product_size_id is not None and sub.id not in bundled]
    if len(size_ids) + len(bundled) != len(due):
        raise Unrenewable("a subscribed product no longer exists")
    rows = (
        await session.execute(
            select(ProductSize, ProductVariant, Product, Size.name)
            .join(ProductVariant, ProductVariant.id == ProductSize.variant_id)
            .join(Product, Product.id == ProductVariant.product_id)
            .join(Size, Size.id == ProductSize.size_id)
            .where(ProductSize.id.in_(size_ids))
        )
    ).all()
    by_size = {size.id: (size, variant, product, size_name) for size, variant, product, size_name in rows}
    if len(by_size) != len(set(size_ids)):
        raise Unrenewable("a subscribed product no longer exists")
    bundle_products = dict(
        (
            await session.execute(
                select(ProductVariant.id, Product)
                .join(Product, Product.id == ProductVariant.product_id)
                .where(ProductVariant.id.in_({bundle.variant_id for bundle, _c in bundled.values()}))
            )
        ).all()
    )
    prices = await price_for_variants(
        session, contract.pricelist_id, contract.market_id, {v.id for _s, v, _p, _n in by_size.values()}, now
    )
    country = read_address(contract, "shipping_", SHIPPING_FIELDS).country or contract.billing_country
    rates: dict[int, int] = {}
    groups = {p.tax_group_id for _s, _v, p, _n in by_size.values() if p.tax_group_id is not None} | {
        p.tax_group_id for p in bundle_products.values() if p.tax_group_id is not None
    }
    if groups and country:
        rates = await tax_rates(session, groups, country, contract.shipping_state or None)
    lines: list[LineDraft] = []
    plans: dict[int, BundleOrderPlan] = {}
    # Units of each size the order takes from stock: a bundle's are its components'.
    wanted: dict[int, int] = {}
    decimals = await session.scalar(select(Currency.decimals).where(Currency.id == contract.currency_id)) or 0
    for sub in due:
        if sub.id in bundled:
            bundle, components = bundled[sub.id]
            bundle_product = bundle_products.get(bundle.variant_id)
            bundle_price = await bundle_prices.line_price(
                session, bundle, components, contract.pricelist_id, contract.market_id, now
            )
            if bundle_product is None or bundle_price is None:
                raise Unrenewable("a subscribed bundle has no price in the subscription's pricelist")
            unit = Decimal(bundle_price.unit_minor).scaleb(-decimals)
            discounted_minor = int(round_money(unit * (10_000 - sub.discount_bp) / 10_000, decimals).scaleb(decimals))
            paid = bundles.BundleLinePrice(discounted_minor, bundle_price.before_minor, bundle_price.components)
            plans[len(lines)] = bundles.plan_order_lines(bundle, sub.quantity, paid, components)
            for component in components:
                wanted[component.product_size_id] = (
                    wanted.get(component.product_size_id, 0) + component.quantity * sub.quantity
                )
            lines.append(
                LineDraft(
                    product_name=bundle_product.name,
                    quantity=sub.quantity,
                    unit_price_minor=discounted_minor,
                    original_unit_price_minor=bundle_price.before_minor,
                    display_item_id=sub.display_item_id,
                    tax_bp=rates.get(bundle_product.tax_group_id, 0) if bundle_product.tax_group_id is not None else 0,
                )
            )
            continue
        assert sub.product_size_id is not None
        wanted[sub.product_size_id] = wanted.get(sub.product_size_id, 0) + sub.quantity
        size, variant, product, size_name = by_size[sub.product_size_id]
        price = prices.get(variant.id)
        if price is None:
            raise Unrenewable(f"{product.name} has no price in the subscription's pricelist")
        plan = PlanInfo(sub.plan_id or 0, sub.plan_name, sub.interval_value, sub.interval_type, sub.discount_bp)
        discounted = with_plan_discount(price, plan)
        lines.append(
            LineDraft(
                product_name=product.name,
                quantity=sub.quantity,
                unit_price_minor=discounted.price_minor,
                original_unit_price_minor=price.price_before_discount_minor,
                product_size_id=size.id,
                display_item_id=sub.display_item_id,
                variant_name=variant.name,
                size_name=size_name,
                sku=size.sku or None,
                ean=size.ean or None,
                tax_bp=rates.get(product.tax_group_id, 0) if product.tax_group_id is not None else 0,
            )
        )
    mode = await session.scalar(select(Store.overselling_mode).where(Store.id == contract.store_id))
    if mode is not None and OversellingMode(mode) is not OversellingMode.OFF:
        free = await available_for_market(session, contract.market_id, list(wanted))
        short = [size for size, quantity in wanted.items() if free.get(size, 0) < quantity]
        if short:
            raise Unrenewable("out of stock")
    items = sum(line.unit_price_minor * line.quantity for line in lines)
    shipping_minor = 0
    if contract.shipping_method_id is not None and contract.country_id is not None:
        options = await shipping_options(
            session,
            contract.store_id,
            country_id=contract.country_id,
            pricelist_id=contract.pricelist_id,
            market_id=contract.market_id,
        )
        chosen = next((o for o in options if o.shipping_method_id == contract.shipping_method_id), None)
        if chosen is None:
            raise Unrenewable("the subscription's shipping method is no longer offered")
        shipping_minor = chosen.price_for(items)
    tax = document_vat_minor(
        [(line.unit_price_minor * line.quantity, line.tax_bp) for line in lines], items + shipping_minor, decimals
    )
    draft = OrderDraft(
        store_id=contract.store_id,
        market_id=contract.market_id,
        pricelist_id=contract.pricelist_id,
        currency_id=contract.currency_id,
        customer_id=contract.customer_id,
        email=contract.email,
        lines=lines,
        billing=read_address(contract, "billing_"),
        shipping=read_address(contract, "shipping_", SHIPPING_FIELDS),
        language_id=contract.language_id,
        country_id=contract.country_id,
        shipping_minor=shipping_minor,
        tax_minor=tax,
        shipping_method_id=contract.shipping_method_id,
        payment_method_id=contract.payment_method_id,
        internal_comment=f"Subscription renewal (contract {contract.id})",
        order_date=now if now <= utcnow() else None,
    )
    return draft, plans


async def _locked_renewal(session: AsyncSession, claim: _Claim) -> SubscriptionRenewal | None:
    renewal = await session.get(SubscriptionRenewal, claim.renewal_id, with_for_update=True)
    if renewal is None or renewal.status != RenewalStatus.PENDING or renewal.attempt != claim.attempt:
        return None
    return renewal


async def _place(db: Database, claim: _Claim, settled: Settled, now: datetime) -> RenewalResult | None:
    """The order for a charged renewal; None if its stock went meanwhile (then it fails like a decline)."""
    assert claim.draft is not None
    async with db.write() as session:
        renewal = await _locked_renewal(session, claim)
        if renewal is None:
            return RenewalResult(claim.contract_id, claim.period, "skipped")
        stored = await session.scalar(
            select(StoredPaymentMethod.provider)
            .join(SubscriptionContract, SubscriptionContract.stored_payment_method_id == StoredPaymentMethod.id)
            .where(SubscriptionContract.id == claim.contract_id)
        )
        draft = OrderDraft(
            **{
                **{name: getattr(claim.draft, name) for name in OrderDraft.__dataclass_fields__},
                "payment_provider": claim.provider or stored or "none",
                "payment_reference": settled.reference,
            }
        )
        try:
            async with session.begin_nested():
                order = await insert_order_with_bundles(session, draft, claim.bundle_plans)
        except OutOfStock:
            return None
        if order.grand_total_minor > 0:
            session.add(
                PaymentTransaction(
                    order_id=order.id,
                    kind=TransactionKind.AUTHORIZE,
                    status=TransactionStatus.SUCCESS,
                    amount_minor=order.grand_total_minor,
                    provider=draft.payment_provider,
                    reference=settled.reference,
                    idempotency_key=_key(claim),
                )
            )
        today = now.date()
        for sub in await session.scalars(_due_query(claim.contract_id, now).with_for_update()):
            following = advance(sub.next_order_date, sub.interval_value, sub.interval_type)
            while following <= today:
                following = advance(following, sub.interval_value, sub.interval_type)
            sub.next_order_date = following
            sub.payment_status = SubscriptionPaymentStatus.ACTIVE.value
            sub.failed_attempts = 0
            sub.retry_at = None
            sub.updated_at = utcnow()
        renewal.status = RenewalStatus.PLACED.value
        renewal.order_id = order.id
        renewal.message = None
        renewal.updated_at = utcnow()
        await _release(session, claim.contract_id)
        await session.flush()
        await record(
            session,
            "subscription_contract",
            claim.contract_id,
            "renewed",
            {"order": order.id, "period": claim.period.isoformat(), "amount": order.grand_total_minor},
            store_id=claim.store_id,
        )
        return RenewalResult(claim.contract_id, claim.period, "placed", order_id=order.id)


async def _decline(db: Database, claim: _Claim, declined: Declined, now: datetime) -> RenewalResult:
    async with db.write() as session:
        renewal = await _locked_renewal(session, claim)
        if renewal is None:
            return RenewalResult(claim.contract_id, claim.period, "skipped")
        paused = False
        attempts = 0
        for sub in await session.scalars(_due_query(claim.contract_id, now).with_for_update()):
            sub.failed_attempts += 1
            attempts = max(attempts, sub.failed_attempts)
            sub.payment_status = SubscriptionPaymentStatus.FAILED.value
            if sub.failed_attempts > len(RETRY_DAYS):
                sub.status = SubscriptionStatus.PAUSED.value
                sub.retry_at = None
                paused = True
            else:
                sub.retry_at = now + timedelta(days=RETRY_DAYS[sub.failed_attempts - 1])
            sub.updated_at = utcnow()
        # The next try is a new attempt: a provider may answer a key it declined with the same decline.
        renewal.attempt += 1
        renewal.amount_minor = 0
        renewal.status = (RenewalStatus.FAILED if paused else RenewalStatus.PENDING).value
        renewal.message = declined.message[:255]
        renewal.updated_at = utcnow()
        await _release(session, claim.contract_id)
        await session.flush()
        await record(
            session,
            "subscription_contract",
            claim.contract_id,
            "renewal_failed",
            {"period": claim.period.isoformat(), "attempt": attempts, "paused": paused, "reason": declined.code},
            store_id=claim.store_id,
        )
        outcome = "paused" if paused else "declined"
        return RenewalResult(claim.contract_id, claim.period, outcome, message=declined.message)


def _failure_email(claim: _Claim, result: RenewalResult) -> Email:
    if result.outcome == "paused":
        text = (
            "We could not renew your subscription after several tries, so it is paused. "
            "Update your stored payment method and resume it to receive it again."
        )
        subject = "Your subscription is paused"
    else:
        text = (
            f"We could not renew your subscription due on {claim.period.isoformat()} "
            f"({result.message or 'payment failed'}). We will try again in a few days; "
            "you can update your stored payment method in your account."
        )
        subject = "Your subscription payment failed"
    return Email(to=claim.email, subject=subject, text=text, kind=f"subscription-{result.outcome}")


__all__ = ["LEASE", "RETRY_DAYS", "RenewalResult", "RenewalRun", "renew_contract", "run_due_renewals"]
