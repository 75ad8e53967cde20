"""The shopper's account addressed by email: the Shop API's customer use cases.

The Shop API is stateless and only a server holding the plugin's secret may
call it, so there is no session to log in: ``POST /customers/{email}/login``
checks the password (through the same ``customers.authenticate`` and the
same login ``Throttle`` as the Checkout API's login) and the webshop
remembers the answer. What the Checkout API keeps on the session, a
selection addressed by id keeps itself: logging in or registering *with a
selection* attaches the customer to it (``attach_customer_in``), so its
order is the account's and a plan line may be bought (plan lines need a
registered customer, ``subscriptions.check_plan_buyer``).

The account's orders are the ones ``storefront.account`` shows a logged-in
session (``shown_orders``): placed while logged in to it, and once the email
is verified the guest orders placed with that email; never another
customer's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import selectinload

from opencentra.address import Address, read_address, write_address
from opencentra.catalog.items import load_item
from opencentra.customers import services as customers
from opencentra.customers import subscriptions
from opencentra.customers.models import Customer
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.orders import OrderEdit, edit_order
from opencentra.orders.models import Order, Shipment
from opencentra.orders.state import FINAL, OrderStatus
from opencentra.ratelimit.throttle import LOGIN, Throttle, account_key
from opencentra.selection.models import Selection
from opencentra.storefront.account import MAX_PAGE, Newsletter, Registration, shown_to
from opencentra.storefront.payment import PaymentAnswer, PaymentInput, start_payment
from opencentra.storefront.reference import StoreReference
from opencentra.storefront.shopper import Shopper, default_location
from opencentra.storefront.state import CheckoutState, CustomerView, OrderView, build_state, order_view
from opencentra.storefront.storefront import Change, SelectionKey, Storefront, changing


@dataclass(frozen=True)
class AccountAnswer:
    """The account, and the selection it was attached to (its 32-hex id), if one was named."""

    customer: CustomerView
    selection: str | None = None


@dataclass(frozen=True)
class PlacedOrder:
    """One of the account's orders, with where it was placed (an answer shows the order's own market)."""

    order: OrderView
    selection: str
    market_id: int
    pricelist_id: int


@dataclass(frozen=True)
class AccountOrders:
    orders: tuple[PlacedOrder, ...]
    total: int
    start: int
    size: int | None
    # The account at the store's default location: the reference data every order body is written with.
    state: CheckoutState


def _customer_view(customer: Customer, state_languages: dict[int, str]) -> CustomerView:
    return CustomerView(
        id=customer.id,
        email=customer.email,
        first_name=customer.first_name,
        last_name=customer.last_name,
        gender=customer.gender,
        newsletter=customer.newsletter,
        language=state_languages.get(customer.language_id) if customer.language_id else None,
        address=read_address(customer, ""),
    )


async def _view(shop: Storefront, customer: Customer) -> CustomerView:
    reference = await shop.reference()
    return _customer_view(customer, {language.id: language.code for language in reference.languages.values()})


async def attach_customer_in(change: Change, customer: Customer) -> None:
    """Make a selection addressed by id the (registered) customer's, in the change's transaction.

    Its email and billing address are filled from the account where the
    selection has none yet; what the shopper typed is never overwritten.
    """
    selection = await change.current_selection()
    assert selection is not None  # a selection by id is open here, or not found
    change.row.customer_id = customer.id
    if not selection.email:
        selection.email = customer.email
    if read_address(selection, "billing_") == Address():
        write_address(selection, "billing_", read_address(customer, ""))


async def attach_account_in(change: Change, email: str) -> None:
    """``address.loggedIn`` on a selection by id: the caller vouches that the shopper logged in.

    The store's registered customer with this email becomes the selection's;
    an email without an account is 404 ``address.email``.
    """
    normalized = customers.normalize_email(email)
    customer = await change.session.scalar(
        select(Customer).where(
            Customer.store_id == change.row.store_id,
            Customer.email == normalized,
            Customer.registered.is_(True),
            Customer.anonymized_at.is_(None),
        )
    )
    if customer is None:
        raise NotFound("no registered customer with this email", field="address.email")
    await attach_customer_in(change, customer)


async def _attach(shop: Storefront, key: SelectionKey, customer: Customer) -> str:
    async with changing(shop, key) as change:
        await attach_customer_in(change, customer)
    return key.uuid.strip().lower()


async def log_in(
    shop: Storefront,
    throttle: Throttle,
    email: str,
    password: str,
    *,
    client_address: str | None,
    selection: SelectionKey | None = None,
) -> AccountAnswer:
    """POST /customers/{email}/login: the password checked; any failure is 406 ``password: incorrect``.

    The failures count per account always, and per client address when the
    caller names the shopper's (the Shop API's caller is one server for every
    shopper, so its own address says nothing).
    """
    account = account_key(shop.channel.store_id, email)
    async with throttle.attempt(LOGIN, address=client_address, account=account, field="password"):
        customer = await customers.authenticate(shop.db, shop.channel.store_id, email, password)
    attached = await _attach(shop, selection, customer) if selection is not None else None
    return AccountAnswer(await _view(shop, customer), attached)


async def register(
    shop: Storefront, registration: Registration, *, selection: SelectionKey | None = None
) -> AccountAnswer:
    """Register an account (an email known from guest orders becomes one, unverified; see ``account.register``)."""
    if selection is not None:
        # Refuse a selection that does not exist before the account is made, so nothing is half-done.
        async with changing(shop, selection) as change:
            await change.current_selection()
    customer = await customers.register(
        shop.db,
        shop.channel.store_id,
        registration.email,
        registration.password,
        address=registration.address,
        newsletter=registration.newsletter,
        gender=registration.gender,
    )
    attached = await _attach(shop, selection, customer) if selection is not None else None
    return AccountAnswer(await _view(shop, customer), attached)


async def _registered(db: Database, store_id: int, email: str) -> Customer:
    """The store's registered customer with this email; anyone else is "not found"."""
    try:
        normalized = customers.normalize_email(email)
    except ValidationFailed:
        raise NotFound("not found", field="customer") from None
    async with db.read() as session:
        customer = await session.scalar(
            select(Customer).where(Customer.store_id == store_id, Customer.email == normalized)
        )
    if customer is None or not customer.registered or customer.anonymized_at is not None:
        raise NotFound("not found", field="customer")
    return customer


