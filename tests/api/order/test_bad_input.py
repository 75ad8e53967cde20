"""Bad input gets ``status: no`` with a clear message, changes nothing, and is never a 500."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.api.order.conftest import EAN_S, Wms

from opencentra import orders
from opencentra.db.engine import Database
from opencentra.events.models import Event
from opencentra.orders.models import PaymentTransaction, Shipment
from opencentra.payments import register_provider


async def _counts(db: Database) -> tuple[int, int, int]:
    async with db.read() as session:
        return (
            int(await session.scalar(select(func.count(Shipment.id))) or 0),
            int(await session.scalar(select(func.count(PaymentTransaction.id))) or 0),
            int(await session.scalar(select(func.count(Event.id))) or 0),
        )


def _no(answer: dict[str, Any], *words: str) -> None:
    assert answer["status"] == "no", answer
    text = str(answer["msg"]).lower()
    assert all(word.lower() in text for word in words), answer


def test_bad_input_changes_nothing(wms: Wms) -> None:
    world = wms.world
    order = wms.place((world.small, 2))
    [line] = [p["lineId"] for p in wms.get("/orders", order=order.number)["orders"][0]["products"]]
    before = wms.api.call(_counts)
    stock_before = wms.levels(world.stockholm, world.small)

    # Unknown order, shipment, line; a quantity above what is left to ship.
    _no(wms.send("POST", "/shipments", {"order": 424242, "products": {line: 1}}), "order does not exist")
    _no(wms.send("POST", "/shipments", {"order": order.number, "products": {"999999": 1}}), "not on order")
    _no(wms.send("POST", "/shipments", {"order": order.number, "products": {line: 3}}), "2 left to ship, not 3")
    _no(wms.send("POST", "/shipments", {"order": order.number, "products": {line: 0}}), "at least 1")
    _no(wms.send("POST", "/shipments", {"order": order.number, "products": {}}), "required")
    _no(wms.send("PUT", "/shipment", {"shipment": "424242-1"}), "shipment does not exist")
    _no(wms.send("PUT", "/capture", {"shipment": "nonsense"}), "shipment does not exist")
    _no(wms.send("DELETE", "/shipments/424242-1"), "shipment does not exist")
    _no(wms.send("POST", "/return", {"shipment": "424242-1", "products": {line: 1}}), "shipment does not exist")
    # Malformed dates, ids and bodies.
    _no(wms.get("/orders", newer_than="yesterday"), "invalid date")
    _no(wms.get("/orders", older_than="2024-13-45"), "invalid date")
    _no(wms.get("/orders", limit="-1"), "at least 1")
    _no(wms.get("/orders", order="abc"), "whole number")
    _no(wms.get("/returns", newer_than="2024-02-30"), "invalid date")
    malformed = wms.api.client.post(
        wms.base + "/shipments", content=b"{not json", headers={**wms.headers, "content-type": "application/json"}
    )
    assert malformed.status_code == 200 and malformed.json() == {"status": "no", "msg": {"request": "malformed JSON"}}
    # Negative stock, and a stock write for something that is not a product.
    _no(wms.send("POST", "/stock", {"products": [{"product": EAN_S, "quantity": -5}]}), "at least 0")
    _no(wms.send("POST", "/stock", {"products": [{"product": {"nested": 1}, "quantity": 1}]}), "products")

    assert wms.api.call(_counts) == before
    assert wms.levels(world.stockholm, world.small) == stock_before


def test_shipment_rules(wms: Wms) -> None:
    pending = wms.place(confirm=False)
    [line] = [p["lineId"] for p in wms.get("/orders", order=pending.number)["orders"][0]["products"]]
    # A pending (unconfirmed) order cannot ship.
    _no(wms.send("POST", "/shipments", {"order": pending.number, "products": {line: 1}}), "confirmed")
    wms.api.call(orders.confirm_order, pending.id)
    shipment = wms.send("POST", "/shipments", {"order": pending.number, "products": {line: 2}, "capture": False})
    number = shipment["shipment"]
    # The same lines again: the open shipment is returned, not a second one (createAlways makes one).
    same = wms.send("POST", "/shipments", {"order": pending.number, "products": {line: 2}, "capture": False})
    assert same["shipment"] == number
    again = wms.send("POST", "/shipments", {"order": pending.number, "products": {line: 2}, "createAlways": True})
    _no(again, "0 left to ship")
    assert wms.send("PUT", "/capture", {"shipment": number})["status"] == "ok"
    # Capturing twice captures once.
    _no(wms.send("PUT", "/capture", {"shipment": number}), "already captured")
    # A return of an unshipped shipment, or of more than shipped.
    _no(wms.send("POST", "/return", {"shipment": number, "products": {line: 1}}), "shipped")
    wms.send("PUT", "/shipment", {"shipment": number})
    _no(wms.send("POST", "/return", {"shipment": number, "products": {line: 3}}), "2 left to return")
    _no(wms.send("PUT", "/shipment", {"shipment": number}), "already completed")


class _Declining:
    name = "declining"

    async def start(self, request: Any) -> Any:  # pragma: no cover - not used by the Order API
        raise NotImplementedError

    async def verify(self, request: Any, state: Any, fields: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    async def capture(self, reference: str | None, amount_minor: int, idempotency_key: str) -> bool:
        return False


def test_a_refused_capture_creates_no_shipment(wms: Wms) -> None:
    register_provider(_Declining())
    order = wms.place(payment_provider="declining")
    [line] = [p["lineId"] for p in wms.get("/orders", order=order.number)["orders"][0]["products"]]
    refused = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 2}})
    assert refused == {"status": "no", "msg": "can not capture order", "order": str(order.number)}
    assert wms.get("/orders", order=order.number)["orders"][0]["shipments"] == []
    created = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 2}, "capture": False})
    failed = wms.send("PUT", "/shipment", {"order": order.number, "shipment": created["shipment"], "capture": True})
    assert failed == {"status": "no", "msg": "capture failed", "order": order.number, "shipment": created["shipment"]}
    # Not shipped either: a failed capture may mean fraud.
    assert wms.get("/shipments", status="inprogress")["shipments"][0]["shipped"] == 0


@pytest.mark.parametrize("_round", [1])
def test_two_concurrent_captures_capture_once(wms: Wms, _round: int) -> None:
    order = wms.place()
    [line] = [p["lineId"] for p in wms.get("/orders", order=order.number)["orders"][0]["products"]]
    created = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 2}, "capture": False})
    shipment_id = wms.api.call(_shipment_id, created["shipment"])

    async def race(db: Database) -> list[bool]:
        results = await asyncio.gather(*(orders.capture_shipment(db, shipment_id) for _ in range(2)))
        return [r.captured_now for r in results]

    assert sorted(wms.api.call(race)) == [False, True]

    async def captures(db: Database) -> tuple[int, int]:
        async with db.read() as session:
            count = await session.scalar(
                select(func.count(PaymentTransaction.id)).where(PaymentTransaction.kind == "capture")
            )
            total = await session.scalar(select(func.sum(PaymentTransaction.amount_minor)))
            return int(count or 0), int(total or 0)

    assert wms.api.call(captures) == (1, 24900)


async def _shipment_id(db: Database, number: str) -> int:
    async with db.read() as session:
        found = await session.scalar(select(Shipment.id).where(Shipment.number == number))
        assert found is not None
        return int(found)


@pytest.mark.parametrize("raw", ["\x1c4", "4\x1c", "\u00b2", "1e3", ""])
def test_integer_refuses_what_int_would_choke_on(raw: str) -> None:
    from opencentra.api.order.wire import integer
    from opencentra.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        integer(raw, "order")
