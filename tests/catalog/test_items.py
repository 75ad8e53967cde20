"""Item ids and what an item is in a market."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Update, update

from opencentra.catalog.displays import DisplaySpec, create_display
from opencentra.catalog.items import MAX_ID, format_item_id, load_item, load_items, parse_item_id
from opencentra.catalog.models import Display, Product, ProductVariant
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec, create_product
from opencentra.catalog.sizes import create_size_chart
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed


def test_parse_item_id() -> None:
    assert parse_item_id("123-45") == (123, 45)
    assert parse_item_id(f"{MAX_ID}-1") == (MAX_ID, 1)
    assert format_item_id(123, 45) == "123-45"


@pytest.mark.parametrize(
    "item",
    [
        "",
        "123",
        "123-",
        "-45",
        "123--45",
        "-123-45",
        "123-45-6",
        "123-+45",
        "+123-45",
        "0-45",
        "123-0",
        "0123-45",
        " 123-45",
        "123-45 ",
        "123-45\n",
        "12 3-45",
        "abc-def",
        "1.5-2",
        "1e3-2",
        "123_45",
        "١٢٣-٤٥",  # Arabic-Indic digits: int() accepts them, ids must not
        "１２３-４５",  # full-width digits
        f"{MAX_ID + 1}-1",
        f"1-{MAX_ID + 1}",
        "9" * 20 + "-1",
        "1-" + "9" * 5000,
        "9" * 100_000,
    ],
)
def test_parse_item_id_rejects(item: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        parse_item_id(item)
    assert error.value.field == "item"


async def _catalog(db: Database, world: Any) -> tuple[Product, Display]:
    chart = await create_size_chart(db, "Letters", ["S", "M"])
    product = await create_product(
        db,
        ProductSpec(
            "Jacket",
            "JKT",
            chart.id,
            [
                VariantSpec("Black", "BLK", [SizeSpec(s.id, sku=s.name) for s in chart.sizes]),
                VariantSpec("Green", "GRN", [SizeSpec(chart.sizes[0].id)]),
            ],
        ),
    )
    display = await create_display(
        db,
        DisplaySpec(
            world.store, product.id, "Jacket", [product.variants[0].id, product.variants[1].id], [world.market_se]
        ),
    )
    return product, display


async def test_load_item_in_its_market(db: Database, world: Any) -> None:
    product, display = await _catalog(db, world)
    black = display.items[0]
    size_m = product.variants[0].sizes[1]
    item = format_item_id(black.id, size_m.id)
    async with db.read() as session:
        loaded = await load_item(session, item, world.market_se)
    assert loaded.item == item
    assert (loaded.display_item_id, loaded.product_size_id) == (black.id, size_m.id)
    assert (loaded.product_id, loaded.variant_id, loaded.display_id) == (product.id, product.variants[0].id, display.id)
    assert (loaded.size_name, loaded.variant_name, loaded.product_name) == ("M", "Black", "Jacket")
    assert loaded.store_id == world.store
    assert loaded.sku == "JKTBLKM"

    async with db.read() as session:
        with pytest.raises(NotFound) as elsewhere:
            await load_item(session, item, world.market_us)
        assert elsewhere.value.field == "item"
        # A size of another variant does not belong to this display item.
        green_size = product.variants[1].sizes[0]
        with pytest.raises(NotFound):
            await load_item(session, format_item_id(black.id, green_size.id), world.market_se)
        with pytest.raises(NotFound):
            await load_item(session, "999-999", world.market_se)
        with pytest.raises(ValidationFailed):
            await load_item(session, "not-an-item", world.market_se)

    black, green = display.items
    wanted = [
        format_item_id(black.id, product.variants[0].sizes[0].id),
        format_item_id(green.id, product.variants[1].sizes[0].id),
        format_item_id(green.id, product.variants[0].sizes[0].id),
    ]
    async with db.read() as session:
        batch = await load_items(session, wanted, world.market_se)
    assert sorted(batch) == sorted(wanted[:2])
    assert batch[wanted[1]].variant_name == "Green"


async def test_inactive_items_are_not_found(db: Database, world: Any) -> None:
    product, display = await _catalog(db, world)
    item = format_item_id(display.items[0].id, product.variants[0].sizes[0].id)
    switches: list[tuple[Update, dict[str, Any], dict[str, Any]]] = [
        (update(Display).where(Display.id == display.id), {"active": False}, {"active": True}),
        (update(Product).where(Product.id == product.id), {"status": "inactive"}, {"status": "active"}),
        (
            update(ProductVariant).where(ProductVariant.id == product.variants[0].id),
            {"active": False},
            {"active": True},
        ),
    ]
    for statement, off, on in switches:
        async with db.write() as session:
            await session.execute(statement.values(**off))
        async with db.read() as session:
            with pytest.raises(NotFound):
                await load_item(session, item, world.market_se)
        async with db.write() as session:
            await session.execute(statement.values(**on))
        async with db.read() as session:
            assert (await load_item(session, item, world.market_se)).item == item
