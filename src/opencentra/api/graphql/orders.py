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
from strawberry.types import Info

from opencentra import orders as domain
from opencentra.api.graphql import order_b2b_fields as b2b_fields
from opencentra.api.graphql.catalog import Brand, Display, Product, ProductSize, ProductVariant
from opencentra.api.graphql.common import (
    DateTimeFilter,
    DateTimeTz,
    MonetaryValue,
    PageInfo,
    StoreType,
    coerce_cursor_value,
    connection_window,
    decode_cursor,
    encode_cursor,
    input_error,
    money,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import Address, Customer, load_customer
from opencentra.api.graphql.dates import date_field
from opencentra.api.graphql.listing import between, sort_keys, window
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
from opencentra.api.graphql.sorting import ReturnSort, ShipmentSort
from opencentra.api.graphql.stores import Market, Pricelist, Store, load_market, load_pricelist, load_store
from opencentra.api.graphql.wholesale import Account, Buyer, DeliveryWindow, load_account, load_buyer
from opencentra.catalog import ProductSizeView, display_items_by_id
from opencentra.db.listing import Cursor, SortKey
from opencentra.orders import OrderStatus as DomainStatus
from opencentra.stores import StoreType as DomainStoreType


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
    def of(cls, row: domain.PaymentEntryView, order: domain.OrderView) -> PaymentHistoryEntry:
        kind = {
            domain.TransactionKind.AUTHORIZE: PaymentHistoryEntryType.AUTHORIZATION,
            domain.TransactionKind.CAPTURE: PaymentHistoryEntryType.CAPTURE,
            domain.TransactionKind.REFUND: PaymentHistoryEntryType.REFUND,
        }.get(row.kind, PaymentHistoryEntryType.CANCEL)
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
    _row: strawberry.Private[domain.OrderLineView]
    _order: strawberry.Private[domain.OrderView]

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
    def of(cls, row: domain.OrderLineView, order: domain.OrderView) -> OrderLine:
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
    _row: strawberry.Private[domain.ShipmentLineView]
    _order: strawberry.Private[domain.OrderView]

    @strawberry.field
    async def order_line(self, info: Info[Any, Any]) -> OrderLine:
        row = await info.context.loaders.order_line.load(self._row.order_line_id)
        assert row is not None
        return OrderLine.of(row, self._order)

    @strawberry.field
    async def line_value(self, info: Info[Any, Any]) -> MonetaryValue:
        row = await info.context.loaders.order_line.load(self._row.order_line_id)
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
    _row: strawberry.Private[domain.ShipmentView]
    _order: strawberry.Private[domain.OrderView]

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
        return make_order(self._order)

    @strawberry.field
    async def lines(self, info: Info[Any, Any]) -> list[ShipmentLine]:
        found = await info.context.loaders.shipment_lines.load(self._row.id)
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
        return Address.of(self._order.shipping_address, self._order.email)


@strawberry.type
class DirectToConsumerShipment(Shipment):
    pass


@strawberry.type
class WholesaleShipment(Shipment):
    pass


def shipment_object(row: domain.ShipmentView, order: domain.OrderView) -> Shipment:
    cls: type[Shipment] = WholesaleShipment if order.wholesale else DirectToConsumerShipment
    return cls(
        id=row.id,
        number=row.number,
        is_good_to_go=row.good_to_go,
        is_shipped=row.shipped,
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
    _row: strawberry.Private[domain.ReturnLineView]
    _order: strawberry.Private[domain.OrderView]

    @strawberry.field
    async def order_line(self, info: Info[Any, Any]) -> OrderLine:
        row = await info.context.loaders.order_line.load(self._row.order_line_id)
        assert row is not None
        return OrderLine.of(row, self._order)

    @strawberry.field
    async def shipment_line(self, info: Info[Any, Any]) -> ShipmentLine:
        r = await info.context.loaders.shipment_line.load(self._row.shipment_line_id)
        assert r is not None
        return ShipmentLine(
            id=r.id, quantity=r.quantity, returned_quantity=r.quantity_returned, _row=r, _order=self._order
        )


async def _return_purchaser(root: Return, info: Info[Any, Any]) -> Customer | None:
    """The shopper of a direct-to-consumer return (null on wholesale ones)."""
    check(info, "Purchaser:read")
    if root._order.wholesale:
        return None
    return await load_customer(info, root._order.customer_id)


@strawberry.interface
class Return:
    id: int
    status: ReturnStatus
    comment: str | None
    returned_to_stock: bool
    is_refunded: bool
    refund_value: MonetaryValue
    return_cost: MonetaryValue
    _row: strawberry.Private[domain.ReturnView]
    _order: strawberry.Private[domain.OrderView]

    created_at: DateTimeTz = date_field("_row.created_at", name="createdAt")
    completed_at: DateTimeTz | None = date_field("_row.completed_at", name="completedAt", optional=True)
    purchaser: Customer | None = strawberry.field(
        resolver=_return_purchaser, deprecation_reason="Purchaser is split into Customer and Buyer; use customer."
    )

    @classmethod
    def of(cls, found: tuple[domain.ReturnView, domain.OrderView]) -> Return:
        """The return's object (``return_object``), for fields that name this type lazily."""
        return return_object(*found)

    @strawberry.field
    async def order(self, info: Info[Any, Any]) -> Order:
        return make_order(self._order)

    @strawberry.field
    async def shipment(self, info: Info[Any, Any]) -> Shipment:
        row = await info.context.loaders.shipment.load(self._row.shipment_id)
        assert row is not None
        return shipment_object(row, self._order)

    @strawberry.field
    async def lines(self, info: Info[Any, Any]) -> list[ReturnLine]:
        found = await info.context.loaders.return_lines.load(self._row.id)
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
        return await load_customer(info, self._order.customer_id)


@strawberry.type
class WholesaleReturn(Return):
    pass


def return_object(row: domain.ReturnView, order: domain.OrderView) -> Return:
    cls: type[Return] = WholesaleReturn if order.wholesale else DirectToConsumerReturn
    currency, decimals = order.currency_id, order.currency_decimals
    return cls(
        id=row.id,
        status=ReturnStatus.COMPLETED if row.completed else ReturnStatus.PENDING,
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
    _row: strawberry.Private[domain.OrderView]
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
        return [shipment_object(r, self._row) for r in found]

    @strawberry.field
    async def returns(self, info: Info[Any, Any]) -> list[Return]:
        found = await info.context.loaders.returns.load(self._row.id)
        return [return_object(r, self._row) for r in found]

    @strawberry.field
    async def payment_method(self, info: Info[Any, Any]) -> b2b_fields.PaymentMethod | None:
        return await b2b_fields.order_payment_method(info, self._row)

    @strawberry.field
    async def payment_history(
        self, info: Info[Any, Any], where: PaymentHistoryFilter | None = None
    ) -> list[PaymentHistoryEntry] | None:
        check(info, "PaymentHistory:read")
        found = [PaymentHistoryEntry.of(r, self._row) for r in await info.context.loaders.payments.load(self._row.id)]
        return [entry for entry in found if where is None or where.matches(entry)]

    @strawberry.field
    def shipping_address(self, info: Info[Any, Any]) -> Address | None:
        check(info, "Order.shippingAddress:read")
        return Address.of(self._row.shipping_address, self._row.email)

    @strawberry.field
    def billing_address(self, info: Info[Any, Any]) -> Address | None:
        check(info, "Order.billingAddress:read")
        return Address.of(self._row.billing_address, self._row.email)

    @strawberry.field
    def internal_comment(self, info: Info[Any, Any]) -> str | None:
        check(info, "Order.internalComment:read")
        return self._row.internal_comment


@strawberry.type
class DirectToConsumerOrder(Order):
    @strawberry.field
    async def customer(self, info: Info[Any, Any]) -> Customer | None:
        return await load_customer(info, self._row.customer_id)


@strawberry.type
class WholesaleOrder(Order):
    @classmethod
    def of(cls, row: domain.OrderView) -> Order:
        """The order's object (``make_order``), for fields that build it from a lazily named type."""
        return make_order(row)

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
        return await load_account(info, self._row.account_id)

    @strawberry.field
    async def buyer(self, info: Info[Any, Any]) -> Buyer | None:
        check(info, "Buyer:read")
        if self._row.buyer_id is None:
            return None
        return await load_buyer(info, self._row.buyer_id)


def make_order(row: domain.OrderView) -> Order:
    cls: type[Order] = WholesaleOrder if row.wholesale else DirectToConsumerOrder
    return cls(
        id=order_public_id(row.id),
        number=row.number,
        status=_STATUS[row.status],
        store_type=StoreType.WHOLESALE if row.wholesale else StoreType.DIRECT_TO_CONSUMER,
        is_locked=row.locked,
        is_on_hold=row.hold,
        is_waiting_for_payment=row.waiting_for_payment,
        other_comment=row.comment,
        grand_total=money(row.grand_total_minor, row.currency_id, row.currency_decimals),
        _row=row,
    )


async def load_order(info: Info[Any, Any], order_id: int) -> Order | None:
    """The order with this id, through the request's loader (no store check: the caller's object is in scope)."""
    found = await info.context.loaders.order.load(order_id)
    return None if found is None else make_order(found)


async def load_shipment(info: Info[Any, Any], shipment_id: int) -> Shipment | None:
    """The shipment with this id and its order, through the request's loaders (no store check)."""
    found = await info.context.loaders.shipment.load(shipment_id)
    order = None if found is None else await info.context.loaders.order.load(found.order_id)
    return None if found is None or order is None else shipment_object(found, order)


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


# Wire sort fields and the orders domain's (``orders.ORDER_SORTS``).
_ORDER_SORT = {
    "id": "id",
    "number": "number",
    "orderDate": "order_date",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
}


def _sort_key(value: OrderSort) -> SortKey:
    field, _, direction = value.value.rpartition("_")
    return SortKey(_ORDER_SORT[field], descending=direction == "DESC")


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


def order_query(where: OrderFilter | None) -> domain.OrderQuery:
    """The orders domain's query for a list's ``where``."""
    if where is None:
        return domain.OrderQuery()
    for name in where.not_null or []:
        if name not in _NOT_NULL:
            raise input_error(f"notNull accepts {', '.join(sorted(_NOT_NULL))}, not {name!r}", "where")
    ids = None
    if where.id is not None:
        ids = tuple(i for i in map(parse_order_id, where.id) if i is not None)
    return domain.OrderQuery(
        ids=ids,
        number=where.number,
        statuses=None if where.status is None else tuple(_DOMAIN_STATUS[s] for s in where.status),
        store_type=_domain_store_type(where.store_type),
        store_id=where.store_id,
        market_ids=None if where.market_id is None else tuple(where.market_id),
        customer_ids=None if where.customer_id is None else tuple(where.customer_id),
        # Only wholesale orders belong to an account.
        with_account="accountId" in (where.not_null or []),
        created=between(where.created_at),
        ordered=between(where.order_date),
        updated=between(where.updated_at),
    )


def _domain_store_type(value: StoreType | None) -> DomainStoreType | None:
    if value is None:
        return None
    return DomainStoreType.WHOLESALE if value == StoreType.WHOLESALE else DomainStoreType.DTC


async def resolve_orders(
    info: Info[Any, Any],
    where: OrderFilter | None = None,
    sort: list[OrderSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Order]:
    context: GraphQLContext = info.context
    query, keys, rows_window = order_query(where), [_sort_key(s) for s in sort or []], window(limit, page)
    async with context.read() as session:
        found = await domain.order_page(session, query, keys, rows_window, store_scope=context.store_id)
    return [make_order(view) for view in found]


async def resolve_order(info: Info[Any, Any], id: str) -> Order | None:
    context: GraphQLContext = info.context
    internal = parse_order_id(id)
    if internal is None:
        return None
    async with context.read() as session:
        found = await domain.order_page(
            session, domain.OrderQuery(ids=(internal,)), [], window(1, 1), store_scope=context.store_id
        )
    return make_order(found[0]) if found else None


async def count_orders(context: GraphQLContext, where: OrderFilter | None) -> int:
    query = order_query(where)
    async with context.read() as session:
        return await domain.order_count(session, query, store_scope=context.store_id)


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
    chosen = sort[0] if sort else OrderSort.number_ASC
    field = chosen.value.rpartition("_")[0]
    query = order_query(where)
    cursors: dict[str, Cursor] = {}
    for name, cursor in (("after", after), ("before", before)):
        if cursor is None:
            continue
        cursor_field, raw, row_id = decode_cursor(cursor, name)
        if cursor_field != field:
            raise input_error(f"{name} was issued for another sort order", name)
        cursors[name] = Cursor(coerce_cursor_value(field, raw, name), row_id)
    async with context.read() as session:
        found = await domain.order_slice(
            session,
            query,
            sort=_sort_key(chosen),
            size=size,
            after=cursors.get("after"),
            before=cursors.get("before"),
            from_end=from_end,
            store_scope=context.store_id,
        )
    edges = [OrderEdge(node=make_order(view), cursor=_order_cursor(field, view)) for view in found.orders]
    page_info = PageInfo(
        has_next_page=found.more if not from_end else before is not None,
        has_previous_page=found.more if from_end else after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return OrderConnection(total_count=found.total, page_info=page_info, edges=edges)


def _order_cursor(field: str, row: domain.OrderView) -> str:
    value = {
        "id": row.id,
        "number": row.number,
        "orderDate": row.order_date,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }[field]
    return encode_cursor(field, value.isoformat() if hasattr(value, "isoformat") else value, row.id)


# --- shipments and returns at the root -----------------------------------------------------


@strawberry.input
class ShipmentFilter:
    id: list[int] | None = None
    order_id: list[str] | None = None
    store_type: StoreType | None = None
    is_shipped: bool | None = None
    created_at: DateTimeFilter | None = None


async def resolve_shipments(
    info: Info[Any, Any],
    where: ShipmentFilter | None = None,
    sort: list[ShipmentSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Shipment]:
    context: GraphQLContext = info.context
    query = domain.ShipmentQuery()
    if where is not None:
        query = domain.ShipmentQuery(
            ids=None if where.id is None else tuple(where.id),
            order_ids=None if where.order_id is None else _order_ids(where.order_id),
            store_type=_domain_store_type(where.store_type),
            shipped=where.is_shipped,
            created=between(where.created_at),
        )
    rows_window = window(limit, page)
    async with context.read() as session:
        found = await domain.shipment_page(
            session, query, rows_window, store_scope=context.store_id, sort=sort_keys(sort)
        )
    return [shipment_object(row, order) for row, order in found]


def _order_ids(values: list[str]) -> tuple[int, ...]:
    return tuple(i for i in map(parse_order_id, values) if i is not None)


async def resolve_shipment(info: Info[Any, Any], id: int) -> Shipment | None:
    found = await resolve_shipments(info, ShipmentFilter(id=[id]), limit=1)
    return found[0] if found else None


@strawberry.input
class ReturnFilter:
    id: list[int] | None = None
    customer_id: int | None = None
    purchaser_id: int | None = None
    store_type: StoreType | None = None
    created_at: DateTimeFilter | None = None

    def to_query(self) -> domain.ReturnQuery:
        """The domain's query (``return_query``), for fields in modules below this one."""
        return return_query(self)


async def resolve_returns(
    info: Info[Any, Any],
    where: ReturnFilter | None = None,
    sort: list[ReturnSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Return]:
    context: GraphQLContext = info.context
    query, rows_window = return_query(where), window(limit, page)
    async with context.read() as session:
        found = await domain.return_page(
            session, query, rows_window, store_scope=context.store_id, sort=sort_keys(sort)
        )
    return [return_object(row, order) for row, order in found]


def return_query(where: ReturnFilter | None) -> domain.ReturnQuery:
    if where is None:
        return domain.ReturnQuery()
    return domain.ReturnQuery(
        ids=None if where.id is None else tuple(where.id),
        customer_ids=tuple(c for c in (where.customer_id, where.purchaser_id) if c is not None),
        store_type=_domain_store_type(where.store_type),
        created=between(where.created_at),
    )


__all__ = ["Order", "OrderStatus", "Return", "Shipment"]
