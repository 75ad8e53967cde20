"""The Checkout API adapter's app. Endpoints are added per resource module."""

from __future__ import annotations

from fastapi import FastAPI

from opencentra.api.adapter import Adapter
from opencentra.api.checkout.auth import guard
from opencentra.api.checkout.errors import CheckoutErrorFormat, not_found
from opencentra.api.errors import install_error_format


def create_checkout_adapter() -> Adapter:
    app = FastAPI(
        title="OpenCentra Checkout API",
        description="Centra-compatible Checkout API (client and server mode).",
        docs_url=None,
        redoc_url=None,
    )
    install_error_format(app, CheckoutErrorFormat())
    return Adapter(app=app, guard=guard, not_found=not_found)
