"""GET /supplier-deliveries/{id}/details: the customer orders whose back-orders the delivery fills."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tests.api.order.conftest import EAN_S, Wms, make_plugin
from tests.api.order.shapes import find, missing_fields

from opencentra.suppliers import services as suppliers


def test_details_list_the_orders_a_delivery_fills_first_come_first_served(
    wms: Wms, examples: list[dict[str, Any]]
) -> None:
    world = wms.world
    # Sweden draws Stockholm (10 S) then Virtual (2 S): 14 leaves 2 back-ordered.
    first = wms.place((world.small, 14), backorder=True)
    # Norway (not the plugin's market) draws Stockholm only: all of it waits, and it is older than `last`.
    hidden = wms.place((world.small, 1), market_id=world.norway, backorder=True)
    last = wms.place((world.small, 3), (world.medium, 1), backorder=True)
    supplier = wms.api.call(suppliers.create_supplier, "Falca", "ES")
    early = wms.api.call(
        suppliers.create_supplier_order,
        supplier.id,
        world.stockholm,
        [suppliers.OrderLineSpec(world.small, 4, Decimal("9.40"), world.currency)],
        eta=datetime(2030, 1, 1, tzinfo=UTC),
    )
    late = wms.api.call(
        suppliers.create_supplier_order,
        supplier.id,
        world.stockholm,
        [
            suppliers.OrderLineSpec(world.small, 5, Decimal("9.40"), world.currency),
            suppliers.OrderLineSpec(world.medium, 5, Decimal("12.40"), world.currency),
        ],
        eta=datetime(2030, 2, 1, tzinfo=UTC),
    )
    base, secret = make_plugin(wms.api, world, "inbound", supplier_delivery_warehouse=world.stockholm)
    inbound = Wms(wms.api, world, base, secret)

    def reserved(supplier_order_id: int) -> list[tuple[str, list[tuple[str, int]]]]:
        body = inbound.get(f"/supplier-deliveries/{supplier_order_id}-1/details")
        assert body["status"] == "ok" and "products" not in body["delivery"]
        return [(o["orderId"], [(p["ean"], p["quantity"]) for p in o["products"]]) for o in body["delivery"]["orders"]]

    # The early delivery's 4 S: 2 to `first`, 1 to `hidden` (not shown to this plugin), 1 to `last`.
    assert reserved(early.id) == [(str(first.number), [(EAN_S, 2)]), (str(last.number), [(EAN_S, 1)])]
    # The late one's S fill the 2 `last` still misses; the medium Stockholm had in stock.
    assert reserved(late.id) == [(str(last.number), [(EAN_S, 2)])]
    assert hidden.number not in {o for o, _ in reserved(early.id)}

    details = inbound.get(f"/supplier-deliveries/{early.id}-1/details")
    documented = find(examples, "505.get-supplier-delivery-details", "Response example")
    assert missing_fields(documented, details) == []
    [shown, _] = details["delivery"]["orders"]
    assert (shown["deliveryName"], shown["deliveryCity"], shown["deliveryCountry"]) == ("Ada L", "Lund", "SE")
    assert shown["products"][0]["cost"] == "9.40" and shown["products"][0]["costCurrency"] == "SEK"

    # Once the early delivery is accepted into stock, the late one is first in line.
    inbound.send("POST", f"/supplier-deliveries/{early.id}-1", {"products": {EAN_S: 4}})
    # Accepting raised physical stock but did not allocate it: the back-orders still wait,
    # so the late delivery now serves them from the oldest order on.
    assert reserved(late.id) == [(str(first.number), [(EAN_S, 2)]), (str(last.number), [(EAN_S, 2)])]
    as_xml = wms.api.client.get(
        f"{base}/supplier-deliveries/{late.id}-1/details", params={"xml": 1}, headers=inbound.headers
    )
    assert as_xml.headers["content-type"].startswith("application/xml")
    assert f"<orderId>{last.number}</orderId>" in as_xml.text and "<quantity>2</quantity>" in as_xml.text
