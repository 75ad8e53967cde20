"""Root fields for wholesale: accounts, buyers, delivery windows and their terms, each with its permission.

``schema.Query`` and ``schema.Mutation`` inherit these classes. ``invoices``
sits here too: it came with the wholesale fields, and moving it would change
the order of ``Query``'s fields in the published schema.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import FieldExtension

from opencentra.api.graphql import invoices as invoice_api
from opencentra.api.graphql import wholesale as wholesale_api
from opencentra.api.graphql import wholesale_terms as terms_api
from opencentra.api.graphql.permissions import Require


def _root(resolver: Any, permission: str, description: str | None = None) -> Any:
    extensions: list[FieldExtension] = [Require(permission)]
    return strawberry.field(resolver=resolver, extensions=extensions, description=description)


@strawberry.type
class WholesaleQuery:
    accounts: list[wholesale_api.Account] = _root(wholesale_api.resolve_accounts, "Account:read")
    account: wholesale_api.Account | None = _root(wholesale_api.resolve_account, "Account:read")
    buyers: list[wholesale_api.Buyer] = _root(wholesale_api.resolve_buyers, "Buyer:read")
    buyer: wholesale_api.Buyer | None = _root(wholesale_api.resolve_buyer, "Buyer:read")
    delivery_windows: list[wholesale_api.DeliveryWindow] = _root(
        wholesale_api.resolve_delivery_windows, "DeliveryWindow:read"
    )
    delivery_window: wholesale_api.DeliveryWindow | None = _root(
        wholesale_api.resolve_delivery_window, "DeliveryWindow:read"
    )
    payment_terms: list[terms_api.PaymentTerms] = _root(terms_api.resolve_payment_terms, "PaymentTerms:read")
    shipping_terms: list[terms_api.ShippingTerms] = _root(terms_api.resolve_shipping_terms, "ShippingTerms:read")
    sales_representatives: list[terms_api.SalesRepresentative] = _root(
        terms_api.resolve_sales_representatives, "SalesRepresentative:read"
    )
    invoices: list[invoice_api.Invoice] = _root(
        invoice_api.resolve_invoices, "Invoice:read", "Invoices; OpenCentra issues one per captured shipment."
    )


@strawberry.type
class WholesaleMutation:
    create_account: wholesale_api.AccountPayload = _root(wholesale_api.create_account, "Account:write")
    update_account: wholesale_api.AccountPayload = _root(wholesale_api.update_account, "Account:write")
    create_buyer: wholesale_api.BuyerPayload = _root(wholesale_api.create_buyer, "Buyer:write")
    update_buyer: wholesale_api.BuyerPayload = _root(wholesale_api.update_buyer, "Buyer:write")
    create_delivery_window: wholesale_api.DeliveryWindowPayload = _root(
        wholesale_api.create_delivery_window, "DeliveryWindow:write"
    )
    update_delivery_window: wholesale_api.DeliveryWindowPayload = _root(
        wholesale_api.update_delivery_window, "DeliveryWindow:write"
    )
    set_delivery_window_variants: wholesale_api.DeliveryWindowPayload = _root(
        wholesale_api.set_delivery_window_variants, "DeliveryWindow:write"
    )
    unset_delivery_window_variants: wholesale_api.DeliveryWindowPayload = _root(
        wholesale_api.unset_delivery_window_variants, "DeliveryWindow:write"
    )
    create_payment_terms: terms_api.PaymentTermsPayload = _root(terms_api.create_payment_terms, "PaymentTerms:write")
    update_payment_terms: terms_api.PaymentTermsPayload = _root(terms_api.update_payment_terms, "PaymentTerms:write")
    create_shipping_terms: terms_api.ShippingTermsPayload = _root(
        terms_api.create_shipping_terms, "ShippingTerms:write"
    )
    update_shipping_terms: terms_api.ShippingTermsPayload = _root(
        terms_api.update_shipping_terms, "ShippingTerms:write"
    )
    create_sales_representative: terms_api.SalesRepresentativePayload = _root(
        terms_api.create_sales_representative, "SalesRepresentative:write"
    )
    update_sales_representative: terms_api.SalesRepresentativePayload = _root(
        terms_api.update_sales_representative, "SalesRepresentative:write"
    )
