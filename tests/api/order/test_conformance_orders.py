"""Conformance over HTTP: orders, shipments and captures against Centra's documented examples.

Each test sends the documented request (with our ids in place of the
example's) and checks that every documented response field is there with
its JSON type, for the success envelope and for the documented failures.
Fields we do not serve are listed with the reason in docs/compatibility/order-api.md.
"""

from __future__ import annotations

from typing import Any

from tests.api.order.conftest import Wms, make_plugin
from tests.api.order.shapes import find, missing_fields

from opencentra import orders

ORDERS = "104.get-orders"
# No bundles in the catalogue; no localized sizes; wholesale terms are not modelled.
NOT_SERVED = frozenset(
    {
        "orders[].products[].isPartOfBundle",
        "orders[].products[].bundle",
        "shipments[].products[].isPartOfBundle",
        "shipments[].products[].bundle",
        "shipment.products[].isPartOfBundle",
    }
)


def _lines(wms: Wms, number: int) -> list[str]:
    [order] = wms.get("/orders", order=number)["orders"]
    return [product["lineId"] for product in order["products"]]


def test_get_orders_has_every_documented_field(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    order = wms.place((world.small, 1), (world.medium, 2))
    line = _lines(wms, order.number)[0]
    wms.send("POST", "/shipments", {"order": order.number, "products": {line: 1}, "capture": False})

    # The documented request: a "+" for the space in the date.
    response = wms.api.client.get(
        wms.base + "/orders?newer_than=2019-01-01+12:11:39&limit=10", headers=wms.headers
    ).json()

    documented = find(examples, ORDERS, "Response example")
    assert missing_fields(documented, response, ignore=NOT_SERVED) == []
    [ours] = response["orders"]
    assert ours["orderId"] == str(order.number)
    assert [p["qty"] for p in ours["products"]] == [1, 2]
    assert ours["products"][0]["warehouses"] == [{"name": "Stockholm", "itemQty": 1}]
    assert ours["shipments"][0]["shipmentId"] == f"{order.number}-1"
    assert ours["orderStatus"] == "3"
    assert (ours["grandTotalValue"], ours["shippingValue"], ours["taxBreakdown"][0]["taxPercent"]) == (349, 49, 25)


def test_get_orders_paging_filters_and_plugin_scope(wms: Wms) -> None:
    world = wms.world
    first = wms.place()
    second = wms.place()
    norwegian = wms.place(market_id=world.norway)
    held = wms.place()
    wms.api.call(orders.set_hold, held.id, True)

    numbers = [o["orderId"] for o in wms.get("/orders")["orders"]]
    # Newest first (the plugin default); another market's and held orders are not shown.
    assert numbers == [str(second.number), str(first.number)]
    assert [o["orderId"] for o in wms.get("/orders", limit=1, offset=1)["orders"]] == [str(first.number)]
    assert wms.get("/orders", order=norwegian.number)["orders"] == []
    assert wms.get("/orders", customer_id=world.customer + 100)["orders"] == []
    assert wms.get("/orders", newer_than="2999-01-01")["orders"] == []
    assert len(wms.get("/orders", older_than="2999-01-01 00:00:00")["orders"]) == 2

    # Another plugin on the same store: oldest first, every market, hold orders included.
    base, secret = make_plugin(
        wms.api, world, "erp", markets=[], newest_first=False, include_hold_and_waiting_for_payment=True
    )
    everything = wms.api.client.get(base + "/orders", headers={"API-Authorization": secret}).json()["orders"]
    assert [o["orderId"] for o in everything] == [
        str(n) for n in (first.number, second.number, norwegian.number, held.number)
    ]
    assert [o["hold"] for o in everything] == [0, 0, 0, 1]


def test_update_order(wms: Wms, examples: list[dict[str, Any]]) -> None:
    order = wms.place()
    request = find(examples, "105.update-order", "Request example")
    answer = wms.send("PUT", "/orders", {**request, "order": order.number})
    assert answer == {**find(examples, "105.update-order", "Response example"), "order": order.number}
    wms.send(
        "PUT",
        "/orders",
        {
            "order": str(order.number),
            "internalComment": "second",
            "comment": "hi",
            "extraAttributes": {"erp_id": "E-1"},
        },
    )
    [shown] = wms.get("/orders", order=order.number)["orders"]
    assert (shown["internalComment"], shown["otherComment"], shown["erp_id"]) == ("test\nsecond", "hi", "E-1")
    wms.send("PUT", "/orders", {"order": order.number, "internalComment": "new", "replaceInternalComment": 1})
    wms.send("PUT", "/orders", {"order": order.number, "extraAttributes": {"erp_id": ""}})
    [shown] = wms.get("/orders", order=order.number)["orders"]
    assert shown["internalComment"] == "new" and "erp_id" not in shown

    norwegian = wms.place(market_id=wms.world.norway)
    refused = wms.send("PUT", "/orders", {"order": norwegian.number, "internalComment": "x"})
    documented = find(examples, "105.update-order", "Error example")
    assert refused == {**documented, "order": norwegian.number}
    assert wms.send("PUT", "/orders", {"order": 999999})["msg"] == "order does not exist"


def test_create_shipment_and_its_failures(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    order = wms.place((world.small, 1), (world.medium, 2))
    first, second = _lines(wms, order.number)
    request = find(examples, "106.create-shipment", "Request example")
    assert set(request) == {"order", "products"}
    created = wms.send("POST", "/shipments", {"order": order.number, "products": {first: 1, second: 2}})
    documented = find(examples, "106.create-shipment", "Response example")
    assert missing_fields(documented, created, ignore=frozenset({"invoice"})) == []
    assert (created["order"], created["shipment"]) == (order.number, f"{order.number}-1")
    # Captured by default (the plugin's capture_on_shipment).
    shown = wms.get(f"/shipments/{created['shipment']}")["shipment"]
    assert (shown["paid"], shown["shouldCapture"]) == (1, 0)

    refused = wms.send("POST", "/shipments", {"order": "1337", "products": {first: 1}})
    assert refused == find(examples, "106.create-shipment", "Error examples", 0)


def test_get_shipments_has_every_documented_field(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    order = wms.place((world.small, 1), (world.medium, 2))
    first, second = _lines(wms, order.number)
    wms.send("POST", "/shipments", {"order": order.number, "products": {first: 1, second: 2}, "gtg": True})
    other = wms.place()
    open_one = wms.send("POST", "/shipments", {"order": other.number, "products": {_lines(wms, other.number)[0]: 1}})

    response = wms.get("/shipments", limit=5)

    documented = find(examples, "107.get-shipments", "Response example")
    assert missing_fields(documented, response, ignore=NOT_SERVED) == []
    # Good-To-Go only by default; the others by status.
    assert [s["shipmentId"] for s in response["shipments"]] == [f"{order.number}-1"]
    assert response["shipments"][0]["products"][1]["warehouses"] == [{"name": "Stockholm", "itemQty": "2"}]
    in_progress = wms.get("/shipments", status="inprogress")["shipments"]
    assert [s["shipmentId"] for s in in_progress] == [open_one["shipment"]]
    assert wms.get("/shipments", status="completed")["shipments"] == []
    assert wms.get("/shipments", status="inprogress", limit=101)["msg"] == {"limit": "limit is at most 100"}
    assert wms.get("/shipments", status="shipped")["status"] == "no"


def test_update_shipment_and_its_refusals(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    order = wms.place((world.small, 2), (world.medium, 2))
    first, second = _lines(wms, order.number)
    shipment = wms.send("POST", "/shipments", {"order": order.number, "products": {first: 1}, "capture": False})
    number = shipment["shipment"]

    request = find(examples, "108.update-shipment", "Request example")
    body = {"gtg": request["gtg"], "products": {first: 2, second: {"serialNumber": "SN-1", "qty": 1}}}
    updated = wms.send("PUT", f"/shipments/{number}", body)
    documented = find(examples, "108.update-shipment", "Response example")
    assert missing_fields(documented, updated, ignore=NOT_SERVED) == []
    assert [p["qty"] for p in updated["shipment"]["products"]] == [2, 1]
    assert updated["shipment"]["gtg"] == 1
    # Still 2 of the first line's 2 units: the shipment's lines were replaced, not added to.
    too_many = wms.send("PUT", f"/shipments/{number}", {"products": {first: 3}})
    assert too_many["msg"] == {f"products.{first}": f"line {first} has 2 left to ship, not 3"}

    wms.send("PUT", "/capture", {"shipment": number})
    captured = wms.send("PUT", f"/shipments/{number}", {"products": {first: 1}})
    assert captured == {**find(examples, "108.update-shipment", "Error example", 2), "shipment": number}
    wms.send("PUT", "/shipment", {"order": order.number, "shipment": number, "tracking": "T"})
    sent = wms.send("PUT", f"/shipments/{number}", {"products": {first: 1}})
    assert sent == {**find(examples, "108.update-shipment", "Error example", 0), "shipment": number}


def test_complete_capture_and_delete_shipment(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    order = wms.place((world.small, 2))
    [line] = _lines(wms, order.number)
    shipment = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 1}, "capture": False})
    number = shipment["shipment"]

    # Capture on its own.
    assert find(examples, "110.capture-shipment", "Request example").keys() == {"shipment"}
    captured = wms.send("PUT", "/capture", {"shipment": number})
    assert captured == {
        **find(examples, "110.capture-shipment", "Response example"),
        "order": order.number,
        "shipment": number,
    }
    again = wms.send("PUT", "/capture", {"shipment": number})
    assert again["status"] == "no" and again["shipment"] == number and again["order"] == order.number

    # Complete with tracking: the documented request, with a string order id.
    request = {
        **find(examples, "109.complete-shipment", "Request example"),
        "order": str(order.number),
        "shipment": number,
    }
    completed = wms.send("PUT", "/shipment", request)
    assert completed == {
        **find(examples, "109.complete-shipment", "Response example"),
        "order": order.number,
        "shipment": number,
    }
    shown = wms.get(f"/shipments/{number}")["shipment"]
    assert (shown["trackingNumber"], shown["returnSlipTracking"], shown["defaultCarrier"]) == (
        "TRTTET5",
        "TRTTET6",
        "Fedex",
    )
    [listed] = wms.get("/orders", order=order.number)["orders"]
    assert (
        listed["shipments"][0]["trackingId"] == "TRTTET5"
        and listed["shipments"][0]["shippedDate"] != "0000-00-00 00:00:00"
    )

    # Delete: an open uncaptured shipment goes; a captured one is refused as documented.
    open_one = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 1}, "capture": False})
    removed = wms.send("DELETE", f"/shipments/{open_one['shipment']}")
    assert removed == {
        **find(examples, "111.delete-shipment", "Response example"),
        "order": order.number,
        "shipment": open_one["shipment"],
    }
    kept = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 1}})
    refused = wms.send("DELETE", f"/shipments/{kept['shipment']}")
    assert refused == {**find(examples, "111.delete-shipment", "Error example"), "shipment": kept["shipment"]}


