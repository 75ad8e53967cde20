"""Shipping and payment methods as read views, by id in batches (an order names the ones it was placed with)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from opencentra.db.listing import keyed
from opencentra.stores._db import DatabaseOrSession, unit_of_work
from opencentra.stores.models import PaymentMethod, ShippingMethod
from opencentra.stores.views import ShippingOptionView


@dataclass(frozen=True, slots=True)
class PaymentMethodView:
    id: int
    name: str
    uri: str
    # The payment provider that handles it ("test", ...).
    provider: str


def _shipping_option_view(row: ShippingMethod) -> ShippingOptionView:
    return ShippingOptionView(id=row.id, name=row.name, uri=row.uri, active=row.active)


def _payment_method_view(row: PaymentMethod) -> PaymentMethodView:
    return PaymentMethodView(id=row.id, name=row.name, uri=row.uri, provider=row.provider)


async def shipping_options_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, ShippingOptionView]:
    async with unit_of_work(db, write=False) as session:
        return await keyed(session, ShippingMethod, ShippingMethod.id, ids, _shipping_option_view)


async def payment_methods_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, PaymentMethodView]:
    async with unit_of_work(db, write=False) as session:
        return await keyed(session, PaymentMethod, PaymentMethod.id, ids, _payment_method_view)
