from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from opencentra import orders
from opencentra.address import Address
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events import services as events
from opencentra.orders.models import Order, PaymentTransaction, ReturnStatus, ShipmentStatus
from opencentra.orders.state import OrderStatus
from opencentra.selection import services as selections
from opencentra.selection.models import SelectionStatus


def draft(shop: Any, **changes: Any) -> orders.OrderDraft:
    """Two tees at 100.00 and one at 250.00 (originally 300.00), 49.00 shipping."""
    small, large = shop.size_ids
    base = orders.OrderDraft(
        store_id=shop.store_id,
        market_id=shop.market_id,
        pricelist_id=shop.pricelist_id,
        currency_id=shop.currency_id,
        customer_id=shop.customer_id,
        email="Ada@Example.com",
        billing=Address(first_name="Ada", last_name="L", address1="Storgatan 1", city="Lund", country="SE"),
        lines=[
            orders.LineDraft("Tee", 2, 10000, product_size_id=small, display_item_id=shop.display_item_id, sku="TS"),
            orders.LineDraft("Tee", 1, 25000, original_unit_price_minor=30000, product_size_id=large, tax_bp=2500),
        ],
        shipping_minor=4900,
        tax_minor=9000,
    )
    return replace(base, **changes)


async def _order_events(db: Database) -> list[tuple[str, str, str | None]]:
    await events.register_consumer(db, "test", include_history=True)
    # Stock events are inventory's; tests/orders/test_order_stock.py checks those.
    pending = await events.pending(db, "test")
    return [(e.object_type, e.action, e.payload.get("change")) for e in pending if e.object_type != "stock"]


async def _ship_everything(db: Database, order: Order) -> Any:
    return await orders.create_shipment(db, order.id, {line.id: line.quantity for line in order.lines})


async def test_create_order(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop))
    assert order.number == 1
    assert order.status == OrderStatus.PENDING
    assert order.email == "ada@example.com"
    assert (order.items_total_minor, order.shipping_minor, order.grand_total_minor) == (45000, 4900, 49900)
    assert order.currency_decimals == 2
    assert (order.billing_city, order.shipping_city, order.shipping_first_name) == ("Lund", "Lund", "Ada")
    assert [(line.quantity, line.unit_price_minor, line.discount_minor) for line in order.lines] == [
        (2, 10000, 0),
        (1, 25000, 5000),
    ]
    assert order.shipments == []
    assert (await orders.get_order_by_number(db, 1)).id == order.id
    assert await _order_events(db) == [("order", "created", None)]
    with pytest.raises(NotFound):
        await orders.get_order(db, order.id + 100)


async def test_autoconfirm_store_confirms_at_once(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, store_id=shop.autoconfirm_store_id))
    assert order.status == OrderStatus.CONFIRMED
    forced = await orders.create_order(db, draft(shop, confirm=True))
    assert forced.status == OrderStatus.CONFIRMED


async def test_invalid_drafts(db: Database, shop: Any) -> None:
    bad = [
        (draft(shop, lines=[]), "products"),
        (draft(shop, lines=[orders.LineDraft("Tee", 0, 100)]), "products.0.quantity"),
        (draft(shop, lines=[orders.LineDraft("Tee", 1, -1)]), "products.0.price"),
        (draft(shop, shipping_minor=-1), "shipping_minor"),
        (draft(shop, discount_minor=10**9), "discount_minor"),
        (draft(shop, currency_id=shop.currency_id + 99), "currency"),
    ]
    for candidate, field in bad:
        with pytest.raises(ValidationFailed) as caught:
            await orders.create_order(db, candidate)
        assert caught.value.field == field


async def test_order_numbers_are_unique_and_skip_explicit_ones(db: Database, shop: Any) -> None:
    first = await orders.create_order(db, draft(shop))
    explicit = await orders.create_order(db, draft(shop, number=3))
    with pytest.raises(Conflict) as caught:
        await orders.create_order(db, draft(shop, number=3))
    assert caught.value.field == "number"
    following = [await orders.create_order(db, draft(shop)) for _ in range(2)]
    assert [first.number, explicit.number, *(o.number for o in following)] == [1, 3, 2, 4]


async def test_concurrent_orders_get_distinct_numbers(db: Database, shop: Any) -> None:
    created = await asyncio.gather(*(orders.create_order(db, draft(shop)) for _ in range(4)))
    assert sorted(o.number for o in created) == [1, 2, 3, 4]


async def test_one_selection_becomes_one_order(db: Database, shop: Any) -> None:
    selection = await selections.create_selection(db, shop.store_id, shop.market_id, shop.pricelist_id)
    results = await asyncio.gather(
        *(orders.create_order(db, draft(shop, selection_id=selection.id)) for _ in range(3)), return_exceptions=True
    )
    assert sum(isinstance(r, Order) for r in results) == 1
    assert all(isinstance(r, Conflict) and r.field == "selection" for r in results if not isinstance(r, Order))
    assert (await selections.get_selection(db, selection.id)).status == SelectionStatus.COMPLETED
    with pytest.raises(Conflict):
        await orders.create_order(db, draft(shop, selection_id=selection.id))


