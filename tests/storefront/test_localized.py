"""Catalogue snapshots in another language: built on first use, reused, rebuilt after a translation."""

from __future__ import annotations

from sqlalchemy import select
from tests.api.checkout.conftest import build_shop

from opencentra.catalog import translations
from opencentra.catalog.models import DisplayItem
from opencentra.db.engine import Database
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.localized import in_language
from opencentra.stores.models import Language, Store


async def test_a_language_snapshot_is_derived_once_and_follows_translations(db: Database) -> None:
    shop = await build_shop(db)
    async with db.read() as session:
        swedish = await session.scalar(select(Language.id).where(Language.code == "sv"))
        default = await session.scalar(select(Store.default_language_id).where(Store.id == shop.store))
        display = await session.scalar(
            select(DisplayItem.display_id).where(DisplayItem.id == shop.products["tee-black"])
        )
    assert swedish is not None and display is not None
    cache = CheckoutCache(poll_seconds=0)
    market, pricelist = shop.markets["Nordics"], shop.pricelists["SEK"]
    base = await cache.catalogue(db, shop.store, market, pricelist)

    # The default language (and no language) is the snapshot itself: nothing is derived.
    assert await in_language(cache, db, base, default, default) is base
    assert await in_language(cache, db, base, None, default) is base

    # No translations yet: every text is the default one, in a snapshot of its own.
    untranslated = await in_language(cache, db, base, swedish, default)
    assert untranslated is not base and untranslated.serial != base.serial
    assert [p.name for p in untranslated.products] == [p.name for p in base.products]
    assert await in_language(cache, db, base, swedish, default) is untranslated

    await translations.localize(db, "Display", display, swedish, {"name": "Ekologisk tröja"})
    rebuilt = await cache.catalogue(db, shop.store, market, pricelist)
    assert rebuilt is not base  # the translation's event retired the default snapshot
    shown = await in_language(cache, db, rebuilt, swedish, default)
    assert shown.by_display_item[shop.products["tee-black"]].name == "Ekologisk tröja"
    assert rebuilt.by_display_item[shop.products["tee-black"]].name == "Organic Tee"
    # Prices, stock keys and items are shared with the default snapshot.
    tee, tee_default = (
        shown.by_display_item[shop.products["tee-black"]],
        rebuilt.by_display_item[shop.products["tee-black"]],
    )
    assert tee.price == tee_default.price and tee.items == tee_default.items
