"""Orders placed outside the checkout: an ERP, a POS or a marketplace inserts them (Order API POST /order).

The caller names products by stock item id, EAN, SKU or Checkout item id
and may bring its own prices; everything else comes from the store: the
market and pricelist from the ids or names given, or from the country, the
prices from the pricelist, the tax from the product's tax group in the
delivery country, the customer from the email. It all happens in one
transaction through ``orders.insert_order``, so the stock, the customer
and the order commit together or not at all.

Errors say which of Centra's create-order failure codes applies through
their type and field: ``NotFound`` on ``products.N`` (-1, product cannot be
added), ``OutOfStock`` (-2), ``ValidationFailed`` on ``products`` (-3,
empty), other ``ValidationFailed`` (-4), ``Conflict`` on ``number`` (-5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.address import Address
from opencentra.catalog.items import parse_item_id
from opencentra.catalog.models import ProductSize
from opencentra.customers.consents import ConsentInput, record_consents_in
from opencentra.customers.models import Customer
from opencentra.customers.services import ensure_guest_customer
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import NotFound, PermissionDenied, ValidationFailed
from opencentra.events.outbox import record
from opencentra.inventory.stock_items import StockItem, load_stock_items, resolve_stock_keys
from opencentra.orders.bundle_lines import insert_order_with_bundles, plans_for_drafts
from opencentra.orders.models import Order, PaymentTransaction, TransactionKind, TransactionStatus
from opencentra.orders.orders import LineDraft, OrderDraft, append_comment, place_order_in
from opencentra.orders.state import OrderStatus
from opencentra.orders.wholesale_intake import wholesale_links
from opencentra.pricing.prices import price_for_variants
from opencentra.stores.geo import resolve_location
from opencentra.stores.models import Currency, Market, Pricelist, ShippingMethod
from opencentra.stores.services import tax_rates
from opencentra.stores.tax import document_vat_minor


@dataclass(frozen=True, slots=True)
class IntakeLine:
    quantity: int
    # One of these names the product.
    stock_item_id: int | None = None
    ean: str | None = None
    sku: str | None = None
    item: str | None = None
    # Prices the caller charged (tax included); None takes the pricelist's.
    unit_price: Decimal | None = None
    original_price: Decimal | None = None
    comment: str | None = None
    # Display text overrides (Order API ``itemText``): sku, brand, product, variant, size.
    text: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment step done outside OpenCentra (``payment.auth`` / ``payment.capture``)."""

    kind: TransactionKind
    status: TransactionStatus
    amount: Decimal
    transaction: str | None = None
    method: str | None = None


@dataclass(frozen=True)
class IntakeOrder:
    store_id: int
    email: str
    billing: Address
    lines: Sequence[IntakeLine]
    shipping: Address | None = None
    # The markets the caller may use; None: any market of the store.
    allowed_markets: Sequence[int] | None = None
    market_id: int | None = None
    market_name: str | None = None
    pricelist_id: int | None = None
    pricelist_name: str | None = None
    customer_id: int | None = None
    shipping_method_uri: str | None = None
    shipping_value: Decimal | None = None
    voucher_value: Decimal | None = None
    number: int | None = None
    take_stock: bool = True
    backorder: bool = False
    comment: str | None = None
    internal_comment: str | None = None
    po_number: str | None = None
    order_date: datetime | None = None
    delivery_date: datetime | None = None
    cancel_date: datetime | None = None
    incomplete: bool = False
    extra_attributes: Mapping[str, str] = field(default_factory=dict)
    payment_provider: str = "external"
    payments: Sequence[PaymentRecord] = ()
    # The customer's consents given with the order (stored on the order's customer).
    consents: Sequence[ConsentInput] = ()
    # Wholesale (B2B): the account ordering and its buyer; see orders.wholesale_intake.
    account_id: int | None = None
    buyer_id: int | None = None


