"""Step-by-step catalogue editing: update products and variants, add variants and sizes, edit displays."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from tests.catalog.test_catalog import ean, events, make_product

from opencentra.catalog.categories import create_category
from opencentra.catalog.displays import (
    DisplayChanges,
    DisplaySpec,
    create_display,
    set_display_categories,
    set_display_markets,
    update_display,
)
from opencentra.catalog.models import DisplayCategory, DisplayItem, DisplayMarket, ProductStatus
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec, create_product
from opencentra.catalog.sizes import create_measurement_chart, create_size_chart
from opencentra.catalog.variants import (
    ProductChanges,
    VariantChanges,
    create_product_size,
    create_variant,
    size_by_name,
    update_product,
    update_variant,
)
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed


async def test_update_product_changes_only_what_is_given(db: Database) -> None:
    product = await make_product(db, "P1")
    chart = await create_measurement_chart(db, "Shirts", unit="cm", row_names=["Chest"], column_names=["S"], cells={})
    updated = await update_product(
        db,
        product.id,
        ProductChanges(
            name=" Renamed ", status=ProductStatus.INACTIVE, weight_grams=1500, measurement_chart_id=chart.id
        ),
    )
    assert (updated.name, updated.status, updated.weight_grams) == ("Renamed", "inactive", 1500)
    assert updated.product_number == "P1" and updated.measurement_chart_id == chart.id
    cleared = await update_product(db, product.id, ProductChanges(measurement_chart_id=None, country_of_origin="de"))
    assert cleared.measurement_chart_id is None and cleared.country_of_origin == "DE"
    kinds = [(e.action, sorted(e.payload)) for e in await events(db, "product")]
    assert kinds[1:] == [
        ("updated", ["measurement_chart", "name", "status", "weight_grams"]),
        ("updated", ["country_of_origin", "measurement_chart"]),
    ]
    # Nothing to change records nothing.
    await update_product(db, product.id, ProductChanges())
    assert len(await events(db, "product")) == 3


async def test_update_product_rejects(db: Database) -> None:
    product = await make_product(db, "P1")
    await make_product(db, "P2")
    for changes, error, field in (
        (ProductChanges(product_number="P2"), Conflict, "product_number"),
        (ProductChanges(brand_id=999), NotFound, "brand"),
        (ProductChanges(name="  "), ValidationFailed, "name"),
        (ProductChanges(weight_grams=-1), ValidationFailed, "weight_grams"),
        (ProductChanges(country_of_origin="Sweden"), ValidationFailed, "country_of_origin"),
    ):
        with pytest.raises(error) as caught:
            await update_product(db, product.id, changes)
        assert caught.value.field == field
    with pytest.raises(NotFound):
        await update_product(db, 999, ProductChanges(name="x"))
    assert len(await events(db, "product")) == 2  # the two creations only


async def test_product_without_variants_adopts_its_first_variants_size_chart(db: Database) -> None:
    placeholder = await create_size_chart(db, "One size", ["OS"])
    letters = await create_size_chart(db, "Letters", ["S", "M"])
    product = await create_product(db, ProductSpec("Bare", "BARE", placeholder.id, variants=()), require_variants=False)
    assert product.variants == []
    with pytest.raises(ValidationFailed):
        await create_product(db, ProductSpec("Bare 2", "BARE2", placeholder.id, variants=()))

    small = letters.sizes[0].id
    variant = await create_variant(
        db, product.id, VariantSpec("Blue", "B1", sizes=[SizeSpec(small, ean=ean(1))]), size_chart_id=letters.id
    )
    assert [s.size_id for s in variant.sizes] == [small]
    with pytest.raises(ValidationFailed) as other_chart:
        await create_variant(db, product.id, VariantSpec("Red", "R1", sizes=()), size_chart_id=placeholder.id)
    assert other_chart.value.field == "size_chart"
    with pytest.raises(Conflict):
        await create_variant(db, product.id, VariantSpec("Blue again", "B1", sizes=()))
    with pytest.raises(Conflict):  # the EAN is taken
        await create_variant(db, product.id, VariantSpec("Red", "R1", sizes=[SizeSpec(small, ean=ean(1))]))
    red = await create_variant(db, product.id, VariantSpec("Red", "R1", sizes=()))
    assert red.sort_order == 1

    medium = await size_by_name(db, letters.id, "M")
    assert medium == letters.sizes[1].id and await size_by_name(db, letters.id, "XL") is None
    assert medium is not None
    size = await create_product_size(db, red.id, SizeSpec(medium, ean=ean(2), sku="M"))
    assert (size.variant_id, size.ean, size.sku) == (red.id, ean(2), "M")
    with pytest.raises(Conflict):
        await create_product_size(db, red.id, SizeSpec(medium))
    with pytest.raises(ValidationFailed):
        await create_product_size(db, red.id, SizeSpec(placeholder.sizes[0].id))
    with pytest.raises(ValidationFailed):
        await create_product_size(db, red.id, SizeSpec(small, ean="EAN000111"))
    with pytest.raises(NotFound):
        await create_product_size(db, 999, SizeSpec(small))
    assert [e.action for e in await events(db, "variant")] == ["created", "created"]
    assert [e.payload["variant"] for e in await events(db, "product_size")] == [red.id]


async def test_update_variant(db: Database) -> None:
    product = await make_product(db, "P1", variants=2)
    first, second = product.variants
    updated = await update_variant(db, first.id, VariantChanges(name="Navy", active=False))
    assert (updated.name, updated.active, updated.variant_number) == ("Navy", False, "V0")
    with pytest.raises(Conflict):
        await update_variant(db, first.id, VariantChanges(variant_number=second.variant_number))
    with pytest.raises(NotFound):
        await update_variant(db, 999, VariantChanges(name="x"))
    (event,) = await events(db, "variant")
    assert event.payload == {"name": "Navy", "active": False}


async def _links(db: Database, model: Any, column: Any, display_id: int) -> list[int]:
    async with db.read() as session:
        return list(await session.scalars(select(column).where(model.display_id == display_id).order_by(model.id)))


async def test_update_display_texts_variants_markets_and_categories(db: Database, world: Any) -> None:
    product = await make_product(db, "P1", variants=3)
    v0, v1, v2 = (v.id for v in product.variants)
    jackets = await create_category(db, world.store, "Jackets")
    coats = await create_category(db, world.store, "Coats")
    display = await create_display(
        db, DisplaySpec(world.store, product.id, "Jacket", variant_ids=[], allow_no_variants=True)
    )
    assert await _links(db, DisplayItem, DisplayItem.variant_id, display.id) == []

    changed = await update_display(
        db,
        display.id,
        DisplayChanges(
            name="Parka",
            uri="parka",
            description="Warm",
            active=False,
            add_variant_ids=[v1, v0],
            add_market_ids=[world.market_se],
            add_category_ids=[jackets.id, coats.id],
        ),
    )
    assert (changed.name, changed.uri, changed.description, changed.active) == ("Parka", "parka", "Warm", False)
    assert changed.canonical_category_id == jackets.id
    assert await _links(db, DisplayItem, DisplayItem.variant_id, display.id) == [v1, v0]
    assert await _links(db, DisplayMarket, DisplayMarket.market_id, display.id) == [world.market_se]

    await update_display(db, display.id, DisplayChanges(remove_variant_ids=[v1], add_variant_ids=[v2, v0]))
    assert await _links(db, DisplayItem, DisplayItem.variant_id, display.id) == [v0, v2]
    await set_display_markets(db, display.id, [world.market_us])
    assert await _links(db, DisplayMarket, DisplayMarket.market_id, display.id) == [world.market_us]
    dropped = await set_display_categories(db, display.id, [coats.id])
    assert dropped.canonical_category_id == coats.id
    assert await _links(db, DisplayCategory, DisplayCategory.category_id, display.id) == [coats.id]

    for changes, field in (
        (DisplayChanges(market_ids=[world.other_market]), "markets"),
        (DisplayChanges(add_variant_ids=[999]), "variants"),
        (DisplayChanges(uri="Not a uri"), "uri"),
        (DisplayChanges(canonical_category_id=jackets.id), "canonical_category"),
        (DisplayChanges(category_ids=[coats.id, coats.id]), "categories"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            await update_display(db, display.id, changes)
        assert caught.value.field == field
    other = await create_display(db, DisplaySpec(world.store, product.id, "Other", variant_ids=[v0]))
    with pytest.raises(Conflict):
        await update_display(db, other.id, DisplayChanges(uri="parka"))
    with pytest.raises(NotFound):
        await update_display(db, 999, DisplayChanges(name="x"))
    actions = [e.action for e in await events(db, "display")]
    assert actions == ["created", "updated", "updated", "updated", "updated", "created"]


async def test_apply_attribute_values_sets_and_removes_in_one_event(db: Database) -> None:
    from opencentra.catalog.models import AttributeScope, AttributeValue
    from opencentra.catalog.products import create_attribute_type
    from opencentra.catalog.variants import apply_attribute_values

    product = await make_product(db, "P1")
    await create_attribute_type(db, "material", "Material")
    await create_attribute_type(db, "care", "Care")
    await create_attribute_type(db, "shade", "Shade", scope=AttributeScope.VARIANT)
    await apply_attribute_values(db, {"material": "wool", "care": "hand wash"}, product_id=product.id)
    await apply_attribute_values(db, {"material": "cotton", "care": None}, product_id=product.id)
    await apply_attribute_values(db, {"shade": "navy"}, variant_id=product.variants[0].id)
    async with db.read() as session:
        values = {(v.product_id, v.variant_id, v.value) for v in await session.scalars(select(AttributeValue))}
    assert values == {(product.id, None, "cotton"), (None, product.variants[0].id, "navy")}
    for values_, kwargs, error in (
        ({"shade": "x"}, {"product_id": product.id}, ValidationFailed),
        ({"nope": "x"}, {"product_id": product.id}, NotFound),
        ({"material": "x"}, {"product_id": 999}, NotFound),
        ({}, {"product_id": product.id}, ValidationFailed),
        ({"material": "x"}, {}, ValidationFailed),
    ):
        with pytest.raises(error):
            await apply_attribute_values(db, values_, **kwargs)
    updates = [e.payload for e in await events(db, "product") if e.action == "updated"]
    assert len(updates) == 3 and updates[1]["attributes"] == {"material": "cotton", "care": None}
