"""Customers (direct-to-consumer shoppers) and the address shape orders share."""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from typing import Any

import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from opencentra.address import Address as AddressValue
from opencentra.api.graphql.attributes import Attribute, ObjectWithAttributes
from opencentra.api.graphql.common import (
    DateTimeFilter,
    DateTimeTz,
    StringFilter,
    apply_page,
    apply_sort,
    range_condition,
    string_condition,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.order_fields import load_state
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stores import Country, CountryState, Store, load_country, load_store, rows
from opencentra.customers.models import Customer as CustomerRow


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


@strawberry.type
class Customer(ObjectWithAttributes):
    id: int
    email: str
    first_name: str | None
    last_name: str | None
    is_registered: bool
    newsletter: bool
    gender: str | None
    created_at: DateTimeTz
    updated_at: DateTimeTz
    _row: strawberry.Private[CustomerRow]

    @strawberry.field
    def attributes(self, info: Info[Any, Any]) -> list[Attribute] | None:
        """OpenCentra keeps no customer attributes: always empty (needs Customer.attributes:read)."""
        check(info, "Customer.attributes:read")
        return []

    @classmethod
    def of(cls, row: CustomerRow) -> Customer:
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


def customer_statement(context: GraphQLContext, where: CustomerFilter | None) -> Any:
    c = CustomerRow
    statement = select(c)
    if context.store_id is not None:
        statement = statement.where(c.store_id == context.store_id)
    if where is None:
        return statement
    if where.id is not None:
        statement = statement.where(c.id.in_(where.id))
    if where.store_id is not None:
        statement = statement.where(c.store_id == where.store_id)
    email = where.email
    if email is not None and email.equals is not None:
        # Emails are stored lower-cased, so equality ignores case as Centra's does.
        email = StringFilter(equals=email.equals.strip().lower(), contains=email.contains)
    return statement.where(
        *string_condition(c.email, email),
        *range_condition(c.updated_at, where.updated_at),
        *range_condition(c.created_at, where.created_at),
    )


async def resolve_customers(
    info: Info[Any, Any],
    where: CustomerFilter | None = None,
    sort: list[CustomerSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Customer]:
    columns = {"id": CustomerRow.id, "updatedAt": CustomerRow.updated_at, "createdAt": CustomerRow.created_at}
    statement = apply_sort(customer_statement(info.context, where), sort, columns, CustomerRow.id)
    return [Customer.of(r) for r in await rows(info.context, apply_page(statement, limit, page))]


async def resolve_customer(info: Info[Any, Any], id: int) -> Customer | None:
    row = await info.context.loaders.customer.load(id)
    if row is None or (info.context.store_id is not None and row.store_id != info.context.store_id):
        return None
    return Customer.of(row)


async def count_customers(context: GraphQLContext, where: CustomerFilter | None) -> int:
    statement = select(func.count()).select_from(customer_statement(context, where).subquery())
    async with context.read() as session:
        return int(await session.scalar(statement) or 0)
