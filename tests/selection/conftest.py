from __future__ import annotations

from dataclasses import dataclass

import pytest

from opencentra.catalog.models import Display, DisplayItem, Product, ProductSize, ProductVariant, Size, SizeChart
from opencentra.db.engine import Database
from opencentra.stores.models import Currency, Market, Pricelist, Store


@dataclass(frozen=True)
class Shop:
    store_id: int
    market_id: int
    pricelist_id: int
    display_item_id: int
    size_ids: tuple[int, int]


@pytest.fixture
async def shop(db: Database) -> Shop:
    """A store with a market, a pricelist and one display item in two sizes."""
    async with db.write() as session:
        store = Store(name="Retail")
        currency = Currency(code="SEK", name="Swedish krona")
        chart = SizeChart(name="Letters")
        session.add_all([store, currency, chart])
        await session.flush()
        market = Market(store_id=store.id, name="Sweden")
        pricelist = Pricelist(store_id=store.id, name="SEK", currency_id=currency.id)
        small, large = Size(size_chart_id=chart.id, name="S"), Size(size_chart_id=chart.id, name="L")
        product = Product(name="Tee", product_number="TEE", size_chart_id=chart.id)
        session.add_all([market, pricelist, small, large, product])
        await session.flush()
        variant = ProductVariant(product_id=product.id, name="Black", variant_number="BLK")
        display = Display(store_id=store.id, product_id=product.id, name="Tee", uri="tee")
        session.add_all([variant, display])
        await session.flush()
        item = DisplayItem(display_id=display.id, variant_id=variant.id)
        sizes = [ProductSize(variant_id=variant.id, size_id=s.id, sku=s.name) for s in (small, large)]
        session.add_all([item, *sizes])
        await session.flush()
        return Shop(store.id, market.id, pricelist.id, item.id, (sizes[0].id, sizes[1].id))
