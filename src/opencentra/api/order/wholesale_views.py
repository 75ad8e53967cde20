"""The wholesale parts of the Order API's shapes: an order's terms, account and buyer.

GET /shipments shows ``shippingTerms`` and ``paymentTerms`` as
``{id, name, description}``; an order without terms (every retail order)
shows ``{"id": 0, "name": "", "description": ""}``, in the spirit of the
``accountId`` "0"/"" the same shapes give a retail order. The supplier
delivery details show the terms' names as plain strings ("30 Net",
"Ex. Works") and the buyer as "<account name>, <first name> <last name>",
as Centra's example does.
"""

from __future__ import annotations

from typing import Any

from opencentra.address import Address
from opencentra.wholesale import OrderWholesaleInfo, TermsView


def _terms(view: TermsView | None) -> dict[str, Any]:
    if view is None:
        return {"id": 0, "name": "", "description": ""}
    return {"id": view.id, "name": view.name, "description": view.description}


def terms_json(info: OrderWholesaleInfo | None) -> dict[str, Any]:
    return {
        "shippingTerms": _terms(info.shipping_terms if info else None),
        "paymentTerms": _terms(info.payment_terms if info else None),
    }


def supplier_terms_json(info: OrderWholesaleInfo | None, delivery: Address) -> dict[str, Any]:
    """``accountName``, ``buyer``, ``paymentTerms`` and ``shippingTerms`` of a reserving order."""
    if info is None:
        # A retail order: the person it is delivered to is its buyer.
        return {
            "accountName": "",
            "buyer": " ".join(p for p in (delivery.first_name, delivery.last_name) if p),
            "paymentTerms": "",
            "shippingTerms": "",
        }
    return {
        "accountName": info.account_name,
        "buyer": f"{info.account_name}, {info.buyer_first_name} {info.buyer_last_name}",
        "paymentTerms": info.payment_terms.name if info.payment_terms else "",
        "shippingTerms": info.shipping_terms.name if info.shipping_terms else "",
    }
