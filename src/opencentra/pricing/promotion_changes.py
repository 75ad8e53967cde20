"""Changing a voucher or a campaign after it was made: its name, active flag, validity window and (for a
voucher) usage limit. Each is one transaction on the locked row, with an ``updated`` event; one of a
store outside ``store_scope`` is not found, whatever it is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events import outbox
from opencentra.pricing.campaigns import check_window
from opencentra.pricing.models import Campaign, Voucher
from opencentra.pricing.queries import CampaignView, campaign_view
from opencentra.pricing.vouchers import VoucherRowView, voucher_row_view


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 255:
        raise ValidationFailed("name is required (at most 255 characters)", field="name")
    return name


async def update_voucher(
    db: Database,
    voucher_id: int,
    *,
    name: str,
    active: bool,
    starts_at: datetime | None,
    ends_at: datetime | None,
    usage_limit: int | None,
    store_scope: int | None = None,
) -> VoucherRowView:
    """Set a voucher's name, active flag, window and usage limit (None: unlimited; never below its uses)."""
    name = _name(name)
    check_window(starts_at, ends_at)
    if usage_limit is not None and usage_limit < 1:
        raise ValidationFailed("usage limit must be positive (or none for unlimited)", field="usage_limit")
    async with db.write() as session:
        voucher = await session.scalar(select(Voucher).where(Voucher.id == voucher_id).with_for_update())
        if voucher is None or (store_scope is not None and voucher.store_id != store_scope):
            raise NotFound(f"Could not find Voucher with ID {voucher_id}", field="id")
        if usage_limit is not None and usage_limit < voucher.used_count:
            raise ValidationFailed(f"it was used {voucher.used_count} times already", field="usage_limit")
        voucher.name, voucher.active, voucher.starts_at, voucher.ends_at = name, active, starts_at, ends_at
        voucher.usage_limit = usage_limit
        await session.flush()
        await outbox.record(
            session,
            "voucher",
            voucher.id,
            "updated",
            {
                "name": name,
                "active": active,
                "starts_at": starts_at.isoformat() if starts_at else None,
                "ends_at": ends_at.isoformat() if ends_at else None,
                "usage_limit": usage_limit,
            },
            store_id=voucher.store_id,
        )
        return voucher_row_view(voucher)


async def update_campaign(
    db: Database,
    campaign_id: int,
    *,
    name: str,
    active: bool,
    starts_at: datetime | None,
    ends_at: datetime | None,
    store_scope: int | None = None,
) -> CampaignView:
    """Set a campaign's name, active flag and window; its markets and discounts stay as they are."""
    name = _name(name)
    check_window(starts_at, ends_at)
    async with db.write() as session:
        campaign = await session.scalar(select(Campaign).where(Campaign.id == campaign_id).with_for_update())
        if campaign is None or (store_scope is not None and campaign.store_id != store_scope):
            raise NotFound(f"Could not find Campaign with ID {campaign_id}", field="id")
        campaign.name, campaign.active, campaign.starts_at, campaign.ends_at = name, active, starts_at, ends_at
        await session.flush()
        await outbox.record(
            session,
            "campaign",
            campaign.id,
            "updated",
            {
                "name": name,
                "active": active,
                "starts_at": starts_at.isoformat() if starts_at else None,
                "ends_at": ends_at.isoformat() if ends_at else None,
            },
            store_id=campaign.store_id,
        )
        return campaign_view(campaign)
