"""Amounts on the Checkout API's wire: a formatted string in the currency's style, and a JSON number.

Its own module because every shape module renders amounts (products, bundles,
gift certificates, the selection) and none of them should import another.
"""

from __future__ import annotations

from decimal import Decimal

from opencentra.storefront import CurrencyInfo


def number(amount: Decimal) -> int | float:
    """An amount as a JSON number: whole amounts without a fraction."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def money(amount: Decimal, currency: CurrencyInfo) -> str:
    quantized = amount.quantize(Decimal(1).scaleb(-currency.decimals)) if currency.decimals else amount.quantize(1)
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
