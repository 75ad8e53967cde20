"""Which variants are sold as pre-orders: in some delivery window with delivery type ``preorder``."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.wholesale.models import DeliveryWindowVariant, VariantDeliveryType

# Keep each IN (...) list well below SQLite's and PostgreSQL's parameter limits.
_CHUNK = 900


async def variants_on_preorder(session: AsyncSession, variant_ids: Iterable[int]) -> dict[int, bool]:
    """Whether some delivery window sells each variant as a pre-order; every key is answered."""
    ids = list(dict.fromkeys(variant_ids))
    found: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        statement = select(DeliveryWindowVariant.variant_id).where(
            DeliveryWindowVariant.variant_id.in_(ids[start : start + _CHUNK]),
            DeliveryWindowVariant.delivery_type == VariantDeliveryType.PREORDER.value,
        )
        found.update(await session.scalars(statement))
    return {variant_id: variant_id in found for variant_id in ids}
