"""The Shop API adapter: ``API-Authorization`` required; errors as ``{"errors": {...}}``."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from opencentra.api.adapter import Adapter
from opencentra.api.context import presented_secret
from opencentra.api.errors import http_status, install_error_format
from opencentra.api.openapi_responses import ERRORS_OBJECT_RESPONSES
from opencentra.api.shop import catalogue
from opencentra.api.shop.customers import router as customers_router
from opencentra.api.shop.selections import router as selections_router
from opencentra.api.shop.v1 import router as v1_router
from opencentra.errors import DomainError
from opencentra.integration import PluginView


def errors_response(status_code: int, errors: dict[str, Any]) -> Response:
    return Response(orjson.dumps({"errors": errors}), status_code=status_code, media_type="application/json")


class ShopErrorFormat:
    def domain(self, request: Request, error: DomainError) -> Response:
        return errors_response(http_status(error), {error.field or error.code: error.message})

    def invalid_request(self, request: Request, fields: dict[str, str]) -> Response:
        return errors_response(400, fields)

    def http(self, request: Request, status_code: int, message: str) -> Response:
        if status_code == 404:
            return errors_response(404, {"endpoint": "not found"})
        if status_code >= 500:
            return errors_response(500, {"server": "internal error"})
        return errors_response(status_code, {"request": message})


def guard(request: Request, plugin: PluginView) -> Response | None:
    if plugin.check_secret(presented_secret(request, accept_bearer=False)):
        return None
    return errors_response(401, {"API-Authorization": "invalid or missing"})


def not_found(plugin: PluginView, message: str) -> Response:
    return errors_response(404, {"plugin": message})


def create_shop_adapter() -> Adapter:
    app = FastAPI(
        title="OpenCentra Shop API",
        description="Centra-compatible Shop API (server mode, selections by id).",
        docs_url=None,
        redoc_url=None,
        responses=ERRORS_OBJECT_RESPONSES,
    )
    # The catalogue (catalogue.py); the selections, customers and checkout routes go below it.
    app.include_router(catalogue.router)
    app.include_router(selections_router)
    app.include_router(customers_router)
    app.include_router(v1_router)  # last: ``/v1/{uri:path}`` forwards to the routes above
    install_error_format(app, ShopErrorFormat())
    return Adapter(app=app, guard=guard, not_found=not_found)
