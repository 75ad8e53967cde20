"""What every storefront answer shows: the session's location, its selection
priced, the methods it may choose, who is logged in, and a placed order.

``CheckoutState`` is plain data; the Checkout API renders it as Centra's
SelectionResponse, and any other API may render it its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from opencentra.address import SHIPPING_FIELDS, Address, read_address
from opencentra.customers.models import Customer
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.orders import order_amounts
from opencentra.orders.models import Order
from opencentra.orders.state import OrderStatus
from opencentra.selection.models import Selection, SelectionStatus
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.catalog import CatalogSnapshot, ProductData, StockSnapshot
from opencentra.storefront.localized import in_language
from opencentra.storefront.pricing import Lookups, PricedSelection, price_lines, price_selection_in
from opencentra.storefront.reference import (
    CountryInfo,
    CurrencyInfo,
    LanguageInfo,
    MarketInfo,
    PricelistInfo,
    StateInfo,
    StoreReference,
)
from opencentra.storefront.shopper import Channel, Shopper
from opencentra.stores.models import Currency, PaymentBehaviour, PaymentMethod, ShippingMethod
from opencentra.stores.options import payment_methods
from opencentra.subscriptions.services import PlanInfo, order_line_plans


@dataclass(frozen=True)
class ShippingChoice:
    id: int
    key: str
    name: str
    price: Decimal


@dataclass(frozen=True)
class PaymentChoice:
    id: int
    key: str
    name: str
    provider: str
    behaviour: PaymentBehaviour | None
    handling: Decimal


@dataclass(frozen=True)
class Location:
    country: CountryInfo | None
    state: StateInfo | None
    ship_to: bool
    market: MarketInfo
    pricelist: PricelistInfo
    currency: CurrencyInfo
    language: LanguageInfo | None


@dataclass(frozen=True)
class SelectionView:
    uuid: str | None
    priced: PricedSelection
    shipping_method: ShippingChoice | None
    payment_method: PaymentChoice | None
    billing: Address
    shipping_address: Address
    email: str | None
    newsletter: bool
    comment: str | None


@dataclass(frozen=True)
class CustomerView:
    id: int
    email: str
    first_name: str | None
    last_name: str | None
    gender: str | None
    newsletter: bool
    language: str | None
    address: Address


@dataclass(frozen=True)
class OrderLineView:
    line: str
    item: str | None
    product: ProductData | None
    product_name: str
    variant_name: str | None
    size: str | None
    sku: str | None
    ean: str | None
    quantity: int
    unit_price: Decimal
    unit_before_discount: Decimal
    tax_bp: int
    # From the order's amounts (``opencentra.orders.order_amounts``), as every API reports it.
    unit_price_without_tax: Decimal
    comment: str | None
    # The subscription plan the line was bought on, as it was then.
    subscription_plan: PlanInfo | None = None


@dataclass(frozen=True)
class OrderView:
    id: int
    number: int
    status: OrderStatus
    date: datetime
    currency: CurrencyInfo
    language: str | None
    payment_method: PaymentChoice | None
    shipping_method: ShippingChoice | None
    lines: tuple[OrderLineView, ...]
    items_total: Decimal
    discount: Decimal
    shipping: Decimal
    handling: Decimal
    tax: Decimal
    grand_total: Decimal
    tax_bp: int
    billing: Address
    shipping_address: Address
    email: str
    comment: str | None
    country_names: dict[str, str]


@dataclass(frozen=True)
class Unavailable:
    """A line the shopper cannot have in full (``errors.stock`` answers)."""

    item: str
    product: int
    original_quantity: int
    unavailable: int
    available: int


@dataclass(frozen=True)
class CheckoutState:
    shopper: Shopper
    channel: Channel
    reference: StoreReference
    location: Location
    selection: SelectionView
    shipping_choices: tuple[ShippingChoice, ...]
    payment_choices: tuple[PaymentChoice, ...]
    customer: CustomerView | None
    # Set when the session's selection became an order (GET /selection then shows it).
    order: OrderView | None = None
    unavailable: tuple[Unavailable, ...] = ()
    # Free units in the session's market, for the items' "stock" flags.
    stock: StockSnapshot | None = None
    # The line an add-to-cart put its units on (the Shop API answers it as ``line``).
    line: str | None = None


def shipping_key(method_id: int, uri: str | None) -> str:
    """A shipping method's API id: its uri, or its number when it has none."""
    return uri or str(method_id)


def location_of(reference: StoreReference, shopper: Shopper) -> Location:
    country = reference.countries.get(shopper.country_id) if shopper.country_id is not None else None
    pricelist = reference.pricelists[shopper.pricelist_id]
    language = reference.languages.get(shopper.language_id) if shopper.language_id is not None else None
    return Location(
        country=country,
        state=country.state(shopper.state) if country else None,
        ship_to=country is not None and country.id in reference.shippable,
        market=reference.markets[shopper.market_id],
        pricelist=pricelist,
        currency=reference.currencies[pricelist.currency_id],
        language=language,
    )


