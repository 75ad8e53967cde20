"""Stock: what a market can sell, taking it for orders, and counting it in.

Invariant, enforced by CHECKs and by every statement here:
``0 <= allocated <= physical``; available (free to allocate) is
``physical - allocated``.

Concurrency. No stock figure is ever written back from a value read
earlier: every change is one relative, conditional ``UPDATE`` whose WHERE
clause re-states the invariant (for an allocation:
``physical - allocated >= :qty``), and a change that would break it matches
no row instead. Multi-row changes first lock their rows in
``stock.id`` order (``SELECT ... FOR UPDATE`` on PostgreSQL, so two orders
for the same sizes cannot deadlock; SQLite ignores it and relies on the
``BEGIN IMMEDIATE`` of ``Database.write()``) and run inside a SAVEPOINT, so a
failure leaves nothing taken even if the caller catches the error and goes on
with its transaction.

Functions that take an ``AsyncSession`` run inside the caller's transaction:
order creation allocates in the same transaction that writes the order.
That session must come from ``Database.write()``. Functions that take
``db`` accept a ``Database`` (and then open one write transaction) or such a
session.

Every change appends a ``stock`` event to the outbox in the same transaction;
that event is the stock change (``inventory.stock_changes``), and the writes
that integrations call return the ones they recorded.

Writing stock from an API: ``set_stock`` (absolute, physical or free to
allocate, for many sizes of one warehouse) and ``change_stock`` (relative:
a delivery, a removal or a move between two warehouses). Every API that
writes stock (GraphQL, the Order API, SOAP) calls these; none works out
physical from free-to-allocate itself.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, column, func, insert, select, table, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.bundles import bundle_units, component_size_ids, is_bundle_size, needs_for_sizes
from opencentra.db.base import utcnow
from opencentra.errors import Conflict, NotFound, OutOfStock, ValidationFailed
from opencentra.events.models import Event
from opencentra.events.outbox import record
from opencentra.inventory.models import Stock
from opencentra.inventory.stock_changes import EVENT_OBJECT_TYPE, StockChange, stock_change_of
from opencentra.inventory.stock_items import resolve_stock_keys
from opencentra.stores._db import DatabaseOrSession, insert_or_ignore, unit_of_work
from opencentra.stores.models import AllocationRuleWarehouse, Market, Warehouse

# catalog owns product_sizes; existence checks need only its key.
_product_sizes = table("product_sizes", column("id"))
# SQLite's record of the highest AUTOINCREMENT id each table has handed out.
_sqlite_sequence = table("sqlite_sequence", column("name"), column("seq"))
# Core statements for the bulk paths: the ORM's per-row bookkeeping costs more than the SQL there.
_events: Table = Event.__table__  # type: ignore[assignment]
_stock: Table = Stock.__table__  # type: ignore[assignment]
_set_physical = (
    update(_stock)
    .where(_stock.c.id == bindparam("row"))
    .values(physical=bindparam("physical"), updated_at=bindparam("updated_at"))
)
# Sizes per multi-row statement: 4 parameters a row stays far below every driver's limit.
_ROW_CHUNK = 1_000

# How often allocate() re-plans when a row changed between its read and its
# write. With the row locks below that cannot happen on either backend; the
# loop is there so a future change to the locking degrades into a retry.
_ATTEMPTS = 3
# One stock push locks its rows with one statement; this keeps its IN list within every driver's limits.
MAX_STOCK_BATCH = 10_000


@dataclass(frozen=True)
class StockLevel:
    warehouse_id: int
    product_size_id: int
    physical: int
    allocated: int
    available: int
    # set_physical/adjust_physical: the requested value would have dropped
    # physical below allocated, so it was raised to allocated.
    clamped: bool = False


@dataclass(frozen=True)
class Allocation:
    """Units of one size taken from one warehouse for one requested line."""

    warehouse_id: int
    product_size_id: int
    quantity: int
    line: int = 0  # index into the lines given to allocate()

    @property
    def qty(self) -> int:
        return self.quantity


def _level(warehouse_id: int, product_size_id: int, physical: int, allocated: int, clamped: bool = False) -> StockLevel:
    return StockLevel(warehouse_id, product_size_id, physical, allocated, physical - allocated, clamped)


def _positive(quantity: int, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed(f"{field} must be a positive integer, got {quantity!r}", field=field)
    return quantity


async def _record(
    session: AsyncSession,
    stock_id: int,
    level: StockLevel,
    reason: str,
    *,
    action: str = "updated",
    store_id: int | None = None,
    **change: int,
) -> StockChange:
    payload: dict[str, Any] = {
        "warehouse_id": level.warehouse_id,
        "product_size_id": level.product_size_id,
        "physical": level.physical,
        "allocated": level.allocated,
        "available": level.available,
        "reason": reason,
        **change,
    }
    return stock_change_of(await record(session, EVENT_OBJECT_TYPE, stock_id, action, payload, store_id=store_id))


async def _change(
    session: AsyncSession, stock_id: int, *, physical_delta: int = 0, allocated_delta: int = 0
) -> tuple[int, int] | None:
    """Apply deltas to one row unless that would break the invariant.

    Returns the new (physical, allocated), or None when the guard failed.
    """
    guards: list[ColumnElement[bool]] = [Stock.id == stock_id]
    if allocated_delta < 0:
        guards.append(Stock.allocated >= -allocated_delta)
    if allocated_delta - physical_delta > 0:
        # For an allocation this is ``physical - allocated >= :qty``.
        guards.append(Stock.physical - Stock.allocated >= allocated_delta - physical_delta)
    values: dict[str, Any] = {}
    if physical_delta:
        values["physical"] = Stock.physical + physical_delta
    if allocated_delta:
        values["allocated"] = Stock.allocated + allocated_delta
    stmt = (
        update(Stock)
        .where(*guards)
        .values(**values)
        .returning(Stock.physical, Stock.allocated)
        .execution_options(synchronize_session=False)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


# --- reading ------------------------------------------------------------------------------


async def _market(session: AsyncSession, market_id: int) -> Market:
    market = await session.get(Market, market_id)
    if market is None:
        raise NotFound(f"market {market_id} does not exist", field="market")
    return market


async def _warehouse_order(session: AsyncSession, market: Market) -> list[int]:
    """The market's warehouses, highest priority first."""
    if market.allocation_rule_id is None:
        return []
    rows = await session.scalars(
        select(AllocationRuleWarehouse.warehouse_id)
        .where(AllocationRuleWarehouse.allocation_rule_id == market.allocation_rule_id)
        .order_by(AllocationRuleWarehouse.priority)
    )
    return list(rows)


