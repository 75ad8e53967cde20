"""Use cases for wholesale terms and sales representatives, and for the terms an account uses.

Each create/update is one transaction that writes one outbox event; the
event types are Centra's SOAP event sections (``paymentterm``,
``shippingterm``, ``salesrep``). Inputs are checked before anything is
written, so a refused call changes nothing. A field left ``None`` in an
update keeps its value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.db.listing import SortKey, Window, keyed, of_row, ordered, windowed
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.outbox import record
from opencentra.wholesale.models import Account, Buyer
from opencentra.wholesale.terms_models import PaymentTerms, SalesRepresentative, ShippingTerms

MAX_DUE_DAYS = 3650

# The outbox object types, as Centra's events_Get names the sections.
PAYMENT_TERMS_EVENT = "paymentterm"
SHIPPING_TERMS_EVENT = "shippingterm"
SALES_REPRESENTATIVE_EVENT = "salesrep"

Terms = PaymentTerms | ShippingTerms
TermsRow = TypeVar("TermsRow", PaymentTerms, ShippingTerms)


def _name(value: str) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > 255:
        raise ValidationFailed("a name is 1-255 characters", field="name")
    return cleaned


def _description(value: str) -> str:
    if len(value) > 1000:
        raise ValidationFailed("a description is at most 1000 characters", field="description")
    return value


def _due_days(value: int) -> int:
    if isinstance(value, bool) or not 0 <= value <= MAX_DUE_DAYS:
        raise ValidationFailed(f"dueDays is 0-{MAX_DUE_DAYS}", field="dueDays")
    return value


@dataclass(frozen=True, slots=True)
class TermsInput:
    """Create: ``name`` is required. Update: only what is given changes."""

    name: str | None = None
    description: str | None = None
    due_days: int | None = None


def _apply_terms(row: Terms, given: TermsInput) -> None:
    if given.name is not None:
        row.name = _name(given.name)
    if given.description is not None:
        row.description = _description(given.description)
    if given.due_days is not None:
        row.due_days = _due_days(given.due_days)


def _kind(model: type[Terms]) -> tuple[str, str]:
    """(event object type, name used in messages)."""
    if model is PaymentTerms:
        return PAYMENT_TERMS_EVENT, "PaymentTerms"
    return SHIPPING_TERMS_EVENT, "ShippingTerms"


@dataclass(frozen=True, slots=True)
class WholesaleTermsView:
    """Payment terms or shipping terms, as stored."""

    id: int
    name: str
    description: str
    due_days: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SalesRepresentativeView:
    id: int
    name: str
    email: str | None
    # Basis points: 12.5 % is 1250.
    commission_bp: int
    created_at: datetime
    updated_at: datetime


def terms_view(row: Terms) -> WholesaleTermsView:
    return of_row(WholesaleTermsView, row)


def sales_representative_view(row: SalesRepresentative) -> SalesRepresentativeView:
    return of_row(SalesRepresentativeView, row)


async def create_terms(db: Database, model: type[TermsRow], given: TermsInput) -> TermsRow:
    if given.name is None:
        raise ValidationFailed("terms need a name", field="name")
    row = model(name=_name(given.name), description="", due_days=0)
    _apply_terms(row, given)
    event, _ = _kind(model)
    async with db.write() as session:
        session.add(row)
        await session.flush()
        await record(session, event, row.id, "created", {"name": row.name, "due_days": row.due_days})
        return row


async def update_terms(db: Database, model: type[TermsRow], terms_id: int, given: TermsInput) -> TermsRow:
    event, label = _kind(model)
    async with db.write() as session:
        row = await session.get(model, terms_id, with_for_update=True)
        if row is None:
            raise NotFound(f"Could not find {label} with ID {terms_id}", field="id")
        _apply_terms(row, given)
        row.updated_at = utcnow()
        await session.flush()
        await record(session, event, row.id, "updated", {"name": row.name, "due_days": row.due_days})
        return row


async def create_payment_terms(db: Database, given: TermsInput) -> WholesaleTermsView:
    return terms_view(await create_terms(db, PaymentTerms, given))


async def update_payment_terms(db: Database, terms_id: int, given: TermsInput) -> WholesaleTermsView:
    return terms_view(await update_terms(db, PaymentTerms, terms_id, given))


async def create_shipping_terms(db: Database, given: TermsInput) -> WholesaleTermsView:
    return terms_view(await create_terms(db, ShippingTerms, given))


async def update_shipping_terms(db: Database, terms_id: int, given: TermsInput) -> WholesaleTermsView:
    return terms_view(await update_terms(db, ShippingTerms, terms_id, given))


@dataclass(frozen=True, slots=True)
class SalesRepresentativeInput:
    name: str | None = None
    email: str | None = None
    commission_percent: Decimal | None = None


def commission_bp(percent: Decimal) -> int:
    points = percent * 100
    if points != points.to_integral_value() or not 0 <= points <= 10_000:
        raise ValidationFailed("a commission is 0-100 percent with at most two decimals", field="commissionPercent")
    return int(points)


def _apply_representative(row: SalesRepresentative, given: SalesRepresentativeInput) -> None:
    if given.name is not None:
        row.name = _name(given.name)
    if given.email is not None:
        email = given.email.strip()
        if email and ("@" not in email or len(email) > 254):
            raise ValidationFailed("not an email address", field="email")
        row.email = email or None
    if given.commission_percent is not None:
        row.commission_bp = commission_bp(given.commission_percent)


async def create_sales_representative(db: Database, given: SalesRepresentativeInput) -> SalesRepresentativeView:
    if given.name is None:
        raise ValidationFailed("a sales representative needs a name", field="name")
    row = SalesRepresentative(name=_name(given.name), commission_bp=0)
    _apply_representative(row, given)
    async with db.write() as session:
        session.add(row)
        await session.flush()
        await record(session, SALES_REPRESENTATIVE_EVENT, row.id, "created", {"name": row.name})
        return sales_representative_view(row)


async def update_sales_representative(
    db: Database, representative_id: int, given: SalesRepresentativeInput
) -> SalesRepresentativeView:
    async with db.write() as session:
        row = await session.get(SalesRepresentative, representative_id, with_for_update=True)
        if row is None:
            raise NotFound(f"Could not find SalesRepresentative with ID {representative_id}", field="id")
        _apply_representative(row, given)
        row.updated_at = utcnow()
        await session.flush()
        await record(session, SALES_REPRESENTATIVE_EVENT, row.id, "updated", {"name": row.name})
        return sales_representative_view(row)


# --- an account's terms ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CarrierInput:
    name: str | None = None
    service: str | None = None
    account: str | None = None
    tax_id: str | None = None


@dataclass(frozen=True, slots=True)
class AccountTermsInput:
    """What an account uses; ``0`` unsets a link (Centra's SOAP uses 0 for "none"), None keeps it."""

    payment_terms_id: int | None = None
    shipping_terms_id: int | None = None
    sales_representative_id: int | None = None
    carrier: CarrierInput | None = None

    @property
    def empty(self) -> bool:
        return (
            self.payment_terms_id is None
            and self.shipping_terms_id is None
            and self.sales_representative_id is None
            and self.carrier is None
        )


def _carrier_text(value: str, limit: int, field: str) -> str | None:
    cleaned = value.strip()
    if len(cleaned) > limit:
        raise ValidationFailed(f"at most {limit} characters", field=f"carrierInformation.{field}")
    return cleaned or None


async def apply_account_terms_in(session: AsyncSession, account: Account, given: AccountTermsInput) -> None:
    """Point the account at the given terms; raises before changing anything if one is unknown."""
    links: list[tuple[str, type[PaymentTerms | ShippingTerms | SalesRepresentative], int | None, str, str]] = [
        ("payment_terms_id", PaymentTerms, given.payment_terms_id, "paymentTerms", "PaymentTerms"),
        ("shipping_terms_id", ShippingTerms, given.shipping_terms_id, "shippingTerms", "ShippingTerms"),
        (
            "sales_representative_id",
            SalesRepresentative,
            given.sales_representative_id,
            "salesRepresentative",
            "SalesRepresentative",
        ),
    ]
    values: dict[str, int | None] = {}
    for column, model, wanted, field, label in links:
        if wanted is None:
            continue
        if wanted == 0:
            values[column] = None
            continue
        if await session.get(model, wanted) is None:
            raise NotFound(f"Could not find {label} with ID {wanted}", field=field)
        values[column] = wanted
    carrier: dict[str, str | None] = {}
    if given.carrier is not None:
        for column, value, limit, field in (
            ("carrier_name", given.carrier.name, 255, "carrierName"),
            ("carrier_service", given.carrier.service, 255, "serviceName"),
            ("carrier_account", given.carrier.account, 255, "accountIdentifier"),
            ("carrier_tax_id", given.carrier.tax_id, 64, "taxId"),
        ):
            if value is not None:
                carrier[column] = _carrier_text(value, limit, field)
    for column, link in values.items():
        setattr(account, column, link)
    for column, text in carrier.items():
        setattr(account, column, text)


async def set_account_terms(db: Database, account_id: int, given: AccountTermsInput) -> Account:
    async with db.write() as session:
        account = await session.get(Account, account_id, with_for_update=True)
        if account is None:
            raise NotFound(f"Could not find Account with ID {account_id}", field="id")
        await apply_account_terms_in(session, account, given)
        account.updated_at = utcnow()
        await session.flush()
        await record(
            session,
            "account",
            account.id,
            "updated",
            {
                "name": account.name,
                "payment_terms_id": account.payment_terms_id,
                "shipping_terms_id": account.shipping_terms_id,
                "sales_representative_id": account.sales_representative_id,
            },
            store_id=account.store_id,
        )
        return account


# --- reading: what an order's wire shapes show ---------------------------------------------


@dataclass(frozen=True, slots=True)
class TermsView:
    id: int
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class OrderWholesaleInfo:
    """The account side of a wholesale order, for the Order API's shapes."""

    account_name: str
    buyer_first_name: str
    buyer_last_name: str
    payment_terms: TermsView | None
    shipping_terms: TermsView | None


async def order_wholesale_info(
    session: AsyncSession, orders: Sequence[tuple[int, int | None, int | None]]
) -> dict[int, OrderWholesaleInfo]:
    """Per order id, from (order id, account id, buyer id); no query at all when no order has an account."""
    account_ids = {account_id for _, account_id, _ in orders if account_id is not None}
    if not account_ids:
        return {}
    accounts = {
        row.id: row for row in await session.scalars(select(Account).where(Account.id.in_(sorted(account_ids))))
    }
    buyer_ids = sorted({buyer_id for _, _, buyer_id in orders if buyer_id is not None})
    buyers = (
        {row.id: row for row in await session.scalars(select(Buyer).where(Buyer.id.in_(buyer_ids)))}
        if buyer_ids
        else {}
    )
    payment_ids = sorted({a.payment_terms_id for a in accounts.values() if a.payment_terms_id is not None})
    shipping_ids = sorted({a.shipping_terms_id for a in accounts.values() if a.shipping_terms_id is not None})
    payment = (
        {r.id: r for r in await session.scalars(select(PaymentTerms).where(PaymentTerms.id.in_(payment_ids)))}
        if payment_ids
        else {}
    )
    shipping = (
        {r.id: r for r in await session.scalars(select(ShippingTerms).where(ShippingTerms.id.in_(shipping_ids)))}
        if shipping_ids
        else {}
    )

    def view(row: Terms | None) -> TermsView | None:
        return None if row is None else TermsView(row.id, row.name, row.description)

    found: dict[int, OrderWholesaleInfo] = {}
    for order_id, account_id, buyer_id in orders:
        account = accounts.get(account_id) if account_id is not None else None
        if account is None:
            continue
        buyer = buyers.get(buyer_id) if buyer_id is not None else None
        found[order_id] = OrderWholesaleInfo(
            account_name=account.name,
            buyer_first_name=(buyer.billing_first_name or "") if buyer else "",
            buyer_last_name=(buyer.billing_last_name or "") if buyer else "",
            payment_terms=view(payment.get(account.payment_terms_id) if account.payment_terms_id else None),
            shipping_terms=view(shipping.get(account.shipping_terms_id) if account.shipping_terms_id else None),
        )
    return found


# --- reading: the lists integrations page through ------------------------------------------------


async def payment_terms_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, WholesaleTermsView]:
    return await keyed(session, PaymentTerms, PaymentTerms.id, ids, terms_view)


