"""Inventory: stock per size and warehouse, taking it for orders, counting it in, and its history.

Every API that writes stock calls the same use cases:

- ``set_stock(db, warehouse_id, {product_size_id: value}, target=StockTarget.PHYSICAL | AVAILABLE)``
  sets absolute stock (a stock take, a WMS or POS push); ``set_stock_by_keys``
  does the same for stock items named by EAN or full SKU.
- ``change_stock(db, [(product_size_id, quantity)], into_warehouse_id=..., out_from_warehouse_id=...)``
  counts stock in, out, or moves it between two warehouses.

Both return a ``StockUpdate``: the levels written and the ``StockChange``
read views of what they recorded, so a caller needs no second read.
``stock_change_page`` and ``stock_changes`` read the stock changes back;
``stock_of_sizes`` reads the stock of many sizes at once.
"""

from opencentra.inventory.market_stock import MarketStock, stock_by_market
from opencentra.inventory.product_sheets import ProductSheet, product_page
from opencentra.inventory.services import (
    MAX_STOCK_BATCH,
    Allocation,
    KeyedStockUpdate,
    StockLevel,
    StockTarget,
    StockUpdate,
    adjust_physical,
    available_for_market,
    change_stock,
    set_physical,
    set_stock,
    set_stock_by_keys,
    stock_levels,
    stock_of_sizes,
)
from opencentra.inventory.stock_changes import (
    EVENT_OBJECT_TYPE,
    StockChange,
    StockChangePage,
    stock_change_page,
    stock_changes,
)
from opencentra.inventory.stock_items import (
    StockItem,
    StockItemFilter,
    VariantSize,
    stock_page,
    totals_for,
    variant_sizes,
)

__all__ = [
    "EVENT_OBJECT_TYPE",
    "MAX_STOCK_BATCH",
    "Allocation",
    "KeyedStockUpdate",
    "MarketStock",
    "ProductSheet",
    "StockChange",
    "StockChangePage",
    "StockItem",
    "StockItemFilter",
    "StockLevel",
    "StockTarget",
    "StockUpdate",
    "VariantSize",
    "adjust_physical",
    "available_for_market",
    "change_stock",
    "product_page",
    "set_physical",
    "set_stock",
    "set_stock_by_keys",
    "stock_by_market",
    "stock_change_page",
    "stock_changes",
    "stock_levels",
    "stock_of_sizes",
    "stock_page",
    "totals_for",
    "variant_sizes",
]
