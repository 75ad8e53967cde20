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
from opencentra.api.graphql.promotions import Voucher
from opencentra.api.graphql.stock import StockChangeLine
from opencentra.api.graphql.store_setup import ShippingOption
from opencentra.api.graphql.stores import CountryState, Warehouse
from opencentra.orders import DocumentTax, OrderAmounts, models, order_amounts, shipment_tax
from opencentra.stores import models as store_models

if TYPE_CHECKING:
    from opencentra.api.graphql.loaders import Loaders


@strawberry.type
class ShippingPriceGroup:
    """The shipping the order was placed with; OpenCentra prices shipping per option, so the group is the option."""

    _method_id: strawberry.Private[int]

    @strawberry.field
    async def shipping_option(self, info: Info[Any, Any]) -> ShippingOption | None:
        row = await info.context.loaders.one(store_models.ShippingMethod).load(self._method_id)
        return ShippingOption.of(row) if row is not None else None


def shipping_price_group(order: models.Order) -> ShippingPriceGroup | None:
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
        row = await info.context.loaders.one(store_models.Warehouse).load(self._warehouse_id)
        return Warehouse.of(row) if row is not None else None

    # The stock change that last added to this allocation; needs StockChange:read.
    @strawberry.field
    async def stock_change_line(self, info: Info[Any, Any]) -> StockChangeLine | None:
        return await allocation_stock_change_line(info, self._stock_change_id)


async def line_allocations(info: Info[Any, Any], line_id: int) -> list[OrderLineAllocation]:
    found = await info.context.loaders.many(models.OrderAllocation, models.OrderAllocation.order_line_id).load(line_id)
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
        from opencentra.api.graphql.order_b2b_fields import applied_voucher

        return await applied_voucher(info, self._selection_id)


def applied_discounts(order: models.Order, *, first_shipment: bool = True) -> list[OrderDiscount]:
    """The order's discount; a shipment carries it only if it is the order's first, as returns count it."""
    if order.discount_minor <= 0 or not first_shipment:
        return []
    value = money(order.discount_minor, order.currency_id, order.currency_decimals)
    return [AppliedDiscount(value=value, date=order.order_date, _selection_id=order.selection_id)]


# Amounts worked out in a request, per generation of its loaders (a write starts a new one).
_amounts: WeakKeyDictionary[Loaders, dict[int, OrderAmounts]] = WeakKeyDictionary()


async def amounts_of(info: Info[Any, Any], order: models.Order) -> OrderAmounts:
    """The order's totals and VAT from the orders domain, once per order and request.

    Its lines come from the request's loader, so a page of orders reads them in one statement.
    """
    loaders = info.context.loaders
    known = _amounts.setdefault(loaders, {})
    found = known.get(order.id)
    if found is None:
        found = known[order.id] = order_amounts(order, await loaders.order_lines.load(order.id))
    return found


async def tax_of_shipment(info: Info[Any, Any], order: models.Order, shipment: models.Shipment) -> DocumentTax:
    """A shipment's VAT from the orders domain, its lines and their order lines read through loaders."""
    lines = await info.context.loaders.many(models.ShipmentLine, models.ShipmentLine.shipment_id).load(shipment.id)
    found = await info.context.loaders.one(models.OrderLine).load_many([line.order_line_id for line in lines])
    order_lines = {row.id: row for row in found if row is not None}
    return shipment_tax(order, order_lines, shipment, [line for line in lines if line.order_line_id in order_lines])


ORDER_FIELD_TYPES = [AppliedDiscount]


async def load_state(info: Info[Any, Any], country_code: str | None, state: str | None) -> CountryState | None:
    """The state of a country named by its code or name, as addresses keep it as text."""
    if not country_code or not state:
        return None
    country = await info.context.loaders.country_by_code.load(country_code)
    if country is None:
        return None
    wanted = state.strip().lower()
    for row in await info.context.loaders.many(store_models.CountryState, store_models.CountryState.country_id).load(
        country.id
    ):
        if wanted in (row.code.lower(), row.name.lower()):
            return CountryState(id=row.id, code=row.code, name=row.name)
    return None
