"""Reading orders, shipments and returns for integrations, in pages and in batches.

An integration sees only part of the orders: those of some stores, some
markets, some statuses (``OrderScope``, built from an Order API plugin's
settings). A page of N orders costs a fixed number of queries: the orders,
their lines, shipments, allocations and everything they name (stores,
currencies, shipping and payment methods, stock items, warehouses) are each
read once for the whole page. An order's totals and VAT
(``OrderDetails.amounts``) are worked out from the lines already read.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

from opencentra.catalog.bundle_models import OrderBundleComponent, OrderBundleLine
from opencentra.catalog.bundles import OrderBundleInfo, order_bundle_info
from opencentra.db.engine import Database
from opencentra.errors import NotFound, PermissionDenied
from opencentra.inventory.stock_items import StockItem, load_stock_items
from opencentra.orders.models import (
    Order,
    OrderAllocation,
    OrderLine,
    Return,
    Shipment,
    ShipmentLine,
    ShipmentLineWarehouse,
    ShipmentStatus,
)
from opencentra.orders.views import DocumentTax, OrderAmounts, order_amounts, return_tax, shipment_tax
from opencentra.selection.models import Selection
from opencentra.stores.models import Currency, PaymentMethod, ShippingMethod, Store, Warehouse
from opencentra.wholesale.terms import OrderWholesaleInfo, order_wholesale_info


@dataclass(frozen=True, slots=True)
class OrderScope:
    """The orders an integration may see and touch."""

    store_ids: tuple[int, ...]
    # None: every market of those stores.
    market_ids: tuple[int, ...] | None = None
    # None: every status (writes); lists use the plugin's "Get Orders with Status".
    statuses: tuple[int, ...] | None = None
    include_hold_and_waiting: bool = True

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [Order.store_id.in_(self.store_ids)]
        if self.market_ids is not None:
            found.append(Order.market_id.in_(self.market_ids))
        if self.statuses is not None:
            found.append(Order.status.in_(self.statuses))
        if not self.include_hold_and_waiting:
            found.append(and_(Order.hold.is_(False), Order.waiting_for_payment.is_(False)))
        return found

    def for_writes(self) -> OrderScope:
        """Writes reach every order of the plugin's stores and markets, whatever its status."""
        return OrderScope(self.store_ids, self.market_ids)


@dataclass(frozen=True, slots=True)
class OrderContext:
    """What an order's wire shape names besides the order itself."""

    store_name: str
    store_type: str
    store_timezone: str
    currency_code: str
    selection_uuid: str | None
    shipping_method: ShippingMethod | None
    payment_method: PaymentMethod | None


@dataclass(frozen=True)
class OrderDetails:
    order: Order
    context: OrderContext
    # Stock items the lines name, by product_sizes.id.
    items: dict[int, StockItem] = field(default_factory=dict)
    # Per order line: (warehouse name, units) allocated or shipped from it.
    line_warehouses: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    # Per shipment line: (warehouse name, units) it is picked from.
    shipment_line_warehouses: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    # Which lines are bundles and which are their components.
    bundles: OrderBundleInfo = field(default_factory=OrderBundleInfo)
    # A wholesale order's account, buyer and terms (None for other orders).
    wholesale: OrderWholesaleInfo | None = None

    def shipment(self, shipment_id: int) -> Shipment:
        for shipment in self.order.shipments:
            if shipment.id == shipment_id:
                return shipment
        raise KeyError(shipment_id)

    @cached_property
    def amounts(self) -> OrderAmounts:
        """The order's totals and VAT, as every API reports them (``orders.views``)."""
        return order_amounts(self.order, self.order.lines)

    def shipment_tax(self, shipment_id: int) -> DocumentTax:
        shipment = self.shipment(shipment_id)
        return shipment_tax(self.order, {line.id: line for line in self.order.lines}, shipment, shipment.lines)


@dataclass(frozen=True)
class ReturnDetails:
    returned: Return
    details: OrderDetails
    shipment: Shipment

    @cached_property
    def tax(self) -> DocumentTax:
        order = self.details.order
        return return_tax(order, {line.id: line for line in order.lines}, self.returned, self.returned.lines)


