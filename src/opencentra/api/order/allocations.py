"""Ship-from-store allocation: POST /check-first, PUT /allocation-request, GET /allocation-requests.

These endpoints have their own envelopes in Centra: PUT answers
``{"success": bool, "errorMessages": [...]}`` (always HTTP 200) and GET
failures carry ``errorMessages`` instead of ``msg``. Dates are ISO-8601
with the store's offset.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from opencentra import orders
from opencentra.api.order import wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.bodies import AllocationRequestUpdate, CheckFirst
from opencentra.api.order.envelope import ask_xml, failure, ok, respond
from opencentra.api.order.orders import DOCUMENTED
from opencentra.errors import DomainError, ValidationFailed
from opencentra.orders import AllocationRequestStatus

router = APIRouter()
STATUSES = [s.value for s in AllocationRequestStatus]


@router.post("/check-first", responses=DOCUMENTED)
async def check_first(request: Request, body: CheckFirst, api: OrderApi = Depends(order_api)) -> Response:  # noqa: B008
    """Accept (allocate the order's back-ordered units here) or reject a "check first" request."""
    ask_xml(request, body.xml)
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, read in (
        ("orderNumber", lambda v: wire.integer(v, "orderNumber", minimum=1)),
        ("warehouseId", lambda v: wire.integer(v, "warehouseId", minimum=1)),
        ("accepted", lambda v: wire.flag(v, "accepted")),
    ):
        raw = getattr(body, name)
        if raw is None:
            problems[name] = "required"
            continue
        try:
            values[name] = read(raw)
        except ValidationFailed:
            problems[name] = "invalid value"
    if problems:
        return failure(request, problems)
    await orders.allocation_requests.check_first(
        api.db, api.write_scope, values["orderNumber"], values["warehouseId"], accepted=bool(values["accepted"])
    )
    return respond(request, ok())


@router.put("/allocation-request", responses=DOCUMENTED)
async def update_allocation_request(
    request: Request,
    body: AllocationRequestUpdate,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Confirm or reject an allocation request; ``{"success": ..., "errorMessages": [...]}``."""
    ask_xml(request, body.xml)
    if body.status not in ("confirmed", "rejected"):
        answer: dict[str, Any] = {
            "success": False,
            "errorMessages": {"status": "invalid value, expected 'confirmed' or 'rejected'"},
        }
        return respond(request, answer)
    try:
        identifier = wire.integer(body.id, "id", minimum=1)
        await orders.allocation_requests.answer(
            api.db, api.write_scope, identifier, confirmed=body.status == "confirmed"
        )
    except DomainError as refused:
        message = (
            "Allocation request not found"
            if refused.field == "id" and "not found" in refused.message.lower()
            else refused.message
        )
        return respond(request, {"success": False, "errorMessages": [message]})
    return respond(request, {"success": True, "errorMessages": []})


def _statuses(raw: str | None) -> list[str] | None:
    if raw in (None, ""):
        return list(orders.allocation_requests.OPEN)
    if raw.strip() == "all":
        return None
    wanted = [part.strip() for part in raw.split(",")]
    if any(part not in STATUSES for part in wanted):
        raise ValueError(raw)
    return wanted


def _ids(raw: str | None, name: str) -> list[int]:
    if raw in (None, ""):
        return []
    return [wire.integer(part, name, minimum=1) for part in raw.split(",")]


@router.get("/allocation-requests", responses=DOCUMENTED)
async def list_allocation_requests(
    request: Request,
    status: str | None = None,
    order: str | None = None,
    warehouse: str | None = None,
    page: str | None = None,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Open requests by default (``status=all`` or a comma list for others), 100 a page."""
    try:
        statuses = _statuses(status)
    except ValueError:
        got = status or ""
        message = (
            f'Expected "status" to be a single or a comma-separated list of request statuses, or "all", got "{got}"'
        )
        return respond(request, {"status": "no", "errorMessages": {"status": message}})
    found = await orders.allocation_requests.list_requests(
        api.db,
        api.write_scope,
        statuses=statuses,
        order_numbers=_ids(order, "order"),
        warehouse_ids=_ids(warehouse, "warehouse"),
        page=1 if page in (None, "") else wire.integer(page, "page", minimum=1, maximum=10**9),
    )
    tz = api.timezone
    body = [
        {
            "id": view.request.id,
            "status": view.request.status,
            "warehouseId": view.request.warehouse_id,
            "warehouseName": view.warehouse_name,
            "expirationDate": wire.show_iso(view.request.expires_at, tz),
            "order": {"id": view.selection_uuid or "", "number": view.order_number},
            "lines": [
                {"lineId": line.order_line_id, "quantity": line.quantity, "stockItemId": view.sizes.get(line.id)}
                for line in view.request.lines
            ],
            "createdAt": wire.show_iso(view.request.created_at, tz),
        }
        for view in found
    ]
    return respond(request, ok(allocation_requests=body))
