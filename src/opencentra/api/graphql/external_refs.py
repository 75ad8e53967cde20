"""``{externalId: "..."}`` wherever a mutation input takes ``{id: ...}``.

Centra lets a reference name an object by the integration's own id (its ID
conversions), and a request's later mutations may refer to objects its
earlier ones created (the PIM guide's "all in one call" example). Before a
mutation runs, every reference in its input that gives ``externalId`` and
no ``id`` gets the ``id`` the calling integration's conversions map it to;
the object type comes from the reference's field name (``productVariant``,
``intoWarehouse``...). A reference that cannot be resolved answers the
mutation's payload with a userError, and the mutation does not run.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from strawberry import Some
from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition
from strawberry.types.field import StrawberryField

from opencentra import integration
from opencentra.api.graphql.common import UserError
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.stock import IdRef

# Input field name → the ID conversion object type it refers to.
OBJECT_TYPES: dict[str, str] = {
    "product": "Product",
    "products": "Product",
    "productVariant": "ProductVariant",
    "productVariants": "ProductVariant",
    "variant": "ProductVariant",
    "productSize": "ProductSize",
    "size": "Size",
    "sizes": "Size",
    "sizeChart": "SizeChart",
    "warehouse": "Warehouse",
    "warehouses": "Warehouse",
    "intoWarehouse": "Warehouse",
    "outFromWarehouse": "Warehouse",
    "store": "Store",
    "market": "Market",
    "markets": "Market",
    "addMarkets": "Market",
    "removeMarkets": "Market",
    "brand": "Brand",
    "collection": "Collection",
    "pricelist": "Pricelist",
    "display": "Display",
    "customer": "Customer",
}


# A reference input names an object and nothing else ({id}, {externalId}, a size's {name}).
_REFERENCE_FIELDS = frozenset({"id", "external_id", "name", "code"})


@dataclasses.dataclass
class _Pending:
    ref: Any
    object_type: str | None
    external_id: str
    path: list[str]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _collect(value: Any, name: str, path: list[str], found: list[_Pending]) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _collect(item, name, [*path, str(index)], found)
        return
    if isinstance(value, Some):  # a strawberry.Maybe input that was given
        _collect(value.value, name, path, found)
        return
    if not has_object_definition(value) or not dataclasses.is_dataclass(value):
        return
    external_id = getattr(value, "external_id", None)
    if isinstance(value, IdRef) and value.id is None and external_id is None:
        found.append(_Pending(value, None, "", path))
        return
    is_reference = {f.name for f in dataclasses.fields(value)} <= _REFERENCE_FIELDS
    if is_reference and getattr(value, "id", None) is None and isinstance(external_id, str):
        found.append(_Pending(value, OBJECT_TYPES.get(name), external_id, path))
        return
    for field in dataclasses.fields(value):
        child = getattr(value, field.name, None)
        if child is not None and not isinstance(child, (str, int, float, bool)):
            camel = _camel(field.name)
            _collect(child, camel, [*path, camel], found)


async def resolve_external_refs(context: GraphQLContext, kwargs: dict[str, Any]) -> UserError | None:
    """Fill in ``id`` of every ``{externalId}`` reference; the first failure as a userError."""
    pending: list[_Pending] = []
    for name, value in kwargs.items():
        if value is not None and not isinstance(value, (str, int, float, bool)):
            _collect(value, _camel(name), [_camel(name)], pending)
    by_type: dict[str, set[str]] = {}
    for item in pending:
        if not item.external_id:
            return UserError(message="give id or externalId", path=item.path)
        if item.object_type is None:
            return UserError(message="externalId is not supported here; give id", path=item.path)
        by_type.setdefault(item.object_type, set()).add(item.external_id)
    resolved: dict[str, dict[str, int]] = {}
    for object_type, external_ids in by_type.items():
        resolved[object_type] = await integration.internal_ids(
            context.db, integration=context.token.name, object_type=object_type, external_ids=sorted(external_ids)
        )
    for item in pending:
        assert item.object_type is not None
        internal = resolved[item.object_type].get(item.external_id)
        if internal is None:
            return UserError(
                message=f"Could not find {item.object_type} with external ID {item.external_id}", path=item.path
            )
        item.ref.id = internal
    return None


def _payload_type(field: StrawberryField) -> Any:
    """The object type a mutation answers (``XPayload``), or None for anything else."""
    payload_type: Any = field.type
    while isinstance(payload_type, StrawberryOptional):
        payload_type = payload_type.of_type
    return payload_type if has_object_definition(payload_type) else None


def failure_payload(field: StrawberryField, error: UserError) -> Any:
    """The field's payload type with only ``userErrors`` filled in."""
    payload_type = _payload_type(field)
    lists = {f.python_name for f in payload_type.__strawberry_definition__.fields if isinstance(f.type, StrawberryList)}
    values: dict[str, Any] = {}
    for item in dataclasses.fields(payload_type):
        if not item.init:
            continue
        if item.name == "user_errors":
            values[item.name] = [error]
        elif item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
            values[item.name] = [] if item.name in lists else None
    return payload_type(**values)


class ResolveExternalIds(FieldExtension):
    """Resolve ``{externalId}`` references in a mutation's arguments before it runs."""

    def apply(self, field: StrawberryField) -> None:
        self.field = field

    async def resolve_async(self, next_: Any, source: Any, info: Info[Any, Any], **kwargs: Any) -> Any:
        error = await resolve_external_refs(info.context, kwargs)
        if error is not None:
            return failure_payload(self.field, error)
        return await next_(source, info, **kwargs)


def resolve_external_ids_in(mutation_type: type) -> None:
    """Add ``ResolveExternalIds`` to every async mutation of ``mutation_type`` whose payload has userErrors."""
    for field in mutation_type.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        payload_type = _payload_type(field)
        if payload_type is None or field.base_resolver is None or not field.base_resolver.is_async:
            continue
        if any(f.python_name == "user_errors" for f in payload_type.__strawberry_definition__.fields):
            field.extensions.insert(0, ResolveExternalIds())  # innermost: the permission check runs first
