"""A store's vouchers and campaigns: make one, change its name, window, active flag (and a voucher's
usage limit), or deactivate it. Each form is one ``opencentra.pricing`` use case, scoped to the store;
a refused value is shown beside its field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import Response

from opencentra import pricing, stores
from opencentra.api.admin.web import BASE, Page, path_id, redirect
from opencentra.catalog import SortKey, Window
from opencentra.errors import DomainError, NotFound, ValidationFailed
from opencentra.integers import parse_int
from opencentra.stores import store_settings

PAGE_SIZE = 50
MAX_MARKETS = 100
_PERCENT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?")


def _when(current: Page, name: str) -> datetime | None:
    """A time typed as ``YYYY-MM-DD HH:MM`` (or a browser's ``YYYY-MM-DDTHH:MM``), in UTC; empty: none."""
    text = current.text(name)
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("Enter a time such as 2026-12-24 18:00 (UTC).", field=name) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _percent_bp(current: Page, name: str) -> int:
    text = current.text(name)
    if _PERCENT.fullmatch(text) is None:
        raise ValidationFailed("Enter a percentage such as 10 or 12.5.", field=name)
    try:
        return int(Decimal(text) * 100)
    except InvalidOperation:
        raise ValidationFailed("Enter a percentage such as 10 or 12.5.", field=name) from None


def _usage_limit(current: Page) -> int | None:
    text = current.text("usage_limit")
    if not text:
        return None
    value = parse_int(text)
    if value is None or value < 1:
        raise ValidationFailed("Enter a whole number above 0, or leave it empty for unlimited.", field="usage_limit")
    return value


def _posted(current: Page) -> dict[str, str]:
    return {k: v for k, v in current.form.items() if isinstance(v, str)}


# --- vouchers ----------------------------------------------------------------------------------------


async def voucher_new(current: Page) -> Response:
    """Make a code voucher: a percentage off (or free shipping), with an optional usage limit."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    errors: dict[str, str] = {}
    if current.request.method == "POST":
        try:
            percent = _percent_bp(current, "percent_off") if current.text("percent_off") else None
            spec = pricing.VoucherSpec(
                store_id=store_id,
                name=current.text("name"),
                code=current.text("code"),
                active=current.flag("active"),
                starts_at=_when(current, "starts_at"),
                ends_at=_when(current, "ends_at"),
                usage_limit=_usage_limit(current),
                percent_off_bp=percent,
                free_shipping=current.flag("free_shipping"),
            )
            created = await pricing.create_voucher(current.db, spec)
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            return redirect(f"{BASE}/stores/{store_id}/vouchers/{created.id}?saved=created")
    status = 400 if errors else 200
    return current.render("voucher.html", status, store=store, voucher=None, errors=errors, posted=_posted(current))


async def _voucher(current: Page, store_id: int) -> pricing.VoucherRowView:
    voucher_id = path_id(current.request, "voucher_id")
    async with current.db.read() as session:
        found = (await pricing.vouchers_by_id(session, [voucher_id])).get(voucher_id)
    if found is None or found.store_id != store_id:
        raise NotFound("no such voucher")
    return found


async def voucher_edit(current: Page) -> Response:
    """A voucher: change its name, window, usage limit and active flag; ``deactivate`` changes only the flag."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    voucher = await _voucher(current, store_id)
    errors: dict[str, str] = {}
    if current.request.method == "POST":
        try:
            if current.flag("deactivate"):
                changes: dict[str, Any] = {
                    "name": voucher.name,
                    "active": False,
                    "starts_at": voucher.starts_at,
                    "ends_at": voucher.ends_at,
                    "usage_limit": voucher.usage_limit,
                }
            else:
                changes = {
                    "name": current.text("name"),
                    "active": current.flag("active"),
                    "starts_at": _when(current, "starts_at"),
                    "ends_at": _when(current, "ends_at"),
                    "usage_limit": _usage_limit(current),
                }
            await pricing.update_voucher(current.db, voucher.id, store_scope=store_id, **changes)
        except NotFound:
            raise
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            return redirect(f"{BASE}/stores/{store_id}/vouchers/{voucher.id}?saved=saved")
    return current.render(
        "voucher.html",
        400 if errors else 200,
        store=store,
        voucher=voucher,
        errors=errors,
        posted=_posted(current),
        saved=current.request.query_params.get("saved", ""),
    )


# --- campaigns ---------------------------------------------------------------------------------------


async def campaign_list(current: Page) -> Response:
    """The store's campaigns by name; make one: a percentage off some variants in one of the store's markets."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    markets = await stores.market_page(current.db, store_id=store_id, limit=MAX_MARKETS)
    errors: dict[str, str] = {}
    if current.request.method == "POST":
        try:
            market_id = parse_int(current.text("market"))
            if market_id is None:
                raise ValidationFailed("Choose a market from the list.", field="markets")
            variant_ids = [parse_int(part.strip()) for part in current.text("variants").split(",") if part.strip()]
            if not variant_ids or any(v is None for v in variant_ids):
                raise ValidationFailed("Enter variant ids separated by commas.", field="variants")
            discount = _percent_bp(current, "discount")
            await pricing.create_campaign(
                current.db,
                store_id,
                current.text("name"),
                market_ids=[market_id],
                variants=[pricing.CampaignVariantSpec(variant_id=v, discount_bp=discount) for v in variant_ids if v],
                active=current.flag("active"),
                starts_at=_when(current, "starts_at"),
                ends_at=_when(current, "ends_at"),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            return redirect(f"{BASE}/stores/{store_id}/campaigns")
    number = parse_int(current.request.query_params.get("page", "1")) or 1
    number = min(number, 10_000)
    async with current.db.read() as session:
        rows = await pricing.campaign_page(
            session,
            pricing.CampaignFilter(store_id=store_id),
            [SortKey("name")],
            Window(limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE),
        )
    return current.render(
        "campaigns.html",
        400 if errors else 200,
        store=store,
        campaigns=rows[:PAGE_SIZE],
        markets=markets,
        errors=errors,
        posted=_posted(current),
        page=number,
        more=len(rows) > PAGE_SIZE,
    )


async def campaign_edit(current: Page) -> Response:
    """A campaign: change its name, window and active flag; ``deactivate`` changes only the flag."""
    store_id = current.store_id()
    store = await store_settings(current.db, store_id)
    campaign_id = path_id(current.request, "campaign_id")
    async with current.db.read() as session:
        campaign = (await pricing.campaigns_by_id(session, [campaign_id])).get(campaign_id)
    if campaign is None or campaign.store_id != store_id:
        raise NotFound("no such campaign")
    errors: dict[str, str] = {}
    if current.request.method == "POST":
        try:
            if current.flag("deactivate"):
                changes: dict[str, Any] = {
                    "name": campaign.name,
                    "active": False,
                    "starts_at": campaign.starts_at,
                    "ends_at": campaign.ends_at,
                }
            else:
                changes = {
                    "name": current.text("name"),
                    "active": current.flag("active"),
                    "starts_at": _when(current, "starts_at"),
                    "ends_at": _when(current, "ends_at"),
                }
            await pricing.update_campaign(current.db, campaign.id, store_scope=store_id, **changes)
        except NotFound:
            raise
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            return redirect(f"{BASE}/stores/{store_id}/campaigns/{campaign.id}?saved=saved")
    return current.render(
        "campaign.html",
        400 if errors else 200,
        store=store,
        campaign=campaign,
        errors=errors,
        posted=_posted(current),
        saved=current.request.query_params.get("saved", ""),
    )
