"""The Order API adapter's app. Endpoints are added per resource module."""

from __future__ import annotations

from fastapi import FastAPI

from opencentra.api.adapter import Adapter
from opencentra.api.errors import install_error_format
from opencentra.api.order.auth import guard
from opencentra.api.order.envelope import OrderErrorFormat, not_found


def create_order_adapter() -> Adapter:
    app = FastAPI(
        title="OpenCentra Order API",
        description="Centra-compatible Order API (REST integration API).",
        docs_url=None,
        redoc_url=None,
    )
    install_error_format(app, OrderErrorFormat())
    return Adapter(app=app, guard=guard, not_found=not_found)
