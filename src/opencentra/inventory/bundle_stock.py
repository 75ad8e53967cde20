"""Stock of bundle sizes, derived from their components (Order API GET /stock).

A bundle holds no stock of its own; what it has follows its components in
the same warehouses. For each bundle size: ``available`` is how many whole
bundles the components' free stock can fill, ``physical`` how many their
physical stock could fill, and ``allocated`` the difference, so
physical = allocated + available holds for a bundle as for any stock item.
Each required section counts its best option (``catalog.bundles.units_possible``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.bundles import bundle_units, component_size_ids, needs_for_sizes
from opencentra.inventory.stock_items import StockTotal, stock_totals


async def bundle_totals(
    session: AsyncSession, size_ids: Iterable[int], warehouse_ids: Sequence[int]
) -> dict[int, StockTotal]:
    """Totals of the bundle sizes among ``size_ids`` over ``warehouse_ids``; other sizes are left out."""
    needs = await needs_for_sizes(session, size_ids)
    if not needs:
        return {}
    components = await stock_totals(session, component_size_ids(needs), warehouse_ids)
    physical = bundle_units(needs, {size_id: total.physical for size_id, total in components.items()})
    available = bundle_units(needs, {size_id: total.available for size_id, total in components.items()})
    return {size_id: StockTotal(physical[size_id], max(physical[size_id] - available[size_id], 0)) for size_id in needs}
