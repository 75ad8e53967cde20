"""Gift certificates on the wire.

A selection buying a certificate shows it as its one item: ``item`` and
``giftCertificate`` are the certificate's id, ``line`` its line id, the
chosen amount is its price, and ``product`` is null (it is not a product).
The definition (Shop API ``GET /gift-certificates``) is
``{giftCertificate, name, currencyOfSaleOnly, showGiftAmount, type, amountByCurrency?}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from opencentra.giftcards import CertificateInfo, GiftLine, IssuedView
from opencentra.storefront import CurrencyInfo

Body = dict[str, Any]
Priced = Callable[[str, Decimal, CurrencyInfo], Body]


def gift_item_body(gift: GiftLine, currency: CurrencyInfo, priced: Priced) -> Body:
    zero = Decimal(0)
    return {
        "item": gift.certificate.uri,
        "giftCertificate": gift.certificate.uri,
        "name": gift.certificate.name,
        "productUrl": None,
        "category": None,
        "size": "",
        "sku": "",
        "ean": "",
        "upc": "",
        "quantity": 1,
        "comment": "",
        "line": gift.line_id,
        **priced("priceEach", gift.amount, currency),
        **priced("totalPrice", gift.amount, currency),
        **priced("priceEachBeforeDiscount", gift.amount, currency),
        "anyDiscount": False,
        "discounts": {"vouchers": [], "automaticDiscounts": []},
        "taxPercent": 0,
        **priced("priceEachWithoutTax", gift.amount, currency),
        **priced("priceEachReduction", zero, currency),
        **priced("totalPriceBeforeDiscount", gift.amount, currency),
        "product": None,
    }


def issued_body(issued: IssuedView) -> Body:
    """What an order that bought a certificate shows about it: the code to redeem."""
    return {"giftCertificate": issued.certificate_uri, "name": issued.certificate_name, "voucher": issued.code}


def certificate_body(certificate: CertificateInfo, currencies: Mapping[int, CurrencyInfo], priced: Priced) -> Body:
    body: Body = {
        "giftCertificate": certificate.uri,
        "name": certificate.name,
        "currencyOfSaleOnly": certificate.currency_of_sale_only,
        "showGiftAmount": certificate.show_gift_amount,
        "type": certificate.type.value,
    }
    if certificate.amounts_minor:
        by_currency: Body = {}
        for currency_id, minor in sorted(certificate.amounts_minor.items()):
            currency = currencies.get(currency_id)
            if currency is None:
                continue
            amount = Decimal(minor).scaleb(-currency.decimals)
            fields = priced("amount", amount, currency)
            by_currency[currency.code] = fields
        body["amountByCurrency"] = by_currency
    return body
