"""Custom attributes as Centra's ``ObjectWithAttributes``, and ``assign/unassignAttributes``.

Dynamic attributes: a type (its key is Centra's ``attributeTypeName``) with
one string element, ``text``, set per product or per variant. Mapped
attributes (predefined values of a type, ``catalog/mapped_attributes.py``)
are picked by ``(attributeTypeName, attributeId)`` and read back with
``type.isMapped: true``.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra.api.graphql.common import UserError, UserWarning, user_error
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import check
from opencentra.catalog import mapped_attributes, models
from opencentra.catalog import variants as catalog_edits
from opencentra.errors import DomainError

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


async def attributes_of(info: Info[Any, Any], column: Any, owner_id: int, object_type: str) -> list[Attribute]:
    values = await info.context.loaders.many(models.AttributeValue, column).load(owner_id)
    types = await info.context.loaders.one(models.AttributeType).load_many([v.attribute_type_id for v in values])
    found: list[Attribute] = []
    for value, row in zip(values, types, strict=True):
        if row is None:
            continue
        element = AttributeStringElement(
            key=TEXT, description=row.name, kind=AttributeElementKind.STRING, value=value.value
        )
        found.append(
            Attribute(
                type=AttributeType(name=row.key, description=row.name, is_mapped=False),
                description=row.name,
                object_type=object_type,
                elements=[element],
            )
        )
    return found


async def product_attributes(info: Info[Any, Any], product_id: int) -> list[Attribute]:
    from opencentra.api.graphql.pim_extras import picked_mapped_attributes  # it builds on this module's types
    from opencentra.catalog.pim_models import MappedAttributeAssignment as Pick

    check(info, "Product.attributes:read")
    dynamic = await attributes_of(info, models.AttributeValue.product_id, product_id, "Product")
    return dynamic + await picked_mapped_attributes(info, Pick.product_id, product_id, "Product")


async def variant_attributes(info: Info[Any, Any], variant_id: int) -> list[Attribute]:
    from opencentra.api.graphql.pim_extras import picked_mapped_attributes  # it builds on this module's types
    from opencentra.catalog.pim_models import MappedAttributeAssignment as Pick

    check(info, "Product.attributes:read")
    dynamic = await attributes_of(info, models.AttributeValue.variant_id, variant_id, "ProductVariant")
    return dynamic + await picked_mapped_attributes(info, Pick.variant_id, variant_id, "ProductVariant")


# --- mutations --------------------------------------------------------------------------


@strawberry.enum
class AttributeObjectType(enum.Enum):
    Product = "Product"
    ProductVariant = "ProductVariant"
    Customer = "Customer"
    Display = "Display"
    Order = "Order"
    Account = "Account"


@strawberry.input
class MappedAttributeAssignInput:
    attribute_type_name: str
    attribute_id: int


@strawberry.input
class DynamicAttributeInput:
    attribute_type_name: str
    attribute_element_key: str
    attribute_element_value: str | None = None


@strawberry.input
class AttributeAssignmentInput:
    object_type: AttributeObjectType
    object_id: int
    mapped_attributes: list[MappedAttributeAssignInput] | None = None
    dynamic_attributes: list[DynamicAttributeInput] | None = None


@strawberry.type
class AttributesPayload:
    object: ObjectWithAttributes | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _refuse(message: str, *path: str) -> AttributesPayload:
    return AttributesPayload(object=None, user_errors=[UserError(message=message, path=list(path))], user_warnings=[])


async def _apply(info: Info[Any, Any], input: AttributeAssignmentInput, *, assign: bool) -> AttributesPayload:
    context: GraphQLContext = info.context
    if input.object_type not in (AttributeObjectType.Product, AttributeObjectType.ProductVariant):
        return _refuse(
            f"OpenCentra keeps attributes on Product and ProductVariant only, not {input.object_type.value}",
            "input",
            "objectType",
        )
    picks = [(item.attribute_type_name, item.attribute_id) for item in input.mapped_attributes or []]
    values: dict[str, str | None] = {}
    for index, item in enumerate(input.dynamic_attributes or []):
        path = ("input", "dynamicAttributes", str(index))
        if item.attribute_element_key != TEXT:
            return _refuse(
                f"attribute {item.attribute_type_name} has one element, {TEXT!r}, not {item.attribute_element_key!r}",
                *path,
            )
        if assign and item.attribute_element_value is None:
            return _refuse("attributeElementValue is required", *path)
        if item.attribute_type_name in values:
            return _refuse(f"attribute {item.attribute_type_name} is given twice", *path)
        values[item.attribute_type_name] = item.attribute_element_value if assign else None
    is_product = input.object_type == AttributeObjectType.Product
    try:
        product_id = input.object_id if is_product else None
        variant_id = None if is_product else input.object_id
        async with context.db.atomic() as db:  # mapped and dynamic values of one call: all or none
            if values or not picks:
                await catalog_edits.apply_attribute_values(db, values, product_id=product_id, variant_id=variant_id)
            if picks:
                await mapped_attributes.assign(db, picks, assign=assign, product_id=product_id, variant_id=variant_id)
    except DomainError as error:
        if error.field in ("product", "variant", "objectId"):
            return _refuse(f"Could not find {input.object_type.value} with ID {input.object_id}", "input", "objectId")
        return AttributesPayload(object=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    from opencentra.api.graphql.catalog import Product, ProductVariant

    if is_product:
        product = await context.loaders.product.load(input.object_id)
        return AttributesPayload(
            object=Product.of(product) if product is not None else None, user_errors=[], user_warnings=[]
        )
    variant = await context.loaders.variant.load(input.object_id)
    return AttributesPayload(
        object=ProductVariant.of(variant) if variant is not None else None, user_errors=[], user_warnings=[]
    )


async def assign_attributes(info: Info[Any, Any], input: AttributeAssignmentInput) -> AttributesPayload:
    """Set dynamic attribute values (element ``text``) of a product or variant."""
    return await _apply(info, input, assign=True)


async def unassign_attributes(info: Info[Any, Any], input: AttributeAssignmentInput) -> AttributesPayload:
    """Remove dynamic attribute values of a product or variant."""
    return await _apply(info, input, assign=False)
