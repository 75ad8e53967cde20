"""The catalogue as a back office browses it: products in id order, one keyset page at a time.

An offset page costs a scan of every row before it; a keyset page
(``id > after``) costs an index range scan of one page, so the last page of
100,000 products is as cheap as the first. Search is an exact product number
(its unique index) or a case-insensitive part of the name.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog import views
from opencentra.catalog.models import Product
from opencentra.errors import ValidationFailed

MAX_BROWSE = 500


async def products_after(
    session: AsyncSession, *, after: int = 0, search: str = "", limit: int = 50
) -> list[views.ProductView]:
    """Up to ``limit`` products with an id above ``after``, by id; ``search`` is an exact product
    number or a part of the name."""
    if not 1 <= limit <= MAX_BROWSE:
        raise ValidationFailed(f"limit is 1 to {MAX_BROWSE}", field="limit")
    statement = select(Product).where(Product.id > after)
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(
            or_(Product.product_number == search, Product.name.ilike(f"%{escaped}%", escape="\\"))
        )
    rows = await session.scalars(statement.order_by(Product.id).limit(limit))
    return [views.product_view(row) for row in rows]