def _minor(amount: Decimal, decimals: int, name: str) -> int:
    scaled = amount * (Decimal(10) ** decimals)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed(f"{name} has more decimals than the currency", field=name)
    if scaled < 0:
        raise ValidationFailed(f"{name} cannot be negative", field=name)
    return int(scaled)


async def _market_and_pricelist(session: AsyncSession, spec: IntakeOrder, country: str) -> tuple[int, int, int]:
    """(market id, pricelist id, currency id) from explicit ids or names, else from the country."""
    market_id = spec.market_id
    if market_id is None and spec.market_name:
        market_id = await session.scalar(
            select(Market.id).where(Market.store_id == spec.store_id, Market.name == spec.market_name)
        )
        if market_id is None:
            raise ValidationFailed(f"market {spec.market_name!r} not found", field="market")
    pricelist_id = spec.pricelist_id
    if pricelist_id is None and spec.pricelist_name:
        pricelist_id = await session.scalar(
            select(Pricelist.id).where(Pricelist.store_id == spec.store_id, Pricelist.name == spec.pricelist_name)
        )
        if pricelist_id is None:
            raise ValidationFailed(f"pricelist {spec.pricelist_name!r} not found", field="pricelist")
    if market_id is None or pricelist_id is None:
        location = await resolve_location(session, spec.store_id, country)
        market_id = location.market_id if market_id is None else market_id
        pricelist_id = location.pricelist_id if pricelist_id is None else pricelist_id
    market = await session.get(Market, market_id)
    if market is None or market.store_id != spec.store_id:
        raise ValidationFailed(f"market {market_id} not found", field="marketId")
    if spec.allowed_markets is not None and market_id not in spec.allowed_markets:
        raise PermissionDenied(f"market {market_id} is not one of this integration's markets", field="marketId")
    pricelist = await session.get(Pricelist, pricelist_id)
    if pricelist is None or pricelist.store_id != spec.store_id:
        raise ValidationFailed(f"pricelist {pricelist_id} not found", field="pricelistId")
    return market_id, pricelist_id, pricelist.currency_id


async def _resolve_items(session: AsyncSession, lines: Sequence[IntakeLine]) -> list[StockItem]:
    keys = [line.ean or line.sku for line in lines if line.stock_item_id is None and line.item is None]
    by_key = await resolve_stock_keys(session, [key for key in keys if key])
    # A bare size SKU is accepted too when it names exactly one stock item.
    bare = [line.sku for line in lines if line.sku and line.sku not in by_key]
    for sku in set(bare):
        found = list(await session.scalars(select(ProductSize.id).where(ProductSize.sku == sku).limit(2)))
        if len(found) == 1:
            by_key[sku] = found[0]
    ids: list[int | None] = []
    for index, line in enumerate(lines):
        if line.stock_item_id is not None:
            ids.append(line.stock_item_id)
        elif line.item is not None:
            try:
                ids.append(parse_item_id(line.item)[1])
            except ValidationFailed:
                raise NotFound(f"product {line.item!r} cannot be added", field=f"products.{index}") from None
        else:
            key = line.ean or line.sku
            if not key:
                raise ValidationFailed("a product needs one of id, ean, sku or item", field=f"products.{index}")
            ids.append(by_key.get(key))
    items = await load_stock_items(session, [i for i in ids if i is not None])
    resolved = []
    for index, (line, size_id) in enumerate(zip(lines, ids, strict=True)):
        item = items.get(size_id) if size_id is not None else None
        if item is None:
            name = line.stock_item_id or line.ean or line.sku or line.item
            raise NotFound(f"product {name} cannot be added: not found", field=f"products.{index}")
        resolved.append(item)
    return resolved


