"""Products with their variants and sizes, custom attributes and media."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog import _refs
from opencentra.catalog._checks import optional_text, required_text
from opencentra.catalog.models import (
    AttributeScope,
    AttributeType,
    AttributeValue,
    Brand,
    Collection,
    MeasurementChart,
    Media,
    Product,
    ProductSize,
    ProductStatus,
    ProductVariant,
    Size,
    SizeChart,
)
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events import outbox

_GTIN = re.compile(r"[0-9]{8}|[0-9]{12,14}", re.ASCII)
_COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)
_ATTRIBUTE_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)


@dataclass(frozen=True)
class SizeSpec:
    """One size of a variant; ``size_id`` must be in the product's size chart."""

    size_id: int
    ean: str | None = None
    sku: str = ""


@dataclass(frozen=True)
class VariantSpec:
    name: str
    variant_number: str
    sizes: Sequence[SizeSpec]
    active: bool = True


@dataclass(frozen=True)
class ProductSpec:
    name: str
    product_number: str
    # None: the first size chart (a product made before its first variant names one).
    size_chart_id: int | None
    variants: Sequence[VariantSpec]
    brand_id: int | None = None
    collection_id: int | None = None
    measurement_chart_id: int | None = None
    tax_group_id: int | None = None
    status: ProductStatus = ProductStatus.ACTIVE
    harmonized_code: str = ""
    harmonized_code_description: str = ""
    country_of_origin: str | None = None
    weight_grams: int | None = None
    stock_unit: str = ""
    item_quantity_minimum: int = 1
    item_quantity_multiple_of: int = 1
    comment: str = field(default="", repr=False)


def gtin_check_digit(body: str) -> str:
    """The GS1 check digit for the digits of a GTIN without its last digit."""
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def check_ean(ean: str, *, field: str = "ean") -> str:
    """``ean`` if it is a GTIN-8/12/13/14 with a correct check digit."""
    if not _GTIN.fullmatch(ean) or gtin_check_digit(ean[:-1]) != ean[-1]:
        raise ValidationFailed(f"{ean!r} is not a valid EAN/GTIN", field=field)
    return ean


async def _require(session: AsyncSession, model: type[object], ident: int | None, field: str) -> None:
    if ident is not None and await session.get(model, ident) is None:
        raise NotFound(f"{field} {ident} not found", field=field)


async def first_size_chart_id(session: AsyncSession) -> int:
    """The chart a product starts with when none is named: the oldest one."""
    found = await session.scalar(select(func.min(SizeChart.id)))
    if found is None:
        raise ValidationFailed("create a size chart first (createSizeChart)", field="size_chart")
    return int(found)


async def create_product(db: Database, spec: ProductSpec, *, require_variants: bool = True) -> Product:
    """Create a product with its variants and sizes (all loaded on the result).

    ``require_variants=False`` allows a product without variants yet, as
    Centra's ``createProduct`` makes one (variants follow one by one).
    """
    async with db.write() as session:
        return await create_product_in(session, spec, require_variants=require_variants)


