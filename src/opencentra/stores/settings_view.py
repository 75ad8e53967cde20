"""A store's own settings as the admin edits them (``StoreView`` carries only what the APIs show)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.stores.models import OversellingMode, Store, StoreType

__all__ = ["OversellingMode", "StoreSettingsView", "StoreType", "all_store_settings", "store_settings"]


@dataclass(frozen=True, slots=True)
class StoreSettingsView:
    id: int
    name: str
    type: StoreType
    overselling_mode: OversellingMode
    autoconfirm_orders: bool
    timezone: str
    active: bool


def _view(store: Store) -> StoreSettingsView:
    return StoreSettingsView(
        id=store.id,
        name=store.name,
        type=StoreType(store.type),
        overselling_mode=OversellingMode(store.overselling_mode),
        autoconfirm_orders=store.autoconfirm_orders,
        timezone=store.timezone,
        active=store.active,
    )


async def store_settings(db: Database, store_id: int) -> StoreSettingsView:
    async with db.read() as session:
        store = await session.get(Store, store_id)
        if store is None:
            raise NotFound(f"store {store_id} not found", field="store")
        return _view(store)


async def all_store_settings(db: Database, ids: frozenset[int] | None = None) -> list[StoreSettingsView]:
    """Every store (or those of ``ids``), by name."""
    async with db.read() as session:
        query = select(Store).order_by(Store.name)
        if ids is not None:
            query = query.where(Store.id.in_(sorted(ids)))
        return [_view(store) for store in (await session.scalars(query)).all()]
