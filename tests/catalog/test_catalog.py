"""Catalogue use cases: brands, size charts, products, displays, attributes, media."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from opencentra.catalog.brands import create_brand, create_collection
from opencentra.catalog.categories import create_category
from opencentra.catalog.displays import DisplaySpec, create_display, relate_displays
from opencentra.catalog.models import AttributeScope, DisplayRelationType, Product, ProductSize
from opencentra.catalog.products import (
    ProductSpec,
    SizeSpec,
    VariantSpec,
    add_media,
    check_ean,
    create_attribute_type,
    create_product,
    gtin_check_digit,
    set_attribute_value,
)
from opencentra.catalog.sizes import create_measurement_chart, create_size_chart
from opencentra.catalog.uris import slugify
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.models import Event


def ean(n: int) -> str:
    body = f"{n:012d}"
    return body + gtin_check_digit(body)


async def events(db: Database, object_type: str) -> list[Event]:
    async with db.read() as session:
        return list(await session.scalars(select(Event).where(Event.object_type == object_type).order_by(Event.id)))


async def make_product(db: Database, number: str = "P1", *, variants: int = 1, **extra: Any) -> Product:
    chart = await create_size_chart(db, f"chart {number}", ["S", "M", "L"])
    return await create_product(
        db,
        ProductSpec(
            name=f"Product {number}",
            product_number=number,
            size_chart_id=chart.id,
            variants=[
                VariantSpec(
                    name=f"Colour {v}",
                    variant_number=f"V{v}",
                    sizes=[SizeSpec(size.id, sku=size.name) for size in chart.sizes],
                )
                for v in range(variants)
            ],
            **extra,
        ),
    )


def test_slugify_and_ean_check_digit() -> None:
    assert slugify("Grön Jacka 2!") == "gron-jacka-2"
    assert check_ean("4006381333931") == "4006381333931"
    with pytest.raises(ValidationFailed) as error:
        check_ean("4006381333932")
    assert error.value.field == "ean"


async def test_brand_and_collection(db: Database) -> None:
    brand = await create_brand(db, "  Acme Wear ")
    assert (brand.name, brand.uri) == ("Acme Wear", "acme-wear")
    with pytest.raises(Conflict) as conflict:
        await create_brand(db, "Other", uri="acme-wear")
    assert conflict.value.field == "uri"
    with pytest.raises(ValidationFailed) as invalid:
        await create_brand(db, "Bad", uri="Has Space")
    assert invalid.value.field == "uri"
    with pytest.raises(ValidationFailed):
        await create_brand(db, "   ")
    collection = await create_collection(db, "Summer 2025")
    assert collection.uri == "summer-2025"
    recorded = await events(db, "brand")
    assert [(e.object_id, e.action) for e in recorded] == [(brand.id, "created")]


async def test_size_and_measurement_charts(db: Database) -> None:
    chart = await create_size_chart(db, "Letters", ["XS", "S", "M"])
    assert [(s.name, s.position) for s in chart.sizes] == [("XS", 0), ("S", 1), ("M", 2)]
    with pytest.raises(ValidationFailed):
        await create_size_chart(db, "Dupes", ["S", "S"])
    with pytest.raises(ValidationFailed):
        await create_size_chart(db, "Empty", [])
    with pytest.raises(Conflict):
        await create_size_chart(db, "Letters", ["A"])

    measurements = await create_measurement_chart(
        db, "Tops", unit="cm", row_names=["Length"], column_names=["S", "M"], cells={"Length": {"S": "23", "M": "27"}}
    )
    assert measurements.cells == {"Length": {"S": "23", "M": "27"}}
    with pytest.raises(ValidationFailed) as error:
        await create_measurement_chart(db, "Bad", unit="cm", row_names=["A"], column_names=["S"], cells={"B": {}})
    assert error.value.field == "cells"


async def test_create_product_with_variants_and_sizes(db: Database) -> None:
    brand = await create_brand(db, "Acme")
    chart = await create_size_chart(db, "Letters", ["S", "M"])
    small, medium = chart.sizes
    product = await create_product(
        db,
        ProductSpec(
            name="Jacket",
            product_number="JKT",
            size_chart_id=chart.id,
            brand_id=brand.id,
            country_of_origin="se",
            harmonized_code="620130",
            weight_grams=900,
            variants=[
                VariantSpec("Black", "BLK", [SizeSpec(small.id, ean(1), "S"), SizeSpec(medium.id, ean(2), "M")]),
                VariantSpec("Green", "GRN", [SizeSpec(small.id)]),
            ],
        ),
    )
    assert product.country_of_origin == "SE"
    assert [v.variant_number for v in product.variants] == ["BLK", "GRN"]
    assert [(s.size_id, s.ean, s.sku) for s in product.variants[0].sizes] == [
        (small.id, ean(1), "S"),
        (medium.id, ean(2), "M"),
    ]
    assert product.variants[1].sizes[0].ean is None
    async with db.read() as session:
        assert len((await session.scalars(select(ProductSize))).all()) == 3
    (event,) = await events(db, "product")
    assert event.payload["product_number"] == "JKT"
    assert len(event.payload["variants"]) == 2


PRODUCT_REJECTIONS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"product_number": "  "}, ValidationFailed, "product_number"),
    ({"variants": []}, ValidationFailed, "variants"),
    ({"country_of_origin": "SWE"}, ValidationFailed, "country_of_origin"),
    ({"weight_grams": -1}, ValidationFailed, "weight_grams"),
    ({"item_quantity_minimum": 0}, ValidationFailed, "item_quantity_minimum"),
    ({"brand_id": 999}, NotFound, "brand"),
    ({"tax_group_id": 999}, NotFound, "tax_group"),
    ({"size_chart_id": 999}, NotFound, "size_chart"),
]


async def test_create_product_rejects(db: Database) -> None:
    chart = await create_size_chart(db, "Letters", ["S"])
    for change, error, field in PRODUCT_REJECTIONS:
        spec: dict[str, Any] = {
            "name": "Shirt",
            "product_number": "SH",
            "size_chart_id": chart.id,
            "variants": [VariantSpec("White", "W", [SizeSpec(chart.sizes[0].id)])],
        }
        spec.update(change)
        with pytest.raises(error) as raised:
            await create_product(db, ProductSpec(**spec))
        assert getattr(raised.value, "field", None) == field, change

    other = await create_size_chart(db, "Numbers", ["40"])
    with pytest.raises(ValidationFailed) as wrong_size:
        await create_product(
            db, ProductSpec("Shirt", "SH", chart.id, [VariantSpec("White", "W", [SizeSpec(other.sizes[0].id)])])
        )
    assert wrong_size.value.field == "sizes"
    await create_product(
        db, ProductSpec("Shirt", "SH", chart.id, [VariantSpec("White", "W", [SizeSpec(chart.sizes[0].id, ean(7))])])
    )
    with pytest.raises(Conflict) as taken_number:
        await create_product(
            db, ProductSpec("Again", "SH", chart.id, [VariantSpec("W", "W", [SizeSpec(chart.sizes[0].id)])])
        )
    assert taken_number.value.field == "product_number"
    with pytest.raises(Conflict) as taken_ean:
        await create_product(
            db, ProductSpec("Other", "OT", chart.id, [VariantSpec("W", "W", [SizeSpec(chart.sizes[0].id, ean(7))])])
        )
    assert taken_ean.value.field == "ean"
    with pytest.raises(ValidationFailed) as twice:
        await create_product(
            db,
            ProductSpec(
                "Pair",
                "PR",
                chart.id,
                [
                    VariantSpec("A", "A", [SizeSpec(chart.sizes[0].id)]),
                    VariantSpec("B", "A", [SizeSpec(chart.sizes[0].id)]),
                ],
            ),
        )
    assert twice.value.field == "variant_number"


async def test_create_display_activates_variants(db: Database, world: Any) -> None:
    product = await make_product(db, variants=2)
    category = await create_category(db, world.store, "Jackets")
    variant_ids = [v.id for v in product.variants]
    display = await create_display(
        db,
        DisplaySpec(
            store_id=world.store,
            product_id=product.id,
            name="The Jacket",
            variant_ids=variant_ids,
            market_ids=[world.market_se],
            category_ids=[category.id],
        ),
    )
    assert display.uri == "the-jacket"
    assert [item.variant_id for item in display.items] == variant_ids
    assert [m.market_id for m in display.markets] == [world.market_se]
    assert display.canonical_category_id == category.id
    (event,) = await events(db, "display")
    assert event.store_id == world.store
    assert [i["id"] for i in event.payload["items"]] == [item.id for item in display.items]

    with pytest.raises(Conflict) as same_uri:
        await create_display(db, DisplaySpec(world.store, product.id, "The Jacket", variant_ids[:1]))
    assert same_uri.value.field == "uri"
    # The same uri is free in another store.
    await create_display(db, DisplaySpec(world.other_store, product.id, "The Jacket", variant_ids[:1]))


async def test_create_display_rejects_foreign_references_and_relates(db: Database, world: Any) -> None:
    product = await make_product(db, "P1")
    stranger = await make_product(db, "P2")
    foreign_category = await create_category(db, world.other_store, "Elsewhere")
    variant = product.variants[0].id
    cases: list[tuple[DisplaySpec, str]] = [
        (DisplaySpec(world.store, product.id, "A", [stranger.variants[0].id]), "variants"),
        (DisplaySpec(world.store, product.id, "B", []), "variants"),
        (DisplaySpec(world.store, product.id, "C", [variant, variant]), "variants"),
        (DisplaySpec(world.store, product.id, "D", [variant], market_ids=[world.other_market]), "markets"),
        (DisplaySpec(world.store, product.id, "E", [variant], category_ids=[foreign_category.id]), "categories"),
    ]
    for spec, field in cases:
        with pytest.raises(ValidationFailed) as error:
            await create_display(db, spec)
        assert error.value.field == field
    with pytest.raises(NotFound) as no_product:
        await create_display(db, DisplaySpec(world.store, 999, "F", [variant]))
    assert no_product.value.field == "product"

    one, two = product, stranger
    first = await create_display(db, DisplaySpec(world.store, one.id, "One", [one.variants[0].id]))
    second = await create_display(db, DisplaySpec(world.store, two.id, "Two", [two.variants[0].id]))
    link = await relate_displays(db, first.id, second.id, relation=DisplayRelationType.VARIANT)
    assert (link.display_id, link.related_display_id, link.relation) == (first.id, second.id, "variant")
    again = await relate_displays(db, first.id, second.id, relation=DisplayRelationType.VARIANT)
    assert again.id == link.id
    with pytest.raises(ValidationFailed):
        await relate_displays(db, first.id, first.id)


async def test_attributes_and_media(db: Database) -> None:
    product = await make_product(db)
    material = await create_attribute_type(db, "material", "Material")
    swatch = await create_attribute_type(db, "swatch_hex", "Swatch", scope=AttributeScope.VARIANT)
    first = await set_attribute_value(db, material.id, "wool", product_id=product.id)
    replaced = await set_attribute_value(db, material.id, "cotton", product_id=product.id)
    assert replaced.id == first.id
    assert replaced.value == "cotton"
    on_variant = await set_attribute_value(db, swatch.id, "#000", variant_id=product.variants[0].id)
    assert on_variant.variant_id == product.variants[0].id
    with pytest.raises(ValidationFailed):
        await set_attribute_value(db, swatch.id, "#fff", product_id=product.id)
    with pytest.raises(ValidationFailed):
        await create_attribute_type(db, "Bad Key", "Bad")
    with pytest.raises(Conflict):
        await create_attribute_type(db, "material", "Again")

    image = await add_media(db, product.id, "https://cdn.example.com/a.jpg")
    second = await add_media(db, product.id, "https://cdn.example.com/b.jpg", variant_id=product.variants[0].id)
    assert (image.sort_order, second.sort_order) == (0, 1)
    with pytest.raises(ValidationFailed):
        await add_media(db, product.id, "javascript:alert(1)")
    other = await make_product(db, "P2")
    with pytest.raises(NotFound):
        await add_media(db, product.id, "https://cdn.example.com/c.jpg", variant_id=other.variants[0].id)
    assert len(await events(db, "product_media")) == 2
