"""The schema: every root field with the permission it needs, and the request guards.

Root fields are listed here, each with its ``Require`` permission, so one
file shows what the API offers and what each part costs a token. The
resolvers live with their types. ``build_schema`` puts the guards in order:
``guards.py`` bounds the document, ``limits.py`` charges the rate limits.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import FieldExtension, MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from opencentra.api.graphql import attribute_mutations as attribute_api
from opencentra.api.graphql import catalog as catalog_api
from opencentra.api.graphql import customers as customer_api
from opencentra.api.graphql import events as event_api
from opencentra.api.graphql import idconversions as id_api
from opencentra.api.graphql import invoices as invoice_api
from opencentra.api.graphql import order_fields, order_mutations
from opencentra.api.graphql import orders as order_api
from opencentra.api.graphql import pim_mutations as pim
from opencentra.api.graphql import promotions as promotion_api
from opencentra.api.graphql import ratelimits as meter_api
from opencentra.api.graphql import stock as stock_api
from opencentra.api.graphql import stores as store_api
from opencentra.api.graphql import wholesale as wholesale_api
from opencentra.api.graphql import wholesale_terms as wholesale_terms_api
from opencentra.api.graphql.attributes import ELEMENT_TYPES, MappedAttributeQuery
from opencentra.api.graphql.bundles import BundleMutation, BundleQuery
from opencentra.api.graphql.catalog_mutations import CatalogMutation
from opencentra.api.graphql.chart_mutations import ChartMutation
from opencentra.api.graphql.common import SCALARS, Currency
from opencentra.api.graphql.external_refs import resolve_external_ids_in
from opencentra.api.graphql.folders import FolderMutation, FolderQuery
from opencentra.api.graphql.guards import MAX_TOKENS, DocumentGuard
from opencentra.api.graphql.limits import RateLimitExtension
from opencentra.api.graphql.localize import LocalizeMutation
from opencentra.api.graphql.media import MediaBatchMutation, MediaBatchQuery
from opencentra.api.graphql.order_edit_fields import OrderEditMutation
from opencentra.api.graphql.permissions import Require
from opencentra.api.graphql.price_alterations import PriceAlterationMutation, PriceAlterationQuery
from opencentra.api.graphql.store_setup import StoreSetupMutation
from opencentra.api.graphql.subscription_contracts_fields import SubscriptionContractMutation, SubscriptionContractQuery
from opencentra.api.graphql.wholesale_fields import WholesaleMutation, WholesaleQuery
from opencentra.errors import DomainError


def root(resolver: Any, permission: str | None, description: str | None = None) -> Any:
    """A root field; ``permission=None`` is open to every valid token (``rateLimits``)."""
    extensions: list[FieldExtension] = [Require(permission)] if permission else []
    return strawberry.field(resolver=resolver, extensions=extensions, description=description)


@strawberry.type
class Query(
    FolderQuery,
    MediaBatchQuery,
    MappedAttributeQuery,
    WholesaleQuery,
    PriceAlterationQuery,
    BundleQuery,
    SubscriptionContractQuery,
):
    orders: list[order_api.Order] = root(order_api.resolve_orders, "Order:read")
    order: order_api.Order | None = root(order_api.resolve_order, "Order:read", "An order by its 32-character id.")
    order_connection: order_api.OrderConnection = root(order_api.resolve_order_connection, "Order:read")
    shipments: list[order_api.Shipment] = root(order_api.resolve_shipments, "Shipment:read")
    shipment: order_api.Shipment | None = root(order_api.resolve_shipment, "Shipment:read")
    returns: list[order_api.Return] = root(order_api.resolve_returns, "Return:read")

    products: list[catalog_api.Product] = root(catalog_api.resolve_products, "Product:read")
    product: catalog_api.Product | None = root(catalog_api.resolve_product, "Product:read")
    product_variants: list[catalog_api.ProductVariant] = root(
        catalog_api.resolve_product_variants, "ProductVariant:read"
    )
    product_variant: catalog_api.ProductVariant | None = root(
        catalog_api.resolve_product_variant, "ProductVariant:read"
    )
    product_sizes: list[catalog_api.ProductSize] = root(catalog_api.resolve_product_sizes, "ProductSize:read")
    displays: list[catalog_api.Display] = root(catalog_api.resolve_displays, "Display:read")
    display: catalog_api.Display | None = root(catalog_api.resolve_display, "Display:read")
    display_connection: catalog_api.DisplayConnection = root(catalog_api.resolve_display_connection, "Display:read")
    brands: list[catalog_api.Brand] = root(catalog_api.resolve_brands, "Brand:read")
    collections: list[catalog_api.Collection] = root(catalog_api.resolve_collections, "Collection:read")
    size_charts: list[catalog_api.SizeChart] = root(catalog_api.resolve_size_charts, "SizeChart:read")
    categories: list[catalog_api.Category] = root(catalog_api.resolve_categories, "Category:read")

    stores: list[store_api.Store] = root(store_api.resolve_stores, "Store:read")
    markets: list[store_api.Market] = root(store_api.resolve_markets, "Market:read")
    market: store_api.Market | None = root(store_api.resolve_market, "Market:read")
    pricelists: list[store_api.Pricelist] = root(store_api.resolve_pricelists, "Pricelist:read")
    pricelist: store_api.Pricelist | None = root(store_api.resolve_pricelist, "Pricelist:read")
    warehouses: list[store_api.Warehouse] = root(store_api.resolve_warehouses, "Warehouse:read")
    warehouse: store_api.Warehouse | None = root(store_api.resolve_warehouse, "Warehouse:read")
    allocation_rules: list[store_api.AllocationRule] = root(store_api.resolve_allocation_rules, "AllocationRule:read")
    countries: list[store_api.Country] = root(store_api.resolve_countries, "Country:read")
    currencies: list[Currency] = root(store_api.resolve_currencies, "Currency:read")
    languages: list[store_api.Language] = root(store_api.resolve_languages, "Language:read")
    stock_change_connection: stock_api.StockChangeConnection = root(
        stock_api.resolve_stock_change_connection, "StockChange:read"
    )
    warehouse_delivery_connection: stock_api.StockChangeConnection = strawberry.field(
        resolver=stock_api.resolve_warehouse_delivery_connection,
        extensions=[Require("StockChange:read")],
        deprecation_reason="Renamed by Centra: use stockChangeConnection.",
    )

    vouchers: list[promotion_api.Voucher] = root(promotion_api.resolve_vouchers, "Voucher:read")
    voucher: promotion_api.Voucher | None = root(promotion_api.resolve_voucher, "Voucher:read")
    campaigns: list[promotion_api.Campaign] = root(promotion_api.resolve_campaigns, "Campaign:read")
    campaign: promotion_api.Campaign | None = root(promotion_api.resolve_campaign, "Campaign:read")

    customers: list[customer_api.Customer] = root(customer_api.resolve_customers, "Customer:read")
    customer: customer_api.Customer | None = root(customer_api.resolve_customer, "Customer:read")

    events: list[event_api.Event] = root(event_api.resolve_events, "Event:read")
    event_listeners: list[event_api.EventListener] = root(event_api.resolve_event_listeners, "Event:read")

    id_conversions: list[id_api.IdConversionEntry] = root(
        id_api.resolve_id_conversions, None, "This integration's ID conversion entries; needs a valid token only."
    )
    counters: meter_api.Counters = root(
        meter_api.resolve_counters, None, "Totals for pagination; each needs the permission of what it counts."
    )
    rate_limits: list[meter_api.RateLimit] = root(
        meter_api.resolve_rate_limits, None, "The six rate-limit buckets; needs no permission."
    )


@strawberry.type
class Mutation(
    CatalogMutation,
    FolderMutation,
    LocalizeMutation,
    MediaBatchMutation,
    ChartMutation,
    WholesaleMutation,
    OrderEditMutation,
    PriceAlterationMutation,
    StoreSetupMutation,
    BundleMutation,
    SubscriptionContractMutation,
):
    create_product: pim.ProductPayload = root(pim.create_product, "Product:write")
    update_product: pim.ProductPayload = root(pim.update_product, "Product:write")
    create_product_variant: pim.ProductVariantPayload = root(pim.create_product_variant, "ProductVariant:write")
    update_product_variant: pim.ProductVariantPayload = root(pim.update_product_variant, "ProductVariant:write")
    create_product_size: pim.ProductSizePayload = root(pim.create_product_size, "ProductVariant:write")
    create_display: pim.DisplayPayload = root(pim.create_display, "Display:write")
    update_display: pim.DisplayPayload = root(pim.update_display, "Display:write")
    assign_attributes: attribute_api.AttributesPayload = root(attribute_api.assign_attributes, "Attribute:write")
    unassign_attributes: attribute_api.AttributesPayload = root(attribute_api.unassign_attributes, "Attribute:write")
    create_voucher: promotion_api.VoucherPayload = root(promotion_api.create_voucher, "Voucher:write")

    set_stock: stock_api.SetStockPayload = root(stock_api.set_stock, "StockChange:write")
    change_stock: stock_api.ChangeStockPayload = root(stock_api.change_stock, "StockChange:write")

    confirm_order: order_mutations.OrderPayload = root(order_mutations.confirm_order, "Order:write")
    cancel_direct_to_consumer_order: order_mutations.OrderPayload = root(
        order_mutations.cancel_direct_to_consumer_order, "Order:write"
    )
    create_shipment: order_mutations.ShipmentPayload = root(order_mutations.create_shipment, "Shipment:write")
    update_shipment: order_mutations.ShipmentPayload = root(order_mutations.update_shipment, "Shipment:write")
    capture_shipment: order_mutations.CaptureShipmentPayload = root(order_mutations.capture_shipment, "Shipment:write")
    complete_shipment: order_mutations.ShipmentPayload = root(order_mutations.complete_shipment, "Shipment:write")
    delete_shipment: order_mutations.DeletePayload = root(order_mutations.delete_shipment, "Shipment:write")
    create_return: order_mutations.ReturnPayload = root(order_mutations.create_return, "Return:write")
    complete_return: order_mutations.ReturnPayload = root(order_mutations.complete_return, "Return:write")

    set_event_listeners: event_api.EventListenersPayload = root(event_api.set_event_listeners, "Event:write")
    unset_event_listeners: event_api.EventListenersPayload = root(event_api.unset_event_listeners, "Event:write")
    confirm_events: event_api.ConfirmEventsPayload = root(event_api.confirm_events, "Event:write")

    set_id_conversions: id_api.IdConversionsPayload = root(id_api.set_id_conversions, None)


class CentraSchema(strawberry.Schema):
    """Logs only what is unexpected: refused permissions and bad input are the client's."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        unexpected = [
            error
            for error in errors
            if error.original_error is not None and not isinstance(error.original_error, (GraphQLError, DomainError))
        ]
        if unexpected:
            super().process_errors(unexpected, execution_context)


resolve_external_ids_in(Mutation)


def build_schema() -> strawberry.Schema:
    return CentraSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(scalar_map=SCALARS),
        types=[
            *ELEMENT_TYPES,
            *wholesale_api.WHOLESALE_TYPES,
            *invoice_api.INVOICE_TYPES,
            *order_fields.ORDER_FIELD_TYPES,
            # Legacy names no field uses any more, kept as aliases of Centra's (sorting.LEGACY_ALIASES).
            store_api.IdSort,
            catalog_api.NameSort,
            catalog_api.NameFilter,
            promotion_api.PromotionSort,
            wholesale_terms_api.TermsFilter,
        ],
        extensions=[
            # In this order: the token cap while parsing, the document's shape in one
            # linear pass, then cost and rate limit, and graphql-core's validation last.
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            DocumentGuard,
            RateLimitExtension,
        ],
    )


schema = build_schema()
