from __future__ import annotations

import pytest

from opencentra.errors import Conflict
from opencentra.orders import state
from opencentra.orders.state import Fulfilment, OrderStatus

S = OrderStatus
DONE = Fulfilment(shipments=2, shipments_completed=2, shipments_captured=2, units_left_to_ship=0, captured_minor=100)


def test_statuses_are_centras_numbers() -> None:
    assert [int(s) for s in S] == list(range(7))
    assert [s.name for s in S] == [
        "INCOMPLETE",
        "PENDING",
        "CONFIRMED",
        "PROCESSING",
        "COMPLETED",
        "ARCHIVED",
        "CANCELLED",
    ]


def test_confirm_only_from_pending() -> None:
    assert state.confirm(S.PENDING) == S.CONFIRMED
    for status in set(S) - {S.PENDING}:
        with pytest.raises(Conflict):
            state.confirm(status)


def test_shipments_move_confirmed_to_processing_and_back() -> None:
    assert state.on_shipment_created(S.CONFIRMED) == S.PROCESSING
    assert state.on_shipment_created(S.PROCESSING) == S.PROCESSING
    for status in set(S) - state.SHIPPABLE:
        with pytest.raises(Conflict):
            state.on_shipment_created(status)
    assert state.on_shipment_deleted(S.PROCESSING, 0) == S.CONFIRMED
    assert state.on_shipment_deleted(S.PROCESSING, 1) == S.PROCESSING


def test_complete_needs_everything_shipped_completed_and_captured() -> None:
    assert state.complete(S.PROCESSING, DONE) == S.COMPLETED
    almost = [
        Fulfilment(shipments=0),
        Fulfilment(shipments=2, shipments_completed=1, shipments_captured=2),
        Fulfilment(shipments=2, shipments_completed=2, shipments_captured=1),
        Fulfilment(shipments=2, shipments_completed=2, shipments_captured=2, units_left_to_ship=1),
    ]
    for fulfilment in almost:
        assert not state.can_complete(S.PROCESSING, fulfilment)
        with pytest.raises(Conflict):
            state.complete(S.PROCESSING, fulfilment)
    with pytest.raises(Conflict):
        state.complete(S.CONFIRMED, DONE)


def test_archive_only_final_orders() -> None:
    assert state.archive(S.COMPLETED) == S.ARCHIVED
    assert state.archive(S.CANCELLED) == S.ARCHIVED
    for status in (S.PENDING, S.CONFIRMED, S.PROCESSING, S.ARCHIVED):
        with pytest.raises(Conflict):
            state.archive(status)


def test_cancel_only_before_capture_and_shipping() -> None:
    for status in (S.PENDING, S.CONFIRMED, S.PROCESSING):
        assert state.cancel(status, Fulfilment(shipments=1)) == S.CANCELLED
    for status in (S.INCOMPLETE, S.COMPLETED, S.ARCHIVED, S.CANCELLED):
        with pytest.raises(Conflict):
            state.cancel(status, Fulfilment())
    with pytest.raises(Conflict, match="refund"):
        state.cancel(S.PROCESSING, Fulfilment(shipments=1, shipments_captured=1, captured_minor=10))
    with pytest.raises(Conflict):
        state.cancel(S.PROCESSING, Fulfilment(shipments=1, shipments_completed=1))


def test_flags_change_only_on_open_orders() -> None:
    for status in (S.PENDING, S.CONFIRMED, S.PROCESSING):
        state.check_flag_change(status, "hold")
    for status in (S.INCOMPLETE, S.COMPLETED, S.ARCHIVED, S.CANCELLED):
        with pytest.raises(Conflict) as caught:
            state.check_flag_change(status, "hold")
        assert caught.value.field == "hold"
