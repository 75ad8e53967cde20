"""Conformance over HTTP: returns (with and without refunds) and customers."""

from __future__ import annotations

from typing import Any

from tests.api.order.conftest import Wms
from tests.api.order.shapes import find, missing_fields

from opencentra.customers import services as customers
from opencentra.customers.models import Customer
from opencentra.db.engine import Database


async def customers_in(db: Database, store_id: int) -> Customer:
    async with db.write() as session:
        return await customers.ensure_guest_customer(session, store_id, "guest@example.com")


def _shipped(wms: Wms, *lines: tuple[int, int]) -> tuple[int, str, list[str]]:
    order = wms.place(*lines)
    [shown] = wms.get("/orders", order=order.number)["orders"]
    line_ids = [p["lineId"] for p in shown["products"]]
    products = {line: p["qty"] for line, p in zip(line_ids, shown["products"], strict=True)}
    created = wms.send("POST", "/shipments", {"order": order.number, "products": products, "shipped": True})
    return order.number, created["shipment"], line_ids


def test_create_list_and_update_returns(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    number, shipment, (small, medium) = _shipped(wms, (world.small, 2), (world.medium, 1))
    page = "201.create-return"

    request = find(examples, page, "Request example")
    answer = wms.send("POST", "/return", {**request, "shipment": shipment, "products": {small: "1", medium: "1"}})
    assert missing_fields(find(examples, page, "Response example"), answer) == []
    assert (answer["returnCompleted"], answer["returnedItems"]) == (False, [small, medium])

    with_refund = find(examples, page, "Request example including refund")
    refunded = wms.send("POST", "/return", {**with_refund, "shipment": shipment, "products": {small: 1}})
    assert missing_fields(find(examples, page, "Response example including refund"), refunded) == []
    assert refunded["returnCompleted"] is True and refunded["refund"] == {"status": "ok"}

    listed = wms.get("/returns", limit=2)
    assert missing_fields(find(examples, "202.get-returns", "Response example"), listed) == []
    # Newest first.
    assert [r["returnId"] for r in listed["returns"]] == [refunded["return"], answer["return"]]
    assert listed["returns"][0]["createdFrom"] == "Order API" and listed["returns"][0]["refunded"] is True
    assert [r["returnId"] for r in wms.get("/returns", limit=1, page=2)["returns"]] == [answer["return"]]
    assert len(wms.get("/returns", order=number)["returns"]) == 2
    assert wms.get("/returns", shipment="999-1")["returns"] == []
    assert [r["returnId"] for r in wms.get("/returns", **{"return": answer["return"]})["returns"]] == [answer["return"]]

    update = find(examples, "203.update-return", "Request example")
    updated = wms.send("PUT", f"/returns/{answer['return']}", update)
    assert missing_fields(find(examples, "203.update-return", "Response example"), updated) == []
    assert updated["return"]["completed"] is True
    missing = wms.send("PUT", "/returns/100500", update)
    assert missing == find(examples, "203.update-return", "Error example")

    # More than was shipped (the medium line shipped 1 and returned 1) is refused and changes nothing.
    refused = wms.send("POST", "/return", {"shipment": shipment, "products": {medium: 1}})
    assert refused["status"] == "no" and f"products.{medium}" in refused["msg"]
    assert len(wms.get("/returns")["returns"]) == 2


def test_return_costs_and_reopening(wms: Wms) -> None:
    world = wms.world
    _number, shipment, (small,) = _shipped(wms, (world.small, 2))
    answer = wms.send(
        "POST",
        "/return",
        {
            "shipment": shipment,
            "products": {small: 2},
            "returnStock": 0,
            "shippingCostFromShipment": True,
            "returnCost": 10,
        },
    )
    [shown] = wms.get("/returns")["returns"]
    assert (shown["shippingCost"], shown["returnCost"], shown["refundValue"], shown["returnToStock"]) == (
        49,
        10,
        239,
        False,
    )
    wms.send("PUT", f"/returns/{answer['return']}", {"completed": True})
    reopened = wms.send("PUT", f"/returns/{answer['return']}", {"completed": False})
    assert reopened["return"]["completed"] is False
    refunded = wms.send("PUT", f"/returns/{answer['return']}", {"refundPayment": True})
    assert refunded["return"]["completed"] is True and refunded["return"]["refunded"] is True
    assert wms.send("PUT", f"/returns/{answer['return']}", {"completed": False})["status"] == "no"
    both = wms.send("POST", "/return", {"shipment": shipment, "shippingCost": 1, "shippingCostFromShipment": 1})
    assert both["status"] == "no" and "shippingCost" in both["msg"]


def test_customers(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    listed = wms.get("/customers", limit=5, offset=0)
    assert missing_fields(find(examples, "401.list-customers", "Response example"), listed) == []
    [ada] = listed["customers"]
    assert (ada["customerId"], ada["email"], ada["registered"], ada["consents"]) == (
        str(world.customer),
        "ada@example.com",
        True,
        [],
    )

    got = wms.get(f"/customers/{world.customer}")
    assert missing_fields(find(examples, "402.get-customer", "Response example"), got) == []

    request = find(examples, "403.update-customer", "Request example")
    updated = wms.send("PUT", f"/customers/{world.customer}", request)
    assert missing_fields(find(examples, "403.update-customer", "Response example"), updated) == []
    customer = updated["customer"]
    assert (customer["firstName"], customer["city"], customer["country"], customer["address2"]) == (
        "Benjamin",
        "BRIGHTON",
        "US",
        "New Address2",
    )
    assert wms.get("/customers", email="ADA@example.com")["customers"][0]["lastName"] == "Simon"
    not_found = find(examples, "403.update-customer", "Error example")
    assert wms.send("PUT", "/customers/999999", request) == not_found
    assert wms.get("/customers/999999") == not_found

    guest = wms.api.call(lambda db: customers_in(db, world.store))
    anonymized = wms.send("PUT", f"/anonymize-customer/{guest.id}")
    assert anonymized == find(examples, "404.anonymize-customer", "Response example")
    assert wms.send("PUT", f"/anonymize-customer/{guest.id}") == find(
        examples, "404.anonymize-customer", "Error example", 1
    )
    assert wms.send("PUT", "/anonymize-customer/999999") == find(examples, "404.anonymize-customer", "Error example", 0)
    assert [c["customerId"] for c in wms.get("/customers")["customers"]] == [str(world.customer)]
