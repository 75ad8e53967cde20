"""The Shop API's selection and order on the wire (spec §2.3).

A Shop API selection is flat: no ``token`` and no ``selection`` wrapper; the
selection id, country, customer, market, pricelist, language and currency sit
at the top, next to ``paymentMethodsAvailable`` and
``shippingMethodsAvailable`` (objects keyed by method id), the items, the
discounts (vouchers keyed by code) and the totals. An order (payment result,
receipt) is flat too. Ids are strings, amounts come twice: formatted in the
selection's currency and ``...AsNumber``. The shapes follow Centra's own
sample (``centrahq/voucher-fe-example``, ``simplified_shapi_response_*.json``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from opencentra.address import Address
from opencentra.api.wire_amounts import currency_format, number, order_totals, priced, selection_totals
from opencentra.api.wire_bundles import bundle_items_body
from opencentra.orders import OrderStatus
from opencentra.storefront import (
    CheckoutState,
    CurrencyInfo,
    OrderLineView,
    OrderView,
    PricedLine,
    ProductData,
    Unavailable,
)
from opencentra.subscriptions import PlanInfo

Body = dict[str, Any]

_ADDRESS_KEYS = (
    ("firstName", "first_name"),
    ("lastName", "last_name"),
    ("company", "company"),
    ("address1", "address1"),
    ("address2", "address2"),
    ("zipCode", "zip_code"),
    ("city", "city"),
    ("state", "state"),
    ("country", "country"),
    ("phoneNumber", "phone_number"),
)

# Centra's order status names and descriptions, as the Checkout API's receipt shows them.
_ORDER_STATUS = {
    OrderStatus.INCOMPLETE: ("incomplete", "Incomplete"),
    OrderStatus.PENDING: ("untouched", "Pending"),
    OrderStatus.CONFIRMED: ("progress", "Confirmed"),
    OrderStatus.PROCESSING: ("progress", "Processing"),
    OrderStatus.COMPLETED: ("ok", "Completed"),
    OrderStatus.ARCHIVED: ("archived", "Archived"),
    OrderStatus.CANCELLED: ("failed", "Cancelled"),
}


def _id(value: int | None) -> str:
    return str(value) if value is not None else ""


def address_body(address: Address, email: str | None, *, shipping: bool = False) -> Body:
    body: Body = {"email": email or ""}
    for key, attribute in _ADDRESS_KEYS:
        body[key] = getattr(address, attribute) or ""
    if not shipping:
        body["vatNumber"] = address.vat_number or ""
        body["identityNumber"] = address.identity_number or ""
    return body


def plan_body(plan: PlanInfo) -> Body:
    percent = plan.discount_percent
    return {
        "id": str(plan.id),
        "name": plan.name,
        "intervalValue": str(plan.interval_value),
        "intervalType": plan.interval_type,
        "discountPercent": int(percent) if percent == percent.to_integral_value() else float(percent),
    }


# --- the selection -------------------------------------------------------------------------


def _product_fields(product: ProductData | None) -> Body:
    if product is None:
        return {"product": "", "brandName": "", "silkProduct": "", "silkVariant": "", "category": None}
    category = product.canonical_category
    return {
        "product": str(product.display_item_id),
        "brandName": product.brand.name if product.brand else "",
        "silkProduct": str(product.product_id),
        "silkVariant": str(product.variant_id),
        "category": str(category.id) if category else None,
    }


def _voucher_code(state: CheckoutState, voucher_id: int) -> str:
    for applied in state.selection.priced.vouchers:
        if applied.voucher_id == voucher_id:
            return applied.code or applied.name
    return str(voucher_id)


def _line_body(state: CheckoutState, line: PricedLine, currency: CurrencyInfo) -> Body:
    price = line.price
    unit = price.price
    net_each = unit - (unit * line.tax_bp / (10_000 + line.tax_bp)).quantize(Decimal(1).scaleb(-currency.decimals))
    vouchers = [
        {
            "voucher": _voucher_code(state, voucher_id),
            **priced("priceOff", -amount, currency),
            "hasAffectedItemPrice": False,
        }
        for voucher_id, amount in line.voucher_discounts
    ]
    body: Body = {
        "item": line.item,
        **_product_fields(line.product),
        "productName": line.product.name,
        "variantName": line.product.variant_name,
        "productUrl": line.product_url,
        "size": line.size.name,
        "localizedSize": None,
        "sku": line.size.sku,
        "ean": line.size.ean,
        "upc": "",
        "quantity": line.quantity,
        "comment": line.comment or "",
        "line": line.line_id,
        **priced("priceEach", unit, currency),
        **priced("totalPrice", line.total_before_vouchers, currency),
        **priced("priceEachBeforeDiscount", price.price_before_discount, currency),
        "anyDiscount": unit < price.price_before_discount or bool(line.voucher_discount),
        "discounts": {"vouchers": vouchers, "automaticDiscounts": None},
        "taxPercent": number(Decimal(line.tax_bp) / 100),
        **priced("priceEachWithoutTax", net_each, currency),
        **priced("priceEachReduction", price.price_before_discount - unit, currency),
        **priced("totalPriceBeforeDiscount", price.price_before_discount * line.quantity, currency),
    }
    if price.campaign is not None:
        body["campaign"] = {
            "name": price.campaign.name,
            **priced("discount", price.price_before_discount - unit, currency),
        }
    if line.subscription_plan is not None:
        body["subscriptionPlan"] = plan_body(line.subscription_plan)
    if line.bundle:
        body["bundle"] = bundle_items_body(line.bundle)
    if line.additional_fields is not None:
        body["additionalFields"] = dict(line.additional_fields)
    return body


def _gift_body(state: CheckoutState, currency: CurrencyInfo) -> Body | None:
    gift = state.selection.priced.gift
    if gift is None:
        return None
    zero = Decimal(0)
    return {
        "item": gift.certificate.uri,
        "giftCertificate": gift.certificate.uri,
        **_product_fields(None),
        "productName": gift.certificate.name,
        "productUrl": None,
        "size": "",
        "localizedSize": None,
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
        "discounts": {"vouchers": [], "automaticDiscounts": None},
        "taxPercent": 0,
        **priced("priceEachWithoutTax", gift.amount, currency),
        **priced("priceEachReduction", zero, currency),
        **priced("totalPriceBeforeDiscount", gift.amount, currency),
    }


def _discounts_body(state: CheckoutState, currency: CurrencyInfo) -> Body:
    priced_selection = state.selection.priced
    vouchers: Body = {}
    automatic: list[Body] = []
    for applied in priced_selection.vouchers:
        lines = [
            line.line_id
            for line in priced_selection.lines
            if any(voucher_id == applied.voucher_id for voucher_id, _a in line.voucher_discounts)
        ]
        kind = applied.type.value
        entry: Body = {
            "voucher": applied.code or applied.name,
            "type": kind if kind in ("code", "url") else "other",
            **priced("priceOff", -applied.total, currency),
            "description": applied.name,
            "lines": lines,
            **priced("shippingDiscount", -applied.shipping_discount, currency),
        }
        if kind == "auto":
            automatic.append({"automaticDiscount": str(applied.voucher_id), "name": applied.name, **entry})
        else:
            vouchers[entry["voucher"]] = entry
    automatic_total = sum((a.total for a in priced_selection.vouchers if a.type.value == "auto"), Decimal(0))
    return {
        "anyDiscount": bool(priced_selection.total_discount),
        **priced("discount", -automatic_total, currency),
        "vouchers": vouchers,
        "automaticDiscounts": automatic,
    }


def selection_body(state: CheckoutState) -> Body:
    """A Shop API selection (flat, no token)."""
    view = state.selection
    priced_selection = view.priced
    currency = priced_selection.currency
    location = state.location
    items = [_line_body(state, line, currency) for line in priced_selection.lines]
    gift = _gift_body(state, currency)
    if gift is not None:
        items.append(gift)
    body: Body = {
        "selection": view.uuid,
        "country": location.country.code if location.country else None,
        "state": location.state.code if location.state else None,
        "customer": _id(state.customer.id if state.customer else state.shopper.customer_id),
        "market": str(location.market.id),
        "pricelist": str(location.pricelist.id),
        "language": location.language.code if location.language else None,
        "currency": currency.code,
        "paymentMethod": view.payment_method.key if view.payment_method else None,
        "paymentMethodName": view.payment_method.name if view.payment_method else "",
        "shippingMethod": view.shipping_method.key if view.shipping_method else None,
        "shippingMethodName": view.shipping_method.name if view.shipping_method else "",
        "paymentMethodsAvailable": {
            choice.key: {
                "paymentMethod": choice.key,
                "name": choice.name,
                "useForDigitalContent": True,
                "providesCustomerAddressAfterPayment": False,
                "addressRequiredFields": ["email", "country"],
                **priced("handlingCost", choice.handling, currency),
            }
            for choice in state.payment_choices
        },
        "shippingMethodsAvailable": {
            choice.key: {"shippingMethod": choice.key, "name": choice.name, **priced("price", choice.price, currency)}
            for choice in state.shipping_choices
        },
        "centraCheckoutScript": "",
        "items": items,
        "discounts": _discounts_body(state, currency),
        "totals": selection_totals(state, currency),
        "vatExempt": False,
        "address": address_body(view.billing, view.email),
        "shippingAddress": address_body(view.shipping_address, view.email, shipping=True),
        "additionalNotes": view.comment or "",
        "newsletter": view.newsletter,
        "currencyFormat": currency_format(currency),
    }
    if state.line is not None:
        body["line"] = state.line
    if state.unavailable:
        body["unavailable"] = unavailable_body(state.unavailable)
    return body


def unavailable_body(unavailable: Sequence[Unavailable]) -> list[Body]:
    return [
        {
            "item": u.item,
            "product": str(u.product),
            "originalQuantity": u.original_quantity,
            "unavailable": u.unavailable,
            "available": u.available,
        }
        for u in unavailable
    ]


# --- orders --------------------------------------------------------------------------------


def _timestamp(value: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _order_line(line: OrderLineView, currency: CurrencyInfo) -> Body:
    body: Body = {
        "item": line.item or "",
        **_product_fields(line.product),
        "productName": line.product_name,
        "variantName": line.variant_name or "",
        "productUrl": None,
        "size": line.size or "",
        "localizedSize": None,
        "sku": line.sku or "",
        "ean": line.ean or "",
        "upc": "",
        "quantity": line.quantity,
        "comment": line.comment or "",
        "line": line.line,
        **priced("priceEach", line.unit_price, currency),
        **priced("totalPrice", line.unit_price * line.quantity, currency),
        **priced("priceEachBeforeDiscount", line.unit_before_discount, currency),
        "anyDiscount": line.unit_price < line.unit_before_discount,
        "discounts": {"vouchers": [], "automaticDiscounts": None},
        "taxPercent": number(Decimal(line.tax_bp) / 100),
        **priced("priceEachWithoutTax", line.unit_price_without_tax, currency),
        **priced("priceEachReduction", line.unit_before_discount - line.unit_price, currency),
        **priced("totalPriceBeforeDiscount", line.unit_before_discount * line.quantity, currency),
    }
    if line.subscription_plan is not None:
        body["subscriptionPlan"] = plan_body(line.subscription_plan)
    return body


def order_body(order: OrderView, state: CheckoutState, selection: str) -> Body:
    """A Shop API order (payment result, receipt): flat, like a selection."""
    reference = state.reference
    currency = order.currency
    status, description = _ORDER_STATUS[order.status]
    shopper = state.shopper
    return {
        "order": str(order.number),
        "selection": selection,
        "status": status,
        "statusDescription": description,
        "date": _timestamp(order.date, reference.timezone),
        "affiliateHtml": "",
        "customer": _id(shopper.customer_id),
        "market": str(shopper.market_id),
        "pricelist": str(shopper.pricelist_id),
        "language": order.language,
        "currency": currency.code,
        "paymentMethod": order.payment_method.key if order.payment_method else "",
        "paymentMethodName": order.payment_method.name if order.payment_method else "",
        "shippingMethod": order.shipping_method.key if order.shipping_method else "",
        "shippingMethodName": order.shipping_method.name if order.shipping_method else "",
        "items": [_order_line(line, currency) for line in order.lines],
        "discounts": {
            "anyDiscount": bool(order.discount),
            **priced("discount", -order.discount, currency),
            "vouchers": {},
            "automaticDiscounts": [],
        },
        "totals": order_totals(order),
        "vatExempt": False,
        "address": address_body(order.billing, order.email),
        "shippingAddress": address_body(order.shipping_address, order.email, shipping=True),
        "giftMessage": "",
        "additionalNotes": order.comment or "",
        "shipments": [],
        "currencyFormat": currency_format(currency),
        "paymentMethodData": {},
    }
