"""VAT arithmetic on VAT-inclusive (DTC) amounts. Pure functions, no I/O.

Rates are integer basis points (25 % = 2500). Amounts are ``Decimal`` in the
currency's major unit and come back rounded half up to its ``decimals``.
VAT is rounded once per rate, not per line, and every total is the sum of its
rounded parts, so a printed breakdown always adds up.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from opencentra.errors import ValidationFailed
from opencentra.money import quantum, round_money

_K = TypeVar("_K", bound=Hashable)

FULL_RATE_BP = 10_000


def _check_rate(rate_bp: int) -> None:
    if not 0 <= rate_bp <= FULL_RATE_BP:
        raise ValidationFailed(f"tax rate {rate_bp} bp is outside 0-10000", field="rate_bp")


def vat_contained(gross: Decimal, rate_bp: int, decimals: int) -> Decimal:
    """The VAT inside a VAT-inclusive amount: ``gross * rate / (1 + rate)``.

    25 % of 199.00 gives 39.80.
    """
    _check_rate(rate_bp)
    exact = gross * rate_bp / (FULL_RATE_BP + rate_bp)
    return round_money(exact, decimals)


def vat_on_top(net: Decimal, rate_bp: int, decimals: int) -> Decimal:
    """The VAT to add to a VAT-exclusive amount (wholesale prices)."""
    _check_rate(rate_bp)
    return round_money(net * rate_bp / FULL_RATE_BP, decimals)


@dataclass(frozen=True)
class VatPart:
    rate_bp: int
    gross: Decimal
    net: Decimal
    vat: Decimal


@dataclass(frozen=True)
class VatBreakdown:
    """VAT per rate; ``gross == net + vat`` per part and in total."""

    parts: tuple[VatPart, ...]
    gross: Decimal
    net: Decimal
    vat: Decimal


def vat_breakdown(gross_by_rate: Mapping[int, Decimal], decimals: int) -> VatBreakdown:
    """Split VAT-inclusive amounts, one per rate, into net and VAT.

    Parts are ordered by rate; each gross is first rounded to the currency.
    """
    parts: list[VatPart] = []
    for rate_bp in sorted(gross_by_rate):
        gross = round_money(gross_by_rate[rate_bp], decimals)
        vat = vat_contained(gross, rate_bp, decimals)
        parts.append(VatPart(rate_bp=rate_bp, gross=gross, net=gross - vat, vat=vat))
    zero = round_money(Decimal(0), decimals)
    return VatBreakdown(
        parts=tuple(parts),
        gross=sum((p.gross for p in parts), zero),
        net=sum((p.net for p in parts), zero),
        vat=sum((p.vat for p in parts), zero),
    )


def vat_breakdown_of_lines(lines: Iterable[tuple[Decimal, int]], decimals: int) -> VatBreakdown:
    """``vat_breakdown`` of (gross, rate_bp) lines, summed per rate first."""
    totals: dict[int, Decimal] = {}
    for gross, rate_bp in lines:
        totals[rate_bp] = totals.get(rate_bp, Decimal(0)) + gross
    return vat_breakdown(totals, decimals)


def split_proportionally(amount: Decimal, weights: Mapping[_K, Decimal], decimals: int) -> dict[_K, Decimal]:
    """Share ``amount`` out by ``weights`` so the shares add up to it exactly.

    Used to spread an amount with no rate of its own (shipping, an order
    discount) over the VAT rates of the items. Largest-remainder method in
    minor units: every share is within one minor unit of its exact value;
    ties go to the key listed first.
    """
    if not weights:
        raise ValidationFailed("nothing to split over", field="weights")
    if any(w < 0 for w in weights.values()):
        raise ValidationFailed("weights must not be negative", field="weights")
    total_weight = sum((Fraction(w) for w in weights.values()), Fraction(0))
    if total_weight == 0:
        raise ValidationFailed("weights must not all be zero", field="weights")
    step = quantum(decimals)
    units = int(round_money(amount, decimals) / step)
    sign, magnitude = (-1 if units < 0 else 1), abs(units)
    exact = {key: magnitude * Fraction(w) / total_weight for key, w in weights.items()}
    floors = {key: int(share) for key, share in exact.items()}  # shares are >= 0, int() floors
    leftover = magnitude - sum(floors.values())
    by_remainder = sorted(exact, key=lambda key: exact[key] - floors[key], reverse=True)  # stable: ties keep order
    for key in by_remainder[:leftover]:
        floors[key] += 1
    return {key: round_money(sign * count * step, decimals) for key, count in floors.items()}
