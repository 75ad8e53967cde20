"""The Order API's older spellings still in use by older clients, routed to the current handlers.

``POST /shipment`` creates a shipment as ``POST /shipments`` does, ``GET
/shipment/{id}`` reads one as ``GET /shipments/{id}`` (the route Centra
corrected in 2020-12), and ``PUT /stock`` sets stock as ``POST /stock``. A
whitelist that allows the current spelling allows the older one.
"""

from __future__ import annotations

from tests.api.order.conftest import EAN_M, Wms, make_plugin


def test_post_shipment_creates_a_shipment_as_post_shipments(wms: Wms) -> None:
    world = wms.world
    first = wms.place((world.small, 1))
    second = wms.place((world.small, 1))
    answers = []
    for path, placed in (("/shipments", first), ("/shipment", second)):
        line = wms.get("/orders", order=placed.number)["orders"][0]["products"][0]["lineId"]
        answers.append(wms.send("POST", path, {"order": placed.number, "products": {line: 1}, "capture": False}))
    current, older = answers
    assert older["status"] == "ok", older
    assert older["shipment"] == f"{second.number}-1"
    assert set(older) == set(current)
    # Bad input answers the same way too.
    assert wms.send("POST", "/shipment", {"order": 424242, "products": {"1": 1}})["status"] == "no"


def test_get_shipment_by_its_older_path(wms: Wms) -> None:
    world = wms.world
    placed = wms.place((world.small, 1))
    line = wms.get("/orders", order=placed.number)["orders"][0]["products"][0]["lineId"]
    wms.send("POST", "/shipments", {"order": placed.number, "products": {line: 1}, "capture": False})
    number = f"{placed.number}-1"
    assert wms.get(f"/shipment/{number}") == wms.get(f"/shipments/{number}")
    assert wms.get(f"/shipment/{number}")["shipment"]["shipmentId"] == number
    missing = wms.get("/shipment/424242-1")
    assert missing["status"] == "no"
    assert missing == wms.get("/shipments/424242-1")


def test_put_stock_sets_stock_as_post_stock(wms: Wms) -> None:
    world = wms.world
    answer = wms.send("PUT", "/stock", {"products": [{"product": EAN_M, "quantity": 33}]})
    assert answer == {"status": "ok"}
    assert wms.levels(world.stockholm, world.medium) == (33, 0)
    assert wms.send("PUT", "/stock", {"products": [{"product": EAN_M, "quantity": -1}]})["status"] == "no"
    assert wms.levels(world.stockholm, world.medium) == (33, 0)


def test_a_whitelist_of_current_spellings_allows_the_older_ones(wms: Wms) -> None:
    base, secret = make_plugin(
        wms.api, wms.world, "limited", allowed_endpoints=["POST /stock", "GET /shipments/{shipmentId}"]
    )
    headers = {"API-Authorization": secret}
    client = wms.api.client
    assert client.put(base + "/stock", json={"products": []}, headers=headers).status_code == 200
    assert client.get(base + "/shipment/1-1", headers=headers).json()["status"] == "no"
    # Not allowed: creating shipments, in either spelling.
    assert client.post(base + "/shipment", json={}, headers=headers).status_code == 403
    assert client.post(base + "/shipments", json={}, headers=headers).status_code == 403