async def check_in_scope(session: AsyncSession, scope: OrderScope, order: Order) -> None:
    """Refuse an order outside the integration's stores ("does not exist") or markets."""
    if order.store_id not in scope.store_ids:
        raise NotFound("order does not exist", field="order")
    if scope.market_ids is not None and order.market_id not in scope.market_ids:
        raise PermissionDenied("order in wrong market", field="order")


async def find_order_id(db: Database, scope: OrderScope, number: int) -> int:
    """The id of the order with this number, if the scope reaches it."""
    async with db.read() as session:
        order = await session.scalar(select(Order).where(Order.number == number))
        if order is None:
            raise NotFound("order does not exist", field="order")
        await check_in_scope(session, scope, order)
        return order.id


async def find_shipment_id(db: Database, scope: OrderScope, reference: str | int) -> int:
    """A shipment by its number ("83651-1") or its internal id, if the scope reaches its order."""
    async with db.read() as session:
        text = str(reference).strip()
        if "-" in text:
            query = select(Shipment.id, Shipment.order_id).where(Shipment.number == text)
        elif text.isascii() and text.isdigit() and len(text) < 19:
            query = select(Shipment.id, Shipment.order_id).where(Shipment.id == int(text))
        else:
            raise NotFound("shipment does not exist", field="shipment")
        row = (await session.execute(query)).first()
        if row is None:
            raise NotFound("shipment does not exist", field="shipment")
        order = await session.get(Order, row[1])
        assert order is not None
        await check_in_scope(session, scope, order)
        return int(row[0])


async def find_return(db: Database, scope: OrderScope, return_id: int) -> int:
    async with db.read() as session:
        order_id = await session.scalar(select(Return.order_id).where(Return.id == return_id))
        order = None if order_id is None else await session.get(Order, order_id)
        if order is None:
            raise NotFound(f"Return with id={return_id} does not exist", field="return")
        try:
            await check_in_scope(session, scope, order)
        except NotFound:
            raise NotFound(f"Return with id={return_id} does not exist", field="return") from None
        return return_id


@dataclass(frozen=True, slots=True)
class OrderFilter:
    number: int | None = None
    customer_id: int | None = None
    # Inclusive and exclusive bounds on the order date.
    newer_than: datetime | None = None
    older_than: datetime | None = None
    limit: int = 20
    offset: int = 0
    newest_first: bool = True


async def list_orders(db: Database, scope: OrderScope, where: OrderFilter) -> list[OrderDetails]:
    """A page of the orders in scope, newest (or oldest) first."""
    query = select(Order).where(*_list_conditions(scope, where))
    ordering = (Order.order_date.desc(), Order.id.desc()) if where.newest_first else (Order.order_date, Order.id)
    query = query.order_by(*ordering).limit(where.limit).offset(where.offset)
    async with db.read() as session:
        ids = list(await session.scalars(query.with_only_columns(Order.id)))
        return await load_details(session, ids)


async def order_details(db: Database, order_id: int) -> OrderDetails:
    async with db.read() as session:
        found = await load_details(session, [order_id])
    if not found:
        raise NotFound("order does not exist", field="order")
    return found[0]


async def load_details(session: AsyncSession, order_ids: Sequence[int]) -> list[OrderDetails]:
    """Orders with everything their wire shape needs, in the order of ``order_ids``."""
    if not order_ids:
        return []
    orders = {
        order.id: order
        for order in await session.scalars(
            select(Order)
            .where(Order.id.in_(list(order_ids)))
            .options(selectinload(Order.lines), selectinload(Order.shipments).selectinload(Shipment.lines))
            .execution_options(populate_existing=True)
        )
    }
    found = [orders[order_id] for order_id in order_ids if order_id in orders]
    contexts = await _contexts(session, found)
    lines = [line for order in found for line in order.lines]
    items = await load_stock_items(session, {line.product_size_id for line in lines if line.product_size_id})
    line_ids = [line.id for line in lines]
    bundles = await order_bundle_info(session, line_ids)
    wholesale = await order_wholesale_info(session, [(o.id, o.account_id, o.buyer_id) for o in found])
    line_warehouses, shipment_line_warehouses = await _warehouses_of(session, [o.id for o in found])
    return [
        OrderDetails(
            order=order,
            context=contexts[order.id],
            items={
                line.product_size_id: items[line.product_size_id]
                for line in order.lines
                if line.product_size_id in items
            },
            line_warehouses={
                line.id: list(line_warehouses[line.id].items()) for line in order.lines if line.id in line_warehouses
            },
            shipment_line_warehouses={
                shipment_line.id: shipment_line_warehouses[shipment_line.id]
                for shipment in order.shipments
                for shipment_line in shipment.lines
                if shipment_line.id in shipment_line_warehouses
            },
            bundles=bundles,
            wholesale=wholesale.get(order.id),
        )
        for order in found
    ]


