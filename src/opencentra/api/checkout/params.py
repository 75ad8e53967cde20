"""Numbers in the Checkout API's paths and bodies, read with the one strict parser.

Paths take ASCII digits only (``opencentra.integers``): ``/quantity/1_000``,
``/quantity/+1``, ``/quantity/%201`` and ``/products/１`` (full-width) are
refused, not read as 1000 or 1 (a ``-`` is read, to be refused by the range). A malformed quantity is 406
``errors.quantity``, like one out of range; a malformed id names nothing, so
it is 404 with the object's key, like an unknown one.

Bodies take a JSON integer or a string of those digits (``WholeNumber``);
anything else is 400 with the field's dotted path.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from opencentra.errors import NotFound, ValidationFailed
from opencentra.integers import as_int, parse_int


def quantity(text: str) -> int:
    """A ``/quantity/{n}`` path value; the use case checks its range (and refuses a ``-``)."""
    number = parse_int(text, negative=True)
    if number is None:
        raise ValidationFailed("quantity must be a whole number written with the digits 0-9", field="quantity")
    return number


def path_id(text: str, field: str, message: str = "not found") -> int:
    """A positive id from the path; anything else is ``NotFound(field=field)``."""
    number = parse_int(text)
    if number is None or number == 0:
        raise NotFound(message, field=field)
    return number


def _whole(value: object) -> object:
    # A ``-`` is read so that the field's range refuses it with its own message.
    number = as_int(value, negative=True)
    if number is None:
        raise ValueError("must be a whole number: a JSON integer or a string of the digits 0-9")
    return number


# A JSON integer or a strict digit string; ``Field(ge=..., le=...)`` still bounds it.
WholeNumber = Annotated[int, BeforeValidator(_whole)]