def _account_shopper(shop: Storefront, reference_default: tuple[int, int, int | None], customer_id: int) -> Shopper:
    market_id, pricelist_id, language_id = reference_default
    return Shopper(
        token=None,
        session_id=None,
        store_id=shop.channel.store_id,
        market_id=market_id,
        pricelist_id=pricelist_id,
        language_id=language_id,
        country_id=None,
        state=None,
        selection_id=None,
        customer_id=customer_id,
        last_order_id=None,
    )


def _visible(customer: Customer, store_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        Order.customer_id == customer.id,
        Order.store_id == store_id,
        Order.status != OrderStatus.INCOMPLETE,
        shown_to(customer),
    )


async def _placed(shop: Storefront, orders: list[Order]) -> list[PlacedOrder]:
    found: list[PlacedOrder] = []
    reference = await shop.reference()
    async with shop.db.read() as session:
        uuids = dict(
            (
                await session.execute(
                    select(Selection.id, Selection.uuid).where(
                        Selection.id.in_([o.selection_id for o in orders if o.selection_id is not None])
                    )
                )
            ).all()
        )
        for order in orders:
            catalogue = await shop.cache.catalogue(session, order.store_id, order.market_id, order.pricelist_id)
            view = await order_view(session, order, reference, catalogue)
            selection = uuids.get(order.selection_id, "") if order.selection_id is not None else ""
            found.append(PlacedOrder(view, selection, order.market_id, order.pricelist_id))
    return found


