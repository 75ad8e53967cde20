"""The demo seed's extras: a subscription plan on a display, a gift card, Swedish texts; made once."""

from __future__ import annotations

from sqlalchemy import func, select

from opencentra.catalog.pim_models import Translation
from opencentra.db.engine import Database
from opencentra.demo import extras, seed
from opencentra.events.models import Event
from opencentra.giftcards.models import GiftCertificate, GiftCertificateAmount
from opencentra.storefront.cache import CheckoutCache
from opencentra.storefront.localized import in_language
from opencentra.stores.models import Language, Market, Pricelist, Store
from opencentra.subscriptions.services import plans_by_display


async def _counts(db: Database) -> tuple[int, int, int, int]:
    async with db.read() as session:
        return (
            int(await session.scalar(select(func.count()).select_from(Translation)) or 0),
            int(await session.scalar(select(func.count()).select_from(GiftCertificate)) or 0),
            int(await session.scalar(select(func.count()).select_from(GiftCertificateAmount)) or 0),
            int(await session.scalar(select(func.max(Event.id))) or 0),
        )


async def test_the_demo_has_a_plan_a_gift_card_and_swedish_texts(db: Database) -> None:
    await seed.seed_demo(db)
    first = await _counts(db)
    await seed.seed_demo(db)
    assert await _counts(db) == first  # nothing new, not even an event
    translations, cards, amounts, _events = first
    assert translations >= len(extras.SWEDISH_PRODUCTS)
    assert (cards, amounts) == (1, 3)

    async with db.read() as session:
        store = await session.scalar(select(Store).where(Store.name == seed.DTC_STORE))
        assert store is not None
        offered = await plans_by_display(session, store.id)
        nordics = await session.scalar(select(Market.id).where(Market.name == "Nordics"))
        sek = await session.scalar(select(Pricelist.id).where(Pricelist.store_id == store.id, Pricelist.name == "SEK"))
        swedish = await session.scalar(select(Language.id).where(Language.code == "sv"))
    assert [[p.name for p in plans] for plans in offered.values()] == [[extras.PLAN_NAME]]
    assert nordics is not None and sek is not None and swedish is not None

    cache = CheckoutCache()
    default = await cache.catalogue(db, store.id, nordics, sek)
    shown = await in_language(cache, db, default, swedish, store.default_language_id)
    names = {p.product_sku: p.name for p in shown.products}
    assert names["OC-1001"] == "T-shirt i ekologisk bomull"
    assert names["OC-1002"] == "Linen Button-Up Shirt"  # no translation: the default text
    tee = next(p for p in shown.products if p.product_sku == "OC-1001")
    assert tee.canonical_category is not None and tee.canonical_category.names == ("Dam", "Toppar")
    assert [p.name for p in tee.subscription_plans] == [extras.PLAN_NAME]
