"""Shipment documents: delivery note, proforma and invoice, as data (JSON, XML) and as PDFs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.api.order.conftest import Wms, make_plugin

PDF_OBJECT = re.compile(rb"(\d+) 0 obj")


def _path(url: str) -> str:
    """The URL's path below the plugin's base, for the test client."""
    return urlsplit(url).path


def _check_pdf(data: bytes) -> str:
    """A well-formed PDF (header, xref offsets that point at their objects, trailer); its text."""
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    start = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[start:].startswith(b"xref")
    entries = data[start:].split(b"\n")[2:]
    offsets = [int(e.split()[0]) for e in entries if e.endswith(b" n ")]
    for number, offset in enumerate(offsets, start=1):
        assert data[offset:].startswith(f"{number} 0 obj".encode())
    return " ".join(m.decode("cp1252") for m in re.findall(rb"\((.*?)\) Tj", data))


def test_documents_of_a_shipment(wms: Wms) -> None:
    world = wms.world
    order = wms.place((world.small, 2), (world.medium, 1), tax_minor=7460)
    lines = {p["size"]: p["lineId"] for p in wms.get("/orders", order=order.number)["orders"][0]["products"]}
    created = wms.send(
        "POST", "/shipments", {"order": order.number, "products": {lines["S"]: 2, lines["M"]: 1}, "capture": False}
    )
    number = created["shipment"]
    # Not captured yet: a delivery note and a proforma, no invoice.
    assert "invoice" not in created
    assert created["deliveryNote"].endswith(f"/documents/{number}/delivery-note.pdf")
    assert created["proforma"].endswith(f"/documents/{number}/proforma.pdf")
    [listed] = wms.get("/shipments", status="inprogress")["shipments"]
    assert (listed["deliveryNote"], listed["proforma"], listed["invoices"]) == (
        created["deliveryNote"],
        created["proforma"],
        [],
    )
    no_invoice = wms.get(f"/documents/{number}/invoice")
    assert no_invoice == {
        "status": "no",
        "msg": f"shipment {number} has no invoice: it is not captured",
        "shipment": number,
    }

    proforma = wms.get(f"/documents/{number}/proforma")["document"]
    assert (proforma["type"], proforma["number"], proforma["orderId"], proforma["shipmentId"]) == (
        "proforma",
        number,
        str(order.number),
        number,
    )
    assert [(p["size"], p["qty"], p["price"], p["totalPrice"]) for p in proforma["products"]] == [
        ("S", 2, 100, 200),
        ("M", 1, 100, 100),
    ]
    assert (proforma["itemsValue"], proforma["shippingValue"], proforma["grandTotalValue"]) == (300, 49, 349)
    # The VAT of what the shipment captures, shipping included (349.00 at 25 %), as Centra's example.
    assert proforma["taxBreakdown"] == [{"description": "VAT", "taxPercent": 25, "value": 69.8}]
    assert proforma["billingCity"] == "Lund" and proforma["paid"] == 0

    wms.send("PUT", "/shipment", {"shipment": number, "carrier": "PostNord", "tracking": "PN42", "packages": 2})
    note = wms.get(f"/documents/{number}/delivery-note")["document"]
    assert (note["defaultCarrier"], note["trackingNumber"], note["packages"]) == ("PostNord", "PN42", 2)
    assert "price" not in note["products"][0] and "grandTotalValue" not in note
    assert note["date"] != "0000-00-00 00:00:00"

    # Captured while completing: now it has an invoice, dated at the capture.
    [shipped] = wms.get("/shipments", status="completed")["shipments"]
    assert len(shipped["invoices"]) == 1 and shipped["invoices"][0].endswith(f"/documents/{number}/invoice.pdf")
    invoice = wms.get(f"/documents/{number}/invoice")["document"]
    assert (invoice["type"], invoice["paid"], invoice["grandTotalValue"]) == ("invoice", 1, 349)
    assert invoice["paymentReference"].startswith("test-capture-")

    response = wms.api.client.get(_path(shipped["invoices"][0]), headers=wms.headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = _check_pdf(response.content)
    assert f"INVOICE {number}" in text and "PN42" in text and "349" in text
    note_pdf = wms.api.client.get(_path(shipped["deliveryNote"]), headers=wms.headers)
    assert "DELIVERY NOTE" in _check_pdf(note_pdf.content)

    as_xml = wms.api.client.get(f"{wms.base}/documents/{number}/invoice", params={"xml": 1}, headers=wms.headers)
    assert as_xml.headers["content-type"].startswith("application/xml")
    assert f"<number>{number}</number>" in as_xml.text and "<type>invoice</type>" in as_xml.text

    # Bad input: an unknown kind or shipment, a shipment of another market, no credentials.
    assert wms.get(f"/documents/{number}/receipt")["msg"] == {
        "document": "invalid value, expected delivery-note, proforma or invoice"
    }
    assert wms.get("/documents/999999-1/invoice")["status"] == "no"
    theirs = wms.place(market_id=world.norway)
    [line] = [p["lineId"] for p in wms.api.call(_order_lines, theirs.id)]
    other = Wms(wms.api, world, *make_plugin(wms.api, world, "norway", markets=[world.norway]))
    their_shipment = other.send("POST", "/shipments", {"order": theirs.number, "products": {line: 2}})["shipment"]
    assert wms.get(f"/documents/{their_shipment}/proforma")["status"] == "no"
    assert other.get(f"/documents/{their_shipment}/invoice")["status"] == "ok"
    unauthorized = wms.api.client.get(f"{wms.base}/documents/{number}/invoice")
    assert unauthorized.status_code == 401


async def _order_lines(db: object, order_id: int) -> list[dict[str, str]]:
    from opencentra.db.engine import Database
    from opencentra.orders import queries

    assert isinstance(db, Database)
    details = await queries.order_details(db, order_id)
    return [{"lineId": str(line.id)} for line in details.order.lines]


def test_the_whitelist_lets_documents_through_with_a_shipments_endpoint(wms: Wms) -> None:
    world = wms.world
    order = wms.place()
    [line] = [p["lineId"] for p in wms.get("/orders", order=order.number)["orders"][0]["products"]]
    number = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 2}})["shipment"]
    shipping = Wms(wms.api, world, *make_plugin(wms.api, world, "ship", allowed_endpoints=["GET /shipments"]))
    assert shipping.get(f"/documents/{number}/invoice")["status"] == "ok"
    stock_only = Wms(wms.api, world, *make_plugin(wms.api, world, "stock", allowed_endpoints=["GET /stock"]))
    refused = wms.api.client.get(f"{stock_only.base}/documents/{number}/invoice", headers=stock_only.headers)
    assert (refused.status_code, refused.json()) == (403, {"status": "Not Allowed"})


def test_a_long_document_spans_pages() -> None:
    from opencentra.api.order import pdf

    lines = [f"line {n} (with parentheses) and a backslash \\ and åäö" for n in range(200)]
    data = pdf.render(lines, title="Long")
    assert data.count(b"/Type /Page ") == -(-200 // pdf.LINES_PER_PAGE)
    text = _check_pdf(data)
    assert "line 199 \\(with parentheses\\)" in text
