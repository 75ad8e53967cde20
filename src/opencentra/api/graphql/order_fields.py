"""Smaller shapes the order types show: shipping price group, allocations, discounts, carrier information.

Kept apart from ``orders.py`` so that module only wires them in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import strawberry
from strawberry.types import Info

from opencentra.api.graphql.allocation_stock_changes import allocation_stock_change_line
from opencentra.api.graphql.common import DateTimeTz, MonetaryValue, money
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.promotions import Voucher, resolve_voucher
from opencentra.api.graphql.stock import StockChangeLine
from opencentra.api.graphql.stores import ShippingOption, Warehouse
from opencentra.orders import DocumentTax, OrderAmounts, OrderView, ShipmentView, order_amounts, shipment_tax

if TYPE_CHECKING:
    from opencentra.api.graphql.loaders import Loaders


@strawberry.type
class ShippingPriceGroup:
    """The shipping the order was placed with; OpenCentra prices shipping per option, so the group is the option."""

    _method_id: strawberry.Private[int]

    @strawberry.field
    async def shipping_option(self, info: Info[Any, Any]) -> ShippingOption | None:
        row = await info.context.loaders.shipping_option.load(self._method_id)
        return ShippingOption.of(row) if row is not None else None


def shipping_price_group(order: OrderView) -> ShippingPriceGroup | None:
    return None if order.shipping_method_id is None else ShippingPriceGroup(_method_id=order.shipping_method_id)


@strawberry.type
class OrderLineAllocation:
    """Units of an order line held in one warehouse."""

    id: int
    quantity: int
    _warehouse_id: strawberry.Private[int]
    _stock_change_id: strawberry.Private[int | None] = None

    @strawberry.field
    async def warehouse(self, info: Info[Any, Any]) -> Warehouse | None:
        row = await info.context.loaders.warehouse.load(self._warehouse_id)
        return Warehouse.of(row) if row is not None else None

    # The stock change that last added to this allocation; needs StockChange:read.
    @strawberry.field
    async def stock_change_line(self, info: Info[Any, Any]) -> StockChangeLine | None:
        return await allocation_stock_change_line(info, self._stock_change_id)


async def line_allocations(info: Info[Any, Any], line_id: int) -> list[OrderLineAllocation]:
    found = await info.context.loaders.allocations.load(line_id)
    return [
        OrderLineAllocation(
            id=row.id, quantity=row.quantity, _warehouse_id=row.warehouse_id, _stock_change_id=row.stock_change_id
        )
        for row in found
    ]


@strawberry.type
class CarrierInformation:
    carrier_name: str | None
    service_name: str | None
    # Only a wholesale account has these (Account.carrierInformation).
    account_identifier: str | None = None
    tax_id: str | None = None


@strawberry.type
class AdminUser:
    """A staff user of the admin. OpenCentra's orders are changed through the APIs, so none is ever named."""

    id: int
    name: str


@strawberry.type
class ShipmentPlugin:
    """A shipping plugin (a carrier integration); OpenCentra's shipments are made without one."""

    id: int
    name: str
    status: str


@strawberry.interface
class OrderDiscount:
    value: MonetaryValue
    date: DateTimeTz | None


@strawberry.type
class AppliedDiscount(OrderDiscount):
    """A discount taken off the order (vouchers and campaigns together; OpenCentra keeps their sum)."""

    _selection_id: strawberry.Private[int | None] = None

    @strawberry.field
    async def discount(self, info: Info[Any, Any]) -> Voucher | None:
        """The first voucher of the order's selection; needs Voucher:read."""
        return await applied_voucher(info, self._selection_id)


async def applied_voucher(info: Info[Any, Any], selection_id: int | None) -> Voucher | None:
    """The first voucher of the order's selection (see ``order_b2b_fields``); needs Voucher:read."""
    check(info, "Voucher:read")
    if selection_id is None:
        return None
    voucher_id = await info.context.loaders.applied_voucher.load(selection_id)
    return None if voucher_id is None else await resolve_voucher(info, voucher_id)


def applied_discounts(order: OrderView, *, first_shipment: bool = True) -> list[OrderDiscount]:
    """The order's discount; a shipment carries it only if it is the order's first, as returns count it."""
    if order.discount_minor <= 0 or not first_shipment:
        return []
    value = money(order.discount_minor, order.currency_id, order.currency_decimals)
    return [AppliedDiscount(value=value, date=order.order_date, _selection_id=order.selection_id)]


# Amounts worked out in a request, per generation of its loaders (a write starts a new one).
_amounts: WeakKeyDictionary[Loaders, dict[int, OrderAmounts]] = WeakKeyDictionary()


async def amounts_of(info: Info[Any, Any], order: OrderView) -> OrderAmounts:
    """The order's totals and VAT from the orders domain, once per order and request.

    Its lines come from the request's loader, so a page of orders reads them in one statement.
    """
    loaders = info.context.loaders
    known = _amounts.setdefault(loaders, {})
    found = known.get(order.id)
    if found is None:
        found = known[order.id] = order_amounts(order, await loaders.order_lines.load(order.id))
    return found


async def tax_of_shipment(info: Info[Any, Any], order: OrderView, shipment: ShipmentView) -> DocumentTax:
    """A shipment's VAT from the orders domain, its lines and their order lines read through loaders."""
    lines = await info.context.loaders.shipment_lines.load(shipment.id)
    found = await info.context.loaders.order_line.load_many([line.order_line_id for line in lines])
    order_lines = {row.id: row for row in found if row is not None}
    return shipment_tax(order, order_lines, shipment, [line for line in lines if line.order_line_id in order_lines])


ORDER_FIELD_TYPES = [AppliedDiscount]