async def available_for_market(
    db: DatabaseOrSession, market_id: int, product_size_ids: Iterable[int]
) -> dict[int, int]:
    """Free-to-allocate units per size over the market's warehouses; 0 where there is none."""
    size_ids = list(dict.fromkeys(product_size_ids))
    async with unit_of_work(db, write=False) as session:
        market = await _market(session, market_id)
        result = dict.fromkeys(size_ids, 0)
        if not size_ids or market.allocation_rule_id is None:
            return result
        rows = await session.execute(
            select(Stock.product_size_id, func.sum(Stock.physical - Stock.allocated))
            .join(AllocationRuleWarehouse, AllocationRuleWarehouse.warehouse_id == Stock.warehouse_id)
            .where(
                AllocationRuleWarehouse.allocation_rule_id == market.allocation_rule_id,
                Stock.product_size_id.in_(size_ids),
            )
            .group_by(Stock.product_size_id)
        )
        stocked = set()
        for size_id, available in rows:
            result[size_id] = int(available or 0)
            stocked.add(size_id)
        unstocked = [size_id for size_id in size_ids if size_id not in stocked]
        # A bundle has no stock rows of its own: what it can sell follows its components.
        needs = await needs_for_sizes(session, unstocked) if unstocked else {}
        if needs:
            components = await available_for_market(session, market_id, component_size_ids(needs))
            result.update(bundle_units(needs, components))
        return result


async def stock_levels(
    db: DatabaseOrSession,
    *,
    warehouse_ids: Iterable[int] | None = None,
    product_size_ids: Iterable[int] | None = None,
) -> list[StockLevel]:
    """Stock rows, filtered by warehouse and/or size, ordered by size then warehouse.

    A (warehouse, size) with no row has no stock and is not listed.
    """
    stmt = select(Stock.warehouse_id, Stock.product_size_id, Stock.physical, Stock.allocated).order_by(
        Stock.product_size_id, Stock.warehouse_id
    )
    if warehouse_ids is not None:
        stmt = stmt.where(Stock.warehouse_id.in_(list(warehouse_ids)))
    if product_size_ids is not None:
        stmt = stmt.where(Stock.product_size_id.in_(list(product_size_ids)))
    async with unit_of_work(db, write=False) as session:
        return [_level(*row) for row in await session.execute(stmt)]