async def _warehouses_of(
    session: AsyncSession, order_ids: Sequence[int]
) -> tuple[dict[int, dict[str, int]], dict[int, list[tuple[str, int]]]]:
    """Per order line of these orders, units by warehouse name (allocated, or shipped from it);
    per shipment line, the (warehouse name, units) it is picked from. Two statements."""
    line_warehouses: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    shipment_line_warehouses: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if not order_ids:
        return line_warehouses, shipment_line_warehouses
    wanted = list(order_ids)
    for line_id, name, quantity in await (await session.connection()).execute(
        select(OrderAllocation.order_line_id, Warehouse.name, OrderAllocation.quantity)
        .join(OrderLine, OrderLine.id == OrderAllocation.order_line_id)
        .join(Warehouse, Warehouse.id == OrderAllocation.warehouse_id)
        .where(OrderLine.order_id.in_(wanted))
        .order_by(OrderAllocation.order_line_id, OrderAllocation.id)
    ):
        line_warehouses[line_id][name] += quantity
    for shipment_line_id, line_id, name, quantity, status in await (await session.connection()).execute(
        select(
            ShipmentLineWarehouse.shipment_line_id,
            ShipmentLine.order_line_id,
            Warehouse.name,
            ShipmentLineWarehouse.quantity,
            Shipment.status,
        )
        .join(ShipmentLine, ShipmentLine.id == ShipmentLineWarehouse.shipment_line_id)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .join(Warehouse, Warehouse.id == ShipmentLineWarehouse.warehouse_id)
        .where(Shipment.order_id.in_(wanted))
        .order_by(ShipmentLineWarehouse.id)
    ):
        shipment_line_warehouses[shipment_line_id].append((name, quantity))
        if status == ShipmentStatus.COMPLETED:
            # Shipped units are no longer allocated; the order still shows where they came from.
            line_warehouses[line_id][name] += quantity
    return line_warehouses, shipment_line_warehouses


async def _contexts(session: AsyncSession, orders: Sequence[Order]) -> dict[int, OrderContext]:
    def ids(values: Iterable[int | None]) -> list[int]:
        return sorted({value for value in values if value is not None})

    stores = {
        s.id: s for s in await session.scalars(select(Store).where(Store.id.in_(ids(o.store_id for o in orders))))
    }
    currencies = {
        c.id: c.code
        for c in await session.scalars(select(Currency).where(Currency.id.in_(ids(o.currency_id for o in orders))))
    }
    shipping = {
        m.id: m
        for m in await session.scalars(
            select(ShippingMethod).where(ShippingMethod.id.in_(ids(o.shipping_method_id for o in orders)))
        )
    }
    payment = {
        m.id: m
        for m in await session.scalars(
            select(PaymentMethod).where(PaymentMethod.id.in_(ids(o.payment_method_id for o in orders)))
        )
    }
    selections = dict(
        (
            await session.execute(
                select(Selection.id, Selection.uuid).where(Selection.id.in_(ids(o.selection_id for o in orders)))
            )
        ).all()
    )
    return {
        order.id: OrderContext(
            store_name=stores[order.store_id].name,
            store_type=str(stores[order.store_id].type),
            store_timezone=stores[order.store_id].timezone,
            currency_code=currencies.get(order.currency_id, ""),
            selection_uuid=selections.get(order.selection_id) if order.selection_id else None,
            shipping_method=shipping.get(order.shipping_method_id) if order.shipping_method_id else None,
            payment_method=payment.get(order.payment_method_id) if order.payment_method_id else None,
        )
        for order in orders
    }


