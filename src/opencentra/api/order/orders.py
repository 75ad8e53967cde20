"""GET and PUT /orders: reading orders and updating their comments and attributes."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from opencentra import orders
from opencentra.api.order import views, wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.bodies import OrderUpdate
from opencentra.api.order.envelope import ask_xml, echo, ok, respond, wants_xml
from opencentra.errors import ValidationFailed

router = APIRouter()
MAX_LIMIT = 1000
DOCUMENTED: dict[int | str, dict[str, Any]] = {
    200: {"description": '`{"status": "ok", ...}`, or `{"status": "no", "msg": ...}` on failure'}
}


def page(limit: str | None, offset: str | None, *, default: int = 20, maximum: int = MAX_LIMIT) -> tuple[int, int]:
    size = default if limit in (None, "") else wire.integer(limit, "limit", minimum=1)
    if size > maximum:
        raise ValidationFailed(f"limit is at most {maximum}", field="limit")
    start = 0 if offset in (None, "") else wire.integer(offset, "offset", minimum=0)
    return size, start


@router.get("/orders", responses=DOCUMENTED)
async def list_orders(
    request: Request,
    limit: str | None = None,
    offset: str | None = None,
    order: str | None = None,
    customer_id: str | None = None,
    newer_than: str | None = None,
    older_than: str | None = None,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """Orders of the plugin's markets and statuses; ``order=<number>`` fetches one."""
    size, start = page(limit, offset)
    where = orders.OrderFilter(
        number=wire.optional_integer(order, "order"),
        customer_id=wire.optional_integer(customer_id, "customer_id"),
        newer_than=wire.optional_when(newer_than, "newer_than", api.timezone),
        older_than=wire.optional_when(older_than, "older_than", api.timezone),
        limit=size,
        offset=start,
        newest_first=api.settings.newest_first,
    )
    mode = api.settings.bundles_in_orders
    if wants_xml(request):
        found = await orders.list_orders(api.db, api.scope, where)
        return respond(request, ok(orders=[views.order_json(details, mode) for details in found]))
    # Each order's JSON is rendered once per change and kept (orders.render_orders); the page is
    # spliced from them, byte for byte what orjson.dumps(ok(orders=[...])) would print.
    documents = await orders.render_orders(
        api.db, api.scope, where, lambda details: orjson.dumps(views.order_json(details, mode)), render_key=mode
    )
    return Response(b'{"status":"ok","orders":[' + b",".join(documents) + b"]}", media_type="application/json")


@router.put("/orders", responses=DOCUMENTED)
async def update_order(request: Request, body: OrderUpdate, api: OrderApi = Depends(order_api)) -> Response:  # noqa: B008
    """Append to (or replace) the internal comment and comment; set custom attributes."""
    ask_xml(request, body.xml)
    number = wire.integer(body.order, "order", minimum=1)
    echo(request, order=number)
    attributes: dict[str, str] = {}
    for name, value in (body.extraAttributes or {}).items():
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValidationFailed("an attribute value is text", field=f"extraAttributes.{name}")
        attributes[str(name)] = "" if value is None else str(value)
    order_id = await orders.find_order_id(api.db, api.write_scope, number)
    await orders.update_notes(
        api.db,
        order_id,
        internal_comment=wire.text(body.internalComment, "internalComment", limit=10000),
        replace_internal_comment=bool(wire.flag(body.replaceInternalComment, "replaceInternalComment", False)),
        comment=wire.text(body.comment, "comment", limit=10000),
        replace_comment=bool(wire.flag(body.replaceComment, "replaceComment", False)),
        extra_attributes=attributes,
    )
    return respond(request, ok(order=number))


def order_number(value: Any, field: str = "order") -> int:
    return wire.integer(value, field, minimum=1)
