"""Shipments: create (capturing by default), list, get, change, complete, capture, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from opencentra import orders
from opencentra.api.order import views, wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.bodies import CaptureRequest, ShipmentComplete, ShipmentCreate, ShipmentUpdate
from opencentra.api.order.documents import document_urls
from opencentra.api.order.envelope import ask_xml, echo, failure, ok, respond
from opencentra.api.order.orders import DOCUMENTED, page
from opencentra.errors import Conflict, ValidationFailed
from opencentra.orders import DocumentKind, available_kinds

router = APIRouter()


def shipment_lines(products: dict[str, Any] | None) -> dict[int, int]:
    """``{"<lineId>": qty}`` or ``{"<lineId>": {"qty": n, "serialNumber": ...}}`` as {line id: qty}."""
    if not products:
        raise ValidationFailed("required", field="products")
    lines: dict[int, int] = {}
    for key, value in products.items():
        line_id = wire.integer(key, f"products.{key}", minimum=1)
        quantity = value.get("qty") if isinstance(value, dict) else value
        lines[line_id] = wire.integer(quantity, f"products.{key}", minimum=1)
    return lines


def ship_info(body: ShipmentCreate | ShipmentComplete) -> orders.ShipInfo:
    return orders.ShipInfo(
        carrier=wire.text(body.carrier, "carrier", limit=100),
        service=wire.text(body.service, "service", limit=100),
        tracking_number=wire.text(body.tracking, "tracking", limit=200),
        return_slip_tracking=wire.text(body.returnSlipTracking, "returnSlipTracking", limit=200),
        packages=wire.optional_integer(body.packages, "packages", minimum=0),
        internal_comment=wire.text(getattr(body, "internalComment", None), "internalComment", limit=10000),
    )


def _document_urls(request: Request, details: orders.OrderDetails, shipment_id: int) -> dict[DocumentKind, str]:
    shipment = details.shipment(shipment_id)
    return document_urls(request, shipment.number, available_kinds(shipment))


async def _shipment_body(request: Request, api: OrderApi, shipment_id: int) -> dict[str, Any]:
    details, _ = await orders.shipment_details(api.db, shipment_id)
    return views.shipment_json(
        details,
        shipment_id,
        capture_on_shipment=api.settings.capture_on_shipment,
        documents=_document_urls(request, details, shipment_id),
        bundle_mode=api.settings.bundles_in_shipments,
    )


@router.post("/shipments", responses=DOCUMENTED)
# The older spelling (docs before 2020-12); same handler, left out of the schema.
@router.post("/shipment", include_in_schema=False)
async def create_shipment(request: Request, body: ShipmentCreate, api: OrderApi = Depends(order_api)) -> Response:  # noqa: B008
    """Put order lines on a shipment; captures unless ``capture`` is false, ships if ``shipped``."""
    ask_xml(request, body.xml)
    echo(request, order=str(body.order))
    number = wire.integer(body.order, "order", minimum=1)
    lines = shipment_lines(body.products)
    capture = wire.flag(body.capture, "capture", api.settings.capture_on_shipment)
    shipped = wire.flag(body.shipped, "shipped", False)
    order_id = await orders.find_order_id(api.db, api.write_scope, number)
    try:
        shipment = await orders.create_shipment(
            api.db,
            order_id,
            lines,
            good_to_go=bool(wire.flag(body.gtg, "gtg", False)),
            capture=bool(capture),
            shipped=ship_info(body) if shipped else None,
            reuse_open=not wire.flag(body.createAlways, "createAlways", False),
        )
    except Conflict as refused:
        if refused.field == "capture":
            # Centra's wording here; no shipment was made.
            return failure(request, "can not capture order")
        raise
    urls = document_urls(request, shipment.number, available_kinds(shipment))
    answer = ok(
        order=number,
        shipment=shipment.number,
        deliveryNote=urls[DocumentKind.DELIVERY_NOTE],
        proforma=urls[DocumentKind.PROFORMA],
    )
    if DocumentKind.INVOICE in urls:  # only once captured
        answer["invoice"] = urls[DocumentKind.INVOICE]
    return respond(request, answer)


@router.get("/shipments", responses=DOCUMENTED)
async def list_shipments(
    request: Request,
    limit: str | None = None,
    offset: str | None = None,
    order: str | None = None,
    status: str | None = None,
    newer_than: str | None = None,
    older_than: str | None = None,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Shipments in one state (Good-To-Go by default), oldest first. Not a queue: dedupe by shipmentId."""
    wanted = orders.ShipmentStatus.GOOD_TO_GO
    if status not in (None, ""):
        try:
            wanted = orders.ShipmentStatus(status.strip().lower())
        except ValueError:
            raise ValidationFailed(
                "invalid value, expected inprogress, goodtogo or completed", field="status"
            ) from None
    if wanted == orders.ShipmentStatus.GOOD_TO_GO:
        size: int | None = None if limit in (None, "") else page(limit, None)[0]
        start = page(None, offset)[1]
    else:
        size, start = page(limit, offset, default=100, maximum=100)
    where = orders.ShipmentFilter(
        status=wanted,
        order_number=wire.optional_integer(order, "order"),
        newer_than=wire.optional_when(newer_than, "newer_than", api.timezone),
        older_than=wire.optional_when(older_than, "older_than", api.timezone),
        limit=size,
        offset=start,
    )
    found = await orders.list_shipments(api.db, api.scope, where)
    capture = api.settings.capture_on_shipment
    shipments = [
        views.shipment_json(
            details,
            shipment_id,
            capture_on_shipment=capture,
            documents=_document_urls(request, details, shipment_id),
            bundle_mode=api.settings.bundles_in_shipments,
        )
        for details, shipment_id in found
    ]
    return respond(request, ok(shipments=shipments))


