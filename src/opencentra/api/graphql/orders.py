"""Orders, shipments and returns: interfaces with direct-to-consumer and wholesale types.

An order's GraphQL ``id`` is a 32-character hex string, as Centra's order
hash ids are: OpenCentra writes its integer id zero-padded in hex, so the id
is stable, opaque to clients and needs no extra column.
"""

# Sort enums carry Centra's wire names (id_ASC, updatedAt_DESC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from typing import Any

import strawberry
from sqlalchemy import Select, func, select
from strawberry.types import Info

from opencentra.address import SHIPPING_FIELDS, read_address
from opencentra.api.graphql import order_b2b_fields as b2b_fields
from opencentra.api.graphql.catalog import Brand, Display, Product, ProductSize, ProductVariant
from opencentra.api.graphql.common import (
    DateTimeFilter,
    DateTimeTz,
    MonetaryValue,
    PageInfo,
    StoreType,
    apply_page,
    apply_sort,
    coerce_cursor_value,
    connection_window,
    decode_cursor,
    encode_cursor,
    input_error,
    keyset_condition,
    money,
    range_condition,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import Address, Customer
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.order_fields import (
    AdminUser,
    CarrierInformation,
    OrderDiscount,
    OrderLineAllocation,
    ShipmentPlugin,
    ShippingPriceGroup,
    amounts_of,
    applied_discounts,
    line_allocations,
    shipping_price_group,
    tax_of_shipment,
)
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stores import Market, Pricelist, Store, load_market, load_pricelist, load_store, rows
from opencentra.api.graphql.wholesale import Account, Buyer, DeliveryWindow
from opencentra.catalog import ProductSizeView, display_items_by_id
from opencentra.orders import models
from opencentra.orders.state import OrderStatus as DomainStatus
from opencentra.stores.models import Store as StoreRow
from opencentra.stores.models import StoreType as DomainStoreType
from opencentra.wholesale import models as wholesale_models


def order_public_id(order_id: int) -> str:
    return f"{order_id:032x}"


def parse_order_id(value: str) -> int | None:
    """The internal id of a public order id, or None if it is not one of ours."""
    text = value.strip().lower()
    if len(text) != 32:
        return None
    try:
        number = int(text, 16)
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@strawberry.enum
class OrderStatus(enum.Enum):
    INCOMPLETE = "INCOMPLETE"
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    PROCESSING = "PROCESSING"
    SHIPPED = "SHIPPED"
    ARCHIVED = "ARCHIVED"
    CANCELLED = "CANCELLED"


_STATUS = {
    DomainStatus.INCOMPLETE: OrderStatus.INCOMPLETE,
    DomainStatus.PENDING: OrderStatus.PENDING,
    DomainStatus.CONFIRMED: OrderStatus.CONFIRMED,
    DomainStatus.PROCESSING: OrderStatus.PROCESSING,
    DomainStatus.COMPLETED: OrderStatus.SHIPPED,
    DomainStatus.ARCHIVED: OrderStatus.ARCHIVED,
    DomainStatus.CANCELLED: OrderStatus.CANCELLED,
}
_DOMAIN_STATUS = {value: key for key, value in _STATUS.items()}


@strawberry.enum
class PaymentHistoryEntryType(enum.Enum):
    AUTHORIZATION = "AUTHORIZATION"
    CAPTURE = "CAPTURE"
    CAPTURE_REQUEST = "CAPTURE_REQUEST"
    REFUND = "REFUND"
    CANCEL = "CANCEL"


@strawberry.enum
class PaymentHistoryEntryStatus(enum.Enum):
    SUCCESS = "SUCCESS"
    PENDING = "PENDING"
    FAILED = "FAILED"


@strawberry.type
class PaymentHistoryEntry:
    id: int
    entry_type: PaymentHistoryEntryType
    status: PaymentHistoryEntryStatus
    value: MonetaryValue
    external_reference: str | None
    created_at: DateTimeTz
    params_json: str | None = strawberry.field(name="paramsJSON", default=None)
    payment_method: str | None = None

    @classmethod
    def of(cls, row: models.PaymentTransaction, order: models.Order) -> PaymentHistoryEntry:
        kind = {
            models.TransactionKind.AUTHORIZE: PaymentHistoryEntryType.AUTHORIZATION,
            models.TransactionKind.CAPTURE: PaymentHistoryEntryType.CAPTURE,
            models.TransactionKind.REFUND: PaymentHistoryEntryType.REFUND,
        }.get(models.TransactionKind(row.kind), PaymentHistoryEntryType.CANCEL)
        return cls(
            id=row.id,
            entry_type=kind,
            status=PaymentHistoryEntryStatus[row.status.upper()],
            value=money(row.amount_minor, order.currency_id, order.currency_decimals),
            external_reference=row.reference,
            created_at=row.created_at,
            payment_method=row.provider,
        )


@strawberry.input
class PaymentHistoryFilter:
    entry_type: list[PaymentHistoryEntryType] | None = None
    status: list[PaymentHistoryEntryStatus] | None = None

    def matches(self, entry: PaymentHistoryEntry) -> bool:
        return (self.entry_type is None or entry.entry_type in self.entry_type) and (
            self.status is None or entry.status in self.status
        )


@strawberry.type
class OrderTotals:
    items_total: MonetaryValue
    shipping: MonetaryValue
    handling: MonetaryValue
    discounts: MonetaryValue
    tax_included: MonetaryValue
    grand_total: MonetaryValue
    tax_added: MonetaryValue
    tax_deducted: MonetaryValue
    _order_id: strawberry.Private[int] = 0

    @strawberry.field
    async def quantity(self, info: Info[Any, Any]) -> int:
        """Units ordered and not cancelled."""
        lines = await info.context.loaders.order_lines.load(self._order_id)
        return sum(line.quantity - line.quantity_cancelled for line in lines)


@strawberry.type
class OrderLine:
    id: int
    quantity: int
    product_name: str
    product_variant_name: str | None
    size: str | None
    sku: str | None
    shipped_quantity: int
    returned_quantity: int
    cancelled_quantity: int
    tax_percent: float
    comment: str | None
    _row: strawberry.Private[models.OrderLine]
    _order: strawberry.Private[models.Order]

    # Money is built only when asked for: a page of 100 orders has hundreds of lines.
    @strawberry.field
    def unit_price(self) -> MonetaryValue:
        return money(self._row.unit_price_minor, self._order.currency_id, self._order.currency_decimals)

    @strawberry.field
    def unit_original_price(self) -> MonetaryValue:
        return money(self._row.original_unit_price_minor, self._order.currency_id, self._order.currency_decimals)

    @strawberry.field
    def discount(self) -> MonetaryValue:
        return money(self._row.discount_minor, self._order.currency_id, self._order.currency_decimals)

    @classmethod
    def of(cls, row: models.OrderLine, order: models.Order) -> OrderLine:
        return cls(
            id=row.id,
            quantity=row.quantity,
            product_name=row.product_name,
            product_variant_name=row.variant_name,
            size=row.size_name,
            sku=row.sku,
            shipped_quantity=row.quantity_shipped,
            returned_quantity=row.quantity_returned,
            cancelled_quantity=row.quantity_cancelled,
            tax_percent=row.tax_bp / 100,
            comment=row.comment,
            _row=row,
            _order=order,
        )

    @strawberry.field
    async def allocations(self, info: Info[Any, Any]) -> list[OrderLineAllocation]:
        return await line_allocations(info, self.id)

    @strawberry.field
    def has_any_discount(self) -> bool:
        return self._row.original_unit_price_minor > self._row.unit_price_minor or self._row.discount_minor > 0

    @strawberry.field
    def discount_percent(self) -> float:
        original = self._row.original_unit_price_minor
        if original <= 0:
            return 0.0
        return round(100 * (original - self._row.unit_price_minor) / original, 2)

    @strawberry.field
    async def line_value(self, info: Info[Any, Any], including_tax: bool = True) -> MonetaryValue:
        total = self._row.unit_price_minor * self._row.quantity
        if not including_tax:
            total -= (await amounts_of(info, self._order)).tax.lines[self._row.id].tax_minor
        return money(total, self._order.currency_id, self._order.currency_decimals)

    @strawberry.field
    async def brand(self, info: Info[Any, Any]) -> Brand | None:
        return await b2b_fields.line_brand(info, self._row)

    @strawberry.field
    async def product_size(self, info: Info[Any, Any]) -> ProductSize | None:
        if self._row.product_size_id is None:
            return None
        row = await info.context.loaders.product_size.load(self._row.product_size_id)
        return ProductSize.of(row) if row is not None else None

    @strawberry.field
    async def product_variant(self, info: Info[Any, Any]) -> ProductVariant | None:
        size = await self._size(info)
        if size is None:
            return None
        row = await info.context.loaders.variant.load(size.variant_id)
        return ProductVariant.of(row) if row is not None else None

    @strawberry.field
    async def product(self, info: Info[Any, Any]) -> Product | None:
        size = await self._size(info)
        if size is None:
            return None
        variant = await info.context.loaders.variant.load(size.variant_id)
        if variant is None:
            return None
        row = await info.context.loaders.product.load(variant.product_id)
        return Product.of(row) if row is not None else None

    @strawberry.field
    async def display(self, info: Info[Any, Any]) -> Display | None:
        if self._row.display_item_id is None:
            return None
        item = await info.context.loaders.keyed("display_items", display_items_by_id).load(self._row.display_item_id)
        if item is None:
            return None
        row = await info.context.loaders.display.load(item.display_id)
        return Display.of(row) if row is not None else None

    async def _size(self, info: Info[Any, Any]) -> ProductSizeView | None:
        if self._row.product_size_id is None:
            return None
        found: ProductSizeView | None = await info.context.loaders.product_size.load(self._row.product_size_id)
        return found


async def _store_type_of(info: Info[Any, Any], store_id: int) -> DomainStoreType:
    store: StoreRow | None = await info.context.loaders.one(StoreRow).load(store_id)
    assert store is not None
    return store.type


@strawberry.type
class ShipmentInfo:
    carrier: str | None
    service: str | None
    packages_number: int | None
    tracking_number: str | None
    return_tracking_number: str | None


@strawberry.type
class ShipmentLine:
    id: int
    quantity: int
    returned_quantity: int
    _row: strawberry.Private[models.ShipmentLine]
    _order: strawberry.Private[models.Order]

    @strawberry.field
    async def order_line(self, info: Info[Any, Any]) -> OrderLine:
        row = await info.context.loaders.one(models.OrderLine).load(self._row.order_line_id)
        assert row is not None
        return OrderLine.of(row, self._order)

    @strawberry.field
    async def line_value(self, info: Info[Any, Any]) -> MonetaryValue:
        row = await info.context.loaders.one(models.OrderLine).load(self._row.order_line_id)
        price = row.unit_price_minor if row is not None else 0
        return money(price * self.quantity, self._order.currency_id, self._order.currency_decimals)


@strawberry.interface
class Shipment:
    id: int
    number: str
    is_good_to_go: bool
    is_shipped: bool
    is_paid: bool
    shipment_info: ShipmentInfo
    is_captured: bool
    number_of_packages: int | None
    tracking_number: str | None = None
    return_tracking_number: str | None = None
    additional_message: str | None
    _row: strawberry.Private[models.Shipment]
    _order: strawberry.Private[models.Order]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")
    updated_at: DateTimeTz = date_field("_row.updated_at", name="updatedAt")
    shipped_at: DateTimeTz | None = date_field("_row.shipped_at", name="shippedAt", optional=True)

    @strawberry.field
    def paid_at(self) -> DateTimeTz | None:
        return self._row.updated_at if self._row.captured else None

    @strawberry.field
    def captured_at(self) -> DateTimeTz | None:
        return self._row.updated_at if self._row.captured else None

    @strawberry.field
    async def order(self, info: Info[Any, Any]) -> Order:
        return await order_object(info, self._order)

    @strawberry.field
    async def lines(self, info: Info[Any, Any]) -> list[ShipmentLine]:
        found = await info.context.loaders.many(models.ShipmentLine, models.ShipmentLine.shipment_id).load(self._row.id)
        return [
            ShipmentLine(
                id=r.id, quantity=r.quantity, returned_quantity=r.quantity_returned, _row=r, _order=self._order
            )
            for r in found
        ]

    @strawberry.field
    def value(self) -> MonetaryValue:
        return money(self._row.amount_minor, self._order.currency_id, self._order.currency_decimals)

    @strawberry.field
    async def grand_total(self, info: Info[Any, Any], including_tax: bool = True) -> MonetaryValue:
        amount = self._row.amount_minor
        if not including_tax:
            amount -= (await tax_of_shipment(info, self._order, self._row)).tax_minor
        return money(amount, self._order.currency_id, self._order.currency_decimals)

    @strawberry.field
    def carrier_information(self) -> CarrierInformation:
        return CarrierInformation(carrier_name=self._row.carrier, service_name=self._row.service)

    @strawberry.field
    def discounts_applied(self) -> list[OrderDiscount]:
        return applied_discounts(self._order, first_shipment=self._row.appendix == 1)

    @strawberry.field
    def internal_shipping_cost(self) -> MonetaryValue | None:
        """What the shipping cost the brand; OpenCentra does not keep it, so always null."""
        return None

    @strawberry.field
    def admin_user(self) -> AdminUser | None:
        """The staff user who made the shipment; null for shipments made through an API."""
        return None

    @strawberry.field
    def shipment_plugin(self) -> ShipmentPlugin | None:
        """The shipping plugin that booked it; OpenCentra books none."""
        return None

    @strawberry.field
    async def shipping_address(self, info: Info[Any, Any]) -> Address | None:
        check(info, "Shipment.shippingAddress:read")
        return Address.of(read_address(self._order, "shipping_", SHIPPING_FIELDS), self._order.email)


@strawberry.type
class DirectToConsumerShipment(Shipment):
    pass


@strawberry.type
class WholesaleShipment(Shipment):
    pass


def shipment_object(row: models.Shipment, order: models.Order, store_type: DomainStoreType) -> Shipment:
    cls: type[Shipment] = WholesaleShipment if store_type == DomainStoreType.WHOLESALE else DirectToConsumerShipment
    return cls(
        id=row.id,
        number=row.number,
        is_good_to_go=row.good_to_go,
        is_shipped=row.status == models.ShipmentStatus.COMPLETED,
        is_paid=row.captured,
        is_captured=row.captured,
        number_of_packages=row.packages,
        tracking_number=row.tracking_number,
        return_tracking_number=row.return_slip_tracking,
        additional_message=None,
        shipment_info=ShipmentInfo(
            carrier=row.carrier,
            service=row.service,
            packages_number=row.packages,
            tracking_number=row.tracking_number,
            return_tracking_number=row.return_slip_tracking,
        ),
        _row=row,
        _order=order,
    )


@strawberry.enum
class ReturnStatus(enum.Enum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"


@strawberry.type
class ReturnLine:
    id: int
    quantity: int
    unit_price: MonetaryValue
    _row: strawberry.Private[models.ReturnLine]
    _order: strawberry.Private[models.Order]

    @strawberry.field
    async def order_line(self, info: Info[Any, Any]) -> OrderLine:
        row = await info.context.loaders.one(models.OrderLine).load(self._row.order_line_id)
        assert row is not None
        return OrderLine.of(row, self._order)

    @strawberry.field
    async def shipment_line(self, info: Info[Any, Any]) -> ShipmentLine:
        r = await info.context.loaders.one(models.ShipmentLine).load(self._row.shipment_line_id)
        assert r is not None
        return ShipmentLine(
            id=r.id, quantity=r.quantity, returned_quantity=r.quantity_returned, _row=r, _order=self._order
        )


async def _return_purchaser(root: Return, info: Info[Any, Any]) -> Customer | None:
    """The shopper of a direct-to-consumer return (null on wholesale ones)."""
    check(info, "Purchaser:read")
    if await _store_type_of(info, root._order.store_id) == DomainStoreType.WHOLESALE:
        return None
    row = await info.context.loaders.customer.load(root._order.customer_id)
    return Customer.of(row) if row is not None else None


@strawberry.interface
class Return:
    id: int
    status: ReturnStatus
    comment: str | None
    returned_to_stock: bool
    is_refunded: bool
    refund_value: MonetaryValue
    return_cost: MonetaryValue
    _row: strawberry.Private[models.Return]
    _order: strawberry.Private[models.Order]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")
    completed_at: DateTimeTz | None = date_field("_row.completed_at", name="completedAt", optional=True)
    purchaser: Customer | None = strawberry.field(
        resolver=_return_purchaser, deprecation_reason="Purchaser is split into Customer and Buyer; use customer."
    )

    @strawberry.field
    async def order(self, info: Info[Any, Any]) -> Order:
        return await order_object(info, self._order)

    @strawberry.field
    async def shipment(self, info: Info[Any, Any]) -> Shipment:
        row = await info.context.loaders.one(models.Shipment).load(self._row.shipment_id)
        assert row is not None
        return shipment_object(row, self._order, await _store_type_of(info, self._order.store_id))

    @strawberry.field
    async def lines(self, info: Info[Any, Any]) -> list[ReturnLine]:
        found = await info.context.loaders.many(models.ReturnLine, models.ReturnLine.return_id).load(self._row.id)
        order = self._order
        return [
            ReturnLine(
                id=r.id,
                quantity=r.quantity,
                unit_price=money(r.unit_price_minor, order.currency_id, order.currency_decimals),
                _row=r,
                _order=order,
            )
            for r in found
        ]


@strawberry.type
class DirectToConsumerReturn(Return):
    @strawberry.field
    async def customer(self, info: Info[Any, Any]) -> Customer | None:
        row = await info.context.loaders.customer.load(self._order.customer_id)
        return Customer.of(row) if row is not None else None


@strawberry.type
class WholesaleReturn(Return):
    pass


def return_object(row: models.Return, order: models.Order, store_type: DomainStoreType) -> Return:
    cls: type[Return] = WholesaleReturn if store_type == DomainStoreType.WHOLESALE else DirectToConsumerReturn
    currency, decimals = order.currency_id, order.currency_decimals
    return cls(
        id=row.id,
        status=ReturnStatus.COMPLETED if row.status == models.ReturnStatus.COMPLETED else ReturnStatus.PENDING,
        comment=row.comment,
        returned_to_stock=row.return_stock,
        is_refunded=row.refunded,
        refund_value=money(row.refund_minor, currency, decimals),
        return_cost=money(row.return_cost_minor, currency, decimals),
        _row=row,
        _order=order,
    )


@strawberry.interface
class Order:
    id: str
    number: int
    status: OrderStatus
    store_type: StoreType
    is_on_hold: bool
    is_waiting_for_payment: bool
    other_comment: str | None
    grand_total: MonetaryValue
    _row: strawberry.Private[models.Order]
    _store_type: strawberry.Private[DomainStoreType]
    is_locked: bool = False

    order_date: DateTimeTz = date_field("_row.order_date", name="orderDate")
    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")
    updated_at: DateTimeTz = date_field("_row.updated_at", name="updatedAt")

    @strawberry.field
    def shipping_price_group(self) -> ShippingPriceGroup | None:
        return shipping_price_group(self._row)

    @strawberry.field
    async def totals(self, info: Info[Any, Any]) -> OrderTotals:
        amounts = await amounts_of(info, self._row)
        currency, decimals = amounts.currency_id, amounts.decimals
        return OrderTotals(
            items_total=money(amounts.items_total_minor, currency, decimals),
            shipping=money(amounts.shipping_minor, currency, decimals),
            handling=money(amounts.handling_minor, currency, decimals),
            discounts=money(amounts.discount_minor, currency, decimals),
            tax_included=money(amounts.tax.tax_minor, currency, decimals),
            grand_total=money(amounts.grand_total_minor, currency, decimals),
            tax_added=money(0, currency, decimals),
            tax_deducted=money(0, currency, decimals),
            _order_id=amounts.order_id,
        )

    @strawberry.field
    async def store(self, info: Info[Any, Any]) -> Store:
        return await load_store(info, self._row.store_id)

    @strawberry.field
    async def market(self, info: Info[Any, Any]) -> Market:
        return await load_market(info, self._row.market_id)

    @strawberry.field
    async def pricelist(self, info: Info[Any, Any]) -> Pricelist:
        return await load_pricelist(info, self._row.pricelist_id)

    @strawberry.field
    async def lines(self, info: Info[Any, Any], include_fully_cancelled: bool = False) -> list[OrderLine]:
        found = await info.context.loaders.order_lines.load(self._row.id)
        return [
            OrderLine.of(r, self._row) for r in found if include_fully_cancelled or r.quantity_cancelled < r.quantity
        ]

    @strawberry.field
    def discounts_applied(self) -> list[OrderDiscount]:
        return applied_discounts(self._row)

    @strawberry.field
    async def shipments(self, info: Info[Any, Any]) -> list[Shipment]:
        found = await info.context.loaders.shipments.load(self._row.id)
        return [shipment_object(r, self._row, self._store_type) for r in found]

    @strawberry.field
    async def returns(self, info: Info[Any, Any]) -> list[Return]:
        found = await info.context.loaders.many(models.Return, models.Return.order_id).load(self._row.id)
        return [return_object(r, self._row, self._store_type) for r in found]

    @strawberry.field
    async def payment_method(self, info: Info[Any, Any]) -> b2b_fields.PaymentMethod | None:
        return await b2b_fields.order_payment_method(info, self._row)

    @strawberry.field
    async def payment_history(
        self, info: Info[Any, Any], where: PaymentHistoryFilter | None = None
    ) -> list[PaymentHistoryEntry] | None:
        check(info, "PaymentHistory:read")
        loader = info.context.loaders.many(models.PaymentTransaction, models.PaymentTransaction.order_id)
        found = [PaymentHistoryEntry.of(r, self._row) for r in await loader.load(self._row.id)]
        return [entry for entry in found if where is None or where.matches(entry)]

    @strawberry.field
    def shipping_address(self, info: Info[Any, Any]) -> Address | None:
        check(info, "Order.shippingAddress:read")
        return Address.of(read_address(self._row, "shipping_", SHIPPING_FIELDS), self._row.email)

    @strawberry.field
    def billing_address(self, info: Info[Any, Any]) -> Address | None:
        check(info, "Order.billingAddress:read")
        return Address.of(read_address(self._row, "billing_"), self._row.email)

    @strawberry.field
    def internal_comment(self, info: Info[Any, Any]) -> str | None:
        check(info, "Order.internalComment:read")
        return self._row.internal_comment


@strawberry.type
class DirectToConsumerOrder(Order):
    @strawberry.field
    async def customer(self, info: Info[Any, Any]) -> Customer | None:
        row = await info.context.loaders.customer.load(self._row.customer_id)
        return Customer.of(row) if row is not None else None


@strawberry.type
class WholesaleOrder(Order):
    @strawberry.field
    def purchase_order_number(self) -> str | None:
        return self._row.po_number

    @strawberry.field
    async def delivery_windows(self, info: Info[Any, Any]) -> list[DeliveryWindow]:
        return await b2b_fields.order_delivery_windows(info, self._row)

    @strawberry.field
    async def account(self, info: Info[Any, Any]) -> Account | None:
        check(info, "Account:read")
        if self._row.account_id is None:
            return None
        row = await info.context.loaders.one(wholesale_models.Account).load(self._row.account_id)
        return Account.of(row) if row is not None else None

    @strawberry.field
    async def buyer(self, info: Info[Any, Any]) -> Buyer | None:
        check(info, "Buyer:read")
        if self._row.buyer_id is None:
            return None
        row = await info.context.loaders.one(wholesale_models.Buyer).load(self._row.buyer_id)
        return Buyer.of(row) if row is not None else None


def make_order(row: models.Order, store_type: DomainStoreType) -> Order:
    cls: type[Order] = WholesaleOrder if store_type == DomainStoreType.WHOLESALE else DirectToConsumerOrder
    return cls(
        id=order_public_id(row.id),
        number=row.number,
        status=_STATUS[row.status],
        store_type=StoreType.WHOLESALE if store_type == DomainStoreType.WHOLESALE else StoreType.DIRECT_TO_CONSUMER,
        is_locked=row.locked,
        is_on_hold=row.hold,
        is_waiting_for_payment=row.waiting_for_payment,
        other_comment=row.comment,
        grand_total=money(row.grand_total_minor, row.currency_id, row.currency_decimals),
        _row=row,
        _store_type=store_type,
    )


async def order_object(info: Info[Any, Any], row: models.Order) -> Order:
    return make_order(row, await _store_type_of(info, row.store_id))


# --- filters, sorts, lists, connections ------------------------------------------------


@strawberry.enum
class OrderSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    number_ASC = "number_ASC"
    number_DESC = "number_DESC"
    orderDate_ASC = "orderDate_ASC"
    orderDate_DESC = "orderDate_DESC"
    createdAt_ASC = "createdAt_ASC"
    createdAt_DESC = "createdAt_DESC"
    updatedAt_ASC = "updatedAt_ASC"
    updatedAt_DESC = "updatedAt_DESC"


_ORDER_SORT = {
    "id": models.Order.id,
    "number": models.Order.number,
    "orderDate": models.Order.order_date,
    "createdAt": models.Order.created_at,
    "updatedAt": models.Order.updated_at,
}


@strawberry.input
class OrderFilter:
    id: list[str] | None = None
    number: int | None = None
    status: list[OrderStatus] | None = None
    store_type: StoreType | None = None
    store_id: int | None = None
    market_id: list[int] | None = None
    customer_id: list[int] | None = None
    created_at: DateTimeFilter | None = None
    order_date: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    not_null: list[str] | None = None


_NOT_NULL = {"accountId", "customerId", "id", "number"}


def order_statement(context: GraphQLContext, where: OrderFilter | None) -> Any:
    o = models.Order
    statement: Any = select(o, StoreRow.type).join(StoreRow, StoreRow.id == o.store_id)
    if context.store_id is not None:
        statement = statement.where(o.store_id == context.store_id)
    if where is None:
        return statement
    if where.id is not None:
        ids = [parse_order_id(value) for value in where.id]
        statement = statement.where(o.id.in_([i for i in ids if i is not None]))
    if where.number is not None:
        statement = statement.where(o.number == where.number)
    if where.status is not None:
        statement = statement.where(o.status.in_([_DOMAIN_STATUS[s] for s in where.status]))
    if where.store_type is not None:
        wanted = DomainStoreType.WHOLESALE if where.store_type == StoreType.WHOLESALE else DomainStoreType.DTC
        statement = statement.where(StoreRow.type == wanted)
    if where.store_id is not None:
        statement = statement.where(o.store_id == where.store_id)
    if where.market_id is not None:
        statement = statement.where(o.market_id.in_(where.market_id))
    if where.customer_id is not None:
        statement = statement.where(o.customer_id.in_(where.customer_id))
    for name in where.not_null or []:
        if name not in _NOT_NULL:
            raise input_error(f"notNull accepts {', '.join(sorted(_NOT_NULL))}, not {name!r}", "where")
        if name == "accountId":
            # Only wholesale orders belong to an account.
            statement = statement.where(StoreRow.type == DomainStoreType.WHOLESALE)
    return statement.where(
        *range_condition(o.created_at, where.created_at),
        *range_condition(o.order_date, where.order_date),
        *range_condition(o.updated_at, where.updated_at),
    )


async def _orders(context: GraphQLContext, statement: Select[Any]) -> list[Order]:
    async with context.read() as session:
        result = (await session.execute(statement)).all()
    return [make_order(row, store_type) for row, store_type in result]


async def resolve_orders(
    info: Info[Any, Any],
    where: OrderFilter | None = None,
    sort: list[OrderSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Order]:
    statement = apply_sort(order_statement(info.context, where), sort, _ORDER_SORT, models.Order.id)
    return await _orders(info.context, apply_page(statement, limit, page))


async def resolve_order(info: Info[Any, Any], id: str) -> Order | None:
    internal = parse_order_id(id)
    if internal is None:
        return None
    statement = order_statement(info.context, None).where(models.Order.id == internal)
    found = await _orders(info.context, statement)
    return found[0] if found else None


async def count_orders(context: GraphQLContext, where: OrderFilter | None) -> int:
    statement = select(func.count()).select_from(order_statement(context, where).subquery())
    async with context.read() as session:
        return int(await session.scalar(statement) or 0)


@strawberry.type
class OrderEdge:
    node: Order
    cursor: str


@strawberry.type
class OrderConnection:
    total_count: int
    page_info: PageInfo
    edges: list[OrderEdge]

    @strawberry.field
    def nodes(self) -> list[Order]:
        return [edge.node for edge in self.edges]


async def resolve_order_connection(
    info: Info[Any, Any],
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    where: OrderFilter | None = None,
    sort: list[OrderSort] | None = None,
) -> OrderConnection:
    context: GraphQLContext = info.context
    size, from_end = connection_window(first, last)
    field, _, direction = (sort[0].value if sort else "number_ASC").rpartition("_")
    descending = direction == "DESC"
    column, tiebreak = _ORDER_SORT[field], models.Order.id
    base = order_statement(context, where)
    statement = base
    for cursor, is_after in ((after, True), (before, False)):
        if cursor is None:
            continue
        name = "after" if is_after else "before"
        cursor_field, raw, row_id = decode_cursor(cursor, name)
        if cursor_field != field:
            raise input_error(f"{name} was issued for another sort order", name)
        value = coerce_cursor_value(field, raw, name)
        statement = statement.where(
            keyset_condition(column, tiebreak, value, row_id, after=is_after, descending=descending)
        )
    reverse = from_end
    forward_order: list[Any] = [
        column.desc() if descending else column.asc(),
        tiebreak.desc() if descending else tiebreak.asc(),
    ]
    backward_order: list[Any] = [
        column.asc() if descending else column.desc(),
        tiebreak.asc() if descending else tiebreak.desc(),
    ]
    statement = statement.order_by(*(backward_order if reverse else forward_order)).limit(size + 1)
    found = await _orders(context, statement)
    more = len(found) > size
    found = found[:size]
    if reverse:
        found.reverse()
    total = int(await _scalar(context, select(func.count()).select_from(base.subquery())))
    edges = [OrderEdge(node=order, cursor=_order_cursor(field, order)) for order in found]
    page_info = PageInfo(
        has_next_page=more if not reverse else before is not None,
        has_previous_page=more if reverse else after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return OrderConnection(total_count=total, page_info=page_info, edges=edges)


def _order_cursor(field: str, order: Order) -> str:
    row = order._row
    value = {
        "id": row.id,
        "number": row.number,
        "orderDate": row.order_date,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }[field]
    return encode_cursor(field, value.isoformat() if hasattr(value, "isoformat") else value, row.id)


async def _scalar(context: GraphQLContext, statement: Any) -> Any:
    async with context.read() as session:
        return await session.scalar(statement) or 0


# --- shipments and returns at the root -----------------------------------------------------


@strawberry.input
class ShipmentFilter:
    id: list[int] | None = None
    order_id: list[str] | None = None
    store_type: StoreType | None = None
    is_shipped: bool | None = None
    created_at: DateTimeFilter | None = None


async def resolve_shipments(
    info: Info[Any, Any], where: ShipmentFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[Shipment]:
    context: GraphQLContext = info.context
    s, o = models.Shipment, models.Order
    statement: Any = select(s, o, StoreRow.type).join(o, o.id == s.order_id).join(StoreRow, StoreRow.id == o.store_id)
    if context.store_id is not None:
        statement = statement.where(o.store_id == context.store_id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(s.id.in_(where.id))
        if where.order_id is not None:
            statement = statement.where(o.id.in_([i for i in map(parse_order_id, where.order_id) if i is not None]))
        if where.store_type is not None:
            wanted = DomainStoreType.WHOLESALE if where.store_type == StoreType.WHOLESALE else DomainStoreType.DTC
            statement = statement.where(StoreRow.type == wanted)
        if where.is_shipped is not None:
            done = s.status == models.ShipmentStatus.COMPLETED
            statement = statement.where(done if where.is_shipped else ~done)
        statement = statement.where(*range_condition(s.created_at, where.created_at))
    statement = apply_page(statement.order_by(s.id), limit, page)
    async with context.read() as session:
        result = (await session.execute(statement)).all()
    return [shipment_object(row, order, store_type) for row, order, store_type in result]


async def resolve_shipment(info: Info[Any, Any], id: int) -> Shipment | None:
    found = await resolve_shipments(info, ShipmentFilter(id=[id]), 1)
    return found[0] if found else None


@strawberry.input
class ReturnFilter:
    id: list[int] | None = None
    customer_id: int | None = None
    purchaser_id: int | None = None
    store_type: StoreType | None = None
    created_at: DateTimeFilter | None = None


async def resolve_returns(
    info: Info[Any, Any], where: ReturnFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[Return]:
    context: GraphQLContext = info.context
    r, o = models.Return, models.Order
    statement: Any = select(r, o, StoreRow.type).join(o, o.id == r.order_id).join(StoreRow, StoreRow.id == o.store_id)
    if context.store_id is not None:
        statement = statement.where(o.store_id == context.store_id)
    if where is not None:
        if where.id is not None:
            statement = statement.where(r.id.in_(where.id))
        for customer in (where.customer_id, where.purchaser_id):
            if customer is not None:
                statement = statement.where(o.customer_id == customer)
        if where.store_type is not None:
            wanted = DomainStoreType.WHOLESALE if where.store_type == StoreType.WHOLESALE else DomainStoreType.DTC
            statement = statement.where(StoreRow.type == wanted)
        statement = statement.where(*range_condition(r.created_at, where.created_at))
    statement = apply_page(statement.order_by(r.id), limit, page)
    async with context.read() as session:
        result = (await session.execute(statement)).all()
    return [return_object(row, order, store_type) for row, order, store_type in result]


__all__ = ["Order", "OrderStatus", "Return", "Shipment", "rows"]
