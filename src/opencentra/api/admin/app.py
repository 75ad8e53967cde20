"""The admin UI's ASGI app, mounted at ``/ams`` (paths below are relative to it).

Where Centra's documentation starts: SYSTEM > STORES > a store > its API
plugins. ``ROUTES`` is the whole route table; ``tests/api/admin`` walks it
to check that every page refuses a visitor without a session, and every
SYSTEM page a store manager.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from opencentra.api.admin import (
    auth_pages,
    catalog_pages,
    customer_pages,
    list_pages,
    operations_pages,
    order_pages,
    promotion_pages,
    subscription_pages,
    system_pages,
)
from opencentra.api.admin.web import THROTTLES_STATE, Handler, error_page, page
from opencentra.ratelimit.throttle import Throttles


@dataclass(frozen=True, slots=True)
class AdminRoute:
    path: str
    handler: Handler
    methods: tuple[str, ...]
    # SYSTEM pages: administrators only.
    system: bool = False


GET_POST = ("GET", "POST")
POST = ("POST",)

ROUTES: tuple[AdminRoute, ...] = (
    AdminRoute("/", auth_pages.home, ("GET",)),
    AdminRoute("/logout", auth_pages.logout, POST),
    AdminRoute("/account/password", auth_pages.password, GET_POST),
    AdminRoute("/system/stores", system_pages.store_list, GET_POST, system=True),
    AdminRoute("/system/stores/{store_id}", system_pages.store_edit, GET_POST, system=True),
    AdminRoute("/system/stores/{store_id}/plugins/new", system_pages.plugin_new, GET_POST, system=True),
    AdminRoute("/system/stores/{store_id}/plugins/{plugin_id}", system_pages.plugin_edit, GET_POST, system=True),
    AdminRoute("/system/stores/{store_id}/plugins/{plugin_id}/rotate", system_pages.plugin_rotate, POST, system=True),
    AdminRoute("/system/stores/{store_id}/plugins/{plugin_id}/revoke", system_pages.plugin_revoke, POST, system=True),
    AdminRoute("/system/tokens", system_pages.tokens, GET_POST, system=True),
    AdminRoute("/system/tokens/{token_id}/revoke", system_pages.token_revoke, POST, system=True),
    AdminRoute("/system/tokens/{token_id}/rotate", system_pages.token_rotate, POST, system=True),
    AdminRoute("/system/soap-users", system_pages.soap_users, GET_POST, system=True),
    AdminRoute("/system/admins", system_pages.admins, GET_POST, system=True),
    AdminRoute("/system/operations", operations_pages.operations, ("GET",), system=True),
    AdminRoute("/system/operations/webhooks/{delivery_id}/retry", operations_pages.delivery_retry, POST, system=True),
    AdminRoute("/stores/{store_id}/orders", order_pages.order_list, ("GET",)),
    AdminRoute("/stores/{store_id}/orders/{order_id}", order_pages.order_detail, ("GET",)),
    AdminRoute("/stores/{store_id}/orders/{order_id}/{action}", order_pages.order_action, POST),
    AdminRoute("/stores/{store_id}/customers", list_pages.customer_list, ("GET",)),
    AdminRoute("/stores/{store_id}/customers/{customer_id}", customer_pages.customer_detail, ("GET",)),
    AdminRoute("/stores/{store_id}/customers/{customer_id}/{action}", customer_pages.customer_action, POST),
    AdminRoute("/stores/{store_id}/vouchers", list_pages.voucher_list, ("GET",)),
    AdminRoute("/stores/{store_id}/vouchers/new", promotion_pages.voucher_new, GET_POST),
    AdminRoute("/stores/{store_id}/vouchers/{voucher_id}", promotion_pages.voucher_edit, GET_POST),
    AdminRoute("/stores/{store_id}/campaigns", promotion_pages.campaign_list, GET_POST),
    AdminRoute("/stores/{store_id}/campaigns/{campaign_id}", promotion_pages.campaign_edit, GET_POST),
    AdminRoute("/stores/{store_id}/subscriptions", subscription_pages.contract_list, ("GET",)),
    AdminRoute("/stores/{store_id}/subscriptions/{contract_id}/{action}", subscription_pages.contract_action, POST),
    AdminRoute("/stores/{store_id}/products", catalog_pages.product_list, ("GET",)),
    AdminRoute("/stores/{store_id}/products/new", catalog_pages.product_new, GET_POST),
    AdminRoute("/stores/{store_id}/products/{product_id}", catalog_pages.product_detail, ("GET",)),
    AdminRoute("/stores/{store_id}/products/{product_id}/{action}", catalog_pages.product_action, POST),
)


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return error_page(request, status, "Not found." if status == 404 else "That request is not allowed here.")


def create_admin_app() -> Starlette:
    routes: list[Route | Mount] = [Route("/login", auth_pages.login, methods=["GET", "POST"])]
    routes += [Route(r.path, page(r.handler, system=r.system), methods=list(r.methods)) for r in ROUTES]
    routes.append(Mount("/static", StaticFiles(packages=[("opencentra.api.admin", "static")]), name="static"))
    admin = Starlette(routes=routes, exception_handlers={HTTPException: _not_found})
    setattr(admin.state, THROTTLES_STATE, Throttles())
    return admin
