"""A WMS runs its whole job against the demo store, over HTTP, with the stock checked at every step.

The order is placed with ``orders.insert_order`` (through ``create_order``)
from a draft built out of the demo seed's data, as the Checkout API would;
the DTC store's "Autoconfirm Orders" confirms it. Then the WMS sees it,
ships it (Good-To-Go, completed with tracking, captured), the customer
returns part of it, and it is refunded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from tests.conftest import ApiHarness

from opencentra import orders
from opencentra.address import Address
from opencentra.customers.services import ensure_guest_customer
from opencentra.db.engine import Database
from opencentra.demo.seed import seed_demo
from opencentra.inventory import services as inventory
from opencentra.inventory.models import Stock
from opencentra.orders.models import Order, PaymentTransaction
from opencentra.stores.models import Currency, Market, Pricelist, Store, Warehouse


async def _demo(db: Database) -> dict[str, Any]:
    result = await seed_demo(db)
    plugin = next(p for p in result.plugins if p.type == "order")
    async with db.read() as session:
        store = await session.scalar(select(Store).where(Store.type == "DTC"))
        assert store is not None
        market = await session.scalar(select(Market).where(Market.store_id == store.id, Market.name == "Nordics"))
        pricelist = await session.scalar(
            select(Pricelist).where(Pricelist.store_id == store.id, Pricelist.name == "SEK")
        )
        currency = await session.scalar(select(Currency).where(Currency.code == "SEK"))
        primary = await session.scalar(select(Warehouse).where(Warehouse.name == "Stockholm Central"))
        assert market and pricelist and currency and primary
        sizes = list(
            await session.scalars(
                select(Stock.product_size_id)
                .where(Stock.warehouse_id == primary.id, Stock.physical >= 5)
                .order_by(Stock.product_size_id)
                .limit(2)
            )
        )
    async with db.write() as session:
        customer = await ensure_guest_customer(session, store.id, "wms-flow@example.com")
    return {
        "base": plugin.base,
        "secret": plugin.secret,
        "store": store.id,
        "autoconfirm": store.autoconfirm_orders,
        "market": market.id,
        "pricelist": pricelist.id,
        "currency": currency.id,
        "warehouse": primary.id,
        "sizes": sizes,
        "customer": customer.id,
    }


def test_a_wms_runs_its_whole_job(api: ApiHarness) -> None:
    demo = api.call(_demo)
    assert demo["autoconfirm"] is True
    headers = {"API-Authorization": demo["secret"]}
    base = demo["base"]
    first, second = demo["sizes"]
    warehouse = demo["warehouse"]

    def level(size: int) -> tuple[int, int]:
        [found] = api.call(inventory.stock_levels, warehouse_ids=[warehouse], product_size_ids=[size])
        return found.physical, found.allocated

    def stock(size: int) -> dict[str, int]:
        [row] = api.client.get(f"{base}/stock", params={"stockItemId": size}, headers=headers).json()["products"]
        return {k: row[k] for k in ("physicalStock", "allocatedStock", "availableStock")}

    start = {size: level(size) for size in (first, second)}
    start_api = stock(first)

    # 1. Checkout places the order (insert_order); Autoconfirm makes it confirmed at once.
    draft = orders.OrderDraft(
        store_id=demo["store"],
        market_id=demo["market"],
        pricelist_id=demo["pricelist"],
        currency_id=demo["currency"],
        customer_id=demo["customer"],
        email="wms-flow@example.com",
        billing=Address(first_name="Wanda", last_name="Flow", address1="Lagergatan 1", city="Malmö", country="SE"),
        lines=[
            orders.LineDraft("Demo item", 2, 50000, product_size_id=first, tax_bp=2500),
            orders.LineDraft("Demo item", 1, 30000, product_size_id=second, tax_bp=2500),
        ],
        shipping_minor=4900,
        payment_provider="test",
        payment_reference="psp-wms",
    )
    order = api.call(orders.create_order, draft)
    assert level(first) == (start[first][0], start[first][1] + 2)
    assert stock(first) == {
        "physicalStock": start_api["physicalStock"],
        "allocatedStock": start_api["allocatedStock"] + 2,
        "availableStock": start_api["availableStock"] - 2,
    }

    # 2. The WMS sees it, confirmed.
    listed = api.client.get(f"{base}/orders", params={"order": order.number}, headers=headers).json()
    [seen] = listed["orders"]
    assert seen["orderStatus"] == "2"
    lines = {p["lineId"]: p["qty"] for p in seen["products"]}

    # 3. It picks: a Good-To-Go shipment, not captured yet; nothing leaves the shelf.
    created = api.client.post(
        f"{base}/shipments",
        json={"order": order.number, "products": lines, "gtg": True, "capture": False},
        headers=headers,
    ).json()
    shipment = created["shipment"]
    goodtogo = api.client.get(f"{base}/shipments", headers=headers).json()["shipments"]
    assert [s["shipmentId"] for s in goodtogo] == [shipment] and goodtogo[0]["shouldCapture"] == 1
    assert level(first) == (start[first][0], start[first][1] + 2)

    # 4. It ships: completed with tracking and captured in the same call.
    done = api.client.put(
        f"{base}/shipment",
        json={"order": order.number, "shipment": shipment, "carrier": "PostNord", "tracking": "PN123", "capture": 1},
        headers=headers,
    ).json()
    assert done == {"status": "ok", "order": order.number, "shipment": shipment}
    assert level(first) == (start[first][0] - 2, start[first][1])
    assert level(second) == (start[second][0] - 1, start[second][1])
    [shipped] = api.client.get(f"{base}/orders", params={"order": order.number}, headers=headers).json()["orders"]
    assert shipped["orderStatus"] == "4" and shipped["shipments"][0]["trackingId"] == "PN123"
    assert api.client.get(f"{base}/shipments", headers=headers).json()["shipments"] == []
    completed = api.client.get(f"{base}/shipments", params={"status": "completed"}, headers=headers).json()
    assert completed["shipments"][0]["paid"] == 1

    # 5. One unit comes back, to stock, and is refunded.
    first_line = next(line for line in lines if lines[line] == 2)
    returned = api.client.post(
        f"{base}/return",
        json={
            "shipment": shipment,
            "products": {first_line: 1},
            "returnStock": True,
            "refund": {"refundPayment": True},
        },
        headers=headers,
    ).json()
    assert returned["returnCompleted"] is True and returned["refund"] == {"status": "ok"}
    assert level(first) == (start[first][0] - 1, start[first][1])
    [shown] = api.client.get(f"{base}/returns", params={"order": order.number}, headers=headers).json()["returns"]
    assert (shown["completed"], shown["refunded"], shown["refundValue"], shown["returnToStock"]) == (
        True,
        True,
        500,
        True,
    )

    async def money(db: Database) -> tuple[int, int, list[str]]:
        async with db.read() as session:
            stored = await session.get(Order, order.id)
            assert stored is not None
            kinds = list(
                await session.scalars(select(PaymentTransaction.kind).where(PaymentTransaction.order_id == order.id))
            )
            return stored.captured_minor, stored.refunded_minor, kinds

    captured, refunded, kinds = api.call(money)
    assert (captured, refunded) == (2 * 50000 + 30000 + 4900, 50000)
    assert sorted(kinds) == ["capture", "refund"]
    assert stock(first)["physicalStock"] == start_api["physicalStock"] - 1
