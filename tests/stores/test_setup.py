"""Store setup use cases: reference data, stores, markets, pricelists, warehouses,
allocation rules, shipping and payment methods, tax rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.stores import services as stores
from opencentra.stores.models import OversellingMode, PaymentBehaviour, StockMaster, StoreType
from opencentra.stores.options import payment_methods, shipping_options


async def _basics(db: Database) -> None:
    await stores.ensure_language(db, "en", "English")
    await stores.ensure_currency(db, "SEK", "Swedish krona", iso_number="752", suffix=" kr")
    await stores.ensure_currency(db, "JPY", "Yen", decimals=0, prefix="¥")
    await stores.ensure_country(db, "SE", "Sweden", eu=True)
    await stores.ensure_country(db, "NO", "Norway")
    await stores.ensure_country(db, "US", "United States", states=[("CA", "California")])


async def test_ensure_helpers_are_idempotent(db: Database) -> None:
    await _basics(db)
    again = await stores.ensure_currency(db, "sek", "Renamed", decimals=3)
    assert (again.code, again.name, again.decimals, again.denominator, again.suffix) == (
        "SEK",
        "Swedish krona",
        2,
        100,
        " kr",
    )
    assert (await stores.ensure_currency(db, "JPY", "Yen")).denominator == 1

    us = await stores.ensure_country(db, "us", "USA", states=[("ca", "California"), ("NY", "New York")])
    assert (us.name, [s.code for s in us.states]) == ("United States", ["CA", "NY"])
    assert (await stores.ensure_language(db, "EN", "Eng")).name == "English"

    with pytest.raises(ValidationFailed) as caught:
        await stores.ensure_currency(db, "KRONA", "x")
    assert caught.value.field == "currency"
    with pytest.raises(ValidationFailed) as caught:
        await stores.ensure_country(db, "SE", "Sweden", default_language="xx")
    assert caught.value.field == "language"


async def test_create_and_update_store(db: Database) -> None:
    await _basics(db)
    store = await stores.create_store(
        db, " Retail ", overselling_mode=OversellingMode.AGGRESSIVE, autoconfirm_orders=True, default_language="en"
    )
    assert (store.name, store.type, store.overselling_mode, store.timezone) == (
        "Retail",
        StoreType.DTC,
        OversellingMode.AGGRESSIVE,
        "Europe/Stockholm",
    )
    assert store.autoconfirm_orders
    assert store.active
    assert store.default_language_id is not None

    with pytest.raises(Conflict):
        await stores.create_store(db, "Retail")
    with pytest.raises(ValidationFailed) as caught:
        await stores.create_store(db, "Other", timezone="Mars/Olympus")
    assert caught.value.field == "timezone"

    updated = await stores.update_store(db, store.id, overselling_mode=OversellingMode.OFF, timezone="America/New_York")
    assert (updated.overselling_mode, updated.timezone, updated.autoconfirm_orders) == (
        OversellingMode.OFF,
        "America/New_York",
        True,
    )
    with pytest.raises(NotFound):
        await stores.update_store(db, 999_999, active=False)


async def test_first_market_and_pricelist_become_defaults(db: Database) -> None:
    await _basics(db)
    store = await stores.create_store(db, "Retail")
    first = await stores.create_market(db, store.id, "Sweden", countries=["SE"])
    second = await stores.create_market(db, store.id, "Norway", countries=["NO"])
    pricelist = await stores.create_pricelist(db, store.id, "SEK", "sek", countries=["SE", "NO"])
    assert [c.code for c in first.countries] == ["SE"]
    assert (pricelist.currency.code, [c.code for c in pricelist.countries]) == ("SEK", ["NO", "SE"])

    reloaded = await stores.set_store_defaults(db, store.id)
    assert (reloaded.default_market_id, reloaded.default_pricelist_id) == (first.id, pricelist.id)
    assert (await stores.set_store_defaults(db, store.id, market_id=second.id)).default_market_id == second.id

    other = await stores.create_store(db, "Other")
    other_market = await stores.create_market(db, other.id, "Elsewhere")
    with pytest.raises(ValidationFailed) as caught:
        await stores.set_store_defaults(db, store.id, market_id=other_market.id)
    assert caught.value.field == "market"


async def test_a_country_locates_to_one_market_and_one_pricelist_per_currency(db: Database) -> None:
    await _basics(db)
    store = await stores.create_store(db, "Retail")
    sweden = await stores.create_market(db, store.id, "Sweden", countries=["SE"])
    with pytest.raises(Conflict) as caught:
        await stores.create_market(db, store.id, "Nordics", countries=["NO", "SE"])
    assert caught.value.field == "countries"
    with pytest.raises(Conflict):
        await stores.create_market(db, store.id, "Sweden")
    with pytest.raises(ValidationFailed):
        await stores.create_market(db, store.id, "Nowhere", countries=["ZZ"])

    # Moving a country: take it off one market, then give it to the other.
    nordics = await stores.create_market(db, store.id, "Nordics", countries=["NO"])
    await stores.set_market_countries(db, sweden.id, [])
    assert [c.code for c in (await stores.set_market_countries(db, nordics.id, ["NO", "SE"])).countries] == ["NO", "SE"]

    await stores.create_pricelist(db, store.id, "SEK", "SEK", countries=["SE"])
    with pytest.raises(Conflict):
        await stores.create_pricelist(db, store.id, "SEK 2", "SEK", countries=["SE"])
    yen = await stores.create_pricelist(db, store.id, "JPY", "JPY", countries=["SE"])  # other currency: fine
    assert [c.code for c in yen.countries] == ["SE"]


async def test_allocation_rules_keep_warehouse_order(db: Database) -> None:
    await _basics(db)
    main = await stores.create_warehouse(db, "Main")
    wms = await stores.create_warehouse(db, "3PL", stock_master=StockMaster.EXTERNAL)
    assert wms.stock_master is StockMaster.EXTERNAL
    with pytest.raises(Conflict):
        await stores.create_warehouse(db, "Main")

    rule = await stores.create_allocation_rule(db, "Default", [wms.id, main.id])
    assert [(e.warehouse.name, e.priority) for e in rule.entries] == [("3PL", 1), ("Main", 2)]
    rule = await stores.set_allocation_rule_warehouses(db, rule.id, [main.id, wms.id])
    assert [e.warehouse_id for e in rule.entries] == [main.id, wms.id]
    with pytest.raises(ValidationFailed):
        await stores.create_allocation_rule(db, "Twice", [main.id, main.id])
    with pytest.raises(ValidationFailed):
        await stores.create_allocation_rule(db, "Ghost", [999_999])

    store = await stores.create_store(db, "Retail")
    market = await stores.create_market(db, store.id, "Sweden")
    assert (await stores.set_market_allocation_rule(db, market.id, rule.id)).allocation_rule_id == rule.id
    with pytest.raises(NotFound):
        await stores.set_market_allocation_rule(db, market.id, 999_999)


async def test_shipping_options_per_pricelist_and_market(db: Database) -> None:
    await _basics(db)
    store = await stores.create_store(db, "Retail")
    sweden = await stores.create_market(db, store.id, "Sweden", countries=["SE"])
    vip = await stores.create_market(db, store.id, "VIP")
    sek = await stores.create_pricelist(db, store.id, "SEK", "SEK", countries=["SE"])
    jpy = await stores.create_pricelist(db, store.id, "JPY", "JPY")
    post = await stores.create_shipping_method(
        db,
        store.id,
        "Post",
        countries=["SE", "NO"],
        prices=[
            stores.ShippingPriceInput(sek.id, Decimal("49.50"), free_from=Decimal(500)),
            stores.ShippingPriceInput(sek.id, Decimal(0), market_id=vip.id),
            stores.ShippingPriceInput(jpy.id, Decimal("800.4")),
        ],
        sort_order=2,
    )
    assert [(p.pricelist_id, p.market_id, p.price_minor) for p in post.prices] == [
        (sek.id, None, 4950),
        (sek.id, vip.id, 0),
        (jpy.id, None, 800),
    ]
    await stores.create_shipping_method(
        db, store.id, "Express", countries=["SE"], prices=[stores.ShippingPriceInput(sek.id, Decimal(99))], sort_order=1
    )
    se = (await stores.ensure_country(db, "SE", "Sweden")).id

    options = await shipping_options(db, store.id, country_id=se, pricelist_id=sek.id, market_id=sweden.id)
    assert [(o.name, o.price_minor, o.free_from_minor) for o in options] == [
        ("Express", 9900, None),
        ("Post", 4950, 50000),
    ]
    assert options[1].price_for(49_999) == 4950
    assert options[1].price_for(50_000) == 0
    vip_options = await shipping_options(db, store.id, country_id=se, pricelist_id=sek.id, market_id=vip.id)
    assert [(o.name, o.price_minor) for o in vip_options] == [("Express", 9900), ("Post", 0)]

    with pytest.raises(ValidationFailed):
        await stores.create_shipping_method(
            db, store.id, "Twice", countries=["SE"], prices=[stores.ShippingPriceInput(sek.id, Decimal(1))] * 2
        )
    with pytest.raises(Conflict):
        await stores.create_shipping_method(db, store.id, "Post", countries=[], prices=[])


async def test_payment_methods_are_offered_per_market(db: Database) -> None:
    await _basics(db)
    store = await stores.create_store(db, "Retail")
    sweden = await stores.create_market(db, store.id, "Sweden")
    norway = await stores.create_market(db, store.id, "Norway")
    card = await stores.create_payment_method(db, store.id, "Card", "card", market_ids=[sweden.id, norway.id])
    assert (card.provider, card.behaviour, [m.id for m in card.markets]) == (
        "test",
        PaymentBehaviour.SUCCESS,
        [sweden.id, norway.id],
    )
    await stores.create_payment_method(
        db, store.id, "Declined", "decline", market_ids=[sweden.id], behaviour=PaymentBehaviour.DECLINE, sort_order=-1
    )
    await stores.create_payment_method(db, store.id, "Off", "off", market_ids=[sweden.id], active=False)
    real = await stores.create_payment_method(db, store.id, "Adyen", "adyen", provider="adyen")
    assert real.behaviour is None

    assert [m.uri for m in await payment_methods(db, sweden.id)] == ["decline", "card"]
    assert [m.uri for m in await payment_methods(db, norway.id)] == ["card"]
    with pytest.raises(Conflict):
        await stores.create_payment_method(db, store.id, "Card again", "card")


async def test_tax_rules_state_beats_country(db: Database) -> None:
    await _basics(db)
    clothing = await stores.ensure_tax_group(db, "Clothing")
    books = await stores.ensure_tax_group(db, "Books")
    assert (await stores.ensure_tax_group(db, "Clothing")).id == clothing.id

    await stores.set_tax_rule(db, clothing.id, "SE", 2500)
    await stores.set_tax_rule(db, books.id, "SE", 600)
    await stores.set_tax_rule(db, clothing.id, "US", 500)
    await stores.set_tax_rule(db, clothing.id, "US", 725, state="ca")
    replaced = await stores.set_tax_rule(db, books.id, "SE", 1200)
    assert replaced.rate_bp == 1200

    assert await stores.tax_rates(db, [clothing.id, books.id], "SE") == {clothing.id: 2500, books.id: 1200}
    assert await stores.tax_rate_bp(db, clothing.id, "US") == 500
    assert await stores.tax_rate_bp(db, clothing.id, "US", "CA") == 725
    assert await stores.tax_rate_bp(db, books.id, "US", "CA") == 0  # no rule: untaxed
    assert await stores.tax_rate_bp(db, books.id, "NO") == 0

    with pytest.raises(ValidationFailed) as caught:
        await stores.set_tax_rule(db, clothing.id, "SE", 10_001)
    assert caught.value.field == "rate_bp"
    with pytest.raises(ValidationFailed) as caught:
        await stores.tax_rate_bp(db, clothing.id, "US", "TX")
    assert caught.value.field == "state"
    # Reloaded with its rules.
    assert [r.rate_bp for r in (await stores.ensure_tax_group(db, "Clothing")).rules] == [2500, 500, 725]
