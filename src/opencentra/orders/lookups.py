"""Orders, shipments, returns and payments as frozen read views: by id in batches, and in filtered pages.

The GraphQL Integration API (and any API that follows a graph of objects)
reads orders through here. The batch functions take a list of keys and
answer with one ``WHERE key IN (...)`` per chunk of keys, so a request's
dataloaders keep a page of N orders to a fixed number of statements. The
page functions take the filters an integration may give (``OrderQuery``...)
and the caller's ``store_scope``: the one store it may see, None for every
store; an order of another store is never found.

Every view carries what an API needs to render the object and to follow its
links (ids); the ORM rows never leave the domain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.address import SHIPPING_FIELDS, Address, read_address
from opencentra.catalog.models import ProductSize
from opencentra.db.listing import (
    Between,
    Cursor,
    SortKey,
    Window,
    between_conditions,
    beyond,
    chunks,
    grouped,
    keyed,
    ordered,
    windowed,
)
from opencentra.errors import ValidationFailed
from opencentra.orders.models import (
    Order,
    OrderAllocation,
    OrderLine,
    PaymentTransaction,
    Return,
    ReturnLine,
    ReturnStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TransactionKind,
    TransactionStatus,
)
from opencentra.orders.state import OrderStatus
from opencentra.selection.models import SelectionVoucher
from opencentra.stores.models import Store, StoreType
from opencentra.wholesale.models import DeliveryWindowMarket, DeliveryWindowVariant

K = TypeVar("K")
Rs = TypeVarTuple("Rs")
V = TypeVar("V")


# --- views --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderView:
    id: int
    number: int
    status: OrderStatus
    store_id: int
    # The store's type decides whether the order is a direct-to-consumer or a wholesale one.
    store_type: StoreType
    market_id: int
    pricelist_id: int
    customer_id: int
    account_id: int | None
    buyer_id: int | None
    selection_id: int | None
    shipping_method_id: int | None
    payment_method_id: int | None
    currency_id: int
    currency_decimals: int
    items_total_minor: int
    discount_minor: int
    shipping_minor: int
    handling_minor: int
    grand_total_minor: int
    locked: bool
    hold: bool
    waiting_for_payment: bool
    comment: str | None
    internal_comment: str | None
    po_number: str | None
    email: str
    billing_address: Address
    shipping_address: Address
    order_date: datetime
    created_at: datetime
    updated_at: datetime

    @property
    def wholesale(self) -> bool:
        return self.store_type == StoreType.WHOLESALE


@dataclass(frozen=True, slots=True)
class OrderLineView:
    id: int
    order_id: int
    product_size_id: int | None
    display_item_id: int | None
    product_name: str
    variant_name: str | None
    size_name: str | None
    sku: str | None
    quantity: int
    quantity_shipped: int
    quantity_returned: int
    quantity_cancelled: int
    unit_price_minor: int
    original_unit_price_minor: int
    discount_minor: int
    tax_bp: int
    comment: str | None


@dataclass(frozen=True, slots=True)
class AllocationView:
    """Units of an order line held in one warehouse."""

    id: int
    order_line_id: int
    warehouse_id: int
    quantity: int
    # The stock change that last added to this allocation.
    stock_change_id: int | None


@dataclass(frozen=True, slots=True)
class ShipmentView:
    id: int
    order_id: int
    number: str
    # 1 for the order's first shipment (which carries the order-level amounts).
    appendix: int
    good_to_go: bool
    shipped: bool
    captured: bool
    amount_minor: int
    packages: int | None
    carrier: str | None
    service: str | None
    tracking_number: str | None
    return_slip_tracking: str | None
    created_at: datetime
    updated_at: datetime
    shipped_at: datetime | None


@dataclass(frozen=True, slots=True)
class ShipmentLineView:
    id: int
    shipment_id: int
    order_line_id: int
    quantity: int
    quantity_returned: int


@dataclass(frozen=True, slots=True)
class ReturnView:
    id: int
    order_id: int
    shipment_id: int
    completed: bool
    comment: str | None
    return_stock: bool
    refunded: bool
    refund_minor: int
    return_cost_minor: int
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReturnLineView:
    id: int
    return_id: int
    shipment_line_id: int
    order_line_id: int
    quantity: int
    unit_price_minor: int


@dataclass(frozen=True, slots=True)
class PaymentEntryView:
    """One move of money with the payment provider (authorisation, capture, refund, cancel)."""

    id: int
    order_id: int
    kind: TransactionKind
    # "success", "pending" or "failed".
    status: str
    amount_minor: int
    reference: str | None
    provider: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class InvoiceView:
    """A captured shipment is the invoice: its number and total, dated at the first successful capture."""

    shipment: ShipmentView
    order: OrderView
    captured_at: datetime


def order_view(row: Order, store_type: StoreType) -> OrderView:
    return OrderView(
        id=row.id,
        number=row.number,
        status=row.status,
        store_id=row.store_id,
        store_type=store_type,
        market_id=row.market_id,
        pricelist_id=row.pricelist_id,
        customer_id=row.customer_id,
        account_id=row.account_id,
        buyer_id=row.buyer_id,
        selection_id=row.selection_id,
        shipping_method_id=row.shipping_method_id,
        payment_method_id=row.payment_method_id,
        currency_id=row.currency_id,
        currency_decimals=row.currency_decimals,
        items_total_minor=row.items_total_minor,
        discount_minor=row.discount_minor,
        shipping_minor=row.shipping_minor,
        handling_minor=row.handling_minor,
        grand_total_minor=row.grand_total_minor,
        locked=row.locked,
        hold=row.hold,
        waiting_for_payment=row.waiting_for_payment,
        comment=row.comment,
        internal_comment=row.internal_comment,
        po_number=row.po_number,
        email=row.email,
        billing_address=read_address(row, "billing_"),
        shipping_address=read_address(row, "shipping_", SHIPPING_FIELDS),
        order_date=row.order_date,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def order_line_view(row: OrderLine) -> OrderLineView:
    return OrderLineView(
        id=row.id,
        order_id=row.order_id,
        product_size_id=row.product_size_id,
        display_item_id=row.display_item_id,
        product_name=row.product_name,
        variant_name=row.variant_name,
        size_name=row.size_name,
        sku=row.sku,
        quantity=row.quantity,
        quantity_shipped=row.quantity_shipped,
        quantity_returned=row.quantity_returned,
        quantity_cancelled=row.quantity_cancelled,
        unit_price_minor=row.unit_price_minor,
        original_unit_price_minor=row.original_unit_price_minor,
        discount_minor=row.discount_minor,
        tax_bp=row.tax_bp,
        comment=row.comment,
    )


def _allocation_view(row: OrderAllocation) -> AllocationView:
    return AllocationView(row.id, row.order_line_id, row.warehouse_id, row.quantity, row.stock_change_id)


def shipment_view(row: Shipment) -> ShipmentView:
    return ShipmentView(
        id=row.id,
        order_id=row.order_id,
        number=row.number,
        appendix=row.appendix,
        good_to_go=row.good_to_go,
        shipped=row.status == ShipmentStatus.COMPLETED,
        captured=row.captured,
        amount_minor=row.amount_minor,
        packages=row.packages,
        carrier=row.carrier,
        service=row.service,
        tracking_number=row.tracking_number,
        return_slip_tracking=row.return_slip_tracking,
        created_at=row.created_at,
        updated_at=row.updated_at,
        shipped_at=row.shipped_at,
    )


def _shipment_line_view(row: ShipmentLine) -> ShipmentLineView:
    return ShipmentLineView(row.id, row.shipment_id, row.order_line_id, row.quantity, row.quantity_returned)


def return_view(row: Return) -> ReturnView:
    return ReturnView(
        id=row.id,
        order_id=row.order_id,
        shipment_id=row.shipment_id,
        completed=row.status == ReturnStatus.COMPLETED,
        comment=row.comment,
        return_stock=row.return_stock,
        refunded=row.refunded,
        refund_minor=row.refund_minor,
        return_cost_minor=row.return_cost_minor,
        created_at=row.created_at,
        completed_at=row.completed_at,
    )


def return_line_view(row: ReturnLine) -> ReturnLineView:
    return ReturnLineView(
        row.id, row.return_id, row.shipment_line_id, row.order_line_id, row.quantity, row.unit_price_minor
    )


def payment_entry_view(row: PaymentTransaction) -> PaymentEntryView:
    return PaymentEntryView(
        id=row.id,
        order_id=row.order_id,
        kind=TransactionKind(row.kind),
        status=row.status,
        amount_minor=row.amount_minor,
        reference=row.reference,
        provider=row.provider,
        created_at=row.created_at,
    )


# --- batches by key (for dataloaders) ------------------------------------------------------------


def _orders() -> Select[Order, StoreType]:
    return select(Order, Store.type).join(Store, Store.id == Order.store_id)


async def orders_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, OrderView]:
    found: dict[int, OrderView] = {}
    for chunk in chunks(ids):
        for row, store_type in await session.execute(_orders().where(Order.id.in_(chunk))):
            found[row.id] = order_view(row, store_type)
    return found


async def orders_of_accounts(session: AsyncSession, account_ids: Iterable[int]) -> dict[int, list[OrderView]]:
    """Each wholesale account's orders, oldest (lowest id) first."""
    found: dict[int, list[OrderView]] = defaultdict(list)
    for chunk in chunks(account_ids):
        statement = _orders().where(Order.account_id.in_(chunk)).order_by(Order.account_id, Order.id)
        for row, store_type in await session.execute(statement):
            assert row.account_id is not None
            found[row.account_id].append(order_view(row, store_type))
    return found


