from __future__ import annotations

from dataclasses import dataclass

import pytest

from opencentra.catalog.models import Display, DisplayItem, Product, ProductSize, ProductVariant, Size, SizeChart
from opencentra.customers.models import Customer
from opencentra.db.engine import Database
from opencentra.inventory.models import Stock
from opencentra.stores.models import (
    AllocationRule,
    AllocationRuleWarehouse,
    Currency,
    Market,
    Pricelist,
    Store,
    Warehouse,
)


@dataclass(frozen=True)
class Shop:
    store_id: int
    autoconfirm_store_id: int
    market_id: int
    pricelist_id: int
    currency_id: int
    customer_id: int
    display_item_id: int
    size_ids: tuple[int, int]
    warehouse_id: int


@pytest.fixture
async def shop(db: Database) -> Shop:
    """Two stores (one with Autoconfirm Orders), SEK, a customer and one display item in two sizes,
    with 10 units of each size in the market's one warehouse."""
    async with db.write() as session:
        store = Store(name="Retail")
        autoconfirm = Store(name="Outlet", autoconfirm_orders=True)
        currency = Currency(code="SEK", name="Swedish krona", decimals=2)
        chart = SizeChart(name="Letters")
        warehouse = Warehouse(name="Main")
        rule = AllocationRule(name="Main only")
        session.add_all([store, autoconfirm, currency, chart, warehouse, rule])
        await session.flush()
        session.add(AllocationRuleWarehouse(allocation_rule_id=rule.id, warehouse_id=warehouse.id, priority=1))
        market = Market(store_id=store.id, name="Sweden", allocation_rule_id=rule.id)
        pricelist = Pricelist(store_id=store.id, name="SEK", currency_id=currency.id)
        customer = Customer(store_id=store.id, email="ada@example.com", registered=False)
        small, large = Size(size_chart_id=chart.id, name="S"), Size(size_chart_id=chart.id, name="L")
        product = Product(name="Tee", product_number="TEE", size_chart_id=chart.id)
        session.add_all([market, pricelist, customer, small, large, product])
        await session.flush()
        variant = ProductVariant(product_id=product.id, name="Black", variant_number="BLK")
        display = Display(store_id=store.id, product_id=product.id, name="Tee", uri="tee")
        session.add_all([variant, display])
        await session.flush()
        item = DisplayItem(display_id=display.id, variant_id=variant.id)
        sizes = [ProductSize(variant_id=variant.id, size_id=s.id, sku=s.name) for s in (small, large)]
        session.add_all([item, *sizes])
        await session.flush()
        session.add_all(
            [Stock(warehouse_id=warehouse.id, product_size_id=s.id, physical=10, allocated=0) for s in sizes]
        )
        await session.flush()
        return Shop(
            store_id=store.id,
            autoconfirm_store_id=autoconfirm.id,
            market_id=market.id,
            pricelist_id=pricelist.id,
            currency_id=currency.id,
            customer_id=customer.id,
            display_item_id=item.id,
            size_ids=(sizes[0].id, sizes[1].id),
            warehouse_id=warehouse.id,
        )
