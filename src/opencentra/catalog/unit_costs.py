"""What a variant costs the brand per unit (Centra's ``ProductVariant.unitCost``)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog.models import ProductVariant
from opencentra.catalog.pim_models import VariantUnitCost
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events import outbox
from opencentra.stores.models import Currency

MAX_MINOR = 2**53
"""Keeps the amount exact as a JSON number."""


async def set_unit_cost_in(
    session: AsyncSession, variant_id: int, amount: Decimal | None, currency_code: str | None
) -> None:
    """Set (or with ``amount`` ``None``, clear) a variant's unit cost, in the caller's transaction."""
    if await session.get(ProductVariant, variant_id) is None:
        raise NotFound(f"Could not find ProductVariant with ID {variant_id}", field="variant")
    if amount is None:
        await session.execute(delete(VariantUnitCost).where(VariantUnitCost.variant_id == variant_id))
        await outbox.record(session, "variant", variant_id, "updated", {"unit_cost": None})
        return
    code = (currency_code or "").strip().upper()
    currency = await session.scalar(select(Currency).where(Currency.code == code))
    if currency is None:
        raise ValidationFailed(f"unknown currency {currency_code!r}", field="unitCost")
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed("unitCost cannot be negative", field="unitCost")
    minor = amount.scaleb(currency.decimals)
    if minor != minor.to_integral_value():
        raise ValidationFailed(f"unitCost has more than {currency.decimals} decimals", field="unitCost")
    if minor > MAX_MINOR:
        raise ValidationFailed("unitCost is too large", field="unitCost")
    row = await session.get(VariantUnitCost, variant_id)
    if row is None:
        session.add(VariantUnitCost(variant_id=variant_id, amount_minor=int(minor), currency_id=currency.id))
    else:
        row.amount_minor = int(minor)
        row.currency_id = currency.id
    await session.flush()
    await outbox.record(
        session, "variant", variant_id, "updated", {"unit_cost": {"amount": str(amount), "currency": code}}
    )


async def set_unit_cost(db: Database, variant_id: int, amount: Decimal | None, currency_code: str | None) -> None:
    async with db.write() as session:
        await set_unit_cost_in(session, variant_id, amount, currency_code)