async def create_product_in(session: AsyncSession, spec: ProductSpec, *, require_variants: bool = True) -> Product:
    """``create_product`` inside a transaction the caller owns (bulk seeding)."""
    name = required_text(spec.name, field="name")
    product_number = required_text(spec.product_number, field="product_number", max_length=64)
    country = spec.country_of_origin.strip().upper() if spec.country_of_origin else None
    if country is not None and not _COUNTRY.fullmatch(country):
        raise ValidationFailed("country_of_origin must be an ISO 3166 alpha-2 code", field="country_of_origin")
    if spec.weight_grams is not None and spec.weight_grams < 0:
        raise ValidationFailed("weight_grams cannot be negative", field="weight_grams")
    if spec.item_quantity_minimum < 1:
        raise ValidationFailed("item_quantity_minimum must be at least 1", field="item_quantity_minimum")
    if spec.item_quantity_multiple_of < 1:
        raise ValidationFailed("item_quantity_multiple_of must be at least 1", field="item_quantity_multiple_of")
    if not spec.variants and require_variants:
        raise ValidationFailed("a product needs at least one variant", field="variants")

    chart_id = spec.size_chart_id if spec.size_chart_id is not None else await first_size_chart_id(session)
    chart = await session.get(SizeChart, chart_id)
    if chart is None:
        raise NotFound(f"size chart {chart_id} not found", field="size_chart")
    chart_sizes = set(await session.scalars(select(Size.id).where(Size.size_chart_id == chart.id)))
    await _require(session, Brand, spec.brand_id, "brand")
    await _require(session, Collection, spec.collection_id, "collection")
    await _require(session, MeasurementChart, spec.measurement_chart_id, "measurement_chart")
    if spec.tax_group_id is not None:
        found = await session.scalar(select(_refs.tax_groups.c.id).where(_refs.tax_groups.c.id == spec.tax_group_id))
        if found is None:
            raise NotFound(f"tax group {spec.tax_group_id} not found", field="tax_group")

    variants: list[ProductVariant] = []
    variant_numbers: set[str] = set()
    eans: set[str] = set()
    for position, variant_spec in enumerate(spec.variants):
        variant_number = required_text(variant_spec.variant_number, field="variant_number", max_length=64)
        if variant_number in variant_numbers:
            raise ValidationFailed(f"variant number {variant_number!r} is used twice", field="variant_number")
        variant_numbers.add(variant_number)
        if not variant_spec.sizes:
            raise ValidationFailed(f"variant {variant_number!r} needs at least one size", field="sizes")
        sizes: list[ProductSize] = []
        size_ids: set[int] = set()
        for size_spec in variant_spec.sizes:
            if size_spec.size_id not in chart_sizes:
                raise ValidationFailed(f"size {size_spec.size_id} is not in size chart {chart.id}", field="sizes")
            if size_spec.size_id in size_ids:
                raise ValidationFailed(f"size {size_spec.size_id} is listed twice", field="sizes")
            size_ids.add(size_spec.size_id)
            ean = check_ean(size_spec.ean.strip()) if size_spec.ean and size_spec.ean.strip() else None
            if ean is not None:
                if ean in eans:
                    raise ValidationFailed(f"EAN {ean} is used twice", field="ean")
                eans.add(ean)
            sku = optional_text(size_spec.sku, field="sku", max_length=64)
            sizes.append(ProductSize(size_id=size_spec.size_id, ean=ean, sku=sku))
        variants.append(
            ProductVariant(
                name=required_text(variant_spec.name, field="variant_name"),
                variant_number=variant_number,
                active=variant_spec.active,
                sort_order=position,
                sizes=sizes,
            )
        )

    if await session.scalar(select(Product.id).where(Product.product_number == product_number)) is not None:
        raise Conflict(f"product number {product_number!r} is already used", field="product_number")
    if eans:
        taken = await session.scalar(select(ProductSize.ean).where(ProductSize.ean.in_(sorted(eans))).limit(1))
        if taken is not None:
            raise Conflict(f"EAN {taken} is already used", field="ean")

    product = Product(
        name=name,
        product_number=product_number,
        brand_id=spec.brand_id,
        collection_id=spec.collection_id,
        size_chart_id=chart.id,
        measurement_chart_id=spec.measurement_chart_id,
        tax_group_id=spec.tax_group_id,
        status=ProductStatus(spec.status).value,
        harmonized_code=optional_text(spec.harmonized_code, field="harmonized_code", max_length=32),
        harmonized_code_description=optional_text(
            spec.harmonized_code_description, field="harmonized_code_description"
        ),
        country_of_origin=country,
        weight_grams=spec.weight_grams,
        stock_unit=optional_text(spec.stock_unit, field="stock_unit", max_length=32),
        item_quantity_minimum=spec.item_quantity_minimum,
        item_quantity_multiple_of=spec.item_quantity_multiple_of,
        comment=spec.comment,
        variants=variants,
    )
    session.add(product)
    await session.flush()
    await outbox.record(
        session,
        "product",
        product.id,
        "created",
        {
            "product_number": product.product_number,
            "name": product.name,
            "variants": [
                {"id": v.id, "variant_number": v.variant_number, "sizes": [s.id for s in v.sizes]}
                for v in product.variants
            ],
        },
    )
    return product