async def order_lines_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, OrderLineView]:
    return await keyed(session, OrderLine, OrderLine.id, ids, order_line_view)


async def lines_of_orders(session: AsyncSession, order_ids: Iterable[int]) -> dict[int, list[OrderLineView]]:
    return await grouped(session, OrderLine, OrderLine.order_id, order_ids, order_line_view, OrderLine.id)


async def allocations_of_lines(session: AsyncSession, line_ids: Iterable[int]) -> dict[int, list[AllocationView]]:
    return await grouped(
        session, OrderAllocation, OrderAllocation.order_line_id, line_ids, _allocation_view, OrderAllocation.id
    )


async def shipments_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, ShipmentView]:
    return await keyed(session, Shipment, Shipment.id, ids, shipment_view)


async def shipments_of_orders(session: AsyncSession, order_ids: Iterable[int]) -> dict[int, list[ShipmentView]]:
    return await grouped(session, Shipment, Shipment.order_id, order_ids, shipment_view, Shipment.id)


async def shipment_lines_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, ShipmentLineView]:
    return await keyed(session, ShipmentLine, ShipmentLine.id, ids, _shipment_line_view)


async def lines_of_shipments(session: AsyncSession, shipment_ids: Iterable[int]) -> dict[int, list[ShipmentLineView]]:
    return await grouped(
        session, ShipmentLine, ShipmentLine.shipment_id, shipment_ids, _shipment_line_view, ShipmentLine.id
    )


