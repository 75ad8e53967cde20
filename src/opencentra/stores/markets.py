"""Whether markets belong to a store: the one check every domain makes before linking markets to its objects.

Vouchers, campaigns and displays name the markets they apply in; each must
be a market of the object's own store.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.errors import ValidationFailed
from opencentra.stores.models import Market


class UnknownMarkets(ValidationFailed):
    """Markets named for a store's object that are not markets of that store (or not markets at all)."""

    def __init__(self, message: str, *, field: str | None = "markets", market_ids: Sequence[int] = ()) -> None:
        super().__init__(message, field=field)
        self.market_ids = list(market_ids)


async def check_markets_of_store(session: AsyncSession, store_id: int, market_ids: Sequence[int]) -> None:
    """Raise ``UnknownMarkets`` (field ``markets``) naming those of ``market_ids`` that are not the store's."""
    if not market_ids:
        return
    own = set(
        await session.scalars(select(Market.id).where(Market.store_id == store_id, Market.id.in_(list(market_ids))))
    )
    if missing := sorted(set(market_ids) - own):
        raise UnknownMarkets(f"markets {missing} are not markets of store {store_id}", market_ids=missing)
