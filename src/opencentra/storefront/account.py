"""The shopper's account through the session: register, log in and out, details,
password resets, email verification, own orders, newsletter, back-in-stock and
the wishlist.

Logging in, registering and resetting a password attach the customer to the
session's token; logging out detaches it and gives the session an empty
selection (the customer's cart stays theirs for the next login, when an
anonymous cart is merged into it). Changing the password logs out every other
session of the customer; a reset logs out all of them, then logs in the one
that used the link.

Password checks and links go through a ``Throttle`` (``ratelimit.throttle``):
failures are counted per client address and per account; an address past its
limit is refused, an account past its limit only slows down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import selectinload

from opencentra.address import Address, read_address, write_address
from opencentra.catalog.items import load_item
from opencentra.customers import resets, subscriptions, verification, wishlists
from opencentra.customers import services as customers
from opencentra.customers.models import Customer
from opencentra.customers.services import CustomerChanges
from opencentra.db.base import utcnow
from opencentra.errors import NotFound, PermissionDenied, ValidationFailed
from opencentra.integers import parse_int
from opencentra.mail import Email, Mailer, password_reset_email
from opencentra.orders.models import Order
from opencentra.orders.state import OrderStatus
from opencentra.ratelimit.throttle import (
    LOGIN,
    RESET_LINK,
    RESET_MAIL,
    VERIFY_LINK,
    VERIFY_MAIL,
    Throttle,
    account_key,
)
from opencentra.selection.models import Selection, SelectionStatus
from opencentra.selection.services import add_line_in, lock_selection
from opencentra.storefront.shopper import Visitor
from opencentra.storefront.state import CheckoutState, OrderView, order_view
from opencentra.storefront.storefront import Change, Storefront, changing, current_shopper, current_state

MAX_PAGE = 100


def _denied() -> PermissionDenied:
    return PermissionDenied("denied", field="accessRight")


async def _customer(change: Change) -> Customer:
    if change.row.customer_id is None:
        raise _denied()
    customer = await change.session.get(Customer, change.row.customer_id)
    if customer is None or not customer.registered or customer.anonymized_at is not None:
        raise _denied()
    return customer


async def _attach(change: Change, customer: Customer) -> None:
    """Log the session in; an anonymous cart merges into the customer's saved one."""
    row = change.session_row
    row.customer_id = customer.id
    current = await change.current_selection()
    saved_id = await change.session.scalar(
        select(Selection.id)
        .where(
            Selection.customer_id == customer.id,
            Selection.store_id == row.store_id,
            Selection.status == SelectionStatus.OPEN,
            Selection.id != (current.id if current is not None else -1),
        )
        .order_by(Selection.updated_at.desc(), Selection.id.desc())
        .limit(1)
    )
    saved = await lock_selection(change.session, saved_id) if saved_id is not None else None
    if current is None and saved is not None:
        row.selection_id = saved.id
        row.market_id, row.pricelist_id, row.language_id = saved.market_id, saved.pricelist_id, saved.language_id
        row.country_id, row.state = saved.country_id, saved.state
        current = saved
    elif current is not None and saved is not None:
        for line in saved.lines:
            if line.display_item_id is not None:
                try:
                    await load_item(change.session, f"{line.display_item_id}-{line.product_size_id}", current.market_id)
                except NotFound:
                    continue
                await add_line_in(
                    change.session,
                    current,
                    line.display_item_id,
                    line.product_size_id,
                    line.quantity,
                    comment=line.comment,
                    subscription_plan_id=line.subscription_plan_id,
                )
        saved.status = SelectionStatus.ABANDONED
        saved.updated_at = utcnow()
    if current is not None:
        current.customer_id = customer.id
        if not current.email:
            current.email = customer.email
        if read_address(current, "billing_") == Address():
            write_address(current, "billing_", read_address(customer, ""))


