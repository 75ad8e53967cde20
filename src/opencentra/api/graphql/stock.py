"""Stock: absolute (``setStock``) and relative (``changeStock``) changes, and reading them back.

OpenCentra keeps no stock-change documents of its own: every change to a
stock row writes a ``stock`` event to the outbox, and ``stockChangeConnection``
reads those (``inventory.stock_change_page``), one ``StockChange`` per
changed size and warehouse. A batch is validated item by item first; items
that name unknown variants or sizes become ``userWarnings`` and the valid ones
are written together in one transaction by ``inventory.set_stock`` or
``inventory.change_stock``, which return the stock changes they recorded.
This module only maps GraphQL input to those calls and their results back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import inventory
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
    user_error,
)
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.stores import Warehouse
from opencentra.errors import DomainError, NotFound

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
        row = await info.context.loaders.product_size.load(self._size_id)
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
        row = await info.context.loaders.warehouse.load(self._warehouse_id)
        return Warehouse.of(row) if row is not None else None


def _stock_change(change: inventory.StockChange) -> StockChange:
    line = StockChangeLine(
        delivered_quantity=change.physical_delta,
        physical_quantity=change.physical,
        allocated_quantity=change.allocated,
        _size_id=change.product_size_id,
        id=change.id,
        free_to_allocate_quantity=change.available,
    )
    return StockChange(
        id=change.id,
        description=change.reason,
        created_at=change.created_at,
        lines=[line],
        _warehouse_id=change.warehouse_id,
    )


async def stock_change_line(info: Info[Any, Any], stock_change_id: int) -> StockChangeLine | None:
    """The one line of a stock change, by id; None if there is no such stock change."""
    change = await info.context.loaders.stock_change.load(stock_change_id)
    return _stock_change(change).lines[0] if change is not None else None


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


def _cursor_id(cursor: str | None, name: str) -> int | None:
    if cursor is None:
        return None
    field, raw, _ = decode_cursor(cursor, name)
    if field != "id":
        raise input_error(f"{name} is not a stock change cursor", name)
    value: int = coerce_cursor_value("id", raw, name)
    return value


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
    after_id = _cursor_id(after, "after")
    before_id = _cursor_id(before, "before")
    async with context.read() as session:
        page = await inventory.stock_change_page(
            session,
            limit=size,
            warehouse_id=where.warehouse_id if where is not None else None,
            after_id=after_id,
            before_id=before_id,
            from_end=from_end,
        )
    edges = [StockChangeEdge(node=_stock_change(c), cursor=encode_cursor("id", c.id, c.id)) for c in page.changes]
    page_info = PageInfo(
        has_next_page=page.more if not from_end else before is not None,
        has_previous_page=page.more if from_end else after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return StockChangeConnection(total_count=page.total, page_info=page_info, edges=edges)


@strawberry.input(description="Centra's name for StockChangeFilter before the rename of WarehouseDelivery.")
class WarehouseDeliveryFilter(StockChangeFilter):
    pass


async def resolve_warehouse_delivery_connection(
    info: Info[Any, Any],
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    where: WarehouseDeliveryFilter | None = None,
) -> StockChangeConnection:
    """``stockChangeConnection`` under its name before Centra renamed WarehouseDelivery to StockChange."""
    return await resolve_stock_change_connection(info, first, last, after, before, where)


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
    async with context.read() as session:
        by_variant = await inventory.variant_sizes(session, [variant_id for variant_id, _ in variants])
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
                item.id
                for item in known
                if (ref.id is not None and item.size_id == ref.id) or (ref.id is None and ref.name == item.size_name)
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


# The domain's field for a warehouse → the input field that named it.
_WAREHOUSE_FIELDS = {
    "warehouse": "warehouse",
    "into_warehouse": "intoWarehouse",
    "out_from_warehouse": "outFromWarehouse",
}


def _warehouse_error(error: DomainError, ids: dict[str, int | None]) -> UserError | None:
    """An unknown warehouse in Centra's words, or None if ``error`` is about something else."""
    name = _WAREHOUSE_FIELDS.get(error.field or "")
    if name is None:
        return None
    if isinstance(error, NotFound):
        return UserError(message=f"Could not find Warehouse with ID {ids.get(name)}", path=["input", name])
    return UserError(message="give intoWarehouse, outFromWarehouse or both", path=["input", name])


