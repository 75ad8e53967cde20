"""What a shopper may choose once located: shipping and payment methods.

Both take a ``Database`` or the caller's session, so a selection can list its
options inside its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from opencentra.stores._db import DatabaseOrSession, unit_of_work
from opencentra.stores.models import (
    PaymentMethod,
    PaymentMethodMarket,
    ShippingMethod,
    ShippingMethodCountry,
    ShippingPrice,
)


@dataclass(frozen=True)
class ShippingOption:
    shipping_method_id: int
    name: str
    uri: str | None
    price_minor: int
    free_from_minor: int | None

    def price_for(self, items_total_minor: int) -> int:
        """The shipping cost for a basket whose items come to ``items_total_minor``."""
        if self.free_from_minor is not None and items_total_minor >= self.free_from_minor:
            return 0
        return self.price_minor


async def shipping_options(
    db: DatabaseOrSession, store_id: int, *, country_id: int, pricelist_id: int, market_id: int
) -> list[ShippingOption]:
    """Active methods of the store that ship to the country and have a price in
    the pricelist, in display order. A market's own price beats the
    pricelist-wide one; a method with neither is not offered."""
    async with unit_of_work(db, write=False) as session:
        rows = await session.execute(
            select(ShippingMethod, ShippingPrice)
            .join(ShippingMethodCountry, ShippingMethodCountry.shipping_method_id == ShippingMethod.id)
            .join(ShippingPrice, ShippingPrice.shipping_method_id == ShippingMethod.id)
            .where(
                ShippingMethod.store_id == store_id,
                ShippingMethod.active.is_(True),
                ShippingMethodCountry.country_id == country_id,
                ShippingPrice.pricelist_id == pricelist_id,
                (ShippingPrice.market_id == market_id) | ShippingPrice.market_id.is_(None),
            )
            .order_by(ShippingMethod.sort_order, ShippingMethod.id)
        )
        chosen: dict[int, tuple[ShippingMethod, ShippingPrice]] = {}
        for method, price in rows:
            current = chosen.get(method.id)
            if current is None or (current[1].market_id is None and price.market_id is not None):
                chosen[method.id] = (method, price)
        return [
            ShippingOption(
                shipping_method_id=method.id,
                name=method.name,
                uri=method.uri,
                price_minor=price.price_minor,
                free_from_minor=price.free_from_minor,
            )
            for method, price in chosen.values()
        ]


async def payment_methods(db: DatabaseOrSession, market_id: int) -> list[PaymentMethod]:
    """Active payment methods offered in the market, in display order."""
    async with unit_of_work(db, write=False) as session:
        rows = await session.scalars(
            select(PaymentMethod)
            .join(PaymentMethodMarket, PaymentMethodMarket.payment_method_id == PaymentMethod.id)
            .where(PaymentMethodMarket.market_id == market_id, PaymentMethod.active.is_(True))
            .order_by(PaymentMethod.sort_order, PaymentMethod.id)
            .options(selectinload(PaymentMethod.markets))
        )
        return list(rows)
