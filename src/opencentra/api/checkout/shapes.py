"""Centra's Checkout API shapes, built from the checkout domain's plain values.

Prices come twice: as a string formatted the currency's way ("1 499,00 SEK")
and as ``...AsNumber`` (a JSON number; whole amounts print without a
fraction, as Centra's do). A few "nothing here" values are ``false`` rather
than zero, as in Centra's examples (``totalDiscountPrice``, ``taxAdded``).
Field names and nesting follow Checkout API v4 after release v2.69
(``languages``; ``location`` with ``market``, ``pricelist`` and a
``language`` object; ``categoryName`` as an array).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from opencentra.address import Address
from opencentra.api.checkout.bundle_shapes import bundle_info_body
from opencentra.api.checkout.gift_shapes import gift_item_body
from opencentra.api.checkout.subscription_shapes import plan_body
from opencentra.api.wire_amounts import currency_format, number, order_totals, priced, selection_totals
from opencentra.api.wire_bundles import bundle_items_body
from opencentra.catalog import CategoryPath
from opencentra.orders import OrderStatus
from opencentra.pricing import LOWEST_PRICE_DAYS, PriceInfo
from opencentra.storefront import (
    CatalogSnapshot,
    CheckoutState,
    CurrencyInfo,
    CustomerView,
    Facet,
    LanguageInfo,
    Location,
    Named,
    OrderLineView,
    OrderView,
    PaymentChoice,
    ProductData,
    ShippingChoice,
    StockSnapshot,
    StoreReference,
    Unavailable,
)

Body = dict[str, Any]

# Centra's order status words: (status, statusDescription).
ORDER_STATUS: dict[OrderStatus, tuple[str, str]] = {
    OrderStatus.INCOMPLETE: ("incomplete", "Incomplete"),
    OrderStatus.PENDING: ("untouched", "Pending"),
    OrderStatus.CONFIRMED: ("progress", "Confirmed"),
    OrderStatus.PROCESSING: ("progress", "Processing"),
    OrderStatus.COMPLETED: ("ok", "Completed"),
    OrderStatus.ARCHIVED: ("archived", "Archived"),
    OrderStatus.CANCELLED: ("failed", "Cancelled"),
}

ADDRESS_KEYS: tuple[tuple[str, str], ...] = (
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


# --- money ---------------------------------------------------------------------------------


def _html(text: str) -> str:
    if not text.strip():
        return ""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p.strip()).replace(chr(10), '<br />')}</p>" for p in paragraphs)


def _timestamp(value: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


# --- products ------------------------------------------------------------------------------


def price_fields(price: PriceInfo | None, currency: CurrencyInfo) -> Body:
    """``price`` is null when the product is not in the pricelist (Centra)."""
    if price is None:
        return {
            "price": None,
            "priceAsNumber": None,
            "priceBeforeDiscount": None,
            "priceBeforeDiscountAsNumber": None,
            "discountPercent": 0,
            "showAsOnSale": False,
            "showAsNew": False,
        }
    return {
        **priced("price", price.price, currency),
        **priced("priceBeforeDiscount", price.price_before_discount, currency),
        "discountPercent": price.discount_percent,
        "showAsOnSale": price.show_as_on_sale,
        "showAsNew": price.show_as_new,
    }


def _attributes(product: ProductData) -> Body:
    extra: Body = {}
    for key, value in product.attributes:
        if "__" in key:
            outer, inner = key.split("__", 1)
            nested = extra.setdefault(outer, {})
            if isinstance(nested, dict):
                nested[inner] = value
        else:
            extra[key] = value
    return extra


def _category(ref_id: int, names: Sequence[str], uri: str, parent: int | None) -> Body:
    body: Body = {"category": str(ref_id), "name": list(names), "uri": uri}
    if parent is not None:
        body["inCategory"] = str(parent)
    return body


def product_body(
    product: ProductData,
    currency: CurrencyInfo,
    stock: StockSnapshot | None,
    *,
    catalogue: CatalogSnapshot | None = None,
    related: str = "short",
    prices: Mapping[int, tuple[PriceInfo | None, CurrencyInfo]] | None = None,
) -> Body:
    """A product; ``related`` is "none", "short" ({product, relation, media}) or "full"."""
    canonical = product.canonical_category
    body: Body = {
        "product": str(product.display_item_id),
        "name": product.name,
        "uri": product.uri,
        "sku": product.sku,
        "productSku": product.product_sku,
        "brand": str(product.brand.id) if product.brand else "",
        "brandName": product.brand.name if product.brand else "",
        "brandUri": product.brand.uri if product.brand else "",
        "collection": str(product.collection.id) if product.collection else "",
        "collectionName": product.collection.name if product.collection else "",
        "collectionUri": product.collection.uri if product.collection else "",
        "variantName": product.variant_name,
        "countryOrigin": product.country_origin,
        "excerpt": product.excerpt,
        "excerptHtml": _html(product.excerpt),
        "description": product.description,
        "descriptionHtml": _html(product.description),
        "metaTitle": product.meta_title,
        "metaDescription": product.meta_description,
        "metaKeywords": product.meta_keywords,
        "stockUnit": product.stock_unit,
        "category": str(canonical.id) if canonical else "",
        "categoryName": list(canonical.names) if canonical else [],
        "categoryUri": canonical.uri if canonical else "",
        "categories": [
            {"category": str(c.id), "name": list(c.names), "uri": c.uri, "sortOrder": c.sort_order}
            for c in product.categories
        ],
        "centraProduct": str(product.product_id),
        "centraVariant": str(product.variant_id),
        "itemQuantityMinimum": product.item_quantity_minimum,
        "itemQuantityMultipleOf": product.item_quantity_multiple_of,
    }
    if prices is not None:
        body["prices"] = {
            str(pricelist_id): price_fields(price, price_currency)
            for pricelist_id, (price, price_currency) in prices.items()
        }
    else:
        body.update(price_fields(product.price, currency))
        if product.lowest_price is not None and product.price is not None:
            lowest, lowest_before = product.lowest_price
            body["lowestPrice"] = [
                {
                    "periodDays": LOWEST_PRICE_DAYS,
                    **priced("price", lowest, currency),
                    **priced("priceBeforeDiscount", lowest_before, currency),
                }
            ]
    body["itemTable"] = {"x": list(product.size_x), "y": list(product.size_y), "dividerSymbol": product.divider_symbol}
    body["items"] = [
        {
            "item": item.item,
            "itemTableX": item.x,
            "itemTableY": item.y,
            "name": item.name,
            "ean": item.ean,
            "sku": item.sku,
            "sizeId": str(item.size_id),
            "stock": "yes" if stock is not None and stock.units(item.product_size_id) > 0 else "no",
        }
        for item in product.items
    ]
    body["media"] = {"standard": list(product.media)} if product.media else {}
    if product.subscription_plans:
        body["subscriptionPlans"] = [plan_body(plan) for plan in product.subscription_plans]
    if product.bundle_info is not None:
        body["bundleInfo"] = bundle_info_body(product.bundle_info, currency)
    body["available"] = stock is not None and stock.product_available(product)
    body["createdAt"] = product.created_at.strftime("%Y-%m-%d %H:%M:%S")
    body["modifiedAt"] = product.modified_at.strftime("%Y-%m-%d %H:%M:%S")
    body.update({k: v for k, v in _attributes(product).items() if k not in body})
    if related != "none":
        relations: list[Body] = []
        for other_id, relation in product.related:
            other = catalogue.by_display_item.get(other_id) if catalogue is not None else None
            if other is None:
                continue
            if related == "full":
                entry = product_body(other, currency, stock, catalogue=catalogue, related="none")
                entry["relation"] = relation
                relations.append(entry)
            elif relation == "variant":
                relations.append(
                    {
                        "product": str(other.display_item_id),
                        "relation": relation,
                        "media": {"standard": list(other.media)} if other.media else {},
                        "available": stock is not None and stock.product_available(other),
                    }
                )
        body["relatedProducts"] = relations
    return body


def facets_body(facets: Sequence[Facet]) -> list[Body]:
    out: list[Body] = []
    for facet in facets:
        values: list[Body] = []
        for value in facet.values:
            entry: Body = {"value": value.value, "count": value.count, "totalCount": value.total_count}
            ref = value.ref
            if isinstance(ref, Named) and facet.field == "brands":
                entry["data"] = {"brand": value.value, "brandName": ref.name, "uri": ref.uri}
            elif isinstance(ref, Named):
                entry["data"] = {"collection": value.value, "collectionName": ref.name, "uri": ref.uri}
            elif isinstance(ref, CategoryPath):
                entry["data"] = _category(ref.category_id, ref.names, ref.uri, ref.parent_id)
            else:
                entry["data"] = value.value
            values.append(entry)
        out.append({"field": facet.field, "values": values})
    return out


def categories_body(catalogue: CatalogSnapshot) -> list[Body]:
    return [
        _category(
            cid, catalogue.categories[cid].names, catalogue.categories[cid].uri, catalogue.categories[cid].parent_id
        )
        for cid in catalogue.category_order
    ]


# --- settings ------------------------------------------------------------------------------


def language_body(language: LanguageInfo, reference: StoreReference) -> Body:
    return {"language": language.code, "name": language.name, "default": language.id == reference.default_language_id}


def languages_body(reference: StoreReference) -> list[Body]:
    return [language_body(lang, reference) for lang in sorted(reference.languages.values(), key=lambda x: x.code)]


def countries_body(reference: StoreReference, *, server_mode: bool, all_countries: bool = False) -> list[Body]:
    ids = list(reference.countries) if all_countries else list(reference.shippable)
    out = []
    for country_id in ids:
        country = reference.countries[country_id]
        market_id, pricelist_id = reference.locate(country_id)
        language = reference.languages.get(country.default_language_id or reference.default_language_id or -1)
        body: Body = {
            "country": country.code,
            "name": country.name,
            "eu": country.eu,
            "language": language.code if language else "",
            "currency": reference.currency_of(pricelist_id).code if pricelist_id in reference.pricelists else "",
        }
        if country.states:
            body["states"] = [{"state": s.code, "name": s.name} for s in country.states]
        if all_countries:
            body["shipTo"] = country_id in reference.shippable
        if server_mode:
            # Ids as strings, as in every Centra id field (docs/compatibility/checkout-api.md).
            body["market"] = str(market_id)
            body["pricelist"] = str(pricelist_id)
        out.append(body)
    return out


def location_body(location: Location, reference: StoreReference) -> Body:
    country, state = location.country, location.state
    return {
        "country": country.code if country else None,
        "name": country.name if country else "",
        "state": state.code if state else None,
        "stateName": state.name if state else "",
        "eu": country.eu if country else False,
        "shipTo": location.ship_to,
        "market": location.market.id,
        "pricelist": location.pricelist.id,
        "language": language_body(location.language, reference) if location.language else None,
    }


# --- addresses and customers ---------------------------------------------------------------


def address_body(
    address: Address, email: str | None, *, shipping: bool = False, country_names: Mapping[str, str] | None = None
) -> Body:
    body: Body = {"email": email or ""}
    for key, attribute in ADDRESS_KEYS:
        body[key] = getattr(address, attribute) or ""
    body["vatNumber"] = address.vat_number or ""
    if not shipping:
        body["identityNumber"] = address.identity_number or ""
    if country_names is not None:
        body["countryName"] = country_names.get(address.country or "", "")
    return body


def logged_in_body(customer: CustomerView) -> Body:
    address = customer.address
    return {
        "customer": str(customer.id),
        "email": customer.email,
        "firstName": customer.first_name or "",
        "lastName": customer.last_name or "",
        "gender": customer.gender or "",
        "address1": address.address1 or "",
        "address2": address.address2 or "",
        "zipCode": address.zip_code or "",
        "city": address.city or "",
        "state": address.state or "",
        "country": address.country or "",
        "phoneNumber": address.phone_number or "",
        "company": address.company or "",
        "language": customer.language or "",
        "newsletter": customer.newsletter,
        "consents": [],
    }


# --- the selection -------------------------------------------------------------------------

_FIELD = {"type": "string", "required": False, "visible": True}


def payment_fields_body() -> Body:
    """Which checkout fields exist and which are required: by default only the
    address's email and country (Centra's default plugin configuration)."""
    address = {key: dict(_FIELD) for key, _a in ADDRESS_KEYS}
    address["email"] = dict(_FIELD)
    for key in ("vatNumber", "identityNumber"):
        address[key] = dict(_FIELD)
    address["newsletter"] = {"type": "boolean", "required": False, "visible": True}
    address["email"]["required"] = True
    address["country"]["required"] = True
    shipping = {key: dict(_FIELD) for key, _a in ADDRESS_KEYS}
    shipping["email"] = dict(_FIELD)
    for fields in (address, shipping):
        # Not used by OpenCentra's addresses; shown as Centra shows them, hidden.
        for key in ("houseNumber", "houseExtension"):
            fields[key] = {"type": "string", "required": False, "visible": False}
    return {
        "termsAndConditions": {"type": "boolean", "required": True, "visible": True},
        "address": address,
        "shippingAddress": shipping,
    }


def _payment_method(choice: PaymentChoice, currency: CurrencyInfo) -> Body:
    return {
        "paymentMethod": choice.key,
        "name": choice.name,
        **priced("handlingCost", choice.handling, currency),
        "supportsInitiateOnly": True,
        "providesCustomerAddressAfterPayment": False,
    }


def _shipping_method(choice: ShippingChoice, currency: CurrencyInfo) -> Body:
    return {"shippingMethod": choice.key, "name": choice.name, **priced("price", choice.price, currency)}


def _voucher_label(state: CheckoutState, voucher_id: int) -> tuple[str, str]:
    for applied in state.selection.priced.vouchers:
        if applied.voucher_id == voucher_id:
            return applied.code or applied.name, applied.type.value
    return str(voucher_id), "code"


def selection_body(state: CheckoutState) -> Body:
    view = state.selection
    priced_selection = view.priced
    currency = priced_selection.currency
    items = []
    for line in priced_selection.lines:
        price = line.price
        unit = price.price
        net_each = unit - (unit * line.tax_bp / (10_000 + line.tax_bp)).quantize(Decimal(1).scaleb(-currency.decimals))
        vouchers = []
        for voucher_id, amount in line.voucher_discounts:
            label, _kind = _voucher_label(state, voucher_id)
            vouchers.append({"voucher": label, **priced("priceOff", -amount, currency), "hasAffectedItemPrice": False})
        entry: Body = {
            "item": line.item,
            "productUrl": line.product_url,
            "category": str(line.product.canonical_category.id) if line.product.canonical_category else None,
            "size": line.size.name,
            "sku": line.size.sku,
            "ean": line.size.ean,
            "upc": "",
            "quantity": line.quantity,
            "comment": line.comment or "",
            "line": line.line_id,
            **priced("priceEach", unit, currency),
            **priced("totalPrice", line.total_before_vouchers, currency),
            **priced("priceEachBeforeDiscount", price.price_before_discount, currency),
            "anyDiscount": price.price < price.price_before_discount or bool(line.voucher_discount),
            "discounts": {"vouchers": vouchers, "automaticDiscounts": []},
            "taxPercent": number(Decimal(line.tax_bp) / 100),
            **priced("priceEachWithoutTax", net_each, currency),
            **priced("priceEachReduction", price.price_before_discount - unit, currency),
            **priced("totalPriceBeforeDiscount", price.price_before_discount * line.quantity, currency),
            "product": product_body(line.product, currency, state.stock, related="none"),
        }
        if price.campaign is not None:
            entry["campaign"] = {
                "name": price.campaign.name,
                **priced("discount", price.price_before_discount - unit, currency),
            }
        if line.subscription_plan is not None:
            entry["subscriptionPlan"] = plan_body(line.subscription_plan)
        if line.bundle:
            entry["bundle"] = bundle_items_body(line.bundle)
        if line.additional_fields is not None:
            entry["additionalFields"] = dict(line.additional_fields)
        items.append(entry)
    if priced_selection.gift is not None:
        items.append(gift_item_body(priced_selection.gift, currency, priced))
    vouchers_body = []
    automatic = []
    for applied in priced_selection.vouchers:
        lines = [
            line.line_id
            for line in priced_selection.lines
            if any(voucher_id == applied.voucher_id for voucher_id, _a in line.voucher_discounts)
        ]
        entry = {
            "voucher": applied.code or applied.name,
            "type": "code" if applied.type.value == "code" else ("url" if applied.type.value == "url" else "other"),
            "description": applied.name,
            **priced("priceOff", -applied.total, currency),
            "lines": lines,
            **priced("shippingDiscount", -applied.shipping_discount, currency),
        }
        if applied.type.value == "auto":
            automatic.append({"automaticDiscount": str(applied.voucher_id), "name": applied.name, **entry})
        else:
            vouchers_body.append(entry)
    automatic_total = sum((a.total for a in priced_selection.vouchers if a.type.value == "auto"), Decimal(0))
    body: Body = {
        "selection": view.uuid,
        "language": state.location.language.code if state.location.language else None,
        "currency": currency.code,
        "paymentMethod": view.payment_method.key if view.payment_method else "",
        "paymentMethodName": view.payment_method.name if view.payment_method else "",
        "shippingMethod": view.shipping_method.key if view.shipping_method else "",
        "shippingMethodName": view.shipping_method.name if view.shipping_method else "",
        "items": items,
        "discounts": {
            "anyDiscount": bool(priced_selection.total_discount),
            **priced("discount", -automatic_total, currency),
            "vouchers": vouchers_body,
            "automaticDiscounts": automatic,
        },
        "totals": selection_totals(state, currency),
        "vatExempt": False,
        "address": address_body(view.billing, view.email),
        "shippingAddress": address_body(view.shipping_address, view.email, shipping=True),
        "additionalNotes": view.comment or "",
        "newsletter": view.newsletter,
        "currencyFormat": currency_format(currency),
    }
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


def state_body(state: CheckoutState, *, server_mode: bool) -> Body:
    """A SelectionResponse; once the selection is an order, the order instead."""
    reference = state.reference
    currency = state.location.currency
    body: Body = {}
    if state.shopper.token is not None:
        body["token"] = state.shopper.token
    if state.order is not None:
        body["order"] = order_body(state.order, reference)
    else:
        body["selection"] = selection_body(state)
        body["paymentMethods"] = [_payment_method(p, currency) for p in state.payment_choices]
        body["paymentFields"] = payment_fields_body()
        body["shippingMethods"] = [_shipping_method(s, currency) for s in state.shipping_choices]
    body["countries"] = countries_body(reference, server_mode=server_mode)
    body["languages"] = languages_body(reference)
    body["location"] = location_body(state.location, reference)
    if state.customer is not None:
        body["loggedIn"] = logged_in_body(state.customer)
    if state.unavailable:
        body["unavailable"] = unavailable_body(state.unavailable)
    return body


def context_body(state: CheckoutState, *, server_mode: bool) -> Body:
    """The parts of a SelectionResponse that accompany other answers (orders, receipts)."""
    body: Body = {}
    if state.shopper.token is not None:
        body["token"] = state.shopper.token
    body["countries"] = countries_body(state.reference, server_mode=server_mode)
    body["languages"] = languages_body(state.reference)
    body["location"] = location_body(state.location, state.reference)
    if state.customer is not None:
        body["loggedIn"] = logged_in_body(state.customer)
    return body


# --- orders --------------------------------------------------------------------------------


def _order_item(line: OrderLineView, currency: CurrencyInfo) -> Body:
    body: Body = {
        "item": line.item or "",
        "product": str(line.product.display_item_id) if line.product else "",
        "productName": line.product_name,
        "brandName": line.product.brand.name if line.product and line.product.brand else "",
        "productUrl": None,
        "category": str(line.product.canonical_category.id)
        if line.product and line.product.canonical_category
        else None,
        "size": line.size or "",
        "sku": line.sku or "",
        "ean": line.ean or "",
        "upc": "",
        "quantity": line.quantity,
        "comment": line.comment or "",
        "storePickup": False,
        "line": line.line,
        **priced("priceEach", line.unit_price, currency),
        **priced("totalPrice", line.unit_price * line.quantity, currency),
        **priced("priceEachBeforeDiscount", line.unit_before_discount, currency),
        "anyDiscount": line.unit_price < line.unit_before_discount,
        "discounts": {"vouchers": [], "automaticDiscounts": []},
        "taxPercent": number(Decimal(line.tax_bp) / 100),
        **priced("priceEachWithoutTax", line.unit_price_without_tax, currency),
        **priced("priceEachReduction", line.unit_before_discount - line.unit_price, currency),
        **priced("totalPriceBeforeDiscount", line.unit_before_discount * line.quantity, currency),
    }
    if line.product is not None:
        body["product"] = product_body(line.product, currency, None, related="none")
    if line.subscription_plan is not None:
        body["subscriptionPlan"] = plan_body(line.subscription_plan)
    return body


def order_body(order: OrderView, reference: StoreReference) -> Body:
    currency = order.currency
    status, description = ORDER_STATUS[order.status]
    discount = order.discount
    return {
        "order": str(order.number),
        "status": status,
        "statusDescription": description,
        "date": _timestamp(order.date, reference.timezone),
        "affiliateHtml": "",
        "language": order.language,
        "currency": currency.code,
        "paymentMethod": order.payment_method.key if order.payment_method else "",
        "paymentMethodName": order.payment_method.name if order.payment_method else "",
        "shippingMethod": order.shipping_method.key if order.shipping_method else "",
        "shippingMethodName": order.shipping_method.name if order.shipping_method else "",
        "items": [_order_item(line, currency) for line in order.lines],
        "discounts": {
            "anyDiscount": bool(discount),
            **priced("discount", -discount, currency),
            "vouchers": [],
            "automaticDiscounts": [],
        },
        "totals": order_totals(order),
        "vatExempt": False,
        "address": address_body(order.billing, order.email, country_names=order.country_names),
        "shippingAddress": address_body(
            order.shipping_address, order.email, shipping=True, country_names=order.country_names
        ),
        "giftMessage": "",
        "additionalNotes": order.comment or "",
        "currencyFormat": currency_format(currency),
        "paymentMethodData": {},
    }