async def stock_of_sizes(db: DatabaseOrSession, product_size_ids: Iterable[int]) -> dict[int, list[StockLevel]]:
    """Each size's stock per warehouse, by warehouse id; sizes without stock rows are left out."""
    found: dict[int, list[StockLevel]] = {}
    for level in await stock_levels(db, product_size_ids=product_size_ids):
        found.setdefault(level.product_size_id, []).append(level)
    return found


# --- allocation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    stock_id: int
    available: int


def plan_allocation(
    lines: Sequence[tuple[int, int]],
    warehouse_order: Sequence[int],
    available: dict[tuple[int, int], int],
) -> tuple[list[Allocation], list[dict[str, object]]]:
    """Decide where each line's units come from: warehouses in priority order,
    splitting a line when one warehouse has too few. Earlier lines go first,
    so two lines for the same size never both count the same units.

    ``available`` maps (warehouse_id, product_size_id) to free units. Returns
    the allocations and, for lines that cannot be met in full, what is short.
    """
    left = dict(available)
    allocations: list[Allocation] = []
    unavailable: list[dict[str, object]] = []
    for index, (size_id, quantity) in enumerate(lines):
        wanted = quantity
        taken: list[Allocation] = []
        for warehouse_id in warehouse_order:
            free = left.get((warehouse_id, size_id), 0)
            if free <= 0:
                continue
            take = min(free, wanted)
            taken.append(Allocation(warehouse_id, size_id, take, index))
            left[(warehouse_id, size_id)] = free - take
            wanted -= take
            if wanted == 0:
                break
        allocations.extend(taken)
        if wanted:
            unavailable.append(
                {
                    "line": index,
                    "product_size_id": size_id,
                    "requested": quantity,
                    "available": quantity - wanted,
                }
            )
    return allocations, unavailable


class _RowChanged(Exception):
    """A guarded UPDATE matched no row: stock moved after it was read."""


async def allocate(
    session: AsyncSession,
    market_id: int,
    lines: Sequence[tuple[int, int]],
    *,
    partial: bool = False,
    only: Iterable[int] | None = None,
    exclude: Iterable[int] = (),
) -> list[Allocation]:
    """Take stock for ``lines`` of (product_size_id, quantity) from the
    market's warehouses, all or nothing.

    Runs in the caller's write transaction (``session`` from
    ``Database.write()``), so the order that needs the stock and the stock
    itself commit together. Raises ``OutOfStock`` with ``unavailable`` =
    [{line, product_size_id, requested, available}] when any line cannot be
    met in full; nothing is taken then. Returns one ``Allocation`` per
    (line, warehouse) used, in line order.

    With ``partial=True`` (a store that allows overselling) a short line
    takes whatever is free and the rest is left for the caller to record as
    a back-order; nothing is raised. ``only`` and ``exclude`` narrow the
    market's warehouses (a store asked to confirm, one that said no).
    """
    requested = [(size_id, _positive(quantity)) for size_id, quantity in lines]
    if not requested:
        return []
    market = await _market(session, market_id)
    warehouse_order = await _warehouse_order(session, market)
    if only is not None:
        allowed = set(only)
        warehouse_order = [w for w in warehouse_order if w in allowed]
    skipped = set(exclude)
    warehouse_order = [w for w in warehouse_order if w not in skipped]
    size_ids = sorted({size_id for size_id, _ in requested})
    for _attempt in range(_ATTEMPTS):
        rows = await _lock_rows(session, warehouse_order, size_ids)
        allocations, unavailable = plan_allocation(
            requested, warehouse_order, {key: row.available for key, row in rows.items()}
        )
        if unavailable and not partial:
            raise OutOfStock(
                f"not enough stock for {len(unavailable)} of {len(requested)} line(s)", unavailable=unavailable
            )
        if not allocations:
            return []
        per_row: dict[int, int] = {}
        for allocation in allocations:
            stock_id = rows[(allocation.warehouse_id, allocation.product_size_id)].stock_id
            per_row[stock_id] = per_row.get(stock_id, 0) + allocation.quantity
        try:
            async with session.begin_nested():
                levels = await _take(session, per_row)
        except _RowChanged:
            continue
        keys = {row.stock_id: key for key, row in rows.items()}
        for stock_id, (physical, allocated) in levels.items():
            warehouse_id, size_id = keys[stock_id]
            level = _level(warehouse_id, size_id, physical, allocated)
            await _record(
                session, stock_id, level, "allocate", store_id=market.store_id, allocated_delta=per_row[stock_id]
            )
        return allocations
    raise Conflict("stock kept changing while it was being allocated; try again", field="items")