async def set_stock(info: Info[Any, Any], input: SetStockInput) -> SetStockPayload:
    context: GraphQLContext = info.context
    if sum(len(v.size_stock_levels) for v in input.product_variants) > MAX_BATCH_LINES:
        raise input_error(f"at most {MAX_BATCH_LINES} sizes per call", "input")
    variants = [
        (v.product_variant.id, [(s.size, s.quantity) for s in v.size_stock_levels]) for v in input.product_variants
    ]
    items, warnings = await _resolve_sizes(context, variants, "sizeStockLevels")
    values: dict[int, int] = {}
    for item in items:
        if item.quantity < 0:
            warnings.append(
                UserWarning(message="quantity cannot be negative; skipped", path=["input", "productVariants"])
            )
        else:
            values[item.product_size_id] = item.quantity  # a size given twice: the last value wins
    target = (
        inventory.StockTarget.AVAILABLE
        if input.stock_quantity_type == StockQuantityType.FREE_TO_ALLOCATE
        else inventory.StockTarget.PHYSICAL
    )
    try:
        update = await inventory.set_stock(context.db, input.warehouse.id, values, target=target)
    except DomainError as error:
        refused = _warehouse_error(error, {"warehouse": input.warehouse.id})
        if refused is not None:
            return SetStockPayload(stock_changes=[], user_errors=[refused], user_warnings=[])
        return SetStockPayload(stock_changes=[], user_errors=[user_error(error, "input")], user_warnings=warnings)
    warnings.extend(
        UserWarning(
            message=f"Stock of product size {level.product_size_id} was raised to the "
            f"{level.allocated} units allocated to orders",
            path=["input", "productVariants"],
        )
        for level in update.levels
        if level.clamped
    )
    await context.after_write()
    return SetStockPayload(
        stock_changes=[_stock_change(change) for change in update.changes], user_errors=[], user_warnings=warnings
    )


async def change_stock(info: Info[Any, Any], input: StockChangeInput) -> ChangeStockPayload:
    context: GraphQLContext = info.context
    if sum(len(v.size_changes) for v in input.product_variants) > MAX_BATCH_LINES:
        raise input_error(f"at most {MAX_BATCH_LINES} sizes per call", "input")
    into = input.into_warehouse.id if input.into_warehouse else None
    out = input.out_from_warehouse.id if input.out_from_warehouse else None
    variants = [
        (v.product_variant.id, [(s.size, s.delivered_quantity) for s in v.size_changes]) for v in input.product_variants
    ]
    items, warnings = await _resolve_sizes(context, variants, "sizeChanges")
    try:
        update = await inventory.change_stock(
            context.db,
            [(item.product_size_id, item.quantity) for item in items],
            into_warehouse_id=into,
            out_from_warehouse_id=out,
        )
    except DomainError as error:
        refused = _warehouse_error(error, {"intoWarehouse": into, "outFromWarehouse": out})
        if refused is not None:
            return ChangeStockPayload(stock_change=None, user_errors=[refused], user_warnings=[])
        return ChangeStockPayload(stock_change=None, user_errors=[user_error(error, "input")], user_warnings=warnings)
    warnings.extend(
        UserWarning(
            message=f"Product size {level.product_size_id} had fewer free units than asked for in warehouse "
            f"{out}; stock stopped at what is allocated",
            path=["input", "productVariants"],
        )
        for level in update.levels
        if level.clamped and level.warehouse_id == out
    )
    await context.after_write()
    if not update.changes:
        return ChangeStockPayload(stock_change=None, user_errors=[], user_warnings=warnings)
    changes = [_stock_change(change) for change in update.changes]
    first = changes[0]
    merged = StockChange(
        id=first.id,
        description=input.description or first.description,
        created_at=first.created_at,
        lines=[line for change in changes for line in change.lines],
        _warehouse_id=into if into is not None else out or 0,
    )
    return ChangeStockPayload(stock_change=merged, user_errors=[], user_warnings=warnings)
