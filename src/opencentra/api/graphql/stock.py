"""Stock: absolute (``setStock``) and relative (``changeStock``) changes, and reading them back.

OpenCentra keeps no stock-change documents of its own: every change to a
stock row writes a ``stock`` event to the outbox, and ``stockChangeConnection``
reads those, one ``StockChange`` per changed size and warehouse. A batch is
validated item by item first; items that name unknown variants, sizes or
warehouses become ``userWarnings`` and the valid ones are written together
in one transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from opencentra.api.graphql.catalog import ProductSize
from opencentra.api.graphql.common import (
    DateTimeTz,
    PageInfo,
    UserError,
    UserWarning,
    coerce_cursor_value,
    connection_window,
    decode_cursor,
    encode_cursor,
    input_error,
    keyset_condition,
    user_error,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.stores import Warehouse
from opencentra.catalog import models as catalog
from opencentra.errors import DomainError
from opencentra.events.models import Event as EventRow
from opencentra.inventory import services as inventory
from opencentra.inventory.models import Stock
from opencentra.stores.models import Warehouse as WarehouseRow

MAX_BATCH_LINES = 1000


@strawberry.type
class StockChangeLine:
    delivered_quantity: int
    physical_quantity: int
    allocated_quantity: int
    _size_id: strawberry.Private[int]
    # OpenCentra's stock change has one line, so the line shares the change's id.
    id: int | None = None
    # Physical less allocated after the change.
    free_to_allocate_quantity: int = 0

    @strawberry.field
    async def product_size(self, info: Info[Any, Any]) -> ProductSize | None:
        row = await info.context.loaders.one(catalog.ProductSize).load(self._size_id)
        return ProductSize.of(row) if row is not None else None


@strawberry.type
class StockChange:
    id: int | None
    description: str
    created_at: DateTimeTz | None
    lines: list[StockChangeLine]
    _warehouse_id: strawberry.Private[int]

    @strawberry.field
    async def warehouse(self, info: Info[Any, Any]) -> Warehouse | None:
        row = await info.context.loaders.one(WarehouseRow).load(self._warehouse_id)
        return Warehouse.of(row) if row is not None else None


def _stock_change(row: EventRow) -> StockChange:
    payload = row.payload
    line = StockChangeLine(
        delivered_quantity=int(payload.get("physical_delta", 0)),
        physical_quantity=int(payload.get("physical", 0)),
        allocated_quantity=int(payload.get("allocated", 0)),
        _size_id=int(payload.get("product_size_id", 0)),
        id=row.id,
        free_to_allocate_quantity=int(payload.get("available", 0)),
    )
    return StockChange(
        id=row.id,
        description=str(payload.get("reason", "")),
        created_at=row.created_at,
        lines=[line],
        _warehouse_id=int(payload.get("warehouse_id", 0)),
    )


@strawberry.type
class StockChangeEdge:
    node: StockChange
    cursor: str


@strawberry.type
class StockChangeConnection:
    total_count: int
    page_info: PageInfo
    edges: list[StockChangeEdge]

    @strawberry.field
    def nodes(self) -> list[StockChange]:
        return [edge.node for edge in self.edges]


@strawberry.input
class StockChangeFilter:
    warehouse_id: int | None = None


async def resolve_stock_change_connection(
    info: Info[Any, Any],
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    where: StockChangeFilter | None = None,
) -> StockChangeConnection:
    context: GraphQLContext = info.context
    size, from_end = connection_window(first, last)
    base = select(EventRow).where(EventRow.object_type == inventory.EVENT_OBJECT_TYPE)
    rows: list[EventRow]
    async with context.read() as session:
        if where is not None and where.warehouse_id is not None:
            stock_ids = select(Stock.id).where(Stock.warehouse_id == where.warehouse_id)
            base = base.where(EventRow.object_id.in_(stock_ids))
        statement = base
        for cursor, is_after in ((after, True), (before, False)):
            if cursor is not None:
                name = "after" if is_after else "before"
                field, raw, _ = decode_cursor(cursor, name)
                if field != "id":
                    raise input_error(f"{name} is not a stock change cursor", name)
                value = coerce_cursor_value("id", raw, name)
                statement = statement.where(
                    keyset_condition(EventRow.id, EventRow.id, value, None, after=is_after, descending=False)
                )
        ordering = EventRow.id.desc() if from_end else EventRow.id.asc()
        rows = list((await session.scalars(statement.order_by(ordering).limit(size + 1))).all())
        total = int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    more = len(rows) > size
    rows = rows[:size]
    if from_end:
        rows.reverse()
    edges = [StockChangeEdge(node=_stock_change(r), cursor=encode_cursor("id", r.id, r.id)) for r in rows]
    page_info = PageInfo(
        has_next_page=more if not from_end else before is not None,
        has_previous_page=more if from_end else after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return StockChangeConnection(total_count=total, page_info=page_info, edges=edges)


# --- mutations ------------------------------------------------------------------------------


@strawberry.input(description="An object by id, or by this integration's external id (its ID conversions).")
class IdRef:
    # Typed ``int`` for the resolvers: a mutation never sees it unset, because
    # api/graphql/external_refs.py fills it in from ``externalId`` (or refuses
    # the reference) before the mutation runs.
    id: int = strawberry.field(default=None, graphql_type=int | None)
    external_id: str | None = None


@strawberry.input
class SizeRef:
    id: int | None = None
    name: str | None = None
    external_id: str | None = None  # resolved to id before the mutation runs (external_refs.py)


@strawberry.input
class MonetaryValueInput:
    value: float
    currency_iso_code: str


@strawberry.input
class SizeChangeInput:
    size: SizeRef
    delivered_quantity: int


@strawberry.input
class VariantStockChangeInput:
    product_variant: IdRef
    size_changes: list[SizeChangeInput]
    unit_cost: MonetaryValueInput | None = None


@strawberry.input
class StockChangeInput:
    product_variants: list[VariantStockChangeInput]
    into_warehouse: IdRef | None = None
    out_from_warehouse: IdRef | None = None
    description: str | None = None


@strawberry.enum
class StockQuantityType(enum.Enum):
    PHYSICAL = "PHYSICAL"
    FREE_TO_ALLOCATE = "FREE_TO_ALLOCATE"


@strawberry.input
class SizeStockLevelInput:
    size: SizeRef
    quantity: int


@strawberry.input
class VariantStockLevelInput:
    product_variant: IdRef
    size_stock_levels: list[SizeStockLevelInput]


@strawberry.input
class SetStockInput:
    warehouse: IdRef
    product_variants: list[VariantStockLevelInput]
    stock_quantity_type: StockQuantityType = StockQuantityType.PHYSICAL
    description: str | None = None


@strawberry.type
class ChangeStockPayload:
    stock_change: StockChange | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


@strawberry.type
class SetStockPayload:
    stock_changes: list[StockChange]
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


@dataclass(frozen=True)
class _Item:
    product_size_id: int
    quantity: int


async def _resolve_sizes(
    context: GraphQLContext, variants: list[tuple[int, list[tuple[SizeRef, int]]]], path: str
) -> tuple[list[_Item], list[UserWarning]]:
    """Turn (variant, [(size reference, quantity)]) into product sizes; unknown ones are warnings."""
    items: list[_Item] = []
    warnings: list[UserWarning] = []
    variant_ids = [variant_id for variant_id, _ in variants]
    async with context.read() as session:
        rows = await session.execute(
            select(catalog.ProductSize.id, catalog.ProductSize.variant_id, catalog.Size.id, catalog.Size.name)
            .join(catalog.Size, catalog.Size.id == catalog.ProductSize.size_id)
            .where(catalog.ProductSize.variant_id.in_(variant_ids))
        )
        by_variant: dict[int, list[tuple[int, int, str]]] = {}
        for size_row_id, variant_id, size_id, size_name in rows:
            by_variant.setdefault(variant_id, []).append((size_row_id, size_id, size_name))
    for index, (variant_id, sizes) in enumerate(variants):
        known = by_variant.get(variant_id)
        if known is None:
            warnings.append(
                UserWarning(
                    message=f"Product variant with id {variant_id} has no sizes or does not exist; skipped",
                    path=["input", "productVariants", str(index), "productVariant"],
                )
            )
            continue
        for position, (ref, quantity) in enumerate(sizes):
            match = [
                row_id
                for row_id, size_id, size_name in known
                if (ref.id is not None and size_id == ref.id) or (ref.id is None and ref.name == size_name)
            ]
            if (ref.id is None) == (ref.name is None) or not match:
                warnings.append(
                    UserWarning(
                        message=f"Size {ref.id if ref.id is not None else ref.name!r} is not active on variant "
                        f"{variant_id}; skipped",
                        path=["input", "productVariants", str(index), path, str(position), "size"],
                    )
                )
                continue
            items.append(_Item(match[0], quantity))
    return items, warnings


async def _warehouse_exists(context: GraphQLContext, warehouse_id: int) -> bool:
    return await context.loaders.one(WarehouseRow).load(warehouse_id) is not None


async def _latest_stock_changes(context: GraphQLContext, count: int) -> list[StockChange]:
    async with context.read() as session:
        rows = (
            await session.scalars(
                select(EventRow)
                .where(EventRow.object_type == inventory.EVENT_OBJECT_TYPE)
                .order_by(EventRow.id.desc())
                .limit(count)
            )
        ).all()
    return [_stock_change(r) for r in reversed(rows)]


async def set_stock(info: Info[Any, Any], input: SetStockInput) -> SetStockPayload:
    context: GraphQLContext = info.context
    if sum(len(v.size_stock_levels) for v in input.product_variants) > MAX_BATCH_LINES:
        raise input_error(f"at most {MAX_BATCH_LINES} sizes per call", "input")
    if not await _warehouse_exists(context, input.warehouse.id):
        error = UserError(message=f"Could not find Warehouse with ID {input.warehouse.id}", path=["input", "warehouse"])
        return SetStockPayload(stock_changes=[], user_errors=[error], user_warnings=[])
    variants = [
        (v.product_variant.id, [(s.size, s.quantity) for s in v.size_stock_levels]) for v in input.product_variants
    ]
    items, warnings = await _resolve_sizes(context, variants, "sizeStockLevels")
    valid = []
    for item in items:
        if item.quantity < 0:
            warnings.append(
                UserWarning(message="quantity cannot be negative; skipped", path=["input", "productVariants"])
            )
        else:
            valid.append(item)
    free = input.stock_quantity_type == StockQuantityType.FREE_TO_ALLOCATE
    try:
        changed = 0
        async with context.db.write() as session:
            for item in valid:
                level = await _set_one(session, input.warehouse.id, item, free_to_allocate=free)
                changed += 1
                if level.clamped:
                    warnings.append(
                        UserWarning(
                            message=f"Stock of product size {item.product_size_id} was raised to the "
                            f"{level.allocated} units allocated to orders",
                            path=["input", "productVariants"],
                        )
                    )
    except DomainError as error:
        return SetStockPayload(stock_changes=[], user_errors=[user_error(error, "input")], user_warnings=warnings)
    await context.after_write()
    return SetStockPayload(
        stock_changes=await _latest_stock_changes(context, changed) if changed else [],
        user_errors=[],
        user_warnings=warnings,
    )


async def _set_one(
    session: AsyncSession, warehouse_id: int, item: _Item, *, free_to_allocate: bool
) -> inventory.StockLevel:
    quantity = item.quantity
    if free_to_allocate:
        allocated = await session.scalar(
            select(Stock.allocated).where(
                Stock.warehouse_id == warehouse_id, Stock.product_size_id == item.product_size_id
            )
        )
        quantity += int(allocated or 0)
    return await inventory.set_physical(session, warehouse_id, item.product_size_id, quantity)


async def change_stock(info: Info[Any, Any], input: StockChangeInput) -> ChangeStockPayload:
    context: GraphQLContext = info.context
    if sum(len(v.size_changes) for v in input.product_variants) > MAX_BATCH_LINES:
        raise input_error(f"at most {MAX_BATCH_LINES} sizes per call", "input")
    into = input.into_warehouse.id if input.into_warehouse else None
    out = input.out_from_warehouse.id if input.out_from_warehouse else None
    if into is None and out is None:
        error = UserError(message="give intoWarehouse, outFromWarehouse or both", path=["input", "intoWarehouse"])
        return ChangeStockPayload(stock_change=None, user_errors=[error], user_warnings=[])
    for warehouse_id, name in ((into, "intoWarehouse"), (out, "outFromWarehouse")):
        if warehouse_id is not None and not await _warehouse_exists(context, warehouse_id):
            error = UserError(message=f"Could not find Warehouse with ID {warehouse_id}", path=["input", name])
            return ChangeStockPayload(stock_change=None, user_errors=[error], user_warnings=[])
    variants = [
        (v.product_variant.id, [(s.size, s.delivered_quantity) for s in v.size_changes]) for v in input.product_variants
    ]
    items, warnings = await _resolve_sizes(context, variants, "sizeChanges")
    changed = 0
    try:
        async with context.db.write() as session:
            for item in items:
                if item.quantity == 0:
                    continue
                if out is not None:
                    level = await inventory.adjust_physical(session, out, item.product_size_id, -item.quantity)
                    changed += 1
                    if level.clamped:
                        warnings.append(
                            UserWarning(
                                message=f"Product size {item.product_size_id} had fewer free units than "
                                f"{item.quantity} in warehouse {out}; stock stopped at what is allocated",
                                path=["input", "productVariants"],
                            )
                        )
                if into is not None:
                    await inventory.adjust_physical(session, into, item.product_size_id, item.quantity)
                    changed += 1
    except DomainError as error:
        return ChangeStockPayload(stock_change=None, user_errors=[user_error(error, "input")], user_warnings=warnings)
    await context.after_write()
    if not changed:
        return ChangeStockPayload(stock_change=None, user_errors=[], user_warnings=warnings)
    changes = await _latest_stock_changes(context, changed)
    first = changes[0]
    merged = StockChange(
        id=first.id,
        description=input.description or first.description,
        created_at=first.created_at,
        lines=[line for change in changes for line in change.lines],
        _warehouse_id=into if into is not None else out or 0,
    )
    return ChangeStockPayload(stock_change=merged, user_errors=[], user_warnings=warnings)
