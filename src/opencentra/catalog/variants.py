"""Editing the catalogue one piece at a time, as PIM integrations do.

``create_product`` makes a whole product with its variants and sizes in one
go; these services make the later steps Centra's GraphQL API offers: change
a product, add a variant, activate a size, change a variant. Each is one
transaction with its outbox event.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog._checks import optional_text, required_text
from opencentra.catalog.models import (
    AttributeScope,
    AttributeType,
    AttributeValue,
    Brand,
    Collection,
    MeasurementChart,
    Product,
    ProductSize,
    ProductStatus,
    ProductVariant,
    Size,
    SizeChart,
)
from opencentra.catalog.products import _COUNTRY, SizeSpec, VariantSpec, check_ean
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events import outbox


class Keep(enum.Enum):
    """Leave the field as it is (``None`` means clear it, where that is allowed)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class ProductChanges:
    """The fields to change; everything left at ``KEEP`` stays as it is."""

    name: str | Keep = KEEP
    product_number: str | Keep = KEEP
    status: ProductStatus | Keep = KEEP
    brand_id: int | Keep | None = KEEP
    collection_id: int | Keep | None = KEEP
    measurement_chart_id: int | Keep | None = KEEP
    country_of_origin: str | Keep | None = KEEP
    harmonized_code: str | Keep = KEEP
    harmonized_code_description: str | Keep = KEEP
    weight_grams: int | Keep | None = KEEP
    comment: str | Keep = KEEP


@dataclass(frozen=True)
class VariantChanges:
    name: str | Keep = KEEP
    variant_number: str | Keep = KEEP
    active: bool | Keep = KEEP


async def _get(session: AsyncSession, model: type[object], ident: int, field: str) -> None:
    if await session.get(model, ident) is None:
        raise NotFound(f"{field} {ident} not found", field=field)


async def update_product(db: Database, product_id: int, changes: ProductChanges) -> Product:
    """Change a product's general fields; records what changed."""
    async with db.write() as session:
        product = await session.get(Product, product_id)
        if product is None:
            raise NotFound(f"product {product_id} not found", field="product")
        changed: dict[str, object] = {}
        if not isinstance(changes.name, Keep):
            changed["name"] = product.name = required_text(changes.name, field="name")
        if not isinstance(changes.product_number, Keep):
            number = required_text(changes.product_number, field="product_number", max_length=64)
            if number != product.product_number:
                taken = await session.scalar(select(Product.id).where(Product.product_number == number))
                if taken is not None:
                    raise Conflict(f"product number {number!r} is already used", field="product_number")
                changed["product_number"] = product.product_number = number
        if not isinstance(changes.status, Keep):
            changed["status"] = product.status = ProductStatus(changes.status).value
        for attribute, model, field in (
            ("brand_id", Brand, "brand"),
            ("collection_id", Collection, "collection"),
            ("measurement_chart_id", MeasurementChart, "measurement_chart"),
        ):
            value = getattr(changes, attribute)
            if isinstance(value, Keep):
                continue
            if value is not None:
                await _get(session, model, value, field)
            setattr(product, attribute, value)
            changed[field] = value
        if not isinstance(changes.country_of_origin, Keep):
            country = changes.country_of_origin.strip().upper() if changes.country_of_origin else None
            if country is not None and not _COUNTRY.fullmatch(country):
                raise ValidationFailed("country_of_origin must be an ISO 3166 alpha-2 code", field="country_of_origin")
            changed["country_of_origin"] = product.country_of_origin = country
        if not isinstance(changes.harmonized_code, Keep):
            changed["harmonized_code"] = product.harmonized_code = optional_text(
                changes.harmonized_code, field="harmonized_code", max_length=32
            )
        if not isinstance(changes.harmonized_code_description, Keep):
            changed["harmonized_code_description"] = product.harmonized_code_description = optional_text(
                changes.harmonized_code_description, field="harmonized_code_description"
            )
        if not isinstance(changes.weight_grams, Keep):
            if changes.weight_grams is not None and changes.weight_grams < 0:
                raise ValidationFailed("weight_grams cannot be negative", field="weight_grams")
            changed["weight_grams"] = product.weight_grams = changes.weight_grams
        if not isinstance(changes.comment, Keep):
            product.comment = changes.comment
            changed["comment"] = True
        await session.flush()
        if changed:
            await outbox.record(session, "product", product.id, "updated", changed)
        return product


