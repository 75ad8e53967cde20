from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from opencentra import passwords
from opencentra.db.engine import Database
from opencentra.stores.models import Country, Store


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """Argon2id with tiny parameters: same code path, a fraction of the 180 ms."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    return hasher


@pytest.fixture
async def store_id(db: Database) -> int:
    async with db.write() as session:
        store = Store(name="Retail")
        session.add_all([store, Country(code="SE", name="Sweden", eu=True), Country(code="US", name="United States")])
        await session.flush()
        return store.id
