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

Every change appends a ``stock`` event to the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, column, func, select, table, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.db.base import utcnow
from opencentra.errors import Conflict, NotFound, OutOfStock, ValidationFailed
from opencentra.events.models import Event
from opencentra.events.outbox import record
from opencentra.inventory.models import Stock
from opencentra.inventory.stock_items import resolve_stock_keys
from opencentra.stores._db import DatabaseOrSession, insert_or_ignore, unit_of_work
from opencentra.stores.models import AllocationRuleWarehouse, Market, Warehouse

EVENT_OBJECT_TYPE = "stock"

# catalog owns product_sizes; existence checks need only its key.
_product_sizes = table("product_sizes", column("id"))

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
) -> None:
    payload: dict[str, Any] = {
        "warehouse_id": level.warehouse_id,
        "product_size_id": level.product_size_id,
        "physical": level.physical,
        "allocated": level.allocated,
        "available": level.available,
        "reason": reason,
        **change,
    }
    await record(session, EVENT_OBJECT_TYPE, stock_id, action, payload, store_id=store_id)


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
        if unstocked:
            # A bundle has no stock rows of its own: what it can sell follows its components.
            from opencentra.catalog.bundles import available_bundles

            result.update(await available_bundles(session, market_id, unstocked))
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


async def _require_targets(session: AsyncSession, warehouse_id: int, product_size_id: int) -> None:
    if await session.get(Warehouse, warehouse_id) is None:
        raise NotFound(f"warehouse {warehouse_id} does not exist", field="warehouse")
    found = await session.scalar(select(_product_sizes.c.id).where(_product_sizes.c.id == product_size_id))
    if found is None:
        raise NotFound(f"product size {product_size_id} does not exist", field="product_size")
    await _refuse_bundles(session, [product_size_id])


async def _refuse_bundles(session: AsyncSession, product_size_ids: Iterable[int]) -> None:
    """A bundle has no stock of its own (it follows its components), so it cannot be stocked."""
    from opencentra.catalog.bundles import is_bundle_size

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
) -> StockLevel:
    """Set physical to ``absolute`` (or to current + ``delta``), raised to
    allocated if it would fall below it. Creates the row if needed."""
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
        await _record(session, stock_id, level, reason, action="created", physical_delta=physical)
        return level
    target = absolute if absolute is not None else physical + delta
    new_physical = max(target, allocated)
    clamped = new_physical != target
    if new_physical == physical:
        return _level(warehouse_id, product_size_id, physical, allocated, clamped)
    changed = await _change(session, stock_id, physical_delta=new_physical - physical)
    if changed is None:  # the row is locked, so only a bug gets here
        raise Conflict("stock changed while it was being counted; try again", field="physical")
    level = _level(warehouse_id, product_size_id, *changed, clamped=clamped)
    await _record(session, stock_id, level, reason, physical_delta=new_physical - physical)
    return level


async def set_physical(db: DatabaseOrSession, warehouse_id: int, product_size_id: int, physical: int) -> StockLevel:
    """Set the absolute physical count (a stock take, a WMS push).

    A value below what is allocated is clamped to allocated (Centra does the
    same) and the result says ``clamped=True``. Creates the stock row if needed.
    """
    if isinstance(physical, bool) or not isinstance(physical, int) or physical < 0:
        raise ValidationFailed(f"physical must be a non-negative integer, got {physical!r}", field="physical")
    async with unit_of_work(db, write=True) as session:
        return await _write_physical(session, warehouse_id, product_size_id, "set", absolute=physical)


async def adjust_physical(db: DatabaseOrSession, warehouse_id: int, product_size_id: int, delta: int) -> StockLevel:
    """Add (delivery) or remove (shrinkage) units; clamped like ``set_physical``."""
    if isinstance(delta, bool) or not isinstance(delta, int):
        raise ValidationFailed(f"delta must be an integer, got {delta!r}", field="delta")
    async with unit_of_work(db, write=True) as session:
        return await _write_physical(session, warehouse_id, product_size_id, "adjust", delta=delta)


async def restock(
    session: AsyncSession, warehouse_id: int, product_size_id: int, quantity: int, *, reason: str = "return"
) -> StockLevel:
    """Units come back onto the shelf (a return): physical rises, allocated stays."""
    _positive(quantity)
    return await _write_physical(session, warehouse_id, product_size_id, reason, delta=quantity)


