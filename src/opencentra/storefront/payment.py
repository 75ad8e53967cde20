"""Paying for a selection and turning it into an order.

POST /payment runs in three steps, because a real provider is a network call
that must not happen while a database transaction (and on SQLite, the write
lock) is held:

1. ``prepare`` (one transaction): fields, terms, shipping, the stock check of
   the store's overselling mode (short lines are trimmed and reported), the
   amount priced from the database, and a payment attempt recorded.
2. the provider's ``start``, outside any transaction.
3. ``finish`` (one transaction): an immediate authorization places the order;
   an action for the browser is stored for the return; a refusal is recorded.

POST /payment-result verifies the return with the provider, then places the
order in one transaction that locks the selection first. A replayed or
concurrent result finds the selection already completed and answers the same
order; ``orders.selection_id`` is UNIQUE, so even a missed lock cannot make a
second one. A selection whose total is zero (fully discounted) is placed
without any provider.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from opencentra.address import SHIPPING_FIELDS, read_address
from opencentra.customers.models import Customer
from opencentra.customers.services import ensure_guest_customer
from opencentra.db.base import utcnow
from opencentra.errors import Conflict, NotFound, OutOfStock, ValidationFailed
from opencentra.giftcards.services import issue_in
from opencentra.inventory.services import available_for_market
from opencentra.orders import LineDraft, OrderDraft
from opencentra.orders.bundle_lines import insert_order_with_bundles, lines_of_draft
from opencentra.orders.models import Order, PaymentTransaction, TransactionKind, TransactionStatus
from opencentra.payments import (
    Authorized,
    Declined,
    FormAction,
    PaymentAction,
    PaymentOutcome,
    PaymentRequest,
    provider_for,
)
from opencentra.pricing.vouchers import redeem_vouchers
from opencentra.selection.models import PaymentStatus, Selection, SelectionPayment, SelectionStatus
from opencentra.selection.services import lock_selection, remove_line_in, set_line_quantity_in
from opencentra.storefront.bundles import order_plans as bundle_order_plans
from opencentra.storefront.cart import CheckoutFields, apply_fields, set_country_in
from opencentra.storefront.catalog import CatalogSnapshot
from opencentra.storefront.gift_lines import buying_gift_in, gift_line_draft
from opencentra.storefront.pricing import PricedSelection, price_selection_in
from opencentra.storefront.state import CheckoutState, OrderView, Unavailable, build_state, order_view
from opencentra.storefront.storefront import Cart, Change, Storefront, cart_shopper, changing, current_state
from opencentra.stores.models import OversellingMode, PaymentBehaviour, PaymentMethod, Store
from opencentra.stores.options import payment_methods
from opencentra.subscriptions import check_plan_buyer, start_contract_in
from opencentra.subscriptions.services import record_order_line_plans_in

MAX_URL = 2_000


@dataclass(frozen=True)
class PaymentInput:
    payment_method: str | None = None
    return_page: str = ""
    failed_page: str = ""
    terms_and_conditions: bool | None = None
    fields: CheckoutFields = field(default_factory=CheckoutFields)
    initiate_only: bool = False


@dataclass(frozen=True)
class OrderPlaced:
    order: OrderView
    state: CheckoutState


@dataclass(frozen=True)
class PaymentPending:
    action: PaymentAction
    state: CheckoutState


@dataclass(frozen=True)
class PaymentRefused:
    message: str
    code: str
    state: CheckoutState


@dataclass(frozen=True)
class StockShort:
    """Not enough stock: the answer is 410 with ``unavailable`` (and the selection trimmed)."""

    unavailable: tuple[Unavailable, ...]
    state: CheckoutState
    # After an authorization (aggressive mode): what the shopper is not charged.
    cancellation: Decimal | None = None


PaymentAnswer = OrderPlaced | PaymentPending | PaymentRefused | StockShort


@dataclass(frozen=True)
class _Prepared:
    request: PaymentRequest | None
    provider: str
    zero: bool
    # Lines cut to the stock there is (the answer is 410).
    short: tuple[Unavailable, ...] = ()
    # Lines removed because they are no longer for sale.
    dropped: bool = False


@dataclass(frozen=True)
class _Ready:
    request: PaymentRequest
    provider: str
    zero: bool


def _amount_minor(amount: Decimal, decimals: int) -> int:
    return int(amount.scaleb(decimals))


async def _overselling(session: AsyncSession, store_id: int) -> OversellingMode:
    mode = await session.scalar(select(Store.overselling_mode).where(Store.id == store_id))
    return OversellingMode(mode) if mode is not None else OversellingMode.STANDARD


async def check_stock(session: AsyncSession, selection: Selection, *, trim: bool) -> tuple[Unavailable, ...]:
    """Lines wanting more than the market has; with ``trim`` they are cut to what there is."""
    sizes = sorted({line.product_size_id for line in selection.lines})
    if not sizes:
        return ()
    available = await available_for_market(session, selection.market_id, sizes)
    left = dict(available)
    short: list[Unavailable] = []
    for line in list(selection.lines):
        have = max(left.get(line.product_size_id, 0), 0)
        if line.quantity <= have:
            left[line.product_size_id] = have - line.quantity
            continue
        short.append(
            Unavailable(
                item=f"{line.display_item_id}-{line.product_size_id}",
                product=line.display_item_id,
                original_quantity=line.quantity,
                unavailable=line.quantity - have,
                available=have,
            )
        )
        left[line.product_size_id] = 0
        if trim:
            if have:
                await set_line_quantity_in(session, selection, line.line_id, have)
            else:
                await remove_line_in(session, selection, line.line_id)
    return tuple(short)


def _check_url(value: str, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationFailed("required", field=field)
        return ""
    if len(value) > MAX_URL or not value.lower().startswith(("http://", "https://")):
        raise ValidationFailed("must be an absolute http(s) URL", field=field)
    return value


async def _catalogue(change: Change, selection: Selection) -> CatalogSnapshot:
    return await change.shop.cache.catalogue(
        change.session, selection.store_id, selection.market_id, selection.pricelist_id
    )


async def _prepare(shop: Storefront, cart: Cart, request: PaymentInput) -> _Ready | StockShort:
    async with changing(shop, cart) as change:
        prepared = await _prepare_change(change, request)
    if prepared.dropped:
        raise ValidationFailed("some items are no longer for sale and were removed", field="items")
    if prepared.short:
        # Trimmed to the stock there is: the answer shows the selection as it is now.
        return StockShort(prepared.short, await change.after())
    assert prepared.request is not None
    return _Ready(prepared.request, prepared.provider, prepared.zero)


async def _prepare_change(change: Change, request: PaymentInput) -> _Prepared:
    selection = await change.current_selection()
    if selection is None or (not selection.lines and not await buying_gift_in(change, selection)):
        raise ValidationFailed("the selection is empty", field="selection")
    if request.payment_method:
        methods = await payment_methods(change.session, selection.market_id)
        chosen = next((m for m in methods if m.uri == request.payment_method), None)
        if chosen is None:
            raise NotFound("not found", field="paymentMethod")
        selection.payment_method_id = chosen.id
    await apply_fields(change, selection, request.fields)
    if request.fields.address is not None and request.fields.address.country:
        wanted = change.reference.country_by_code(request.fields.address.country)
        if wanted is not None and wanted.id != selection.country_id:
            # Paying from another country moves the selection there first.
            await set_country_in(change, wanted.code, request.fields.address.state)
            selection = await lock_selection(change.session, selection.id)
    return_page = _check_url(request.return_page, "paymentReturnPage", required=True)
    failed_page = _check_url(request.failed_page, "paymentFailedPage", required=False) or return_page
    if request.terms_and_conditions is not True:
        raise ValidationFailed("must be true", field="termsAndConditions")
    _require_fields(selection)
    if selection.country_id is None or selection.country_id not in change.reference.shippable:
        raise ValidationFailed("we do not ship to this country", field="address.country")
    if selection.shipping_method_id is None and selection.lines:
        raise ValidationFailed("required", field="shippingMethod")
    if selection.payment_method_id is None:
        raise ValidationFailed("required", field="paymentMethod")
    mode = await _overselling(change.session, selection.store_id)
    if mode is not OversellingMode.OFF:
        short = await check_stock(change.session, selection, trim=True)
        if short:
            change.unavailable.extend(short)
            return _Prepared(None, "", False, short=short)
    catalogue = await _catalogue(change, selection)
    priced = await price_selection_in(change.session, selection, catalogue, change.reference, at=utcnow(), fresh=True)
    # Refused before the provider authorizes anything: a guest cannot hold a contract.
    check_plan_buyer(any(line.subscription_plan is not None for line in priced.lines), change.row.customer_id)
    if priced.dropped:
        # Gone from the market or the pricelist: removed, and the shopper is told.
        for line_id in priced.dropped:
            await remove_line_in(change.session, selection, line_id)
        return _Prepared(None, "", False, dropped=True)
    if priced.shipping is None and priced.gift is None:
        raise ValidationFailed("required", field="shippingMethod")
    method = await change.session.get(PaymentMethod, selection.payment_method_id)
    assert method is not None
    currency = priced.currency
    amount = _amount_minor(priced.grand_total, currency.decimals)
    attempt = SelectionPayment(
        selection_id=selection.id,
        reference=secrets.token_hex(16),
        payment_method_id=method.id,
        provider=method.provider,
        amount_minor=amount,
        currency_id=currency.id,
        status=PaymentStatus.STARTED,
        state={},
        return_url=return_page,
        failed_url=failed_page,
    )
    change.session.add(attempt)
    await change.session.flush()
    zero = amount == 0 and not request.initiate_only
    payment_request = PaymentRequest(
        reference=attempt.reference,
        selection=selection.uuid,
        amount_minor=amount,
        currency_code=currency.code,
        currency_decimals=currency.decimals,
        method_uri=method.uri,
        return_url=return_page,
        failed_url=failed_page,
        behaviour=PaymentBehaviour(method.behaviour) if method.behaviour is not None else None,
        email=selection.email,
    )
    if not zero:
        # Fail early, before anything is promised, if the provider is not here.
        provider_for(method.provider)
    return _Prepared(payment_request, method.provider, zero)


def _require_fields(selection: Selection) -> None:
    """By default only the email and the country of the address are required (Centra's defaults)."""
    if not selection.email:
        raise ValidationFailed("required", field="address.email")
    if not selection.billing_country:
        raise ValidationFailed("required", field="address.country")


async def start_payment(shop: Storefront, cart: Cart, request: PaymentInput) -> PaymentAnswer:
    """POST /payment."""
    prepared = await _prepare(shop, cart, request)
    if isinstance(prepared, StockShort):
        return prepared
    if prepared.zero:
        return await _complete(shop, cart, prepared.request.reference, Authorized("zero-amount"), provider="none")
    provider = provider_for(prepared.provider)
    started = await provider.start(prepared.request)
    if request.initiate_only and started.outcome is not None:
        # "Initiate only" never completes an order; it only shows the widget.
        return PaymentPending(action=_empty_form(prepared.request.return_url), state=await current_state(shop, cart))
    if started.outcome is not None:
        if isinstance(started.outcome, Declined):
            return await _refuse(shop, cart, prepared.request.reference, started.outcome)
        return await _complete(shop, cart, prepared.request.reference, started.outcome, provider=prepared.provider)
    assert started.action is not None
    async with changing(shop, cart) as change:
        attempt = await _attempt(change.session, prepared.request.reference)
        attempt.state = dict(started.state)
        attempt.updated_at = utcnow()
    return PaymentPending(action=started.action, state=await change.after())


def _empty_form(url: str) -> PaymentAction:
    return FormAction(html="", fields={}, url=url)


async def _attempt(session: AsyncSession, reference: str) -> SelectionPayment:
    attempt = await session.scalar(
        select(SelectionPayment).where(SelectionPayment.reference == reference).with_for_update()
    )
    if attempt is None:
        raise NotFound("no payment is in progress", field="paymentMethod")
    return attempt


async def _refuse(shop: Storefront, cart: Cart, reference: str, outcome: Declined) -> PaymentRefused:
    async with changing(shop, cart) as change:
        attempt = await _attempt(change.session, reference)
        if attempt.status == PaymentStatus.STARTED:
            attempt.status = PaymentStatus.DECLINED
    return PaymentRefused(outcome.message, outcome.code, await change.after())


async def payment_result(shop: Storefront, cart: Cart, fields: Mapping[str, str]) -> PaymentAnswer:
    """POST /payment-result: the provider's return, verified, becomes the order (once)."""
    reference = await _started_reference(shop, cart, fields)
    if not isinstance(reference, str):
        return reference
    async with shop.db.read() as session:
        attempt = await session.scalar(select(SelectionPayment).where(SelectionPayment.reference == reference))
        assert attempt is not None
        selection = await session.get(Selection, attempt.selection_id)
        method = await session.get(PaymentMethod, attempt.payment_method_id) if attempt.payment_method_id else None
    currency = (await shop.reference()).currencies[attempt.currency_id]
    assert selection is not None
    request = PaymentRequest(
        reference=attempt.reference,
        selection=selection.uuid,
        amount_minor=attempt.amount_minor,
        currency_code=currency.code,
        currency_decimals=currency.decimals,
        method_uri=method.uri if method is not None else "",
        return_url=attempt.return_url,
        failed_url=attempt.failed_url,
        behaviour=PaymentBehaviour(method.behaviour) if method is not None and method.behaviour else None,
        email=selection.email,
    )
    outcome: PaymentOutcome = await provider_for(attempt.provider).verify(request, attempt.state, fields)
    if isinstance(outcome, Declined):
        return await _refuse(shop, cart, reference, outcome)
    return await _complete(shop, cart, reference, outcome, provider=attempt.provider)


@dataclass(frozen=True)
class _Placed:
    order_id: int


@dataclass(frozen=True)
class _Short:
    unavailable: tuple[Unavailable, ...]
    cancellation: Decimal | None


@dataclass(frozen=True)
class _Refused:
    message: str
    code: str


_Decision = _Placed | _Short | _Refused


async def _answer(change: Change, decision: _Decision) -> PaymentAnswer:
    """The answer for a committed decision, read after the commit."""
    if isinstance(decision, _Placed):
        shop = change.shop
        async with shop.db.read() as session:
            order = await session.scalar(
                select(Order).where(Order.id == decision.order_id).options(selectinload(Order.lines))
            )
            assert order is not None
            catalogue = await shop.cache.catalogue(session, order.store_id, order.market_id, order.pricelist_id)
            view = await order_view(session, order, change.reference, catalogue)
            state = await build_state(session, shop.db, shop.cache, shop.channel, change.shopper, change.reference)
        return OrderPlaced(view, state)
    if isinstance(decision, _Short):
        return StockShort(decision.unavailable, await change.after(), cancellation=decision.cancellation)
    return PaymentRefused(decision.message, decision.code, await change.after())


async def _started_reference(shop: Storefront, cart: Cart, fields: Mapping[str, str]) -> str | PaymentAnswer:
    """The attempt this return belongs to, or the order it already made (a replay)."""
    async with changing(shop, cart) as change:
        found = await _started_reference_in(change, fields)
    if isinstance(found, str):
        return found
    return await _answer(change, found)


async def _started_reference_in(change: Change, fields: Mapping[str, str]) -> str | _Placed:
    if change.row.selection_id is None:
        raise ValidationFailed("failed", field="paymentMethod")
    selection = await lock_selection(change.session, change.row.selection_id)
    if selection.status == SelectionStatus.COMPLETED:
        placed = await _placed(change, selection)
        if placed is not None:
            return placed
    wanted = fields.get("reference")
    query = select(SelectionPayment).where(SelectionPayment.selection_id == selection.id)
    if isinstance(wanted, str) and wanted:
        query = query.where(SelectionPayment.reference == wanted)
    attempt = await change.session.scalar(query.order_by(SelectionPayment.id.desc()).limit(1))
    if attempt is None or attempt.status == PaymentStatus.DECLINED:
        raise ValidationFailed("failed", field="paymentMethod")
    return attempt.reference


async def _placed(change: Change, selection: Selection) -> _Placed | None:
    order_id = await change.session.scalar(select(Order.id).where(Order.selection_id == selection.id))
    if order_id is None:
        return None
    change.row.last_order_id = order_id
    return _Placed(order_id)


async def _complete(
    shop: Storefront, cart: Cart, reference: str, outcome: Authorized, *, provider: str
) -> PaymentAnswer:
    async with changing(shop, cart) as change:
        decision = await _complete_in(change, reference, outcome, provider)
    return await _answer(change, decision)


async def _complete_in(change: Change, reference: str, outcome: Authorized, provider: str) -> _Decision:
    # The selection is locked before its payment attempt, the order every path takes (a selection
    # addressed by id is locked first of all), so two paths never wait on each other's lock.
    selection_id = await change.session.scalar(
        select(SelectionPayment.selection_id).where(SelectionPayment.reference == reference)
    )
    if selection_id is None:
        raise NotFound("no payment is in progress", field="paymentMethod")
    selection = await lock_selection(change.session, selection_id)
    attempt = await _attempt(change.session, reference)
    if selection.status == SelectionStatus.COMPLETED:
        placed = await _placed(change, selection)
        if placed is not None:
            return placed
    if selection.status != SelectionStatus.OPEN:
        raise Conflict("the selection is closed", field="selection")
    mode = await _overselling(change.session, selection.store_id)
    currency = change.reference.currencies[attempt.currency_id]
    authorized = Decimal(attempt.amount_minor).scaleb(-currency.decimals)
    if mode is OversellingMode.AGGRESSIVE:
        short = await check_stock(change.session, selection, trim=False)
        if short:
            attempt.status = PaymentStatus.DECLINED
            change.unavailable.extend(short)
            return _Short(short, authorized)
    catalogue = await _catalogue(change, selection)
    priced = await price_selection_in(change.session, selection, catalogue, change.reference, at=utcnow(), fresh=True)
    if (
        priced.dropped
        or priced.currency.id != attempt.currency_id
        or _amount_minor(priced.grand_total, priced.currency.decimals) != attempt.amount_minor
    ):
        attempt.status = PaymentStatus.DECLINED
        return _Refused("The selection changed after the payment started; please pay again.", "failed")
    try:
        async with change.session.begin_nested():
            order = await _place(change, selection, priced, attempt, outcome, provider)
    except OutOfStock as error:
        attempt.status = PaymentStatus.DECLINED
        short = _unavailable_from(error, priced)
        change.unavailable.extend(short)
        return _Short(short, authorized if mode is not OversellingMode.OFF else None)
    except Conflict:
        # Another request placed this selection's order between our lock and now.
        placed = await _placed(change, selection)
        if placed is not None:
            return placed
        raise
    attempt.status = PaymentStatus.AUTHORIZED
    attempt.provider_reference = outcome.reference
    change.row.last_order_id = order.id
    return _Placed(order.id)


def _unavailable_from(error: OutOfStock, priced: PricedSelection) -> tuple[Unavailable, ...]:
    """``inventory.allocate``'s shortfall per size, told per selection line."""
    by_size: dict[int, tuple[int, int]] = {}
    for entry in error.unavailable:
        size = entry.get("product_size_id")
        requested, available = entry.get("requested"), entry.get("available")
        if isinstance(size, int) and isinstance(requested, int) and isinstance(available, int):
            by_size[size] = (requested, available)
    found: list[Unavailable] = []
    for line in priced.lines:
        if line.size.product_size_id in by_size:
            requested, available = by_size[line.size.product_size_id]
            found.append(
                Unavailable(
                    item=line.item,
                    product=line.product.display_item_id,
                    original_quantity=line.quantity,
                    unavailable=max(requested - available, 0),
                    available=available,
                )
            )
    return tuple(found)


async def _place(
    change: Change,
    selection: Selection,
    priced: PricedSelection,
    attempt: SelectionPayment,
    outcome: Authorized,
    provider: str,
) -> Order:
    session = change.session
    decimals = priced.currency.decimals
    billing = read_address(selection, "billing_")
    shipping = read_address(selection, "shipping_", SHIPPING_FIELDS)
    has_shipping = any(getattr(shipping, name) for name in SHIPPING_FIELDS)
    email = selection.email
    if not email:
        raise ValidationFailed("required", field="address.email")
    customer_id = change.row.customer_id or selection.customer_id
    customer = await session.get(Customer, customer_id) if customer_id is not None else None
    if customer is None or customer.store_id != selection.store_id:
        customer = await ensure_guest_customer(
            session, selection.store_id, email, address=billing, newsletter=bool(selection.newsletter)
        )
    lines = [
        LineDraft(
            product_name=line.product.name,
            quantity=line.quantity,
            unit_price_minor=_amount_minor(line.price.price, decimals),
            original_unit_price_minor=_amount_minor(line.price.price_before_discount, decimals),
            product_size_id=line.size.product_size_id,
            display_item_id=line.product.display_item_id,
            variant_name=line.product.variant_name,
            size_name=line.size.name,
            sku=line.size.sku,
            ean=line.size.ean or None,
            tax_bp=line.tax_bp,
            comment=line.comment,
        )
        for line in priced.lines
    ]
    if priced.gift is not None:
        lines.append(gift_line_draft(priced.gift, decimals))
    draft = OrderDraft(
        store_id=selection.store_id,
        market_id=selection.market_id,
        pricelist_id=selection.pricelist_id,
        currency_id=priced.currency.id,
        customer_id=customer.id,
        email=email,
        lines=lines,
        billing=billing,
        shipping=shipping if has_shipping else None,
        selection_id=selection.id,
        language_id=selection.language_id,
        country_id=selection.country_id,
        shipping_minor=_amount_minor(priced.shipping_price, decimals),
        handling_minor=_amount_minor(priced.handling, decimals),
        discount_minor=_amount_minor(priced.total_discount, decimals),
        tax_minor=_amount_minor(priced.tax, decimals),
        shipping_method_id=selection.shipping_method_id,
        payment_method_id=selection.payment_method_id,
        payment_provider=provider,
        payment_reference=outcome.reference,
        comment=selection.comment,
    )
    # Bundle lines become their components' lines, which take the components' stock.
    by_line_id = {row.line_id: row for row in selection.lines}
    plans = await bundle_order_plans(
        session,
        selection.store_id,
        selection.market_id,
        selection.pricelist_id,
        [
            (by_line_id[line.line_id], line.product.variant_id, lines[index].unit_price_minor, index)
            for index, line in enumerate(priced.lines)
            if line.line_id in by_line_id
        ],
        utcnow(),
    )
    order = await insert_order_with_bundles(session, draft, plans)
    if any(line.subscription_plan is not None for line in priced.lines):
        await record_order_line_plans_in(
            session, lines_of_draft(order.lines, plans), [line.subscription_plan for line in priced.lines]
        )
        await start_contract_in(session, order, outcome, logged_in_customer_id=change.row.customer_id)
    if priced.vouchers:
        await redeem_vouchers(session, [v.voucher_id for v in priced.vouchers])
    if priced.gift is not None:
        await issue_in(session, store_id=order.store_id, order_id=order.id, gift=priced.gift, decimals=decimals)
    if order.grand_total_minor > 0:
        session.add(
            PaymentTransaction(
                order_id=order.id,
                kind=TransactionKind.AUTHORIZE,
                status=TransactionStatus.SUCCESS,
                amount_minor=order.grand_total_minor,
                provider=provider,
                reference=outcome.reference,
                idempotency_key=f"authorize:{attempt.reference}",
            )
        )
        await session.flush()
    return order


async def receipt(shop: Storefront, cart: Cart) -> OrderPlaced:
    """GET /receipt: the last order this session placed (or the order a selection by id became)."""
    shopper, reference = await cart_shopper(shop, cart)
    if shopper.last_order_id is None:
        raise NotFound("no order", field="order")
    async with shop.db.read() as session:
        order = await session.scalar(
            select(Order).where(Order.id == shopper.last_order_id).options(selectinload(Order.lines))
        )
        if order is None:
            raise NotFound("no order", field="order")
        catalogue = await shop.cache.catalogue(session, order.store_id, order.market_id, order.pricelist_id)
        view = await order_view(session, order, reference, catalogue)
        state = await build_state(session, shop.db, shop.cache, shop.channel, shopper, reference)
        return OrderPlaced(view, state)
