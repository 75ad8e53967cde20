"""``OrderLineAllocation.stockChangeLine``: the stock change that took an allocation's units.

OpenCentra's stock changes are ``stock`` events (see ``api/graphql/stock.py``);
an allocation stores the id of the one that last added to it
(``inventory.stock_changes``). Allocations made before that was recorded, or
whose event was pruned, have none: the field is null then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.types import Info

from opencentra.api.graphql.permissions import check

if TYPE_CHECKING:
    from opencentra.api.graphql.stock import StockChangeLine

STOCK_CHANGE_READ = "StockChange:read"


async def allocation_stock_change_line(info: Info[Any, Any], stock_change_id: int | None) -> StockChangeLine | None:
    from opencentra.api.graphql.stock import stock_change_line

    check(info, STOCK_CHANGE_READ)
    if stock_change_id is None:
        return None
    return await stock_change_line(info, stock_change_id)
