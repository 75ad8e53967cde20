"""A small world for pricing tests: currencies, two stores, markets, pricelists, a product."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec, create_product
from opencentra.catalog.sizes import create_size_chart
from opencentra.db.engine import Database
from opencentra.stores.models import Currency, Market, Pricelist, Store


@dataclass(frozen=True)
class World:
    store: int
    other_store: int
    market_se: int
    market_us: int
    other_market: int
    sek: int
    jpy: int
    eur: int
    pricelist_sek: int
    pricelist_jpy: int
    other_pricelist: int
    variants: tuple[int, ...]


@pytest.fixture
async def world(db: Database) -> World:
    async with db.write() as session:
        sek = Currency(code="SEK", name="Swedish krona", decimals=2)
        jpy = Currency(code="JPY", name="Yen", decimals=0)
        eur = Currency(code="EUR", name="Euro", decimals=2)
        store = Store(name="Test DTC")
        other = Store(name="Other store")
        session.add_all([sek, jpy, eur, store, other])
        await session.flush()
        se = Market(store_id=store.id, name="Sweden")
        us = Market(store_id=store.id, name="USA")
        elsewhere = Market(store_id=other.id, name="Elsewhere")
        pl_sek = Pricelist(store_id=store.id, name="SEK", currency_id=sek.id)
        pl_jpy = Pricelist(store_id=store.id, name="JPY", currency_id=jpy.id)
        pl_other = Pricelist(store_id=other.id, name="SEK", currency_id=sek.id)
        session.add_all([se, us, elsewhere, pl_sek, pl_jpy, pl_other])
        await session.flush()
        ids = (store.id, other.id, se.id, us.id, elsewhere.id, sek.id, jpy.id, eur.id)
        pricelists = (pl_sek.id, pl_jpy.id, pl_other.id)
    chart = await create_size_chart(db, "One size", ["OS"])
    product = await create_product(
        db,
        ProductSpec(
            "Scarf",
            "SCF",
            chart.id,
            [VariantSpec(f"Colour {n}", f"C{n}", [SizeSpec(chart.sizes[0].id)]) for n in range(3)],
        ),
    )
    return World(*ids, *pricelists, variants=tuple(v.id for v in product.variants))
