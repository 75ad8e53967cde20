"""The pure selection-total math: examples, then properties that must always hold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencentra.errors import ValidationFailed
from opencentra.pricing.models import VoucherType
from opencentra.pricing.totals import SelectionLine, SelectionTotals, VoucherRule, allocate, price_selection


def rule(voucher_id: int, **kwargs: Any) -> VoucherRule:
    return VoucherRule(
        voucher_id=voucher_id, name=f"V{voucher_id}", type=VoucherType.CODE, code=f"V{voucher_id}", **kwargs
    )


def test_allocate_is_exact_and_deterministic() -> None:
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(100, [0, 50, 50]) == [0, 50, 50]
    assert allocate(0, [0, 0]) == [0, 0]
    assert allocate(7, [3]) == [7]
    assert allocate(1, [1, 1, 1]) == [1, 0, 0]
    with pytest.raises(ValueError, match="zero weights"):
        allocate(1, [0, 0])


def test_no_vouchers() -> None:
    totals = price_selection(
        [SelectionLine("a", Decimal("100.00"), 2), SelectionLine("b", Decimal("49.95"), 1)], [], Decimal("59"), 2
    )
    assert totals.items_total == Decimal("249.95")
    assert totals.shipping_total == Decimal("59.00")
    assert totals.grand_total == Decimal("308.95")
    assert totals.total_discount == Decimal("0.00")
    assert totals.total_quantity == 3
    assert [line.total for line in totals.lines] == [Decimal("200.00"), Decimal("49.95")]


def test_percent_off_is_taken_from_the_total_and_spread_exactly() -> None:
    lines = [SelectionLine(key, Decimal("0.10"), 1) for key in "abc"]
    totals = price_selection(lines, [rule(1, percent_off_bp=5_000)], Decimal(0), 2)
    # 50% of 0.30 is 0.15; per-line rounding would have given 0.15 or 0.18.
    assert totals.items_discount == Decimal("0.15")
    assert [line.discount for line in totals.lines] == [Decimal("0.05")] * 3
    assert totals.grand_total == Decimal("0.15")


def test_amount_off_is_capped_and_pro_rated() -> None:
    lines = [SelectionLine("a", Decimal("10.00"), 1), SelectionLine("b", Decimal("20.00"), 1)]
    totals = price_selection(lines, [rule(1, amount_off=Decimal("10.00"))], Decimal("5.00"), 2)
    assert [line.discount for line in totals.lines] == [Decimal("3.33"), Decimal("6.67")]
    assert totals.grand_total == Decimal("25.00")
    capped = price_selection(lines, [rule(1, amount_off=Decimal("1000"))], Decimal("5.00"), 2)
    assert capped.items_discount == Decimal("30.00")
    assert capped.grand_total == Decimal("5.00")  # shipping is not touched by an items discount


def test_vouchers_stack_by_priority_and_stop_processing() -> None:
    lines = [SelectionLine("a", Decimal(1000), 1)]
    vouchers = [
        rule(1, percent_off_bp=1_000, priority=2),
        rule(2, amount_off=Decimal(100), priority=5),
        rule(3, free_shipping=True, priority=1, stop_processing=True),
        rule(4, percent_off_bp=5_000, priority=0),
    ]
    totals = price_selection(lines, vouchers, Decimal(50), 0)
    assert [v.voucher_id for v in totals.vouchers] == [2, 1, 3]
    assert [(v.items_discount, v.shipping_discount) for v in totals.vouchers] == [
        (Decimal(100), Decimal(0)),
        (Decimal(90), Decimal(0)),  # 10% of what the first left
        (Decimal(0), Decimal(50)),
    ]
    assert totals.not_applied == (4,)
    assert totals.grand_total == Decimal(810)
    assert totals.lines[0].discounts[0].voucher_id == 2


def test_minimum_total_criterion() -> None:
    lines = [SelectionLine("a", Decimal("499.99"), 1)]
    short = price_selection(lines, [rule(1, percent_off_bp=1_000, minimum_total=Decimal(500))], Decimal(0), 2)
    assert short.vouchers == ()
    assert short.not_applied == (1,)
    enough = price_selection(
        [SelectionLine("a", Decimal("500.00"), 1)],
        [rule(1, percent_off_bp=1_000, minimum_total=Decimal(500))],
        Decimal(0),
        2,
    )
    assert enough.items_discount == Decimal("50.00")


def test_rejects_bad_input() -> None:
    with pytest.raises(ValidationFailed):
        price_selection([SelectionLine("a", Decimal(1), -1)], [], Decimal(0), 2)
    with pytest.raises(ValidationFailed):
        price_selection([SelectionLine("a", Decimal(-1), 1)], [], Decimal(0), 2)
    with pytest.raises(ValidationFailed):
        price_selection([], [], Decimal("NaN"), 2)
    with pytest.raises(ValidationFailed):
        price_selection([], [], Decimal(0), 9)


# Properties -----------------------------------------------------------------

decimals_st = st.sampled_from([0, 2, 3])


@st.composite
def selections(draw: st.DrawFn) -> tuple[list[SelectionLine], list[VoucherRule], Decimal, int]:
    decimals = draw(decimals_st)
    scale = Decimal(1).scaleb(-decimals)
    minor = st.integers(min_value=0, max_value=10**9)
    lines = [
        SelectionLine(f"l{i}", draw(minor) * scale, draw(st.integers(min_value=0, max_value=1_000)))
        for i in range(draw(st.integers(min_value=0, max_value=8)))
    ]
    vouchers = []
    for voucher_id in range(1, draw(st.integers(min_value=0, max_value=4)) + 1):
        kind = draw(st.sampled_from(["percent", "amount", "shipping", "none"]))
        vouchers.append(
            rule(
                voucher_id,
                priority=draw(st.integers(min_value=-3, max_value=3)),
                stop_processing=draw(st.booleans()),
                percent_off_bp=draw(st.integers(min_value=1, max_value=10_000)) if kind == "percent" else None,
                amount_off=draw(minor) * scale if kind == "amount" else None,
                free_shipping=kind == "shipping" or draw(st.booleans()),
                minimum_total=draw(st.none() | minor.map(lambda m: m * scale)),
            )
        )
    shipping = draw(minor) * scale
    return lines, vouchers, shipping, decimals


def _check(totals: SelectionTotals, lines: list[SelectionLine], shipping: Decimal) -> None:
    zero = Decimal(0)
    # No drift: the parts add up to the whole, exactly.
    assert sum((line.total for line in totals.lines), zero) + totals.shipping_total == totals.grand_total
    assert (
        sum((line.total_before_discount for line in totals.lines), zero)
        - sum((line.discount for line in totals.lines), zero)
        + totals.shipping_price
        - totals.shipping_discount
        == totals.grand_total
    )
    assert totals.items_total - totals.items_discount + totals.shipping_total == totals.grand_total
    assert totals.total_discount == totals.items_discount + totals.shipping_discount
    assert sum((v.total for v in totals.vouchers), zero) == totals.total_discount
    for line, given_line in zip(totals.lines, lines, strict=True):
        assert line.total_before_discount == given_line.unit_price * given_line.quantity
        # A discount never exceeds what it applies to, and nothing goes negative.
        assert zero <= line.discount <= line.total_before_discount
        assert line.total >= zero
        assert sum((d.amount for d in line.discounts), zero) == line.discount
    assert zero <= totals.shipping_discount <= totals.shipping_price == shipping
    assert zero <= totals.items_discount <= totals.items_total
    assert totals.grand_total >= zero
    # Every amount is at the currency's precision.
    exponent = -totals.currency_decimals
    for amount in (totals.grand_total, totals.items_discount, *(line.discount for line in totals.lines)):
        assert amount.as_tuple().exponent == exponent


@settings(max_examples=400, deadline=None)
@given(selections())
def test_totals_never_drift(selection: tuple[list[SelectionLine], list[VoucherRule], Decimal, int]) -> None:
    lines, vouchers, shipping, decimals = selection
    totals = price_selection(lines, vouchers, shipping, decimals)
    _check(totals, lines, shipping)
    applied = {v.voucher_id for v in totals.vouchers}
    assert applied.isdisjoint(totals.not_applied)
    assert applied | set(totals.not_applied) == {v.voucher_id for v in vouchers}


@settings(max_examples=200, deadline=None)
@given(selections())
def test_totals_are_deterministic_and_order_independent(
    selection: tuple[list[SelectionLine], list[VoucherRule], Decimal, int],
) -> None:
    lines, vouchers, shipping, decimals = selection
    assert price_selection(lines, vouchers, shipping, decimals) == price_selection(
        lines, list(reversed(vouchers)), shipping, decimals
    )


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20),
)
def test_allocate_properties(total: int, weights: list[int]) -> None:
    whole = sum(weights)
    if whole == 0:
        total = 0
    total = min(total, whole)
    shares = allocate(total, weights)
    assert sum(shares) == total
    assert all(0 <= share <= weight for share, weight in zip(shares, weights, strict=True))
    # Each share is within one unit of its exact proportional value.
    if whole:
        assert all(abs(share * whole - total * weight) < whole for share, weight in zip(shares, weights, strict=True))