def _payment_choice(method: PaymentMethod) -> PaymentChoice:
    behaviour = PaymentBehaviour(method.behaviour) if method.behaviour is not None else None
    return PaymentChoice(method.id, method.uri, method.name, method.provider, behaviour, Decimal(0))


async def payment_choices(
    session: AsyncSession, market_id: int, cache: CheckoutCache | None = None
) -> tuple[PaymentChoice, ...]:
    async def load() -> tuple[PaymentChoice, ...]:
        return tuple(_payment_choice(m) for m in await payment_methods(session, market_id))

    if cache is None:
        return await load()
    return await cache.remember(("payments", market_id), load)


async def shipping_choices(
    lookups: Lookups, shopper: Shopper, reference: StoreReference, items_total_minor: int
) -> tuple[ShippingChoice, ...]:
    if shopper.country_id is None or shopper.country_id not in reference.shippable:
        return ()
    decimals = reference.currency_of(shopper.pricelist_id).decimals
    options = await lookups.shipping(shopper.store_id, shopper.country_id, shopper.pricelist_id, shopper.market_id)
    return tuple(
        ShippingChoice(
            o.shipping_method_id,
            shipping_key(o.shipping_method_id, o.uri),
            o.name,
            Decimal(o.price_for(items_total_minor)).scaleb(-decimals),
        )
        for o in options
    )


def _customer_view(customer: Customer, reference: StoreReference) -> CustomerView:
    language = reference.languages.get(customer.language_id) if customer.language_id else None
    return CustomerView(
        id=customer.id,
        email=customer.email,
        first_name=customer.first_name,
        last_name=customer.last_name,
        gender=customer.gender,
        newsletter=customer.newsletter,
        language=language.code if language else None,
        address=read_address(customer, ""),
    )


def _empty_priced(currency: CurrencyInfo) -> PricedSelection:
    return price_lines([], [], None, {}, currency)


async def build_state(
    session: AsyncSession,
    db: Database,
    cache: CheckoutCache,
    channel: Channel,
    shopper: Shopper,
    reference: StoreReference,
    *,
    unavailable: tuple[Unavailable, ...] = (),
    selection: Selection | None = None,
) -> CheckoutState:
    """Everything a SelectionResponse shows, read in the caller's transaction.

    ``selection`` may be the session's selection as a change just left it
    (lines and vouchers loaded), saving reading it again.
    """
    location = location_of(reference, shopper)
    if selection is not None and selection.id != shopper.selection_id:
        selection = None
    if selection is None and shopper.selection_id is not None:
        # One statement, both collections joined (a read takes no lock, so
        # every row comes from the same snapshot).
        selection = (
            (
                await session.execute(
                    select(Selection)
                    .where(Selection.id == shopper.selection_id)
                    .options(joinedload(Selection.lines), joinedload(Selection.vouchers))
                    .execution_options(populate_existing=True)
                )
            )
            .unique()
            .scalar_one_or_none()
        )
    order = None
    catalogue: CatalogSnapshot | None = None
    if selection is not None and selection.status == SelectionStatus.COMPLETED:
        order_row = await session.scalar(
            select(Order).where(Order.selection_id == selection.id).options(selectinload(Order.lines))
        )
        if order_row is not None:
            catalogue = await cache.catalogue(session, shopper.store_id, order_row.market_id, order_row.pricelist_id)
            order = await order_view(session, order_row, reference, catalogue)
        selection = None
    elif selection is not None and selection.status != SelectionStatus.OPEN:
        selection = None

    if selection is not None:
        catalogue = await in_language(
            cache,
            session,
            await cache.catalogue(session, shopper.store_id, selection.market_id, selection.pricelist_id),
            selection.language_id,
            reference.default_language_id,
        )
        priced = await price_selection_in(session, selection, catalogue, reference, at=utcnow(), cache=cache)
    else:
        priced = _empty_priced(location.currency)
    items_after = priced.items_total - priced.items_discount
    lookups = Lookups(session, cache)
    shipping = await shipping_choices(lookups, shopper, reference, int(items_after.scaleb(location.currency.decimals)))
    payments = await payment_choices(session, shopper.market_id, cache)
    chosen_shipping = None
    chosen_payment = None
    if selection is not None:
        chosen_shipping = next((s for s in shipping if s.id == selection.shipping_method_id), None)
        chosen_payment = next((p for p in payments if p.id == selection.payment_method_id), None)
    view = SelectionView(
        uuid=selection.uuid if selection is not None else None,
        priced=priced,
        shipping_method=chosen_shipping,
        payment_method=chosen_payment,
        billing=read_address(selection, "billing_") if selection is not None else Address(),
        shipping_address=read_address(selection, "shipping_", SHIPPING_FIELDS) if selection is not None else Address(),
        email=selection.email if selection is not None else None,
        newsletter=bool(selection.newsletter) if selection is not None else False,
        comment=selection.comment if selection is not None else None,
    )
    customer = None
    if shopper.customer_id is not None:
        row = await session.get(Customer, shopper.customer_id)
        if row is not None and row.registered and row.anonymized_at is None:
            customer = _customer_view(row, reference)
    # The items' stock flags; the market's snapshot is kept current row by row.
    stock = await cache.stock(session, selection.market_id) if view.priced.lines and selection is not None else None
    return CheckoutState(
        stock=stock,
        shopper=shopper,
        channel=channel,
        reference=reference,
        location=location,
        selection=view,
        shipping_choices=shipping,
        payment_choices=payments,
        customer=customer,
        order=order,
        unavailable=unavailable,
    )


