"""Conformance over HTTP: vouchers, the supplier module, ship-from-store allocation and the endpoint whitelist."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.order.conftest import EAN_M, EAN_S, Wms, make_plugin
from tests.api.order.shapes import find, missing_fields

from opencentra.orders import allocation_requests
from opencentra.pricing import vouchers
from opencentra.pricing.models import VoucherType
from opencentra.stores import services as stores
from opencentra.suppliers import services as suppliers


def test_vouchers(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    page = "601.create-voucher"
    percent = {**find(examples, page, "Request examples", 0), "store": world.store, "markets": world.sweden}
    percent["stopDate"] = "2999-07-09"
    created = wms.send("POST", "/voucher", percent)
    assert created.keys() == find(examples, page, "Response example").keys()
    amount = {**find(examples, page, "Request examples", 1), "store": world.store, "markets": [world.sweden]}
    amount.update(stopDate="2999-07-09", valueByPricelist={str(world.pricelist): 100}, code="WELCOME-100")
    by_amount = wms.send("POST", "/voucher", amount)
    assert by_amount["code"] == "WELCOME-100"

    shown = wms.get(f"/vouchers/{created['voucher']}")
    assert missing_fields(find(examples, "603.get-voucher", "Response example", 0), shown) == []
    assert (shown["voucher"]["value"], shown["voucher"]["stopDate"], shown["voucher"]["status"]) == (
        "10",
        "2999-07-09",
        "active",
    )
    priced = wms.get(f"/vouchers/{by_amount['voucher']}")
    # Its keys are pricelist ids, data rather than fields: checked below with ours.
    keyed_by_id = frozenset({"voucher.valueByPricelist"})
    assert missing_fields(find(examples, "603.get-voucher", "Response example", 1), priced, ignore=keyed_by_id) == []
    assert priced["voucher"]["valueByPricelist"] == {str(world.pricelist): 100} and priced["voucher"]["value"] is None

    assert wms.send("POST", "/voucher", {}) == find(examples, page, "Errors example", 0)
    assert wms.send("POST", "/voucher", {**percent, "markets": 2999}) == {
        "status": "no",
        "msg": {"markets": "Market 2999 not found."},
    }
    assert wms.send("POST", "/voucher", {**percent, "value": None}) == find(examples, page, "Errors example", 2)

    clone = find(examples, "602.clone-voucher", "Request example")
    cloned = wms.send("PUT", f"/voucher/{created['voucher']}/clone", {**clone, "stopDate": "2999-01-01"})
    assert cloned == {**find(examples, "602.clone-voucher", "Response example"), "voucher": cloned["voucher"]}
    assert wms.get(f"/vouchers/{cloned['voucher']}")["voucher"]["value"] == "10"
    errors = [find(examples, "602.clone-voucher", "Errors example", n) for n in range(4)]
    assert wms.send("PUT", f"/voucher/{created['voucher']}/clone", {"name": "x"}) == {
        **errors[0],
        "voucher": str(created["voucher"]),
    }
    assert wms.send("PUT", "/voucher/99999/clone", {"stopDate": "2999-01-01"}) == {**errors[1], "voucher": "99999"}
    auto = wms.api.call(
        vouchers.create_voucher,
        vouchers.VoucherSpec(store_id=world.store, name="Auto", type=VoucherType.AUTO, percent_off_bp=500),
    )
    assert wms.send("PUT", f"/voucher/{auto.id}/clone", {"stopDate": "2999-01-01"}) == {
        **errors[2],
        "voucher": str(auto.id),
    }
    other_store = wms.api.call(stores.create_store, "Outlet")
    theirs = wms.api.call(
        vouchers.create_voucher,
        vouchers.VoucherSpec(store_id=other_store.id, name="Theirs", code="THEIRS", percent_off_bp=500),
    )
    assert wms.send("PUT", f"/voucher/{theirs.id}/clone", {"stopDate": "2999-01-01"}) == {
        **errors[3],
        "voucher": str(theirs.id),
    }


def test_supplier_module(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    supplier = wms.api.call(suppliers.create_supplier, "Falca", "ES")
    order = wms.api.call(
        suppliers.create_supplier_order,
        supplier.id,
        world.stockholm,
        [
            suppliers.OrderLineSpec(world.small, 30, Decimal("9.40"), world.currency),
            suppliers.OrderLineSpec(world.medium, 12, Decimal("12.40"), world.currency),
        ],
        message="Text entered by centra admin",
    )
    base, secret = make_plugin(wms.api, world, "inbound", supplier_delivery_warehouse=world.stockholm)
    inbound = Wms(wms.api, world, base, secret)

    listed = inbound.get("/supplier-orders")
    assert missing_fields(find(examples, "501.list-supplier-orders", "Response example"), listed) == []
    assert listed["orders"][0]["productsQty"] == 42
    one = inbound.get(f"/supplier-orders/{order.id}")
    assert missing_fields(find(examples, "502.get-supplier-order", "Response example"), one) == []
    assert [p["cost"] for p in one["order"]["products"]] == ["9.40", "12.40"]

    deliveries = inbound.get("/supplier-deliveries")
    assert missing_fields(find(examples, "503.list-supplier-deliveries", "Response example"), deliveries) == []
    [delivery] = deliveries["deliveries"]
    assert delivery["deliveryId"] == f"{order.id}-1"
    # The plugin without a supplier delivery warehouse sees none.
    assert wms.get("/supplier-deliveries")["deliveries"] == []
    by_number = inbound.get(f"/supplier-deliveries/{delivery['deliveryId']}")
    assert missing_fields(find(examples, "504.get-supplier-delivery", "Response example"), by_number) == []
    details = inbound.get(f"/supplier-deliveries/{delivery['id']}/details")
    assert missing_fields(find(examples, "505.get-supplier-delivery-details", "Response example"), details) == []

    # Accept by EAN on the singular path Centra's example uses; 2 small units short.
    request = find(examples, "506.accept-supplier-delivery", "Request example")
    accepted = inbound.send(
        "POST",
        f"/supplier-delivery/{delivery['id']}",
        {**request, "products": {EAN_S: 28, EAN_M: 12}, "insertStock": True},
    )
    assert missing_fields(find(examples, "506.accept-supplier-delivery", "Response example"), accepted) == []
    follow_up = accepted["additionalDelivery"]
    assert (follow_up["deliveryId"], follow_up["productsQty"]) == (f"{order.id}-2", 2)
    assert wms.levels(world.stockholm, world.small) == (38, 0)
    assert wms.levels(world.stockholm, world.medium) == (22, 0)
    again = inbound.send("POST", f"/supplier-deliveries/{delivery['id']}", {"products": {EAN_S: 1}})
    assert again["status"] == "no"
    # The rest, by SKU, without touching stock (the WMS counts it in itself).
    done = inbound.send(
        "POST", f"/supplier-deliveries/{follow_up['id']}/sku", {"products": {"TEEBLKS": 2}, "insertStock": False}
    )
    assert done == {"status": "ok"}
    assert wms.levels(world.stockholm, world.small) == (38, 0)
    assert inbound.get("/supplier-deliveries")["deliveries"] == []


def test_allocation_requests_and_check_first(wms: Wms, examples: list[dict[str, Any]]) -> None:
    world = wms.world
    order = wms.place((world.small, 11))  # 10 in Stockholm, 1 in Virtual
    request = wms.api.call(allocation_requests.request_confirmation, order.id, world.virtual)

    listed = wms.get("/allocation-requests")
    documented = find(examples, "114.get-allocation-requests", "Response example")
    assert missing_fields(documented, listed) == []
    [shown] = listed["allocation_requests"]
    assert (shown["status"], shown["warehouseName"], shown["order"]["number"]) == ("sent", "Virtual", order.number)
    assert shown["lines"][0]["stockItemId"] == world.small and shown["lines"][0]["quantity"] == 1
    bad = wms.get("/allocation-requests", status="?")
    assert bad == find(examples, "114.get-allocation-requests", "Error examples", 0)

    update = find(examples, "113.update-allocation-request", "Request example")
    rejected = wms.send("PUT", "/allocation-request", {**update, "id": request.id, "status": "rejected"})
    assert rejected == find(examples, "113.update-allocation-request", "Response example")
    # Nothing else in the market has a free unit, so it stays back-ordered.
    assert wms.levels(world.virtual, world.small) == (2, 0)
    assert wms.get("/allocation-requests")["allocation_requests"] == []
    assert wms.get("/allocation-requests", status="all")["allocation_requests"][0]["status"] == "rejected"
    again = wms.send("PUT", "/allocation-request", {"id": request.id, "status": "confirmed"})
    assert again == find(examples, "113.update-allocation-request", "Error examples", 1)
    assert wms.send("PUT", "/allocation-request", {"id": 99999, "status": "confirmed"}) == find(
        examples, "113.update-allocation-request", "Error examples", 2
    )
    invalid = wms.send("PUT", "/allocation-request", {"id": request.id, "status": "maybe"})
    assert invalid == find(examples, "113.update-allocation-request", "Error examples", 5)

    # Check first: the store accepts and the back-ordered unit is allocated in its warehouse.
    check = find(examples, "112.update-check-first", "Request example")
    accepted = wms.send("POST", "/check-first", {**check, "orderNumber": order.number, "warehouseId": world.virtual})
    assert accepted == find(examples, "112.update-check-first", "Response example")
    assert wms.levels(world.virtual, world.small) == (2, 1)
    fields = wms.send("POST", "/check-first", {"orderNumber": "x", "accepted": "perhaps"})
    assert fields == find(examples, "112.update-check-first", "Error examples", 0)
    missing = wms.send("POST", "/check-first", {"orderNumber": 99999, "warehouseId": world.virtual, "accepted": True})
    assert missing == find(examples, "112.update-check-first", "Error examples", 1)
    short = wms.place((world.medium, 12), backorder=True)
    failed = wms.send(
        "POST", "/check-first", {"orderNumber": short.number, "warehouseId": world.virtual, "accepted": True}
    )
    assert failed == find(examples, "112.update-check-first", "Error examples", 2)

    confirmed_request = wms.api.call(allocation_requests.request_confirmation, order.id, world.virtual)
    assert (
        wms.send("PUT", "/allocation-request", {"id": confirmed_request.id, "status": "confirmed"})["success"] is True
    )
    assert wms.send("PUT", "/allocation-request", {"id": confirmed_request.id, "status": "rejected"}) == find(
        examples, "113.update-allocation-request", "Error examples", 0
    )


def test_endpoint_whitelist(wms: Wms, examples: list[dict[str, Any]]) -> None:
    base, secret = make_plugin(
        wms.api, wms.world, "limited", allowed_endpoints=["GET /orders", "PUT /shipments/{shipmentId}", "/stock"]
    )
    headers = {"API-Authorization": secret}
    client = wms.api.client
    assert client.get(base + "/orders", headers=headers).json()["status"] == "ok"
    assert client.get(base + "/stock", headers=headers).status_code == 200
    assert client.post(base + "/stock", json={"products": []}, headers=headers).status_code == 200
    for method, path in (("PUT", "/allocation-request"), ("GET", "/allocation-requests"), ("PUT", "/orders")):
        refused = client.request(method, base + path, json={}, headers=headers)
        assert refused.status_code == 403
        assert refused.json() == find(examples, "113.update-allocation-request", "Error examples", 6)
    assert client.put(base + "/shipments/1-1", json={}, headers=headers).json()["status"] == "no"
