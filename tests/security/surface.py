"""The attack surface: every REST route and GraphQL root field, and who may use each.

Routes are read from each adapter's own route table and root fields from
the GraphQL schema, when the tests are collected, so a route or field added
tomorrow is attacked by the suite without anyone remembering to list it.
It must still be *classified* here: ``test_every_route_is_classified`` and
``test_every_root_field_is_classified`` fail until it is.

Classifying a REST route means putting its ``"METHOD /path"`` (the path as
the adapter declares it, relative to the plugin base) in ``SECRET_ROUTES``
(refused without the plugin's secret) or in ``PUBLIC_ROUTES`` with the
reason it may be used without one. Classifying a GraphQL root field is
done by the type it returns: ``STORE_OWNED_TYPES`` (and how to find an
object's store) or ``SHARED_TYPES`` (and why every store may see them).
Mutations are classified in ``tests/security/test_graphql_store_writes.py``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from starlette.routing import Mount

from opencentra.api.dispatch import PluginDispatcher
from opencentra.api.graphql.permissions import Require
from opencentra.api.graphql.schema import schema as graphql_schema
from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.integration.models import PluginType

# --- REST -------------------------------------------------------------------------------


class Access(enum.Enum):
    SECRET = "needs the plugin's secret"
    SHOPPER = "open to a shopper (Checkout API client mode: a session token, no secret)"
    OPEN = "open to anyone"


_ORDER_API = (
    "GET /orders", "PUT /orders", "POST /order", "POST /orders", "POST /order/{order_number}",
    "POST /shipments", "GET /shipments", "GET /shipments/{shipment_id}", "PUT /shipments/{shipment_id}",
    "PUT /shipment", "PUT /capture", "DELETE /shipments/{shipment_id}", "GET /documents/{shipment_id}/{name}",
    "POST /check-first", "PUT /allocation-request", "GET /allocation-requests",
    "POST /return", "GET /returns", "PUT /returns/{return_id}",
    "GET /products", "GET /stock", "POST /stock",
    "GET /customers", "GET /customers/{customer_id}", "PUT /customers/{customer_id}",
    "PUT /anonymize-customer/{customer_id}",
    "GET /supplier-orders", "GET /supplier-orders/{order_id}",
    "GET /supplier-deliveries", "GET /supplier-deliveries/{delivery_id}",
    "GET /supplier-deliveries/{delivery_id}/details", "POST /supplier-deliveries/{delivery_id}",
    "POST /supplier-deliveries/{delivery_id}/sku",
    "GET /supplier-delivery", "GET /supplier-delivery/{delivery_id}", "GET /supplier-delivery/{delivery_id}/details",
    "POST /supplier-delivery/{delivery_id}", "POST /supplier-delivery/{delivery_id}/sku",
    "POST /voucher", "PUT /voucher/{voucher_id}/clone", "GET /vouchers/{voucher_id}",
    # Older spellings of POST /shipments, GET /shipments/{shipment_id} and POST /stock (same handlers).
    "POST /shipment", "GET /shipment/{shipment_id}", "PUT /stock",
)  # fmt: skip

# Checkout API endpoints Centra documents as server mode only ("S" in spec §1.6).
_CHECKOUT_SERVER_MODE = (
    "GET /countries/all", "GET /markets", "GET /pricelists", "PUT /markets/{market}",
    "PUT /selection", "PUT /selection/{selection}",
)  # fmt: skip

# Shop API selections (api/shop/selections.py): every route needs the plugin's secret (the adapter's guard).
_SHOP_SELECTIONS = (
    "POST /selections", "GET /selections/{selection}", "PUT /selections/{selection}",
    "POST /selections/{selection}/items/{item}", "POST /selections/{selection}/items/{item}/quantity/{quantity}",
    "POST /selections/{selection}/lines/{line}/quantity/{quantity}",
    "PUT /selections/{selection}/lines/{line}/quantity/{quantity}",
    "DELETE /selections/{selection}/lines/{line}/quantity/{quantity}", "DELETE /selections/{selection}/lines/{line}",
    "PUT /selections/{selection}/lines/{line}/subscription-plan/{plan}",
    "DELETE /selections/{selection}/lines/{line}/subscription-plan",
    "POST /selections/{selection}/gift-certificates/{certificate}",
    "POST /selections/{selection}/gift-certificates/{certificate}/amount/{amount}",
    "POST /selections/{selection}/vouchers", "DELETE /selections/{selection}/vouchers/{voucher}",
    "DELETE /selections/{selection}/vouchers",
    "PUT /selections/{selection}/countries/{country}", "PUT /selections/{selection}/countries/{country}/states/{state}",
    "PUT /selections/{selection}/markets/{market}", "PUT /selections/{selection}/pricelists/{pricelist}",
    "PUT /selections/{selection}/languages/{language}", "PUT /selections/{selection}/shipping-methods/{method}",
    "PUT /selections/{selection}/payment-methods/{method}", "PUT /selections/{selection}/checkout-fields",
    "POST /selections/{selection}/payment", "POST /selections/{selection}/payment-result",
    "GET /selections/{selection}/receipt", "POST /selections/{selection}/items/bundles/{item}",
)  # fmt: skip

# Shop API catalogue (api/shop/catalogue.py): every route needs the plugin's secret (the adapter's guard).
_SHOP_CATALOGUE = (
    "GET /brands", "GET /brands/{brand}", "GET /campaign-sites", "GET /campaign-sites/{site}",
    "GET /campaigns", "GET /campaigns/{campaign}", "GET /categories", "GET /categories/{category}",
    "GET /collections", "GET /collections/{collection}",
    "GET /measurement-charts", "GET /measurement-charts/{measurementChart}",
    "GET /product-ids", "GET /products", "GET /products/{product}", "POST /products/filter",
    "GET /products/categories/{categories}", "GET /products/silk-product/{silk_product}",
    "GET /products/silk-variant/{silk_variant}", "GET /products/sku/{sku}", "GET /products/uri/{uri:path}",
    "GET /gift-certificates",
)  # fmt: skip

# Shop API customers and v1 (api/shop/customers.py, api/shop/v1.py): every route needs the plugin's secret;
# a batch's operations and ``/v1/<uri>`` run inside the request the guard already let in.
_SHOP_CUSTOMERS = (
    "POST /customers/{email}/login", "POST /customers/{email}/register", "GET /customers/{email}/orders",
    "POST /customers/{email}/orders", "PUT /customers/{email}/orders/{order}/shipping-address",
    "POST /customers/{email}/newsletter-subscription", "POST /back-in-stock-subscription",
    "POST /customers/{email}/back-in-stock-subscription",
    "GET /", "GET /v1", "GET /v1/help/{uri:path}", "POST /", "POST /v1",
    "GET /v1/{uri:path}", "POST /v1/{uri:path}", "PUT /v1/{uri:path}", "DELETE /v1/{uri:path}",
)  # fmt: skip

# Old Subscription API (api/subscription_legacy/routes.py): every route needs the plugin's secret
# (``API-Authorization`` or ``?secret=``, the adapter's guard).
_SUBSCRIPTION_LEGACY = (
    "GET /subscription/packages", "POST /subscription/order", "POST /subscription/payment",
    "GET /subscription/subscription/{subscription}", "GET /subscription/subscriptions/{subscription}",
    "GET /subscription/subscriptions", "GET /subscription",
    "GET /subscription/{subscription}",
    "PUT /subscription/subscription/{subscription}", "PUT /subscription/subscriptions/{subscription}",
)  # fmt: skip

SECRET_ROUTES: Mapping[PluginType, frozenset[str]] = {
    PluginType.ORDER: frozenset(_ORDER_API),
    PluginType.CHECKOUT: frozenset(_CHECKOUT_SERVER_MODE),
    PluginType.SHOP: frozenset(_SHOP_SELECTIONS + _SHOP_CATALOGUE + _SHOP_CUSTOMERS),
    PluginType.SUBSCRIPTION: frozenset(_SUBSCRIPTION_LEGACY),
}

_API_DESCRIPTION = "the API's own OpenAPI description: says what exists, holds no data (adapter.PUBLIC_PATHS)"
_CATALOGUE = "the storefront's catalogue, as the shopper's market and pricelist show it"
_OWN_CART = "changes only the cart of the session the token names"
_OWN_ACCOUNT = "the logged-in customer's own account; refused (403 accessRight) until the session logs in"
_ACCOUNT_ENTRY = "how a shopper gets an account or a session; throttled per email and client address"
_NOT_RUN = "answers 404 'not available' (feature not run by OpenCentra); reads nothing"

PUBLIC_ROUTES: Mapping[tuple[PluginType, str], tuple[Access, str]] = {
    (PluginType.ORDER, "GET /openapi.json"): (Access.OPEN, _API_DESCRIPTION),
    (PluginType.SHOP, "GET /openapi.json"): (Access.OPEN, _API_DESCRIPTION),
    (PluginType.SUBSCRIPTION, "GET /openapi.json"): (Access.OPEN, _API_DESCRIPTION),
    (PluginType.CHECKOUT, "GET /openapi.json"): (Access.OPEN, _API_DESCRIPTION),
    **{
        (PluginType.CHECKOUT, route): (Access.SHOPPER, reason)
        for route, reason in {
            "POST /products": _CATALOGUE + "; pricelist 'all' needs server mode (403)",
            "GET /products/{product}": _CATALOGUE,
            "GET /categories": _CATALOGUE,
            "POST /categories": _CATALOGUE + "; market/pricelist/language in the body count in server mode only",
            "POST /uri": _CATALOGUE,
            "GET /bundles/{product}": _CATALOGUE,
            "POST /bundles/{product}": _CATALOGUE,
            "GET /countries": "the countries the store ships to: public storefront data",
            "GET /languages": "the store's languages: public storefront data",
            "PUT /languages/{language}": _OWN_CART,
            "GET /selection": "the session's own cart (a new session without a token)",
            "POST /items/{item}": _OWN_CART,
            "POST /items/{item}/quantity/{quantity}": _OWN_CART,
            "PUT /items": _OWN_CART,
            "POST /items/gift-certificates/{certificate}": _OWN_CART,
            "POST /items/gift-certificates/{certificate}/amount/{amount}": _OWN_CART,
            "POST /items/bundles/{item}": _OWN_CART,
            "POST /lines/{line}": _OWN_CART + " (a line of another session is 'not found')",
            "POST /lines/{line}/quantity/{quantity}": _OWN_CART,
            "PUT /lines/{line}/quantity/{quantity}": _OWN_CART,
            "DELETE /lines/{line}": _OWN_CART,
            "DELETE /lines/{line}/quantity/{quantity}": _OWN_CART,
            "PUT /lines/{line}/subscription-plan/{plan}": _OWN_CART,
            "DELETE /lines/{line}/subscription-plan": _OWN_CART,
            "PUT /countries/{country}": _OWN_CART + "; the one location change client mode may make",
            "PUT /countries/{country}/states/{state}": _OWN_CART,
            "PUT /shipping-methods/{method}": _OWN_CART,
            "PUT /payment-methods/{method}": _OWN_CART,
            "POST /vouchers": _OWN_CART,
            "DELETE /vouchers/{voucher}": _OWN_CART,
            "DELETE /vouchers": _OWN_CART,
            "PUT /campaign-site": _OWN_CART + " (enters a campaign site's market by its URI)",
            "PUT /payment-fields": _OWN_CART,
            "POST /payment": "the shopper pays for the session's own cart",
            "POST /payment-result": "the payment provider's answer for the session's own payment",
            "GET /receipt": "the last order placed by this session",
            "POST /register": _ACCOUNT_ENTRY,
            "POST /login/{email}": _ACCOUNT_ENTRY,
            "POST /logout": "ends the session's own login",
            "POST /password-reset-email/{email}": _ACCOUNT_ENTRY + "; answers the same whether the email exists",
            "POST /password-reset": _ACCOUNT_ENTRY + "; needs the id and code from the emailed link",
            "POST /email-verification-email": _OWN_ACCOUNT + "; throttled",
            "POST /email-verification": "proves the session's customer owns the email: needs the emailed id and code",
            "GET /customer": _OWN_ACCOUNT,
            "PUT /customer/update": _OWN_ACCOUNT,
            "PUT /address": _OWN_ACCOUNT,
            "PUT /email": _OWN_ACCOUNT,
            "PUT /password": _OWN_ACCOUNT + "; needs the current password",
            "POST /orders": _OWN_ACCOUNT,
            "GET /customer/wishlists/{wishlist}": _OWN_ACCOUNT,
            "POST /customer/wishlists/{wishlist}/items/{item}": _OWN_ACCOUNT,
            "DELETE /customer/wishlists/{wishlist}/items/{item}": _OWN_ACCOUNT,
            "POST /newsletter-subscription": "anyone may subscribe an address (Centra); has a honeypot field",
            "POST /newsletter-subscription/{email}": "anyone may subscribe an address (Centra); has a honeypot field",
            # An older spelling of POST /newsletter-subscription/{email} (the same handler).
            "POST /customers/{email}/newsletter-subscription": (
                "anyone may subscribe an address (Centra); has a honeypot field"
            ),
            "POST /back-in-stock-subscription": "anyone may ask to be told about stock (Centra)",
            "POST /address-search": _NOT_RUN,
            "POST /orders/{order}/items": _NOT_RUN,
            "POST /orders/{order}/items/{item}": _NOT_RUN,
            "POST /customer/subscriptions": _NOT_RUN,
            "PUT /subscription/interval": _NOT_RUN,
            "PUT /subscriptions/interval": _NOT_RUN,
            "PUT /subscription/status": _NOT_RUN,
            "PUT /subscriptions/status": _NOT_RUN,
            "PUT /subscription/address": _NOT_RUN,
            "PUT /subscriptions/address": _NOT_RUN,
            "POST /customer/contracts/{contract}/subscription": _NOT_RUN,
            "PUT /customer/contracts/{contract}/subscription/{subscription}": _NOT_RUN,
            "POST /customer/stored/payment-methods": _NOT_RUN,
            "POST /customer/stored/payment": _NOT_RUN,
            "POST /customer/stored/payment-result": _NOT_RUN,
        }.items()
    },
}


# Checkout API subscription management (api/checkout/subscription_routes.py): the logged-in shopper's own
# contracts; these paths answer there now instead of the "not available" stubs.
PUBLIC_ROUTES = {
    **PUBLIC_ROUTES,
    **{
        (PluginType.CHECKOUT, route): (Access.SHOPPER, _OWN_ACCOUNT + "; another customer's contract is 404")
        for route in (
            "POST /customer/subscriptions", "PUT /subscription/status", "PUT /subscriptions/status",
            "PUT /subscription/interval", "PUT /subscriptions/interval", "PUT /subscription/address",
            "PUT /subscriptions/address", "POST /customer/stored/payment-methods",
            "POST /customer/contracts/{contract}/subscription",
            "PUT /customer/contracts/{contract}/subscription/{subscription}",
            "POST /customer/stored/payment", "POST /customer/stored/payment-result",
        )
    },
}  # fmt: skip


@dataclass(frozen=True)
class Route:
    """One method on one path of one adapter, as its route table declares it."""

    api: PluginType
    method: str
    path: str
    # The handler's qualified name: aliases (two paths, one handler) share it.
    handler: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def id(self) -> str:
        return f"{self.api.value} {self.key}"

    @property
    def access(self) -> Access | None:
        if self.key in SECRET_ROUTES.get(self.api, frozenset()):
            return Access.SECRET
        public = PUBLIC_ROUTES.get((self.api, self.key))
        return public[0] if public else None

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"\{([^}:]+)(?::[^}]*)?\}", self.path)

    def concrete(self, values: Mapping[str, object]) -> str:
        """The path with each ``{param}`` filled from ``values`` (``"1"`` when it has none)."""
        return self.fill(self.path, values)

    @staticmethod
    def fill(path: str, values: Mapping[str, object]) -> str:
        """``path`` with each ``{param}`` left in it filled from ``values`` (``"1"`` when it has none)."""
        return re.sub(r"\{([^}:]+)(?::[^}]*)?\}", lambda m: str(values.get(m.group(1), "1")), path)


def adapter_apps(app: Any) -> dict[PluginType, FastAPI]:
    """Each REST adapter's FastAPI app, from the running app's ``/api`` mount."""
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/api")
    dispatcher = mount.app
    assert isinstance(dispatcher, PluginDispatcher)
    found: dict[PluginType, FastAPI] = {}
    for kind, adapter in dispatcher.adapters.items():
        inner: Any = adapter.app
        while not isinstance(inner, FastAPI):  # the Checkout API's edge wraps its app
            inner = inner.app
        found[kind] = inner
    return found


@cache
def rest_routes() -> tuple[Route, ...]:
    """Every route of every REST adapter, from the route tables of an app built as ``serve`` builds it."""
    app = create_app(Settings(database_url="sqlite://"))
    routes: list[Route] = []
    for kind, adapter in adapter_apps(app).items():
        for context in iter_route_contexts(adapter.routes):
            endpoint = getattr(context.endpoint, "__qualname__", "")
            for method in sorted(context.methods or ()):
                if method != "HEAD" and context.path is not None:
                    routes.append(Route(kind, method, context.path, f"{method} {endpoint}"))
    return tuple(dict.fromkeys(routes))


# --- GraphQL ----------------------------------------------------------------------------

SCHEMA: GraphQLSchema = graphql_schema._schema

# Root fields open to every valid token, and why (no ``Require`` permission).
OPEN_FIELDS: Mapping[tuple[str, str], str] = {
    ("Query", "rateLimits"): "the instance's (or this integration's) rate-limit buckets; Centra needs no permission",
    ("Query", "counters"): "a container: each counter checks the read permission of what it counts",
    ("Query", "idConversions"): "the calling integration's own ID conversion table",
    ("Mutation", "setIdConversions"): "writes the calling integration's own ID conversion table",
}

# Types that belong to one store, with the path from an object to its store's id.
STORE_OWNED_TYPES: Mapping[str, tuple[str, ...]] = {
    "Order": ("store", "id"),
    "Shipment": ("order", "store", "id"),
    "Return": ("order", "store", "id"),
    "Invoice": ("order", "store", "id"),
    "Display": ("store", "id"),
    "Category": ("store", "id"),
    "Market": ("store", "id"),
    "Pricelist": ("store", "id"),
    "Voucher": ("store", "id"),
    "Campaign": ("store", "id"),
    "Customer": ("store", "id"),
    "Account": ("store", "id"),
    "Buyer": ("store", "id"),
    "PriceAlteration": ("store", "id"),
    "Store": ("id",),
    "SubscriptionContract": ("store", "id"),
    "Subscription": ("subscriptionContract", "store", "id"),
    # An event of a global object (a product, a warehouse) has no store: every store may see it.
    "Event": ("store", "id"),
}
NO_STORE_ALLOWED = frozenset({"Event"})


def owner_selection(type_name: str) -> str:
    """``store { id }`` for ``("store", "id")``: the selection that reads an object's store."""
    path = STORE_OWNED_TYPES[type_name]
    selection = path[-1]
    for step in reversed(path[:-1]):
        selection = f"{step} {{ {selection} }}"
    return selection


