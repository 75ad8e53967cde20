"""Wholesale terms on the wire: ``PaymentTerms``, ``ShippingTerms`` and ``SalesRepresentative``.

The domain lives in ``opencentra.wholesale.terms``. Terms and sales
representatives are instance-wide, as in Centra; an ``Account`` points at one
of each (``Account.paymentTerms``, ``shippingTerms``, ``salesRepresentative``,
resolved here through DataLoaders). Reading them needs their own read
permission; creating and changing them their write permission.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

import strawberry
from strawberry.types import Info

from opencentra import wholesale
from opencentra.api.graphql.common import DateTimeTz, UserError, UserWarning, user_error
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.listing import sort_keys, window
from opencentra.api.graphql.order_fields import CarrierInformation
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.sorting import PaymentTermsSort, SalesRepresentativeSort, ShippingTermsSort
from opencentra.api.graphql.stock import IdRef
from opencentra.errors import DomainError

PAYMENT_TERMS_READ = "PaymentTerms:read"
SHIPPING_TERMS_READ = "ShippingTerms:read"
SALES_REPRESENTATIVE_READ = "SalesRepresentative:read"


@strawberry.type
class PaymentTerms:
    id: int
    name: str
    description: str
    due_days: int
    _row: strawberry.Private[wholesale.WholesaleTermsView]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")

    @classmethod
    def of(cls, row: wholesale.WholesaleTermsView) -> PaymentTerms:
        return cls(id=row.id, name=row.name, description=row.description, due_days=row.due_days, _row=row)


@strawberry.type
class ShippingTerms:
    id: int
    name: str
    description: str
    due_days: int
    _row: strawberry.Private[wholesale.WholesaleTermsView]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")

    @classmethod
    def of(cls, row: wholesale.WholesaleTermsView) -> ShippingTerms:
        return cls(id=row.id, name=row.name, description=row.description, due_days=row.due_days, _row=row)


@strawberry.type
class SalesRepresentative:
    id: int
    name: str
    email: str | None
    commission_percent: float

    @classmethod
    def of(cls, row: wholesale.SalesRepresentativeView) -> SalesRepresentative:
        return cls(id=row.id, name=row.name, email=row.email, commission_percent=row.commission_bp / 100)


# --- Account's fields (called from wholesale.Account) -------------------------------------


class AccountLike(Protocol):
    """What an account's terms fields read of it."""

    @property
    def payment_terms_id(self) -> int | None: ...
    @property
    def shipping_terms_id(self) -> int | None: ...
    @property
    def sales_representative_id(self) -> int | None: ...
    @property
    def carrier_name(self) -> str | None: ...
    @property
    def carrier_service(self) -> str | None: ...
    @property
    def carrier_account(self) -> str | None: ...
    @property
    def carrier_tax_id(self) -> str | None: ...


async def account_payment_terms(info: Info[Any, Any], account: AccountLike) -> PaymentTerms | None:
    check(info, PAYMENT_TERMS_READ)
    if account.payment_terms_id is None:
        return None
    row = await info.context.loaders.keyed("payment_terms", wholesale.payment_terms_by_id).load(
        account.payment_terms_id
    )
    return PaymentTerms.of(row) if row is not None else None


async def account_shipping_terms(info: Info[Any, Any], account: AccountLike) -> ShippingTerms | None:
    check(info, SHIPPING_TERMS_READ)
    if account.shipping_terms_id is None:
        return None
    row = await info.context.loaders.keyed("shipping_terms", wholesale.shipping_terms_by_id).load(
        account.shipping_terms_id
    )
    return ShippingTerms.of(row) if row is not None else None


async def account_sales_representative(info: Info[Any, Any], account: AccountLike) -> SalesRepresentative | None:
    check(info, SALES_REPRESENTATIVE_READ)
    if account.sales_representative_id is None:
        return None
    row = await info.context.loaders.keyed("sales_representatives", wholesale.sales_representatives_by_id).load(
        account.sales_representative_id
    )
    return SalesRepresentative.of(row) if row is not None else None


