"""A pricelist's default shipping option (Centra's ``Pricelist.defaultShippingOption``).

A table of its own rather than a column on ``pricelists``: adding a foreign
key column on SQLite means rebuilding the table, and dropping the old
``pricelists`` would cascade into every price that points at it.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base
from opencentra.errors import NotFound
from opencentra.stores.models import Pricelist, ShippingMethod


class PricelistShippingDefault(Base):
    """Stored and reported to integrations; the checkout does not read it."""

    __tablename__ = "pricelist_shipping_defaults"

    pricelist_id: Mapped[int] = mapped_column(ForeignKey("pricelists.id", ondelete="CASCADE"), primary_key=True)
    shipping_method_id: Mapped[int] = mapped_column(ForeignKey("shipping_methods.id", ondelete="CASCADE"), index=True)


__all__ = ["PricelistShippingDefault", "default_shipping_of", "set_default_shipping_in"]


async def set_default_shipping_in(session: AsyncSession, pricelist: Pricelist, shipping_method_id: int | None) -> None:
    """Point the pricelist at one of its store's shipping methods (None clears it)."""
    if shipping_method_id is not None:
        store_id = await session.scalar(select(ShippingMethod.store_id).where(ShippingMethod.id == shipping_method_id))
        if store_id != pricelist.store_id:
            raise NotFound(
                f"Could not find ShippingOption with ID {shipping_method_id}", field="default_shipping_option"
            )
    await session.execute(delete(PricelistShippingDefault).where(PricelistShippingDefault.pricelist_id == pricelist.id))
    if shipping_method_id is not None:
        session.add(PricelistShippingDefault(pricelist_id=pricelist.id, shipping_method_id=shipping_method_id))
    await session.flush()


async def default_shipping_of(session: AsyncSession, pricelist_id: int) -> int | None:
    found: int | None = await session.scalar(
        select(PricelistShippingDefault.shipping_method_id).where(PricelistShippingDefault.pricelist_id == pricelist_id)
    )
    return found