async def returns_of_orders(session: AsyncSession, order_ids: Iterable[int]) -> dict[int, list[ReturnView]]:
    return await grouped(session, Return, Return.order_id, order_ids, return_view, Return.id)


async def lines_of_returns(session: AsyncSession, return_ids: Iterable[int]) -> dict[int, list[ReturnLineView]]:
    return await grouped(session, ReturnLine, ReturnLine.return_id, return_ids, return_line_view, ReturnLine.id)


async def payments_of_orders(session: AsyncSession, order_ids: Iterable[int]) -> dict[int, list[PaymentEntryView]]:
    return await grouped(
        session, PaymentTransaction, PaymentTransaction.order_id, order_ids, payment_entry_view, PaymentTransaction.id
    )


async def applied_vouchers(session: AsyncSession, selection_ids: Iterable[int]) -> dict[int, int]:
    """The first voucher each order's selection carried when it was placed, by selection id.

    An order keeps its discount as one sum; this is the voucher an API shows for it.
    """
    found: dict[int, int] = {}
    for chunk in chunks(selection_ids):
        rows = await session.execute(
            select(SelectionVoucher.selection_id, SelectionVoucher.voucher_id)
            .where(SelectionVoucher.selection_id.in_(chunk))
            .order_by(SelectionVoucher.selection_id, SelectionVoucher.id)
        )
        for selection_id, voucher_id in rows:
            found.setdefault(selection_id, voucher_id)
    return found


