"""Bundles on the wire: a product's ``bundleInfo`` and a selection item's ``bundle``.

``bundleInfo`` has the fields of Centra's BundleInfo: ``bundle`` (id),
``type`` (fixed|flexible), ``priceType`` (static|dynamic), the price range
``priceMin``/``priceMax`` with ``BeforeDiscount`` and ``AsNumber`` forms,
``priceOfItems``, ``discount`` (percent) and ``sections[{section, quantity,
products[]}]``; sections also say whether they are ``optional``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from opencentra.api.wire_amounts import money, number
from opencentra.storefront import BundleInfoData, CurrencyInfo


def _money(name: str, amount: Decimal | None, currency: CurrencyInfo) -> dict[str, Any]:
    if amount is None:
        return {name: None, f"{name}AsNumber": None}
    return {name: money(amount, currency), f"{name}AsNumber": number(amount)}


def bundle_info_body(info: BundleInfoData, currency: CurrencyInfo) -> dict[str, Any]:
    percent = Decimal(info.discount_bp) / 100
    return {
        "bundle": info.bundle_id,
        "type": info.type,
        "priceType": info.price_type,
        **_money("priceMin", info.min_price, currency),
        **_money("priceMax", info.max_price, currency),
        **_money("priceMinBeforeDiscount", info.min_before, currency),
        **_money("priceMaxBeforeDiscount", info.max_before, currency),
        **_money("priceOfItems", info.items_price, currency),
        "discount": int(percent) if percent == percent.to_integral_value() else float(percent),
        "sections": [
            {
                "section": section.section_id,
                "quantity": section.quantity,
                "optional": section.optional,
                "products": list(section.products),
            }
            for section in info.sections
        ],
    }
