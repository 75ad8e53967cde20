"""Bundles in the GraphQL Integration API: ``createBundle``, ``updateBundle`` and the ``Bundle`` type.

``createBundle`` makes a product whose one variant is the bundle, in the
given size chart and sizes, with its sections (``addBundleSections``:
variants and a quantity each). Bundles are products, so the mutations need
``Product:write`` and reading them ``Product:read``.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from opencentra import catalog
from opencentra.api.graphql.catalog import Product, ProductVariant, domain_status
from opencentra.api.graphql.common import UserError, UserWarning
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import Require
from opencentra.api.graphql.pim_mutations import (
    ProductCreateInput,
    ProductVariantRef,
    SizeChartRef,
    SizeInputRef,
    country_code,
    ignored,
    resolve_ref,
    user_error,
)
from opencentra.errors import DomainError, ValidationFailed


@strawberry.enum
class BundleType(enum.Enum):
    FIXED = "FIXED"
    FLEXIBLE = "FLEXIBLE"


@strawberry.enum
class BundlePriceType(enum.Enum):
    STATIC = "STATIC"
    DYNAMIC = "DYNAMIC"


@strawberry.input
class BundleSectionInput:
    product_variants: list[ProductVariantRef]
    quantity: int = 1
    # Flexible bundles only: the shopper may leave the section out.
    is_optional: bool = False


@strawberry.input
class BundleSectionRef:
    id: int


@strawberry.input
class BundleCreateInput:
    product: ProductCreateInput
    type: BundleType = BundleType.FIXED
    price_type: BundlePriceType = BundlePriceType.STATIC
    size_chart: SizeChartRef | None = None
    sizes: list[SizeInputRef] | None = None
    add_bundle_sections: list[BundleSectionInput] | None = None
    # Dynamic bundles: percent off the components' sum.
    discount_percent: float | None = None


@strawberry.input
class BundleUpdateInput:
    type: BundleType | None = None
    price_type: BundlePriceType | None = None
    add_bundle_sections: list[BundleSectionInput] | None = None
    remove_bundle_sections: list[BundleSectionRef] | None = None
    discount_percent: float | None = None


@strawberry.type
class BundleSection:
    id: int
    quantity: int
    is_optional: bool
    _variant_ids: strawberry.Private[list[int]]

    @strawberry.field
    async def product_variants(self, info: Info[Any, Any]) -> list[ProductVariant]:
        found = await info.context.loaders.variant.load_many(self._variant_ids)
        return [ProductVariant.of(variant) for variant in found if variant is not None]


@strawberry.type
class Bundle:
    id: int
    type: BundleType
    price_type: BundlePriceType
    discount_percent: float
    sections: list[BundleSection]
    _variant_id: strawberry.Private[int]

    @classmethod
    def of(cls, view: catalog.BundleView) -> Bundle:
        return cls(
            id=view.id,
            type=BundleType(view.type.value.upper()),
            price_type=BundlePriceType(view.price_type.value.upper()),
            discount_percent=view.discount_bp / 100,
            sections=[
                BundleSection(id=s.id, quantity=s.quantity, is_optional=s.optional, _variant_ids=list(s.variant_ids))
                for s in view.sections
            ],
            _variant_id=view.variant_id,
        )

    @strawberry.field
    async def product_variant(self, info: Info[Any, Any]) -> ProductVariant | None:
        found = await info.context.loaders.variant.load(self._variant_id)
        return None if found is None else ProductVariant.of(found)

    @strawberry.field
    async def product(self, info: Info[Any, Any]) -> Product | None:
        variant = await info.context.loaders.variant.load(self._variant_id)
        if variant is None:
            return None
        found = await info.context.loaders.product.load(variant.product_id)
        return None if found is None else Product.of(found)


@strawberry.type
class BundlePayload:
    bundle: Bundle | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _discount_bp(percent: float | None) -> int:
    if percent is None:
        return 0
    if not 0 <= percent <= 100:
        raise ValidationFailed("discountPercent is between 0 and 100", field="discountPercent")
    return round(percent * 100)


async def _sections(context: GraphQLContext, given: list[BundleSectionInput] | None) -> list[catalog.SectionSpec]:
    specs = []
    for index, section in enumerate(given or []):
        ids = [
            await resolve_ref(context, ref, "ProductVariant", f"addBundleSections.{index}.productVariants")
            for ref in section.product_variants
        ]
        specs.append(catalog.SectionSpec(ids, quantity=section.quantity, optional=section.is_optional))
    return specs


def _bundle_error(error: DomainError) -> UserError:
    field = error.field or ""
    if field.startswith("sections"):
        error = type(error)(error.message, field="addBundleSections" + field[len("sections") :])
    return user_error(error, "input")


async def create_bundle(info: Info[Any, Any], input: BundleCreateInput) -> BundlePayload:
    """A new product that is a bundle of the given sections."""
    context: GraphQLContext = info.context
    given = input.product
    warnings = ignored({"weight": given.weight, "measurementTable": given.measurement_table})
    try:
        if not given.product_number or not given.product_number.strip():
            raise ValidationFailed("productNumber is required in OpenCentra", field="product.productNumber")
        # None: the first size chart.
        chart_id = (
            await resolve_ref(context, input.size_chart, "SizeChart", "sizeChart")
            if input.size_chart is not None
            else None
        )
        names = None
        if input.sizes is not None:
            names = []
            for index, size in enumerate(input.sizes):
                if size.name is None:
                    raise ValidationFailed("name the size", field=f"sizes.{index}.name")
                names.append(size.name)
        spec = catalog.ProductSpec(
            name=given.name,
            product_number=given.product_number,
            size_chart_id=chart_id,
            variants=(),
            brand_id=given.brand.id if given.brand else None,
            collection_id=given.collection.id if given.collection else None,
            status=domain_status(given.status),
            harmonized_code=given.harmonized_commodity_code or "",
            harmonized_code_description=given.harmonized_commodity_code_description or "",
            country_of_origin=await country_code(context, given.country_of_origin) if given.country_of_origin else None,
            comment=given.internal_comment or "",
        )
        bundle = await catalog.create_bundle(
            context.db,
            spec,
            names,
            bundle_type=catalog.BundleType(input.type.value.lower()),
            price_type=catalog.BundlePriceType(input.price_type.value.lower()),
            sections=await _sections(context, input.add_bundle_sections),
            discount_bp=_discount_bp(input.discount_percent),
            folder_id=given.folder.id if given.folder else None,
        )
    except DomainError as error:
        return BundlePayload(bundle=None, user_errors=[_bundle_error(error)], user_warnings=[])
    await context.after_write()
    return BundlePayload(bundle=Bundle.of(bundle), user_errors=[], user_warnings=warnings)


async def update_bundle(info: Info[Any, Any], id: int, input: BundleUpdateInput) -> BundlePayload:
    context: GraphQLContext = info.context
    try:
        changes = catalog.BundleChanges(
            type=catalog.BundleType(input.type.value.lower()) if input.type else None,
            price_type=catalog.BundlePriceType(input.price_type.value.lower()) if input.price_type else None,
            discount_bp=_discount_bp(input.discount_percent) if input.discount_percent is not None else None,
            add_sections=await _sections(context, input.add_bundle_sections),
            remove_section_ids=[ref.id for ref in input.remove_bundle_sections or []],
        )
        bundle = await catalog.update_bundle(context.db, id, changes)
    except DomainError as error:
        return BundlePayload(bundle=None, user_errors=[_bundle_error(error)], user_warnings=[])
    await context.after_write()
    return BundlePayload(bundle=Bundle.of(bundle), user_errors=[], user_warnings=[])


async def resolve_bundle(info: Info[Any, Any], id: int) -> Bundle | None:
    context: GraphQLContext = info.context
    try:
        return Bundle.of(await catalog.bundle(context.db, id))
    except DomainError:
        return None


def _root(resolver: Any, permission: str, description: str | None = None) -> Any:
    extensions: list[FieldExtension] = [Require(permission)]
    return strawberry.field(resolver=resolver, extensions=extensions, description=description)


@strawberry.type
class BundleQuery:
    bundle: Bundle | None = _root(resolve_bundle, "Product:read", "A bundle by its id.")


@strawberry.type
class BundleMutation:
    create_bundle: BundlePayload = _root(create_bundle, "Product:write")
    update_bundle: BundlePayload = _root(update_bundle, "Product:write")