@dataclass(frozen=True, slots=True)
class ShipmentFilter:
    status: ShipmentStatus | None = ShipmentStatus.GOOD_TO_GO
    order_number: int | None = None
    newer_than: datetime | None = None
    older_than: datetime | None = None
    limit: int | None = None
    offset: int = 0


async def list_shipments(db: Database, scope: OrderScope, where: ShipmentFilter) -> list[tuple[OrderDetails, int]]:
    """Shipments in scope, oldest first, each with its order's details."""
    query = (
        select(Shipment.id, Shipment.order_id)
        .join(Order, Order.id == Shipment.order_id)
        .where(*scope.for_writes().conditions())
        .order_by(Shipment.created_at, Shipment.id)
    )
    if where.status is not None:
        query = query.where(Shipment.status == where.status)
    if where.order_number is not None:
        query = query.where(Order.number == where.order_number)
    if where.newer_than is not None:
        query = query.where(Shipment.created_at >= where.newer_than)
    if where.older_than is not None:
        query = query.where(Shipment.created_at < where.older_than)
    if where.limit is not None:
        query = query.limit(where.limit)
    if where.offset:
        query = query.offset(where.offset)
    async with db.read() as session:
        rows = (await session.execute(query)).all()
        details = {d.order.id: d for d in await load_details(session, list(dict.fromkeys(r[1] for r in rows)))}
    return [(details[order_id], shipment_id) for shipment_id, order_id in rows]


async def shipment_details(db: Database, shipment_id: int) -> tuple[OrderDetails, int]:
    async with db.read() as session:
        order_id = await session.scalar(select(Shipment.order_id).where(Shipment.id == shipment_id))
        found = [] if order_id is None else await load_details(session, [order_id])
    if not found:
        raise NotFound("shipment does not exist", field="shipment")
    return found[0], shipment_id


@dataclass(frozen=True, slots=True)
class ReturnFilter:
    return_id: int | None = None
    shipment_number: str | None = None
    order_number: int | None = None
    selection_uuid: str | None = None
    customer_id: int | None = None
    newer_than: datetime | None = None
    older_than: datetime | None = None
    limit: int | None = None
    offset: int = 0


async def list_returns(db: Database, scope: OrderScope, where: ReturnFilter) -> list[ReturnDetails]:
    """Returns in scope, newest first."""
    query = (
        select(Return.id)
        .join(Order, Order.id == Return.order_id)
        .where(*scope.for_writes().conditions())
        .order_by(Return.created_at.desc(), Return.id.desc())
    )
    if where.return_id is not None:
        query = query.where(Return.id == where.return_id)
    if where.shipment_number is not None:
        query = query.where(Return.shipment_id.in_(select(Shipment.id).where(Shipment.number == where.shipment_number)))
    if where.order_number is not None:
        query = query.where(Order.number == where.order_number)
    if where.selection_uuid is not None:
        query = query.where(Order.selection_id.in_(select(Selection.id).where(Selection.uuid == where.selection_uuid)))
    if where.customer_id is not None:
        query = query.where(Order.customer_id == where.customer_id)
    if where.newer_than is not None:
        query = query.where(Return.created_at >= where.newer_than)
    if where.older_than is not None:
        query = query.where(Return.created_at < where.older_than)
    if where.limit is not None:
        query = query.limit(where.limit)
    if where.offset:
        query = query.offset(where.offset)
    async with db.read() as session:
        ids = list(await session.scalars(query))
        return await load_returns(session, ids)


async def return_details(db: Database, return_id: int) -> ReturnDetails:
    async with db.read() as session:
        found = await load_returns(session, [return_id])
    if not found:
        raise NotFound(f"Return with id={return_id} does not exist", field="return")
    return found[0]