def account_carrier_information(account: AccountLike) -> CarrierInformation:
    return CarrierInformation(
        carrier_name=account.carrier_name,
        service_name=account.carrier_service,
        account_identifier=account.carrier_account,
        tax_id=account.carrier_tax_id,
    )


@strawberry.input(description="Carrier details of a wholesale account; an empty string clears one.")
class CarrierInformationInput:
    carrier_name: str | None = None
    service_name: str | None = None
    account_identifier: str | None = None
    tax_id: str | None = None


def account_terms_input(
    payment_terms: IdRef | None,
    shipping_terms: IdRef | None,
    sales_representative: IdRef | None,
    carrier_information: CarrierInformationInput | None,
) -> wholesale.AccountTermsInput | None:
    """The account inputs' terms fields for the domain; ``{id: 0}`` unlinks one."""
    given = wholesale.AccountTermsInput(
        payment_terms_id=payment_terms.id if payment_terms else None,
        shipping_terms_id=shipping_terms.id if shipping_terms else None,
        sales_representative_id=sales_representative.id if sales_representative else None,
        carrier=wholesale.CarrierInput(
            name=carrier_information.carrier_name,
            service=carrier_information.service_name,
            account=carrier_information.account_identifier,
            tax_id=carrier_information.tax_id,
        )
        if carrier_information
        else None,
    )
    return None if given.empty else given


# --- queries ------------------------------------------------------------------------------


@strawberry.input
class TermsFilter:
    id: list[int] | None = None


@strawberry.input
class PaymentTermsFilter(TermsFilter):
    pass


@strawberry.input
class ShippingTermsFilter(TermsFilter):
    pass


@strawberry.input
class SalesRepresentativeFilter(TermsFilter):
    pass


def _ids(where: TermsFilter | None) -> list[int] | None:
    return None if where is None else where.id


