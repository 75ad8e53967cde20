"""The catalogue snapshot and the caches that keep it fresh from the outbox."""

from __future__ import annotations

from decimal import Decimal

from tests.api.checkout.conftest import build_shop

from opencentra.db.engine import Database
from opencentra.events.outbox import record
from opencentra.inventory import services as inventory
from opencentra.pricing import prices
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.catalog import ProductQuery, SortField, build_catalog, fold, matching_tokens, search_products


def test_folding_and_typo_matching() -> None:
    assert fold("Grön Ärm") == "gron arm"
    vocabulary = sorted({"jeans", "jersey", "tee", "scarf"})
    assert matching_tokens(vocabulary, "je") == {"jeans", "jersey"}
    assert matching_tokens(vocabulary, "jeams") == {"jeans"}
    assert matching_tokens(vocabulary, "tea") == set()  # short words need the exact start


async def test_snapshot_and_queries(db: Database) -> None:
    shop = await build_shop(db)
    async with db.read() as session:
        snapshot = await build_catalog(session, shop.store, shop.markets["Nordics"], shop.pricelists["SEK"])
    assert len(snapshot.products) == 4
    tee = snapshot.product(shop.products["tee-black"])
    assert tee.categories[0].names == ("Shop", "Tops")
    assert [i.name for i in tee.items] == ["S", "M", "L"]
    assert tee.price is not None
    assert tee.price.price == Decimal(200)
    assert snapshot.by_uri("organic-tee") is tee
    page = search_products(
        snapshot, None, ProductQuery(sort=(SortField("priceAsNumber", True),), limit=2, skip_first=1)
    )
    assert page.count == 4
    assert [p.price.price for p in page.products if p.price] == [Decimal(200), Decimal(200)]


async def test_cache_follows_the_outbox(db: Database) -> None:
    shop = await build_shop(db)
    now = [0.0]
    cache = CheckoutCache(poll_seconds=1, max_age_seconds=100, clock=lambda: now[0])
    market, pricelist = shop.markets["Nordics"], shop.pricelists["SEK"]
    first = await cache.catalogue(db, shop.store, market, pricelist)
    assert await cache.catalogue(db, shop.store, market, pricelist) is first
    stock = await cache.stock(db, market)
    assert stock.units(shop.sizes["tee-black-S"]) == 10

    # A stock change retires the stock snapshot only, once the poll interval has passed.
    await inventory.set_physical(db, shop.warehouse, shop.sizes["tee-black-S"], 3)
    assert (await cache.stock(db, market)).units(shop.sizes["tee-black-S"]) == 10
    now[0] = 1.5
    assert (await cache.stock(db, market)).units(shop.sizes["tee-black-S"]) == 3
    assert await cache.catalogue(db, shop.store, market, pricelist) is first

    # A price change retires the catalogue.
    await prices.set_prices(
        db, pricelist, [prices.PriceSpec(variant_id=shop.variants["tee-black"], price=Decimal(150))]
    )
    now[0] = 3.0
    changed = await cache.catalogue(db, shop.store, market, pricelist)
    assert changed is not first
    tee = changed.product(shop.products["tee-black"])
    assert tee.price is not None
    assert tee.price.price == Decimal(150)

    # Orders and customers are not catalogue changes.
    async with db.write() as session:
        await record(session, "order", 1, "created", {})
    now[0] = 5.0
    assert await cache.catalogue(db, shop.store, market, pricelist) is changed
    # Snapshots also age out (campaigns start and end without an event).
    now[0] = 200.0
    assert await cache.catalogue(db, shop.store, market, pricelist) is not changed


async def test_remembered_values_expire(db: Database) -> None:
    now = [0.0]
    cache = CheckoutCache(reference_seconds=5, clock=lambda: now[0])
    built = []

    async def build() -> int:
        built.append(1)
        return len(built)

    assert await cache.remember("k", build) == 1
    assert await cache.remember("k", build) == 1
    now[0] = 6
    assert await cache.remember("k", build) == 2
