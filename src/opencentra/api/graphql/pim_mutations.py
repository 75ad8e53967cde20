"""PIM mutations: products, variants, sizes and displays, one step at a time.

Each mutation calls one catalogue service (one transaction, one outbox
event) and answers Centra's payload: the object, ``userErrors`` and
``userWarnings``. Inputs OpenCentra has no place for are accepted and named
in ``userWarnings``. References take ``{id}`` or ``{externalId}`` (the
token's integration's ID conversions).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import catalog, integration, stores
from opencentra.api.graphql.catalog import (
    Display,
    Product,
    ProductSize,
    ProductStatus,
    ProductVariant,
    WeightUnit,
    domain_status,
)
from opencentra.api.graphql.catalog_mutations import CountryRef, remember_external_id
from opencentra.api.graphql.common import Status, UserError, UserWarning
from opencentra.api.graphql.common import user_error as _user_error
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.stock import IdRef, MonetaryValueInput
from opencentra.errors import DomainError, NotFound, ValidationFailed

POUND_GRAMS = Decimal("453.59237")


@strawberry.input(description="A product by its id or by this integration's external id.")
class ProductRef:
    id: int | None = None
    external_id: str | None = None


@strawberry.input(description="A product variant by its id or by this integration's external id.")
class ProductVariantRef:
    id: int | None = None
    external_id: str | None = None


@strawberry.input(description="A size chart by its id or by this integration's external id.")
class SizeChartRef:
    id: int | None = None
    external_id: str | None = None


@strawberry.input(description="A size of the product's size chart by id, name or external id.")
class SizeInputRef:
    id: int | None = None
    name: str | None = None
    external_id: str | None = None


@strawberry.input(description="A reference that may be cleared with {id: null}.")
class NullableIdRef:
    id: int | None = None


@strawberry.input
class WeightInput:
    value: float
    unit: WeightUnit = WeightUnit.KILOGRAMS


@strawberry.input
class MeasurementTableInput:
    inherited: bool | None = None
    measurement_chart: NullableIdRef | None = None


@strawberry.input
class MappedAttributeInput:
    attribute_type_name: str
    attribute_id: int


async def resolve_ref(context: GraphQLContext, ref: Any, object_type: str, field: str) -> int:
    """The internal id of a ``{id}`` / ``{externalId}`` reference."""
    if ref.id is not None:
        return int(ref.id)
    if ref.external_id is not None:
        found = await integration.internal_ids(
            context.db, integration=context.token.name, object_type=object_type, external_ids=[ref.external_id]
        )
        if ref.external_id in found:
            return found[ref.external_id]
        raise NotFound(f"Could not find {object_type} with external ID {ref.external_id}", field=field)
    raise ValidationFailed(f"give {field}.id or {field}.externalId", field=field)


# Domain field names that differ from the input's (snake_case ones are camelCased).
_INPUT_FIELDS = {
    "weight_grams": "weight",
    "harmonized_code": "harmonizedCommodityCode",
    "harmonized_code_description": "harmonizedCommodityCodeDescription",
    "measurement_chart": "measurementTable",
    "variant_name": "name",
    "variants": "addProductVariants",
    "markets": "addMarkets",
    "categories": "addCategories",
    "canonical_category": "canonicalCategory",
    "variant": "productVariant",
}


def user_error(error: DomainError, *prefix: str) -> UserError:
    """``common.user_error`` with the domain's field named as the input names it."""
    field = error.field
    if field is not None:
        head, *rest = _INPUT_FIELDS.get(field, field).split("_")
        field = head + "".join(part.title() for part in rest)
    return _user_error(type(error)(error.message, field=field), *prefix)


def ignored(names: dict[str, object]) -> list[UserWarning]:
    """A warning for each input OpenCentra has no place for (given as not None)."""
    return [
        UserWarning(message=f"{name} is not supported by OpenCentra; ignored", path=["input", name])
        for name, value in names.items()
        if value is not None
    ]


def _weight_grams(weight: WeightInput, warnings: list[UserWarning]) -> int:
    value = Decimal(str(weight.value))
    if value < 0:
        raise ValidationFailed("weight cannot be negative", field="weight")
    if weight.unit == WeightUnit.POUNDS:
        warnings.append(
            UserWarning(message="Weight unit has been changed from POUNDS to KILOGRAMS", path=["input", "weight"])
        )
        grams = value * POUND_GRAMS
    else:
        grams = value * 1000
    rounded = grams.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if rounded != grams:
        warnings.append(UserWarning(message="Weight has been rounded to 3 decimal places", path=["input", "weight"]))
    if rounded > 2**31 - 1:
        raise ValidationFailed("weight is too large", field="weight")
    return int(rounded)


