"""Vouchers: create a simple percent-off or amount-off code voucher, clone one, read one.

Creation goes through ``pricing.create_voucher``, cloning through
``pricing.clone_voucher`` (one transaction) and reading through
``pricing.voucher_view``; this module only parses Centra's bodies and renders
Centra's answers. An amount off is given per pricelist (``valueByPricelist``)
and kept per currency: each pricelist's currency gets the amount. Dates are
whole days in the store's timezone: the voucher runs from the start of
``startDate`` to the end of ``stopDate``. ``conversionHtml`` is accepted but
not stored (always "").
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from opencentra import pricing, stores
from opencentra.api.order import wire
from opencentra.api.order.access import OrderApi, order_api
from opencentra.api.order.bodies import VoucherClone, VoucherCreate
from opencentra.api.order.envelope import ask_xml, failure, ok, respond
from opencentra.api.order.orders import DOCUMENTED
from opencentra.db.base import utcnow
from opencentra.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

router = APIRouter()
TYPES = ("percentoff", "priceoff")


def _code() -> str:
    return secrets.token_hex(10)


def _pricelist_ids(by_pricelist: dict[str, Any]) -> list[int]:
    """The keys that are pricelist ids; the others are refused where they are read."""
    found = []
    for key in by_pricelist:
        try:
            found.append(wire.integer(key, "valueByPricelist", minimum=1))
        except ValidationFailed:
            continue
    return found


async def _amounts(api: OrderApi, store_id: int, by_pricelist: dict[str, Any]) -> dict[int, Decimal]:
    amounts: dict[int, Decimal] = {}
    # One read for every pricelist named; the keys are then checked in the order given.
    pricelists = await stores.pricelists_by_id(api.db, _pricelist_ids(by_pricelist))
    for key, value in by_pricelist.items():
        pricelist = pricelists.get(wire.integer(key, f"valueByPricelist.{key}", minimum=1))
        if pricelist is None or pricelist.store_id != store_id:
            raise ValidationFailed(f"Pricelist {key} not found.", field="valueByPricelist")
        amount = wire.decimal(value, f"valueByPricelist.{key}")
        if amount <= 0:
            raise ValidationFailed("an amount off must be above zero", field=f"valueByPricelist.{key}")
        amounts[pricelist.currency_id] = amount
    return amounts


@router.post("/voucher", responses=DOCUMENTED)
async def create_voucher(request: Request, body: VoucherCreate, api: OrderApi = Depends(order_api)) -> Response:  # noqa: B008
    """A code voucher taking a percent (``percentoff``) or an amount per pricelist (``priceoff``) off."""
    ask_xml(request, body.xml)
    missing = {
        name: "required"
        for name in ("name", "stopDate", "type", "store", "markets", "status")
        if getattr(body, name) in (None, "", [])
    }
    if missing:
        return failure(request, missing)
    if body.type not in TYPES:
        raise ValidationFailed("invalid value, expected percentoff or priceoff", field="type")
    store_id = wire.integer(body.store, "store", minimum=1)
    if store_id not in api.store_ids:
        raise ValidationFailed(f"Store {store_id} not found.", field="store")
    raw_markets = body.markets if isinstance(body.markets, list) else [body.markets]
    market_ids = [wire.integer(m, "markets", minimum=1) for m in raw_markets]
    percent_bp: int | None = None
    amounts: dict[int, Decimal] = {}
    if body.type == "percentoff":
        if body.value is None:
            raise ValidationFailed("One of 'value' or 'valueByPricelist' should be provided.", field="value")
        percent_bp = int(wire.decimal(body.value, "value") * 100)
    else:
        if not body.valueByPricelist:
            raise ValidationFailed("One of 'value' or 'valueByPricelist' should be provided.", field="value")
        amounts = await _amounts(api, store_id, body.valueByPricelist)
    tz = api.timezone
    starts = (
        wire.when(body.startDate, "startDate", tz)
        if body.startDate
        else wire.when(wire.show_day(utcnow(), tz), "startDate", tz)
    )
    stops = wire.when(body.stopDate, "stopDate", tz) + timedelta(days=1)
    limit = wire.optional_integer(body.limit, "limit", minimum=0)
    code = body.code or _code()
    try:
        voucher = await pricing.create_voucher(
            api.db,
            pricing.VoucherSpec(
                store_id=store_id,
                name=body.name or "",
                type=pricing.VoucherType.CODE,
                code=code,
                active=bool(wire.flag(body.status, "status")),
                starts_at=starts,
                ends_at=stops,
                market_ids=market_ids,
                usage_limit=limit or None,
                percent_off_bp=percent_bp,
                amounts=amounts,
            ),
        )
    except pricing.UnknownMarkets as unknown:
        raise ValidationFailed(f"Market {unknown.market_ids[0]} not found.", field="markets") from None
    return respond(request, ok(voucher=voucher.id, code=voucher.code))


@router.put("/voucher/{voucher_id}/clone", responses=DOCUMENTED)
async def clone_voucher(
    request: Request,
    voucher_id: str,
    body: VoucherClone,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    """A new code voucher like the template, with its own name, code and stop date."""
    ask_xml(request, body.xml)
    if not body.stopDate:
        return failure(request, {"stopDate": "required"}, voucher=voucher_id)
    identifier = wire.optional_integer(voucher_id, "voucher", minimum=1)
    if identifier is None:
        return failure(request, {"voucher": "Voucher not found"}, voucher=voucher_id)
    stops = wire.when(body.stopDate, "stopDate", api.timezone) + timedelta(days=1)
    try:
        clone = await pricing.clone_voucher(
            api.db, identifier, code=body.code or _code(), ends_at=stops, name=body.name, store_ids=api.store_ids
        )
    except NotFound:
        return failure(request, {"voucher": "Voucher not found"}, voucher=voucher_id)
    except PermissionDenied:
        return failure(request, {"voucher": "Voucher does not belong to this store"}, voucher=voucher_id)
    except (Conflict, ValidationFailed) as refused:
        if refused.field == "type":
            return failure(request, {"voucher": "Auto vouchers not supported"}, voucher=voucher_id)
        return failure(request, {refused.field or "voucher": refused.message}, voucher=voucher_id)
    return respond(request, ok(voucher=clone.id, code=clone.code))


@router.get("/vouchers/{voucher_id}", responses=DOCUMENTED)
async def get_voucher(
    request: Request,
    voucher_id: str,
    xml: str | None = None,
    api: OrderApi = Depends(order_api),  # noqa: B008
) -> Response:
    identifier = wire.optional_integer(voucher_id, "voucher", minimum=1)
    voucher = None if identifier is None else await pricing.voucher_view(api.db, identifier)
    if voucher is None or voucher.store_id not in api.store_ids:
        raise NotFound("Voucher not found", field="voucher")
    tz = api.timezone
    by_pricelist: dict[str, Any] | None = None
    if voucher.amounts:
        by_pricelist = {
            str(pricelist_id): int(amount) if amount == amount.to_integral_value() else float(amount)
            for pricelist_id, amount in voucher.pricelist_amounts.items()
        }
    stop = voucher.ends_at - timedelta(seconds=1) if voucher.ends_at else None
    body: dict[str, Any] = {
        "id": voucher.id,
        "name": voucher.name,
        "code": voucher.code,
        "conversionHtml": "",
        "startDate": wire.show_day(voucher.starts_at, tz),
        "stopDate": wire.show_day(stop, tz),
        "type": "percentoff" if voucher.percent_off_bp is not None else "priceoff",
        "value": None if voucher.percent_off_bp is None else _percent(voucher.percent_off_bp),
        "store": voucher.store_id,
        "markets": list(voucher.market_ids),
        "limit": voucher.usage_limit or 0,
        "status": "active" if voucher.active else "inactive",
        "priority": voucher.priority,
        "createdAt": wire.show_date(voucher.created_at, tz),
    }
    if by_pricelist is not None:
        body["valueByPricelist"] = by_pricelist
    return respond(request, ok(voucher=body))


def _percent(bp: int) -> str:
    value = Decimal(bp) / 100
    return str(int(value)) if value == value.to_integral_value() else str(value)