@router.get("/shipments/{shipment_id}", responses=DOCUMENTED)
# The older spelling (the route was corrected from /shipment/{id} in 2020-12).
@router.get("/shipment/{shipment_id}", include_in_schema=False)
async def get_shipment(
    request: Request,
    shipment_id: str,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """One shipment, by its number ("83651-1") or internal id."""
    echo(request, shipment=shipment_id)
    found = await orders.find_shipment_id(api.db, api.write_scope, wire.shipment(shipment_id))
    return respond(request, ok(shipment=await _shipment_body(request, api, found)))


@router.put("/shipments/{shipment_id}", responses=DOCUMENTED)
async def update_shipment(
    request: Request,
    shipment_id: str,
    body: ShipmentUpdate,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Change the lines of an unshipped, uncaptured shipment, or its Good-To-Go flag."""
    ask_xml(request, body.xml)
    echo(request, shipment=shipment_id)
    found = await orders.find_shipment_id(api.db, api.write_scope, wire.shipment(shipment_id))
    lines = None if body.products is None else shipment_lines(body.products)
    await orders.update_shipment(api.db, found, lines=lines, good_to_go=wire.flag(body.gtg, "gtg"))
    return respond(request, ok(shipment=await _shipment_body(request, api, found)))


@router.put("/shipment", responses=DOCUMENTED)
async def complete_shipment(request: Request, body: ShipmentComplete, api: OrderApi = Depends(order_api)) -> Response:  # noqa: B008
    """Mark a shipment shipped with its tracking; captures first unless ``capture`` is false."""
    ask_xml(request, body.xml)
    echo(request, shipment=str(body.shipment))
    if body.order is not None:
        echo(request, order=wire.integer(body.order, "order", minimum=1))
    shipment_id = await orders.find_shipment_id(api.db, api.write_scope, wire.shipment(body.shipment))
    details, _ = await orders.shipment_details(api.db, shipment_id)
    shipment = details.shipment(shipment_id)
    echo(request, order=details.order.number, shipment=shipment.number)
    if body.order is not None and wire.integer(body.order, "order") != details.order.number:
        raise ValidationFailed(f"shipment {shipment.number} is not on order {body.order}", field="order")
    capture = bool(wire.flag(body.capture, "capture", True))
    shipped = wire.flag(body.shipped, "shipped", True)
    gtg = wire.flag(body.gtg, "gtg", True)
    if shipped and gtg:
        info = ship_info(body)
        await orders.complete_shipment(
            api.db,
            shipment_id,
            carrier=info.carrier,
            service=info.service,
            tracking_number=info.tracking_number,
            return_slip_tracking=info.return_slip_tracking,
            packages=info.packages,
            internal_comment=info.internal_comment,
            capture=capture,
        )
    elif body.gtg is not None:
        await orders.update_shipment(api.db, shipment_id, good_to_go=bool(gtg))
    return respond(request, ok(order=details.order.number, shipment=shipment.number))


@router.put("/capture", responses=DOCUMENTED)
async def capture(request: Request, body: CaptureRequest, api: OrderApi = Depends(order_api)) -> Response:  # noqa: B008
    """Capture the payment of a shipment; a shipment is captured once."""
    ask_xml(request, body.xml)
    echo(request, shipment=str(body.shipment))
    shipment_id = await orders.find_shipment_id(api.db, api.write_scope, wire.shipment(body.shipment))
    details, _ = await orders.shipment_details(api.db, shipment_id)
    # A refused capture answers {"status":"no","msg":"capture failed","order":..,"shipment":..}.
    echo(request, order=details.order.number, shipment=details.shipment(shipment_id).number)
    result = await orders.capture_shipment(api.db, shipment_id)
    if not result.captured_now:
        return failure(
            request,
            "shipment is already captured",
            order=details.order.number,
            shipment=result.shipment.number,
        )
    return respond(request, ok(order=details.order.number, shipment=result.shipment.number))


@router.delete("/shipments/{shipment_id}", responses=DOCUMENTED)
async def delete_shipment(
    request: Request,
    shipment_id: str,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Remove a shipment that has no invoice (capture) and has not shipped."""
    echo(request, shipment=shipment_id)
    found = await orders.find_shipment_id(api.db, api.write_scope, wire.shipment(shipment_id))
    details, _ = await orders.shipment_details(api.db, found)
    echo(request, shipment=details.shipment(found).number)
    try:
        number = await orders.delete_shipment(api.db, found)
    except Conflict as refused:
        return failure(request, refused.message)
    return respond(request, ok(msg="shipment removed", order=details.order.number, shipment=number))
