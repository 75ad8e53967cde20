"""The Order API's value formats: money printing, dates in the merchant's timezone, loose flags and ids."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opencentra.api.order import wire
from opencentra.errors import ValidationFailed


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from([0, 2, 3]))
def test_amount_prints_the_exact_decimal(minor: int, decimals: int) -> None:
    printed = wire.amount(minor, decimals)
    assert Decimal(str(printed)) == Decimal(minor).scaleb(-decimals)
    assert isinstance(printed, int) == (minor % 10**decimals == 0)


def test_amount_text_and_examples() -> None:
    assert (wire.amount(397875, 2), wire.amount(2500, 2), wire.amount(-15000, 2)) == (3978.75, 25, -150)
    assert wire.amount_text(32900, 2) == "329.00"


def test_dates_are_read_and_printed_in_the_merchant_timezone() -> None:
    stockholm = wire.zone("Europe/Stockholm")
    moment = wire.when("2019-01-01+12:11:39", "newer_than", stockholm)
    assert moment == datetime(2019, 1, 1, 11, 11, 39, tzinfo=UTC)
    assert wire.when("2019-07-01", "d", stockholm) == datetime(2019, 6, 30, 22, 0, tzinfo=UTC)
    assert wire.show_date(moment, stockholm) == "2019-01-01 12:11:39"
    assert wire.show_date(None, stockholm) == "0000-00-00 00:00:00"
    for bad in ("2019-02-30", "yesterday", "2019-1-1", "２０１９-01-01", 20190101):
        with pytest.raises(ValidationFailed):
            wire.when(bad, "d", stockholm)


def test_loose_flags_and_ids() -> None:
    assert [wire.flag(v, "f") for v in (True, 1, "1", "true", "yes", False, 0, "0", "false", "")] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert wire.flag(None, "f", True) is True
    assert (wire.integer("83651", "order"), wire.integer(83651, "order")) == (83651, 83651)
    # Strict (opencentra.integers): no floats, not even whole ones, no signs, spaces or underscores.
    for bad in ("1.5", 1.5, 83651.0, True, "²", "١٢", "9" * 30, [1], "+1", " 1", "1 ", "1_000", "-1", "01"):
        with pytest.raises(ValidationFailed):
            wire.integer(bad, "order")
    with pytest.raises(ValidationFailed):
        wire.flag("perhaps", "f")
