"""A page of products costs the same number of SQL statements for 4 products or 40."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from tests.api.shop.conftest import ShopApiWorld, ShopClient
from tests.conftest import ApiHarness

from opencentra.catalog import displays, products, sizes
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec
from opencentra.db.engine import Database
from opencentra.inventory import services as inventory
from opencentra.pricing import prices


@contextmanager
def counted_statements(api: ApiHarness) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = api.db.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def add_products(db: Database, world: ShopApiWorld, count: int) -> None:
    """``count`` more two-size products in every market, priced everywhere, in stock, in "tops"."""
    ids = world.ids
    async with db.atomic() as tx:
        chart = await sizes.create_size_chart(tx, "Extra sizes", ("One", "Two"))
        for n in range(count):
            product = await products.create_product(
                tx,
                ProductSpec(
                    name=f"Extra {n}",
                    product_number=f"EXTRA{n}",
                    size_chart_id=chart.id,
                    brand_id=ids.brand,
                    variants=[
                        VariantSpec(
                            name="Red", variant_number="-RED", sizes=[SizeSpec(size_id=s.id) for s in chart.sizes]
                        )
                    ],
                ),
            )
            await displays.create_display(
                tx,
                displays.DisplaySpec(
                    store_id=ids.store,
                    product_id=product.id,
                    name=f"Extra {n}",
                    variant_ids=[v.id for v in product.variants],
                    market_ids=list(ids.markets.values()),
                    category_ids=[ids.categories["tops"]],
                ),
            )
            for pricelist in ids.pricelists.values():
                await prices.set_prices(
                    tx, pricelist, [prices.PriceSpec(variant_id=v.id, price=Decimal(10)) for v in product.variants]
                )
            for product_size in product.variants[0].sizes:
                await inventory.set_physical(tx, ids.warehouse, product_size.id, 5)


def test_a_page_of_products_costs_the_same_statements_for_few_or_many(
    api: ApiHarness, shop_api: ShopClient, shop_world: ShopApiWorld
) -> None:
    with counted_statements(api) as few:
        small = shop_api.post("/products/filter", {"quantity": 100}).json()
    with counted_statements(api) as whole_few:
        shop_api.get("/products").json()
    api.call(add_products, shop_world, 36)
    with counted_statements(api) as many:
        large = shop_api.post("/products/filter", {"quantity": 100}).json()
    with counted_statements(api) as whole_many:
        shop_api.get("/products").json()
    assert len(small) == 4 and len(large) == 40
    assert len(many) == len(few), (len(few), len(many))
    assert len(whole_many) == len(whole_few)
    # Bounded by the store's size, not the page's: 1 plugin, ~12 store reference data, 9 catalogue,
    # 3 prices + 1 per pricelist, 2-3 stock per market; 3 markets and 3 pricelists here.
    assert len(many) <= 1 + 12 + 9 + 3 + 3 + 3 * 3, len(many)
