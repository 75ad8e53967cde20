"""A store's orders: the list with filters and paging, an order's detail, and its actions.

Every action is one ``opencentra.orders`` use case, with its rules and
events; an order of another store is a page that does not exist (404).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from opencentra import orders
from opencentra.api.admin.web import BASE, Page, path_id, redirect
from opencentra.errors import DomainError, NotFound, ValidationFailed
from opencentra.integers import parse_int
from opencentra.money import from_minor, to_minor
from opencentra.orders import OrderDetails, OrderFilter, OrderScope, OrderStatus, list_orders, order_details
from opencentra.stores import store_settings

PAGE_SIZE = 50
# Whole units and at most six decimals; the currency's own decimals are checked per order.
_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.([0-9]{1,6}))?")
STATUSES = [(status.value, status.name.lower()) for status in OrderStatus]


def money(minor: int, decimals: int, currency: str) -> str:
    return f"{from_minor(minor, decimals)} {currency}"


async def order_list(current: Page) -> Response:
    """Orders of the store, newest first; filter by status or order number; 50 a page."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    query = current.request.query_params
    status = parse_int(query.get("status", "")) if query.get("status") else None
    number = parse_int(query.get("number", "").strip()) if query.get("number", "").strip() else None
    page_number = parse_int(query.get("page", "1")) or 1
    statuses = (status,) if status is not None and status in {s.value for s in OrderStatus} else None
    found = await list_orders(
        current.db,
        OrderScope(store_ids=(store_id,), statuses=statuses),
        OrderFilter(number=number, limit=PAGE_SIZE + 1, offset=(page_number - 1) * PAGE_SIZE),
    )
    more = len(found) > PAGE_SIZE
    filters = {k: v for k, v in (("status", query.get("status", "")), ("number", query.get("number", ""))) if v}
    return current.render(
        "orders.html",
        store=store,
        orders=found[:PAGE_SIZE],
        statuses=STATUSES,
        status=status,
        number=query.get("number", ""),
        page=page_number,
        previous=urlencode(filters | {"page": page_number - 1}) if page_number > 1 else None,
        next=urlencode(filters | {"page": page_number + 1}) if more else None,
        money=money,
    )


async def _order_in_store(current: Page) -> tuple[int, OrderDetails]:
    store_id = current.store_id()
    details = await order_details(current.db, path_id(current.request, "order_id"))
    if details.order.store_id != store_id:
        raise NotFound("no such order")
    return store_id, details


def _order_view(current: Page, store_id: int, details: OrderDetails, **values: Any) -> Response:
    order = details.order
    remaining = {
        line.id: line.quantity - line.quantity_shipped - line.quantity_cancelled
        for line in order.lines
        if line.quantity - line.quantity_shipped - line.quantity_cancelled > 0
    }
    returnable = {
        shipment.id: {line.order_line_id: line.quantity - line.quantity_returned for line in shipment.lines}
        for shipment in order.shipments
    }
    return current.render(
        "order.html",
        400 if values.get("error") else 200,
        store_id=store_id,
        details=details,
        order=order,
        status=OrderStatus(order.status).name.lower(),
        remaining=remaining,
        returnable=returnable,
        money=lambda minor: money(minor, order.currency_decimals, details.context.currency_code),
        **values,
    )


async def order_detail(current: Page) -> Response:
    store_id, details = await _order_in_store(current)
    return _order_view(current, store_id, details)


def _quantities(current: Page, allowed: dict[int, int]) -> dict[int, int]:
    """``qty.<line id>`` fields as {order line id: units}, each within what the line allows."""
    lines: dict[int, int] = {}
    for line_id, most in allowed.items():
        text = current.text(f"qty.{line_id}")
        if not text:
            continue
        quantity = parse_int(text)
        if quantity is None or quantity > most:
            raise ValidationFailed(f"line {line_id}: enter 0 to {most} units", field=f"qty.{line_id}")
        if quantity:
            lines[line_id] = quantity
    if not lines:
        raise ValidationFailed("choose at least one unit", field="lines")
    return lines


async def order_action(current: Page) -> Response:
    """POST: confirm, hold, release, cancel, ship, capture, return (with refund) or refund an order."""
    store_id, details = await _order_in_store(current)
    order = details.order
    action = str(current.request.path_params.get("action", ""))
    try:
        if action == "confirm":
            await orders.confirm_order(current.db, order.id)
        elif action == "hold":
            await orders.set_hold(current.db, order.id, True)
        elif action == "release":
            await orders.set_hold(current.db, order.id, False)
        elif action == "cancel":
            await orders.cancel_order(current.db, order.id)
        elif action == "ship":
            remaining = {
                line.id: line.quantity - line.quantity_shipped - line.quantity_cancelled for line in order.lines
            }
            info = orders.ShipInfo(
                carrier=current.text("carrier") or None,
                service=current.text("service") or None,
                tracking_number=current.text("tracking_number") or None,
            )
            await orders.create_shipment(
                current.db,
                order.id,
                _quantities(current, {k: v for k, v in remaining.items() if v > 0}),
                good_to_go=True,
                capture=current.flag("capture"),
                shipped=info,
            )
        elif action == "capture":
            shipment_id = _shipment_of(current, details)
            await orders.capture_shipment(current.db, shipment_id)
        elif action == "return":
            shipment_id = _shipment_of(current, details)
            shipment = details.shipment(shipment_id)
            allowed = {line.order_line_id: line.quantity - line.quantity_returned for line in shipment.lines}
            await orders.create_return(
                current.db,
                shipment_id,
                _quantities(current, {k: v for k, v in allowed.items() if v > 0}),
                return_stock=current.flag("return_stock"),
                comment=current.text("comment") or None,
                refund=current.flag("refund"),
            )
        elif action == "refund":
            text = current.text("amount")
            match = _AMOUNT.fullmatch(text)
            if match is None or len(match.group(1) or "") > order.currency_decimals or Decimal(text) <= 0:
                raise ValidationFailed("enter a positive amount in the order's currency, like 10.50", field="amount")
            amount = Decimal(text)
            await orders.refund_order(
                current.db,
                order.id,
                to_minor(amount, order.currency_decimals),
                reason=current.text("reason") or None,
            )
        else:
            raise NotFound("no such action")
    except NotFound:
        raise
    except DomainError as error:
        fresh = await order_details(current.db, order.id)
        return _order_view(current, store_id, fresh, error=error.message, action=action)
    return redirect(f"{BASE}/stores/{store_id}/orders/{order.id}")


def _shipment_of(current: Page, details: OrderDetails) -> int:
    shipment_id = parse_int(current.text("shipment"))
    if shipment_id is None or all(s.id != shipment_id for s in details.order.shipments):
        raise ValidationFailed("choose a shipment of this order", field="shipment")
    return shipment_id
