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
from opencentra.events.models import Event
from opencentra.inventory.services import EVENT_OBJECT_TYPE

if TYPE_CHECKING:
    from opencentra.api.graphql.stock import StockChangeLine

STOCK_CHANGE_READ = "StockChange:read"


async def allocation_stock_change_line(info: Info[Any, Any], stock_change_id: int | None) -> StockChangeLine | None:
    from opencentra.api.graphql.stock import _stock_change

    check(info, STOCK_CHANGE_READ)
    if stock_change_id is None:
        return None
    row = await info.context.loaders.one(Event).load(stock_change_id)
    if row is None or row.object_type != EVENT_OBJECT_TYPE:
        return None
    return _stock_change(row).lines[0]
