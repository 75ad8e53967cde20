"""VAT arithmetic on VAT-inclusive (DTC) amounts. Pure functions, no I/O.

Rates are integer basis points (25 % = 2500). Amounts are ``Decimal`` in the
currency's major unit and come back rounded half up to its ``decimals``.
VAT is rounded once per rate, not per line, and every total is the sum of its
rounded parts, so a printed breakdown always adds up.

The VAT of a document (a priced selection, an order, a shipment, a return) is
``document_vat``, the one rule every API reports:

1. The item lines (VAT included) are summed per rate.
2. What the document charges beyond its items (shipping and handling, less
   vouchers and other discounts; for a return, less the return cost) has no
   rate of its own. It is shared over the rates in proportion to their item
   totals (``split_proportionally``); with no items to share it over, it
   carries no VAT.
3. Each rate's VAT is the VAT contained in that rate's total, rounded half up
   once (``vat_contained``). The document's VAT is the sum over its rates.
4. Per line: the items' VAT at a rate (the items alone, rounded once) is
   shared over that rate's lines in proportion to their totals, by largest
   remainder, so the lines add up to it exactly. A line's VAT per unit is
   its share divided by its units, rounded half up (``per_unit``).

Two lines of 0.03 at 20 % are 0.06 with 0.01 VAT: the first line carries
0.01, the second 0.00.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Generic, TypeVar

from opencentra.errors import ValidationFailed
from opencentra.money import from_minor, quantum, round_money, to_minor

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

    @property
    def main_rate_bp(self) -> int:
        """The rate with the largest gross (ties: the higher rate); 0 with no parts."""
        if not self.parts:
            return 0
        return max(self.parts, key=lambda part: (part.gross, part.rate_bp)).rate_bp


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


def per_unit(amount: Decimal, quantity: int, decimals: int) -> Decimal:
    """A line's amount for one of its ``quantity`` units, rounded half up; 0 for no units.

    Shown per unit only: ``quantity`` times it need not give the line's amount back.
    """
    if quantity <= 0:
        return round_money(Decimal(0), decimals)
    return round_money(amount / quantity, decimals)


@dataclass(frozen=True)
class DocumentVat(Generic[_K]):
    """The VAT of one document, as ``document_vat`` computes it."""

    # The item lines alone, per rate.
    items: VatBreakdown
    # All the document charges, per rate: the items plus each rate's share of the rest.
    total: VatBreakdown
    # Each line's share of its rate's item VAT, in the order the lines were given.
    lines: Mapping[_K, Decimal]

    @property
    def vat(self) -> Decimal:
        return self.total.vat


def document_vat(lines: Mapping[_K, tuple[Decimal, int]], total: Decimal, decimals: int) -> DocumentVat[_K]:
    """The VAT of a document whose item ``lines`` are ``key -> (gross, rate_bp)`` and that charges ``total``.

    ``total`` less the lines' gross is the amount with no rate of its own
    (shipping, handling, less discounts); see the module's docstring for the rule.
    Ties between lines of a rate go to the line listed first.
    """
    zero = round_money(Decimal(0), decimals)
    by_rate: dict[int, dict[_K, Decimal]] = {}
    for key, (gross, rate_bp) in lines.items():
        by_rate.setdefault(rate_bp, {})[key] = round_money(gross, decimals)
    items_gross = {rate_bp: sum(members.values(), zero) for rate_bp, members in by_rate.items()}
    items = vat_breakdown(items_gross, decimals)
    shares: dict[_K, Decimal] = {}
    for part in items.parts:
        members = by_rate[part.rate_bp]
        if part.vat and part.gross > 0:
            shares.update(split_proportionally(part.vat, members, decimals))
        else:
            shares.update(dict.fromkeys(members, zero))
    charged = dict(items_gross)
    rest = round_money(total, decimals) - items.gross
    if rest and any(gross > 0 for gross in items_gross.values()):
        for rate_bp, share in split_proportionally(rest, items_gross, decimals).items():
            charged[rate_bp] += share
    return DocumentVat(
        items=items,
        total=vat_breakdown(charged, decimals),
        lines=MappingProxyType({key: shares[key] for key in lines}),
    )


def document_vat_minor(lines: Iterable[tuple[int, int]], total_minor: int, decimals: int) -> int:
    """``document_vat`` in integer minor units: the VAT of a document whose item lines are
    (gross minor, rate_bp) and that charges ``total_minor``.

    What an order keeps as ``orders.tax_minor``, however it was placed or
    edited, so the stored figure is the one every API reports.
    """
    vat = document_vat(
        {index: (from_minor(gross, decimals), rate_bp) for index, (gross, rate_bp) in enumerate(lines)},
        from_minor(total_minor, decimals),
        decimals,
    )
    return to_minor(vat.vat, decimals)