async def load_returns(session: AsyncSession, return_ids: Sequence[int]) -> list[ReturnDetails]:
    if not return_ids:
        return []
    returns = {
        r.id: r
        for r in await session.scalars(
            select(Return)
            .where(Return.id.in_(list(return_ids)))
            .options(selectinload(Return.lines))
            .execution_options(populate_existing=True)
        )
    }
    details = {d.order.id: d for d in await load_details(session, sorted({r.order_id for r in returns.values()}))}
    found = []
    for return_id in return_ids:
        returned = returns.get(return_id)
        if returned is None:
            continue
        order = details[returned.order_id]
        found.append(ReturnDetails(returned, order, order.shipment(returned.shipment_id)))
    return found


# --- a page of orders rendered at speed -------------------------------------------------------------
#
# GET /orders is what a WMS polls all day, mostly finding the same orders. A
# page is read set-based with Core (a fixed number of statements, whatever
# the page size): the orders with what they name, then their lines,
# shipments, shipment lines, stock items, allocations, picks and bundles.
# Each order's rendered document is kept per worker next to everything it
# was rendered from (its ``_Source``); a later read renders again only when
# any of that differs. The key is the input itself, not a version number, so
# a kept document is never stale: a catalogue edit to a line's item, a new
# allocation or a renamed shipping method all change the source.

Render = Callable[[OrderDetails], bytes]
T = TypeVar("T")

_KEPT_ORDERS = 2000


def _columns(model: type[Any]) -> tuple[tuple[str, ...], tuple[ColumnElement[Any], ...]]:
    attrs = list(sa_inspect(model).column_attrs)
    return tuple(a.key for a in attrs), tuple(a.columns[0] for a in attrs)


@dataclass(frozen=True, slots=True)
class _Source:
    """Everything an order's document is rendered from, as plain values (compared, never hashed)."""

    order: tuple[Any, ...]
    context: tuple[Any, ...]
    lines: tuple[tuple[Any, ...], ...]
    shipments: tuple[tuple[Any, ...], ...]
    shipment_lines: tuple[tuple[Any, ...], ...]
    items: tuple[StockItem, ...]
    line_warehouses: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]
    shipment_line_warehouses: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]
    bundles: tuple[Any, ...]
    wholesale: OrderWholesaleInfo | None


class KeptDocuments:
    """Rendered orders, per (render key, order id), least recently used dropped first."""

    def __init__(self, size: int = _KEPT_ORDERS) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[Hashable, int], tuple[_Source, bytes]] = OrderedDict()

    def get(self, key: Hashable, order_id: int, source: _Source) -> bytes | None:
        found = self._kept.get((key, order_id))
        if found is None or found[0] != source:
            return None
        self._kept.move_to_end((key, order_id))
        return found[1]

    def put(self, key: Hashable, order_id: int, source: _Source, document: bytes) -> None:
        self._kept[(key, order_id)] = (source, document)
        self._kept.move_to_end((key, order_id))
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def clear(self) -> None:
        self._kept.clear()


KEPT_ORDERS = KeptDocuments()


def _list_conditions(scope: OrderScope, where: OrderFilter) -> list[ColumnElement[bool]]:
    """Which orders GET /orders lists (``list_orders`` and ``render_orders`` alike)."""
    found = scope.conditions()
    if where.number is not None:
        found.append(Order.number == where.number)
    if where.customer_id is not None:
        found.append(Order.customer_id == where.customer_id)
    if where.newer_than is not None:
        found.append(Order.order_date >= where.newer_than)
    if where.older_than is not None:
        found.append(Order.order_date < where.older_than)
    return found


_CONTEXT_COLUMNS = (
    Store.name,
    Store.type,
    Store.timezone,
    Currency.code,
    Selection.uuid,
    ShippingMethod.id,
    ShippingMethod.name,
    ShippingMethod.uri,
    PaymentMethod.id,
    PaymentMethod.name,
    PaymentMethod.uri,
)


