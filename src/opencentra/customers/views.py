"""Read views of customers and their consents, and the queries that list them.

Every API reads customers through here: one by id, many by id (a request's
dataloaders), and a filtered, sorted page with its count. The views are
frozen; the ORM rows never leave the domain. Each function takes a
``Database`` (its own read transaction) or the caller's session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from opencentra.address import Address
from opencentra.customers.models import Customer, CustomerConsent
from opencentra.db.listing import Between, SortKey, TextMatch, Window, between_conditions, ordered, text_conditions
from opencentra.db.listing import windowed as windowed_statement
from opencentra.stores._db import DatabaseOrSession, unit_of_work

# Keep each IN (...) list well below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class CustomerView:
    """A customer account (or a guest's) with its one address."""

    id: int
    store_id: int
    email: str
    registered: bool
    newsletter: bool
    gender: str | None
    first_name: str | None
    last_name: str | None
    company: str | None
    phone_number: str | None
    address1: str | None
    address2: str | None
    zip_code: str | None
    city: str | None
    state: str | None
    country: str | None
    vat_number: str | None
    anonymized_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def address(self) -> Address:
        return Address(
            first_name=self.first_name,
            last_name=self.last_name,
            company=self.company,
            phone_number=self.phone_number,
            address1=self.address1,
            address2=self.address2,
            zip_code=self.zip_code,
            city=self.city,
            state=self.state,
            country=self.country,
            vat_number=self.vat_number,
        )


@dataclass(frozen=True, slots=True)
class ConsentView:
    """One consent the customer gave or refused, by the merchant's key."""

    key: str
    name: str
    consented: bool
    text: str
    version: str
    language: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """Which customers a list shows; every condition given must hold."""

    # None: every store.
    store_ids: Sequence[int] | None = None
    ids: Sequence[int] | None = None
    email: TextMatch | None = None
    created: Between[datetime] | None = None
    updated: Between[datetime] | None = None
    # False: leave out customers whose personal data was erased.
    include_anonymized: bool = True


def customer_view(row: Customer) -> CustomerView:
    return CustomerView(
        id=row.id,
        store_id=row.store_id,
        email=row.email,
        registered=row.registered,
        newsletter=row.newsletter,
        gender=row.gender,
        first_name=row.first_name,
        last_name=row.last_name,
        company=row.company,
        phone_number=row.phone_number,
        address1=row.address1,
        address2=row.address2,
        zip_code=row.zip_code,
        city=row.city,
        state=row.state,
        country=row.country,
        vat_number=row.vat_number,
        anonymized_at=row.anonymized_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def consent_view(row: CustomerConsent) -> ConsentView:
    return ConsentView(
        key=row.key,
        name=row.name,
        consented=row.consented,
        text=row.text,
        version=row.version,
        language=row.language,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def find_customer_view(db: DatabaseOrSession, customer_id: int) -> CustomerView | None:
    """The customer with this id, anonymized or not; None if there is none."""
    async with unit_of_work(db, write=False) as session:
        row = await session.get(Customer, customer_id)
        return None if row is None else customer_view(row)


async def customers_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, CustomerView]:
    wanted = list(dict.fromkeys(ids))
    found: dict[int, CustomerView] = {}
    async with unit_of_work(db, write=False) as session:
        for start in range(0, len(wanted), _CHUNK):
            for row in await session.scalars(select(Customer).where(Customer.id.in_(wanted[start : start + _CHUNK]))):
                found[row.id] = customer_view(row)
    return found


def _conditions(where: CustomerFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.store_ids is not None:
        conditions.append(Customer.store_id.in_(list(where.store_ids)))
    if where.ids is not None:
        conditions.append(Customer.id.in_(list(where.ids)))
    if not where.include_anonymized:
        conditions.append(Customer.anonymized_at.is_(None))
    return [
        *conditions,
        *text_conditions(Customer.email, where.email),
        *between_conditions(Customer.created_at, where.created),
        *between_conditions(Customer.updated_at, where.updated),
    ]


_SORT = {"id": Customer.id, "created_at": Customer.created_at, "updated_at": Customer.updated_at}


def _statement(where: CustomerFilter) -> Select[Customer]:
    return select(Customer).where(*_conditions(where))


async def customer_page(
    db: DatabaseOrSession, where: CustomerFilter, sort: Sequence[SortKey], window: Window
) -> list[CustomerView]:
    """A page of the customers ``where`` selects, by the sort keys (``id``, ``created_at``, ``updated_at``),
    then by id."""
    statement = windowed_statement(ordered(_statement(where), sort, _SORT, Customer.id), window)
    async with unit_of_work(db, write=False) as session:
        return [customer_view(row) for row in await session.scalars(statement)]


async def customer_count(db: DatabaseOrSession, where: CustomerFilter) -> int:
    statement: Select[Any] = select(func.count()).select_from(_statement(where).subquery())
    async with unit_of_work(db, write=False) as session:
        return int(await session.scalar(statement) or 0)


async def consents_of(db: DatabaseOrSession, customer_ids: Sequence[int]) -> dict[int, list[ConsentView]]:
    """Each customer's consents, oldest first."""
    found: dict[int, list[ConsentView]] = {customer_id: [] for customer_id in customer_ids}
    if not customer_ids:
        return found
    async with unit_of_work(db, write=False) as session:
        rows = await session.scalars(
            select(CustomerConsent)
            .where(CustomerConsent.customer_id.in_(list(customer_ids)))
            .order_by(CustomerConsent.customer_id, CustomerConsent.id)
        )
        for row in rows:
            found[row.customer_id].append(consent_view(row))
    return found


async def customer_page_with_consents(
    db: DatabaseOrSession, where: CustomerFilter, sort: Sequence[SortKey], window: Window
) -> list[tuple[CustomerView, list[ConsentView]]]:
    """``customer_page`` with each customer's consents, in one read."""
    async with unit_of_work(db, write=False) as session:
        found = await customer_page(session, where, sort, window)
        given = await consents_of(session, [customer.id for customer in found])
    return [(customer, given[customer.id]) for customer in found]
