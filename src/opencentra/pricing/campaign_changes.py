"""Removing a campaign (Centra's ``deleteCampaign``, formerly ``removeCampaign``)."""

from __future__ import annotations

from sqlalchemy import delete

from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.events import outbox
from opencentra.pricing.models import Campaign


async def delete_campaign(db: Database, campaign_id: int, *, store_scope: int | None = None) -> None:
    """Delete the campaign with its markets and variant discounts; prices go back to normal at once.

    ``store_scope``: the one store the caller may change (None: any); another store's campaign is not found.
    """
    async with db.write() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None or (store_scope is not None and campaign.store_id != store_scope):
            raise NotFound(f"Could not find Campaign with ID {campaign_id}", field="id")
        payload = {"name": campaign.name}
        store_id = campaign.store_id
        # A Core DELETE: the database cascades to the campaign's markets and variants.
        await session.execute(delete(Campaign).where(Campaign.id == campaign_id))
        await outbox.record(session, "campaign", campaign_id, "deleted", payload, store_id=store_id)