async def render_orders(
    db: Database, scope: OrderScope, where: OrderFilter, render: Render, *, render_key: Hashable
) -> list[bytes]:
    """The page ``list_orders`` gives, each order rendered by ``render`` (which must depend on
    nothing but the details and ``render_key``). Fixed statements per page; see above."""
    order_keys, order_columns = _columns(Order)
    ordering = (Order.order_date.desc(), Order.id.desc()) if where.newest_first else (Order.order_date, Order.id)
    page = (
        select(*order_columns, *_CONTEXT_COLUMNS)
        .select_from(Order)
        .join(Store, Store.id == Order.store_id)
        .outerjoin(Currency, Currency.id == Order.currency_id)
        .outerjoin(Selection, Selection.id == Order.selection_id)
        .outerjoin(ShippingMethod, ShippingMethod.id == Order.shipping_method_id)
        .outerjoin(PaymentMethod, PaymentMethod.id == Order.payment_method_id)
        .where(*_list_conditions(scope, where))
        .order_by(*ordering)
        .limit(where.limit)
        .offset(where.offset)
    )
    async with db.read() as session:
        rows = [tuple(row) for row in await (await session.connection()).execute(page)]
        sources = await _sources(session, order_keys, rows)
    count = len(order_keys)
    documents: list[bytes] = []
    for row, source in zip(rows, sources, strict=True):
        order_id = int(row[order_keys.index("id")])
        document = KEPT_ORDERS.get(render_key, order_id, source)
        if document is None:
            document = render(_details_from(order_keys, row[:count], source))
            KEPT_ORDERS.put(render_key, order_id, source, document)
        documents.append(document)
    return documents


