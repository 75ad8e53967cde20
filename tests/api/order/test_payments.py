"""Captures and refunds go through the payment provider seam, and are recorded only when settled."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from tests.api.order.conftest import Wms

from opencentra.db.engine import Database
from opencentra.orders.models import Order, PaymentTransaction, Refund
from opencentra.payments import provider_for
from opencentra.payments.test_provider import TestProvider


def _test_provider() -> TestProvider:
    provider = provider_for("test")
    assert isinstance(provider, TestProvider)
    return provider


def _money(wms: Wms, order_id: int) -> tuple[int, int, list[tuple[str, int, str | None]], int]:
    async def read(db: Database) -> tuple[int, int, list[tuple[str, int, str | None]], int]:
        async with db.read() as session:
            order = await session.get(Order, order_id)
            assert order is not None
            rows = (
                await session.scalars(
                    select(PaymentTransaction)
                    .where(PaymentTransaction.order_id == order_id)
                    .order_by(PaymentTransaction.id)
                )
            ).all()
            refunds = (await session.scalars(select(Refund).where(Refund.order_id == order_id))).all()
            return (
                order.captured_minor,
                order.refunded_minor,
                [(t.kind, t.amount_minor, t.reference) for t in rows],
                len(refunds),
            )

    return wms.api.call(read)


def _line(wms: Wms, number: int) -> str:
    [line] = [p["lineId"] for p in wms.get("/orders", order=number)["orders"][0]["products"]]
    return str(line)


def test_capture_and_refund_reach_the_provider_and_are_recorded(wms: Wms) -> None:
    # The test provider lives as long as the process: a reference of our own keeps its log ours.
    reference = f"psp-{uuid.uuid4().hex}"
    order = wms.place(payment_reference=reference)
    line = _line(wms, order.number)
    created = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 2}, "shipped": True})
    assert created["status"] == "ok"
    returned = wms.send(
        "POST", "/return", {"shipment": created["shipment"], "products": {line: 1}, "refund": {"refundPayment": True}}
    )
    assert returned["refund"] == {"status": "ok"} and returned["returnCompleted"] is True
    asked = [(t.kind, t.amount_minor, t.settled) for t in _test_provider().transactions_for(reference)]
    assert asked == [("capture", 24900, True), ("refund", 10000, True)]
    captured, refunded, rows, refunds = _money(wms, order.id)
    assert (captured, refunded, refunds) == (24900, 10000, 1)
    # The rows carry the provider's transaction ids.
    assert [(kind, amount) for kind, amount, _ in rows] == [("capture", 24900), ("refund", 10000)]
    assert all(reference and reference.startswith("test-") for _, _, reference in rows)


def test_a_refused_capture_changes_nothing(wms: Wms) -> None:
    order = wms.place(payment_reference="psp-refuse-capture")
    line = _line(wms, order.number)
    refused = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 2}})
    assert refused == {"status": "no", "msg": "can not capture order", "order": str(order.number)}
    created = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 2}, "capture": False})
    shipment = created["shipment"]
    failed = wms.send("PUT", "/capture", {"shipment": shipment})
    assert failed == {"status": "no", "msg": "capture failed", "order": order.number, "shipment": shipment}
    failed = wms.send("PUT", "/shipment", {"shipment": shipment, "capture": True})
    assert failed["status"] == "no" and failed["msg"] == "capture failed"
    [listed] = wms.get("/shipments", status="inprogress")["shipments"]
    assert (listed["paid"], listed["shipped"]) == (0, 0)
    assert _money(wms, order.id) == (0, 0, [], 0)
    # The provider agrees later: the same shipment captures.
    _test_provider().refuse("capture", "psp-other")  # unrelated references stay as they are
    assert wms.send("PUT", "/shipment", {"shipment": shipment, "capture": False})["status"] == "ok"
    assert _money(wms, order.id)[0] == 0


def test_a_refused_refund_leaves_a_pending_return(wms: Wms) -> None:
    order = wms.place(payment_reference="psp-refuse-refund")
    line = _line(wms, order.number)
    created = wms.send("POST", "/shipments", {"order": order.number, "products": {line: 2}, "shipped": True})
    returned = wms.send(
        "POST", "/return", {"shipment": created["shipment"], "products": {line: 1}, "refund": {"refundPayment": True}}
    )
    assert returned["status"] == "ok"
    assert returned["returnCompleted"] is False
    assert returned["refund"] == {"status": "no", "msg": "refund failed"}
    again = wms.send("PUT", f"/returns/{returned['return']}", {"refundPayment": True})
    assert again == {"status": "no", "msg": "refund failed"}
    [shown] = wms.get("/returns", order=order.number)["returns"]
    assert (shown["completed"], shown["refunded"]) == (False, False)
    captured, refunded, rows, refunds = _money(wms, order.id)
    assert (captured, refunded, refunds) == (24900, 0, 0)
    assert [kind for kind, _, _ in rows] == ["capture"]
