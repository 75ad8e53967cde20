"""Custom attributes as Centra's ``ObjectWithAttributes``, and the ``mappedAttributes`` root field.

Dynamic attributes: a type (its key is Centra's ``attributeTypeName``) with
one string element, ``text``, set per product or per variant. Mapped
attributes (predefined values of a type, ``catalog/mapped_attributes.py``)
are picked by ``(attributeTypeName, attributeId)`` and read back with
``type.isMapped: true``. Writing them is ``attribute_mutations``.
"""

from __future__ import annotations

import enum
from typing import Any, Protocol

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from opencentra import catalog
from opencentra.api.graphql.common import StringFilter
from opencentra.api.graphql.listing import text_match, window
from opencentra.api.graphql.permissions import Require, check

TEXT = "text"


@strawberry.enum
class AttributeElementKind(enum.Enum):
    STRING = "STRING"
    CHOICE = "CHOICE"
    FILE = "FILE"
    IMAGE = "IMAGE"


@strawberry.interface
class AttributeElement:
    key: str
    description: str
    kind: AttributeElementKind


@strawberry.type
class AttributeStringElement(AttributeElement):
    value: str


@strawberry.type(description="Not produced by OpenCentra (no mapped attributes); here for Centra's fragments.")
class AttributeChoiceElement(AttributeElement):
    is_multi: bool
    selected_value: str | None
    selected_value_name: str | None


@strawberry.type(description="Not produced by OpenCentra; here for Centra's fragments.")
class AttributeFileElement(AttributeElement):
    url: str | None


@strawberry.type(description="Not produced by OpenCentra; here for Centra's fragments.")
class AttributeImageElement(AttributeElement):
    url: str | None
    width: int | None
    height: int | None
    mime_type: str | None


@strawberry.type
class AttributeType:
    name: str
    description: str
    is_mapped: bool


@strawberry.type
class Attribute:
    type: AttributeType
    description: str
    object_type: str
    elements: list[AttributeElement]


ELEMENT_TYPES = [AttributeStringElement, AttributeChoiceElement, AttributeFileElement, AttributeImageElement]


@strawberry.interface
class ObjectWithAttributes:
    """Objects that carry custom attributes (products, variants; customers have none in OpenCentra)."""

    @strawberry.field
    def attributes(self, info: Info[Any, Any]) -> list[Attribute] | None:  # pragma: no cover - overridden
        return []


def _text(description: str, value: str) -> AttributeStringElement:
    return AttributeStringElement(key=TEXT, description=description, kind=AttributeElementKind.STRING, value=value)


def attribute_of(view: catalog.AttributeView, object_type: str) -> Attribute:
    """A dynamic value or a picked mapped attribute, as ``ObjectWithAttributes.attributes`` lists it."""
    return Attribute(
        type=AttributeType(name=view.type_key, description=view.type_name, is_mapped=view.is_mapped),
        description=view.description or view.type_name,
        object_type=object_type,
        elements=[_text(view.description, view.value)],
    )


class _Owner(Protocol):
    @property
    def id(self) -> int: ...


async def product_attributes(root: _Owner, info: Info[Any, Any]) -> list[Attribute] | None:
    """A product's custom attribute values (needs Product.attributes:read)."""
    check(info, "Product.attributes:read")
    found = await info.context.loaders.grouped("product_attributes", catalog.attributes_of_products).load(root.id)
    return [attribute_of(view, "Product") for view in found]


async def variant_attributes(root: _Owner, info: Info[Any, Any]) -> list[Attribute] | None:
    """A variant's custom attribute values (needs Product.attributes:read)."""
    check(info, "Product.attributes:read")
    found = await info.context.loaders.grouped("variant_attributes", catalog.attributes_of_variants).load(root.id)
    return [attribute_of(view, "ProductVariant") for view in found]


# --- mapped attributes ---------------------------------------------------------------------


@strawberry.type(description="A predefined attribute value that products pick (e.g. a material).")
class MappedAttribute:
    id: int
    name: str
    description: str
    object_type: str
    _view: strawberry.Private[catalog.MappedAttributeView]

    @classmethod
    def of(cls, view: catalog.MappedAttributeView) -> MappedAttribute:
        return cls(id=view.id, name=view.name, description=view.description, object_type="Product", _view=view)

    @strawberry.field
    def type(self) -> AttributeType:
        return AttributeType(name=self._view.type_key, description=self._view.type_name, is_mapped=True)

    @strawberry.field
    def elements(self) -> list[AttributeElement]:
        return [_text(self._view.description, self._view.value)]


@strawberry.input
class MappedAttributeFilter:
    id: list[int] | None = None
    type_name: StringFilter | None = None
    name: StringFilter | None = None


async def resolve_mapped_attributes(
    info: Info[Any, Any],
    where: MappedAttributeFilter | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[MappedAttribute]:
    wanted = catalog.MappedAttributeFilter()
    if where is not None:
        wanted = catalog.MappedAttributeFilter(
            ids=where.id, type_key=text_match(where.type_name), name=text_match(where.name)
        )
    async with info.context.read() as session:
        found = await catalog.mapped_attribute_page(session, wanted, window(limit, page))
    return [MappedAttribute.of(view) for view in found]


def _root(resolver: Any, permission: str) -> Any:
    extensions: list[FieldExtension] = [Require(permission)]
    return strawberry.field(resolver=resolver, extensions=extensions)


@strawberry.type
class MappedAttributeQuery:
    mapped_attributes: list[MappedAttribute] = _root(resolve_mapped_attributes, "Attribute:read")