# Delivers a link (password reset, email verification) to an address; the
# Checkout API's tests use it. A ``Mailer`` gets the whole email instead.
ResetMailer = Callable[[str, str], None]

VERIFY_PATH = "verify-email"
RESET_PATH = "password-reset"


def email_verification_email(to: str, link: str) -> Email:
    return Email(
        to=to,
        subject="Confirm your email address",
        text=(
            "An account was registered with this email address.\n\n"
            "To confirm that the address is yours, and to see the orders placed with it "
            f"before the account existed, open this link:\n{link}\n\n"
            "If it was not you, ignore this email: those orders stay hidden from the account.\n"
        ),
        kind="email-verification",
    )


def _link(shop: Storefront, link_uri: str | None, default_path: str, ident: int, secret: str) -> str:
    """A link to the shopper's storefront (the plugin's frontend URL), which posts ``id`` and ``i`` back."""
    base = (shop.channel.frontend_url or "").rstrip("/")
    path = (link_uri or default_path).strip("/")
    return f"{base}/{path}?id={ident}&i={secret}"


async def _deliver(mailer: ResetMailer | Mailer | None, email: Email, link: str) -> None:
    if isinstance(mailer, Mailer):
        await mailer.send(email)
    elif mailer is not None:
        mailer(email.to, link)


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    address: Address = field(default_factory=Address)
    newsletter: bool = False
    gender: str | None = None
    # Where the storefront shows the verification link (default ``verify-email``).
    verification_link_uri: str | None = None


async def register(
    shop: Storefront, visitor: Visitor, registration: Registration, mailer: ResetMailer | Mailer | None = None
) -> CheckoutState:
    """POST /register: a new account (or a guest's email becoming one), logged in.

    The account starts unverified: an email known from guest orders gets a
    verification link, and until it is used the account shows only orders
    placed while logged in to it (``customers.verification``).
    """
    if visitor.stateless:
        raise ValidationFailed("registering needs a session; do not send 'API-Token: none'", field="token")
    customer = await customers.register(
        shop.db,
        shop.channel.store_id,
        registration.email,
        registration.password,
        address=registration.address,
        newsletter=registration.newsletter,
        gender=registration.gender,
    )
    async with changing(shop, visitor) as change:
        await _attach(change, customer)
        waiting = await _awaits_verification(change, customer)
    issued = await verification.issue_verification(shop.db, customer.id) if waiting else None
    if issued is not None:
        link = _link(shop, registration.verification_link_uri, VERIFY_PATH, issued.verification_id, issued.secret)
        await _deliver(mailer, email_verification_email(issued.email, link), link)
    return await change.after()


async def login(shop: Storefront, visitor: Visitor, throttle: Throttle, email: str, password: str) -> CheckoutState:
    """POST /login/{email}: any failure is 406 ``password: incorrect``."""
    if visitor.stateless:
        raise ValidationFailed("logging in needs a session; do not send 'API-Token: none'", field="token")
    account = account_key(shop.channel.store_id, email)
    async with throttle.attempt(LOGIN, address=visitor.client_address, account=account):
        customer = await customers.authenticate(shop.db, shop.channel.store_id, email, password)
    async with changing(shop, visitor) as change:
        await _attach(change, customer)
    return await change.after()


async def logout(shop: Storefront, visitor: Visitor) -> CheckoutState:
    async with changing(shop, visitor) as change:
        change.session_row.customer_id = None
        change.session_row.selection_id = None
    return await change.after()


async def account_state(shop: Storefront, visitor: Visitor) -> CheckoutState:
    """GET /customer: only for a logged-in session."""
    async with changing(shop, visitor) as change:
        await _customer(change)
    return await change.after()


@dataclass(frozen=True)
class CustomerUpdate:
    first_name: str | None = None
    last_name: str | None = None
    gender: str | None = None
    newsletter: bool | None = None
    language: str | None = None
    address: Address | None = None


