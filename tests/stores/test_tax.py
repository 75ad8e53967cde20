"""VAT arithmetic: examples, and properties that must hold for any amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencentra.errors import ValidationFailed
from opencentra.money import quantum
from opencentra.stores.tax import (
    split_proportionally,
    vat_breakdown,
    vat_breakdown_of_lines,
    vat_contained,
    vat_on_top,
)

decimals_st = st.sampled_from([0, 2, 3])
rates_st = st.sampled_from([0, 600, 1200, 2000, 2100, 2500, 725, 10_000])


@st.composite
def amounts(draw: st.DrawFn, decimals: int, min_value: int = -(10**9)) -> Decimal:
    minor = draw(st.integers(min_value=min_value, max_value=10**9))
    return Decimal(minor).scaleb(-decimals)


def test_examples() -> None:
    assert vat_contained(Decimal("199.00"), 2500, 2) == Decimal("39.80")
    assert vat_contained(Decimal("100"), 2500, 2) == Decimal("20.00")
    assert vat_contained(Decimal("1999"), 1000, 0) == Decimal(182)  # 181.727… rounds up
    assert vat_on_top(Decimal("100.00"), 2500, 2) == Decimal("25.00")
    assert vat_on_top(Decimal("0.10"), 2500, 2) == Decimal("0.03")  # 0.025: a half rounds up

    breakdown = vat_breakdown_of_lines(
        [(Decimal("199.00"), 2500), (Decimal("100.00"), 600), (Decimal("1.00"), 2500)], 2
    )
    assert [(p.rate_bp, p.gross, p.vat, p.net) for p in breakdown.parts] == [
        (600, Decimal("100.00"), Decimal("5.66"), Decimal("94.34")),
        (2500, Decimal("200.00"), Decimal("40.00"), Decimal("160.00")),
    ]
    assert (breakdown.gross, breakdown.vat, breakdown.net) == (Decimal("300.00"), Decimal("45.66"), Decimal("254.34"))

    assert split_proportionally(Decimal("10.00"), {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)}, 2) == {
        "a": Decimal("3.34"),
        "b": Decimal("3.33"),
        "c": Decimal("3.33"),
    }


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValidationFailed):
        vat_contained(Decimal(1), -1, 2)
    with pytest.raises(ValidationFailed):
        vat_breakdown({10_001: Decimal(1)}, 2)
    with pytest.raises(ValidationFailed):
        split_proportionally(Decimal(1), {}, 2)
    with pytest.raises(ValidationFailed):
        split_proportionally(Decimal(1), {"a": Decimal(0)}, 2)
    with pytest.raises(ValidationFailed):
        split_proportionally(Decimal(1), {"a": Decimal(-1), "b": Decimal(2)}, 2)


@given(data=st.data(), decimals=decimals_st, rates=st.lists(rates_st, min_size=1, max_size=5, unique=True))
def test_breakdown_parts_sum_to_the_totals(data: st.DataObject, decimals: int, rates: list[int]) -> None:
    gross_by_rate = {rate: data.draw(amounts(decimals)) for rate in rates}
    breakdown = vat_breakdown(gross_by_rate, decimals)
    step = quantum(decimals)

    assert [p.rate_bp for p in breakdown.parts] == sorted(rates)
    assert breakdown.gross == sum(gross_by_rate.values())
    assert breakdown.gross == sum(p.gross for p in breakdown.parts)
    assert breakdown.vat == sum(p.vat for p in breakdown.parts)
    assert breakdown.net == sum(p.net for p in breakdown.parts)
    assert breakdown.gross == breakdown.net + breakdown.vat
    for part in breakdown.parts:
        assert part.gross == part.net + part.vat
        assert part.vat == part.vat.quantize(step)
        exact = part.gross * part.rate_bp / (10_000 + part.rate_bp)
        assert abs(part.vat - exact) <= step / 2
        assert abs(part.vat) <= abs(part.gross)


@given(data=st.data(), decimals=decimals_st, rate=rates_st)
def test_vat_is_symmetric_for_refunds(data: st.DataObject, decimals: int, rate: int) -> None:
    gross = data.draw(amounts(decimals, min_value=0))
    assert vat_contained(-gross, rate, decimals) == -vat_contained(gross, rate, decimals)


@given(
    data=st.data(),
    decimals=decimals_st,
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=6).filter(any),
)
def test_split_shares_sum_to_the_amount(data: st.DataObject, decimals: int, weights: list[int]) -> None:
    amount = data.draw(amounts(decimals))
    keyed = {index: Decimal(weight).scaleb(-2) for index, weight in enumerate(weights)}
    shares = split_proportionally(amount, keyed, decimals)
    step = quantum(decimals)

    assert list(shares) == list(keyed)
    assert sum(shares.values()) == amount
    total_weight = sum(keyed.values())
    for key, share in shares.items():
        exact = amount * keyed[key] / total_weight
        assert abs(share - exact) < step
        if keyed[key] == 0:
            assert share == 0
