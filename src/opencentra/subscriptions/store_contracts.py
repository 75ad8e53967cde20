"""A store's subscription contracts as the back office lists them: newest first, one keyset page at a time."""

from __future__ import annotations

from sqlalchemy import select

from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.subscriptions.contracts import ContractView, _views
from opencentra.subscriptions.models import SubscriptionContract

MAX_CONTRACTS = 200


async def store_contract_page(
    db: Database, store_id: int, *, before: int | None = None, email: str = "", limit: int = 50
) -> list[ContractView]:
    """Up to ``limit`` of the store's contracts with an id below ``before``, newest first; ``email``
    narrows to one customer's address (exact, without case)."""
    if not 1 <= limit <= MAX_CONTRACTS:
        raise ValidationFailed(f"limit is 1 to {MAX_CONTRACTS}", field="limit")
    statement = select(SubscriptionContract).where(SubscriptionContract.store_id == store_id)
    if before is not None:
        statement = statement.where(SubscriptionContract.id < before)
    if email:
        statement = statement.where(SubscriptionContract.email == email.strip().lower())
    async with db.read() as session:
        rows = list(await session.scalars(statement.order_by(SubscriptionContract.id.desc()).limit(limit)))
        return await _views(session, rows)