async def update_customer(shop: Storefront, visitor: Visitor, update: CustomerUpdate) -> CheckoutState:
    async with changing(shop, visitor) as change:
        customer = await _customer(change)
        language_id = None
        if update.language is not None:
            found = change.reference.language_by_code(update.language)
            if found is None:
                raise NotFound("language not found", field="language")
            language_id = found.id
    await customers.update_details(
        shop.db,
        customer.id,
        CustomerChanges(
            first_name=update.first_name,
            last_name=update.last_name,
            gender=update.gender,
            newsletter=update.newsletter,
            language_id=language_id,
        ),
    )
    if update.address is not None:
        await customers.update_address(shop.db, customer.id, update.address)
    return await _state_after(shop, visitor)


async def _state_after(shop: Storefront, visitor: Visitor) -> CheckoutState:
    return await current_state(shop, visitor)


async def _logged_in_id(shop: Storefront, visitor: Visitor) -> int:
    return (await _logged_in(shop, visitor))[0].id


async def _logged_in(shop: Storefront, visitor: Visitor) -> tuple[Customer, int]:
    """The session's customer and the session's own id."""
    async with changing(shop, visitor) as change:
        return await _customer(change), change.session_row.id


async def update_address(shop: Storefront, visitor: Visitor, address: Address) -> CheckoutState:
    await customers.update_address(shop.db, await _logged_in_id(shop, visitor), address)
    return await _state_after(shop, visitor)


async def change_email(shop: Storefront, visitor: Visitor, new_email: str) -> CheckoutState:
    await customers.change_email(shop.db, await _logged_in_id(shop, visitor), new_email)
    return await _state_after(shop, visitor)


async def change_password(
    shop: Storefront, visitor: Visitor, throttle: Throttle, password: str, new_password: str
) -> CheckoutState:
    """PUT /password: checked like a login; every other session of the customer is logged out, this one stays."""
    customer, session_id = await _logged_in(shop, visitor)
    account = account_key(shop.channel.store_id, customer.email)
    async with throttle.attempt(LOGIN, address=visitor.client_address, account=account, field="password"):
        await customers.change_password(shop.db, customer.id, password, new_password, keep_session_id=session_id)
    return await _state_after(shop, visitor)


async def request_password_reset(
    shop: Storefront,
    visitor: Visitor,
    throttle: Throttle,
    email: str,
    link_uri: str | None,
    mailer: ResetMailer | Mailer | None,
) -> CheckoutState:
    """POST /password-reset-email/{email}: the answer is the same whether or not the email is known.

    Past the account's few mails per window nothing more is sent (the links
    already sent went to the same inbox), so nobody can flood it.
    """
    account = account_key(shop.channel.store_id, email)
    if await throttle.request(RESET_MAIL, address=visitor.client_address, account=account):
        issued = await resets.request_password_reset(shop.db, shop.channel.store_id, email)
        if issued is not None:
            link = _link(shop, link_uri, RESET_PATH, issued.reset_id, issued.secret)
            await _deliver(mailer, password_reset_email(issued.email, link), link)
    return await current_state(shop, visitor)


async def reset_password(
    shop: Storefront, visitor: Visitor, throttle: Throttle, reset_id: str, secret: str, new_password: str
) -> CheckoutState:
    """POST /password-reset: sets the password, logs out every session of the customer, then logs this one in."""
    async with throttle.attempt(RESET_LINK, address=visitor.client_address, field="i"):
        customer = await resets.reset_password(shop.db, shop.channel.store_id, reset_id, secret, new_password)
    async with changing(shop, visitor) as change:
        await _attach(change, customer)
    return await change.after()