async def delivery_windows_of_orders(session: AsyncSession, order_ids: Iterable[int]) -> dict[int, list[int]]:
    """The delivery windows (ids, ascending) that sell any of each order's variants in the order's market.

    Orders do not record a window; these are the windows the order could have been placed in.
    """
    found: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(order_ids):
        rows = await session.execute(
            select(OrderLine.order_id, DeliveryWindowVariant.delivery_window_id)
            .join(Order, Order.id == OrderLine.order_id)
            .join(ProductSize, ProductSize.id == OrderLine.product_size_id)
            .join(DeliveryWindowVariant, DeliveryWindowVariant.variant_id == ProductSize.variant_id)
            .join(
                DeliveryWindowMarket,
                (DeliveryWindowMarket.delivery_window_id == DeliveryWindowVariant.delivery_window_id)
                & (DeliveryWindowMarket.market_id == Order.market_id),
            )
            .where(OrderLine.order_id.in_(chunk))
            .distinct()
        )
        for order_id, window_id in rows:
            found[order_id].add(window_id)
    return {order_id: sorted(ids) for order_id, ids in found.items()}


# --- filtered pages --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """Which orders a list shows; every given condition must hold."""

    ids: tuple[int, ...] | None = None
    number: int | None = None
    statuses: tuple[OrderStatus, ...] | None = None
    store_type: StoreType | None = None
    store_id: int | None = None
    market_ids: tuple[int, ...] | None = None
    customer_ids: tuple[int, ...] | None = None
    # Only orders that belong to a wholesale account (those of wholesale stores).
    with_account: bool = False
    created: Between[datetime] | None = None
    ordered: Between[datetime] | None = None
    updated: Between[datetime] | None = None


ORDER_SORTS = {
    "id": Order.id,
    "number": Order.number,
    "order_date": Order.order_date,
    "created_at": Order.created_at,
    "updated_at": Order.updated_at,
}
"""What a list of orders can be sorted by (``SortKey.field``)."""


def _scoped(statement: Select[*Rs], store_scope: int | None) -> Select[*Rs]:
    return statement if store_scope is None else statement.where(Order.store_id == store_scope)


def _order_statement(query: OrderQuery, store_scope: int | None) -> Select[Order, StoreType]:
    statement = _scoped(_orders(), store_scope)
    conditions: list[ColumnElement[bool]] = []
    if query.ids is not None:
        conditions.append(Order.id.in_(query.ids))
    if query.number is not None:
        conditions.append(Order.number == query.number)
    if query.statuses is not None:
        conditions.append(Order.status.in_(query.statuses))
    if query.store_type is not None:
        conditions.append(Store.type == query.store_type)
    if query.store_id is not None:
        conditions.append(Order.store_id == query.store_id)
    if query.market_ids is not None:
        conditions.append(Order.market_id.in_(query.market_ids))
    if query.customer_ids is not None:
        conditions.append(Order.customer_id.in_(query.customer_ids))
    if query.with_account:
        conditions.append(Store.type == StoreType.WHOLESALE)
    conditions += between_conditions(Order.created_at, query.created)
    conditions += between_conditions(Order.order_date, query.ordered)
    conditions += between_conditions(Order.updated_at, query.updated)
    return statement.where(*conditions)