async def _sources(session: AsyncSession, order_keys: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[_Source]:
    """Four statements more (five with shipments, more for wholesale accounts), whatever the page size."""
    if not rows:
        return []
    count = len(order_keys)
    at = {key: n for n, key in enumerate(order_keys)}
    order_ids = [int(row[at["id"]]) for row in rows]
    line_keys, line_columns = _columns(OrderLine)
    shipment_keys, shipment_columns = _columns(Shipment)
    shipment_line_keys, shipment_line_columns = _columns(ShipmentLine)
    width = len(line_keys)
    # Each line with its bundle row (a bundle line) or its component row (a bundle's component).
    lines = [
        tuple(r)
        for r in await (await session.connection()).execute(
            select(
                *line_columns,
                OrderBundleLine.bundle_id,
                OrderBundleLine.unit_price_minor,
                OrderBundleLine.original_unit_price_minor,
                OrderBundleComponent.bundle_line_id,
                OrderBundleComponent.quantity_per_bundle,
            )
            .outerjoin(OrderBundleLine, OrderBundleLine.order_line_id == OrderLine.id)
            .outerjoin(OrderBundleComponent, OrderBundleComponent.order_line_id == OrderLine.id)
            .where(OrderLine.order_id.in_(order_ids))
            .order_by(OrderLine.id)
        )
    ]
    shipment_id = shipment_keys.index("id")
    shipments = [
        tuple(r)
        for r in await (await session.connection()).execute(
            select(*shipment_columns).where(Shipment.order_id.in_(order_ids)).order_by(Shipment.id)
        )
    ]
    shipment_lines = (
        [
            tuple(r)
            for r in await (await session.connection()).execute(
                select(*shipment_line_columns)
                .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
                .where(Shipment.order_id.in_(order_ids))
                .order_by(ShipmentLine.id)
            )
        ]
        if shipments
        else []
    )
    line_id, line_order, line_size = (line_keys.index(k) for k in ("id", "order_id", "product_size_id"))
    items = await load_stock_items(session, {r[line_size] for r in lines if r[line_size]})
    line_warehouses, shipment_line_warehouses = await _warehouses_of(session, order_ids)
    wholesale = await order_wholesale_info(
        session, [(int(r[at["id"]]), r[at["account_id"]], r[at["buyer_id"]]) for r in rows]
    )
    lines_of: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for line in lines:
        lines_of[int(line[line_order])].append(line)
    shipments_of: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for shipment in shipments:
        shipments_of[int(shipment[shipment_keys.index("order_id")])].append(shipment)
    picks_of: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for shipment_line in shipment_lines:
        picks_of[int(shipment_line[shipment_line_keys.index("shipment_id")])].append(shipment_line)
    pick_id = shipment_line_keys.index("id")
    found: list[_Source] = []
    for row, order_id in zip(rows, order_ids, strict=True):
        own_lines = lines_of.get(order_id, [])
        own_ids = [int(line[line_id]) for line in own_lines]
        own_picks = [p for s in shipments_of.get(order_id, []) for p in picks_of.get(int(s[shipment_id]), [])]
        found.append(
            _Source(
                order=row[:count],
                context=row[count:],
                lines=tuple(line[:width] for line in own_lines),
                shipments=tuple(shipments_of.get(order_id, [])),
                shipment_lines=tuple(own_picks),
                items=tuple(items[line[line_size]] for line in own_lines if line[line_size] in items),
                line_warehouses=tuple((n, tuple(line_warehouses[n].items())) for n in own_ids if n in line_warehouses),
                shipment_line_warehouses=tuple(
                    (int(p[pick_id]), tuple(shipment_line_warehouses[int(p[pick_id])]))
                    for p in own_picks
                    if int(p[pick_id]) in shipment_line_warehouses
                ),
                bundles=tuple(
                    line[line_id : line_id + 1] + line[width:]
                    for line in own_lines
                    if any(value is not None for value in line[width:])
                ),
                wholesale=wholesale.get(order_id),
            )
        )
    return found


def _transient(model: type[T], keys: tuple[str, ...], values: tuple[Any, ...]) -> T:
    """A row as its model, never in a session: the values go straight into the instance's
    dict, as the ORM's own loading puts them (the constructor's per-attribute events
    cost more than the rest of the render)."""
    instance: T = sa_inspect(model).class_manager.new_instance()
    instance_dict(instance).update(zip(keys, values, strict=True))
    return instance


def _details_from(order_keys: tuple[str, ...], values: tuple[Any, ...], source: _Source) -> OrderDetails:
    """The details ``load_details`` would give, built from the source rows (the objects are
    transient: never in a session, never loading)."""
    order = _transient(Order, order_keys, values)
    line_keys, _ = _columns(OrderLine)
    shipment_keys, _ = _columns(Shipment)
    shipment_line_keys, _ = _columns(ShipmentLine)
    lines = [_transient(OrderLine, line_keys, line) for line in source.lines]
    shipments = []
    for values_of_shipment in source.shipments:
        shipment = _transient(Shipment, shipment_keys, values_of_shipment)
        picks = [
            _transient(ShipmentLine, shipment_line_keys, pick)
            for pick in source.shipment_lines
            if pick[shipment_line_keys.index("shipment_id")] == shipment.id
        ]
        set_committed_value(shipment, "lines", picks)
        shipments.append(shipment)
    set_committed_value(order, "lines", lines)
    set_committed_value(order, "shipments", shipments)
    (store_name, store_type, timezone, currency, selection, shipping_id, shipping_name, shipping_uri,
     payment_id, payment_name, payment_uri) = source.context  # fmt: skip
    context = OrderContext(
        store_name=store_name,
        store_type=str(store_type),
        store_timezone=timezone,
        currency_code=currency or "",
        selection_uuid=selection if order.selection_id else None,
        shipping_method=None
        if shipping_id is None
        else ShippingMethod(id=shipping_id, name=shipping_name, uri=shipping_uri),
        payment_method=None if payment_id is None else PaymentMethod(id=payment_id, name=payment_name, uri=payment_uri),
    )
    bundle_lines = {
        n: (bundle, price, original) for n, bundle, price, original, _, _ in source.bundles if price is not None
    }
    components = {n: (parent, units) for n, _, _, _, parent, units in source.bundles if parent is not None}
    return OrderDetails(
        order=order,
        context=context,
        items={item.id: item for item in source.items},
        line_warehouses={n: list(entries) for n, entries in source.line_warehouses},
        shipment_line_warehouses={n: list(entries) for n, entries in source.shipment_line_warehouses},
        bundles=OrderBundleInfo(
            bundle_lines,
            {n: parent for n, (parent, _) in components.items()},
            {n: units for n, (_, units) in components.items()},
        ),
        wholesale=source.wholesale,
    )
