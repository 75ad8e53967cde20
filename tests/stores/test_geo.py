"""Geo-location (market, pricelist, currency, language per country) and shippable countries.

The world: one DTC store with
- markets "Nordics" (SE, NO) and "Europe" (DE, default) and an inactive "Closed" (DK);
- pricelists "SEK" (SE, default), "EUR" (DE, FI, DK, NO) and "NOK" (NO);
- a shipping method to SE, DE, FI and an inactive one to NO;
- US with states, mapped to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.stores import services as stores
from opencentra.stores.geo import is_shippable, resolve_location, shippable_countries
from opencentra.stores.models import StoreType


@dataclass(frozen=True)
class World:
    store: int
    nordics: int
    europe: int
    closed: int
    sek: int
    eur: int
    nok: int


async def seed_reference_data(db: Database) -> None:
    await stores.ensure_language(db, "en", "English")
    await stores.ensure_language(db, "sv", "Swedish")
    await stores.ensure_language(db, "de", "German")
    await stores.ensure_currency(db, "SEK", "Swedish krona", suffix=" kr")
    await stores.ensure_currency(db, "EUR", "Euro", prefix="€")
    await stores.ensure_currency(db, "NOK", "Norwegian krone", suffix=" kr")
    await stores.ensure_country(db, "SE", "Sweden", eu=True, default_language="sv")
    await stores.ensure_country(db, "DE", "Germany", eu=True, default_language="de")
    await stores.ensure_country(db, "FI", "Finland", eu=True)
    await stores.ensure_country(db, "DK", "Denmark", eu=True)
    await stores.ensure_country(db, "NO", "Norway")
    await stores.ensure_country(db, "US", "United States", states=[("CA", "California"), ("NY", "New York")])


@pytest.fixture
async def world(db: Database) -> World:
    await seed_reference_data(db)
    store = await stores.create_store(db, "Geo store", default_language="en")
    nordics = await stores.create_market(db, store.id, "Nordics", countries=["SE", "no"])
    europe = await stores.create_market(db, store.id, "Europe", countries=["DE"], make_default=True)
    closed = await stores.create_market(db, store.id, "Closed", countries=["DK"], active=False)
    sek = await stores.create_pricelist(db, store.id, "SEK", "SEK", countries=["SE"])
    eur = await stores.create_pricelist(db, store.id, "EUR", "EUR", countries=["DE", "FI", "DK", "NO"])
    nok = await stores.create_pricelist(db, store.id, "NOK", "NOK", countries=["NO"])
    prices = [stores.ShippingPriceInput(pl.id, Decimal(49)) for pl in (sek, eur, nok)]
    await stores.create_shipping_method(db, store.id, "Post", countries=["SE", "DE", "FI"], prices=prices)
    await stores.create_shipping_method(db, store.id, "Ferry", countries=["NO"], prices=prices, active=False)
    return World(store.id, nordics.id, europe.id, closed.id, sek.id, eur.id, nok.id)


async def test_mapped_country_gets_its_market_pricelist_and_language(db: Database, world: World) -> None:
    location = await resolve_location(db, world.store, "se")

    assert (location.country_code, location.market_id, location.pricelist_id) == ("SE", world.nordics, world.sek)
    assert (location.currency_code, location.language_code, location.state) == ("SEK", "sv", None)
    assert location.shippable


async def test_unmapped_country_falls_back_to_store_defaults(db: Database, world: World) -> None:
    # FI has a pricelist but no market; US has neither; the store language fills in.
    finland = await resolve_location(db, world.store, "FI")
    assert (finland.market_id, finland.pricelist_id, finland.currency_code) == (world.europe, world.eur, "EUR")
    assert finland.language_code == "en"
    assert not finland.shippable  # no active market lists FI

    usa = await resolve_location(db, world.store, "US", state="california")
    assert (usa.market_id, usa.pricelist_id, usa.state, usa.shippable) == (world.europe, world.sek, "CA", False)


async def test_inactive_market_is_skipped(db: Database, world: World) -> None:
    denmark = await resolve_location(db, world.store, "DK")
    assert (denmark.market_id, denmark.pricelist_id) == (world.europe, world.eur)


async def test_country_on_two_pricelists_prefers_the_default_currency(db: Database, world: World) -> None:
    assert (await resolve_location(db, world.store, "NO")).pricelist_id == world.eur
    await stores.set_store_defaults(db, world.store, pricelist_id=world.nok)
    assert (await resolve_location(db, world.store, "NO")).pricelist_id == world.nok


async def test_unknown_input_is_rejected(db: Database, world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await resolve_location(db, world.store, "XX")
    assert caught.value.field == "country"
    with pytest.raises(ValidationFailed) as caught:
        await resolve_location(db, world.store, "Sweden")
    assert caught.value.field == "country"
    with pytest.raises(ValidationFailed) as caught:
        await resolve_location(db, world.store, "US", state="Texas")
    assert caught.value.field == "state"
    with pytest.raises(NotFound) as missing:
        await resolve_location(db, 999_999, "SE")
    assert missing.value.field == "store"


async def test_store_without_defaults_cannot_locate_unmapped_countries(db: Database, world: World) -> None:
    bare = await stores.create_store(db, "Bare store")
    with pytest.raises(NotFound) as caught:
        await resolve_location(db, bare.id, "SE")
    assert caught.value.field == "market"


async def test_shippable_needs_active_market_pricelist_and_shipping(db: Database, world: World) -> None:
    # SE: all three. DE: all three. FI: no market. NO: shipping inactive. DK: market inactive. US: nothing.
    shippable = await shippable_countries(db, world.store)
    assert [c.code for c in shippable] == ["DE", "SE"]  # by name: Germany, Sweden
    assert shippable[0].states == []

    assert await is_shippable(db, world.store, "se")
    assert not await is_shippable(db, world.store, "NO")

    await stores.set_market_countries(db, world.europe, ["DE", "FI"])
    assert [c.code for c in await shippable_countries(db, world.store)] == ["FI", "DE", "SE"]


async def test_another_store_shares_countries_but_not_mappings(db: Database, world: World) -> None:
    other = await stores.create_store(db, "Wholesale", type=StoreType.WHOLESALE)
    market = await stores.create_market(db, other.id, "All", countries=["SE", "DE"])
    pricelist = await stores.create_pricelist(db, other.id, "EUR", "EUR", countries=["DE"])
    assert await shippable_countries(db, other.id) == []
    location = await resolve_location(db, other.id, "DE")
    assert (location.market_id, location.pricelist_id, location.shippable) == (market.id, pricelist.id, False)
