"""A shipment's documents: ``GET <base>/documents/{shipment}/{kind}`` and ``.../{kind}.pdf``.

``kind`` is ``delivery-note``, ``proforma`` or ``invoice`` (the invoice exists
once the shipment is captured). Without ``.pdf`` the document is data in the
usual envelope (``{"status":"ok","document":{...}}``, or XML with ``xml=1``);
with it, a printable PDF. The URLs in POST /shipments and GET /shipments
(``deliveryNote``, ``proforma``, ``invoice``, ``invoices[]``) point at the PDFs.
They sit under the plugin's base and need its ``API-Authorization`` like every
other call; the endpoint whitelist lets them through when it allows a
shipments endpoint (docs/compatibility/order-api.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from opencentra import orders
from opencentra.api.order import pdf, views, wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.envelope import echo, ok, respond
from opencentra.api.order.orders import DOCUMENTED
from opencentra.errors import ValidationFailed
from opencentra.orders import DocumentKind, shipment_document

router = APIRouter()
ROUTE_NAME = "shipment_document"
_TITLES = {
    DocumentKind.DELIVERY_NOTE: "DELIVERY NOTE",
    DocumentKind.PROFORMA: "PROFORMA",
    DocumentKind.INVOICE: "INVOICE",
}


def document_urls(request: Request, number: str, kinds: Iterable[DocumentKind]) -> dict[DocumentKind, str]:
    """The PDF URL of each document (``orders.documents.available_kinds``) of shipment ``number``."""
    # The dispatcher puts the plugin's base ("/api/wms") in root_path. Neither url_for (it looks
    # in the outer app's router) nor base_url (it uses the outer app's root) knows it.
    base = str(request.scope.get("root_path", "")).rstrip("/")
    number = quote(number, safe="")
    return {
        kind: str(request.url.replace(path=f"{base}/documents/{number}/{kind}.pdf", query="", fragment=""))
        for kind in kinds
    }


def _kind(name: str) -> tuple[DocumentKind, bool]:
    as_pdf = name.lower().endswith(".pdf")
    base = name[:-4] if as_pdf else name
    try:
        return DocumentKind(base.strip().lower()), as_pdf
    except ValueError:
        raise ValidationFailed("invalid value, expected delivery-note, proforma or invoice", field="document") from None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _party(body: dict[str, Any], prefix: str) -> list[str]:
    city = " ".join(p for p in (_text(body[f"{prefix}Zipcode"]), _text(body[f"{prefix}City"])) if p)
    rows = [body[f"{prefix}Name"], body[f"{prefix}Company"], body[f"{prefix}Address"], body[f"{prefix}Coaddress"]]
    rows += [city, body[f"{prefix}State"], body[f"{prefix}Country"]]
    return [_text(row) for row in rows if row]


def text_lines(body: dict[str, Any]) -> list[str]:
    """The document laid out as fixed-width text, for the PDF."""
    kind = DocumentKind(body["type"])
    currency = body["orderCurrency"]
    lines = [
        f"{_TITLES[kind]} {body['number']}".ljust(60) + body["date"],
        body["store"],
        "",
        f"Order {body['orderId']}   Shipment {body['shipmentId']}   Currency {currency}",
    ]
    if body.get("poNumber"):
        lines.append(f"PO number {body['poNumber']}")
    bill, ship = _party(body, "billing"), _party(body, "delivery")
    lines += ["", "Bill to".ljust(50) + "Ship to"]
    for index in range(max(len(bill), len(ship))):
        left = bill[index] if index < len(bill) else ""
        right = ship[index] if index < len(ship) else ""
        lines.append(left[:48].ljust(50) + right[:48])
    if body.get("defaultCarrier") or body.get("trackingNumber"):
        carrier = " ".join(p for p in (body.get("defaultCarrier"), body.get("deliveryService")) if p)
        lines += ["", f"Carrier {carrier}   Tracking {body.get('trackingNumber') or '-'}"]
    lines.append("")
    priced = "price" in (body["products"][0] if body["products"] else {})
    header = f"{'Qty':>4}  {'SKU':<18}{'Product':<32}{'Size':<8}"
    lines.append(header + (f"{'Price':>12}{'Total':>12}" if priced else ""))
    lines.append("-" * len(lines[-1]))
    for line in body["products"]:
        sku = _text(line["sku"]) + _text(line["variantSku"]) + _text(line["sizeSku"])
        name = " ".join(p for p in (_text(line["name"]), _text(line["variant"])) if p)
        row = f"{line['qty']:>4}  {sku[:17]:<18}{name[:31]:<32}{_text(line['size'])[:7]:<8}"
        if priced:
            row += f"{_text(line['price']):>12}{_text(line['totalPrice']):>12}"
        lines.append(row)
    if priced:
        width = len(lines[-1]) if body["products"] else 86
        lines.append("")
        for label, key in (("Items", "itemsValue"), ("Shipping", "shippingValue"), ("Voucher", "voucherValue")):
            lines.append(f"{label:<20}{_text(body[key]):>12} {currency}".rjust(width + 4))
        lines.append(f"{'Total':<20}{_text(body['grandTotalValue']):>12} {currency}".rjust(width + 4))
        for tax in body["taxBreakdown"]:
            label = f"{tax['description']} {tax['taxPercent']}% included"
            lines.append(f"{label:<20}{_text(tax['value']):>12} {currency}".rjust(width + 4))
        if kind == DocumentKind.INVOICE:
            lines += ["", f"Paid. Payment reference {body.get('paymentReference') or '-'}"]
    else:
        lines += ["", f"Packages {body['packages'] or '-'}"]
    return lines


@router.get("/documents/{shipment_id}/{name}", name=ROUTE_NAME, responses=DOCUMENTED)
async def get_document(
    request: Request,
    shipment_id: str,
    name: str,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """A shipment's delivery note, proforma or invoice: data, or a PDF when ``name`` ends in ``.pdf``."""
    echo(request, shipment=shipment_id)
    kind, as_pdf = _kind(name)
    found = await orders.find_shipment_id(api.db, api.write_scope, wire.shipment(shipment_id))
    document = await shipment_document(api.db, found, kind)
    body = views.document_json(document)
    if as_pdf:
        filename = f"{kind}-{document.number}.pdf"
        return Response(
            pdf.render(text_lines(body), title=f"{_TITLES[kind].title()} {document.number}"),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )
    return respond(request, ok(document=body))
