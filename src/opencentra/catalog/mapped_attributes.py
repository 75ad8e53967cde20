"""Mapped attributes: predefined values of an attribute type, picked per product or variant.

A mapped attribute (``pr_materials`` → Wood) has one string element,
``text``, like OpenCentra's dynamic attributes. Products and variants pick
mapped attributes by ``(attribute type key, mapped attribute id)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog._checks import optional_text, required_text
from opencentra.catalog.models import AttributeScope, AttributeType, Product, ProductVariant
from opencentra.catalog.pim_models import MappedAttribute, MappedAttributeAssignment
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events import outbox

MAX_PER_CALL = 100


async def create_mapped_attribute(
    db: Database, type_key: str, name: str, *, value: str = "", description: str = ""
) -> MappedAttribute:
    """A new choice for an attribute type (the type is made, product-scoped, if it is new)."""
    type_key = required_text(type_key, field="attributeTypeName", max_length=64)
    name = required_text(name, field="name")
    async with db.write() as session:
        attribute_type = await session.scalar(select(AttributeType).where(AttributeType.key == type_key))
        if attribute_type is None:
            attribute_type = AttributeType(key=type_key, name=description or type_key, scope=AttributeScope.PRODUCT)
            session.add(attribute_type)
            await session.flush()
        taken = await session.scalar(
            select(MappedAttribute.id).where(
                MappedAttribute.attribute_type_id == attribute_type.id, MappedAttribute.name == name
            )
        )
        if taken is not None:
            raise Conflict(f"{type_key} already has a mapped attribute named {name!r}", field="name")
        row = MappedAttribute(
            attribute_type_id=attribute_type.id,
            name=name,
            value=optional_text(value, field="value", max_length=65_535),
            description=optional_text(description, field="description", max_length=65_535),
        )
        session.add(row)
        await session.flush()
        await outbox.record(session, "mapped_attribute", row.id, "created", {"type": type_key, "name": name})
        return row


async def assign_in(
    session: AsyncSession,
    picks: Sequence[tuple[str, int]],
    *,
    assign: bool,
    product_id: int | None = None,
    variant_id: int | None = None,
) -> None:
    """Pick (or drop) mapped attributes ``(type key, id)`` for one product or variant."""
    if (product_id is None) == (variant_id is None):
        raise ValidationFailed("give exactly one of product or variant", field="objectId")
    if len(picks) > MAX_PER_CALL:
        raise ValidationFailed(f"at most {MAX_PER_CALL} mapped attributes per call", field="mappedAttributes")
    owner = (
        await session.get(Product, product_id)
        if product_id is not None
        else await session.get(ProductVariant, variant_id)
    )
    if owner is None:
        kind = "Product" if product_id is not None else "ProductVariant"
        raise NotFound(f"Could not find {kind} with ID {product_id or variant_id}", field="objectId")
    ids = [mapped_id for _, mapped_id in picks]
    found = {
        row.id: key
        for row, key in (
            await session.execute(
                select(MappedAttribute, AttributeType.key)
                .join(AttributeType, AttributeType.id == MappedAttribute.attribute_type_id)
                .where(MappedAttribute.id.in_(ids))
            )
        ).all()
    }
    for key, mapped_id in picks:
        if found.get(mapped_id) != key:
            raise NotFound(f"Could not find mapped attribute {mapped_id} of type {key}", field="mappedAttributes")
    column = MappedAttributeAssignment.product_id if product_id is not None else MappedAttributeAssignment.variant_id
    owner_id = product_id if product_id is not None else variant_id
    current = set(
        await session.scalars(
            select(MappedAttributeAssignment.mapped_attribute_id).where(
                column == owner_id, MappedAttributeAssignment.mapped_attribute_id.in_(ids)
            )
        )
    )
    if assign:
        for mapped_id in dict.fromkeys(ids):
            if mapped_id not in current:
                session.add(
                    MappedAttributeAssignment(
                        mapped_attribute_id=mapped_id, product_id=product_id, variant_id=variant_id
                    )
                )
    elif current:
        await session.execute(
            delete(MappedAttributeAssignment).where(
                column == owner_id, MappedAttributeAssignment.mapped_attribute_id.in_(current)
            )
        )
    await session.flush()
    kind = "product" if product_id is not None else "variant"
    assert owner_id is not None
    await outbox.record(
        session, kind, owner_id, "updated", {"mapped_attributes": {"assign" if assign else "unassign": ids}}
    )


async def assign(
    db: Database,
    picks: Sequence[tuple[str, int]],
    *,
    assign: bool,
    product_id: int | None = None,
    variant_id: int | None = None,
) -> None:
    async with db.write() as session:
        await assign_in(session, picks, assign=assign, product_id=product_id, variant_id=variant_id)
