"""The one strict integer parser: ASCII digits in, everything ``int()`` would also have taken out."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from opencentra.errors import ValidationFailed
from opencentra.integers import MAX_INT64, MIN_INT64, as_int, parse_int, whole_number

CANONICAL = re.compile(r"0|[1-9][0-9]*")

# What Python's int() reads and an API must not: underscores, signs, padding,
# control characters, other scripts' digits, exponents and fractions.
LENIENT = [
    "1_000",
    "+1",
    " 1",
    "1 ",
    "\t1",
    "1\n",
    "\x1c4",
    "4\x1c",
    "１",  # full-width
    "٣",  # Arabic-Indic
    "²",
    "01",
    "00",
    "-0",
    "1e3",
    "1.0",
    "0x10",
    "",
    "-",
    str(MAX_INT64 + 1),
    "9" * 20,
    "1" * 5000,
]


@given(st.integers(min_value=0, max_value=MAX_INT64))
def test_every_int64_is_read_back_from_its_digits(number: int) -> None:
    assert parse_int(str(number)) == number
    assert as_int(str(number)) == number
    assert as_int(number) == number


@given(st.integers(min_value=MIN_INT64, max_value=-1))
def test_negative_numbers_only_where_allowed(number: int) -> None:
    assert parse_int(str(number)) is None
    assert parse_int(str(number), negative=True) == number
    assert as_int(number) is None
    assert as_int(number, negative=True) == number


@given(st.text(max_size=30))
@example("1_000")
@example("+1")
@example(" 1")
@example("１")
@example("0123")
@example("9223372036854775808")
def test_only_canonical_ascii_digits_are_accepted(text: str) -> None:
    parsed = parse_int(text)
    canonical = CANONICAL.fullmatch(text) is not None and int(text) <= MAX_INT64
    assert (parsed is not None) == canonical
    if parsed is not None:
        # One spelling per number: what was accepted is exactly how the number prints.
        assert str(parsed) == text


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12))
def test_text_with_anything_but_ascii_digits_is_refused(text: str) -> None:
    digits = set("0123456789")
    if not set(text) <= digits:
        assert parse_int(text) is None
    if not set(text.removeprefix("-")) <= digits:
        assert parse_int(text, negative=True) is None


@pytest.mark.parametrize("text", LENIENT)
def test_what_int_takes_and_an_api_must_not(text: str) -> None:
    assert parse_int(text) is None
    with pytest.raises(ValidationFailed) as refused:
        whole_number(text, "quantity")
    assert refused.value.field == "quantity"


@pytest.mark.parametrize("value", [True, False, 2.0, 1.5, None, [1], {"1": 1}, b"1", MAX_INT64 + 1])
def test_json_values_that_are_not_integers(value: object) -> None:
    assert as_int(value) is None
    with pytest.raises(ValidationFailed):
        whole_number(value, "order")


def test_whole_number_bounds() -> None:
    assert whole_number("0", "page") == 0
    assert whole_number(7, "page", minimum=1, maximum=7) == 7
    assert whole_number("-3", "delta", minimum=-10) == -3
    for value, message in ((0, "must be at least 1"), (-5, "must be at least 1"), (8, "must be at most 7")):
        with pytest.raises(ValidationFailed, match=message):
            whole_number(value, "page", minimum=1, maximum=7)
    # A sign is read only to be refused by the range, with the range's message.
    with pytest.raises(ValidationFailed, match="must be at least 1"):
        whole_number("-5", "page", minimum=1)
    with pytest.raises(ValidationFailed, match="whole number"):
        whole_number("+5", "page", minimum=1)
