"""The Order API adapter's app: one router per resource, the endpoint whitelist on all of them."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from opencentra.api.adapter import Adapter
from opencentra.api.errors import install_error_format
from opencentra.api.openapi_responses import EDGE_STATUSES, declare_xml_alternatives, error_responses
from opencentra.api.order import (
    allocations,
    customers,
    documents,
    order_create,
    orders,
    returns,
    shipments,
    stock,
    suppliers,
    vouchers,
)
from opencentra.api.order.access import check_allowed
from opencentra.api.order.auth import guard
from opencentra.api.order.envelope import OrderErrorFormat, not_found

# Failures are mostly HTTP 200 with ``status: no`` (each route's own 200); these
# are the other statuses (envelope.py): a refused secret, a blocked endpoint
# (``{"status": "Not Allowed"}``), an unknown path or method, a malformed or too
# large request.
ERROR_RESPONSES = error_responses(
    {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"type": "string"}, "msg": {"type": ["string", "object"]}},
    },
    (*EDGE_STATUSES, 400, 403),
)


def create_order_adapter() -> Adapter:
    app = FastAPI(
        title="OpenCentra Order API",
        description="Centra-compatible Order API (REST integration API).",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(check_allowed)],
        responses=ERROR_RESPONSES,
    )
    modules = (orders, order_create, shipments, documents, allocations, returns, stock, customers, suppliers, vouchers)
    for module in modules:
        app.include_router(module.router)
    install_error_format(app, OrderErrorFormat())
    # ``xml=1`` (query string or body) turns any answer into XML.
    declare_xml_alternatives(app)
    return Adapter(app=app, guard=guard, not_found=not_found)
