"""A small world for catalogue tests: two stores with markets and pricelists."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from opencentra.db.engine import Database
from opencentra.stores.models import Currency, Market, Pricelist, Store


@dataclass(frozen=True)
class World:
    store: int
    other_store: int
    market_se: int
    market_us: int
    other_market: int
    pricelist_sek: int


@pytest.fixture
async def world(db: Database) -> World:
    async with db.write() as session:
        sek = Currency(code="SEK", name="Swedish krona", decimals=2)
        store = Store(name="Test DTC")
        other = Store(name="Other store")
        session.add_all([sek, store, other])
        await session.flush()
        se = Market(store_id=store.id, name="Sweden")
        us = Market(store_id=store.id, name="USA")
        elsewhere = Market(store_id=other.id, name="Elsewhere")
        pricelist = Pricelist(store_id=store.id, name="SEK", currency_id=sek.id)
        session.add_all([se, us, elsewhere, pricelist])
        await session.flush()
        return World(store.id, other.id, se.id, us.id, elsewhere.id, pricelist.id)