async def request_email_verification(
    shop: Storefront,
    visitor: Visitor,
    throttle: Throttle,
    link_uri: str | None,
    mailer: ResetMailer | Mailer | None,
) -> CheckoutState:
    """POST /email-verification-email: mail the logged-in customer a new link, unless the email is verified."""
    customer, _session_id = await _logged_in(shop, visitor)
    account = account_key(shop.channel.store_id, customer.email)
    if await throttle.request(VERIFY_MAIL, address=visitor.client_address, account=account):
        issued = await verification.issue_verification(shop.db, customer.id)
        if issued is not None:
            link = _link(shop, link_uri, VERIFY_PATH, issued.verification_id, issued.secret)
            await _deliver(mailer, email_verification_email(issued.email, link), link)
    return await _state_after(shop, visitor)


async def verify_email(
    shop: Storefront, visitor: Visitor, throttle: Throttle, verification_id: str, secret: str
) -> CheckoutState:
    """POST /email-verification: the link's ``id`` and ``i``, in a session logged in to the account.

    The link proves the mailbox and the login the password; the link alone
    neither logs in nor verifies (``customers.verification``).
    """
    customer, _session_id = await _logged_in(shop, visitor)
    async with throttle.attempt(VERIFY_LINK, address=visitor.client_address, field="i"):
        await verification.verify_email(shop.db, shop.channel.store_id, customer.id, verification_id, secret)
    return await _state_after(shop, visitor)


def shown_to(customer: Customer) -> ColumnElement[bool]:
    """Which of the customer's orders the account shows (with ``Order.customer_id == customer.id``).

    Those placed while logged in to the account (their selection was the
    account's) and, once the email is verified, the guest orders placed with
    that email. Registering a guest's email shows none of the guest's orders
    until the email is proven (``customers.verification``); and as changing
    the email unverifies it, proving a new address never shows orders placed
    with the old one.
    """
    if customer.email_verified_at is None:
        return _placed_logged_in(customer)
    return or_(_placed_logged_in(customer), _placed_with_email(customer))


def _placed_logged_in(customer: Customer) -> ColumnElement[bool]:
    return exists().where(Selection.id == Order.selection_id, Selection.customer_id == customer.id)


def _placed_with_email(customer: Customer) -> ColumnElement[bool]:
    return func.lower(func.trim(Order.email)) == customer.email


async def _awaits_verification(change: Change, customer: Customer) -> bool:
    """Whether verifying the email would show orders the account does not show now."""
    if customer.email_verified_at is not None:
        return False
    waiting = select(Order.id).where(
        Order.customer_id == customer.id, ~_placed_logged_in(customer), _placed_with_email(customer)
    )
    return await change.session.scalar(waiting.limit(1)) is not None


@dataclass(frozen=True)
class OrdersPage:
    orders: tuple[OrderView, ...]
    total: int
    start: int
    size: int | None
    state: CheckoutState


async def customer_orders(shop: Storefront, visitor: Visitor, start: int = 0, size: int | None = None) -> OrdersPage:
    """POST /orders: the logged-in customer's orders, newest first (guest orders once the email is verified)."""
    if start < 0 or (size is not None and not 0 <= size <= MAX_PAGE):
        raise ValidationFailed(f"from must be 0 or more and size 0 to {MAX_PAGE}", field="size")
    async with changing(shop, visitor) as change:
        customer = await _customer(change)
        visible = (
            Order.customer_id == customer.id,
            Order.store_id == shop.channel.store_id,
            Order.status != OrderStatus.INCOMPLETE,
            shown_to(customer),
        )
        total = await change.session.scalar(select(func.count(Order.id)).where(*visible))
        query = (
            select(Order)
            .where(*visible)
            .order_by(Order.order_date.desc(), Order.id.desc())
            .offset(start)
            .options(selectinload(Order.lines))
        )
        query = query.limit(size if size is not None else MAX_PAGE)
        views = []
        for order in (await change.session.scalars(query)).all():
            catalogue = await shop.cache.catalogue(change.session, order.store_id, order.market_id, order.pricelist_id)
            views.append(await order_view(change.session, order, change.reference, catalogue))
    return OrdersPage(tuple(views), int(total or 0), start, size, await change.after())


