"""Checkout use cases: the shopper's session, the cart, paying, and placing the order.

Every API that sells to shoppers calls these: the Checkout API with its
session token (a ``Visitor``), the Shop API with a selection id (a
``SelectionKey``); both are a ``Cart`` (``storefront.storefront``) and reach the same function.
The rules about prices, vouchers, stock and payments live here or in the
domains they name (``pricing``, ``inventory``, ``payments``, ``orders``),
never in an adapter. Each use case is one function that opens one transaction.
"""

from opencentra.storefront import account, account_by_email, cart, payment
from opencentra.storefront.account import MAX_PAGE, CustomerUpdate, Newsletter, Registration, ResetMailer, WishlistView
from opencentra.storefront.account_by_email import AccountAnswer, PlacedOrder
from opencentra.storefront.bundle_cart import add_bundle
from opencentra.storefront.bundles import BundleComponentView, BundleInfoData
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.cart import CheckoutFields
from opencentra.storefront.catalog import (
    CatalogSnapshot,
    Facet,
    Named,
    ProductData,
    ProductPage,
    ProductQuery,
    SortField,
    StockSnapshot,
    search_products,
)
from opencentra.storefront.gift_lines import add_gift_certificate, deliver_gift_certificate, remove_gift_line
from opencentra.storefront.localized import in_language
from opencentra.storefront.payment import OrderPlaced, PaymentAnswer, PaymentPending, PaymentRefused, StockShort
from opencentra.storefront.pricing import PricedLine
from opencentra.storefront.reference import CurrencyInfo, LanguageInfo, StoreReference, load_reference
from opencentra.storefront.shopper import Channel, Visitor
from opencentra.storefront.state import (
    CheckoutState,
    CustomerView,
    Location,
    OrderLineView,
    OrderView,
    PaymentChoice,
    ShippingChoice,
    Unavailable,
)
from opencentra.storefront.storefront import SelectionKey, Storefront, current_shopper, current_state, known_shopper
from opencentra.storefront.subscription_lines import add_item_on_plan, remove_line_plan, set_line_plan

__all__ = [
    "MAX_PAGE",
    "AccountAnswer",
    "BundleComponentView",
    "BundleInfoData",
    "CatalogSnapshot",
    "Channel",
    "CheckoutCache",
    "CheckoutFields",
    "CheckoutState",
    "CurrencyInfo",
    "CustomerUpdate",
    "CustomerView",
    "Facet",
    "LanguageInfo",
    "Location",
    "Named",
    "Newsletter",
    "OrderLineView",
    "OrderPlaced",
    "OrderView",
    "PaymentAnswer",
    "PaymentChoice",
    "PaymentPending",
    "PaymentRefused",
    "PlacedOrder",
    "PricedLine",
    "ProductData",
    "ProductPage",
    "ProductQuery",
    "Registration",
    "ResetMailer",
    "SelectionKey",
    "ShippingChoice",
    "SortField",
    "StockShort",
    "StockSnapshot",
    "StoreReference",
    "Storefront",
    "Unavailable",
    "Visitor",
    "WishlistView",
    "account",
    "account_by_email",
    "add_bundle",
    "add_gift_certificate",
    "add_item_on_plan",
    "cart",
    "current_shopper",
    "current_state",
    "deliver_gift_certificate",
    "in_language",
    "known_shopper",
    "load_reference",
    "payment",
    "remove_gift_line",
    "remove_line_plan",
    "search_products",
    "set_line_plan",
]
