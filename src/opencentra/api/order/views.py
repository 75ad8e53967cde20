"""Orders, shipments and returns in the Order API's wire shape.

Field names, types and order follow Centra's documented examples: ids of
orders and lines are strings, flags are 0/1, money is a JSON number with at
most the currency's decimals, and dates are ``YYYY-mm-dd HH:MM:SS`` in the
store's timezone (Centra's zero date when unset).

Bundle lines follow the plugin's "Bundles in orders/shipments" modes
(``bundle_views.py``).

Tax and totals come from the orders domain (``OrderDetails.amounts``,
``shipment_tax``, ``ReturnDetails.tax``): this module only prints them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opencentra.address import SHIPPING_FIELDS, Address, read_address
from opencentra.api.order.bundle_views import arrange
from opencentra.api.order.wholesale_views import terms_json
from opencentra.api.order.wire import amount, amount_text, show_date, weight, zone
from opencentra.integration import BundleMode
from opencentra.inventory import StockItem
from opencentra.orders import (
    DocumentKind,
    DocumentTax,
    LineTax,
    OrderDetails,
    OrderLineRecord,
    ReturnDetails,
    ShipmentDocument,
    ShipmentStatus,
)

TAX_DESCRIPTION = "VAT"


def _name(address: Address) -> str:
    return " ".join(part for part in (address.first_name, address.last_name) if part)


def _address(prefix: str, address: Address, email: str) -> dict[str, Any]:
    fields = {
        f"{prefix}Name": _name(address),
        f"{prefix}Company": address.company or "",
        f"{prefix}Email": email,
    }
    if prefix == "delivery":
        fields["deliveryCell"] = address.phone_number or ""
    fields.update(
        {
            f"{prefix}Tele": "" if prefix == "delivery" else (address.phone_number or ""),
            f"{prefix}Address": address.address1 or "",
            f"{prefix}Coaddress": address.address2 or "",
            f"{prefix}Zipcode": address.zip_code or "",
            f"{prefix}City": address.city or "",
            f"{prefix}State": address.state or "",
            f"{prefix}Country": address.country or "",
        }
    )
    return fields


def _percent(tax_bp: int) -> int | float:
    return amount(tax_bp, 2)


def _line_identity(line: OrderLineRecord, item: StockItem | None) -> dict[str, Any]:
    # A SKU given for the line (Order API itemText) overrides the product's split SKUs.
    own_sku = item is None or (line.sku is not None and line.sku != item.full_sku)
    return {
        "sku": (line.sku or "") if own_sku or item is None else item.sku,
        "variantSku": "" if own_sku or item is None else item.variant_sku,
        "sizeSku": "" if own_sku or item is None else item.size_sku,
        "ean": (item.ean if item else line.ean) or "",
        "upc": "",
        "name": line.product_name,
        "variant": line.variant_name or (item.variant if item else ""),
        "brand": (item.brand if item else None) or "",
        "size": line.size_name or (item.size if item else ""),
    }


def _warehouses(entries: list[tuple[str, int]], *, as_text: bool) -> list[dict[str, Any]]:
    return [{"name": name, "itemQty": str(qty) if as_text else qty} for name, qty in entries]


def _line_tax(
    document: DocumentTax, details: OrderDetails, line: OrderLineRecord, quantity: int, unit_price_minor: int | None
) -> LineTax:
    """The tax figures of a ``products[]`` entry: the line's own, or, for a bundle line shown
    at the bundle's price, its components' together (none when it is shown at 0)."""
    if unit_price_minor is None:
        return document.lines[line.id]
    members = [line.id, *(child for child, parent in details.bundles.part_of.items() if parent == line.id)]
    if unit_price_minor == 0:
        members = []
    return document.group(line.id, line.tax_bp, members, quantity, unit_price_minor)


def order_line(
    line: OrderLineRecord,
    details: OrderDetails,
    tax: LineTax,
    quantity: int | None = None,
    unit_price_minor: int | None = None,
    original_unit_price_minor: int | None = None,
) -> dict[str, Any]:
    """One ``products[]`` entry with its ``tax`` figures; the prices may be given (a bundle line
    shows the bundle's price)."""
    decimals = details.order.currency_decimals
    item = details.items.get(line.product_size_id) if line.product_size_id else None
    qty = line.quantity if quantity is None else quantity
    unit = line.unit_price_minor if unit_price_minor is None else unit_price_minor
    original = line.original_unit_price_minor if original_unit_price_minor is None else original_unit_price_minor
    total = unit * qty
    reduction = max(original - unit, 0)
    percent_off = (reduction * 100 // original) if original else 0
    body = {
        "lineId": str(line.id),
        **_line_identity(line, item),
        "qty": qty,
        "originalPrice": amount(original, decimals),
        "price": amount(unit, decimals),
        "weight": weight(item.weight_kg if item else None),
        "weightUnit": "kg",
        "countryOfOrigin": (item.country_of_origin if item else None) or "",
        "harmCode": item.harm_code if item else "",
        "comment": line.comment or "",
        "otherComment": "",
        "taxPercent": _percent(line.tax_bp),
        "priceDiscount": amount(reduction, decimals),
        "priceDiscountAsPercent": percent_off,
        "taxValue": amount(tax.unit_tax_minor, decimals),
        "totalTaxValue": amount(tax.tax_minor, decimals),
        "totalPrice": amount(total, decimals),
        "totalPriceWithoutTax": amount(total - tax.tax_minor, decimals),
        "totalPriceWithTax": amount(total, decimals),
        "anyDiscount": reduction > 0,
        "priceEachWithoutTax": amount(unit - tax.unit_tax_minor, decimals),
        "priceEachReduction": amount(reduction, decimals),
        "warehouses": _warehouses(details.line_warehouses.get(line.id, []), as_text=False),
        "isBundle": line.id in details.bundles.bundles,
    }
    part_of = details.bundles.part_of.get(line.id)
    if part_of is not None:
        body["isPartOfBundle"] = str(part_of)
    return body


def _tax_breakdown(document: DocumentTax) -> list[dict[str, Any]]:
    """The VAT per rate; the values add up to ``grandTotalTaxValue``."""
    decimals = document.decimals
    return [
        {"description": TAX_DESCRIPTION, "taxPercent": _percent(rate.tax_bp), "value": amount(rate.tax_minor, decimals)}
        for rate in document.rates
        if rate.tax_bp > 0
    ]


def _payment(details: OrderDetails) -> dict[str, Any]:
    order = details.order
    method = details.context.payment_method
    return {
        "paymentPlugin": order.payment_provider,
        "paymentType": "free" if order.grand_total_minor == 0 else "3rd",
        "paymentDescription": method.name if method else order.payment_provider,
        "paymentReference": order.payment_reference,
        "paymentMethod": method.uri if method else None,
    }


def _header(details: OrderDetails) -> dict[str, Any]:
    """The order fields GET /orders and GET /shipments share."""
    order = details.order
    tz = zone(details.context.store_timezone)
    shipping = details.context.shipping_method
    return {
        "orderId": str(order.number),
        "selectionId": details.context.selection_uuid or "",
        "orderDate": show_date(order.order_date, tz),
        "cancelDate": show_date(order.cancel_date, tz),
        "preferredDeliveryDate": show_date(order.delivery_date, tz),
        "estimatedDeliveryDate": show_date(order.delivery_date, tz),
        "orderStore": "wholesale" if details.context.store_type == "WHOLESALE" else "retail",
        "orderCurrency": details.context.currency_code,
        "customerId": str(order.customer_id),
        "accountId": str(order.account_id) if order.account_id else "",
        **_address("delivery", read_address(order, "shipping_", SHIPPING_FIELDS), order.email),
        **_address("billing", read_address(order, "billing_"), order.email),
        "billingVAT": order.billing_vat_number or "",
        "poNumber": order.po_number or "",
        "shippingList": (shipping.uri or shipping.name) if shipping else "",
    }


def _money(decimals: int, prefix_values: dict[str, int]) -> dict[str, Any]:
    return {key: amount(value, decimals) for key, value in prefix_values.items()}


def order_json(
    details: OrderDetails, bundle_mode: BundleMode = BundleMode.CONTAINING_ITEMS_IN_BUNDLES
) -> dict[str, Any]:
    order = details.order
    amounts = details.amounts
    decimals = amounts.decimals
    tz = zone(details.context.store_timezone)
    lines = [(line, line.quantity) for line in order.lines]
    items_original = sum(line.original_unit_price_minor * qty for line, qty in lines)
    body: dict[str, Any] = {
        **_header(details),
        "orderStatus": str(int(order.status)),
        "suspect": 0,
        "internalOrder": 0,
        "hold": int(order.hold),
        "waitingForPayment": int(order.waiting_for_payment),
        **_money(
            decimals,
            {
                "shippingValue": amounts.shipping_minor,
                "voucherValue": amounts.discount_minor,
                "grandTotalValue": amounts.grand_total_minor,
                "grandTotalTaxValue": amounts.tax.tax_minor,
            },
        ),
        "taxAdded": 0,
        "taxDeducted": 0,
        "internalComment": order.internal_comment or "",
        "otherComment": order.comment or "",
        "marketId": order.market_id,
        "pricelistId": order.pricelist_id,
        "ipAddress": "",
        **_payment(details),
        "defaultCarrier": "",
        "shipments": [
            {
                "shipmentId": shipment.number,
                "shippedDate": show_date(shipment.shipped_at, tz),
                "carrier": shipment.carrier or "",
                "service": shipment.service or "",
                "trackingId": shipment.tracking_number or "",
                "trackingUrl": "",
                "returnSlipTracking": shipment.return_slip_tracking or "",
            }
            for shipment in order.shipments
        ],
        **_money(
            decimals,
            {
                "totalItemsPriceTax": amounts.tax.items_tax_minor,
                "totalItemsPrice": amounts.items_total_minor,
                "totalItemsWithoutTax": amounts.items_total_minor - amounts.tax.items_tax_minor,
                "totalItemsDiscount": max(items_original - amounts.items_total_minor, 0),
            },
        ),
        "taxBreakdown": _tax_breakdown(amounts.tax),
        "products": arrange(
            lines,
            details,
            bundle_mode,
            lambda line, qty, price, before: order_line(
                line, details, _line_tax(amounts.tax, details, line, qty, price), qty, price, before
            ),
        ),
        "discounts": {
            "anyDiscount": amounts.discount_minor > 0 or items_original > amounts.items_total_minor,
            "discount": f"{amount_text(amounts.discount_minor, decimals)} {details.context.currency_code}",
            "discountAsNumber": amount(amounts.discount_minor, decimals),
            "vouchers": [],
            "automaticDiscounts": [],
        },
    }
    for key, value in order.extra_attributes.items():
        body.setdefault(key, value)
    return body


def shipment_json(
    details: OrderDetails,
    shipment_id: int,
    *,
    capture_on_shipment: bool = True,
    documents: Mapping[DocumentKind, str] | None = None,
    bundle_mode: BundleMode = BundleMode.CONTAINING_ITEMS_IN_BUNDLES,
) -> dict[str, Any]:
    """``documents``: the URL of each document the shipment has (delivery note, proforma, invoice)."""
    order = details.order
    urls = documents or {}
    shipment = details.shipment(shipment_id)
    tz = zone(details.context.store_timezone)
    by_id = {line.id: line for line in order.lines}
    lines = [(sl, by_id[sl.order_line_id]) for sl in shipment.lines]
    first = shipment.appendix == 1
    tax = details.shipment_tax(shipment_id)
    picked = {line.id: shipment_line.id for shipment_line, line in lines}

    def shipped_line(line: OrderLineRecord, qty: int, unit: int | None, original: int | None) -> dict[str, Any]:
        product = order_line(line, details, _line_tax(tax, details, line, qty, unit), qty, unit, original)
        picks = details.shipment_line_warehouses.get(picked.get(line.id, 0), [])
        product["warehouses"] = _warehouses(picks, as_text=True)
        return product

    products = arrange([(ol, sl.quantity) for sl, ol in lines], details, bundle_mode, shipped_line)
    return {
        **_header(details),
        "shipmentId": shipment.number,
        **terms_json(details.wholesale),
        "proforma": urls.get(DocumentKind.PROFORMA, ""),
        "deliveryNote": urls.get(DocumentKind.DELIVERY_NOTE, ""),
        "defaultCarrier": shipment.carrier or "",
        "deliveryService": shipment.service or "",
        "shipmentDate": show_date(shipment.shipped_at or shipment.created_at, tz),
        "trackingNumber": shipment.tracking_number or "",
        "trackingUrl": "",
        "returnSlipTracking": shipment.return_slip_tracking or "",
        "invoices": [urls[DocumentKind.INVOICE]] if DocumentKind.INVOICE in urls else [],
        "suspect": 0,
        "hold": int(order.hold),
        "paid": int(shipment.captured),
        "shouldCapture": int(capture_on_shipment and not shipment.captured),
        "gtg": int(shipment.good_to_go),
        "status": str(shipment.status),
        "shipped": int(shipment.status == ShipmentStatus.COMPLETED),
        **_money(
            order.currency_decimals,
            {
                "shippingValue": order.shipping_minor if first else 0,
                "voucherValue": order.discount_minor if first else 0,
                "grandTotalValue": tax.total_minor,
                "grandTotalTaxValue": tax.tax_minor,
            },
        ),
        "taxAdded": 0,
        "taxDeducted": 0,
        "internalComment": order.internal_comment or "",
        "otherComment": order.comment or "",
        "taxBreakdown": _tax_breakdown(tax),
        "products": products,
    }


def return_json(found: ReturnDetails) -> dict[str, Any]:
    returned = found.returned
    details = found.details
    order = details.order
    decimals = order.currency_decimals
    by_id = {line.id: line for line in order.lines}
    products = []
    for return_line in returned.lines:
        line = by_id[return_line.order_line_id]
        item = details.items.get(line.product_size_id) if line.product_size_id else None
        products.append(
            {
                "returnLineId": return_line.id,
                "shipmentLineId": return_line.shipment_line_id,
                "orderLineId": return_line.order_line_id,
                "productId": item.product_id if item else None,
                "variantId": item.variant_id if item else None,
                "productName": line.product_name,
                "productBrand": item.brand if item else None,
                "variantName": line.variant_name or (item.variant if item else None),
                "size": line.size_name or (item.size if item else None),
                "sku": item.sku if item else (line.sku or ""),
                "variantSku": item.variant_sku if item else "",
                "sizeSku": item.size_sku if item else "",
                "ean": (item.ean if item else line.ean) or "",
                "upc": "",
                "quantity": return_line.quantity,
                "price": amount(return_line.unit_price_minor, decimals),
            }
        )
    return {
        "returnId": returned.id,
        "completed": returned.status == "completed",
        "shipment": found.shipment.number,
        "shipmentId": found.shipment.id,
        "orderId": order.number,
        "selectionId": details.context.selection_uuid or "",
        "customerId": order.customer_id,
        "date": show_date(returned.created_at, zone(details.context.store_timezone)),
        "marketId": order.market_id,
        "pricelistId": order.pricelist_id,
        "returnCost": amount(returned.return_cost_minor, decimals),
        "shippingCost": amount(returned.shipping_minor, decimals),
        "handlingCost": amount(returned.handling_minor, decimals),
        "voucherValue": amount(returned.voucher_minor, decimals),
        "taxValue": amount(found.tax.tax_minor, decimals),
        "taxDeduction": 0,
        "currency": details.context.currency_code,
        "baseCurrency": details.context.currency_code,
        "baseCurrencyRate": 1,
        "returnToStock": returned.return_stock,
        "comment": returned.comment,
        "createdFrom": returned.created_from or "",
        "refunded": returned.refunded,
        "refundValue": amount(returned.refund_minor, decimals),
        "products": products,
    }


# The shipment fields a document copies: who, where, how it travels.
_DOCUMENT_PARTIES = (
    "orderId",
    "orderDate",
    "orderCurrency",
    "customerId",
    "poNumber",
    "deliveryName",
    "deliveryCompany",
    "deliveryEmail",
    "deliveryAddress",
    "deliveryCoaddress",
    "deliveryZipcode",
    "deliveryCity",
    "deliveryState",
    "deliveryCountry",
    "billingName",
    "billingCompany",
    "billingEmail",
    "billingAddress",
    "billingCoaddress",
    "billingZipcode",
    "billingCity",
    "billingState",
    "billingCountry",
    "billingVAT",
    "defaultCarrier",
    "deliveryService",
    "trackingNumber",
    "returnSlipTracking",
)
_LINE_IDENTITY = ("lineId", "sku", "variantSku", "sizeSku", "ean", "upc", "name", "variant", "brand", "size", "qty")
_LINE_MONEY = ("price", "taxPercent", "taxValue", "totalPriceWithoutTax", "totalTaxValue", "totalPrice")
_DOCUMENT_MONEY = ("shippingValue", "voucherValue", "grandTotalValue", "grandTotalTaxValue", "taxBreakdown")


def document_json(document: ShipmentDocument) -> dict[str, Any]:
    """A delivery note (what is in the parcel), a proforma or an invoice (with prices and totals)."""
    shipment = shipment_json(document.details, document.shipment.id)
    tz = zone(document.details.context.store_timezone)
    priced = document.kind != DocumentKind.DELIVERY_NOTE
    wanted = _LINE_IDENTITY + (_LINE_MONEY if priced else ())
    body: dict[str, Any] = {
        "type": str(document.kind),
        "number": document.number,
        "date": show_date(document.issued_at, tz),
        "shipmentId": shipment["shipmentId"],
        "store": document.details.context.store_name,
        **{key: shipment[key] for key in _DOCUMENT_PARTIES},
        "packages": document.shipment.packages or 0,
        "products": [{key: line[key] for key in wanted} for line in shipment["products"]],
    }
    if priced:
        decimals = document.details.order.currency_decimals
        items = sum(line.unit_price_minor * quantity for line, quantity in _shipment_lines(document))
        body["itemsValue"] = amount(items, decimals)
        body.update({key: shipment[key] for key in _DOCUMENT_MONEY})
        body["paid"] = int(document.shipment.captured)
    if document.kind == DocumentKind.INVOICE:
        body["paymentReference"] = document.capture_reference or document.details.order.payment_reference or ""
    return body


def _shipment_lines(document: ShipmentDocument) -> list[tuple[OrderLineRecord, int]]:
    by_id = {line.id: line for line in document.details.order.lines}
    return [(by_id[sl.order_line_id], sl.quantity) for sl in document.shipment.lines]
