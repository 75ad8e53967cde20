"""An ERP sync end to end through zeep: push master data, read an order's events, lock, confirm, ship, capture."""

from __future__ import annotations

from typing import Any

import pytest
import zeep
from tests.api.soap.soapkit import erp_setup, internal, soap_client
from tests.api.soap.test_soap_api import push_catalog

from opencentra import catalog, orders, stores
from opencentra.orders import LineDraft, OrderDraft
from opencentra.stores.services import create_allocation_rule, set_market_allocation_rule


@pytest.fixture
def erp(api: Any) -> dict[str, Any]:
    return api.call(erp_setup)  # type: ignore[no-any-return]


async def place_order(db: Any, store_id: int) -> int:
    """An order for two units of T001_RED/S in the ERP's market and pricelist, as a checkout places it."""
    market_id = await internal(db, "market", "Retail-SE")
    pricelist_id = await internal(db, "pricelist", "SEK-Retail")
    variant_id = await internal(db, "variant", "T001_RED")
    customer_id = await internal(db, "customer", "C-1")
    async with db.read() as session:
        sizes = (await catalog.sizes_of_variants(session, [variant_id]))[variant_id]
    # Which warehouses a market sells from is the admin's setup, not the ERP's: an allocation rule.
    rule = await create_allocation_rule(db, f"ERP {market_id}", [await internal(db, "warehouse", "WH1")])
    await set_market_allocation_rule(db, market_id, rule.id)
    currency_id = (await stores.currency_ids(db, codes=["SEK"], limit=1))[0]
    draft = OrderDraft(
        store_id=store_id,
        market_id=market_id,
        pricelist_id=pricelist_id,
        currency_id=currency_id,
        customer_id=customer_id,
        email="ada@example.com",
        lines=[
            LineDraft(
                product_name="Turtleneck",
                quantity=2,
                unit_price_minor=49_900,
                product_size_id=sizes[0].id,
                variant_name="Red",
                size_name="S",
                tax_bp=2500,
            )
        ],
        confirm=False,
    )
    return (await orders.create_order(db, draft)).id


def _events(client: Any, login: dict[str, str], section: str = "order") -> list[Any]:
    # zeep unwraps events_Get/events to the list of events (None when empty).
    return list(client.service.events_Get(login=login, type=section) or [])