async def create_attribute_type(
    db: Database, key: str, name: str, *, scope: AttributeScope = AttributeScope.PRODUCT
) -> AttributeType:
    """Define a custom attribute; ``key`` becomes the extra key on API products."""
    key = key.strip()
    if not _ATTRIBUTE_KEY.fullmatch(key):
        raise ValidationFailed("key must be lower-case letters, digits and '_', starting with a letter", field="key")
    name = required_text(name, field="name")
    async with db.write() as session:
        if await session.scalar(select(AttributeType.id).where(AttributeType.key == key)) is not None:
            raise Conflict(f"attribute {key!r} already exists", field="key")
        attribute_type = AttributeType(key=key, name=name, scope=AttributeScope(scope).value)
        session.add(attribute_type)
        await session.flush()
        await outbox.record(
            session, "attribute_type", attribute_type.id, "created", {"key": key, "scope": attribute_type.scope}
        )
        return attribute_type


async def set_attribute_value(
    db: Database,
    attribute_type_id: int,
    value: str,
    *,
    product_id: int | None = None,
    variant_id: int | None = None,
) -> AttributeValue:
    """Set (create or replace) a product's or a variant's value of an attribute."""
    if (product_id is None) == (variant_id is None):
        raise ValidationFailed("give exactly one of product or variant", field="product")
    async with db.write() as session:
        attribute_type = await session.get(AttributeType, attribute_type_id)
        if attribute_type is None:
            raise NotFound(f"attribute {attribute_type_id} not found", field="attribute")
        if variant_id is not None:
            if attribute_type.scope != AttributeScope.VARIANT:
                raise ValidationFailed(f"attribute {attribute_type.key!r} is set per product", field="variant")
            variant = await session.get(ProductVariant, variant_id)
            if variant is None:
                raise NotFound(f"variant {variant_id} not found", field="variant")
            owner_product_id = variant.product_id
            owner = AttributeValue.variant_id == variant_id
        else:
            if attribute_type.scope != AttributeScope.PRODUCT:
                raise ValidationFailed(f"attribute {attribute_type.key!r} is set per variant", field="product")
            await _require(session, Product, product_id, "product")
            assert product_id is not None
            owner_product_id = product_id
            owner = AttributeValue.product_id == product_id
        existing = await session.scalar(
            select(AttributeValue).where(AttributeValue.attribute_type_id == attribute_type_id, owner)
        )
        if existing is None:
            existing = AttributeValue(
                attribute_type_id=attribute_type_id, product_id=product_id, variant_id=variant_id, value=value
            )
            session.add(existing)
        else:
            existing.value = value
        await session.flush()
        await outbox.record(
            session,
            "product",
            owner_product_id,
            "updated",
            {"attribute": attribute_type.key, "variant": variant_id, "value": value},
        )
        return existing


async def add_media(
    db: Database,
    product_id: int,
    url: str,
    *,
    variant_id: int | None = None,
    alt_text: str = "",
    sort_order: int | None = None,
) -> Media:
    """Attach an image to a product (or one of its variants); appended by default."""
    url = required_text(url, field="url", max_length=2048)
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ValidationFailed("url must be an absolute http(s) url", field="url")
    alt_text = optional_text(alt_text, field="alt_text")
    async with db.write() as session:
        await _require(session, Product, product_id, "product")
        if variant_id is not None:
            variant = await session.get(ProductVariant, variant_id)
            if variant is None or variant.product_id != product_id:
                raise NotFound(f"variant {variant_id} not found on product {product_id}", field="variant")
        if sort_order is None:
            last = await session.scalar(select(func.max(Media.sort_order)).where(Media.product_id == product_id))
            sort_order = 0 if last is None else last + 1
        media = Media(product_id=product_id, variant_id=variant_id, url=url, alt_text=alt_text, sort_order=sort_order)
        session.add(media)
        await session.flush()
        await outbox.record(
            session, "product_media", media.id, "created", {"product": product_id, "variant": variant_id, "url": url}
        )
        return media
