"""Invoices: Centra's ``Invoice`` interface, one invoice per captured shipment.

OpenCentra keeps no separate invoice documents. Centra issues an invoice when
a shipment's payment is captured, so a captured shipment *is* the invoice
here: the invoice's ``id`` and ``number`` are the shipment's, its date is the
capture's, and its total is what was captured for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import orders
from opencentra.api.graphql.common import DateTimeFilter, DateTimeTz, MonetaryValue, money
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import Address
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.listing import between, window
from opencentra.api.graphql.orders import Order, Shipment, make_order, parse_order_id, shipment_object
from opencentra.api.graphql.permissions import check


@strawberry.interface
class Invoice:
    id: int
    number: str
    is_paid: bool
    _created_at: strawberry.Private[datetime]
    _shipment: strawberry.Private[orders.ShipmentView]
    _order: strawberry.Private[orders.OrderView]

    created_at: DateTimeTz = date_field("_created_at", name="createdAt")

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


async def resolve_invoices(
    info: Info[Any, Any], where: InvoiceFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[Invoice]:
    context: GraphQLContext = info.context
    query = orders.InvoiceQuery()
    if where is not None:
        query = orders.InvoiceQuery(
            ids=None if where.id is None else tuple(where.id),
            order_ids=None
            if where.order_id is None
            else tuple(i for i in map(parse_order_id, where.order_id) if i is not None),
            created=between(where.created_at),
        )
    rows_window = window(limit, page)
    async with context.read() as session:
        found = await orders.invoice_page(session, query, rows_window, store_scope=context.store_id)
    invoices: list[Invoice] = []
    for invoice in found:
        cls: type[Invoice] = WholesaleInvoice if invoice.order.wholesale else DirectToConsumerInvoice
        invoices.append(
            cls(
                id=invoice.shipment.id,
                number=invoice.shipment.number,
                is_paid=True,
                _created_at=invoice.captured_at,
                _shipment=invoice.shipment,
                _order=invoice.order,
            )
        )
    return invoices


INVOICE_TYPES = [DirectToConsumerInvoice, WholesaleInvoice]
