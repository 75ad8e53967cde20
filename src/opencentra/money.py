"""Money: ``Decimal`` in code, integer minor units in the database.

SQLite stores NUMERIC as REAL, so a decimal column would lose precision there;
integers behave identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def quantum(decimals: int) -> Decimal:
    """The smallest unit for a currency with ``decimals`` digits (2 -> 0.01)."""
    return Decimal(1).scaleb(-decimals)


def to_minor(amount: Decimal | int | str, decimals: int) -> int:
    """Convert an amount to integer minor units, rounding half up."""
    value = Decimal(amount).quantize(quantum(decimals), rounding=ROUND_HALF_UP)
    return int(value.scaleb(decimals))


def from_minor(minor: int, decimals: int) -> Decimal:
    """Convert integer minor units back to a ``Decimal`` with the currency's scale."""
    return Decimal(minor).scaleb(-decimals).quantize(quantum(decimals))


def round_money(amount: Decimal, decimals: int) -> Decimal:
    """Round an intermediate amount to the currency's precision, half up."""
    return amount.quantize(quantum(decimals), rounding=ROUND_HALF_UP)
