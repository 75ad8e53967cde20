"""PIM extras as services: folders, translations, media batches, charts, unit costs, mapped attributes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.catalog.conftest import World
from tests.catalog.test_catalog import events, make_product

from opencentra.catalog import charts, folders, mapped_attributes, media_batches, translations, unit_costs
from opencentra.catalog.models import Display, Media, ProductVariant, SizeChart
from opencentra.catalog.pim_models import (
    Folder,
    MappedAttributeAssignment,
    MediaBatch,
    ProductFolder,
    Translation,
    VariantUnitCost,
)
from opencentra.catalog.sizes import create_measurement_chart, create_size_chart
from opencentra.catalog.variants import ProductChanges, update_product
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.stores.models import Language


async def _count(db: Database, model: Any) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _variant_id(db: Database, product_id: int) -> int:
    async with db.read() as session:
        found = await session.scalar(select(ProductVariant.id).where(ProductVariant.product_id == product_id))
        assert found is not None
        return int(found)


async def test_folders_nest_refuse_cycles_and_file_products(db: Database) -> None:
    top = await folders.create_folder(db, " Shop ")
    child = await folders.create_folder(db, "Shirts", parent_id=top.id)
    grandchild = await folders.create_folder(db, "Long sleeves", parent_id=child.id)
    assert top.name == "Shop" and child.parent_id == top.id

    with pytest.raises(ValidationFailed, match="own subfolder"):
        await folders.update_folder(db, top.id, folders.FolderChanges(move=True, parent_id=grandchild.id))
    with pytest.raises(ValidationFailed, match="own subfolder"):
        await folders.update_folder(db, top.id, folders.FolderChanges(move=True, parent_id=top.id))
    with pytest.raises(NotFound):
        await folders.create_folder(db, "Orphan", parent_id=9999)
    with pytest.raises(ValidationFailed):
        await folders.create_folder(db, "   ")
    moved = await folders.update_folder(db, grandchild.id, folders.FolderChanges(name="Sleeves", move=True))
    assert moved.parent_id is None and moved.name == "Sleeves"
    assert await _count(db, Folder) == 3

    product = await make_product(db)
    await folders.file_product(db, product.id, child.id)
    assert await folders.folder_of(db, product.id) == child.id
    await folders.file_product(db, product.id, top.id)
    assert await folders.folder_of(db, product.id) == top.id and await _count(db, ProductFolder) == 1
    with pytest.raises(NotFound):
        await folders.file_product(db, product.id, 9999)
    assert await folders.folder_of(db, product.id) == top.id
    await folders.file_product(db, product.id, None)
    assert await folders.folder_of(db, product.id) is None
    assert [e.action for e in await events(db, "folder")] == ["created", "created", "created", "updated"]


async def _languages(db: Database) -> tuple[int, int]:
    async with db.write() as session:
        german, swedish = Language(code="de", name="German"), Language(code="sv", name="Swedish")
        session.add_all([german, swedish])
        await session.flush()
        return german.id, swedish.id


async def _display(db: Database, world: World, product_id: int) -> int:
    async with db.write() as session:
        display = Display(store_id=world.store, product_id=product_id, name="Tee", uri="tee")
        session.add(display)
        await session.flush()
        return display.id


async def test_localize_sets_replaces_and_removes_translations(db: Database, world: World) -> None:
    german, swedish = await _languages(db)
    product = await make_product(db)
    display_id = await _display(db, world, product.id)
    await translations.localize(db, "Display", display_id, german, {"name": "Hemd", "uri": "hemd"})
    await translations.localize(db, "Display", display_id, german, [("name", " Das Hemd "), ("description", "Lang")])
    await translations.localize(db, "Display", display_id, swedish, {"name": "Skjorta"})
    assert await translations.translations_of(db, "Display", display_id) == {
        german: {"name": "Das Hemd", "uri": "hemd", "description": "Lang"},
        swedish: {"name": "Skjorta"},
    }
    await translations.localize(db, "Display", display_id, german, {"uri": "", "description": None})
    assert await translations.translations_of(db, "Display", display_id) == {
        german: {"name": "Das Hemd"},
        swedish: {"name": "Skjorta"},
    }
    assert [e.payload["translations"]["language_id"] for e in await events(db, "display")] == [
        german,
        german,
        swedish,
        german,
    ]


@pytest.mark.parametrize(
    ("object_type", "values", "field"),
    [
        ("Display", {"colour": "x"}, "translations"),
        ("Display", {"uri": "Not a uri"}, "translations"),
        ("Display", {"name": "x" * 300}, "translations"),
        ("Display", {}, "translations"),
        ("Order", {"name": "x"}, "objectType"),
    ],
)
async def test_localize_refuses_bad_input_and_stores_nothing(
    db: Database, world: World, object_type: str, values: dict[str, str], field: str
) -> None:
    german, _ = await _languages(db)
    product = await make_product(db)
    display_id = await _display(db, world, product.id)
    with pytest.raises(ValidationFailed) as error:
        await translations.localize(db, object_type, display_id, german, {"name": "Ok", **values} if values else {})
    assert error.value.field == field
    assert await _count(db, Translation) == 0


async def test_localize_checks_object_and_language_and_knows_attribute_fields(db: Database, world: World) -> None:
    german, _ = await _languages(db)
    product = await make_product(db)
    with pytest.raises(NotFound) as missing:
        await translations.localize(db, "Product", 9999, german, {"name": "x"})
    assert missing.value.field == "objectId"
    with pytest.raises(NotFound) as language:
        await translations.localize(db, "Product", product.id, 9999, {"name": "x"})
    assert language.value.field == "language"
    await mapped_attributes.create_mapped_attribute(db, "pr_materials", "Wood")
    async with db.read() as session:
        fields = await translations.translatable_fields(session, "Product")
    assert fields == ["name", "attributes.pr_materials.text"]
    await translations.localize(db, "Product", product.id, german, {"attributes.pr_materials.text": "Holz"})
    assert await translations.translations_of(db, "Product", product.id) == {
        german: {"attributes.pr_materials.text": "Holz"}
    }


async def test_media_batch_adds_every_item_or_none(db: Database) -> None:
    product = await make_product(db)
    variant_id = await _variant_id(db, product.id)
    other = await make_product(db, "P2")
    batch = await media_batches.create_media_batch(
        db,
        "erp",
        [
            media_batches.MediaItemSpec(product.id, "https://img.test/a.jpg", variant_id, '{"a": 1}'),
            media_batches.MediaItemSpec(product.id, " https://img.test/b.jpg "),
        ],
    )
    found, items = await media_batches.find_batch(db, "erp", batch.queue_id)
    assert found.status == "completed" and [i.url for i in items] == [
        "https://img.test/a.jpg",
        "https://img.test/b.jpg",
    ]
    async with db.read() as session:
        media = list(await session.scalars(select(Media).order_by(Media.id)))
    assert [(m.product_id, m.variant_id, m.sort_order) for m in media] == [
        (product.id, variant_id, 0),
        (product.id, None, 1),
    ]
    with pytest.raises(NotFound):
        await media_batches.find_batch(db, "someone-else", batch.queue_id)

    bad_batches = [
        [
            media_batches.MediaItemSpec(product.id, "https://img.test/c.jpg"),
            media_batches.MediaItemSpec(9999, "https://x.test/d.jpg"),
        ],
        [media_batches.MediaItemSpec(other.id, "https://img.test/c.jpg", variant_id)],
        [media_batches.MediaItemSpec(product.id, "javascript:alert(1)")],
        [media_batches.MediaItemSpec(product.id, f"https://img.test/{n}.jpg") for n in range(101)],
        [],
    ]
    for items_ in bad_batches:
        with pytest.raises((NotFound, ValidationFailed)):
            await media_batches.create_media_batch(db, "erp", items_)
    assert await _count(db, Media) == 2 and await _count(db, MediaBatch) == 1


async def test_charts_in_use_are_not_removed(db: Database) -> None:
    product = await make_product(db)
    chart = await create_measurement_chart(db, "Shirts", unit="cm", row_names=["Chest"], column_names=["S"], cells={})
    await update_product(db, product.id, ProductChanges(measurement_chart_id=chart.id))
    with pytest.raises(Conflict):
        await charts.delete_measurement_chart(db, chart.id)
    await update_product(db, product.id, ProductChanges(measurement_chart_id=None))
    await charts.delete_measurement_chart(db, chart.id)
    with pytest.raises(NotFound):
        await charts.delete_measurement_chart(db, chart.id)

    with pytest.raises(Conflict):
        await charts.delete_size_chart(db, product.size_chart_id)
    spare = await create_size_chart(db, "Spare", ["A", "B"])
    await charts.delete_size_chart(db, spare.id)
    assert await _count(db, SizeChart) == 1
    assert [e.action for e in await events(db, "size_chart")][-1] == "deleted"


async def test_unit_cost_set_replace_clear(db: Database, world: World) -> None:
    product = await make_product(db)
    variant_id = await _variant_id(db, product.id)
    await unit_costs.set_unit_cost(db, variant_id, Decimal("41.5"), "sek")
    await unit_costs.set_unit_cost(db, variant_id, Decimal("60"), "SEK")
    async with db.read() as session:
        row = await session.get(VariantUnitCost, variant_id)
        assert row is not None and row.amount_minor == 6000
    for amount, code in ((Decimal("-1"), "SEK"), (Decimal("1.001"), "SEK"), (Decimal("1"), "XXX")):
        with pytest.raises(ValidationFailed):
            await unit_costs.set_unit_cost(db, variant_id, amount, code)
    with pytest.raises(NotFound):
        await unit_costs.set_unit_cost(db, 9999, Decimal("1"), "SEK")
    await unit_costs.set_unit_cost(db, variant_id, None, None)
    assert await _count(db, VariantUnitCost) == 0


async def test_mapped_attributes_are_created_and_picked(db: Database) -> None:
    wood = await mapped_attributes.create_mapped_attribute(db, "pr_materials", "Wood", value="Wood")
    steel = await mapped_attributes.create_mapped_attribute(db, "pr_materials", "Steel")
    with pytest.raises(Conflict):
        await mapped_attributes.create_mapped_attribute(db, "pr_materials", "Wood")
    product = await make_product(db)
    picks = [("pr_materials", wood.id), ("pr_materials", steel.id)]
    await mapped_attributes.assign(db, picks, assign=True, product_id=product.id)
    await mapped_attributes.assign(db, picks[:1], assign=True, product_id=product.id)  # idempotent
    assert await _count(db, MappedAttributeAssignment) == 2
    with pytest.raises(NotFound):
        await mapped_attributes.assign(db, [("pr_colours", wood.id)], assign=True, product_id=product.id)
    with pytest.raises(NotFound):
        await mapped_attributes.assign(db, picks, assign=True, product_id=9999)
    await mapped_attributes.assign(db, picks[1:], assign=False, product_id=product.id)
    assert await _count(db, MappedAttributeAssignment) == 1