async def order_page(
    session: AsyncSession, query: OrderQuery, sort: Sequence[SortKey], window: Window, *, store_scope: int | None
) -> list[OrderView]:
    """Orders sorted by ``sort`` (``ORDER_SORTS``), then id."""
    for key in sort:
        if key.field not in ORDER_SORTS:
            raise ValidationFailed(f"orders cannot be sorted by {key.field}", field="sort")
    statement = windowed(ordered(_order_statement(query, store_scope), sort, ORDER_SORTS, Order.id), window)
    return [order_view(row, store_type) for row, store_type in await session.execute(statement)]


async def order_count(session: AsyncSession, query: OrderQuery, *, store_scope: int | None) -> int:
    statement = select(func.count()).select_from(_order_statement(query, store_scope).subquery())
    return int(await session.scalar(statement) or 0)


@dataclass(frozen=True, slots=True)
class OrderSlice:
    """A stretch of a keyset-paged order list."""

    orders: tuple[OrderView, ...]
    # More lie beyond the slice's far end (after it, or before it when counting from the end).
    more: bool
    # Every order the query matches.
    total: int


async def order_slice(
    session: AsyncSession,
    query: OrderQuery,
    *,
    sort: SortKey,
    size: int,
    after: Cursor | None = None,
    before: Cursor | None = None,
    from_end: bool = False,
    store_scope: int | None,
) -> OrderSlice:
    """Up to ``size`` orders after ``after`` and before ``before``: the first ones, or the last (``from_end``)."""
    column = ORDER_SORTS.get(sort.field)
    if column is None:
        raise ValidationFailed(f"orders cannot be sorted by {sort.field}", field="sort")
    base = _order_statement(query, store_scope)
    statement = base
    for cursor, is_after in ((after, True), (before, False)):
        if cursor is not None:
            statement = statement.where(beyond(column, Order.id, cursor, after=is_after, descending=sort.descending))
    ascending = sort.descending == from_end
    order: list[Any] = [column.asc(), Order.id.asc()] if ascending else [column.desc(), Order.id.desc()]
    rows = await session.execute(statement.order_by(*order).limit(size + 1))
    found = [order_view(row, store_type) for row, store_type in rows]
    more = len(found) > size
    found = found[:size]
    if from_end:
        found.reverse()
    total = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    return OrderSlice(orders=tuple(found), more=more, total=total)


@dataclass(frozen=True, slots=True)
class ShipmentQuery:
    ids: tuple[int, ...] | None = None
    order_ids: tuple[int, ...] | None = None
    store_type: StoreType | None = None
    shipped: bool | None = None
    created: Between[datetime] | None = None


async def shipment_page(
    session: AsyncSession,
    query: ShipmentQuery,
    window: Window,
    *,
    store_scope: int | None,
    sort: Sequence[SortKey] = (),
) -> list[tuple[ShipmentView, OrderView]]:
    """Shipments in ``sort`` order (``id``, ``created_at``), then id order, each with its order."""
    statement = _scoped(
        select(Shipment, Order, Store.type)
        .join(Order, Order.id == Shipment.order_id)
        .join(Store, Store.id == Order.store_id),
        store_scope,
    )
    if query.ids is not None:
        statement = statement.where(Shipment.id.in_(query.ids))
    if query.order_ids is not None:
        statement = statement.where(Order.id.in_(query.order_ids))
    if query.store_type is not None:
        statement = statement.where(Store.type == query.store_type)
    if query.shipped is not None:
        done = Shipment.status == ShipmentStatus.COMPLETED
        statement = statement.where(done if query.shipped else ~done)
    statement = statement.where(*between_conditions(Shipment.created_at, query.created))
    columns = {"id": Shipment.id, "created_at": Shipment.created_at}
    rows = await session.execute(windowed(ordered(statement, sort, columns, Shipment.id), window))
    return [(shipment_view(row), order_view(order, store_type)) for row, order, store_type in rows]


