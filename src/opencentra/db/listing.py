"""Filtering, sorting and paging list queries: the values an API turns its arguments into, and their SQL.

An API reads ``where``/``sort``/``limit``/``page`` (or cursors) off the wire
and hands the domain these values; the domain's list queries turn them into
conditions on its own columns. So the wire format stays in the adapter and
the SQL stays in the domain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")
Rs = TypeVarTuple("Rs")


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
    """ORDER BY the sort keys (each must name one of ``columns``), then ``tiebreak`` ascending."""
    order: list[Any] = []
    for key in sort:
        column = columns[key.field]
        order.append(column.desc() if key.descending else column.asc())
    order.append(tiebreak.asc())
    return statement.order_by(*order)


def windowed(statement: Select[*Rs], window: Window) -> Select[*Rs]:
    return statement.limit(window.limit).offset(window.offset)


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