def owner_of(type_name: str, item: Mapping[str, Any]) -> int | None:
    value: Any = item
    for step in STORE_OWNED_TYPES[type_name]:
        if value is None:
            return None
        value = value[step]
    return None if value is None else int(value)


# Types every store shares (Centra's catalogue and warehouses are global), and why.
SHARED_TYPES: Mapping[str, str] = {
    "Product": "products, variants and sizes are global in Centra; stores show them through displays",
    "ProductVariant": "global catalogue (see Product)",
    "ProductSize": "global catalogue (see Product)",
    "Bundle": "a bundle is a product variant: global catalogue",
    "Brand": "global catalogue",
    "Collection": "global catalogue",
    "SizeChart": "global catalogue",
    "Folder": "PIM folders are global",
    "MediaBatch": "product media: global catalogue",
    "MappedAttribute": "attribute definitions are global",
    "Warehouse": "warehouses are shared by every store's allocation rules",
    "AllocationRule": "allocation rules are shared; markets point to them",
    "StockChange": "stock lives in the shared warehouses",
    "Country": "reference data",
    "Currency": "reference data",
    "Language": "reference data",
    "DeliveryWindow": "delivery windows have no store; they list markets (wholesale terms, global in the model)",
    "PaymentTerms": "wholesale terms are global in Centra's model",
    "ShippingTerms": "wholesale terms are global in Centra's model",
    "SalesRepresentative": "global in Centra's model",
    "EventListener": "the calling integration's own listeners (keyed by the token's integration name)",
    "IdConversionEntry": "the calling integration's own table (keyed by the token's integration name)",
    "RateLimit": "the rate-limit buckets (see OPEN_FIELDS)",
    "Counters": "each counter is a count of a store-owned type: checked by test_counters_count_only_the_own_store",
}

