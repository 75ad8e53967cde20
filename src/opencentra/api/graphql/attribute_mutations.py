"""``assignAttributes`` and ``unassignAttributes``: dynamic values and mapped attributes of a product or variant.

A dynamic attribute has one element, ``text``; a mapped one is picked by
``(attributeTypeName, attributeId)``. One call's values and picks are saved
all or none, and the answer is the product or variant as it is afterwards.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import catalog
from opencentra.api.graphql.attributes import TEXT, ObjectWithAttributes
from opencentra.api.graphql.catalog import Product, ProductVariant
from opencentra.api.graphql.common import UserError, UserWarning, user_error
from opencentra.api.graphql.context import GraphQLContext
from opencentra.errors import DomainError


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
        view = await catalog.set_attributes(
            context.db,
            values,
            picks,
            assign=assign,
            product_id=input.object_id if is_product else None,
            variant_id=None if is_product else input.object_id,
        )
    except DomainError as error:
        if error.field in ("product", "variant", "objectId"):
            return _refuse(f"Could not find {input.object_type.value} with ID {input.object_id}", "input", "objectId")
        return AttributesPayload(object=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    found = Product.of(view) if isinstance(view, catalog.ProductView) else ProductVariant.of(view)
    return AttributesPayload(object=found, user_errors=[], user_warnings=[])


async def assign_attributes(info: Info[Any, Any], input: AttributeAssignmentInput) -> AttributesPayload:
    """Set dynamic attribute values (element ``text``) of a product or variant."""
    return await _apply(info, input, assign=True)


async def unassign_attributes(info: Info[Any, Any], input: AttributeAssignmentInput) -> AttributesPayload:
    """Remove dynamic attribute values of a product or variant."""
    return await _apply(info, input, assign=False)
