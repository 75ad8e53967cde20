"""The stores domain's read views: bulk loaders by id, paging queries and the caller's store scope."""

from __future__ import annotations

import pytest

from opencentra import stores
from opencentra.db.engine import Database
from opencentra.errors import NotFound
from opencentra.stores import services


async def _setup(db: Database) -> dict[str, int]:
    await services.ensure_currency(db, "SEK", "Swedish krona")
    for code, name in (("SE", "Sweden"), ("NO", "Norway"), ("DE", "Germany")):
        await services.ensure_country(db, code, name)
    store = await services.create_store(db, "Retail")
    other = await services.create_store(db, "Other")
    nordics = await services.create_market(db, store.id, "Nordics", countries=["SE", "NO"])
    europe = await services.create_market(db, store.id, "Europe_1", countries=["DE"])
    elsewhere = await services.create_market(db, other.id, "Elsewhere")
    pricelist = await services.create_pricelist(db, store.id, "SEK", "SEK", countries=["SE"])
    return {
        "store": store.id,
        "other": other.id,
        "nordics": nordics.id,
        "europe": europe.id,
        "elsewhere": elsewhere.id,
        "pricelist": pricelist.id,
    }


async def test_bulk_loaders_return_frozen_views_by_id(db: Database) -> None:
    ids = await _setup(db)
    markets = await stores.markets_by_id(db, [ids["nordics"], 999_999])
    assert set(markets) == {ids["nordics"]}
    nordics = markets[ids["nordics"]]
    assert (nordics.name, nordics.store_id, nordics.active) == ("Nordics", ids["store"], True)
    with pytest.raises(AttributeError):
        nordics.name = "x"  # type: ignore[misc]
    countries = await stores.market_countries(db, [ids["nordics"], ids["elsewhere"]])
    assert [c.code for c in countries[ids["nordics"]]] == ["SE", "NO"]
    assert ids["elsewhere"] not in countries
    assert [c.code for c in (await stores.pricelist_countries(db, [ids["pricelist"]]))[ids["pricelist"]]] == ["SE"]


async def test_pages_filter_sort_and_scope(db: Database) -> None:
    ids = await _setup(db)
    everything = await stores.market_page(db, limit=10)
    assert [m.name for m in everything] == ["Nordics", "Europe_1", "Elsewhere"]
    scoped = await stores.market_page(db, store_id=ids["store"], sort=[("name", False)], limit=10)
    assert [m.name for m in scoped] == ["Europe_1", "Nordics"]
    # "_" is a literal character, not LIKE's wildcard.
    assert [m.name for m in await stores.market_page(db, name=stores.TextMatch(contains="e_"), limit=10)] == [
        "Europe_1"
    ]
    assert [m.name for m in await stores.market_page(db, limit=1, offset=1)] == ["Europe_1"]
    assert [c.code for c in await stores.country_page(db, codes=["se", "de"], limit=10)] == ["DE", "SE"]


async def test_changes_respect_the_callers_store_scope(db: Database) -> None:
    ids = await _setup(db)
    with pytest.raises(NotFound):
        await stores.update_market(db, ids["nordics"], name="North", store_id=ids["other"])
    with pytest.raises(NotFound):
        await stores.update_pricelist(db, ids["pricelist"], name="Kronor", store_id=ids["other"])
    with pytest.raises(NotFound):
        await stores.delete_pricelist(db, ids["pricelist"], store_id=ids["other"])
    changed = await stores.update_market(db, ids["nordics"], name="North", store_id=ids["store"])
    assert changed.name == "North"
