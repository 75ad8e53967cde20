"""Warehouse settings on the wire: ownership, allocation policy, brick-and-mortar, location.

``stores.Warehouse`` shows these fields; the enums map onto the stores
domain's ``warehouse_settings``, and the location loads through the
request's loaders, so a list of warehouses costs one query per relation.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import stores


@strawberry.enum
class StockOwnershipPolicy(enum.Enum):
    OWN = "OWN"
    THIRD_PARTY = "THIRD_PARTY"


@strawberry.enum
class AllocationPolicy(enum.Enum):
    CHECK_FIRST = "CHECK_FIRST"
    ALWAYS_ALLOCATE = "ALWAYS_ALLOCATE"


OWNERSHIP = {
    StockOwnershipPolicy.OWN: stores.StockOwnership.OWN,
    StockOwnershipPolicy.THIRD_PARTY: stores.StockOwnership.THIRD_PARTY,
}
POLICY = {
    AllocationPolicy.CHECK_FIRST: stores.AllocationPolicy.CHECK_FIRST,
    AllocationPolicy.ALWAYS_ALLOCATE: stores.AllocationPolicy.ALWAYS_ALLOCATE,
}


@strawberry.type
class BrickAndMortar:
    id: int
    name: str


async def warehouse_location(info: Info[Any, Any], warehouse_id: int) -> stores.WarehouseLocationView | None:
    loader = info.context.loaders.keyed("warehouse_locations", stores.warehouse_locations)
    found: stores.WarehouseLocationView | None = await loader.load(warehouse_id)
    return found
