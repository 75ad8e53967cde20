"""Warehouse fields beyond name and stock master: ownership, allocation policy, location.

``WarehouseExtras`` is mixed into ``stores.Warehouse`` (which holds ``id``
and the warehouse's ownership and allocation policy); the location fields
load it through the request's loaders, so a list of warehouses costs one
query per relation.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from opencentra import stores
from opencentra.api.graphql.permissions import check
from opencentra.stores import warehouse_settings as settings

if TYPE_CHECKING:
    from opencentra.api.graphql.stores import Country, CountryState


@strawberry.enum
class StockOwnershipPolicy(enum.Enum):
    OWN = "OWN"
    THIRD_PARTY = "THIRD_PARTY"


@strawberry.enum
class AllocationPolicy(enum.Enum):
    CHECK_FIRST = "CHECK_FIRST"
    ALWAYS_ALLOCATE = "ALWAYS_ALLOCATE"


OWNERSHIP = {
    StockOwnershipPolicy.OWN: settings.StockOwnership.OWN,
    StockOwnershipPolicy.THIRD_PARTY: settings.StockOwnership.THIRD_PARTY,
}
POLICY = {
    AllocationPolicy.CHECK_FIRST: settings.AllocationPolicy.CHECK_FIRST,
    AllocationPolicy.ALWAYS_ALLOCATE: settings.AllocationPolicy.ALWAYS_ALLOCATE,
}


@strawberry.type
class BrickAndMortar:
    id: int
    name: str


async def _location(info: Info[Any, Any], warehouse_id: int) -> stores.WarehouseLocationView | None:
    loader = info.context.loaders.keyed("warehouse_locations", stores.warehouse_locations)
    found: stores.WarehouseLocationView | None = await loader.load(warehouse_id)
    return found


@strawberry.type
class WarehouseExtras:
    """Mixin for ``Warehouse`` (which holds ``id``, ``_stock_ownership`` and ``_allocation_policy``)."""

    @strawberry.field
    def stock_ownership(self) -> StockOwnershipPolicy:
        value = str(self._stock_ownership)  # type: ignore[attr-defined]
        return next(k for k, v in OWNERSHIP.items() if v.value == value)

    @strawberry.field
    def allocation_policy(self) -> AllocationPolicy:
        value = str(self._allocation_policy)  # type: ignore[attr-defined]
        return next(k for k, v in POLICY.items() if v.value == value)

    @strawberry.field(description="OpenCentra keeps no consignment stock: always false.")  # type: ignore[untyped-decorator]
    def is_consignation(self) -> bool:
        return False

    @strawberry.field(description="OpenCentra has no brick-and-mortar stores: always null (needs BrickAndMortar:read).")  # type: ignore[untyped-decorator]
    def brick_and_mortar(self, info: Info[Any, Any]) -> BrickAndMortar | None:
        check(info, "BrickAndMortar:read")
        return None

    @strawberry.field
    async def country(
        self, info: Info[Any, Any]
    ) -> Annotated[Country, strawberry.lazy("opencentra.api.graphql.stores")] | None:
        from opencentra.api.graphql.stores import Country

        location = await _location(info, int(self.id))  # type: ignore[attr-defined]
        if location is None or location.country_id is None:
            return None
        row = await info.context.loaders.keyed("countries", stores.countries_by_id).load(location.country_id)
        return Country.of(row) if row is not None else None

    @strawberry.field
    async def state(
        self, info: Info[Any, Any]
    ) -> Annotated[CountryState, strawberry.lazy("opencentra.api.graphql.stores")] | None:
        from opencentra.api.graphql.stores import CountryState

        location = await _location(info, int(self.id))  # type: ignore[attr-defined]
        if location is None or location.state_id is None:
            return None
        row = await info.context.loaders.keyed("country_states", stores.country_states_by_id).load(location.state_id)
        return CountryState(id=row.id, code=row.code, name=row.name) if row is not None else None

    @strawberry.field
    async def zip_code(self, info: Info[Any, Any]) -> str | None:
        location = await _location(info, int(self.id))  # type: ignore[attr-defined]
        return location.zip_code if location is not None else None
