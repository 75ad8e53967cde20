"""Warehouse settings Centra's integrations read and write: ownership, allocation policy, location.

They are stored and reported; OpenCentra's allocation does not act on them.
The location lives in a table of its own, because adding foreign-key columns
to ``warehouses`` would make SQLite rebuild it, and dropping the old table
would cascade into its stock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base
from opencentra.errors import ValidationFailed
from opencentra.stores.models import Country, CountryState


class StockOwnership(enum.StrEnum):
    OWN = "own"
    THIRD_PARTY = "third_party"


class AllocationPolicy(enum.StrEnum):
    CHECK_FIRST = "check_first"
    ALWAYS_ALLOCATE = "always_allocate"


class WarehouseLocation(Base):
    __tablename__ = "warehouse_locations"

    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="CASCADE"), primary_key=True)
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id", ondelete="SET NULL"))
    state_id: Mapped[int | None] = mapped_column(ForeignKey("country_states.id", ondelete="SET NULL"))
    zip_code: Mapped[str | None] = mapped_column(String(32))


@dataclass(frozen=True)
class Location:
    """Where a warehouse is: a country code, a state (code or name) in it, a zip code."""

    country: str | None = None
    state: str | None = None
    zip_code: str | None = None


async def set_location_in(session: AsyncSession, warehouse_id: int, location: Location) -> dict[str, object]:
    """Replace the warehouse's location; returns it as event payload."""
    country_id = state_id = None
    code = None
    if location.country is not None:
        code = location.country.strip().upper()
        country_id = await session.scalar(select(Country.id).where(Country.code == code))
        if country_id is None:
            raise ValidationFailed(f"unknown country {location.country!r}", field="warehouse_location")
    if location.state is not None and location.state.strip():
        if country_id is None:
            raise ValidationFailed("a state needs its country", field="warehouse_location")
        wanted = location.state.strip().lower()
        state_id = await session.scalar(
            select(CountryState.id).where(
                CountryState.country_id == country_id,
                or_(func.lower(CountryState.code) == wanted, func.lower(CountryState.name) == wanted),
            )
        )
        if state_id is None:
            raise ValidationFailed(f"the country has no state {location.state!r}", field="warehouse_location")
    zip_code = (location.zip_code or "").strip() or None
    if zip_code is not None and len(zip_code) > 32:
        raise ValidationFailed("a zip code has at most 32 characters", field="warehouse_location")
    await session.execute(delete(WarehouseLocation).where(WarehouseLocation.warehouse_id == warehouse_id))
    if country_id is not None or zip_code is not None:
        session.add(
            WarehouseLocation(warehouse_id=warehouse_id, country_id=country_id, state_id=state_id, zip_code=zip_code)
        )
    await session.flush()
    return {"country": code, "state_id": state_id, "zip_code": zip_code}


__all__ = ["AllocationPolicy", "Location", "StockOwnership", "WarehouseLocation", "set_location_in"]
