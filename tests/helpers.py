"""Small builders shared by tests (not fixtures: explicit calls read better)."""

from __future__ import annotations

from opencentra.db.engine import Database
from opencentra.stores.models import Store, StoreType


async def make_store(db: Database, name: str = "Test Store", store_type: StoreType = StoreType.DTC) -> int:
    async with db.write() as session:
        store = Store(name=name, type=store_type)
        session.add(store)
        await session.flush()
        return store.id