async def _lock_rows(
    session: AsyncSession, warehouse_ids: Sequence[int], size_ids: Sequence[int]
) -> dict[tuple[int, int], _Row]:
    if not warehouse_ids:
        return {}
    result = await session.execute(
        select(Stock.id, Stock.warehouse_id, Stock.product_size_id, Stock.physical, Stock.allocated)
        .where(Stock.warehouse_id.in_(warehouse_ids), Stock.product_size_id.in_(size_ids))
        .order_by(Stock.id)
        .with_for_update()
    )
    return {
        (warehouse_id, size_id): _Row(stock_id, physical - allocated)
        for stock_id, warehouse_id, size_id, physical, allocated in result
    }


async def _take(session: AsyncSession, per_row: dict[int, int]) -> dict[int, tuple[int, int]]:
    levels: dict[int, tuple[int, int]] = {}
    for stock_id in sorted(per_row):
        changed = await _change(session, stock_id, allocated_delta=per_row[stock_id])
        if changed is None:
            raise _RowChanged
        levels[stock_id] = changed
    return levels


async def _rows_by_key(
    session: AsyncSession, keys: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(warehouse, size) -> (stock id, physical, allocated), rows locked in id order."""
    wanted = set(keys)
    if not wanted:
        return {}
    result = await session.execute(
        select(Stock.id, Stock.warehouse_id, Stock.product_size_id, Stock.physical, Stock.allocated)
        .where(tuple_(Stock.warehouse_id, Stock.product_size_id).in_(sorted(wanted)))
        .order_by(Stock.id)
        .with_for_update()
    )
    return {
        (warehouse_id, size_id): (stock_id, physical, allocated)
        for stock_id, warehouse_id, size_id, physical, allocated in result
    }


async def release(session: AsyncSession, allocations: Iterable[Allocation]) -> list[StockLevel]:
    """Give allocated units back (a cancelled or changed order), all or nothing.

    Raises ``Conflict`` if any warehouse has fewer units allocated than given back.
    """
    per_key: dict[tuple[int, int], int] = {}
    for allocation in allocations:
        key = (allocation.warehouse_id, allocation.product_size_id)
        per_key[key] = per_key.get(key, 0) + _positive(allocation.quantity)
    rows = await _rows_by_key(session, per_key)
    levels: list[tuple[int, StockLevel, int]] = []
    async with session.begin_nested():
        for key in sorted(per_key, key=lambda k: rows[k][0] if k in rows else -1):
            warehouse_id, size_id = key
            changed = await _change(session, rows[key][0], allocated_delta=-per_key[key]) if key in rows else None
            if changed is None:
                allocated = rows[key][2] if key in rows else 0
                raise Conflict(
                    f"cannot release {per_key[key]} of size {size_id} in warehouse {warehouse_id}: "
                    f"only {allocated} allocated",
                    field="allocations",
                )
            levels.append((rows[key][0], _level(warehouse_id, size_id, *changed), per_key[key]))
    for stock_id, level, quantity in levels:
        await _record(session, stock_id, level, "release", allocated_delta=-quantity)
    return [level for _, level, _ in levels]


async def ship(session: AsyncSession, warehouse_id: int, product_size_id: int, quantity: int) -> StockLevel:
    """Units leave the warehouse: physical and allocated drop together.

    Only allocated units ship; raises ``Conflict`` if fewer are allocated.
    """
    _positive(quantity)
    rows = await _rows_by_key(session, [(warehouse_id, product_size_id)])
    row = rows.get((warehouse_id, product_size_id))
    changed = await _change(session, row[0], physical_delta=-quantity, allocated_delta=-quantity) if row else None
    if row is None or changed is None:
        allocated = row[2] if row else 0
        raise Conflict(
            f"cannot ship {quantity} of size {product_size_id} from warehouse {warehouse_id}: "
            f"only {allocated} allocated",
            field="quantity",
        )
    level = _level(warehouse_id, product_size_id, *changed)
    await _record(session, row[0], level, "ship", physical_delta=-quantity, allocated_delta=-quantity)
    return level


async def ship_many(session: AsyncSession, items: Sequence[tuple[int, int, int]]) -> list[StockLevel]:
    """Ship several (warehouse_id, product_size_id, quantity) at once, all or nothing.

    The rows are locked in ``stock.id`` order first, the same order
    ``allocate`` uses, so a shipment and an order touching the same sizes
    cannot deadlock on PostgreSQL.
    """
    per_key: dict[tuple[int, int], int] = {}
    for warehouse_id, size_id, quantity in items:
        per_key[(warehouse_id, size_id)] = per_key.get((warehouse_id, size_id), 0) + _positive(quantity)
    if not per_key:
        return []
    rows = await _rows_by_key(session, per_key)
    levels = []
    async with session.begin_nested():
        for key in sorted(per_key, key=lambda k: rows[k][0] if k in rows else -1):
            levels.append(await ship(session, key[0], key[1], per_key[key]))
    return levels


# --- counting stock in ---------------------------------------------------------------------------


class StockTarget(enum.Enum):
    """Which figure an absolute stock value sets."""

    # The shelf count.
    PHYSICAL = "physical"
    # What is free to allocate: physical becomes allocated + the value.
    AVAILABLE = "available"


@dataclass(frozen=True)
class StockUpdate:
    """What a stock write did.

    ``levels``: every stock row written, after the change, in the order
    written (``clamped`` where physical stopped at what is allocated).
    ``changes``: the stock changes recorded, one per row that changed, in
    the same order; a row already at its value records none.
    """

    levels: tuple[StockLevel, ...]
    changes: tuple[StockChange, ...]


async def _require_warehouse(session: AsyncSession, warehouse_id: int, field: str = "warehouse") -> None:
    if await session.get(Warehouse, warehouse_id) is None:
        raise NotFound(f"warehouse {warehouse_id} does not exist", field=field)


async def _require_targets(session: AsyncSession, warehouse_id: int, product_size_id: int) -> None:
    await _require_warehouse(session, warehouse_id)
    found = await session.scalar(select(_product_sizes.c.id).where(_product_sizes.c.id == product_size_id))
    if found is None:
        raise NotFound(f"product size {product_size_id} does not exist", field="product_size")
    await _refuse_bundles(session, [product_size_id])


async def _require_sizes(session: AsyncSession, size_ids: Sequence[int]) -> None:
    """``_require_targets`` for many sizes: each exists and none is a bundle."""
    known: set[int] = set()
    for start in range(0, len(size_ids), _ROW_CHUNK):
        chunk = list(size_ids[start : start + _ROW_CHUNK])
        known.update(await session.scalars(select(_product_sizes.c.id).where(_product_sizes.c.id.in_(chunk))))
    if missing := sorted(set(size_ids) - known):
        raise NotFound(f"product sizes {missing[:10]} do not exist", field="product_size")
    await _refuse_bundles(session, size_ids)


async def _refuse_bundles(session: AsyncSession, product_size_ids: Iterable[int]) -> None:
    """A bundle has no stock of its own (it follows its components), so it cannot be stocked."""
    bundles = await is_bundle_size(session, product_size_ids)
    if bundles:
        raise ValidationFailed(
            f"product size {min(bundles)} is a bundle; bundles cannot be stocked", field="product_size"
        )


async def _write_physical(
    session: AsyncSession,
    warehouse_id: int,
    product_size_id: int,
    reason: str,
    *,
    absolute: int | None = None,
    delta: int = 0,
    checked: bool = False,
) -> tuple[StockLevel, StockChange | None]:
    """Set physical to ``absolute`` (or to current + ``delta``), raised to
    allocated if it would fall below it. Creates the row if needed.

    Returns the new level and the stock change recorded (None if nothing
    changed). ``checked``: the caller has already made sure the warehouse and
    the size exist and the size is no bundle.
    """
    if not checked:
        await _require_targets(session, warehouse_id, product_size_id)
    key = (warehouse_id, product_size_id)
    # A new row starts from 0. Insert before reading so that a row created
    # concurrently is counted, not overwritten.
    initial = absolute if absolute is not None else delta
    created = await insert_or_ignore(
        session,
        Stock,
        {"warehouse_id": warehouse_id, "product_size_id": product_size_id, "physical": max(initial, 0), "allocated": 0},
        ["warehouse_id", "product_size_id"],
    )
    stock_id, physical, allocated = (await _rows_by_key(session, [key]))[key]
    if created is not None:
        level = _level(warehouse_id, product_size_id, physical, allocated, clamped=initial < 0)
        return level, await _record(session, stock_id, level, reason, action="created", physical_delta=physical)
    target = absolute if absolute is not None else physical + delta
    new_physical = max(target, allocated)
    clamped = new_physical != target
    if new_physical == physical:
        return _level(warehouse_id, product_size_id, physical, allocated, clamped), None
    changed = await _change(session, stock_id, physical_delta=new_physical - physical)
    if changed is None:  # the row is locked, so only a bug gets here
        raise Conflict("stock changed while it was being counted; try again", field="physical")
    level = _level(warehouse_id, product_size_id, *changed, clamped=clamped)
    return level, await _record(session, stock_id, level, reason, physical_delta=new_physical - physical)


async def set_physical(db: DatabaseOrSession, warehouse_id: int, product_size_id: int, physical: int) -> StockLevel:
    """Set the absolute physical count of one size (a stock take); ``set_stock`` for many.

    A value below what is allocated is clamped to allocated (Centra does the
    same) and the result says ``clamped=True``. Creates the stock row if needed.
    """
    if isinstance(physical, bool) or not isinstance(physical, int) or physical < 0:
        raise ValidationFailed(f"physical must be a non-negative integer, got {physical!r}", field="physical")
    async with unit_of_work(db, write=True) as session:
        level, _ = await _write_physical(session, warehouse_id, product_size_id, "set", absolute=physical)
        return level


async def adjust_physical(db: DatabaseOrSession, warehouse_id: int, product_size_id: int, delta: int) -> StockLevel:
    """Add (delivery) or remove (shrinkage) units of one size; clamped like ``set_physical``."""
    if isinstance(delta, bool) or not isinstance(delta, int):
        raise ValidationFailed(f"delta must be an integer, got {delta!r}", field="delta")
    async with unit_of_work(db, write=True) as session:
        level, _ = await _write_physical(session, warehouse_id, product_size_id, "adjust", delta=delta)
        return level


async def restock(
    session: AsyncSession, warehouse_id: int, product_size_id: int, quantity: int, *, reason: str = "return"
) -> StockLevel:
    """Units come back onto the shelf (a return): physical rises, allocated stays."""
    _positive(quantity)
    level, _ = await _write_physical(session, warehouse_id, product_size_id, reason, delta=quantity)
    return level


async def set_stock(
    db: DatabaseOrSession,
    warehouse_id: int,
    values: Mapping[int, int],
    *,
    target: StockTarget = StockTarget.PHYSICAL,
) -> StockUpdate:
    """Set the stock of many sizes in one warehouse (a stock take, a WMS or POS push), in one transaction.

    ``values`` maps product size ids to non-negative values.
    ``StockTarget.PHYSICAL`` sets the shelf count; ``StockTarget.AVAILABLE``
    sets what is free to allocate, so physical becomes allocated + value.
    Either way physical never drops below allocated: a lower value is
    clamped and its level says ``clamped=True``. Rows are locked in
    ``stock.id`` order, so concurrent pushes and allocations serialize
    without deadlocks; the last push wins. Levels come in product size order.
    Raises ``NotFound`` for an unknown warehouse or size and
    ``ValidationFailed`` for a bundle, writing nothing.
    """
    target = StockTarget(target)
    for size_id, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed(f"stock must be a non-negative integer, got {value!r}", field=f"{size_id}")
    if len(values) > MAX_STOCK_BATCH:
        raise ValidationFailed(f"at most {MAX_STOCK_BATCH} sizes at once", field="products")
    async with unit_of_work(db, write=True) as session:
        await _require_warehouse(session, warehouse_id)
        if not values:
            return StockUpdate(levels=(), changes=())
        size_ids = sorted(values)
        await _require_sizes(session, size_ids)
        created = await _insert_missing_rows(session, warehouse_id, size_ids)
        rows = await _rows_in_warehouse(session, warehouse_id, size_ids)
        levels: list[StockLevel] = []
        changes: list[dict[str, object]] = []
        events: list[dict[str, Any]] = []
        now = utcnow()
        for size_id in size_ids:
            stock_id, physical, allocated = rows[(warehouse_id, size_id)]
            wanted = values[size_id] if target is StockTarget.PHYSICAL else allocated + values[size_id]
            new_physical = max(wanted, allocated)
            levels.append(_level(warehouse_id, size_id, new_physical, allocated, clamped=new_physical != wanted))
            if new_physical != physical:
                changes.append({"row": stock_id, "physical": new_physical, "updated_at": now})
                events.append(
                    {
                        "store_id": None,
                        "object_type": EVENT_OBJECT_TYPE,
                        "object_id": stock_id,
                        "action": "created" if size_id in created else "updated",
                        "payload": {
                            "warehouse_id": warehouse_id,
                            "product_size_id": size_id,
                            "physical": new_physical,
                            "allocated": allocated,
                            "available": new_physical - allocated,
                            "reason": "set",
                            "physical_delta": new_physical - physical,
                        },
                        "created_at": now,
                    }
                )
        recorded: list[StockChange] = []
        if changes:
            # Executemany by primary key; the rows are locked, so allocated cannot move meanwhile.
            await session.execute(_set_physical, changes)
            recorded = await _record_many(session, events)
        return StockUpdate(levels=tuple(levels), changes=tuple(recorded))


async def change_stock(
    db: DatabaseOrSession,
    changes: Sequence[tuple[int, int]],
    *,
    into_warehouse_id: int | None = None,
    out_from_warehouse_id: int | None = None,
) -> StockUpdate:
    """Count stock in or out: a delivery into a warehouse, units taken out of
    one, or a move from one to the other, all in one transaction.

    ``changes`` lists (product size id, quantity). Each quantity is taken
    from ``out_from_warehouse_id`` and added to ``into_warehouse_id`` (a
    negative one goes the other way); zeros are skipped. Physical never drops
    below allocated: units promised to orders stay, and the level that
    stopped there says ``clamped=True``. Levels come line by line in the
    order given, the warehouse taken from before the one put into. Raises
    ``NotFound`` (field ``into_warehouse``, ``out_from_warehouse`` or
    ``product_size``) or ``ValidationFailed``, writing nothing.
    """
    if into_warehouse_id is None and out_from_warehouse_id is None:
        raise ValidationFailed(
            "name a warehouse to put stock into, one to take it from, or both", field="into_warehouse"
        )
    for _size_id, quantity in changes:
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise ValidationFailed(f"quantity must be an integer, got {quantity!r}", field="quantity")
    if len(changes) > MAX_STOCK_BATCH:
        raise ValidationFailed(f"at most {MAX_STOCK_BATCH} sizes at once", field="products")
    lines = [(size_id, quantity) for size_id, quantity in changes if quantity != 0]
    sides = [
        (warehouse_id, sign)
        for warehouse_id, sign in ((out_from_warehouse_id, -1), (into_warehouse_id, 1))
        if warehouse_id is not None
    ]
    async with unit_of_work(db, write=True) as session:
        if into_warehouse_id is not None:
            await _require_warehouse(session, into_warehouse_id, "into_warehouse")
        if out_from_warehouse_id is not None:
            await _require_warehouse(session, out_from_warehouse_id, "out_from_warehouse")
        if not lines:
            return StockUpdate(levels=(), changes=())
        size_ids = sorted({size_id for size_id, _ in lines})
        await _require_sizes(session, size_ids)
        # Lock the rows there are in stock.id order first, as allocate() does: a move and an order cannot deadlock.
        await _lock_rows(session, sorted({warehouse_id for warehouse_id, _ in sides}), size_ids)
        levels: list[StockLevel] = []
        recorded: list[StockChange] = []
        for size_id, quantity in lines:
            for warehouse_id, sign in sides:
                level, change = await _write_physical(
                    session, warehouse_id, size_id, "adjust", delta=sign * quantity, checked=True
                )
                levels.append(level)
                if change is not None:
                    recorded.append(change)
        return StockUpdate(levels=tuple(levels), changes=tuple(recorded))


async def _rows_in_warehouse(
    session: AsyncSession, warehouse_id: int, size_ids: Sequence[int]
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """Like ``_rows_by_key`` for one warehouse: a plain IN on the size uses the unique index
    (PostgreSQL plans a 1,000-pair row-value IN far worse). One statement, so every row is
    locked in ``stock.id`` order, the order ``allocate`` uses: no deadlock between the two."""
    result = await session.execute(
        select(Stock.id, Stock.product_size_id, Stock.physical, Stock.allocated)
        .where(Stock.warehouse_id == warehouse_id, Stock.product_size_id.in_(list(size_ids)))
        .order_by(Stock.id)
        .with_for_update()
    )
    return {
        (warehouse_id, size_id): (stock_id, physical, allocated) for stock_id, size_id, physical, allocated in result
    }


async def _insert_missing_rows(session: AsyncSession, warehouse_id: int, size_ids: Sequence[int]) -> set[int]:
    """Create empty rows for the sizes that have none here; the sizes whose row this inserted.

    One multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` per chunk of
    sizes: a row another transaction created meanwhile is left as it is (and
    counted by the read that follows), never overwritten.
    """
    created: set[int] = set()
    dialect = session.get_bind().dialect.name
    builder: Any = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for start in range(0, len(size_ids), _ROW_CHUNK):
        chunk = list(size_ids[start : start + _ROW_CHUNK])
        missing = set(chunk) - set(
            await session.scalars(
                select(Stock.product_size_id).where(
                    Stock.warehouse_id == warehouse_id, Stock.product_size_id.in_(chunk)
                )
            )
        )
        if not missing:
            continue
        stmt = (
            builder(Stock)
            .values(
                [
                    {"warehouse_id": warehouse_id, "product_size_id": size_id, "physical": 0, "allocated": 0}
                    for size_id in sorted(missing)
                ]
            )
            .on_conflict_do_nothing(index_elements=["warehouse_id", "product_size_id"])
            .returning(Stock.product_size_id)
        )
        created.update(await session.scalars(stmt))
    return created


async def _record_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[StockChange]:
    """Append many ``stock`` events to the outbox with one statement (``record`` adds one).

    PostgreSQL returns the new ids of a batched ``INSERT ... RETURNING`` in
    order. SQLite cannot promise that order for a multi-row RETURNING (the ORM
    would send one INSERT per event), so there the ids are given: the caller
    has already written in this transaction, so it holds SQLite's only write
    lock and the next ids (after the highest ever used, since ids of the
    ``events`` table never come back) are exactly the ones SQLite would choose.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        returning = insert(_events).returning(_events.c.id, sort_by_parameter_order=True)
        ids = list(await session.scalars(returning, list(rows)))
    else:
        used = await session.scalar(
            select(
                func.max(
                    func.coalesce(select(func.max(Event.id)).scalar_subquery(), 0),
                    func.coalesce(
                        select(_sqlite_sequence.c.seq)
                        .where(_sqlite_sequence.c.name == Event.__tablename__)
                        .scalar_subquery(),
                        0,
                    ),
                )
            )
        )
        first = int(used or 0) + 1
        ids = list(range(first, first + len(rows)))
        await session.execute(insert(_events), [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)])
    return [_change_of(id_, row["created_at"], row["payload"]) for id_, row in zip(ids, rows, strict=True)]


def _change_of(event_id: int, created_at: datetime, payload: Mapping[str, Any]) -> StockChange:
    """``stock_change_of`` without building an ORM ``Event`` first (a thousand of them cost milliseconds)."""
    return StockChange(
        id=event_id,
        created_at=created_at,
        warehouse_id=int(payload["warehouse_id"]),
        product_size_id=int(payload["product_size_id"]),
        physical=int(payload["physical"]),
        allocated=int(payload["allocated"]),
        available=int(payload["available"]),
        physical_delta=int(payload.get("physical_delta", 0)),
        allocated_delta=int(payload.get("allocated_delta", 0)),
        reason=str(payload.get("reason", "")),
    )


@dataclass(frozen=True)
class KeyedStockUpdate:
    levels: dict[str, StockLevel]
    # Keys that name no stock item, and keys that name a bundle (never stocked); both are skipped.
    not_found: list[str]
    bundles: list[str]
    changes: tuple[StockChange, ...] = ()


async def set_stock_by_keys(
    db: DatabaseOrSession,
    warehouse_id: int,
    values: Mapping[str, int],
    *,
    target: StockTarget = StockTarget.PHYSICAL,
) -> KeyedStockUpdate:
    """``set_stock`` for stock items named by EAN or full SKU, in one transaction.

    Keys that name no stock item, and keys that name a bundle, are skipped
    and reported apart (the Order API's ``productsNotFound`` and
    ``productsAreBundles``); the others are still set.
    """
    if len(values) > MAX_STOCK_BATCH:
        raise ValidationFailed(f"at most {MAX_STOCK_BATCH} products at once", field="products")
    async with unit_of_work(db, write=True) as session:
        found = await resolve_stock_keys(session, values)
        bundle_sizes = await is_bundle_size(session, found.values())
        settable = {key: size for key, size in found.items() if size not in bundle_sizes}
        result = await set_stock(
            session, warehouse_id, {settable[key]: qty for key, qty in values.items() if key in settable}, target=target
        )
        by_size = {level.product_size_id: level for level in result.levels}
        return KeyedStockUpdate(
            levels={key: by_size[settable[key]] for key in values if key in settable},
            not_found=[key for key in values if key not in found],
            bundles=[key for key in values if key in found and found[key] in bundle_sizes],
            changes=result.changes,
        )
