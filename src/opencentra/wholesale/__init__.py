"""Wholesale: accounts, buyers, delivery windows, terms and sales representatives.

The public face, for the APIs:

- ``variants_on_preorder`` tells which variants a delivery window sells as a
  pre-order (read in batches);
- payment terms, shipping terms and sales representatives: the use cases
  (``create_payment_terms``, ``update_sales_representative``...; one
  transaction each, answering the read view), batched reads by id
  (``payment_terms_by_id``...) and paged lists (``payment_terms_page``...).

The other modules (``services``, ``terms``...) are imported by name for now.
"""

from opencentra.wholesale import scoped
from opencentra.wholesale.models import (
    AccountStatus,
    AllocationOrder,
    DeliveryWindowStatus,
    LimitOn,
    LimitType,
    VariantDeliveryType,
)
from opencentra.wholesale.preorders import variants_on_preorder
from opencentra.wholesale.services import (
    AccountInput,
    AtOnceInput,
    BuyerAddress,
    BuyerInput,
    DeliveryWindowDiscount,
    DeliveryWindowInput,
    PreorderInput,
    WindowVariantInput,
)
from opencentra.wholesale.terms import (
    AccountTermsInput,
    CarrierInput,
    OrderWholesaleInfo,
    SalesRepresentativeInput,
    SalesRepresentativeView,
    TermsInput,
    TermsView,
    WholesaleTermsView,
    create_payment_terms,
    create_sales_representative,
    create_shipping_terms,
    payment_terms_by_id,
    payment_terms_page,
    sales_representative_page,
    sales_representatives_by_id,
    shipping_terms_by_id,
    shipping_terms_page,
    update_payment_terms,
    update_sales_representative,
    update_shipping_terms,
)
from opencentra.wholesale.views import (
    AccountQuery,
    AccountView,
    BuyerQuery,
    BuyerView,
    DeliveryWindowQuery,
    DeliveryWindowView,
    WindowDiscountView,
    WindowVariantView,
    account_page,
    account_store,
    accounts_by_id,
    buyer_page,
    buyer_store,
    buyers_by_id,
    buyers_of_accounts,
    delivery_window_page,
    delivery_window_views_by_id,
    discounts_of_accounts,
    market_store,
    markets_of_windows,
    variants_of_windows,
)

__all__ = [
    "AccountInput",
    "AccountQuery",
    "AccountStatus",
    "AccountTermsInput",
    "AccountView",
    "AllocationOrder",
    "AtOnceInput",
    "BuyerAddress",
    "BuyerInput",
    "BuyerQuery",
    "BuyerView",
    "CarrierInput",
    "DeliveryWindowDiscount",
    "DeliveryWindowInput",
    "DeliveryWindowQuery",
    "DeliveryWindowStatus",
    "DeliveryWindowView",
    "LimitOn",
    "LimitType",
    "OrderWholesaleInfo",
    "PreorderInput",
    "SalesRepresentativeInput",
    "SalesRepresentativeView",
    "TermsInput",
    "TermsView",
    "VariantDeliveryType",
    "WholesaleTermsView",
    "WindowDiscountView",
    "WindowVariantInput",
    "WindowVariantView",
    "account_page",
    "account_store",
    "accounts_by_id",
    "buyer_page",
    "buyer_store",
    "buyers_by_id",
    "buyers_of_accounts",
    "create_payment_terms",
    "create_sales_representative",
    "create_shipping_terms",
    "delivery_window_page",
    "delivery_window_views_by_id",
    "discounts_of_accounts",
    "market_store",
    "markets_of_windows",
    "payment_terms_by_id",
    "payment_terms_page",
    "sales_representative_page",
    "sales_representatives_by_id",
    "scoped",
    "shipping_terms_by_id",
    "shipping_terms_page",
    "update_payment_terms",
    "update_sales_representative",
    "update_shipping_terms",
    "variants_of_windows",
    "variants_on_preorder",
]
