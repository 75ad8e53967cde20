"""The old Subscription API's endpoints, over the subscriptions domain.

Bodies are ``application/x-www-form-urlencoded`` with PHP-style arrays
(``package[]=1&package[]=3``); a JSON object is accepted too. Every answer
is HTTP 200: success carries ``"status": "ok"``, a failure the message in
``status`` and ``"error": true`` (see ``app.SubscriptionErrorFormat``).
A "subscription" of this API is a subscription contract of the domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from opencentra import subscriptions
from opencentra.address import Address
from opencentra.api.context import plugin_context
from opencentra.errors import ValidationFailed
from opencentra.integers import as_int, whole_number
from opencentra.money import from_minor

router = APIRouter()

_INTERVAL_TYPES = {"D": "day", "M": "month", "W": "week", "Y": "year"}
_INTERVAL_NAMES = {"day": "Day", "week": "Week", "month": "Month", "year": "Year"}


def ok(body: Mapping[str, Any]) -> Response:
    return Response(orjson.dumps({"status": "ok", **body}), media_type="application/json")


async def _form(request: Request) -> dict[str, list[str]]:
    """The body as name -> values; ``name[]`` and ``name[key]`` both collect under ``name``."""
    values: dict[str, list[str]] = {}
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = orjson.loads(await request.body() or b"{}")
        except orjson.JSONDecodeError:
            raise ValidationFailed("Invalid request", field="body") from None
        if not isinstance(body, dict):
            raise ValidationFailed("Invalid request", field="body")
        for key, value in body.items():
            items = value if isinstance(value, list) else [value]
            values[str(key)] = [str(item) for item in items if item is not None]
        return values
    form = await request.form()
    for key, value in form.multi_items():
        if not isinstance(value, str):
            raise ValidationFailed("files are not accepted", field=key)
        name = key.split("[", 1)[0] if key.endswith("]") else key
        values.setdefault(name, []).append(value)
    return values


def _one(values: Mapping[str, list[str]], name: str) -> str:
    found = values.get(name)
    return found[-1].strip() if found else ""


def _money(minor: int, decimals: int) -> str:
    return f"{from_minor(minor, decimals):.2f}"


def _body(view: subscriptions.ContractView) -> dict[str, Any]:
    live = [sub for sub in view.subscriptions if sub.status != "cancelled"] or list(view.subscriptions)
    first = live[0] if live else None
    address = view.shipping
    return {
        "status": view.status,
        "id": view.id,
        "amount": _money(view.amount_minor, view.currency_decimals),
        "shipping": _money(view.shipping_minor, view.currency_decimals),
        "itemCount": sum(sub.quantity for sub in view.subscriptions),
        "currency": view.currency_code,
        "createdAt": view.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "startDate": (view.start_date or view.created_at.date()).isoformat(),
        "nextOrderDate": min((sub.next_order_date for sub in live), default=view.created_at.date()).isoformat(),
        "interval": first.interval_value if first else 0,
        "intervalType": _INTERVAL_NAMES.get(first.interval_type, "Day") if first else "Day",
        "pricelist": str(view.pricelist_id),
        "packages": [str(plan_id) for plan_id in view.plan_ids],
        "address": {
            "firstName": address.first_name or "",
            "lastName": address.last_name or "",
            "phoneNumber": address.phone_number or "",
            "address1": address.address1 or "",
            "address2": address.address2 or "",
            "zipCode": address.zip_code or "",
            "city": address.city or "",
            "state": address.state or "",
            "country": address.country or "",
        },
        "customer": str(view.customer_id),
    }


def _subscription_id(value: object, name: str = "id") -> int:
    return whole_number(value, name, minimum=1)


@router.get("/subscription/packages")
async def list_packages(request: Request, pricelist: str | None = None) -> Response:
    ctx = plugin_context(request)
    found = await subscriptions.packages(ctx.app.db, ctx.plugin.store_id, pricelist)
    return Response(
        orjson.dumps(
            {
                "packages": [
                    {
                        "id": package.id,
                        "name": package.name,
                        "price": f"{package.price:.2f}",
                        "currency": package.currency_code,
                        "products": [
                            {
                                "id": item.display_item_id,
                                "size": item.product_size_id,
                                "variant": item.variant_id,
                                "product": item.product_id,
                            }
                            for item in package.items
                        ],
                    }
                    for package in found
                ]
            }
        ),
        media_type="application/json",
    )


@router.post("/subscription/order")
async def create_subscription(request: Request) -> Response:
    ctx = plugin_context(request)
    form = await _form(request)
    raw_packages = form.get("package", [])
    package_ids: list[int] = []
    for raw in raw_packages:
        number = as_int(raw.strip())
        if number is None or number < 1:
            raise ValidationFailed("Could not register customer", field="package")
        package_ids.append(number)
    interval_text = _one(form, "interval")
    interval = subscriptions.DEFAULT_INTERVAL if not interval_text else as_int(interval_text)
    if interval is None:
        raise ValidationFailed("interval must be a whole number", field="interval")
    kind_text = (_one(form, "intervaltype") or "D").upper()
    kind = _INTERVAL_TYPES.get(kind_text[:1]) if kind_text else "day"
    if kind is None:
        raise ValidationFailed("intervaltype must be D or M", field="intervaltype")
    start: date | None = None
    if _one(form, "startdate"):
        try:
            start = date.fromisoformat(_one(form, "startdate"))
        except ValueError:
            raise ValidationFailed("startdate must be Y-m-d", field="startdate") from None
    spec = subscriptions.LegacyOrder(
        store_id=ctx.plugin.store_id,
        email=_one(form, "email"),
        first_name=_one(form, "name"),
        last_name=_one(form, "sname"),
        country=_one(form, "country"),
        package_ids=package_ids,
        payment=_one(form, "payment"),
        payment_url=_one(form, "payment_url"),
        address=Address(
            address1=_one(form, "address") or None,
            address2=_one(form, "coaddress") or None,
            city=_one(form, "city") or None,
            state=_one(form, "state") or None,
            zip_code=_one(form, "zipcode") or None,
            phone_number=_one(form, "phoneNumber") or None,
            identity_number=_one(form, "pnr") or None,
        ),
        language=_one(form, "language") or None,
        start_date=start,
        interval=interval,
        interval_type=kind,
        newsletter=_one(form, "sendNewsletter").lower() in ("1", "true", "yes", "on"),
    )
    started = await subscriptions.start_subscription(ctx.app.db, spec)
    return ok(
        {
            "id": started.contract.id,
            "payment": {
                "url": started.payment_url,
                "value": f"{started.amount:.2f}",
                "currency": started.contract.currency_code,
            },
        }
    )


@router.post("/subscription/payment")
async def register_payment(request: Request) -> Response:
    ctx = plugin_context(request)
    form = await _form(request)
    contract_id = _subscription_id(_one(form, "id"))
    # Everything the provider sent back to payment_url, from the query string and the body.
    fields = {key: value for key, value in request.query_params.items() if key != "secret"}
    fields.update({key: values[-1] for key, values in form.items() if values})
    view = await subscriptions.complete_payment(
        ctx.app.db, ctx.plugin.store_id, contract_id, _one(form, "payment"), fields
    )
    body = _body(view)
    body.pop("status")
    body.pop("pricelist")
    body.pop("packages")
    body.pop("customer")
    return ok({**body, "receipt": None})


async def _get_one(request: Request, subscription: str) -> Response:
    ctx = plugin_context(request)
    view = await subscriptions.store_contract(ctx.app.db, ctx.plugin.store_id, _subscription_id(subscription))
    # The docs answer one subscription in a list, like the list call.
    return ok({"subscriptions": [_body(view)]})


@router.get("/subscription/subscription/{subscription}")
async def get_subscription(request: Request, subscription: str) -> Response:
    return await _get_one(request, subscription)


@router.get("/subscription/subscriptions/{subscription}")
async def get_subscription_plural(request: Request, subscription: str) -> Response:
    return await _get_one(request, subscription)


async def _list(request: Request, customer_email: str | None) -> Response:
    ctx = plugin_context(request)
    email = (customer_email or "").strip()
    if not email:
        raise ValidationFailed("customerEmail is required", field="customerEmail")
    found = await subscriptions.contracts_by_email(ctx.app.db, ctx.plugin.store_id, email)
    return ok({"subscriptions": [_body(view) for view in found]})


@router.get("/subscription/subscriptions")
async def list_subscriptions(request: Request, customerEmail: str | None = None) -> Response:  # noqa: N803
    return await _list(request, customerEmail)


@router.get("/subscription")
async def list_subscriptions_short(request: Request, customerEmail: str | None = None) -> Response:  # noqa: N803
    """The docs' example path (``GET <base>/subscription?customerEmail=``)."""
    return await _list(request, customerEmail)


async def _set_status(request: Request, subscription: str) -> Response:
    ctx = plugin_context(request)
    contract_id = _subscription_id(subscription)
    form = await _form(request)
    status = _one(form, "status") or request.query_params.get("status", "")
    view = await subscriptions.set_contract_status(ctx.app.db, ctx.plugin.store_id, contract_id, status)
    return ok({"subscriptions": [_body(view)]})


@router.put("/subscription/subscription/{subscription}")
async def update_subscription(request: Request, subscription: str) -> Response:
    return await _set_status(request, subscription)


@router.put("/subscription/subscriptions/{subscription}")
async def update_subscription_plural(request: Request, subscription: str) -> Response:
    return await _set_status(request, subscription)


# Last: the docs' short path would otherwise catch /subscription/subscriptions and /subscription/packages.
@router.get("/subscription/{subscription}")
async def get_subscription_short(request: Request, subscription: str) -> Response:
    """The docs' example path (``GET <base>/subscription/1``)."""
    return await _get_one(request, subscription)