async def test_the_database_refuses_a_second_order_for_a_selection(db: Database, shop: Any) -> None:
    selection = await selections.create_selection(db, shop.store_id, shop.market_id, shop.pricelist_id)
    order = await orders.create_order(db, draft(shop, selection_id=selection.id))
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            session.add(
                Order(
                    number=order.number + 1,
                    store_id=shop.store_id,
                    market_id=shop.market_id,
                    pricelist_id=shop.pricelist_id,
                    currency_id=shop.currency_id,
                    currency_decimals=2,
                    customer_id=shop.customer_id,
                    email="x@example.com",
                    selection_id=selection.id,
                )
            )
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            await session.execute(text("UPDATE orders SET status = 7"))


async def test_confirm_ship_capture_complete_archive(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop))
    with pytest.raises(Conflict):
        await _ship_everything(db, order)
    order = await orders.confirm_order(db, order.id)
    assert order.status == OrderStatus.CONFIRMED
    with pytest.raises(Conflict):
        await orders.confirm_order(db, order.id)

    small, large = order.lines
    first = await orders.create_shipment(db, order.id, {small.id: 1}, good_to_go=True)
    assert (first.number, first.status, [line.quantity for line in first.lines]) == (
        "1-1",
        ShipmentStatus.GOOD_TO_GO,
        [1],
    )
    assert (await orders.get_order(db, order.id)).status == OrderStatus.PROCESSING
    second = await orders.create_shipment(db, order.id, {small.id: 1, large.id: 1})
    assert second.number == "1-2"
    # Captures add up to the grand total: the first carries shipping, the last the rest.
    assert (first.amount_minor, second.amount_minor) == (14900, 35000)

    await orders.complete_shipment(db, first.id, carrier="PostNord", tracking_number="TRACK1")
    assert (await orders.capture_shipment(db, first.id)).captured_now
    with pytest.raises(Conflict):
        await orders.complete_order(db, order.id)
    await orders.capture_shipment(db, second.id)
    assert (await orders.get_order(db, order.id)).status == OrderStatus.PROCESSING
    done = await orders.complete_shipment(db, second.id)
    assert done.status == ShipmentStatus.COMPLETED
    with pytest.raises(Conflict):
        await orders.complete_shipment(db, second.id)

    completed = await orders.get_order(db, order.id)
    assert completed.status == OrderStatus.COMPLETED
    assert completed.captured_minor == completed.grand_total_minor == 49900
    assert [(s.carrier, s.tracking_number) for s in completed.shipments] == [("PostNord", "TRACK1"), (None, None)]
    with pytest.raises(Conflict):
        await orders.cancel_order(db, order.id)
    assert (await orders.archive_order(db, order.id)).status == OrderStatus.ARCHIVED

    changes = [change for kind, _, change in await _order_events(db) if kind == "order"]
    assert changes == [
        None,
        "confirmed",
        "shipment_created",
        "shipment_created",
        "shipment_completed",
        "captured",
        "captured",
        "shipment_completed",
        "completed",
        "archived",
    ]


async def test_shipment_quantities_are_checked_per_line(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, confirm=True))
    small, large = order.lines
    with pytest.raises(ValidationFailed) as caught:
        await orders.create_shipment(db, order.id, {small.id: 3})
    assert caught.value.field == f"products.{small.id}"
    with pytest.raises(ValidationFailed) as caught:
        await orders.create_shipment(db, order.id, {large.id + 1000: 1})
    assert caught.value.field == f"products.{large.id + 1000}"
    with pytest.raises(ValidationFailed):
        await orders.create_shipment(db, order.id, {})
    shipment = await orders.create_shipment(db, order.id, {small.id: 2})
    ready = await orders.set_good_to_go(db, shipment.id, True)
    assert (ready.status, ready.good_to_go, [line.quantity for line in ready.lines]) == ("goodtogo", True, [2])
    captured = await orders.capture_shipment(db, shipment.id)
    assert [line.order_line_id for line in captured.shipment.lines] == [small.id]
    with pytest.raises(ValidationFailed) as caught:
        await orders.create_shipment(db, order.id, {small.id: 1, large.id: 1})
    assert caught.value.field == f"products.{small.id}"


async def test_concurrent_captures_capture_once(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, confirm=True))
    shipment = await _ship_everything(db, order)
    results = await asyncio.gather(*(orders.capture_shipment(db, shipment.id) for _ in range(4)))
    assert sum(r.captured_now for r in results) == 1
    assert all(r.shipment.captured for r in results)
    async with db.read() as session:
        captures = await session.scalar(
            select(func.count(PaymentTransaction.id)).where(PaymentTransaction.kind == "capture")
        )
    assert captures == 1
    assert (await orders.get_order(db, order.id)).captured_minor == 49900