async def _chart_sizes(session: AsyncSession, chart_id: int) -> dict[int, str]:
    rows = await session.execute(select(Size.id, Size.name).where(Size.size_chart_id == chart_id))
    return {size_id: name for size_id, name in rows}


def _size(spec: SizeSpec, chart_sizes: dict[int, str], chart_id: int) -> ProductSize:
    if spec.size_id not in chart_sizes:
        raise ValidationFailed(f"size {spec.size_id} is not in size chart {chart_id}", field="size")
    ean = check_ean(spec.ean.strip()) if spec.ean and spec.ean.strip() else None
    return ProductSize(size_id=spec.size_id, ean=ean, sku=optional_text(spec.sku, field="sku", max_length=64))


async def _check_eans_free(session: AsyncSession, eans: list[str]) -> None:
    if len(set(eans)) != len(eans):
        raise ValidationFailed("an EAN is used twice", field="ean")
    if eans:
        taken = await session.scalar(select(ProductSize.ean).where(ProductSize.ean.in_(sorted(eans))).limit(1))
        if taken is not None:
            raise Conflict(f"EAN {taken} is already used", field="ean")


async def create_variant(
    db: Database, product_id: int, spec: VariantSpec, *, size_chart_id: int | None = None
) -> ProductVariant:
    """Add a variant (and any sizes it lists) to a product; ``sizes`` loaded.

    OpenCentra keeps one size chart per product. A product's first variant may
    name the chart (the product adopts it); later ones must name the same one.
    """
    variant_number = required_text(spec.variant_number, field="variant_number", max_length=64)
    name = required_text(spec.name, field="name")
    async with db.write() as session:
        product = await session.get(Product, product_id)
        if product is None:
            raise NotFound(f"product {product_id} not found", field="product")
        count = await session.scalar(
            select(func.count()).select_from(ProductVariant).where(ProductVariant.product_id == product_id)
        )
        if size_chart_id is not None and size_chart_id != product.size_chart_id:
            await _get(session, SizeChart, size_chart_id, "size_chart")
            if count:
                raise ValidationFailed(
                    f"product {product_id} uses size chart {product.size_chart_id}; "
                    "all variants of a product share one size chart",
                    field="size_chart",
                )
            product.size_chart_id = size_chart_id
        taken = await session.scalar(
            select(ProductVariant.id).where(
                ProductVariant.product_id == product_id, ProductVariant.variant_number == variant_number
            )
        )
        if taken is not None:
            raise Conflict(f"variant number {variant_number!r} is already used on this product", field="variant_number")
        chart_sizes = await _chart_sizes(session, product.size_chart_id)
        sizes = [_size(s, chart_sizes, product.size_chart_id) for s in spec.sizes]
        if len({s.size_id for s in sizes}) != len(sizes):
            raise ValidationFailed("a size is listed twice", field="sizes")
        await _check_eans_free(session, [s.ean for s in sizes if s.ean is not None])
        variant = ProductVariant(
            product_id=product_id,
            name=name,
            variant_number=variant_number,
            active=spec.active,
            sort_order=int(count or 0),
            sizes=sizes,
        )
        session.add(variant)
        await session.flush()
        await outbox.record(
            session,
            "variant",
            variant.id,
            "created",
            {"product": product_id, "variant_number": variant_number, "sizes": [s.id for s in sizes]},
        )
        return variant


async def update_variant(db: Database, variant_id: int, changes: VariantChanges) -> ProductVariant:
    async with db.write() as session:
        variant = await session.get(ProductVariant, variant_id)
        if variant is None:
            raise NotFound(f"variant {variant_id} not found", field="variant")
        changed: dict[str, object] = {}
        if not isinstance(changes.name, Keep):
            changed["name"] = variant.name = required_text(changes.name, field="name")
        if not isinstance(changes.variant_number, Keep):
            number = required_text(changes.variant_number, field="variant_number", max_length=64)
            if number != variant.variant_number:
                taken = await session.scalar(
                    select(ProductVariant.id).where(
                        ProductVariant.product_id == variant.product_id, ProductVariant.variant_number == number
                    )
                )
                if taken is not None:
                    raise Conflict(f"variant number {number!r} is already used on this product", field="variant_number")
                changed["variant_number"] = variant.variant_number = number
        if not isinstance(changes.active, Keep):
            changed["active"] = variant.active = changes.active
        await session.flush()
        if changed:
            await outbox.record(session, "variant", variant.id, "updated", changed)
        return variant