@dataclass(frozen=True)
class Newsletter:
    email: str
    country: str | None = None
    language: str | None = None
    product: int | None = None
    item: str | None = None


async def subscribe_newsletter(shop: Storefront, visitor: Visitor, request: Newsletter) -> bool:
    reference = await shop.reference()
    country = None
    if request.country:
        found = reference.country_by_code(request.country)
        if found is None:
            raise NotFound("country not found", field="country")
        country = found.code
    language = None
    if request.language:
        found_language = reference.language_by_code(request.language)
        if found_language is None:
            raise NotFound("language not found", field="language")
        language = found_language.code
    display_item_id = product_size_id = None
    if request.item or request.product is not None:
        shopper, _reference = await current_shopper(shop, visitor)
        async with shop.db.read() as session:
            if request.item:
                loaded = await load_item(session, request.item, shopper.market_id)
                display_item_id, product_size_id = loaded.display_item_id, loaded.product_size_id
            elif request.product is not None:
                display_item_id = request.product
    await subscriptions.subscribe_newsletter(
        shop.db,
        shop.channel.store_id,
        request.email,
        country=country,
        language=language,
        display_item_id=display_item_id,
        product_size_id=product_size_id,
    )
    return True


async def subscribe_back_in_stock(
    shop: Storefront,
    visitor: Visitor,
    item: str,
    country: str,
    *,
    state: str | None = None,
    email: str | None = None,
    language: str | None = None,
) -> CheckoutState:
    """POST /back-in-stock-subscription: the email may be left out when logged in."""
    async with changing(shop, visitor) as change:
        assert change.row.market_id is not None
        loaded = await load_item(change.session, item, change.row.market_id)
        found = change.reference.country_by_code(country)
        if found is None:
            raise NotFound("country not found", field="shipTo.country")
        if email is None:
            email = (await _customer(change)).email if change.row.customer_id else None
        if not email:
            raise ValidationFailed("required", field="email")
        state_code = None
        if state:
            match = found.state(state.strip().upper())
            if match is None:
                raise NotFound("state not found", field="shipTo.state")
            state_code = match.code
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
    return await _state_after(shop, visitor)


@dataclass(frozen=True)
class WishlistView:
    entries: tuple[wishlists.WishlistEntry, ...]
    total: int
    state: CheckoutState


def _check_wishlist(wishlist_id: str) -> None:
    if wishlist_id != "0":
        raise NotFound("not found", field="wishlist")


async def wishlist(shop: Storefront, visitor: Visitor, wishlist_id: str, page: int, limit: int) -> WishlistView:
    _check_wishlist(wishlist_id)
    customer_id = await _logged_in_id(shop, visitor)
    found = await wishlists.wishlist(shop.db, customer_id, page=page, limit=limit)
    return WishlistView(found.entries, found.total, await _state_after(shop, visitor))


async def change_wishlist(
    shop: Storefront, visitor: Visitor, wishlist_id: str, display_item: str, *, add: bool
) -> WishlistView:
    if wishlist_id != "0":
        raise NotFound(f"Could not find a wishlist with id {wishlist_id[:20]}", field="wishlist")
    shopper, _reference = await current_shopper(shop, visitor)
    if shopper.customer_id is None:
        raise _denied()
    display_item_id = parse_int(display_item)
    if display_item_id is None:
        raise NotFound("display item not found", field="displayItem")
    catalogue = await shop.cache.catalogue(shop.db, shop.channel.store_id, shopper.market_id, shopper.pricelist_id)
    if add and display_item_id not in catalogue.by_display_item:
        raise NotFound("display item not found", field="displayItem")
    customer_id = await _logged_in_id(shop, visitor)
    if add:
        await wishlists.add_to_wishlist(shop.db, customer_id, shop.channel.store_id, display_item_id)
    else:
        await wishlists.remove_from_wishlist(shop.db, customer_id, shop.channel.store_id, display_item_id)
    return await wishlist(shop, visitor, "0", 1, 100)
