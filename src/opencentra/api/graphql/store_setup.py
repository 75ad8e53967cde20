"""Changing store setup: ``updateMarket``, ``updatePricelist``, ``deletePricelist``, ``updateWarehouse``.

The rules (unique names, one market or pricelist per country, a pricelist in
use stays) live in ``opencentra.stores.changes``; this module maps Centra's
inputs onto it and its errors onto ``userErrors``.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import stores
from opencentra.api.graphql.catalog_mutations import (
    CountryRef,
    MarketPayload,
    PricelistPayload,
    WarehouseLocationInput,
    WarehousePayload,
    setup_country_codes,
    setup_error,
    warehouse_settings,
)
from opencentra.api.graphql.common import Status, UserError, UserWarning
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import Require
from opencentra.api.graphql.stock import IdRef
from opencentra.api.graphql.stores import Market, Pricelist, StockMasterPolicy, Warehouse
from opencentra.api.graphql.warehouse_fields import AllocationPolicy, StockOwnershipPolicy
from opencentra.errors import DomainError

# --- updateMarket ----------------------------------------------------------------------------


@strawberry.input
class MarketUpdateInput:
    name: str | None = None
    comment: str | None = None
    status: Status | None = None
    add_countries: list[CountryRef] | None = None
    remove_countries: list[CountryRef] | None = None


async def update_market(info: Info[Any, Any], id: int, input: MarketUpdateInput) -> MarketPayload:
    context: GraphQLContext = info.context
    try:
        row = await stores.update_market(
            context.db,
            id,
            name=input.name,
            comment=input.comment,
            active=None if input.status is None else input.status == Status.ACTIVE,
            add_countries=await setup_country_codes(context, input.add_countries, "addCountries"),
            remove_countries=await setup_country_codes(context, input.remove_countries, "removeCountries"),
            store_id=context.store_id,
        )
    except DomainError as error:
        return MarketPayload(market=None, user_errors=[setup_error(error)], user_warnings=[])
    await context.after_write()
    return MarketPayload(market=Market.of(row), user_errors=[], user_warnings=[])


# --- updatePricelist / deletePricelist ----------------------------------------------------------


@strawberry.input
class PricelistUpdateInput:
    name: str | None = None
    status: Status | None = None
    add_countries: list[CountryRef] | None = None
    remove_countries: list[CountryRef] | None = None
    default_shipping_option: IdRef | None = strawberry.field(
        default=strawberry.UNSET, description="null clears it; left out keeps it."
    )


async def update_pricelist(info: Info[Any, Any], id: int, input: PricelistUpdateInput) -> PricelistPayload:
    context: GraphQLContext = info.context
    shipping: stores.DefaultShipping | None = None
    if input.default_shipping_option is not strawberry.UNSET:
        ref = input.default_shipping_option
        shipping = stores.DefaultShipping(ref.id if ref is not None else None)
    try:
        row = await stores.update_pricelist(
            context.db,
            id,
            name=input.name,
            active=None if input.status is None else input.status == Status.ACTIVE,
            add_countries=await setup_country_codes(context, input.add_countries, "addCountries"),
            remove_countries=await setup_country_codes(context, input.remove_countries, "removeCountries"),
            default_shipping=shipping,
            store_id=context.store_id,
        )
    except DomainError as error:
        return PricelistPayload(pricelist=None, user_errors=[setup_error(error)], user_warnings=[])
    await context.after_write()
    return PricelistPayload(pricelist=Pricelist.of(row), user_errors=[], user_warnings=[])


@strawberry.type
class DeletePricelistPayload:
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def delete_pricelist(info: Info[Any, Any], id: int) -> DeletePricelistPayload:
    """Refused with a userError while the pricelist is a store default or orders,
    selections or wholesale accounts use it."""
    context: GraphQLContext = info.context
    try:
        await stores.delete_pricelist(context.db, id, store_id=context.store_id)
    except DomainError as error:
        return DeletePricelistPayload(user_errors=[setup_error(error)], user_warnings=[])
    await context.after_write()
    return DeletePricelistPayload(user_errors=[], user_warnings=[])


# --- updateWarehouse ---------------------------------------------------------------------------


@strawberry.input
class WarehouseUpdateInput:
    name: str | None = None
    stock_master_policy: StockMasterPolicy | None = None
    hide_from_stock_view: bool | None = None
    threshold: int | None = None
    stock_ownership_policy: StockOwnershipPolicy | None = None
    allocation_policy: AllocationPolicy | None = None
    warehouse_location: WarehouseLocationInput | None = strawberry.field(
        default=None, description="Replaces the whole location."
    )


async def update_warehouse(info: Info[Any, Any], id: int, input: WarehouseUpdateInput) -> WarehousePayload:
    context: GraphQLContext = info.context
    master = None
    if input.stock_master_policy is not None:
        master = (
            stores.StockMaster.EXTERNAL
            if input.stock_master_policy == StockMasterPolicy.EXTERNAL
            else stores.StockMaster.INTERNAL
        )
    try:
        row = await stores.update_warehouse(
            context.db,
            id,
            name=input.name,
            stock_master=master,
            threshold=input.threshold,
            hidden_from_stock_view=input.hide_from_stock_view,
            **await warehouse_settings(
                context, input.stock_ownership_policy, input.allocation_policy, input.warehouse_location
            ),
        )
    except DomainError as error:
        return WarehousePayload(warehouse=None, user_errors=[setup_error(error)], user_warnings=[])
    await context.after_write()
    return WarehousePayload(warehouse=Warehouse.of(row), user_errors=[], user_warnings=[])


def _mutation(resolver: Any, permission: str) -> Any:
    return strawberry.field(resolver=resolver, extensions=[Require(permission)])


@strawberry.type
class StoreSetupMutation:
    update_market: MarketPayload = _mutation(update_market, "Market:write")
    update_pricelist: PricelistPayload = _mutation(update_pricelist, "Pricelist:write")
    delete_pricelist: DeletePricelistPayload = _mutation(delete_pricelist, "Pricelist:write")
    update_warehouse: WarehousePayload = _mutation(update_warehouse, "Warehouse:write")
