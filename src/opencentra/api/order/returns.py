"""Returns: create (with an optional refund), list, complete or reopen, refund."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from opencentra import orders
from opencentra.api.order import views, wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.bodies import Amount, ReturnCreate, ReturnUpdate
from opencentra.api.order.envelope import ask_xml, echo, ok, respond
from opencentra.api.order.orders import DOCUMENTED, page
from opencentra.errors import Conflict, ValidationFailed

router = APIRouter()
CREATED_FROM = "Order API"


def _cost(value: Amount, from_shipment: object, name: str, decimals: int) -> tuple[int, bool]:
    """An amount, or "take it from the shipment"; giving both is refused."""
    take = bool(wire.flag(from_shipment, f"{name}FromShipment", False))
    if take and value is not None:
        raise ValidationFailed(f"give either {name} or {name}FromShipment", field=name)
    return (0 if value is None else wire.minor(value, name, decimals)), take


@router.post("/return", responses=DOCUMENTED)
async def create_return(request: Request, body: ReturnCreate, api: OrderApi = Depends(order_api)) -> Response:  # noqa: B008
    """Return items of a shipped shipment (``products``: lineId -> qty; all of it when left out)."""
    ask_xml(request, body.xml)
    shipment_id = await orders.find_shipment_id(api.db, api.write_scope, wire.shipment(body.shipment))
    details, _ = await orders.shipment_details(api.db, shipment_id)
    shipment = details.shipment(shipment_id)
    decimals = details.order.currency_decimals
    if body.products:
        lines = {
            wire.integer(key, f"products.{key}", minimum=1): wire.integer(value, f"products.{key}", minimum=1)
            for key, value in body.products.items()
        }
    else:
        lines = {line.order_line_id: line.quantity - line.quantity_returned for line in shipment.lines}
        lines = {line_id: quantity for line_id, quantity in lines.items() if quantity > 0}
    shipping, shipping_from = _cost(body.shippingCost, body.shippingCostFromShipment, "shippingCost", decimals)
    handling, handling_from = _cost(body.handlingCost, body.handlingCostFromShipment, "handlingCost", decimals)
    voucher, voucher_from = _cost(body.voucherValue, body.voucherValueFromShipment, "voucherValue", decimals)
    amounts = orders.ReturnAmounts(
        return_cost_minor=0 if body.returnCost is None else wire.minor(body.returnCost, "returnCost", decimals),
        shipping_minor=shipping,
        handling_minor=handling,
        voucher_minor=voucher,
        shipping_from_shipment=shipping_from,
        handling_from_shipment=handling_from,
        voucher_from_shipment=voucher_from,
    )
    refund = body.refund is not None and bool(wire.flag(body.refund.refundPayment, "refund.refundPayment", False))
    return_stock = bool(wire.flag(body.returnStock, "returnStock", True))
    comment = wire.text(body.comment, "comment", limit=10000)
    created_at = wire.optional_when(body.createdAt, "createdAt", api.timezone)

    async def make(with_refund: bool) -> int:
        returned = await orders.create_return(
            api.db,
            shipment_id,
            lines,
            return_stock=return_stock,
            comment=comment,
            amounts=amounts,
            created_from=CREATED_FROM,
            created_at=created_at,
            refund=with_refund,
        )
        return returned.id

    refund_answer: dict[str, str] = {"status": "ok"}
    try:
        return_id = await make(refund)
    except Conflict as refused:
        if not refund or refused.field != "refund":
            raise
        # Centra makes the return even when its refund fails: pending, to be refunded later.
        refund, refund_answer = False, {"status": "no", "msg": refused.message}
        return_id = await make(False)
    answer = ok(**{"return": return_id, "returnCompleted": refund, "returnedItems": [str(i) for i in lines]})
    if body.refund is not None and (refund or refund_answer["status"] == "no"):
        answer["refund"] = refund_answer
    return respond(request, answer)


@router.get("/returns", responses=DOCUMENTED)
async def list_returns(
    request: Request,
    limit: str | None = None,
    page_number: Annotated[str | None, Query(alias="page")] = None,
    offset: str | None = None,
    return_id: Annotated[str | None, Query(alias="return")] = None,
    shipment: str | None = None,
    order: str | None = None,
    selection: str | None = None,
    customer_id: str | None = None,
    newer_than: str | None = None,
    older_than: str | None = None,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Returns, newest first; ``limit`` with ``page`` (from 1) or ``offset`` (from 0)."""
    size, start = page(limit, offset, default=100)
    if page_number not in (None, "") and offset in (None, ""):
        start = (wire.integer(page_number, "page", minimum=1) - 1) * size
    where = orders.ReturnFilter(
        return_id=wire.optional_integer(return_id, "return"),
        shipment_number=shipment or None,
        order_number=wire.optional_integer(order, "order"),
        selection_uuid=selection or None,
        customer_id=wire.optional_integer(customer_id, "customer_id"),
        newer_than=wire.optional_when(newer_than, "newer_than", api.timezone),
        older_than=wire.optional_when(older_than, "older_than", api.timezone),
        limit=size,
        offset=start,
    )
    found = await orders.list_returns(api.db, api.scope, where)
    return respond(request, ok(returns=[views.return_json(item) for item in found]))


@router.put("/returns/{return_id}", responses=DOCUMENTED)
async def update_return(
    request: Request,
    return_id: str,
    body: ReturnUpdate,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """``completed: true`` completes the return, ``false`` sets it back to pending; ``refundPayment`` refunds it."""
    ask_xml(request, body.xml)
    identifier = wire.integer(return_id, "return", minimum=1)
    found = await orders.find_return(api.db, api.write_scope, identifier)
    current = await orders.return_details(api.db, found)
    completed = wire.flag(body.completed, "completed")
    refund = wire.flag(body.refundPayment, "refundPayment", False)
    if refund and not current.returned.refunded:
        await orders.refund_return(api.db, found, reason="Order API return")
    elif completed is True and current.returned.status == orders.ReturnStatus.PENDING:
        await orders.complete_return(api.db, found)
    if completed is False:
        await orders.reopen_return(api.db, found)
    echo(request)
    return respond(request, ok(**{"return": views.return_json(await orders.return_details(api.db, found))}))
