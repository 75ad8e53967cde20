"""Customer use cases: register, sign in, passwords, details, guests, anonymization.

Password hashing costs ~180 ms of CPU, so it runs in a worker thread with at
most two at a time (``opencentra.passwords``), and always *before* the write
transaction opens: a SQLite write lock is never held while hashing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Executable

from opencentra.address import ADDRESS_FIELDS, SHIPPING_FIELDS, Address, read_address, write_address
from opencentra.customers.models import (
    BackInStockSubscription,
    Customer,
    CustomerConsent,
    EmailVerification,
    NewsletterSubscription,
    PasswordReset,
    WishlistItem,
)
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.passwords import hash_password, needs_rehash, verify_password
from opencentra.selection.models import Selection, ShopperSession
from opencentra.stores.models import Country

# Centra accepts customer passwords of 4 to 128 characters.
MIN_PASSWORD = 4
MAX_PASSWORD = 128
MAX_EMAIL = 254
OBJECT_TYPE = "customer"


@dataclass(frozen=True, slots=True)
class CustomerChanges:
    """Fields to change on a customer; ``None`` leaves a field as it is."""

    first_name: str | None = None
    last_name: str | None = None
    gender: str | None = None
    newsletter: bool | None = None
    language_id: int | None = None


def normalize_email(raw: str) -> str:
    """Customers are keyed by email, compared without case or surrounding space."""
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if (
        not at
        or not local
        or "." not in domain
        or "@" in domain
        or len(email) > MAX_EMAIL
        or any(c.isspace() for c in email)
    ):
        raise ValidationFailed("not a valid email address", field="email")
    return email


def check_password_rule(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValidationFailed(
            f"the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long", field="password"
        )


def _incorrect() -> ValidationFailed:
    return ValidationFailed("incorrect", field="password")


async def _clean_address(session: AsyncSession, address: Address) -> Address:
    if address.country is None:
        return address
    code = address.country.strip().upper()
    if not await session.scalar(select(Country.id).where(Country.code == code)):
        raise ValidationFailed(f"unknown country {address.country!r}", field="country")
    return Address(**{**{n: getattr(address, n) for n in ADDRESS_FIELDS}, "country": code})


async def _load(session: AsyncSession, customer_id: int, *, lock: bool = False) -> Customer:
    query = select(Customer).where(Customer.id == customer_id)
    if lock:
        query = query.with_for_update()
    customer = await session.scalar(query)
    if customer is None or customer.anonymized_at is not None:
        raise NotFound("the customer was not found", field="customer")
    return customer


async def _changed(session: AsyncSession, customer: Customer, fields: list[str]) -> None:
    await session.flush()
    await record(session, OBJECT_TYPE, customer.id, "updated", {"changed": sorted(fields)}, store_id=customer.store_id)


async def get_customer(db: Database, customer_id: int) -> Customer:
    async with db.read() as session:
        return await _load(session, customer_id)


async def find_customer(db: Database, store_id: int, email: str) -> Customer | None:
    """The customer with this email in the store, registered or not."""
    try:
        normalized = normalize_email(email)
    except ValidationFailed:
        return None
    async with db.read() as session:
        return await session.scalar(select(Customer).where(Customer.store_id == store_id, Customer.email == normalized))


async def register(
    db: Database,
    store_id: int,
    email: str,
    password: str,
    *,
    address: Address | None = None,
    newsletter: bool = False,
    gender: str | None = None,
) -> Customer:
    """Register a customer who can sign in.

    An email known only from guest orders is upgraded in place, so those
    orders stay the customer's; but registering proves nothing about the
    email, so the account starts unverified and with the registration's
    details only (the guest's name and address stay on their orders; see
    ``customers.verification``). An email that is already registered is a
    ``Conflict`` on ``email``.
    """
    normalized = normalize_email(email)
    check_password_rule(password)
    password_hash = await hash_password(password)
    async with db.write() as session:
        clean = await _clean_address(session, address or Address())
        customer = await session.scalar(
            select(Customer).where(Customer.store_id == store_id, Customer.email == normalized).with_for_update()
        )
        created = customer is None
        if customer is None:
            customer = Customer(store_id=store_id, email=normalized)
            session.add(customer)
        elif customer.registered:
            raise Conflict("already registered", field="email")
        customer.password_hash = password_hash
        customer.registered = True
        customer.email_verified_at = None
        customer.newsletter = newsletter
        customer.gender = gender
        write_address(customer, "", clean)
        try:
            await session.flush()
        except IntegrityError:
            # Another registration of the same email committed first.
            raise Conflict("already registered", field="email") from None
        action = "created" if created else "updated"
        await record(session, OBJECT_TYPE, customer.id, action, {"registered": True}, store_id=store_id)
        return customer


async def authenticate(db: Database, store_id: int, email: str, password: str) -> Customer:
    """The registered customer with this email and password.

    Any failure (unknown or guest email, wrong password) is the same
    ``ValidationFailed(field="password")`` after the same hashing work, so a
    caller cannot tell which emails exist.
    """
    try:
        normalized: str | None = normalize_email(email)
    except ValidationFailed:
        normalized = None
    customer = None
    if normalized is not None:
        async with db.read() as session:
            customer = await session.scalar(
                select(Customer).where(Customer.store_id == store_id, Customer.email == normalized)
            )
    stored = customer.password_hash if customer is not None and customer.registered else None
    if len(password) > MAX_PASSWORD:
        stored = None
    if not await verify_password(stored, password) or customer is None or stored is None:
        raise _incorrect()
    if needs_rehash(stored):
        upgraded = await hash_password(password)
        async with db.write() as session:
            # Only if nobody changed the password meanwhile.
            await session.execute(
                update(Customer)
                .where(Customer.id == customer.id, Customer.password_hash == stored)
                .values(password_hash=upgraded)
            )
        customer.password_hash = upgraded
    return customer


async def log_out_everywhere_in(session: AsyncSession, customer_id: int, *, keep_session_id: int | None = None) -> None:
    """Log out every shopper session of the customer but ``keep_session_id``, in the caller's transaction.

    As a logout does, each session loses the customer and its selection (the
    cart stays the customer's for the next login), and also the receipt of
    its last order. The tokens keep working, as anonymous sessions.
    """
    query = update(ShopperSession).where(ShopperSession.customer_id == customer_id)
    if keep_session_id is not None:
        query = query.where(ShopperSession.id != keep_session_id)
    await session.execute(query.values(customer_id=None, selection_id=None, last_order_id=None))


async def _replace_password(
    db: Database, customer_id: int, expected_hash: str | None, new_hash: str, *, keep_session_id: int | None
) -> Customer:
    async with db.write() as session:
        customer = await _load(session, customer_id, lock=True)
        if not customer.registered:
            raise Conflict("the customer is not registered", field="customer")
        if expected_hash is not None and customer.password_hash != expected_hash:
            raise Conflict("the password was changed meanwhile; try again", field="password")
        customer.password_hash = new_hash
        await log_out_everywhere_in(session, customer.id, keep_session_id=keep_session_id)
        await _changed(session, customer, ["password"])
        return customer


async def change_password(
    db: Database, customer_id: int, password: str, new_password: str, *, keep_session_id: int | None = None
) -> Customer:
    """Change a signed-in customer's password; the current one must match.

    Every shopper session of the customer is logged out, except
    ``keep_session_id`` (the session that made the change).
    """
    check_password_rule(new_password)
    customer = await get_customer(db, customer_id)
    stored = customer.password_hash if customer.registered else None
    if len(password) > MAX_PASSWORD:
        stored = None
    if not await verify_password(stored, password) or stored is None:
        raise _incorrect()
    new_hash = await hash_password(new_password)
    return await _replace_password(db, customer_id, stored, new_hash, keep_session_id=keep_session_id)


async def set_password(db: Database, customer_id: int, new_password: str) -> Customer:
    """Set a new password without the old one; every shopper session of the customer is logged out."""
    check_password_rule(new_password)
    return await _replace_password(db, customer_id, None, await hash_password(new_password), keep_session_id=None)


async def update_details(db: Database, customer_id: int, changes: CustomerChanges) -> Customer:
    async with db.write() as session:
        customer = await _load(session, customer_id, lock=True)
        changed = []
        for name in ("first_name", "last_name", "gender", "newsletter", "language_id"):
            value = getattr(changes, name)
            if value is not None and getattr(customer, name) != value:
                setattr(customer, name, value)
                changed.append(name)
        if changed:
            await _changed(session, customer, changed)
        return customer


async def update_address(db: Database, customer_id: int, address: Address) -> Customer:
    """Change the fields of the customer's one address that ``address`` gives."""
    async with db.write() as session:
        customer = await _load(session, customer_id, lock=True)
        current = read_address(customer, "")
        merged = current.merged(await _clean_address(session, address))
        changed = [n for n in ADDRESS_FIELDS if getattr(current, n) != getattr(merged, n)]
        if changed:
            write_address(customer, "", merged)
            await _changed(session, customer, changed)
        return customer


async def _forget_links_in(session: AsyncSession, customer_id: int) -> None:
    """Pending reset and verification links were sent to the old address: they stop working."""
    now = utcnow()
    for model in (PasswordReset, EmailVerification):
        await session.execute(
            update(model).where(model.customer_id == customer_id, model.used_at.is_(None)).values(used_at=now)
        )


async def change_email(db: Database, customer_id: int, new_email: str) -> Customer:
    """Change the email; the new one is not verified, and links sent to the old one stop working."""
    normalized = normalize_email(new_email)
    async with db.write() as session:
        customer = await _load(session, customer_id, lock=True)
        if customer.email == normalized:
            return customer
        taken = await session.scalar(
            select(Customer.id).where(Customer.store_id == customer.store_id, Customer.email == normalized)
        )
        if taken is not None:
            raise Conflict("already registered", field="email")
        customer.email = normalized
        customer.email_verified_at = None
        await _forget_links_in(session, customer.id)
        try:
            await _changed(session, customer, ["email"])
        except IntegrityError:
            raise Conflict("already registered", field="email") from None
        return customer


async def ensure_guest_customer(
    session: AsyncSession, store_id: int, email: str, *, address: Address | None = None, newsletter: bool = False
) -> Customer:
    """The customer for a guest checkout, in the caller's transaction.

    Returns the store's customer with this email (registered or not) or
    creates a non-registered one. Safe when two checkouts of a new email race:
    the insert does nothing if the row appeared meanwhile.
    """
    normalized = normalize_email(email)
    clean = await _clean_address(session, address or Address())
    values = {"store_id": store_id, "email": normalized, "registered": False, "newsletter": newsletter}
    values.update({name: getattr(clean, name) for name in ADDRESS_FIELDS})
    now = utcnow()
    values.update(created_at=now, updated_at=now)
    statement: Executable
    conflict = ["store_id", "email"]
    if session.get_bind().dialect.name == "sqlite":
        statement = (
            sqlite_insert(Customer)
            .values(values)
            .on_conflict_do_nothing(index_elements=conflict)
            .returning(Customer.id)
        )
    else:
        statement = (
            pg_insert(Customer).values(values).on_conflict_do_nothing(index_elements=conflict).returning(Customer.id)
        )
    created_id = (await session.execute(statement)).scalar()
    customer = await session.scalar(
        select(Customer)
        .where(Customer.store_id == store_id, Customer.email == normalized)
        .execution_options(populate_existing=True)
    )
    if customer is None:  # pragma: no cover - the row was just inserted or already there
        raise NotFound("the customer was not found", field="customer")
    if created_id is not None:
        await record(session, OBJECT_TYPE, customer.id, "created", {"registered": False}, store_id=store_id)
    return customer


# The personal columns of the address copies selections and orders keep; the country stays, for tax records.
PERSONAL_ADDRESS_COLUMNS = tuple(
    [f"billing_{name}" for name in ADDRESS_FIELDS if name != "country"]
    + [f"shipping_{name}" for name in SHIPPING_FIELDS if name != "country"]
)


async def _erase_preferences(session: AsyncSession, customer: Customer) -> None:
    """Drop sign-ups and answers tied to the customer: they hold the email or say what the person wanted."""
    for model in (NewsletterSubscription, BackInStockSubscription):
        await session.execute(
            delete(model).where(
                model.store_id == customer.store_id,
                or_(model.customer_id == customer.id, model.email == customer.email),
            )
        )
    for owned in (CustomerConsent, WishlistItem):
        await session.execute(delete(owned).where(owned.customer_id == customer.id))


async def anonymize_in(session: AsyncSession, customer_id: int) -> Customer:
    """Erase the customer's personal data (GDPR) in the caller's transaction; irreversible.

    The customer row stays but loses names, contact details and addresses
    (the country stays, for tax records); so do the customer's selections,
    and every shopper session is logged out. The customer's orders are erased
    by ``orders.anonymize_customer``, the whole use case, which calls this.
    """
    customer = await session.scalar(select(Customer).where(Customer.id == customer_id).with_for_update())
    if customer is None:
        raise NotFound("the customer was not found", field="customer")
    if customer.anonymized_at is not None:
        raise Conflict("the personal data was already anonymized", field="customer")
    await _erase_preferences(session, customer)
    customer.email = f"anonymized-{customer.id}@anonymized.invalid"
    customer.password_hash = None
    customer.registered = False
    customer.email_verified_at = None
    customer.newsletter = False
    customer.gender = None
    customer.anonymized_at = utcnow()
    write_address(customer, "", Address(country=customer.country))

    personal: dict[str, object] = dict.fromkeys(PERSONAL_ADDRESS_COLUMNS)
    selections = (await session.scalars(select(Selection).where(Selection.customer_id == customer.id))).all()
    for selection in selections:
        for name, value in personal.items():
            setattr(selection, name, value)
        selection.email = None
    await log_out_everywhere_in(session, customer.id)
    await session.flush()
    await record(session, OBJECT_TYPE, customer.id, "updated", {"anonymized": True}, store_id=customer.store_id)
    return customer
