"""Items: one size of one display item, addressed as ``"<display item>-<size>"``.

The API ``item`` id joins ``display_items.id`` and ``product_sizes.id``; this
module parses it and resolves it to what a selection line needs, checking that
the item is on sale in the shopper's market.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.models import (
    Brand,
    Display,
    DisplayItem,
    DisplayMarket,
    Product,
    ProductSize,
    ProductStatus,
    ProductVariant,
    Size,
)
from opencentra.errors import NotFound, ValidationFailed
from opencentra.integers import MAX_INT64, parse_int

# Both databases store ids as signed 64-bit integers.
MAX_ID = MAX_INT64


@dataclass(frozen=True)
class LoadedItem:
    """Everything about an item that pricing, stock and selection lines need."""

    item: str
    display_item_id: int
    product_size_id: int
    display_id: int
    store_id: int
    display_name: str
    display_uri: str
    product_id: int
    product_name: str
    product_number: str
    brand_id: int | None
    brand_name: str | None
    tax_group_id: int | None
    variant_id: int
    variant_name: str
    variant_number: str
    size_id: int
    size_name: str
    ean: str | None
    size_sku: str
    item_quantity_minimum: int
    item_quantity_multiple_of: int

    @property
    def sku(self) -> str:
        """Centra's full SKU: product, variant and size parts concatenated."""
        return f"{self.product_number}{self.variant_number}{self.size_sku}"


def format_item_id(display_item_id: int, product_size_id: int) -> str:
    return f"{display_item_id}-{product_size_id}"


def parse_item_id(item: str) -> tuple[int, int]:
    """``"123-45"`` -> ``(123, 45)``: (display item id, product size id).

    Both parts are read by ``opencentra.integers.parse_int`` (ASCII digits, no
    signs or leading zeros, so each item has exactly one spelling, within a
    64-bit integer). Raises ``ValidationFailed(field="item")`` for anything
    else, including zero.
    """
    display, dash, size = item.partition("-")
    display_item_id = parse_int(display) if dash else None
    product_size_id = parse_int(size) if dash else None
    if not display_item_id or not product_size_id:
        raise ValidationFailed(f"{item[:50]!r} is not an item id like '123-45'", field="item")
    return display_item_id, product_size_id


async def load_items(session: AsyncSession, items: Iterable[str], market_id: int) -> dict[str, LoadedItem]:
    """The given items that are on sale in ``market_id``, keyed by item id.

    Malformed ids raise ``ValidationFailed``; unknown, inactive or
    not-in-market items are simply absent. One query for any number of items.
    """
    wanted = {item: parse_item_id(item) for item in items}
    if not wanted:
        return {}
    display_item_ids = sorted({pair[0] for pair in wanted.values()})
    size_ids = sorted({pair[1] for pair in wanted.values()})
    query = (
        select(
            DisplayItem.id,
            ProductSize.id,
            Display.id,
            Display.store_id,
            Display.name,
            Display.uri,
            Product.id,
            Product.name,
            Product.product_number,
            Product.brand_id,
            Brand.name,
            Product.tax_group_id,
            ProductVariant.id,
            ProductVariant.name,
            ProductVariant.variant_number,
            Size.id,
            Size.name,
            ProductSize.ean,
            ProductSize.sku,
            Product.item_quantity_minimum,
            Product.item_quantity_multiple_of,
        )
        .select_from(DisplayItem)
        .join(Display, Display.id == DisplayItem.display_id)
        .join(DisplayMarket, (DisplayMarket.display_id == Display.id) & (DisplayMarket.market_id == market_id))
        .join(ProductVariant, ProductVariant.id == DisplayItem.variant_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .join(ProductSize, ProductSize.variant_id == ProductVariant.id)
        .join(Size, Size.id == ProductSize.size_id)
        .outerjoin(Brand, Brand.id == Product.brand_id)
        .where(
            DisplayItem.id.in_(display_item_ids),
            ProductSize.id.in_(size_ids),
            Display.active.is_(True),
            ProductVariant.active.is_(True),
            Product.status == ProductStatus.ACTIVE.value,
        )
    )
    found: dict[tuple[int, int], LoadedItem] = {}
    for row in await session.execute(query):
        key = (row[0], row[1])
        found[key] = LoadedItem(
            item=format_item_id(*key),
            display_item_id=row[0],
            product_size_id=row[1],
            display_id=row[2],
            store_id=row[3],
            display_name=row[4],
            display_uri=row[5],
            product_id=row[6],
            product_name=row[7],
            product_number=row[8],
            brand_id=row[9],
            brand_name=row[10],
            tax_group_id=row[11],
            variant_id=row[12],
            variant_name=row[13],
            variant_number=row[14],
            size_id=row[15],
            size_name=row[16],
            ean=row[17],
            size_sku=row[18],
            item_quantity_minimum=row[19],
            item_quantity_multiple_of=row[20],
        )
    return {item: found[pair] for item, pair in wanted.items() if pair in found}


async def load_item(session: AsyncSession, item: str, market_id: int) -> LoadedItem:
    """One item on sale in ``market_id``; ``NotFound(field="item")`` otherwise."""
    loaded = (await load_items(session, [item], market_id)).get(item)
    if loaded is None:
        raise NotFound("product item not found", field="item")
    return loaded