async def _account_state(shop: Storefront, customer: Customer) -> CheckoutState:
    reference = await shop.reference()
    shopper = _account_shopper(shop, default_location(reference, shop.channel), customer.id)
    async with shop.db.read() as session:
        return await build_state(session, shop.db, shop.cache, shop.channel, shopper, reference)


async def customer_orders(shop: Storefront, email: str, start: int = 0, size: int | None = None) -> AccountOrders:
    """The account's orders, newest first (guest orders with its email once the email is verified)."""
    if start < 0 or (size is not None and not 0 <= size <= MAX_PAGE):
        raise ValidationFailed(f"from must be 0 or more and size 0 to {MAX_PAGE}", field="size")
    customer = await _registered(shop.db, shop.channel.store_id, email)
    visible = _visible(customer, shop.channel.store_id)
    async with shop.db.read() as session:
        total = await session.scalar(select(func.count(Order.id)).where(*visible))
        rows = (
            await session.scalars(
                select(Order)
                .where(*visible)
                .order_by(Order.order_date.desc(), Order.id.desc())
                .offset(start)
                .limit(size if size is not None else MAX_PAGE)
                .options(selectinload(Order.lines))
            )
        ).all()
    placed = await _placed(shop, list(rows))
    return AccountOrders(tuple(placed), int(total or 0), start, size, await _account_state(shop, customer))


async def set_order_shipping_address(
    shop: Storefront, email: str, order_number: int, address: Address
) -> tuple[PlacedOrder, CheckoutState]:
    """PUT /customers/{email}/orders/{order}/shipping-address: the account's own order, before it ships.

    Another customer's order (or one the account does not show) is "not
    found"; an order with a shipment, or one that is completed or
    cancelled, is a 409 ``order``. The check and the change are one
    transaction, so a shipment made meanwhile cannot slip between them.
    """
    customer = await _registered(shop.db, shop.channel.store_id, email)
    async with shop.db.atomic() as tx, tx.write() as session:
        order_id = await session.scalar(
            select(Order.id)
            .where(Order.number == order_number, *_visible(customer, shop.channel.store_id))
            .with_for_update()
        )
        if order_id is None:
            raise NotFound("not found", field="order")
        order = await session.get(Order, order_id)
        assert order is not None
        shipped = await session.scalar(select(Shipment.id).where(Shipment.order_id == order_id).limit(1))
        if shipped is not None or order.status in FINAL:
            raise Conflict("the order has shipped; its address can no longer change", field="order")
        await edit_order(tx, order_id, OrderEdit(shipping=address))
    async with shop.db.read() as session:
        fresh = await session.scalar(select(Order).where(Order.id == order_id).options(selectinload(Order.lines)))
    assert fresh is not None
    (placed,) = await _placed(shop, [fresh])
    return placed, await _account_state(shop, customer)


async def subscribe_newsletter(shop: Storefront, request: Newsletter) -> None:
    """POST /customers/{email}/newsletter-subscription; an item or product is looked up in the country's market
    (the store's default market without a country)."""
    reference = await shop.reference()
    country = reference.country_by_code(request.country) if request.country else None
    if request.country and country is None:
        raise NotFound("country not found", field="country")
    language = reference.language_by_code(request.language) if request.language else None
    if request.language and language is None:
        raise NotFound("language not found", field="language")
    display_item_id, product_size_id = request.product, None
    if request.item:
        market_id = _market(shop, reference, country.id if country is not None else None)
        async with shop.db.read() as session:
            loaded = await load_item(session, request.item, market_id)
        display_item_id, product_size_id = loaded.display_item_id, loaded.product_size_id
    await subscriptions.subscribe_newsletter(
        shop.db,
        shop.channel.store_id,
        request.email,
        country=country.code if country is not None else None,
        language=language.code if language is not None else None,
        display_item_id=display_item_id,
        product_size_id=product_size_id,
    )


