"""``xml=1`` returns the same data as the JSON response, as XML (query string or body flag)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from tests.api.order.conftest import EAN_S, Wms


def from_xml(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    if all(child.tag == "item" and "key" not in child.attrib for child in children):
        return [from_xml(child) for child in children]
    return {child.attrib.get("key", child.tag): from_xml(child) for child in children}


def as_text(value: Any) -> Any:
    """The JSON value as the XML carries it: leaves as text, empty containers empty."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()} if value else ""
    if isinstance(value, list):
        return [as_text(v) for v in value] if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def test_xml_carries_the_same_data(wms: Wms) -> None:
    world = wms.world
    order = wms.place((world.small, 1), (world.medium, 1))
    [shown] = wms.get("/orders")["orders"]
    products = {p["lineId"]: 1 for p in shown["products"]}
    wms.send("POST", "/shipments", {"order": order.number, "products": products, "gtg": 1, "shipped": 1})
    wms.send("POST", "/return", {"shipment": f"{order.number}-1"})

    for path, params in (
        ("/orders", {}),
        ("/shipments", {"status": "completed"}),
        ("/returns", {}),
        ("/stock", {"limit": 1}),
        ("/products", {"limit": 1}),
        ("/customers", {}),
        ("/orders", {"newer_than": "not a date"}),
    ):
        data = wms.get(path, **params)
        response = wms.api.client.get(wms.base + path, params={**params, "xml": 1}, headers=wms.headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/xml")
        assert from_xml(ElementTree.fromstring(response.content)) == as_text(data), path

    # The body's "xml" flag works too, for writes and their failures.
    for body in ({"order": order.number, "internalComment": "x", "xml": 1}, {"order": 99999, "xml": True}):
        response = wms.api.client.put(wms.base + "/orders", json=body, headers=wms.headers)
        parsed = from_xml(ElementTree.fromstring(response.content))
        json_answer = wms.send("PUT", "/orders", {k: v for k, v in body.items() if k != "xml"})
        assert parsed == as_text(json_answer)
    stock = wms.api.client.post(
        wms.base + "/stock?xml=1", json={"products": [{"product": EAN_S, "quantity": 3}]}, headers=wms.headers
    )
    assert from_xml(ElementTree.fromstring(stock.content)) == {"status": "ok"}
