"""The Order API adapter's app: one router per resource, the endpoint whitelist on all of them."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from opencentra.api.adapter import Adapter
from opencentra.api.errors import install_error_format
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


def create_order_adapter() -> Adapter:
    app = FastAPI(
        title="OpenCentra Order API",
        description="Centra-compatible Order API (REST integration API).",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(check_allowed)],
    )
    modules = (orders, order_create, shipments, documents, allocations, returns, stock, customers, suppliers, vouchers)
    for module in modules:
        app.include_router(module.router)
    install_error_format(app, OrderErrorFormat())
    return Adapter(app=app, guard=guard, not_found=not_found)