async def test_cancel_before_capture_only(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, confirm=True))
    await orders.create_shipment(db, order.id, {order.lines[0].id: 1})
    cancelled = await orders.cancel_order(db, order.id)
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.shipments == []
    assert [(line.quantity_shipped, line.quantity_cancelled) for line in cancelled.lines] == [(0, 2), (0, 1)]
    with pytest.raises(Conflict):
        await orders.cancel_order(db, order.id)
    with pytest.raises(Conflict):
        await orders.set_hold(db, order.id, True)
    assert (await orders.archive_order(db, order.id)).status == OrderStatus.ARCHIVED

    captured = await orders.create_order(db, draft(shop, confirm=True))
    shipment = await _ship_everything(db, captured)
    await orders.capture_shipment(db, shipment.id)
    with pytest.raises(Conflict, match="refund"):
        await orders.cancel_order(db, captured.id)


async def test_hold_and_waiting_for_payment(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, confirm=True, waiting_for_payment=True))
    assert order.waiting_for_payment
    held = await orders.set_hold(db, order.id, True)
    assert held.hold
    await orders.set_hold(db, order.id, True)
    with pytest.raises(Conflict) as caught:
        await _ship_everything(db, order)
    assert caught.value.field == "hold"
    await orders.set_hold(db, order.id, False)
    assert not (await orders.set_waiting_for_payment(db, order.id, False)).waiting_for_payment
    await _ship_everything(db, order)
    changes = [change for _, _, change in await _order_events(db)]
    assert changes.count("hold") == 1
    assert changes.count("unhold") == 1
    assert changes.count("waiting_for_payment") == 1


async def test_delete_shipment(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, confirm=True))
    shipment = await _ship_everything(db, order)
    await orders.delete_shipment(db, shipment.id)
    reverted = await orders.get_order(db, order.id)
    assert reverted.status == OrderStatus.CONFIRMED
    assert [line.quantity_shipped for line in reverted.lines] == [0, 0]
    again = await _ship_everything(db, order)
    assert again.number == "1-2"
    await orders.capture_shipment(db, again.id)
    with pytest.raises(Conflict):
        await orders.delete_shipment(db, again.id)
    with pytest.raises(NotFound):
        await orders.delete_shipment(db, shipment.id)


async def test_returns_and_refunds(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop, confirm=True))
    small, large = order.lines
    shipment = await _ship_everything(db, order)
    with pytest.raises(Conflict):
        await orders.create_return(db, shipment.id, {small.id: 1})
    await orders.complete_shipment(db, shipment.id)
    await orders.capture_shipment(db, shipment.id)

    with pytest.raises(ValidationFailed) as caught:
        await orders.create_return(db, shipment.id, {small.id: 3})
    assert caught.value.field == f"products.{small.id}"
    returned = await orders.create_return(db, shipment.id, {small.id: 1, large.id: 1}, return_cost_minor=1000)
    assert returned.status == ReturnStatus.PENDING
    assert returned.refund_minor == 10000 + 25000 - 1000
    assert [line.quantity for line in returned.lines] == [1, 1]
    with pytest.raises(ValidationFailed) as caught:
        await orders.create_return(db, shipment.id, {large.id: 1})
    assert caught.value.field == f"products.{large.id}"

    refund = await orders.refund_return(db, returned.id)
    assert refund.amount_minor == 34000
    with pytest.raises(Conflict):
        await orders.refund_return(db, returned.id)
    with pytest.raises(Conflict):
        await orders.complete_return(db, returned.id)

    second = await orders.create_return(db, shipment.id, {small.id: 1})
    assert (await orders.complete_return(db, second.id)).status == ReturnStatus.COMPLETED
    with pytest.raises(Conflict) as too_much:
        await orders.refund_order(db, order.id, 49900 - 34000 + 1)
    assert too_much.value.field == "amount"
    with pytest.raises(ValidationFailed):
        await orders.refund_order(db, order.id, 0)
    await orders.refund_order(db, order.id, 49900 - 34000, reason="goodwill")

    final = await orders.get_order(db, order.id)
    assert (final.captured_minor, final.refunded_minor) == (49900, 49900)
    assert [(line.quantity_shipped, line.quantity_returned) for line in final.lines] == [(2, 2), (1, 1)]
    with pytest.raises(NotFound):
        await orders.complete_return(db, second.id + 100)


async def test_anonymizing_a_customer_erases_their_orders_personal_data(db: Database, shop: Any) -> None:
    order = await orders.create_order(db, draft(shop))
    await orders.anonymize_customer(db, shop.customer_id)
    erased = await orders.get_order(db, order.id)
    assert erased.email == f"anonymized-{shop.customer_id}@anonymized.invalid"
    assert (erased.billing_first_name, erased.billing_address1, erased.shipping_city) == (None, None, None)
    assert erased.billing_country == "SE"
    assert erased.grand_total_minor == 49900


async def test_a_clash_leaves_the_callers_transaction_usable(db: Database, shop: Any) -> None:
    await orders.create_order(db, draft(shop, number=5))
    selection = await selections.create_selection(db, shop.store_id, shop.market_id, shop.pricelist_id)
    async with db.write() as session:
        with pytest.raises(Conflict):
            await orders.insert_order(session, draft(shop, selection_id=selection.id, number=5))
        order = await orders.insert_order(session, draft(shop, selection_id=selection.id))
    assert order.selection_id == selection.id
    # The counter starts after the highest number already taken.
    assert order.number == 6