def _market(shop: Storefront, reference: StoreReference, country_id: int | None) -> int:
    market_id = reference.locate(country_id)[0] if country_id is not None else None
    if market_id is None or not shop.channel.allows_market(market_id):
        market_id = default_location(reference, shop.channel)[0]
    return market_id


async def subscribe_back_in_stock(
    shop: Storefront, item: str, country: str, *, email: str, state: str | None = None, language: str | None = None
) -> None:
    """POST /back-in-stock-subscription: the item as sold in the ship-to country's market."""
    reference = await shop.reference()
    found = reference.country_by_code(country)
    if found is None:
        raise NotFound("country not found", field="shipTo.country")
    state_code = None
    if state:
        match = found.state(state.strip().upper())
        if match is None:
            raise NotFound("state not found", field="shipTo.state")
        state_code = match.code
    if language and reference.language_by_code(language) is None:
        raise NotFound("language not found", field="language")
    async with shop.db.read() as session:
        loaded = await load_item(session, item, _market(shop, reference, found.id))
    await subscriptions.subscribe_back_in_stock(
        shop.db,
        shop.channel.store_id,
        email,
        display_item_id=loaded.display_item_id,
        product_size_id=loaded.product_size_id,
        country=found.code,
        state=state_code,
        language=language,
    )


@dataclass(frozen=True)
class PaymentAccount:
    """The account part of a Shop API payment body (Centra's subscription guide, "ShopAPI").

    ``address.loggedIn: true``: the caller checked the shopper's password
    (``POST /customers/{email}/login``) and vouches for the login, so the
    registered account with the payment's email takes the selection (404
    ``address.email`` without one). ``address.register: true`` with
    ``address.password``: an account is registered with the payment's email,
    address and newsletter choice and takes the selection, as ``register``
    does. Either way the order placed is the account's, and a plan line may be
    bought (a contract needs a registered customer).
    """

    logged_in: bool = False
    register_password: str | None = None


async def start_payment_with_account(
    shop: Storefront, key: SelectionKey, request: PaymentInput, account: PaymentAccount
) -> PaymentAnswer:
    """POST /selections/{id}/payment: the account first (its own transaction), then ``payment.start_payment``.

    The account is settled before the payment is prepared, because the
    password is hashed outside any transaction. A payment that fails after it
    (terms not accepted, a refused card) leaves the account and the selection
    attached to it, which is what a retry needs: the same body again finds the
    selection already the account's and does not register twice (no 409).
    """
    if account.register_password is not None or account.logged_in:
        async with changing(shop, key) as change:
            email, attached = await _payment_email(change, request)
            if not attached and account.register_password is None:
                await attach_account_in(change, email)
        if not attached and account.register_password is not None:
            registration = Registration(
                email=email,
                password=account.register_password,
                address=request.fields.address if request.fields.address is not None else Address(),
                newsletter=bool(request.fields.newsletter),
            )
            try:
                await register(shop, registration, selection=key)
            except (Conflict, ValidationFailed) as error:
                # Named as the payment body names them.
                field = {"email": "address.email", "password": "address.password"}.get(error.field or "", error.field)
                raise type(error)(error.message, field=field) from None
    return await start_payment(shop, key, request)


async def _payment_email(change: Change, request: PaymentInput) -> tuple[str, bool]:
    """The payment's email (the body's, else the selection's), and whether the selection already belongs to
    the store's registered account with that email."""
    selection = await change.current_selection()
    assert selection is not None  # a selection by id is open here, or not found
    raw = request.fields.email or selection.email
    if not raw or not raw.strip():
        raise ValidationFailed("required", field="address.email")
    email = customers.normalize_email(raw)
    customer_id = change.row.customer_id
    customer = await change.session.get(Customer, customer_id) if customer_id is not None else None
    attached = customer is not None and customer.registered and customer.email == email
    return email, attached
