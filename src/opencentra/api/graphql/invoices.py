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
from sqlalchemy import func, select
from strawberry.types import Info

from opencentra.address import read_address
from opencentra.api.graphql.common import DateTimeFilter, DateTimeTz, MonetaryValue, apply_page, money, range_condition
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import Address
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.orders import Order, Shipment, order_object, parse_order_id, shipment_object
from opencentra.api.graphql.permissions import check
from opencentra.orders import models
from opencentra.stores.models import Store as StoreRow
from opencentra.stores.models import StoreType as DomainStoreType


@strawberry.interface
class Invoice:
    id: int
    number: str
    is_paid: bool
    _created_at: strawberry.Private[datetime]
    _shipment: strawberry.Private[models.Shipment]
    _order: strawberry.Private[models.Order]
    _store_type: strawberry.Private[DomainStoreType]

    created_at: DateTimeTz = date_field("_created_at", name="createdAt")

    @strawberry.field
    def total(self) -> MonetaryValue:
        return money(self._shipment.amount_minor, self._order.currency_id, self._order.currency_decimals)

    @strawberry.field
    async def order(self, info: Info[Any, Any]) -> Order:
        check(info, "Order:read")
        return await order_object(info, self._order)

    @strawberry.field
    def shipment(self, info: Info[Any, Any]) -> Shipment:
        check(info, "Shipment:read")
        return shipment_object(self._shipment, self._order, self._store_type)

    @strawberry.field
    def billing_address(self, info: Info[Any, Any]) -> Address | None:
        check(info, "Invoice.billingAddress:read")
        return Address.of(read_address(self._order, "billing_"), self._order.email)


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
    s, o, t = models.Shipment, models.Order, models.PaymentTransaction
    captured = (
        select(t.shipment_id, func.min(t.created_at).label("at"))
        .where(t.kind == models.TransactionKind.CAPTURE, t.status == models.TransactionStatus.SUCCESS)
        .group_by(t.shipment_id)
        .subquery()
    )
    statement: Any = (
        select(s, o, StoreRow.type, captured.c.at)
        .join(captured, captured.c.shipment_id == s.id)
        .join(o, o.id == s.order_id)
        .join(StoreRow, StoreRow.id == o.store_id)
        .where(s.captured.is_(True))
    )
    if context.store_id is not None:
        statement = statement.where(o.store_id == context.store_id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(s.id.in_(where.id))
        if where.order_id is not None:
            statement = statement.where(o.id.in_([i for i in map(parse_order_id, where.order_id) if i is not None]))
        statement = statement.where(*range_condition(captured.c.at, where.created_at))  # type: ignore[arg-type]
    statement = apply_page(statement.order_by(s.id), limit, page)
    async with context.read() as session:
        found = (await session.execute(statement)).all()
    invoices: list[Invoice] = []
    for shipment, order, store_type, at in found:
        cls: type[Invoice] = WholesaleInvoice if store_type == DomainStoreType.WHOLESALE else DirectToConsumerInvoice
        invoices.append(
            cls(
                id=shipment.id,
                number=shipment.number,
                is_paid=True,
                _created_at=at,
                _shipment=shipment,
                _order=order,
                _store_type=store_type,
            )
        )
    return invoices


INVOICE_TYPES = [DirectToConsumerInvoice, WholesaleInvoice]
