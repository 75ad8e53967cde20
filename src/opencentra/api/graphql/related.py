"""Building the objects of a field whose type lives in a module above this one.

GraphQL types refer to each other both ways (``Market.displays`` and
``Display.markets``), but the modules holding them import one way only: the
lower module names the higher type with ``Annotated["Display",
strawberry.lazy(...)]`` (imported under ``TYPE_CHECKING``), and builds its
objects from the domain's read views with the class that lazy reference names,
found the way strawberry found it when it built the schema (the schema module
imports every type module first, so this only looks it up). The lower module
names no import of the higher one; only the schema links the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from strawberry.types import Info
from strawberry.types.base import StrawberryContainer
from strawberry.types.lazy_type import LazyType


class _BuiltFromView(Protocol):
    @classmethod
    def of(cls, view: Any) -> Any: ...


def _returned_class(info: Info[Any, Any]) -> type[_BuiltFromView]:
    """The object type a field returns, through ``Optional`` and ``list`` and a lazy annotation."""
    kind: Any = info.return_type
    while isinstance(kind, StrawberryContainer):
        kind = kind.of_type
    if isinstance(kind, LazyType):
        kind = kind.resolve_type()
    assert isinstance(kind, type), f"{info.field_name} returns no object type"
    assert hasattr(kind, "of"), f"{info.field_name}: {kind.__name__} is not built from a read view"
    return kind


def of_returned(info: Info[Any, Any], views: Iterable[Any]) -> list[Any]:
    """The field's objects, one per read view (``Type.of(view)`` for the field's type)."""
    build = _returned_class(info)
    return [build.of(view) for view in views]
