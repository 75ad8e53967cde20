"""Amounts as Centra's webshop APIs write them, and the selection totals built from them.

Every amount comes twice: a string in the currency's format (``"1 200,00 SEK"``)
and ``...AsNumber``; an amount that does not apply is ``false`` in both. The
Checkout API and the Shop API write a selection's ``totals`` and
``currencyFormat`` the same way, so they are written once here (adapters may
not import each other; this module is shared plumbing).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from opencentra.storefront import CheckoutState, CurrencyInfo, OrderView

Body = dict[str, Any]


def number(amount: Decimal) -> int | float:
    """An amount as a JSON number: whole amounts without a fraction."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def money(amount: Decimal, currency: CurrencyInfo) -> str:
    """``amount`` in the currency's format: prefix, grouped digits, decimals, suffix."""
    quantized = amount.quantize(Decimal(1).scaleb(-currency.decimals))
    sign = "-" if quantized < 0 else ""
    whole, _, fraction = f"{abs(quantized):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = currency.thousands_separator.join(groups)
    if currency.decimals:
        text += currency.decimal_point + fraction.ljust(currency.decimals, "0")
    return f"{sign}{currency.prefix}{text}{currency.suffix}"


def priced(name: str, amount: Decimal, currency: CurrencyInfo) -> Body:
    """``{name: "100 SEK", nameAsNumber: 100}``."""
    return {name: money(amount, currency), f"{name}AsNumber": number(amount)}


def or_false(name: str, amount: Decimal, currency: CurrencyInfo) -> Body:
    """Like ``priced``, but ``false`` in both keys when the amount is zero (Centra's ``totalDiscountPrice``)."""
    if not amount:
        return {name: False, f"{name}AsNumber": False}
    return priced(name, amount, currency)


def currency_format(currency: CurrencyInfo) -> Body:
    return {
        "currency": currency.code,
        "name": currency.code,
        "prefix": currency.prefix,
        "suffix": currency.suffix,
        "decimalPoint": currency.decimal_point,
        "decimalDigits": str(currency.decimals),
        "thousandsSeparator": currency.thousands_separator,
        "denominator": currency.denominator,
        "uri": currency.code.lower(),
    }


def selection_totals(state: CheckoutState, currency: CurrencyInfo) -> Body:
    """A selection's ``totals``: items, discounts, shipping, handling, quantity, tax and the grand total."""
    totals = state.selection.priced
    return {
        **priced("itemsTotalPrice", totals.items_total, currency),
        **or_false("totalDiscountPrice", -totals.total_discount, currency),
        **priced("shippingPrice", totals.shipping_price, currency),
        **priced("handlingCostPrice", totals.handling, currency),
        "totalQuantity": totals.total_quantity,
        "taxDeducted": False,
        "taxDeductedAsNumber": False,
        "taxAdded": False,
        "taxAddedAsNumber": False,
        "taxPercent": number(Decimal(totals.tax_bp) / 100),
        **priced("grandTotalPrice", totals.grand_total, currency),
        **priced("grandTotalPriceTax", totals.tax, currency),
    }


def order_totals(order: OrderView) -> Body:
    """An order's ``totals`` (receipt, payment result), in the order's currency: the selection's fields."""
    currency = order.currency
    return {
        **priced("itemsTotalPrice", order.items_total, currency),
        **or_false("totalDiscountPrice", -order.discount, currency),
        **priced("shippingPrice", order.shipping, currency),
        **priced("handlingCostPrice", order.handling, currency),
        "totalQuantity": sum(line.quantity for line in order.lines),
        "taxDeducted": False,
        "taxDeductedAsNumber": False,
        "taxAdded": False,
        "taxAddedAsNumber": False,
        "taxPercent": number(Decimal(order.tax_bp) / 100),
        **priced("grandTotalPrice", order.grand_total, currency),
        **priced("grandTotalPriceTax", order.tax, currency),
    }
