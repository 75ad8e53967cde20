"""Date fields with Centra's ``format:`` argument (PHP ``date()`` letters).

Centra's 2021 schema let every date field take ``format: String`` and answer
the date formatted with PHP's ``date()`` letters (``orderDate(format: "Y-m-d")``,
``updatedAt(format: "Y-m-d\\\\TH:i:sO")``). Clients written then still send it,
so the argument is kept: without it a field answers the ``DateTimeTz`` scalar
as usual; with it, the formatted text (the scalar passes text through).
Dates are formatted in UTC, the zone OpenCentra stores them in.

Use :func:`date_field` on a type whose instance keeps the ``datetime`` in a
(private) attribute::

    updated_at: strawberry.Private[datetime]
    updated_at_field: datetime = date_field("updated_at", name="updatedAt")
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from operator import attrgetter
from typing import Annotated, Any

import strawberry

MAX_FORMAT_LENGTH = 200

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _ordinal_suffix(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _offset(value: datetime, *, colon: bool) -> str:
    delta = value.utcoffset()
    seconds = int(delta.total_seconds()) if delta is not None else 0
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"


def _letter(value: datetime, letter: str) -> str | None:
    """One PHP ``date()`` letter; ``None`` when the letter is not a format letter."""
    iso_year, iso_week, iso_weekday = value.isocalendar()
    hour12 = value.hour % 12 or 12
    match letter:
        case "d":
            return f"{value.day:02d}"
        case "D":
            return _DAY_NAMES[value.weekday()][:3]
        case "j":
            return str(value.day)
        case "l":
            return _DAY_NAMES[value.weekday()]
        case "N":
            return str(iso_weekday)
        case "S":
            return _ordinal_suffix(value.day)
        case "w":
            return str(iso_weekday % 7)
        case "z":
            return str(value.timetuple().tm_yday - 1)
        case "W":
            return f"{iso_week:02d}"
        case "F":
            return _MONTH_NAMES[value.month - 1]
        case "m":
            return f"{value.month:02d}"
        case "M":
            return _MONTH_NAMES[value.month - 1][:3]
        case "n":
            return str(value.month)
        case "t":
            return str(calendar.monthrange(value.year, value.month)[1])
        case "L":
            return "1" if calendar.isleap(value.year) else "0"
        case "o":
            return str(iso_year)
        case "Y":
            return str(value.year)
        case "y":
            return f"{value.year % 100:02d}"
        case "a":
            return "am" if value.hour < 12 else "pm"
        case "A":
            return "AM" if value.hour < 12 else "PM"
        case "g":
            return str(hour12)
        case "G":
            return str(value.hour)
        case "h":
            return f"{hour12:02d}"
        case "H":
            return f"{value.hour:02d}"
        case "i":
            return f"{value.minute:02d}"
        case "s":
            return f"{value.second:02d}"
        case "u":
            return f"{value.microsecond:06d}"
        case "v":
            return f"{value.microsecond // 1000:03d}"
        case "e" | "T":
            return "UTC" if value.utcoffset() in (None, UTC.utcoffset(None)) else _offset(value, colon=True)
        case "I":
            return "0"
        case "O":
            return _offset(value, colon=False)
        case "P":
            return _offset(value, colon=True)
        case "p":
            return "Z" if not value.utcoffset() else _offset(value, colon=True)
        case "Z":
            delta = value.utcoffset()
            return str(int(delta.total_seconds()) if delta is not None else 0)
        case "c":
            return value.isoformat(timespec="seconds")
        case "r":
            return format_php(value, "D, d M Y H:i:s O")
        case "U":
            return str(int(value.timestamp()))
    return None


def format_php(value: datetime, fmt: str) -> str:
    """``value`` formatted like PHP's ``date(fmt)``; a backslash makes the next character literal."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    out: list[str] = []
    escaped = False
    for char in fmt:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            formatted = _letter(value, char)
            out.append(char if formatted is None else formatted)
    return "".join(out)


def formatted(value: datetime | None, fmt: str | None) -> Any:
    """The value itself (serialized as ``DateTimeTz``) or, given a format, its text."""
    if value is None or fmt is None:
        return value
    return format_php(value.astimezone(UTC), fmt[:MAX_FORMAT_LENGTH])


_FORMAT_HELP = "PHP date() letters, e.g. Y-m-d; in UTC."


def date_field(attribute: str, *, name: str, optional: bool = False, description: str | None = None) -> Any:
    """A date field read from ``attribute`` of the object (a dotted path such as
    ``_row.created_at`` reaches into the row a type wraps), taking ``format: String``."""
    read = attrgetter(attribute)

    def resolve(
        root: Any,
        format: Annotated[str | None, strawberry.argument(description=_FORMAT_HELP)] = None,
    ) -> Any:
        return formatted(read(root), format)

    return strawberry.field(
        resolver=resolve,
        name=name,
        graphql_type=datetime | None if optional else datetime,
        description=description,
    )


__all__ = ["date_field", "format_php", "formatted"]
