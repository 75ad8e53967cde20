"""Reading and writing the Order API's loose wire values.

Centra's integrations send flags as ``true``, ``1`` or ``"1"``, ids as
JSON integers or strings of digits (read strictly, by ``opencentra.integers``:
no signs, spaces or other scripts' digits), and dates as ``YYYY-mm-dd`` or ``YYYY-mm-dd HH:MM:SS``
in the merchant's timezone (a URL may carry ``+`` for the space). Responses
print dates the same way and money as JSON numbers with at most the
currency's decimals. Anything that cannot be read raises
``ValidationFailed`` naming the field, which the envelope turns into
``{"status": "no", "msg": {field: message}}``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from opencentra.errors import NotFound, ValidationFailed
from opencentra.integers import as_int, whole_number

EMPTY_DATE = "0000-00-00 00:00:00"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T+]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?$")
_WITH_APPENDIX = re.compile(r"[1-9][0-9]{0,18}-[1-9][0-9]{0,18}")
# Bigger than any id we store; keeps a huge number from reaching the database driver.
MAX_ID = 2**53


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Europe/Stockholm")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def flag(value: Any, field: str, default: bool | None = None) -> bool | None:
    """A boolean from ``true``/``false``, ``1``/``0`` or their strings; ``None`` if absent."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValidationFailed("invalid value, expected true or false", field=field)


def integer(value: Any, field: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """A whole number from a JSON integer or a string of ASCII digits (``opencentra.integers``).

    No spaces, signs, underscores, control characters or other scripts'
    digits around or in it; negative only where ``minimum`` is below 0.
    """
    return whole_number(value, field, minimum=minimum, maximum=maximum)


def optional_integer(value: Any, field: str, *, minimum: int = 0) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return integer(value, field, minimum=minimum)


def id_or_number(value: Any, field: str, *, not_found: str) -> int | str:
    """An internal id, or a number with its appendix (``"83651-1"``: shipments, supplier deliveries).

    Read as strictly as ``integer``; anything else names nothing, so it is
    ``NotFound(field=field)`` with the message ``not_found``.
    """
    found = value if isinstance(value, str) and _WITH_APPENDIX.fullmatch(value) else as_int(value)
    if found is None or found == 0:
        raise NotFound(not_found, field=field)
    return found


def shipment(value: Any) -> int | str:
    """A shipment's id or number, as ``orders.queries.find_shipment_id`` takes it."""
    return id_or_number(value, "shipment", not_found="shipment does not exist")


def decimal(value: Any, field: str) -> Decimal:
    """A decimal amount from a JSON number or a numeric string (never through float arithmetic)."""
    if isinstance(value, bool) or value is None:
        raise ValidationFailed("invalid value, expected an amount", field=field)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed("invalid value, expected an amount", field=field) from None
    if not amount.is_finite() or abs(amount) > Decimal(10) ** 15:
        raise ValidationFailed("invalid value, expected an amount", field=field)
    return amount


def minor(value: Any, field: str, decimals: int, *, negative: bool = False) -> int:
    """An amount in minor units of a currency with ``decimals`` decimals, rounded half up."""
    amount = decimal(value, field)
    if amount < 0 and not negative:
        raise ValidationFailed("cannot be negative", field=field)
    return int((amount * (Decimal(10) ** decimals)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def text(value: Any, field: str, *, limit: int = 1000) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationFailed("invalid value, expected text", field=field)
    result = str(value)
    if len(result) > limit:
        raise ValidationFailed(f"at most {limit} characters", field=field)
    return result


def when(value: Any, field: str, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """A date (``YYYY-mm-dd``) or date and time in the merchant's timezone, as an aware UTC datetime."""
    if not isinstance(value, str):
        raise ValidationFailed("invalid date, expected YYYY-mm-dd or YYYY-mm-dd HH:MM:SS", field=field)
    match = _DATE.match(value.strip())
    if match is None:
        raise ValidationFailed("invalid date, expected YYYY-mm-dd or YYYY-mm-dd HH:MM:SS", field=field)
    year, month, day, hour, minute, second = match.groups()
    try:
        if hour is None:
            local = datetime.combine(date(int(year), int(month), int(day)), datetime.min.time())
            if end_of_day:
                local = local.replace(hour=23, minute=59, second=59)
        else:
            local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        raise ValidationFailed("invalid date, expected YYYY-mm-dd or YYYY-mm-dd HH:MM:SS", field=field) from None
    return local.replace(tzinfo=tz).astimezone(UTC)


def optional_when(value: Any, field: str, tz: ZoneInfo) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return when(value, field, tz)


def show_date(moment: datetime | None, tz: ZoneInfo) -> str:
    """``YYYY-mm-dd HH:MM:SS`` in the merchant's timezone; Centra's zero date when empty."""
    if moment is None:
        return EMPTY_DATE
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def show_minutes(moment: datetime | None, tz: ZoneInfo) -> str:
    """``YYYY-mm-dd HH:MM``, as the supplier module prints dates."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def show_day(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d")


def show_iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO-8601 with the offset, as allocation requests print dates."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).replace(microsecond=0).isoformat()


_SCALE: tuple[int, ...] = tuple(10**n for n in range(10))


def amount(minor_units: int, decimals: int) -> int | float:
    """Minor units as Centra prints money: ``25`` when whole, ``3978.75`` otherwise.

    Only the printing is float: ``round`` to the currency's decimals gives the
    shortest repr of the exact decimal value (hot path: a page of 100 orders
    prints ~3,000 amounts).
    """
    scale: int = _SCALE[decimals] if 0 <= decimals < len(_SCALE) else int(10**decimals)
    whole, rest = divmod(minor_units, scale)
    if rest == 0:
        return int(whole)
    return round(minor_units / scale, decimals)


def amount_text(minor_units: int, decimals: int) -> str:
    """Money as a string with all its decimals (``"329.00"``), as /products prints prices."""
    return f"{Decimal(minor_units).scaleb(-decimals):.{decimals}f}"


def weight(kilograms: Decimal | None) -> int | float:
    if kilograms is None:
        return 0
    if kilograms == kilograms.to_integral_value():
        return int(kilograms)
    return float(kilograms)