# Connections wrap a list of their node type.
_CONNECTION = re.compile(r"^(?P<node>\w+)Connection$")


@dataclass(frozen=True)
class RootField:
    operation: str  # "query" or "mutation"
    name: str
    field: GraphQLField

    @property
    def root(self) -> str:
        return "Query" if self.operation == "query" else "Mutation"

    @property
    def id(self) -> str:
        return f"{self.root}.{self.name}"

    @property
    def permission(self) -> str | None:
        definition = (self.field.extensions or {}).get("strawberry-definition")
        for extension in getattr(definition, "extensions", []):
            if isinstance(extension, Require):
                return extension.permission
        return None

    @property
    def node_type(self) -> str:
        """The object type it returns, seen through lists and connections."""
        name = get_named_type(self.field.type).name
        match = _CONNECTION.match(name)
        return match.group("node") if match else name

    @property
    def is_connection(self) -> bool:
        return _CONNECTION.match(get_named_type(self.field.type).name) is not None

    @property
    def is_list(self) -> bool:
        return is_list_type(get_nullable_type(self.field.type)) or self.is_connection

    def document(self, selection: str | None = None, arguments: Mapping[str, str] | None = None) -> str:
        """A document that calls this field with every required argument given a valid literal."""
        given = dict(arguments or {})
        for name, argument in self.field.args.items():
            if name not in given and isinstance(argument.type, GraphQLNonNull):
                given[name] = literal(argument.type)
        args = f"({', '.join(f'{k}: {v}' for k, v in given.items())})" if given else ""
        if selection is None:
            selection = "" if is_leaf_type(get_named_type(self.field.type)) else "__typename"
        if self.is_connection:
            selection = f"nodes {{ {selection} }}"
        body = f" {{ {selection} }}" if selection else ""
        return f"{self.operation} {{ {self.name}{args}{body} }}"


def root_fields() -> tuple[RootField, ...]:
    fields: list[RootField] = []
    for operation, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        fields += [RootField(operation, name, field) for name, field in root.fields.items()]
    return tuple(fields)


def literal(type_: GraphQLInputType) -> str:
    """A GraphQL literal that satisfies ``type_`` (required input fields only)."""
    if isinstance(type_, GraphQLNonNull):
        return literal(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{literal(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return str(next(iter(type_.values)))
    if isinstance(type_, GraphQLScalarType):
        return {
            "Int": "1",
            "Float": "1.0",
            "Boolean": "true",
            "DateTimeTz": '"2024-01-01T00:00:00+00:00"',
            "Date": '"2030-01-01"',
        }.get(type_.name, '"00000000000000000000000000000001"')
    assert isinstance(type_, GraphQLInputObjectType)
    required = [f"{name}: {literal(f.type)}" for name, f in type_.fields.items() if isinstance(f.type, GraphQLNonNull)]
    return "{" + ", ".join(required) + "}"