def test_create_order_batch_and_complete(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    request = find(examples, "101.create-order", "Request example")
    # Our products in place of the example's, by EAN and by the full SKU.
    request["products"][0]["ean"] = "7350000000016"
    request["products"][1]["sku"] = "TEEBLKM"
    request["voucherCodes"] = []
    created = wms.send("POST", "/order", request)
    assert created.keys() == find(examples, "101.create-order", "Response examples", 0).keys(), created
    [number] = created["orders"]
    [shown] = wms.get("/orders", order=number)["orders"]
    assert [(p["qty"], p["price"], p["originalPrice"], p["sku"]) for p in shown["products"]] == [
        (2, 14.11, 100.11, "SPECIAL-SKU-FOR-THIS-ONE"),
        (1, 12.11, 50.22, "TEE"),
    ]
    assert (shown["deliveryCountry"], shown["billingCountry"], shown["orderStatus"]) == ("US", "SE", "2")

    only = wms.send("POST", "/order", {**request, "createOnly": True})
    assert only.keys() == find(examples, "101.create-order", "Response examples", 1).keys()
    assert wms.get("/orders", order=only["order"])["orders"] == []  # incomplete orders are not listed
    completed = wms.send("POST", f"/order/{only['order']}", find(examples, "103.complete-order", "Request example"))
    assert completed == {**find(examples, "103.complete-order", "Response example"), "orders": [str(only["order"])]}
    assert wms.get("/orders", order=only["order"])["orders"][0]["otherComment"].endswith("here is a comment")

    failed = wms.send("POST", "/order", {**request, "products": [{"qty": 1, "ean": "0000000000000"}]})
    assert failed.keys() == find(examples, "101.create-order", "Error example").keys()
    assert failed["code"] == -1
    assert wms.send("POST", "/order", {**request, "products": []})["code"] == -3
    assert wms.send("POST", "/order", {**request, "products": [{"qty": 99, "sku": "TEEBLKM"}]})["code"] == -2
    assert wms.send("POST", "/order", {**request, "orderNumber": number})["code"] == -5
    assert wms.send("POST", "/order", {"products": [{"qty": 1, "sku": "TEEBLKM"}]})["code"] == -4

    batch = find(examples, "102.create-orders", "Request example")
    batch["x123"]["products"] = request["products"]
    batch["a1"] = {**request, "products": []}
    results = wms.send("POST", "/orders", batch)
    assert results["x123"]["status"] == "ok" and results["a1"] == {
        "status": "no",
        "code": -3,
        "msg": {"products": "the order is empty"},
    }
    assert results.keys() == find(examples, "102.create-orders", "Error examples", 0).keys()

    base, secret = make_plugin(wms.api, world, "no-create", allow_order_create=False)
    refused = wms.api.client.post(base + "/order", json=request, headers={"API-Authorization": secret}).json()
    assert (refused["status"], refused["code"]) == ("no", -7)
