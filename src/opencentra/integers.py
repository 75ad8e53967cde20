"""Whole numbers from the wire: the one strict parser every API reads ids and quantities with.

Python's ``int()`` reads far more than a client should be able to send:
``"1_000"``, ``"+1"``, ``" 1"``, ``"1\\n"``, ``"１"`` (full-width) and the
digits of every other script. A path like ``/items/1-1/quantity/1_000``
then adds a thousand units. Every API reads numbers through ``parse_int``
instead, which takes only:

- the ASCII digits ``0``-``9``: no underscores, spaces, control characters
  or other scripts' digits;
- a leading ``-`` only when asked for (``whole_number`` reads it so that its
  ``minimum``, 0 unless said otherwise, refuses it by name); never ``+``;
- no leading zeros (``"0"`` itself is fine), so each number has one
  spelling, as ``"<display item>-<size>"`` item ids always had;
- at most 19 digits, within a signed 64-bit integer (what both databases
  store), so ``int()`` never sees a long string and no driver an overflow.

A JSON value goes through ``as_int``: a JSON integer (never a boolean, and
never a float, not even ``2.0``), or a string ``parse_int`` accepts.
``whole_number`` adds bounds and raises ``ValidationFailed`` naming the
field; each API maps that to its own error format.
"""

from __future__ import annotations

import re

from opencentra.errors import ValidationFailed

MAX_INT64 = 2**63 - 1
MIN_INT64 = -(2**63)
MAX_DIGITS = 19

_UNSIGNED = re.compile(r"0|[1-9][0-9]{0,18}")
_SIGNED = re.compile(r"0|-?[1-9][0-9]{0,18}")


def parse_int(text: str, *, negative: bool = False) -> int | None:
    """The number ``text`` spells under the rules above, or None."""
    if len(text) > MAX_DIGITS + 1 or (_SIGNED if negative else _UNSIGNED).fullmatch(text) is None:
        return None
    number = int(text)
    return number if MIN_INT64 <= number <= MAX_INT64 else None


def as_int(value: object, *, negative: bool = False) -> int | None:
    """A JSON integer or a strict digit string as an int; None for anything else."""
    if isinstance(value, str):
        return parse_int(value, negative=negative)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if not MIN_INT64 <= value <= MAX_INT64 or (value < 0 and not negative):
        return None
    return value


def whole_number(value: object, field: str, *, minimum: int = 0, maximum: int = MAX_INT64) -> int:
    """``as_int`` within ``minimum..maximum``; raises ``ValidationFailed(field=field)``.

    A ``-`` is read only to say what is wrong: ``"-1"`` for a count is "must
    be at least 0", clearer than "not a whole number", and refused all the same.
    """
    number = as_int(value, negative=True)
    if number is None:
        raise ValidationFailed("invalid value, expected a whole number (digits 0-9 only)", field=field)
    if number < minimum:
        raise ValidationFailed(f"must be at least {minimum}", field=field)
    if number > maximum:
        raise ValidationFailed(f"must be at most {maximum}", field=field)
    return number