def _amount(minor: int, decimals: int) -> Decimal:
    return Decimal(minor).scaleb(-decimals)


def _line_hash(order_line_id: int) -> str:
    # Order lines have integer ids; the API shows 32-hex line ids like a selection's.
    import hashlib

    return hashlib.sha256(f"order-line:{order_line_id}".encode()).hexdigest()[:32]


async def order_view(
    session: AsyncSession, order: Order, reference: StoreReference, catalogue: CatalogSnapshot | None
) -> OrderView:
    """An order (lines loaded) as the storefront shows it."""
    currency = reference.currencies.get(order.currency_id)
    if currency is None:
        # A currency created after the reference was read.
        row = await session.get(Currency, order.currency_id)
        assert row is not None
        currency = CurrencyInfo(
            row.id, row.code, row.name, row.decimals, row.decimal_point, row.thousands_separator, row.prefix,
            row.suffix, row.denominator,
        )  # fmt: skip
    decimals = order.currency_decimals
    payment = None
    if order.payment_method_id is not None:
        method = await session.get(PaymentMethod, order.payment_method_id)
        payment = _payment_choice(method) if method is not None else None
    shipping = None
    if order.shipping_method_id is not None:
        ship = await session.get(ShippingMethod, order.shipping_method_id)
        if ship is not None:
            shipping = ShippingChoice(
                ship.id, shipping_key(ship.id, ship.uri), ship.name, _amount(order.shipping_minor, decimals)
            )
    lines = []
    plans = await order_line_plans(session, (line.id for line in order.lines))
    amounts = order_amounts(order, order.lines)
    for line in order.lines:
        product = (
            catalogue.by_display_item.get(line.display_item_id)
            if catalogue is not None and line.display_item_id is not None
            else None
        )
        item = (
            f"{line.display_item_id}-{line.product_size_id}"
            if line.display_item_id is not None and line.product_size_id is not None
            else None
        )
        lines.append(
            OrderLineView(
                line=_line_hash(line.id),
                item=item,
                product=product,
                product_name=line.product_name,
                variant_name=line.variant_name,
                size=line.size_name,
                sku=line.sku,
                ean=line.ean,
                quantity=line.quantity,
                unit_price=_amount(line.unit_price_minor, decimals),
                unit_before_discount=_amount(line.original_unit_price_minor, decimals),
                tax_bp=line.tax_bp,
                unit_price_without_tax=_amount(amounts.tax.lines[line.id].unit_price_without_tax_minor, decimals),
                comment=line.comment,
                subscription_plan=plans.get(line.id),
            )
        )
    language = reference.languages.get(order.language_id) if order.language_id else None
    billing = read_address(order, "billing_")
    shipping_address = read_address(order, "shipping_", SHIPPING_FIELDS)
    names = {c.code: c.name for c in reference.countries.values()}
    return OrderView(
        id=order.id,
        number=order.number,
        status=OrderStatus(order.status),
        date=order.order_date,
        currency=currency,
        language=language.code if language else None,
        payment_method=payment,
        shipping_method=shipping,
        lines=tuple(lines),
        items_total=_amount(amounts.items_total_minor, decimals),
        discount=_amount(amounts.discount_minor, decimals),
        shipping=_amount(amounts.shipping_minor, decimals),
        handling=_amount(amounts.handling_minor, decimals),
        tax=_amount(amounts.tax.tax_minor, decimals),
        grand_total=_amount(amounts.grand_total_minor, decimals),
        tax_bp=amounts.tax.main_tax_bp,
        billing=billing,
        shipping_address=shipping_address,
        email=order.email,
        comment=order.comment,
        country_names={code: names[code] for code in {billing.country, shipping_address.country} if code in names},
    )
