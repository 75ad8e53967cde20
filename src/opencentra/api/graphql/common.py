"""Shapes every part of the schema shares: scalars, money, filters, errors, paging."""

from __future__ import annotations

import base64
import binascii
import enum
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info
from strawberry.types.scalar import ScalarDefinition

from opencentra.errors import DomainError

MAX_LIMIT = 1000
"""The largest ``limit``/``first``/``last`` accepted; Centra documents none (spec §4)."""

DEFAULT_LIMIT = 100
"""Rows returned when a list is asked for without ``limit`` (Centra documents none)."""

VALIDATION = "validation"


def _parse_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time())
        else:
            if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit() and ":" not in text[-5:]:
                text = f"{text[:-2]}:{text[-2:]}"  # "+0000" -> "+00:00"
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    else:
        raise ValueError("expected a date-time string such as 2023-01-09T15:18:33+01:00")
    # A date-time without an offset is read as UTC, the server's time zone.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _serialize_datetime(value: datetime | str) -> str:
    if isinstance(value, str):
        return value  # already formatted by a field's ``format:`` argument (api/graphql/dates.py)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


# Every date-time field is a DateTimeTz on the wire: ``datetime`` maps to it in
# ``StrawberryConfig.scalar_map`` (replacing strawberry's own DateTime).
DateTimeTz = datetime

SCALARS: dict[object, ScalarDefinition] = {
    datetime: strawberry.scalar(
        name="DateTimeTz",
        description="A date and time with its UTC offset, e.g. 2023-01-09T15:18:33+01:00.",
        serialize=_serialize_datetime,
        parse_value=_parse_datetime,
    )
}
"""The custom scalars, for ``StrawberryConfig.scalar_map``."""


@strawberry.enum
class Status(enum.Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


def status_of(active: bool) -> Status:
    return Status.ACTIVE if active else Status.INACTIVE


@strawberry.enum
class StoreType(enum.Enum):
    DIRECT_TO_CONSUMER = "DIRECT_TO_CONSUMER"
    WHOLESALE = "WHOLESALE"


@strawberry.type
class UserError:
    message: str
    path: list[str] | None = None


@strawberry.type
class UserWarning:
    message: str
    path: list[str] | None = None


def user_error(error: DomainError, *prefix: str) -> UserError:
    """A domain error as a mutation's ``userErrors`` entry; ``path`` ends with its field."""
    path = [*prefix, error.field] if error.field else list(prefix) or None
    return UserError(message=error.message, path=path)


def input_user_error(error: DomainError, input_names: Mapping[str, str]) -> UserError:
    """A domain error at ``id``, or under ``input`` with its field named as Centra's input spells it."""
    if error.field == "id":
        return UserError(message=error.message, path=["id"])
    field = input_names.get(error.field or "", error.field)
    return UserError(message=error.message, path=["input", field] if field else ["input"])


@strawberry.input
class StringFilter:
    equals: str | None = None
    contains: str | None = None


@strawberry.input
class DateTimeFilter:
    from_: DateTimeTz | None = strawberry.field(name="from", default=None)
    to: DateTimeTz | None = None


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Currency:
    id: int
    code: str
    name: str
    iso_number: str | None
    decimal_digits: int
    prefix: str
    suffix: str
    is_base: bool


@strawberry.type
class MonetaryValue:
    """An amount in a currency. ``value`` is a float on the wire, as Centra prints it."""

    value: float
    _currency_id: strawberry.Private[int]
    _minor: strawberry.Private[int]
    _decimals: strawberry.Private[int]
    conversion_rate: float = 1.0

    @strawberry.field
    async def currency(self, info: Info[Any, Any]) -> Currency:
        found: Currency | None = await info.context.loaders.currency.load(self._currency_id)
        assert found is not None
        return found

    @strawberry.field
    async def formatted_value(self, info: Info[Any, Any]) -> str:
        currency = await info.context.loaders.currency.load(self._currency_id)
        amount = f"{Decimal(self._minor).scaleb(-self._decimals):,.{self._decimals}f}"
        if currency is None:
            return amount
        return f"{currency.prefix}{amount}{currency.suffix}".strip()


def money(minor: int, currency_id: int, decimals: int) -> MonetaryValue:
    return MonetaryValue(
        value=float(Decimal(minor).scaleb(-decimals)), _currency_id=currency_id, _minor=minor, _decimals=decimals
    )


def input_error(message: str, argument: str) -> GraphQLError:
    return GraphQLError(message, extensions={"category": VALIDATION, "argument": argument})


def page_window(limit: int | None, page: int | None, *, default: int = DEFAULT_LIMIT) -> tuple[int, int]:
    """``(limit, offset)`` from a list's arguments, with clear errors for bad ones."""
    size = default if limit is None else limit
    if size < 0 or size > MAX_LIMIT:
        raise input_error(f"limit must be between 0 and {MAX_LIMIT}", "limit")
    number = 1 if page is None else page
    if number < 1:
        raise input_error("page must be 1 or more", "page")
    if (number - 1) * size > 10_000_000:
        raise input_error("page is too large", "page")
    return size, (number - 1) * size


# --- Relay connections ---------------------------------------------------------------


def encode_cursor(field: str, value: object, row_id: int) -> str:
    """``base64("<field>:<value>")``, as Centra's ``bnVtYmVyOjE2Ng==`` (``number:166``).

    A sort field that is not unique also carries the row id: ``orderDate:<iso>|<id>``.
    """
    text = f"{field}:{value}" if field in ("id", "number") else f"{field}:{value}|{row_id}"
    return base64.b64encode(text.encode()).decode()


def decode_cursor(cursor: str, argument: str) -> tuple[str, str, int | None]:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        field, _, rest = text.partition(":")
        if not rest:
            raise ValueError(cursor)
        if field in ("id", "number"):
            return field, rest, None
        value, _, row_id = rest.rpartition("|")
        return field, value, int(row_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise input_error(f"{argument} is not a cursor this API issued", argument) from None


def connection_window(first: int | None, last: int | None) -> tuple[int, bool]:
    """``(size, from_end)``: ``last`` counts from the end."""
    if first is not None and last is not None:
        raise input_error("give first or last, not both", "first")
    size = first if first is not None else last if last is not None else DEFAULT_LIMIT
    if size < 0 or size > MAX_LIMIT:
        raise input_error(f"first/last must be between 0 and {MAX_LIMIT}", "first" if first is not None else "last")
    return size, last is not None


def coerce_cursor_value(field: str, raw: str, argument: str) -> Any:
    try:
        if field in ("id", "number"):
            return int(raw)
        return _parse_datetime(raw)
    except ValueError:
        raise input_error(f"{argument} is not a cursor this API issued", argument) from None