async def insert_external_order(session: AsyncSession, spec: IntakeOrder) -> Order:
    """Build and insert the order in the caller's transaction."""
    if not spec.lines:
        raise ValidationFailed("the order is empty", field="products")
    links = await wholesale_links(session, spec.store_id, spec.account_id, spec.buyer_id)
    if links is not None:
        spec = links.fill(spec)
    delivery = spec.shipping or spec.billing
    country = delivery.country or spec.billing.country
    if not country:
        raise ValidationFailed("required", field="country")
    if not spec.email or "@" not in spec.email:
        raise ValidationFailed("required", field="email")
    market_id, pricelist_id, currency_id = await _market_and_pricelist(session, spec, country)
    decimals = int(await session.scalar(select(Currency.decimals).where(Currency.id == currency_id)) or 0)
    items = await _resolve_items(session, spec.lines)
    needs_price = {item.variant_id for item, line in zip(items, spec.lines, strict=True) if line.unit_price is None}
    prices = await price_for_variants(session, pricelist_id, market_id, needs_price, utcnow()) if needs_price else {}
    rates = await tax_rates(session, {i.tax_group_id for i in items if i.tax_group_id is not None}, country)
    drafts = []
    for index, (line, item) in enumerate(zip(spec.lines, items, strict=True)):
        if line.quantity < 1:
            raise ValidationFailed("quantity must be at least 1", field=f"products.{index}.qty")
        if line.unit_price is None:
            price = prices.get(item.variant_id)
            if price is None:
                raise NotFound(
                    f"product {item.full_sku} cannot be added: no price in the pricelist", field=f"products.{index}"
                )
            unit, original = price.price_minor, price.price_before_discount_minor
        else:
            unit = _minor(line.unit_price, decimals, f"products.{index}.unitPrice")
            original = (
                unit
                if line.original_price is None
                else _minor(line.original_price, decimals, f"products.{index}.originalPrice")
            )
        drafts.append(
            LineDraft(
                product_name=line.text.get("product") or item.product,
                quantity=line.quantity,
                unit_price_minor=unit,
                original_unit_price_minor=max(original, unit),
                product_size_id=item.id,
                variant_name=line.text.get("variant") or item.variant,
                size_name=line.text.get("size") or item.size,
                sku=line.text.get("sku") or item.full_sku,
                ean=item.ean,
                tax_bp=rates.get(item.tax_group_id, 0) if item.tax_group_id is not None else 0,
                comment=line.comment,
            )
        )
    customer_id = spec.customer_id
    if customer_id is not None:
        owner = await session.scalar(select(Customer.store_id).where(Customer.id == customer_id))
        if owner != spec.store_id:
            raise NotFound(f"customer {customer_id} not found", field="customerId")
    else:
        customer_id = (await ensure_guest_customer(session, spec.store_id, spec.email, address=spec.billing)).id
    shipping_method_id = None
    if spec.shipping_method_uri:
        shipping_method_id = await session.scalar(
            select(ShippingMethod.id).where(
                ShippingMethod.store_id == spec.store_id,
                func.lower(ShippingMethod.uri) == spec.shipping_method_uri.lower(),
            )
        )
        if shipping_method_id is None:
            raise ValidationFailed(f"shipping option {spec.shipping_method_uri!r} not found", field="shippingList")
    shipping_minor = 0 if spec.shipping_value is None else _minor(spec.shipping_value, decimals, "shippingValue")
    discount_minor = 0 if spec.voucher_value is None else _minor(spec.voucher_value, decimals, "voucherValue")
    # The one VAT rule on what the order will charge (items, shipping, less the voucher);
    # a negative total is refused by ``place_order_in``.
    items_minor = [(d.unit_price_minor * d.quantity, d.tax_bp) for d in drafts]
    charged_minor = sum(gross for gross, _rate in items_minor) + shipping_minor - discount_minor
    tax_minor = document_vat_minor(items_minor, max(charged_minor, 0), decimals)
    authorized = any(p.status == TransactionStatus.SUCCESS for p in spec.payments)
    draft = OrderDraft(
        store_id=spec.store_id,
        market_id=market_id,
        pricelist_id=pricelist_id,
        currency_id=currency_id,
        customer_id=customer_id,
        email=spec.email,
        lines=drafts,
        billing=spec.billing,
        shipping=spec.shipping,
        shipping_minor=shipping_minor,
        discount_minor=discount_minor,
        tax_minor=tax_minor,
        shipping_method_id=shipping_method_id,
        payment_provider=spec.payment_provider,
        payment_reference=next((p.transaction for p in spec.payments if p.transaction), None),
        comment=spec.comment,
        internal_comment=spec.internal_comment,
        number=spec.number,
        waiting_for_payment=bool(spec.payments) and not authorized,
        order_date=spec.order_date,
        delivery_date=spec.delivery_date,
        cancel_date=spec.cancel_date,
        po_number=spec.po_number,
        extra_attributes=spec.extra_attributes,
        take_stock=spec.take_stock,
        backorder=spec.backorder or None,
        incomplete=spec.incomplete,
    )
    # A bundle item becomes its component lines, which take the components' stock.
    plans = await plans_for_drafts(session, spec.store_id, market_id, pricelist_id, drafts)
    order = await insert_order_with_bundles(session, draft, plans)
    if links is not None:
        await links.attach_in(session, order)
    await record_payments(session, order, spec.payments, spec.payment_provider)
    await record_consents_in(session, order.customer_id, spec.consents)
    return order


