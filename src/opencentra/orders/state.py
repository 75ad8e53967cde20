"""The order state machine, as pure functions of the current state.

Centra's numeric statuses (Order API §1.3): a selection is 0; checkout makes a
pending (1) or, with "Autoconfirm Orders", a confirmed (2) order; the first
shipment makes it processing (3); completed (4) means every shipment is
shipped and captured; archived (5) hides it; cancelled (6) is only possible
before any capture — after that the money must be refunded instead.
Hold and Waiting for Payment are flags beside the status, not statuses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from opencentra.errors import Conflict


class OrderStatus(enum.IntEnum):
    INCOMPLETE = 0
    PENDING = 1
    CONFIRMED = 2
    PROCESSING = 3
    COMPLETED = 4
    ARCHIVED = 5
    CANCELLED = 6


# States in which nothing about the order can change any more except archiving.
FINAL = frozenset({OrderStatus.COMPLETED, OrderStatus.ARCHIVED, OrderStatus.CANCELLED})
# Only confirmed orders can get shipments (and allocate stock).
SHIPPABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.PROCESSING})


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """What the state machine needs to know about an order's shipments."""

    shipments: int = 0
    shipments_completed: int = 0
    shipments_captured: int = 0
    # Units neither on a shipment nor cancelled.
    units_left_to_ship: int = 0
    captured_minor: int = 0

    @property
    def fully_done(self) -> bool:
        return (
            self.shipments > 0
            and self.shipments_completed == self.shipments
            and self.shipments_captured == self.shipments
            and self.units_left_to_ship == 0
        )


def _name(status: OrderStatus) -> str:
    return status.name.lower()


def place(status: OrderStatus, *, autoconfirm: bool) -> OrderStatus:
    """An incomplete order (Order API ``createOnly``) is checked out: pending, or confirmed at once."""
    if status != OrderStatus.INCOMPLETE:
        raise Conflict(f"only an incomplete order can be placed; this one is {_name(status)}", field="status")
    return OrderStatus.CONFIRMED if autoconfirm else OrderStatus.PENDING


def confirm(status: OrderStatus) -> OrderStatus:
    if status != OrderStatus.PENDING:
        raise Conflict(f"only a pending order can be confirmed; this one is {_name(status)}", field="status")
    return OrderStatus.CONFIRMED


def on_shipment_created(status: OrderStatus) -> OrderStatus:
    """The first shipment moves a confirmed order to processing."""
    if status not in SHIPPABLE:
        raise Conflict(f"only a confirmed order can be shipped; this one is {_name(status)}", field="status")
    return OrderStatus.PROCESSING


def on_shipment_deleted(status: OrderStatus, remaining_shipments: int) -> OrderStatus:
    """Processing means "has a shipment"; without one the order is confirmed again."""
    if status == OrderStatus.PROCESSING and remaining_shipments == 0:
        return OrderStatus.CONFIRMED
    return status


def complete(status: OrderStatus, fulfilment: Fulfilment) -> OrderStatus:
    if status != OrderStatus.PROCESSING:
        raise Conflict(f"only a processing order can be completed; this one is {_name(status)}", field="status")
    if not fulfilment.fully_done:
        raise Conflict(
            "an order is completed only when everything is shipped and every shipment is completed and captured",
            field="status",
        )
    return OrderStatus.COMPLETED


def can_complete(status: OrderStatus, fulfilment: Fulfilment) -> bool:
    return status == OrderStatus.PROCESSING and fulfilment.fully_done


def archive(status: OrderStatus) -> OrderStatus:
    if status not in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
        raise Conflict(
            f"only a completed or cancelled order can be archived; this one is {_name(status)}", field="status"
        )
    return OrderStatus.ARCHIVED


def cancel(status: OrderStatus, fulfilment: Fulfilment) -> OrderStatus:
    if status not in (OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.PROCESSING):
        raise Conflict(f"a {_name(status)} order cannot be cancelled", field="status")
    if fulfilment.captured_minor > 0 or fulfilment.shipments_captured > 0:
        raise Conflict("the payment is captured; refund the order instead of cancelling it", field="status")
    if fulfilment.shipments_completed > 0:
        raise Conflict("goods have been shipped; the order cannot be cancelled", field="status")
    return OrderStatus.CANCELLED


def check_flag_change(status: OrderStatus, flag: str) -> None:
    """Hold and Waiting for Payment only make sense while the order is still open."""
    if status in FINAL or status == OrderStatus.INCOMPLETE:
        raise Conflict(f"{flag} cannot change on a {_name(status)} order", field=flag)
