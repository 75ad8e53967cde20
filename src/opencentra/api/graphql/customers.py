"""Customers (direct-to-consumer shoppers) and the address shape orders share."""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Protocol

import strawberry
from strawberry.types import Info

from opencentra import customers
from opencentra.address import Address as AddressValue
from opencentra.api.graphql.attributes import Attribute, ObjectWithAttributes
from opencentra.api.graphql.common import DateTimeFilter, DateTimeTz, StringFilter
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.listing import between, sort_keys, text_match, window
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stores import Country, CountryState, Store, load_country, load_state, load_store


@strawberry.type
class Address:
    first_name: str | None
    last_name: str | None
    company_name: str | None
    phone_number: str | None
    address1: str | None
    address2: str | None
    zip_code: str | None
    city: str | None
    state_or_province: str | None
    vat_number: str | None
    email: str | None
    _country: strawberry.Private[str | None]
    attention: str | None = None
    # Only wholesale buyers keep these two (opencentra.wholesale).
    cell_phone_number: str | None = None
    fax_number: str | None = None

    @classmethod
    def of(cls, value: AddressValue, email: str | None = None) -> Address:
        return cls(
            first_name=value.first_name,
            last_name=value.last_name,
            company_name=value.company,
            phone_number=value.phone_number,
            address1=value.address1,
            address2=value.address2,
            zip_code=value.zip_code,
            city=value.city,
            state_or_province=value.state,
            vat_number=value.vat_number,
            email=email,
            _country=value.country,
        )

    @strawberry.field
    async def country(self, info: Info[Any, Any]) -> Country | None:
        return await load_country(info, self._country)

    @strawberry.field
    async def state(self, info: Info[Any, Any]) -> CountryState | None:
        """The country's state whose code or name is ``stateOrProvince`` (null for free text)."""
        return await load_state(info, self._country, self.state_or_province)


class _CustomerLike(Protocol):
    """What ``Customer`` is built from: the customers domain's ``CustomerView`` (or, while other
    adapter modules still load them, a stored row with the same attributes)."""

    @property
    def id(self) -> int: ...
    @property
    def store_id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def registered(self) -> bool: ...
    @property
    def newsletter(self) -> bool: ...
    @property
    def gender(self) -> str | None: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def company(self) -> str | None: ...
    @property
    def phone_number(self) -> str | None: ...
    @property
    def address1(self) -> str | None: ...
    @property
    def address2(self) -> str | None: ...
    @property
    def zip_code(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def state(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def vat_number(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


@strawberry.interface(description="Who places an order: a Customer (direct to consumer) or a Buyer (wholesale).")
class Purchaser:
    id: int
    email: str | None
    first_name: str | None
    last_name: str | None


@strawberry.type
class Customer(ObjectWithAttributes, Purchaser):
    id: int
    email: str
    first_name: str | None
    last_name: str | None
    is_registered: bool
    newsletter: bool
    gender: str | None
    created_at: DateTimeTz
    updated_at: DateTimeTz
    _row: strawberry.Private[_CustomerLike]

    @strawberry.field
    def attributes(self, info: Info[Any, Any]) -> list[Attribute] | None:
        """OpenCentra keeps no customer attributes: always empty (needs Customer.attributes:read)."""
        check(info, "Customer.attributes:read")
        return []

    @classmethod
    def of(cls, row: _CustomerLike) -> Customer:
        return cls(
            id=row.id,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            is_registered=row.registered,
            newsletter=row.newsletter,
            gender=row.gender,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _row=row,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._row.store_id)

    @strawberry.field
    def billing_address(self) -> Address:
        row = self._row
        value = AddressValue(
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
        )
        return Address.of(value, row.email)


@strawberry.input
class CustomerFilter:
    id: list[int] | None = None
    email: StringFilter | None = None
    store_id: int | None = None
    updated_at: DateTimeFilter | None = None
    created_at: DateTimeFilter | None = None


@strawberry.enum
class CustomerSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    updatedAt_ASC = "updatedAt_ASC"
    updatedAt_DESC = "updatedAt_DESC"
    createdAt_ASC = "createdAt_ASC"
    createdAt_DESC = "createdAt_DESC"


def customer_filter(context: GraphQLContext, where: CustomerFilter | None) -> customers.CustomerFilter:
    """The domain's filter for ``where``, within the token's store."""
    store_ids: tuple[int, ...] | None = None if context.store_id is None else (context.store_id,)
    if where is None:
        return customers.CustomerFilter(store_ids=store_ids)
    if where.store_id is not None:
        # A store outside the token's matches nothing.
        store_ids = (where.store_id,) if store_ids in (None, (where.store_id,)) else ()
    email = where.email
    if email is not None and email.equals is not None:
        # Emails are stored lower-cased, so equality ignores case as Centra's does.
        email = StringFilter(equals=email.equals.strip().lower(), contains=email.contains)
    return customers.CustomerFilter(
        store_ids=store_ids,
        ids=where.id,
        email=text_match(email),
        created=between(where.created_at),
        updated=between(where.updated_at),
    )


async def resolve_customers(
    info: Info[Any, Any],
    where: CustomerFilter | None = None,
    sort: list[CustomerSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Customer]:
    context: GraphQLContext = info.context
    wanted, order, rows = customer_filter(context, where), sort_keys(sort), window(limit, page)
    async with context.read() as session:
        found = await customers.customer_page(session, wanted, order, rows)
    return [Customer.of(view) for view in found]


async def load_customer(info: Info[Any, Any], customer_id: int) -> Customer | None:
    """The customer with this id, through the request's loader (no store check: the caller's object is in scope)."""
    view = await info.context.loaders.keyed("customers", customers.customers_by_id).load(customer_id)
    return None if view is None else Customer.of(view)


async def resolve_customer(info: Info[Any, Any], id: int) -> Customer | None:
    view = await info.context.loaders.keyed("customers", customers.customers_by_id).load(id)
    if view is None or (info.context.store_id is not None and view.store_id != info.context.store_id):
        return None
    return Customer.of(view)


async def count_customers(context: GraphQLContext, where: CustomerFilter | None) -> int:
    wanted = customer_filter(context, where)
    async with context.read() as session:
        return await customers.customer_count(session, wanted)
