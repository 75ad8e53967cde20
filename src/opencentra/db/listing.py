"""Filtering, sorting and paging list queries: the values an API turns its arguments into, and their SQL.

An API reads ``where``/``sort``/``limit``/``page`` (or cursors) off the wire
and hands the domain these values; the domain's list queries turn them into
conditions on its own columns. So the wire format stays in the adapter and
the SQL stays in the domain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from opencentra.db.base import Base
from opencentra.errors import ValidationFailed

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
M = TypeVar("M", bound=Base)
D = TypeVar("D", bound="DataclassInstance")
Rs = TypeVarTuple("Rs")

# Keep each IN (...) list well below SQLite's and PostgreSQL's parameter limits.
CHUNK = 900


@dataclass(frozen=True, slots=True)
class TextMatch:
    """``equals`` exactly and/or ``contains`` (case-insensitive); both None matches everything."""

    equals: str | None = None
    contains: str | None = None


@dataclass(frozen=True, slots=True)
class Between(Generic[T]):
    """Inclusive bounds; a None bound is open."""

    start: T | None = None
    end: T | None = None


@dataclass(frozen=True, slots=True)
class SortKey:
    """One key of an ordering, by the list's own field name (``name``, ``updatedAt``...)."""

    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Window:
    """A page of a list: at most ``limit`` rows after skipping ``offset``."""

    limit: int
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in a keyset-paged list: the sort value of a row and, for a non-unique sort, its id."""

    value: Any
    row_id: int | None = None


def text_conditions(column: InstrumentedAttribute[str], match: TextMatch | None) -> list[ColumnElement[bool]]:
    if match is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if match.equals is not None:
        conditions.append(column == match.equals)
    if match.contains is not None:
        escaped = match.contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(column.ilike(f"%{escaped}%", escape="\\"))
    return conditions


def between_conditions(column: InstrumentedAttribute[Any], bounds: Between[Any] | None) -> list[ColumnElement[bool]]:
    if bounds is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if bounds.start is not None:
        conditions.append(column >= bounds.start)
    if bounds.end is not None:
        conditions.append(column <= bounds.end)
    return conditions


def ordered(
    statement: Select[*Rs],
    sort: Sequence[SortKey],
    columns: Mapping[str, InstrumentedAttribute[Any]],
    tiebreak: InstrumentedAttribute[Any],
) -> Select[*Rs]:
    """ORDER BY the sort keys, then ``tiebreak`` ascending; a key that names none of ``columns``
    is the caller's error (``ValidationFailed`` on ``sort``)."""
    for key in sort:
        if key.field not in columns:
            raise ValidationFailed(f"cannot sort by {key.field}; sort by {', '.join(columns)}", field="sort")
    order: list[Any] = []
    for key in sort:
        column = columns[key.field]
        order.append(column.desc() if key.descending else column.asc())
    order.append(tiebreak.asc())
    return statement.order_by(*order)


def windowed(statement: Select[*Rs], window: Window) -> Select[*Rs]:
    return statement.limit(window.limit).offset(window.offset)


def where_in(statement: Select[*Rs], column: InstrumentedAttribute[Any], values: Sequence[Any] | None) -> Select[*Rs]:
    """``statement`` limited to rows whose ``column`` is one of ``values`` (None: no limit)."""
    return statement if values is None else statement.where(column.in_(values))


async def page(
    session: AsyncSession,
    statement: Select[M],
    sort: Sequence[SortKey],
    columns: Mapping[str, InstrumentedAttribute[Any]],
    window: Window,
    view: Callable[[M], V],
) -> list[V]:
    """One window of the rows ``statement`` selects, sorted by ``sort`` over ``columns`` (then by
    ``columns["id"]``), as read views."""
    statement = windowed(ordered(statement, sort, columns, columns["id"]), window)
    return [view(row) for row in await session.scalars(statement)]


def beyond(
    column: InstrumentedAttribute[Any],
    tiebreak: InstrumentedAttribute[Any],
    cursor: Cursor,
    *,
    after: bool,
    descending: bool,
) -> ColumnElement[bool]:
    """Rows strictly after (or before) ``cursor`` in ``column, tiebreak`` order."""
    forward = after != descending
    condition: ColumnElement[bool]
    if cursor.row_id is None:
        condition = column > cursor.value if forward else column < cursor.value
    elif forward:
        condition = or_(column > cursor.value, and_(column == cursor.value, tiebreak > cursor.row_id))
    else:
        condition = or_(column < cursor.value, and_(column == cursor.value, tiebreak < cursor.row_id))
    return condition


# --- read views, and reading them in batches by key ---------------------------------------------


@cache
def _field_names(view: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(field.name for field in fields(view))


def of_row(view: type[D], row: object) -> D:
    """The read view ``view`` of ``row``: each of its fields is the row's attribute of that name.

    Views name their fields after the table's columns, so one rule copies them all.
    """
    return view(**{name: getattr(row, name) for name in _field_names(view)})


def chunks(keys: Iterable[K]) -> list[list[K]]:
    """The distinct ``keys`` in their order, cut into lists short enough for one ``IN (...)``."""
    unique = list(dict.fromkeys(keys))
    return [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]


async def keyed(
    session: AsyncSession,
    model: type[M],
    column: InstrumentedAttribute[Any],
    keys: Iterable[Any],
    view: Callable[[M], V],
) -> dict[Any, V]:
    """``{key: view(row)}`` of the ``model`` rows whose ``column`` is one of ``keys``; unknown keys left out."""
    found: dict[Any, V] = {}
    for chunk in chunks(keys):
        for row in await session.scalars(select(model).where(column.in_(chunk))):
            found[getattr(row, column.key)] = view(row)
    return found


async def grouped(
    session: AsyncSession,
    model: type[M],
    column: InstrumentedAttribute[Any],
    keys: Iterable[Any],
    view: Callable[[M], V],
    *order_by: InstrumentedAttribute[Any],
) -> dict[Any, list[V]]:
    """``{key: [view(row)...]}`` of the ``model`` rows whose ``column`` is the key, ordered by
    ``order_by``; keys with none are left out."""
    found: dict[Any, list[V]] = defaultdict(list)
    for chunk in chunks(keys):
        statement = select(model).where(column.in_(chunk)).order_by(column, *order_by)
        for row in await session.scalars(statement):
            found[getattr(row, column.key)].append(view(row))
    return dict(found)