def is_active(status: ProductStatus | Status) -> bool:
    return bool(status.value == "ACTIVE")


# --- products -------------------------------------------------------------------------


@strawberry.input
class ProductCreateInput:
    name: str
    product_number: str | None = None
    status: ProductStatus = ProductStatus.ACTIVE
    brand: IdRef | None = None
    collection: IdRef | None = None
    folder: IdRef | None = None
    country_of_origin: CountryRef | None = None
    harmonized_commodity_code: str | None = None
    harmonized_commodity_code_description: str | None = None
    weight: WeightInput | None = None
    measurement_table: MeasurementTableInput | None = None
    internal_comment: str | None = None
    external_id: str | None = None


@strawberry.input
class ProductUpdateInput:
    name: str | None = None
    product_number: str | None = None
    status: ProductStatus | None = None
    brand: NullableIdRef | None = None
    collection: NullableIdRef | None = None
    folder: IdRef | None = None
    country_of_origin: CountryRef | None = None
    harmonized_commodity_code: str | None = None
    harmonized_commodity_code_description: str | None = None
    weight: WeightInput | None = None
    measurement_table: MeasurementTableInput | None = None
    internal_comment: str | None = None
    assign_mapped_attributes: list[MappedAttributeInput] | None = None
    unassign_mapped_attributes: list[MappedAttributeInput] | None = None


@strawberry.type
class ProductPayload:
    product: Product | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def country_code(context: GraphQLContext, ref: CountryRef) -> str:
    """The ISO code of ``countryOfOrigin`` given by code or by id."""
    if ref.code is not None:
        return ref.code.strip().upper()
    if ref.id is not None:
        found = await context.loaders.keyed("countries", stores.countries_by_id).load(ref.id)
        if found is None:
            raise NotFound(f"Could not find Country with ID {ref.id}", field="countryOfOrigin")
        return found.code
    raise ValidationFailed("give countryOfOrigin.code or countryOfOrigin.id", field="countryOfOrigin")


def _product_error(error: DomainError) -> UserError:
    return user_error(error, "input")


async def create_product(info: Info[Any, Any], input: ProductCreateInput) -> ProductPayload:
    """Create a product without variants; its first variant chooses the size chart."""
    context: GraphQLContext = info.context
    warnings: list[UserWarning] = []
    try:
        if not input.product_number or not input.product_number.strip():
            raise ValidationFailed("productNumber is required in OpenCentra", field="productNumber")
        country = await country_code(context, input.country_of_origin) if input.country_of_origin else None
        grams = _weight_grams(input.weight, warnings) if input.weight is not None else None
        chart = input.measurement_table.measurement_chart if input.measurement_table else None
        spec = catalog.ProductSpec(
            name=input.name,
            product_number=input.product_number,
            size_chart_id=None,  # the first chart, until the product's first variant names one
            variants=(),
            brand_id=input.brand.id if input.brand else None,
            collection_id=input.collection.id if input.collection else None,
            measurement_chart_id=chart.id if chart is not None else None,
            status=domain_status(input.status),
            harmonized_code=input.harmonized_commodity_code or "",
            harmonized_code_description=input.harmonized_commodity_code_description or "",
            country_of_origin=country,
            weight_grams=grams,
            comment=input.internal_comment or "",
        )
        product = await catalog.create_product(
            context.db, spec, folder_id=input.folder.id if input.folder is not None else None
        )
    except DomainError as error:
        return ProductPayload(product=None, user_errors=[_product_error(error)], user_warnings=[])
    warnings += await remember_external_id(context, "Product", product.id, input.external_id)
    await context.after_write()
    return ProductPayload(product=Product.of(product), user_errors=[], user_warnings=warnings)