@dataclass(frozen=True, slots=True)
class ReturnQuery:
    ids: tuple[int, ...] | None = None
    # Each must be the customer of the return's order.
    customer_ids: tuple[int, ...] = ()
    store_type: StoreType | None = None
    created: Between[datetime] | None = None
    # Returns of these wholesale accounts' orders.
    account_ids: tuple[int, ...] | None = None


async def return_page(
    session: AsyncSession,
    query: ReturnQuery,
    window: Window,
    *,
    store_scope: int | None,
    sort: Sequence[SortKey] = (),
) -> list[tuple[ReturnView, OrderView]]:
    """Returns in ``sort`` order (``id``, ``created_at``), then id order, each with its order."""
    statement = _scoped(
        select(Return, Order, Store.type)
        .join(Order, Order.id == Return.order_id)
        .join(Store, Store.id == Order.store_id),
        store_scope,
    )
    if query.ids is not None:
        statement = statement.where(Return.id.in_(query.ids))
    for customer_id in query.customer_ids:
        statement = statement.where(Order.customer_id == customer_id)
    if query.store_type is not None:
        statement = statement.where(Store.type == query.store_type)
    statement = statement.where(*between_conditions(Return.created_at, query.created))
    if query.account_ids is not None:
        statement = statement.where(Order.account_id.in_(query.account_ids))
    columns = {"id": Return.id, "created_at": Return.created_at}
    rows = await session.execute(windowed(ordered(statement, sort, columns, Return.id), window))
    return [(return_view(row), order_view(order, store_type)) for row, order, store_type in rows]


@dataclass(frozen=True, slots=True)
class InvoiceQuery:
    # Shipment ids (an invoice is its captured shipment).
    ids: tuple[int, ...] | None = None
    order_ids: tuple[int, ...] | None = None
    # Bounds on the capture's date.
    created: Between[datetime] | None = None
    # Invoice (shipment) numbers, and the wholesale accounts whose orders they bill.
    numbers: tuple[str, ...] | None = None
    account_ids: tuple[int, ...] | None = None


async def invoice_page(
    session: AsyncSession,
    query: InvoiceQuery,
    window: Window,
    *,
    store_scope: int | None,
    sort: Sequence[SortKey] = (),
) -> list[InvoiceView]:
    """Captured shipments in ``sort`` order (``id``), then id order, each dated at its first successful capture."""
    t = PaymentTransaction
    captured = (
        select(t.shipment_id, func.min(t.created_at).label("at"))
        .where(t.kind == TransactionKind.CAPTURE, t.status == TransactionStatus.SUCCESS)
        .group_by(t.shipment_id)
        .subquery()
    )
    statement = _scoped(
        select(Shipment, Order, Store.type, captured.c.at)
        .join(captured, captured.c.shipment_id == Shipment.id)
        .join(Order, Order.id == Shipment.order_id)
        .join(Store, Store.id == Order.store_id)
        .where(Shipment.captured.is_(True)),
        store_scope,
    )
    if query.ids is not None:
        statement = statement.where(Shipment.id.in_(query.ids))
    if query.order_ids is not None:
        statement = statement.where(Order.id.in_(query.order_ids))
    if query.numbers is not None:
        statement = statement.where(Shipment.number.in_(query.numbers))
    if query.account_ids is not None:
        statement = statement.where(Order.account_id.in_(query.account_ids))
    if query.created is not None:
        if query.created.start is not None:
            statement = statement.where(captured.c.at >= query.created.start)
        if query.created.end is not None:
            statement = statement.where(captured.c.at <= query.created.end)
    rows = await session.execute(windowed(ordered(statement, sort, {"id": Shipment.id}, Shipment.id), window))
    return [InvoiceView(shipment_view(row), order_view(order, store_type), at) for row, order, store_type, at in rows]