async def create_product_size(db: Database, variant_id: int, spec: SizeSpec) -> ProductSize:
    """Activate one size of the product's size chart on a variant."""
    async with db.write() as session:
        variant = await session.get(ProductVariant, variant_id)
        if variant is None:
            raise NotFound(f"variant {variant_id} not found", field="variant")
        product = await session.get(Product, variant.product_id)
        assert product is not None
        size = _size(spec, await _chart_sizes(session, product.size_chart_id), product.size_chart_id)
        taken = await session.scalar(
            select(ProductSize.id).where(ProductSize.variant_id == variant_id, ProductSize.size_id == spec.size_id)
        )
        if taken is not None:
            raise Conflict(f"size {spec.size_id} is already active on variant {variant_id}", field="size")
        await _check_eans_free(session, [size.ean] if size.ean else [])
        size.variant_id = variant_id
        session.add(size)
        await session.flush()
        await outbox.record(
            session, "product_size", size.id, "created", {"variant": variant_id, "size": spec.size_id, "ean": size.ean}
        )
        return size


async def size_by_name(db: Database, chart_id: int, name: str) -> int | None:
    """The id of the size named ``name`` in a chart, if any."""
    async with db.read() as session:
        found: int | None = await session.scalar(
            select(Size.id).where(Size.size_chart_id == chart_id, Size.name == name.strip())
        )
        return found


async def apply_attribute_values(
    db: Database,
    values: Mapping[str, str | None],
    *,
    product_id: int | None = None,
    variant_id: int | None = None,
) -> None:
    """Set (a string) or remove (``None``) several attribute values of one product
    or variant, by attribute key, in one transaction with one event.

    Every key must name an attribute of the owner's scope; nothing is written
    otherwise.
    """
    if (product_id is None) == (variant_id is None):
        raise ValidationFailed("give exactly one of product or variant", field="product")
    if not values:
        raise ValidationFailed("no attributes given", field="attributes")
    scope = AttributeScope.VARIANT if variant_id is not None else AttributeScope.PRODUCT
    async with db.write() as session:
        if variant_id is not None:
            variant = await session.get(ProductVariant, variant_id)
            if variant is None:
                raise NotFound(f"variant {variant_id} not found", field="variant")
            product_of_owner = variant.product_id
            owner = AttributeValue.variant_id == variant_id
        else:
            assert product_id is not None
            await _get(session, Product, product_id, "product")
            product_of_owner = product_id
            owner = AttributeValue.product_id == product_id
        types = {
            t.key: t for t in await session.scalars(select(AttributeType).where(AttributeType.key.in_(list(values))))
        }
        for key in values:
            found = types.get(key)
            if found is None:
                raise NotFound(f"attribute {key!r} not found", field="attribute")
            if found.scope != scope.value:
                raise ValidationFailed(f"attribute {key!r} is set per {found.scope}", field="attribute")
        existing = {
            v.attribute_type_id: v
            for v in await session.scalars(
                select(AttributeValue).where(
                    owner, AttributeValue.attribute_type_id.in_([t.id for t in types.values()])
                )
            )
        }
        for key, value in values.items():
            attribute_type = types[key]
            current = existing.get(attribute_type.id)
            if value is None:
                if current is not None:
                    await session.delete(current)
            elif current is None:
                session.add(
                    AttributeValue(
                        attribute_type_id=attribute_type.id, product_id=product_id, variant_id=variant_id, value=value
                    )
                )
            else:
                current.value = value
        await session.flush()
        await outbox.record(
            session, "product", product_of_owner, "updated", {"attributes": dict(values), "variant": variant_id}
        )
