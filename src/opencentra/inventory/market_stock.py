"""Free stock of many sizes in every market of a store at once (the Shop API's ``stockByMarket``).

Each market's figure is ``services.available_for_market``, so a market sees
the warehouses of its allocation rule and a bundle follows its components,
exactly as at checkout. Statements grow with the number of markets and
chunks of ``SIZE_CHUNK`` sizes, never per size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.inventory.services import available_for_market

# Sizes asked of the database at once: keeps the IN list far below the drivers' limits.
SIZE_CHUNK = 900

MarketStock = Mapping[int, Mapping[int, int]]
"""``{product size id: {market id: free units}}``."""


async def stock_by_market(
    session: AsyncSession, market_ids: Sequence[int], product_size_ids: Iterable[int]
) -> MarketStock:
    """Free-to-allocate units of each size in each market (0 where there is none)."""
    sizes = list(dict.fromkeys(product_size_ids))
    found: dict[int, dict[int, int]] = defaultdict(dict)
    for market_id in market_ids:
        for start in range(0, len(sizes), SIZE_CHUNK):
            units = await available_for_market(session, market_id, sizes[start : start + SIZE_CHUNK])
            for size_id, free in units.items():
                found[size_id][market_id] = free
    return found
