"""Turning input amounts into minor units without silently rounding them."""

from __future__ import annotations

from decimal import Decimal

from opencentra.errors import ValidationFailed

# Minor units are stored in signed 64-bit columns.
MAX_MINOR = 2**63 - 1


def exact_minor(amount: Decimal, decimals: int, *, field: str) -> int:
    """``amount`` in minor units; it must be finite, non-negative and exact.

    An admin typing 9.995 in a two-decimal currency gets an error, not 10.00.
    """
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise ValidationFailed(f"{field} must be a non-negative amount", field=field)
    # Checked before scaling so a value like 1E+999999 never becomes a huge int.
    if amount.adjusted() + decimals > 18:
        raise ValidationFailed(f"{field} is too large", field=field)
    scaled = amount.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed(f"{field} has more than {decimals} decimals", field=field)
    minor = int(scaled)
    if minor > MAX_MINOR:
        raise ValidationFailed(f"{field} is too large", field=field)
    return minor
