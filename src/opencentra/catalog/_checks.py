"""Input checks shared by the catalogue's use cases."""

from __future__ import annotations

from collections.abc import Iterable

from opencentra.errors import ValidationFailed


def required_text(value: str, *, field: str, max_length: int = 255) -> str:
    """``value`` stripped; it must be non-empty and at most ``max_length`` long."""
    stripped = value.strip()
    if not stripped:
        raise ValidationFailed(f"{field} is required", field=field)
    if len(stripped) > max_length:
        raise ValidationFailed(f"{field} is longer than {max_length} characters", field=field)
    return stripped


def optional_text(value: str, *, field: str, max_length: int = 255) -> str:
    stripped = value.strip()
    if len(stripped) > max_length:
        raise ValidationFailed(f"{field} is longer than {max_length} characters", field=field)
    return stripped


def unique_ids(ids: Iterable[int], *, field: str) -> list[int]:
    """``ids`` in their given order; duplicates and non-positive ids are errors."""
    result: list[int] = []
    seen: set[int] = set()
    for value in ids:
        if value <= 0:
            raise ValidationFailed(f"{field} contains an invalid id {value}", field=field)
        if value in seen:
            raise ValidationFailed(f"{field} lists {value} twice", field=field)
        seen.add(value)
        result.append(value)
    return result
