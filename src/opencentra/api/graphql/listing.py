"""What a list's ``where``, ``sort``, ``limit`` and ``page`` arguments become for the domain's list queries.

The GraphQL shapes (``StringFilter``, ``DateTimeFilter``, sort enums such as
``updatedAt_DESC``) turn into ``opencentra.db.listing`` values; the domain
turns those into SQL.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from opencentra.api.graphql.common import DateTimeFilter, StringFilter, page_window
from opencentra.db.listing import Between, SortKey, TextMatch, Window


def text_match(given: StringFilter | None) -> TextMatch | None:
    return None if given is None else TextMatch(equals=given.equals, contains=given.contains)


def between(given: DateTimeFilter | None) -> Between[datetime] | None:
    return None if given is None else Between(start=given.from_, end=given.to)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def sort_key(value: enum.Enum) -> SortKey:
    """``updatedAt_DESC`` -> ``SortKey("updated_at", descending=True)``."""
    field, _, direction = str(value.value).rpartition("_")
    return SortKey(_snake(field), descending=direction == "DESC")


def sort_keys(sort: list[Any] | None) -> list[SortKey]:
    return [sort_key(value) for value in sort or []]


def sort_pairs(sort: list[Any] | None) -> list[tuple[str, bool]]:
    """``[name_DESC]`` -> ``[("name", True)]``, for domains that take sort keys as pairs."""
    return [(key.field, key.descending) for key in sort_keys(sort)]


def window(limit: int | None, page: int | None) -> Window:
    """The window of ``limit`` and ``page``; bad values are the client's error (``page_window``)."""
    size, offset = page_window(limit, page)
    return Window(size, offset)
