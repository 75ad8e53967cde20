"""Invoices: Centra's ``Invoice`` interface, one invoice per captured shipment.

OpenCentra keeps no separate invoice documents. Centra issues an invoice when
a shipment's payment is captured, so a captured shipment *is* the invoice
here: the invoice's ``id`` and ``number`` are the shipment's, its date is the
capture's, and its total is what was captured for it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import orders as order_domain
from opencentra.api.graphql.common import DateTimeFilter, DateTimeTz, MonetaryValue, money
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import Address
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.listing import between, sort_keys, window
from opencentra.api.graphql.orders import Order, Shipment, make_order, parse_order_id, shipment_object
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.sorting import InvoiceSort
from opencentra.api.graphql.stores import Store, load_store


@strawberry.enum(description="OpenCentra issues invoices only (a captured shipment); credit notes are not kept.")
class InvoiceType(enum.Enum):
    INVOICE = "INVOICE"
    CREDIT_NOTE = "CREDIT_NOTE"


@strawberry.interface
class Invoice:
    id: int
    number: str
    is_paid: bool
    _created_at: strawberry.Private[datetime]
    _shipment: strawberry.Private[order_domain.ShipmentView]
    _order: strawberry.Private[order_domain.OrderView]

    created_at: DateTimeTz = date_field("_created_at", name="createdAt")

    @classmethod
    def of(cls, view: order_domain.InvoiceView) -> Invoice:
        """The invoice's object (``invoice_object``), for fields that name this type lazily."""
        return invoice_object(view)

    @strawberry.field
    def total(self) -> MonetaryValue:
        return money(self._shipment.amount_minor, self._order.currency_id, self._order.currency_decimals)

    @strawberry.field
    async def order(self, info: Info[Any, Any]) -> Order:
        check(info, "Order:read")
        return make_order(self._order)

    @strawberry.field
    def shipment(self, info: Info[Any, Any]) -> Shipment:
        check(info, "Shipment:read")
        return shipment_object(self._shipment, self._order)

    @strawberry.field
    def billing_address(self, info: Info[Any, Any]) -> Address | None:
        check(info, "Invoice.billingAddress:read")
        return Address.of(self._order.billing_address, self._order.email)

    @strawberry.field
    def type(self) -> InvoiceType:
        return InvoiceType.INVOICE

    @strawberry.field
    def grand_total(self) -> MonetaryValue:
        """The same as ``total``: an invoice here bills one captured shipment."""
        return money(self._shipment.amount_minor, self._order.currency_id, self._order.currency_decimals)

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._order.store_id)

    @strawberry.field
    def orders(self, info: Info[Any, Any]) -> list[Order]:
        check(info, "Order:read")
        return [make_order(self._order)]

    @strawberry.field
    def shipments(self, info: Info[Any, Any]) -> list[Shipment]:
        check(info, "Shipment:read")
        return [shipment_object(self._shipment, self._order)]


@strawberry.type
class DirectToConsumerInvoice(Invoice):
    pass


@strawberry.type
class WholesaleInvoice(Invoice):
    pass


@strawberry.input
class InvoiceFilter:
    id: list[int] | None = None
    order_id: list[str] | None = None
    created_at: DateTimeFilter | None = None
    number: list[str] | None = strawberry.field(
        default=None, description="Invoice numbers (a single string is read as a list of one)."
    )
    type: list[InvoiceType] | None = None

    def to_query(self) -> order_domain.InvoiceQuery | None:
        """The domain's query (``invoice_query``), for fields in modules below this one."""
        return invoice_query(self)


def invoice_query(where: InvoiceFilter | None) -> order_domain.InvoiceQuery | None:
    """The domain's query for ``where``; None when it can match nothing (credit notes only)."""
    if where is None:
        return order_domain.InvoiceQuery()
    if where.type is not None and InvoiceType.INVOICE not in where.type:
        return None
    return order_domain.InvoiceQuery(
        ids=None if where.id is None else tuple(where.id),
        order_ids=None
        if where.order_id is None
        else tuple(i for i in map(parse_order_id, where.order_id) if i is not None),
        created=between(where.created_at),
        numbers=None if where.number is None else tuple(where.number),
    )


def invoice_object(invoice: order_domain.InvoiceView) -> Invoice:
    cls: type[Invoice] = WholesaleInvoice if invoice.order.wholesale else DirectToConsumerInvoice
    return cls(
        id=invoice.shipment.id,
        number=invoice.shipment.number,
        is_paid=True,
        _created_at=invoice.captured_at,
        _shipment=invoice.shipment,
        _order=invoice.order,
    )


async def resolve_invoices(
    info: Info[Any, Any],
    where: InvoiceFilter | None = None,
    sort: list[InvoiceSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Invoice]:
    context: GraphQLContext = info.context
    query, rows_window = invoice_query(where), window(limit, page)
    if query is None:
        return []
    async with context.read() as session:
        found = await order_domain.invoice_page(
            session, query, rows_window, store_scope=context.store_id, sort=sort_keys(sort)
        )
    return [invoice_object(invoice) for invoice in found]


INVOICE_TYPES = [DirectToConsumerInvoice, WholesaleInvoice]