async def set_stock_many(
    db: DatabaseOrSession, warehouse_id: int, values: Mapping[int, int], *, target: str = "physical"
) -> dict[int, StockLevel]:
    """Set stock of many sizes in one warehouse at once (a WMS or POS push), in one transaction.

    ``target="physical"`` sets the shelf count; ``"available"`` sets what is
    free to allocate (physical becomes allocated + value). Either way physical
    never drops below allocated: a lower value is clamped and reported with
    ``clamped=True``. Rows are locked in ``stock.id`` order, so concurrent
    pushes and allocations serialize without deadlocks; the last push wins.
    Returns the new level per size.
    """
    if target not in ("physical", "available"):
        raise ValidationFailed("target is 'physical' or 'available'", field="target")
    for size_id, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed(f"stock must be a non-negative integer, got {value!r}", field=f"{size_id}")
    if not values:
        return {}
    if len(values) > MAX_STOCK_BATCH:
        raise ValidationFailed(f"at most {MAX_STOCK_BATCH} sizes at once", field="products")
    async with unit_of_work(db, write=True) as session:
        if await session.get(Warehouse, warehouse_id) is None:
            raise NotFound(f"warehouse {warehouse_id} does not exist", field="warehouse")
        await _refuse_bundles(session, values)
        size_ids = sorted(values)
        known: set[int] = set()
        for start in range(0, len(size_ids), 500):
            chunk = size_ids[start : start + 500]
            known.update(await session.scalars(select(_product_sizes.c.id).where(_product_sizes.c.id.in_(chunk))))
        if missing := [size_id for size_id in size_ids if size_id not in known]:
            raise NotFound(f"product sizes {missing[:10]} do not exist", field="product_size")
        await _insert_missing_rows(session, warehouse_id, size_ids)
        rows = await _rows_in_warehouse(session, warehouse_id, size_ids)
        levels: dict[int, StockLevel] = {}
        changes: list[dict[str, object]] = []
        events: list[Event] = []
        now = utcnow()
        for size_id in size_ids:
            stock_id, physical, allocated = rows[(warehouse_id, size_id)]
            wanted = values[size_id] if target == "physical" else allocated + values[size_id]
            new_physical = max(wanted, allocated)
            level = _level(warehouse_id, size_id, new_physical, allocated, clamped=new_physical != wanted)
            levels[size_id] = level
            if new_physical != physical:
                changes.append({"id": stock_id, "physical": new_physical, "updated_at": now})
                events.append(
                    Event(
                        store_id=None,
                        object_type=EVENT_OBJECT_TYPE,
                        object_id=stock_id,
                        action="updated",
                        payload={
                            "warehouse_id": warehouse_id,
                            "product_size_id": size_id,
                            "physical": new_physical,
                            "allocated": allocated,
                            "available": new_physical - allocated,
                            "reason": "set",
                            "physical_delta": new_physical - physical,
                        },
                    )
                )
        if changes:
            # Executemany by primary key; the rows are locked, so allocated cannot move meanwhile.
            await session.execute(update(Stock).execution_options(synchronize_session=False), changes)
            session.add_all(events)
            await session.flush()
        return levels


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


async def _insert_missing_rows(session: AsyncSession, warehouse_id: int, size_ids: Sequence[int]) -> None:
    existing: set[int] = set()
    for start in range(0, len(size_ids), 500):
        chunk = list(size_ids[start : start + 500])
        existing.update(
            await session.scalars(
                select(Stock.product_size_id).where(
                    Stock.warehouse_id == warehouse_id, Stock.product_size_id.in_(chunk)
                )
            )
        )
    for size_id in size_ids:
        if size_id not in existing:
            await insert_or_ignore(
                session,
                Stock,
                {"warehouse_id": warehouse_id, "product_size_id": size_id, "physical": 0, "allocated": 0},
                ["warehouse_id", "product_size_id"],
            )


async def set_stock_by_keys(
    db: DatabaseOrSession, warehouse_id: int, values: Mapping[str, int], *, target: str = "physical"
) -> tuple[dict[str, StockLevel], list[str]]:
    """``set_stock_many`` for stock items named by EAN or full SKU, in one transaction.

    Returns the new levels by key and the keys that name no stock item
    (those are skipped; the others are still set).
    """
    result = await set_stock_by_keys_reporting(db, warehouse_id, values, target=target)
    return result.levels, result.not_found + result.bundles


@dataclass(frozen=True)
class KeyedStockUpdate:
    levels: dict[str, StockLevel]
    # Keys that name no stock item, and keys that name a bundle (never stocked); both are skipped.
    not_found: list[str]
    bundles: list[str]


async def set_stock_by_keys_reporting(
    db: DatabaseOrSession, warehouse_id: int, values: Mapping[str, int], *, target: str = "physical"
) -> KeyedStockUpdate:
    """``set_stock_by_keys`` telling unknown keys and bundles apart (Order API ``productsAreBundles``)."""
    from opencentra.catalog.bundles import is_bundle_size

    async with unit_of_work(db, write=True) as session:
        found = await resolve_stock_keys(session, values)
        bundle_sizes = await is_bundle_size(session, found.values())
        settable = {key: size for key, size in found.items() if size not in bundle_sizes}
        levels = await set_stock_many(
            session, warehouse_id, {settable[key]: qty for key, qty in values.items() if key in settable}, target=target
        )
        return KeyedStockUpdate(
            levels={key: levels[settable[key]] for key in values if key in settable},
            not_found=[key for key in values if key not in found],
            bundles=[key for key in values if key in found and found[key] in bundle_sizes],
        )
