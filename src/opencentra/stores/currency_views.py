"""Currencies as read views, by id in batches (every amount an API prints names its currency)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from opencentra.db.listing import chunks
from opencentra.stores._db import DatabaseOrSession, unit_of_work
from opencentra.stores.models import Currency


@dataclass(frozen=True, slots=True)
class CurrencyView:
    id: int
    code: str
    name: str
    iso_number: str | None
    decimals: int
    prefix: str
    suffix: str
    # The instance's base currency: the first one set up (lowest id).
    base: bool


async def currencies_by_id(db: DatabaseOrSession, ids: Iterable[int]) -> dict[int, CurrencyView]:
    found: dict[int, CurrencyView] = {}
    base = select(func.min(Currency.id)).scalar_subquery()
    async with unit_of_work(db, write=False) as session:
        for chunk in chunks(ids):
            for row, is_base in await session.execute(
                select(Currency, Currency.id == base).where(Currency.id.in_(chunk))
            ):
                found[row.id] = CurrencyView(
                    id=row.id,
                    code=row.code,
                    name=row.name,
                    iso_number=row.iso_number,
                    decimals=row.decimals,
                    prefix=row.prefix,
                    suffix=row.suffix,
                    base=bool(is_base),
                )
    return found
