"""Demo extras of the retail store (called by ``seed.seed_demo`` on every run):

- a subscription plan, "Every 3 months", 10 % off, offered on the Organic
  Cotton Tee;
- a gift certificate, "Gift card", of 500 SEK / 50 EUR / 60 USD;
- Swedish texts for a few products (names, descriptions) and their categories.

Each piece is made only if it is missing, through the domain services, so a
re-run writes nothing (not even an event), and a demo database seeded before
these existed gets them on its next run.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select

from opencentra.catalog import translations
from opencentra.catalog.models import Category, Display, Product
from opencentra.catalog.pim_models import Translation
from opencentra.db.engine import Database
from opencentra.giftcards import services as giftcards
from opencentra.giftcards.models import GiftCertificate, GiftCertificateType
from opencentra.stores.models import Currency, Language
from opencentra.subscriptions import services as subscriptions
from opencentra.subscriptions.models import DisplaySubscriptionPlan, SubscriptionPlan

PLAN_NAME = "Every 3 months"
PLAN_PRODUCT = "OC-1001"
GIFT_CARD_URI = "gift-card"
GIFT_CARD_AMOUNTS = {"SEK": Decimal(500), "EUR": Decimal(50), "USD": Decimal(60)}
TRANSLATION_LANGUAGE = "sv"
# product number -> Swedish display texts (as ``localize`` names the fields).
SWEDISH_PRODUCTS: Mapping[str, Mapping[str, str]] = {
    "OC-1001": {
        "name": "T-shirt i ekologisk bomull",
        "shortDescription": "En kraftig t-shirt i ekologisk bomull.",
        "description": "En kraftig t-shirt i ekologisk bomull.",
    },
    "OC-1004": {
        "name": "Rundstickad tröja i merino",
        "shortDescription": "Finstickad merinoull.",
        "description": "Finstickad merinoull.",
    },
    "OC-1011": {"name": "Ribbstickad mössa"},
    "OC-1012": {"name": "Sidenscarf"},
}
# category name (any level) -> Swedish name.
SWEDISH_CATEGORIES = {
    "Women": "Dam",
    "Men": "Herr",
    "Tops": "Toppar",
    "Knitwear": "Stickat",
    "Accessories": "Accessoarer",
}


async def _display_of(db: Database, store_id: int, product_number: str) -> int | None:
    async with db.read() as session:
        return await session.scalar(
            select(Display.id)
            .join(Product, Product.id == Display.product_id)
            .where(Display.store_id == store_id, Product.product_number == product_number)
            .order_by(Display.id)
            .limit(1)
        )


async def _subscription_plan(db: Database, store_id: int) -> None:
    display_id = await _display_of(db, store_id, PLAN_PRODUCT)
    if display_id is None:
        return
    async with db.read() as session:
        plan_id = await session.scalar(
            select(SubscriptionPlan.id).where(SubscriptionPlan.store_id == store_id, SubscriptionPlan.name == PLAN_NAME)
        )
        offered = set(
            await session.scalars(
                select(DisplaySubscriptionPlan.plan_id).where(DisplaySubscriptionPlan.display_id == display_id)
            )
        )
    if plan_id is None:
        plan_id = (
            await subscriptions.create_plan(
                db, subscriptions.PlanSpec(store_id, PLAN_NAME, 3, "month", discount_percent=Decimal(10))
            )
        ).id
    if plan_id not in offered:
        await subscriptions.set_display_plans(db, display_id, [*sorted(offered), plan_id])


async def _gift_card(db: Database, store_id: int) -> None:
    async with db.read() as session:
        exists = await session.scalar(
            select(GiftCertificate.id).where(GiftCertificate.store_id == store_id, GiftCertificate.uri == GIFT_CARD_URI)
        )
        currencies = dict((await session.execute(select(Currency.code, Currency.id))).all())
    if exists is not None:
        return
    await giftcards.create_gift_certificate(
        db,
        giftcards.GiftCertificateSpec(
            store_id=store_id,
            uri=GIFT_CARD_URI,
            name="Gift card",
            type=GiftCertificateType.PREDETERMINED,
            amounts={currencies[code]: amount for code, amount in GIFT_CARD_AMOUNTS.items() if code in currencies},
        ),
    )


async def _translate_missing(
    db: Database, object_type: str, object_id: int, language_id: int, values: Mapping[str, str]
) -> None:
    """Add the translations the object lacks in the language; ones already there (perhaps edited) stay."""
    async with db.read() as session:
        present = set(
            await session.scalars(
                select(Translation.field).where(
                    Translation.object_type == object_type,
                    Translation.object_id == object_id,
                    Translation.language_id == language_id,
                )
            )
        )
    missing = {field: value for field, value in values.items() if field not in present}
    if missing:
        await translations.localize(db, object_type, object_id, language_id, missing)


async def _swedish_texts(db: Database, store_id: int) -> None:
    async with db.read() as session:
        language_id = await session.scalar(select(Language.id).where(Language.code == TRANSLATION_LANGUAGE))
        category_rows = (
            await session.execute(select(Category.id, Category.name).where(Category.store_id == store_id))
        ).all()
    if language_id is None:
        return
    for number, texts in SWEDISH_PRODUCTS.items():
        display_id = await _display_of(db, store_id, number)
        if display_id is not None:
            await _translate_missing(db, "Display", display_id, language_id, texts)
    for category_id, name in category_rows:
        if name in SWEDISH_CATEGORIES:
            await _translate_missing(db, "Category", category_id, language_id, {"name": SWEDISH_CATEGORIES[name]})


async def seed_extras(db: Database, *, store_id: int) -> None:
    """The retail store's subscription plan, gift card and Swedish texts, where missing."""
    await _subscription_plan(db, store_id)
    await _gift_card(db, store_id)
    await _swedish_texts(db, store_id)