async def update_product(info: Info[Any, Any], id: int, input: ProductUpdateInput) -> ProductPayload:
    context: GraphQLContext = info.context
    warnings: list[UserWarning] = []
    keep = catalog.KEEP
    try:
        if input.measurement_table is not None and input.measurement_table.inherited:
            warnings.append(
                UserWarning(
                    message="measurement tables are not inherited in OpenCentra; inherited ignored",
                    path=["input", "measurementTable", "inherited"],
                )
            )
        chart: int | catalog.Keep | None = keep
        if input.measurement_table is not None and input.measurement_table.measurement_chart is not None:
            chart = input.measurement_table.measurement_chart.id
        changes = catalog.ProductChanges(
            name=input.name if input.name is not None else keep,
            product_number=input.product_number if input.product_number is not None else keep,
            status=keep if input.status is None else domain_status(input.status),
            brand_id=input.brand.id if input.brand is not None else keep,
            collection_id=input.collection.id if input.collection is not None else keep,
            measurement_chart_id=chart,
            country_of_origin=(
                await country_code(context, input.country_of_origin) if input.country_of_origin else keep
            ),
            harmonized_code=input.harmonized_commodity_code if input.harmonized_commodity_code is not None else keep,
            harmonized_code_description=(
                input.harmonized_commodity_code_description
                if input.harmonized_commodity_code_description is not None
                else keep
            ),
            weight_grams=_weight_grams(input.weight, warnings) if input.weight is not None else keep,
            comment=input.internal_comment if input.internal_comment is not None else keep,
        )
        product = await catalog.update_product(  # every change of the input, or none
            context.db,
            id,
            changes,
            folder_id=input.folder.id if input.folder is not None else None,
            assign=[(m.attribute_type_name, m.attribute_id) for m in input.assign_mapped_attributes or []],
            unassign=[(m.attribute_type_name, m.attribute_id) for m in input.unassign_mapped_attributes or []],
        )
    except DomainError as error:
        if isinstance(error, NotFound) and error.field == "product":
            error = NotFound(f"Could not find Product with ID {id}", field=None)
        return ProductPayload(product=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return ProductPayload(product=Product.of(product), user_errors=[], user_warnings=warnings)


# --- variants and sizes ---------------------------------------------------------------------


@strawberry.input
class ProductSizeInlineInput:
    size: SizeInputRef
    EAN: str | None = strawberry.field(name="EAN", default=None)
    GTIN: str | None = strawberry.field(name="GTIN", default=None)
    size_number: str | None = None


@strawberry.input
class ProductVariantCreateInput:
    product: ProductRef
    name: str
    status: Status = Status.ACTIVE
    variant_number: str | None = None
    internal_name: str | None = None
    unit_cost: MonetaryValueInput | None = None
    size_chart: SizeChartRef | None = None
    product_sizes: list[ProductSizeInlineInput] | None = None
    external_id: str | None = None


@strawberry.input
class ProductVariantUpdateInput:
    name: str | None = None
    status: Status | None = None
    variant_number: str | None = None
    internal_name: str | None = None
    unit_cost: MonetaryValueInput | None = None


@strawberry.type
class ProductVariantPayload:
    product_variant: ProductVariant | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def _size_id(context: GraphQLContext, ref: SizeInputRef, chart_id: int, field: str) -> int:
    if ref.id is not None:
        return ref.id
    if ref.external_id is not None:
        return await resolve_ref(context, ref, "Size", field)
    if ref.name is not None:
        found = await catalog.size_by_name(context.db, chart_id, ref.name)
        if found is None:
            raise NotFound(f"Could not find Size {ref.name!r} in size chart {chart_id}", field=field)
        return found
    raise ValidationFailed(f"give {field}.id, {field}.name or {field}.externalId", field=field)


def _unit_cost(value: MonetaryValueInput) -> tuple[Decimal, str]:
    return Decimal(str(value.value)), value.currency_iso_code


def _ean(ean: str | None, gtin: str | None) -> str | None:
    return ean if ean is not None else gtin


async def create_product_variant(info: Info[Any, Any], input: ProductVariantCreateInput) -> ProductVariantPayload:
    context: GraphQLContext = info.context
    warnings = ignored({"internalName": input.internal_name})
    try:
        product_id = await resolve_ref(context, input.product, "Product", "product")
        chart_id = await resolve_ref(context, input.size_chart, "SizeChart", "sizeChart") if input.size_chart else None
        product = await context.loaders.product.load(product_id)
        if product is None:
            raise NotFound(f"Could not find Product with ID {product_id}", field="product")
        chart_for_sizes = chart_id if chart_id is not None else product.size_chart_id
        sizes = [
            catalog.SizeSpec(
                size_id=await _size_id(context, item.size, chart_for_sizes, "productSizes"),
                ean=_ean(item.EAN, item.GTIN),
                sku=item.size_number or "",
            )
            for item in input.product_sizes or []
        ]
        number = input.variant_number if input.variant_number is not None else input.name
        spec = catalog.VariantSpec(name=input.name, variant_number=number, sizes=sizes, active=is_active(input.status))
        variant = await catalog.create_variant(  # the variant and its unit cost, or neither
            context.db,
            product_id,
            spec,
            size_chart_id=chart_id,
            unit_cost=_unit_cost(input.unit_cost) if input.unit_cost is not None else None,
        )
    except DomainError as error:
        return ProductVariantPayload(product_variant=None, user_errors=[user_error(error, "input")], user_warnings=[])
    warnings += await remember_external_id(context, "ProductVariant", variant.id, input.external_id)
    await context.after_write()
    return ProductVariantPayload(product_variant=ProductVariant.of(variant), user_errors=[], user_warnings=warnings)


async def update_product_variant(
    info: Info[Any, Any], id: int, input: ProductVariantUpdateInput
) -> ProductVariantPayload:
    context: GraphQLContext = info.context
    warnings = ignored({"internalName": input.internal_name})
    keep = catalog.KEEP
    changes = catalog.VariantChanges(
        name=input.name if input.name is not None else keep,
        variant_number=input.variant_number if input.variant_number is not None else keep,
        active=is_active(input.status) if input.status is not None else keep,
    )
    try:
        variant = await catalog.update_variant(  # the variant and its unit cost, or neither
            context.db,
            id,
            changes,
            unit_cost=_unit_cost(input.unit_cost) if input.unit_cost is not None else None,
        )
    except DomainError as error:
        if isinstance(error, NotFound) and error.field == "variant":
            error = NotFound(f"Could not find ProductVariant with ID {id}", field=None)
        return ProductVariantPayload(product_variant=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return ProductVariantPayload(product_variant=ProductVariant.of(variant), user_errors=[], user_warnings=warnings)


@strawberry.input
class ProductSizeCreateInput:
    product_variant: ProductVariantRef
    size: SizeInputRef
    gtin: str | None = None
    EAN: str | None = strawberry.field(name="EAN", default=None)
    size_number: str | None = None


@strawberry.type
class ProductSizePayload:
    product_size: ProductSize | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def create_product_size(info: Info[Any, Any], input: ProductSizeCreateInput) -> ProductSizePayload:
    """Activate a size on a variant; ``gtin`` (or ``EAN``) must be a valid GTIN in OpenCentra."""
    context: GraphQLContext = info.context
    try:
        variant_id = await resolve_ref(context, input.product_variant, "ProductVariant", "productVariant")
        variant = await context.loaders.variant.load(variant_id)
        if variant is None:
            raise NotFound(f"Could not find ProductVariant with ID {variant_id}", field="productVariant")
        product = await context.loaders.product.load(variant.product_id)
        assert product is not None
        size_id = await _size_id(context, input.size, product.size_chart_id, "size")
        spec = catalog.SizeSpec(size_id=size_id, ean=_ean(input.EAN, input.gtin), sku=input.size_number or "")
        size = await catalog.create_product_size(context.db, variant_id, spec)
    except DomainError as error:
        return ProductSizePayload(product_size=None, user_errors=[user_error(error, "input")], user_warnings=[])
    await context.after_write()
    return ProductSizePayload(product_size=ProductSize.of(size), user_errors=[], user_warnings=[])


# --- displays -------------------------------------------------------------------------------


@strawberry.input
class DisplayVariantInput:
    product_variant: ProductVariantRef


@strawberry.input
class DisplayMediaInput:
    product_media: IdRef
    before: IdRef | None = None


@strawberry.input
class DisplayCreateInput:
    name: str
    status: Status
    store: IdRef
    product: ProductRef
    uri: str | None = None
    description: str | None = None
    short_description: str | None = None
    meta_title: str | None = None
    meta_description: str | None = None
    meta_keywords: str | None = None
    sort_order: int | None = None
    canonical_category: IdRef | None = None
    add_categories: list[IdRef] | None = None
    add_markets: list[IdRef] | None = None
    add_product_variants: list[DisplayVariantInput] | None = None
    add_product_media: list[DisplayMediaInput] | None = None
    minimum_order_quantity: int | None = None
    order_quantity_denominator: int | None = None
    tax_group: IdRef | None = None
    tags: list[str] | None = None
    external_id: str | None = None


@strawberry.input
class DisplayUpdateInput:
    name: str | None = None
    status: Status | None = None
    uri: str | None = None
    description: str | None = None
    short_description: str | None = None
    meta_title: str | None = None
    meta_description: str | None = None
    meta_keywords: str | None = None
    sort_order: int | None = None
    canonical_category: IdRef | None = None
    add_categories: list[IdRef] | None = None
    remove_categories: list[IdRef] | None = None
    add_markets: list[IdRef] | None = None
    remove_markets: list[IdRef] | None = None
    add_product_variants: list[DisplayVariantInput] | None = None
    remove_product_variants: list[DisplayVariantInput] | None = None
    add_product_media: list[DisplayMediaInput] | None = None
    remove_product_media: list[IdRef] | None = None
    minimum_order_quantity: int | None = None
    order_quantity_denominator: int | None = None
    tax_group: IdRef | None = None
    tags: list[str] | None = None


@strawberry.type
class DisplayPayload:
    display: Display | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _display_ignored(input: DisplayCreateInput | DisplayUpdateInput) -> list[UserWarning]:
    names: dict[str, object] = {
        "minimumOrderQuantity": input.minimum_order_quantity,
        "orderQuantityDenominator": input.order_quantity_denominator,
        "taxGroup": input.tax_group,
        "tags": input.tags,
    }
    warnings = ignored(names)
    media = [input.add_product_media, getattr(input, "remove_product_media", None)]
    if any(m is not None for m in media):
        warnings.append(
            UserWarning(
                message="a display shows its product's media in OpenCentra; display media are not stored",
                path=["input", "addProductMedia"],
            )
        )
    return warnings


async def _variant_ids(context: GraphQLContext, items: list[DisplayVariantInput] | None, field: str) -> list[int]:
    return [await resolve_ref(context, item.product_variant, "ProductVariant", field) for item in items or []]


def _not_found(error: DomainError, object_type: str, ident: int) -> DomainError:
    if isinstance(error, NotFound) and error.field in ("display", "store", "product"):
        return NotFound(f"Could not find {object_type} with ID {ident}", field=error.field)
    return error


async def create_display(info: Info[Any, Any], input: DisplayCreateInput) -> DisplayPayload:
    context: GraphQLContext = info.context
    warnings = _display_ignored(input)
    try:
        product_id = await resolve_ref(context, input.product, "Product", "product")
        spec = catalog.DisplaySpec(
            store_id=input.store.id,
            product_id=product_id,
            name=input.name,
            variant_ids=await _variant_ids(context, input.add_product_variants, "addProductVariants"),
            market_ids=[m.id for m in input.add_markets or []],
            category_ids=[c.id for c in input.add_categories or []],
            uri=input.uri,
            description=input.description or "",
            short_description=input.short_description or "",
            meta_title=input.meta_title or "",
            meta_description=input.meta_description or "",
            meta_keywords=input.meta_keywords or "",
            canonical_category_id=input.canonical_category.id if input.canonical_category else None,
            active=is_active(input.status),
            sort_order=input.sort_order or 0,
            allow_no_variants=True,
        )
        display = await catalog.create_display(context.db, spec, store_scope=context.store_id)
    except DomainError as error:
        error = _not_found(error, "Store" if error.field == "store" else "Product", input.store.id)
        return DisplayPayload(display=None, user_errors=[user_error(error, "input")], user_warnings=[])
    warnings += await remember_external_id(context, "Display", display.id, input.external_id)
    await context.after_write()
    return DisplayPayload(display=Display.of(display), user_errors=[], user_warnings=warnings)


async def update_display(info: Info[Any, Any], id: int, input: DisplayUpdateInput) -> DisplayPayload:
    context: GraphQLContext = info.context
    warnings = _display_ignored(input)
    try:
        changes = catalog.DisplayChanges(
            name=input.name,
            uri=input.uri,
            description=input.description,
            short_description=input.short_description,
            meta_title=input.meta_title,
            meta_description=input.meta_description,
            meta_keywords=input.meta_keywords,
            active=is_active(input.status) if input.status is not None else None,
            sort_order=input.sort_order,
            canonical_category_id=input.canonical_category.id if input.canonical_category else None,
            add_variant_ids=await _variant_ids(context, input.add_product_variants, "addProductVariants"),
            remove_variant_ids=await _variant_ids(context, input.remove_product_variants, "removeProductVariants"),
            add_market_ids=[m.id for m in input.add_markets or []],
            remove_market_ids=[m.id for m in input.remove_markets or []],
            add_category_ids=[c.id for c in input.add_categories or []],
            remove_category_ids=[c.id for c in input.remove_categories or []],
        )
        display = await catalog.update_display(context.db, id, changes, store_scope=context.store_id)
    except DomainError as error:
        # A display the token may not see is not found, like one that does not exist.
        failure = UserError(message=error.message, path=["id"]) if error.field == "id" else user_error(error, "input")
        return DisplayPayload(display=None, user_errors=[failure], user_warnings=[])
    await context.after_write()
    return DisplayPayload(display=Display.of(display), user_errors=[], user_warnings=warnings)