async def record_payments(
    session: AsyncSession, order: Order, payments: Sequence[PaymentRecord], provider: str
) -> None:
    """Record payment steps done elsewhere; a successful capture counts towards what is captured."""
    for payment in payments:
        amount = _minor(payment.amount, order.currency_decimals, f"payment.{payment.kind}.amount")
        key = f"external:{order.id}:{payment.kind}:{payment.transaction or ''}:{amount}:{payment.status}"
        exists = await session.scalar(select(PaymentTransaction.id).where(PaymentTransaction.idempotency_key == key))
        if exists is not None:
            continue
        session.add(
            PaymentTransaction(
                order_id=order.id,
                kind=payment.kind,
                status=payment.status,
                amount_minor=amount,
                provider=provider,
                reference=payment.transaction,
                idempotency_key=key,
            )
        )
        if payment.kind == TransactionKind.CAPTURE and payment.status == TransactionStatus.SUCCESS:
            order.captured_minor = min(order.captured_minor + amount, order.grand_total_minor)
        if payment.status == TransactionStatus.SUCCESS and order.waiting_for_payment:
            order.waiting_for_payment = False
        await session.flush()
        await record(
            session,
            "order",
            order.id,
            "updated",
            {"change": "payment", "kind": str(payment.kind), "status": str(payment.status), "amount_minor": amount},
            store_id=order.store_id,
        )


async def create_external_order(db: Database, spec: IntakeOrder) -> Order:
    async with db.write() as session:
        return await insert_external_order(session, spec)


@dataclass(frozen=True)
class Completion:
    """Order API POST /order/{id}: payment steps and details added to an order, placing it if incomplete."""

    payments: Sequence[PaymentRecord] = ()
    payment_provider: str | None = None
    internal_comment: str | None = None
    comment: str | None = None
    po_number: str | None = None
    order_date: datetime | None = None
    delivery_date: datetime | None = None
    cancel_date: datetime | None = None


async def complete_external_order(db: Database, order_id: int, completion: Completion) -> Order:
    async with db.write() as session:
        order = await session.scalar(select(Order).where(Order.id == order_id).with_for_update())
        if order is None:
            raise NotFound("order does not exist", field="order")
        if order.status == OrderStatus.INCOMPLETE:
            order = await place_order_in(session, order.id)
        for name in ("po_number", "order_date", "delivery_date", "cancel_date"):
            value = getattr(completion, name)
            if value is not None:
                setattr(order, name, value)
        if completion.internal_comment:
            order.internal_comment = append_comment(order.internal_comment, completion.internal_comment)
        if completion.comment:
            order.comment = append_comment(order.comment, completion.comment)
        await record_payments(
            session, order, completion.payments, completion.payment_provider or order.payment_provider
        )
        await session.flush()
        await record(session, "order", order.id, "updated", {"change": "completed_by_api"}, store_id=order.store_id)
        return order
