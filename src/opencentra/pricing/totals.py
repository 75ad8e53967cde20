"""Selection totals: the one pure function that turns lines and vouchers into money.

Everything is computed in integer minor units of the selection's currency and
converted to ``Decimal`` at the end, so nothing drifts: the line totals minus
their discounts plus shipping minus its discount is the grand total, always.

Rules:
- Vouchers apply in order of priority, highest first (ties: lower id first).
  Each works on what earlier vouchers left, so two vouchers never discount the
  same money twice. A voucher with ``stop_processing`` ends the run.
- A voucher whose minimum order total is not met does not apply. The minimum
  is compared with the items total before any voucher.
- Percent off takes that share of the remaining items total, rounded half up
  to the currency's precision. Amount off takes the amount, capped at the
  remaining items total. Either way the voucher's discount is then spread over
  the lines in proportion to what each line still has (largest remainder), so
  the line discounts add up to exactly the voucher's discount and no line goes
  below zero.
- Free shipping removes the (remaining) shipping price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from opencentra.errors import ValidationFailed
from opencentra.money import from_minor, to_minor
from opencentra.pricing.models import VoucherType

MAX_DECIMALS = 6


@dataclass(frozen=True)
class SelectionLine:
    """A line to price: ``unit_price`` is the price each, after any campaign."""

    key: str
    unit_price: Decimal
    quantity: int


@dataclass(frozen=True)
class VoucherRule:
    """A voucher resolved for one selection's currency (see ``pricing.vouchers``)."""

    voucher_id: int
    name: str
    type: VoucherType
    code: str | None
    priority: int = 0
    stop_processing: bool = False
    percent_off_bp: int | None = None
    amount_off: Decimal | None = None
    free_shipping: bool = False
    minimum_total: Decimal | None = None


@dataclass(frozen=True)
class LineDiscount:
    voucher_id: int
    amount: Decimal


@dataclass(frozen=True)
class LineTotals:
    key: str
    quantity: int
    unit_price: Decimal
    total_before_discount: Decimal
    discount: Decimal
    total: Decimal
    discounts: tuple[LineDiscount, ...]


@dataclass(frozen=True)
class AppliedVoucher:
    voucher_id: int
    name: str
    type: VoucherType
    code: str | None
    items_discount: Decimal
    shipping_discount: Decimal

    @property
    def total(self) -> Decimal:
        return self.items_discount + self.shipping_discount