@pytest.mark.slow
def test_erp_sync_end_to_end(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    customer = {"id": "C-1", "firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"}
    assert client.service.customers_Update(login=login, customers={"customer": [customer]}).success is True
    # The ERP's own pushes are in its queue too (markets, warehouses...); it takes and confirms them all.
    first = _events(client, login, "all")
    assert first
    assert client.service.events_Done(login=login, event=[str(e.id) for e in first]).success is True
    assert _events(client, login, "all") == []

    order_id = api.call(place_order, erp["store"])
    events = _events(client, login)
    assert [e.type for e in events] == ["order"]
    order = events[0].data.order
    number = int(order.ordernumber)
    assert order.id == str(number)
    assert order.status == "pending"
    assert order.market.id == "Retail-SE" and order.pricelist.id == "SEK-Retail"
    line = order.products.product[0]
    assert line.id == "T001" and line.variation.id == "T001_RED" and line.qty == "2"
    assert line.sizes.size[0].orderitem.id
    assert client.service.events_Done(login=login, event=[str(events[0].id)]).success is True
    assert _events(client, login) == []  # a done event never comes back

    # Another SOAP user's queue is its own: the global user still has nothing done.
    other = {"username": "erp-global", "password": erp["global"]}
    assert _events(client, other) == []  # registered now: its queue starts here

    lock = client.service.orders_Update(login=login, orders={"order": [{"id": str(number), "locked": "yes"}]})
    assert lock.success is True, lock
    confirm = client.service.orders_Update(login=login, orders={"order": [{"id": str(number), "status": "confirmed"}]})
    assert confirm.success is True, confirm
    ship = client.service.orders_Update(
        login=login,
        orders={
            "order": [
                {
                    "id": str(number),
                    "status": "completed",
                    "shipments": {
                        "shipment": [
                            {
                                "id": "ERP-SHIP-1",
                                "shipped": "yes",
                                "capture": "yes",
                                "carrierinformation": {"carrier": "DHL", "service": "Express", "tracking": "TRK1"},
                            }
                        ]
                    },
                }
            ]
        },
    )
    assert ship.success is True, ship
    # Capturing again is a no-op, and so is shipping again.
    again = client.service.orders_Update(
        login=login,
        orders={
            "order": [
                {
                    "id": str(number),
                    "shipments": {"shipment": [{"id": "ERP-SHIP-1", "capture": "yes", "shipped": "yes"}]},
                }
            ]
        },
    )
    assert again.success is True, again

    events = _events(client, login)
    assert events, "the changes made new order events"
    latest = events[-1].data.order
    assert latest.locked == "yes"
    assert latest.status == "completed"
    shipment = latest.shipments.shipment[0]
    assert (shipment.shipped, shipment.paid) == ("yes", "yes")
    assert shipment.carrierinformation.tracking == "TRK1"
    view = api.call(orders.erp_order, order_id)
    assert view.locked and view.status == "completed"


def test_events_by_markets_and_bad_type(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    customer = {"id": "C-1", "email": "ada@example.com"}
    assert client.service.customers_Update(login=login, customers={"customer": [customer]}).success is True
    api.call(place_order, erp["store"])
    by_market = client.service.events_GetByMarkets(login=login, type="order", markets={"market": [{"id": "Retail-SE"}]})
    assert [e.type for e in by_market] == ["order"]
    elsewhere = client.service.events_GetByMarkets(login=login, type="order", markets={"market": [{"id": "Nowhere"}]})
    assert not elsewhere
    with pytest.raises(zeep.exceptions.Fault, match="type"):
        client.service.events_Get(login=login, type="gadgets")
    with pytest.raises(zeep.exceptions.Fault, match="event"):
        client.service.events_Done(login=login, event=["12x"])


def test_cancel_an_item_ship_the_rest_and_refund_once(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    push_catalog(client, login, erp["store"])
    assert client.service.customers_Update(login=login, customers={"customer": [{"id": "C-1", "email": "a@b.se"}]})
    order_id = api.call(place_order, erp["store"])
    order = client.service.events_Get(login=login, type="order")[-1].data.order
    line_id = order.products.product[0].sizes.size[0].orderitem.id
    cancel = {"product": [{"id": "T001", "sizes": {"size": [{"id": "S", "qty": "1", "orderitem": {"id": line_id}}]}}]}
    result = client.service.orders_Update(
        login=login, orders={"order": [{"id": order.id, "status": "confirmed", "cancelled": cancel}]}
    )
    assert result.success is True, result
    shipment = {"id": "S-1", "shipped": "yes", "capture": "yes"}
    result = client.service.orders_Update(
        login=login, orders={"order": [{"id": order.id, "shipments": {"shipment": [shipment]}}]}
    )
    assert result.success is True, result
    view = api.call(orders.erp_order, order_id)
    assert [(line.quantity, line.quantity_cancelled) for line in view.lines] == [(2, 1)]
    assert [dict(s.lines) for s in view.shipments] == [{int(line_id): 1}]
    # The refund names the line by variation and size, as the guide's example does; its id is taken once.
    refund = {
        "id": "R-1",
        "status": "confirmed",
        "products": {
            "product": [{"id": "T001", "variation": {"id": "T001_RED"}, "sizes": {"size": [{"id": "S", "qty": "1"}]}}]
        },
    }
    update = {"order": [{"id": order.id, "shipments": {"shipment": [{"id": "S-1", "refunds": {"refund": [refund]}}]}}]}
    first = client.service.orders_Update(login=login, orders=update)
    assert first.success is True and "Added new refund: R-1" in first.notices.message, first
    again = client.service.orders_Update(login=login, orders=update)
    assert again.success is True and not again.notices
    assert api.call(internal, "refund", "R-1") is not None


def test_size_events_carry_the_size_in_the_sizes_update_shape(api: Any, erp: dict[str, Any]) -> None:
    client, _ = soap_client(api.client)
    login = {"username": "erp", "password": erp["erp"]}
    assert _events(client, login, "size") == []  # registers the queue
    table = {"id": "SML", "description": "Small Medium Large"}
    sizes = [{"id": "S", "description": "Small", "sizetable": table}, {"id": "M", "sizetable": table}]
    assert client.service.sizes_Update(login=login, sizes={"size": sizes}).success is True
    events = _events(client, login, "size")
    assert [(e.type, e.entry) for e in events] == [("size", events[0].entry)] * 2
    rendered = [(e.data.size.id, e.data.size.sizetable.id, e.data.size.sizetable.description) for e in events]
    assert rendered == [("S", "SML", "Small Medium Large"), ("M", "SML", "Small Medium Large")]
    assert events[1].data.size.description == "M"  # only the size's name is kept