async def resolve_payment_terms(
    info: Info[Any, Any],
    where: PaymentTermsFilter | None = None,
    sort: list[PaymentTermsSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[PaymentTerms]:
    rows = window(limit, page)
    async with info.context.read() as session:
        found = await wholesale.payment_terms_page(session, rows, ids=_ids(where), sort=sort_keys(sort))
    return [PaymentTerms.of(row) for row in found]


async def resolve_shipping_terms(
    info: Info[Any, Any],
    where: ShippingTermsFilter | None = None,
    sort: list[ShippingTermsSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[ShippingTerms]:
    rows = window(limit, page)
    async with info.context.read() as session:
        found = await wholesale.shipping_terms_page(session, rows, ids=_ids(where), sort=sort_keys(sort))
    return [ShippingTerms.of(row) for row in found]


async def resolve_sales_representatives(
    info: Info[Any, Any],
    where: SalesRepresentativeFilter | None = None,
    sort: list[SalesRepresentativeSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[SalesRepresentative]:
    rows = window(limit, page)
    async with info.context.read() as session:
        found = await wholesale.sales_representative_page(session, rows, ids=_ids(where), sort=sort_keys(sort))
    return [SalesRepresentative.of(row) for row in found]


# --- mutations ----------------------------------------------------------------------------


@strawberry.input
class TermsCreateInput:
    name: str
    description: str | None = None
    due_days: int | None = None


@strawberry.input
class TermsUpdateInput:
    name: str | None = None
    description: str | None = None
    due_days: int | None = None


@strawberry.type
class PaymentTermsPayload:
    payment_terms: PaymentTerms | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


@strawberry.type
class ShippingTermsPayload:
    shipping_terms: ShippingTerms | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _terms(given: TermsCreateInput | TermsUpdateInput) -> wholesale.TermsInput:
    return wholesale.TermsInput(name=given.name, description=given.description, due_days=given.due_days)


def _error(error: DomainError) -> list[UserError]:
    return [user_error(error) if error.field == "id" else user_error(error, "input")]


async def create_payment_terms(info: Info[Any, Any], input: TermsCreateInput) -> PaymentTermsPayload:
    context: GraphQLContext = info.context
    try:
        row = await wholesale.create_payment_terms(context.db, _terms(input))
    except DomainError as error:
        return PaymentTermsPayload(payment_terms=None, user_errors=_error(error), user_warnings=[])
    await context.after_write()
    return PaymentTermsPayload(payment_terms=PaymentTerms.of(row), user_errors=[], user_warnings=[])


async def update_payment_terms(info: Info[Any, Any], id: int, input: TermsUpdateInput) -> PaymentTermsPayload:
    context: GraphQLContext = info.context
    try:
        row = await wholesale.update_payment_terms(context.db, id, _terms(input))
    except DomainError as error:
        return PaymentTermsPayload(payment_terms=None, user_errors=_error(error), user_warnings=[])
    await context.after_write()
    return PaymentTermsPayload(payment_terms=PaymentTerms.of(row), user_errors=[], user_warnings=[])


async def create_shipping_terms(info: Info[Any, Any], input: TermsCreateInput) -> ShippingTermsPayload:
    context: GraphQLContext = info.context
    try:
        row = await wholesale.create_shipping_terms(context.db, _terms(input))
    except DomainError as error:
        return ShippingTermsPayload(shipping_terms=None, user_errors=_error(error), user_warnings=[])
    await context.after_write()
    return ShippingTermsPayload(shipping_terms=ShippingTerms.of(row), user_errors=[], user_warnings=[])


async def update_shipping_terms(info: Info[Any, Any], id: int, input: TermsUpdateInput) -> ShippingTermsPayload:
    context: GraphQLContext = info.context
    try:
        row = await wholesale.update_shipping_terms(context.db, id, _terms(input))
    except DomainError as error:
        return ShippingTermsPayload(shipping_terms=None, user_errors=_error(error), user_warnings=[])
    await context.after_write()
    return ShippingTermsPayload(shipping_terms=ShippingTerms.of(row), user_errors=[], user_warnings=[])


@strawberry.input
class SalesRepresentativeCreateInput:
    name: str
    email: str | None = None
    commission_percent: float | None = None


@strawberry.input
class SalesRepresentativeUpdateInput:
    name: str | None = None
    email: str | None = None
    commission_percent: float | None = None


@strawberry.type
class SalesRepresentativePayload:
    sales_representative: SalesRepresentative | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _representative(
    given: SalesRepresentativeCreateInput | SalesRepresentativeUpdateInput,
) -> wholesale.SalesRepresentativeInput:
    percent = None if given.commission_percent is None else Decimal(repr(given.commission_percent))
    return wholesale.SalesRepresentativeInput(name=given.name, email=given.email, commission_percent=percent)


async def create_sales_representative(
    info: Info[Any, Any], input: SalesRepresentativeCreateInput
) -> SalesRepresentativePayload:
    context: GraphQLContext = info.context
    try:
        row = await wholesale.create_sales_representative(context.db, _representative(input))
    except DomainError as error:
        return SalesRepresentativePayload(sales_representative=None, user_errors=_error(error), user_warnings=[])
    await context.after_write()
    return SalesRepresentativePayload(
        sales_representative=SalesRepresentative.of(row), user_errors=[], user_warnings=[]
    )


async def update_sales_representative(
    info: Info[Any, Any], id: int, input: SalesRepresentativeUpdateInput
) -> SalesRepresentativePayload:
    context: GraphQLContext = info.context
    try:
        row = await wholesale.update_sales_representative(context.db, id, _representative(input))
    except DomainError as error:
        return SalesRepresentativePayload(sales_representative=None, user_errors=_error(error), user_warnings=[])
    await context.after_write()
    return SalesRepresentativePayload(
        sales_representative=SalesRepresentative.of(row), user_errors=[], user_warnings=[]
    )