async def shipping_terms_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, WholesaleTermsView]:
    return await keyed(session, ShippingTerms, ShippingTerms.id, ids, terms_view)


async def sales_representatives_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, SalesRepresentativeView]:
    return await keyed(session, SalesRepresentative, SalesRepresentative.id, ids, sales_representative_view)


async def _page(
    session: AsyncSession,
    model: type[PaymentTerms] | type[ShippingTerms] | type[SalesRepresentative],
    ids: Sequence[int] | None,
    window: Window,
    sort: Sequence[SortKey] = (),
) -> Sequence[Any]:
    statement = select(model)
    if ids is not None:
        statement = statement.where(model.id.in_(ids))
    ordering = ordered(statement, sort, {"id": model.id, "name": model.name}, model.id)
    return (await session.scalars(windowed(ordering, window))).all()


async def payment_terms_page(
    session: AsyncSession, window: Window, *, ids: Sequence[int] | None = None, sort: Sequence[SortKey] = ()
) -> list[WholesaleTermsView]:
    """Payment terms in ``sort`` order (``id``, ``name``), then id order."""
    return [terms_view(row) for row in await _page(session, PaymentTerms, ids, window, sort)]


async def shipping_terms_page(
    session: AsyncSession, window: Window, *, ids: Sequence[int] | None = None, sort: Sequence[SortKey] = ()
) -> list[WholesaleTermsView]:
    """Shipping terms in ``sort`` order (``id``, ``name``), then id order."""
    return [terms_view(row) for row in await _page(session, ShippingTerms, ids, window, sort)]


async def sales_representative_page(
    session: AsyncSession, window: Window, *, ids: Sequence[int] | None = None, sort: Sequence[SortKey] = ()
) -> list[SalesRepresentativeView]:
    """Sales representatives in ``sort`` order (``id``, ``name``), then id order."""
    return [sales_representative_view(row) for row in await _page(session, SalesRepresentative, ids, window, sort)]