@dataclass(frozen=True)
class SelectionTotals:
    currency_decimals: int
    lines: tuple[LineTotals, ...]
    vouchers: tuple[AppliedVoucher, ...]
    # Vouchers given but not applied: criteria unmet, or stopped by an earlier one.
    not_applied: tuple[int, ...]
    total_quantity: int
    items_total: Decimal
    items_discount: Decimal
    shipping_price: Decimal
    shipping_discount: Decimal
    shipping_total: Decimal
    total_discount: Decimal
    grand_total: Decimal


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` over ``weights`` proportionally, in whole units.

    Largest remainder: each share is rounded down, then the units left over go
    to the largest fractional remainders (ties to the earlier weight). The
    shares add up to ``total`` exactly, and when ``total <= sum(weights)`` no
    share exceeds its weight.
    """
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("allocate needs non-negative amounts")
    whole = sum(weights)
    if total == 0:
        return [0] * len(weights)
    if whole == 0:
        raise ValueError("cannot allocate a positive amount over zero weights")
    shares = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    leftover = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:leftover]:
        shares[index] += 1
    return shares


def _percent_of(amount_minor: int, bp: int) -> int:
    """``amount * bp / 10000`` rounded half up (both are non-negative)."""
    return (amount_minor * bp + 5_000) // 10_000


def _non_negative_minor(amount: Decimal, decimals: int, field: str) -> int:
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(f"{field} must be a non-negative amount", field=field)
    if amount.adjusted() > 18:
        raise ValidationFailed(f"{field} is too large", field=field)
    return to_minor(amount, decimals)


def price_selection(
    lines: Sequence[SelectionLine],
    vouchers: Sequence[VoucherRule],
    shipping_price: Decimal,
    currency_decimals: int,
) -> SelectionTotals:
    """Total a selection: items, voucher discounts per line, shipping, grand total."""
    if not 0 <= currency_decimals <= MAX_DECIMALS:
        raise ValidationFailed("currency decimals out of range", field="currency")
    decimals = currency_decimals
    quantities: list[int] = []
    units: list[int] = []
    for line in lines:
        if line.quantity < 0:
            raise ValidationFailed("quantity cannot be negative", field="quantity")
        quantities.append(line.quantity)
        units.append(_non_negative_minor(line.unit_price, decimals, "price"))
    before = [unit * quantity for unit, quantity in zip(units, quantities, strict=True)]
    items_total = sum(before)
    shipping = _non_negative_minor(shipping_price, decimals, "shipping_price")

    remaining = list(before)
    shipping_left = shipping
    per_line: list[list[tuple[int, int]]] = [[] for _ in lines]
    applied: list[AppliedVoucher] = []
    not_applied: list[int] = []
    ordered = sorted(vouchers, key=lambda v: (-v.priority, v.voucher_id))
    for position, voucher in enumerate(ordered):
        minimum = voucher.minimum_total
        if minimum is not None and items_total < _non_negative_minor(minimum, decimals, "minimum_total"):
            not_applied.append(voucher.voucher_id)
            continue
        left = sum(remaining)
        if voucher.percent_off_bp is not None:
            if not 0 <= voucher.percent_off_bp <= 10_000:
                raise ValidationFailed("percent off must be between 0 and 100%", field="voucher")
            items_discount = _percent_of(left, voucher.percent_off_bp)
        elif voucher.amount_off is not None:
            items_discount = min(_non_negative_minor(voucher.amount_off, decimals, "amount_off"), left)
        else:
            items_discount = 0
        shares = allocate(items_discount, remaining)
        for index, share in enumerate(shares):
            if share:
                remaining[index] -= share
                per_line[index].append((voucher.voucher_id, share))
        shipping_discount = shipping_left if voucher.free_shipping else 0
        shipping_left -= shipping_discount
        applied.append(
            AppliedVoucher(
                voucher_id=voucher.voucher_id,
                name=voucher.name,
                type=voucher.type,
                code=voucher.code,
                items_discount=from_minor(items_discount, decimals),
                shipping_discount=from_minor(shipping_discount, decimals),
            )
        )
        if voucher.stop_processing:
            not_applied.extend(v.voucher_id for v in ordered[position + 1 :])
            break

    line_totals = tuple(
        LineTotals(
            key=line.key,
            quantity=quantities[i],
            unit_price=from_minor(units[i], decimals),
            total_before_discount=from_minor(before[i], decimals),
            discount=from_minor(before[i] - remaining[i], decimals),
            total=from_minor(remaining[i], decimals),
            discounts=tuple(
                LineDiscount(voucher_id, from_minor(amount, decimals)) for voucher_id, amount in per_line[i]
            ),
        )
        for i, line in enumerate(lines)
    )
    items_discount_total = items_total - sum(remaining)
    shipping_discount_total = shipping - shipping_left
    return SelectionTotals(
        currency_decimals=decimals,
        lines=line_totals,
        vouchers=tuple(applied),
        not_applied=tuple(not_applied),
        total_quantity=sum(quantities),
        items_total=from_minor(items_total, decimals),
        items_discount=from_minor(items_discount_total, decimals),
        shipping_price=from_minor(shipping, decimals),
        shipping_discount=from_minor(shipping_discount_total, decimals),
        shipping_total=from_minor(shipping_left, decimals),
        total_discount=from_minor(items_discount_total + shipping_discount_total, decimals),
        grand_total=from_minor(sum(remaining) + shipping_left, decimals),
    )
