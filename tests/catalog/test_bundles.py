"""Bundles in the domain: the rules of their shape, stock that follows components, prices, orders."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.api.checkout.conftest import ShopIds, build_shop
from tests.bundle_helpers import BundleIds, add_bundles

from opencentra import orders
from opencentra.address import Address
from opencentra.catalog import bundles
from opencentra.catalog.bundle_models import BundlePriceType, BundleType, OrderBundleComponent, OrderBundleLine
from opencentra.customers.services import ensure_guest_customer
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, OutOfStock, ValidationFailed
from opencentra.events.models import Event
from opencentra.inventory import services as inventory
from opencentra.orders.bundle_lines import insert_order_with_bundles
from opencentra.orders.models import Order, OrderAllocation
from opencentra.pricing import bundle_prices

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
async def world(db: Database) -> tuple[ShopIds, BundleIds]:
    shop = await build_shop(db)
    return shop, await add_bundles(db, shop)


async def test_fixed_bundles_offer_one_variant_per_section(db: Database, world: Any) -> None:
    shop, made = world
    async with db.write() as session:
        extra = await bundles.bundle_of_variant(session, made.variants["gift"])
        assert extra is not None and extra.type == BundleType.FIXED
    with pytest.raises(ValidationFailed) as two:
        await bundles.update_bundle(
            db,
            made.gift_set,
            bundles.BundleChanges(
                add_sections=[bundles.SectionSpec([shop.variants["tee-black"], shop.variants["tee-white"]])]
            ),
        )
    assert two.value.field == "sections.2"
    with pytest.raises(ValidationFailed):
        await bundles.update_bundle(
            db,
            made.gift_set,
            bundles.BundleChanges(add_sections=[bundles.SectionSpec([shop.variants["jeans-blue"]], optional=True)]),
        )
    # A flexible bundle may not become fixed while a section offers a choice.
    with pytest.raises(ValidationFailed):
        await bundles.update_bundle(db, made.duo, bundles.BundleChanges(type=BundleType.FIXED))
    # Only dynamic bundles have a bundle discount.
    with pytest.raises(ValidationFailed) as discount:
        await bundles.update_bundle(db, made.gift_set, bundles.BundleChanges(discount_bp=500))
    assert discount.value.field == "discount"


async def test_bundles_cannot_nest_repeat_or_contain_unknown_variants(db: Database, world: Any) -> None:
    shop, made = world
    with pytest.raises(Conflict):
        await bundles.create_bundle(
            db, made.variants["gift"], sections=[bundles.SectionSpec([shop.variants["tee-black"]])]
        )
    with pytest.raises(ValidationFailed):
        # The duo is a bundle: it cannot be part of another one.
        await bundles.update_bundle(
            db, made.gift_set, bundles.BundleChanges(add_sections=[bundles.SectionSpec([made.variants["duo"]])])
        )
    with pytest.raises(NotFound) as unknown:
        await bundles.update_bundle(
            db, made.gift_set, bundles.BundleChanges(add_sections=[bundles.SectionSpec([987654])])
        )
    assert unknown.value.field == "sections.0.productVariants"
    with pytest.raises(ValidationFailed):
        await bundles.create_bundle(
            db, shop.variants["jeans-blue"], sections=[bundles.SectionSpec([shop.variants["jeans-blue"]])]
        )
    with pytest.raises(ValidationFailed):
        # A component cannot itself become a bundle.
        await bundles.create_bundle(db, shop.variants["tee-black"])


async def test_changes_write_events(db: Database, world: Any) -> None:
    shop, made = world
    updated = await bundles.update_bundle(
        db,
        made.duo,
        bundles.BundleChanges(
            discount_bp=2000,
            remove_section_ids=[made.sections["duo"][1]],
            add_sections=[bundles.SectionSpec([shop.variants["scarf-print"]], quantity=3)],
        ),
    )
    assert updated.discount_bp == 2000
    assert [(s.quantity, [o.variant_id for o in s.options]) for s in updated.sections] == [
        (1, [shop.variants["tee-black"], shop.variants["tee-white"]]),
        (3, [shop.variants["scarf-print"]]),
    ]
    async with db.read() as session:
        actions = list(
            await session.scalars(
                select(Event.action)
                .where(Event.object_type == "bundle", Event.object_id == made.duo)
                .order_by(Event.id)
            )
        )
    assert actions == ["created", "updated"]


async def test_bundle_stock_follows_its_components(db: Database, world: Any) -> None:
    shop, made = world
    nordics = shop.markets["Nordics"]
    gift_s, gift_m, duo = made.sizes["gift-S"], made.sizes["gift-M"], made.sizes["duo"]
    assert await inventory.available_for_market(db, nordics, [gift_s, duo]) == {gift_s: 10, duo: 10}
    await inventory.set_physical(db, shop.warehouse, shop.sizes["tee-black-S"], 3)
    await inventory.set_physical(db, shop.warehouse, shop.sizes["scarf-print-One Size"], 2)
    # The set in S needs a black tee in S and a scarf; the set in M a black tee in M.
    assert await inventory.available_for_market(db, nordics, [gift_s, gift_m]) == {gift_s: 2, gift_m: 2}
    await inventory.set_physical(db, shop.warehouse, shop.sizes["scarf-print-One Size"], 10)
    assert (await inventory.available_for_market(db, nordics, [gift_s]))[gift_s] == 3
    # The duo's one required section can take any tee; the optional jeans do not limit it.
    for size in ("S", "M", "L"):
        await inventory.set_physical(db, shop.warehouse, shop.sizes[f"tee-black-{size}"], 0)
        await inventory.set_physical(db, shop.warehouse, shop.sizes[f"tee-white-{size}"], 0)
    await inventory.set_physical(db, shop.warehouse, shop.sizes["tee-white-M"], 4)
    await inventory.set_physical(db, shop.warehouse, shop.sizes["jeans-blue-M"], 0)
    assert await inventory.available_for_market(db, nordics, [duo, gift_s]) == {duo: 4, gift_s: 0}
    # Sizes that are not bundles are untouched by the bundle rules.
    assert (await inventory.available_for_market(db, nordics, [shop.sizes["tee-white-M"]]))[
        shop.sizes["tee-white-M"]
    ] == 4


async def test_price_ranges_static_and_dynamic(db: Database, world: Any) -> None:
    shop, made = world
    async with db.read() as session:
        loaded = list((await bundles.bundles_of_variants(session, made.variants.values())).values())
        ranges = await bundle_prices.price_ranges(session, loaded, shop.pricelists["SEK"], shop.markets["Nordics"], NOW)
    gift, duo = ranges[made.gift_set], ranges[made.duo]
    assert (gift.min_minor, gift.max_minor) == (25000, 25000)
    # Components: scarf 100 less its 20% Nordic campaign = 80; tee 200.
    assert gift.items_minor == 28000
    # One tee (200), optionally two jeans (2 x 800); 10% off.
    assert (duo.min_minor, duo.max_minor) == (18000, 162000)
    assert (duo.min_before_minor, duo.max_before_minor) == (20000, 180000)


def test_split_price_is_proportional_and_exact() -> None:
    assert bundles.split_price(15000, [(20000, 1), (10000, 1)]) == ([10000, 5000], 0)
    shares, left = bundles.split_price(10000, [(3000, 1), (3000, 1), (3000, 1)])
    assert sum(shares) + left == 10000
    shares, left = bundles.split_price(1001, [(100, 2), (100, 2)])
    assert sum(s * 2 for s in shares) + left == 1001 and left == 1
    assert bundles.split_price(500, [(0, 1)]) == ([0], 500)


async def _bundle_draft(
    db: Database, shop: ShopIds, made: BundleIds, quantity: int = 1, email: str = "ada@example.com"
) -> tuple[orders.OrderDraft, dict[int, bundles.BundleOrderPlan]]:
    async with db.write() as session:
        bundle = await bundles.bundle_of_variant(session, made.variants["gift"])
        assert bundle is not None
        chosen = await bundles.choose_components(session, shop.store, made.sizes["gift-S"], {})
        price = await bundle_prices.line_price(
            session, bundle, chosen, shop.pricelists["SEK"], shop.markets["Nordics"], NOW
        )
        assert price is not None
        plan = bundles.plan_order_lines(bundle, quantity, price, chosen)
        customer = await ensure_guest_customer(session, shop.store, email)
    display_item = int(made.items["gift-S"].split("-")[0])
    draft = orders.OrderDraft(
        store_id=shop.store,
        market_id=shop.markets["Nordics"],
        pricelist_id=shop.pricelists["SEK"],
        currency_id=await _sek(db),
        customer_id=customer.id,
        email=email,
        billing=Address(first_name="Ada", country="SE"),
        lines=[
            orders.LineDraft(
                "Gift Set",
                quantity,
                price.unit_minor,
                product_size_id=made.sizes["gift-S"],
                display_item_id=display_item,
            )
        ],
        confirm=True,
    )
    return draft, {0: plan}


async def _sek(db: Database) -> int:
    from opencentra.stores.models import Currency

    async with db.read() as session:
        found = await session.scalar(select(Currency.id).where(Currency.code == "SEK"))
        assert found is not None
        return found


async def _order(db: Database, draft: orders.OrderDraft, plans: dict[int, bundles.BundleOrderPlan]) -> Order:
    async with db.write() as session:
        return await insert_order_with_bundles(session, draft, plans)


async def test_an_order_for_a_bundle_takes_component_stock(db: Database, world: Any) -> None:
    shop, made = world
    draft, plans = await _bundle_draft(db, shop, made, quantity=2)
    order = await _order(db, draft, plans)
    assert order.items_total_minor == 2 * 25000
    bundle_line, tee, scarf = order.lines
    assert (bundle_line.product_size_id, bundle_line.unit_price_minor, bundle_line.quantity) == (None, 0, 2)
    assert (tee.product_size_id, tee.quantity, tee.original_unit_price_minor) == (shop.sizes["tee-black-S"], 2, 20000)
    assert scarf.product_size_id == shop.sizes["scarf-print-One Size"]
    # 250 shared as 200 : 80.
    assert (tee.unit_price_minor, scarf.unit_price_minor) == (17858, 7142)
    levels = await inventory.stock_levels(
        db, product_size_ids=[shop.sizes["tee-black-S"], shop.sizes["scarf-print-One Size"]]
    )
    assert [(lv.physical, lv.allocated) for lv in levels] == [(10, 2), (10, 2)]
    async with db.read() as session:
        info = await bundles.order_bundle_info(session, [line.id for line in order.lines])
        assert info.bundles == {bundle_line.id: (made.gift_set, 25000, 28000)}
        assert info.part_of == {tee.id: bundle_line.id, scarf.id: bundle_line.id}
        assert await session.scalar(select(func.count(OrderBundleLine.id))) == 1
        assert await session.scalar(select(func.count(OrderBundleComponent.id))) == 2
    # The set's own stock is the rest of its components'.
    assert (await inventory.available_for_market(db, shop.markets["Nordics"], [made.sizes["gift-S"]]))[
        made.sizes["gift-S"]
    ] == 8
    # A cancelled bundle order gives the component stock back.
    await orders.cancel_order(db, order.id)
    levels = await inventory.stock_levels(db, product_size_ids=[shop.sizes["tee-black-S"]])
    assert (levels[0].physical, levels[0].allocated) == (10, 0)


async def test_a_short_component_makes_the_bundle_line_short(db: Database, world: Any) -> None:
    shop, made = world
    await inventory.set_physical(db, shop.warehouse, shop.sizes["scarf-print-One Size"], 1)
    draft, plans = await _bundle_draft(db, shop, made, quantity=2)
    with pytest.raises(OutOfStock) as short:
        await _order(db, draft, plans)
    assert short.value.unavailable[0]["line"] == 0
    assert short.value.unavailable[0]["product_size_id"] == made.sizes["gift-S"]
    assert short.value.unavailable[0]["available"] == 1
    async with db.read() as session:
        assert await session.scalar(select(func.count(Order.id))) == 0


@pytest.fixture
async def roomy_db(db: Database) -> Any:
    other = Database.from_url(db.url.render_as_string(hide_password=False), pool_size=10)
    try:
        yield other
    finally:
        await other.dispose()


async def test_two_buyers_never_both_get_the_last_unit(roomy_db: Database, world: Any) -> None:
    shop, made = world
    await inventory.set_physical(roomy_db, shop.warehouse, shop.sizes["scarf-print-One Size"], 1)
    first, plans = await _bundle_draft(roomy_db, shop, made, email="ada@example.com")
    second, _ = await _bundle_draft(roomy_db, shop, made, email="bob@example.com")

    async def attempt(draft: orders.OrderDraft) -> bool:
        try:
            await _order(roomy_db, draft, plans)
        except OutOfStock:
            return False
        return True

    results = await asyncio.gather(attempt(first), attempt(replace(second)), attempt(replace(first)))
    assert results.count(True) == 1
    async with roomy_db.read() as session:
        assert await session.scalar(select(func.count(Order.id))) == 1
        assert await session.scalar(select(func.sum(OrderAllocation.quantity))) == 2
    levels = await inventory.stock_levels(roomy_db, product_size_ids=[shop.sizes["scarf-print-One Size"]])
    assert (levels[0].physical, levels[0].allocated) == (1, 1)


async def test_choosing_components(db: Database, world: Any) -> None:
    shop, made = world
    sections = made.sections["duo"]
    async with db.read() as session:
        with pytest.raises(ValidationFailed) as missing:
            await bundles.choose_components(session, shop.store, made.sizes["duo"], {})
        assert missing.value.field == f"sections.{sections[0]}"
        with pytest.raises(NotFound):
            # A jeans item cannot fill the tee section.
            await bundles.choose_components(
                session, shop.store, made.sizes["duo"], {sections[0]: shop.items["jeans-blue-M"]}
            )
        with pytest.raises(NotFound):
            await bundles.choose_components(session, shop.store, made.sizes["duo"], {424242: None})
        with pytest.raises(ValidationFailed):
            await bundles.choose_components(session, shop.store, shop.sizes["tee-black-S"], {})
        chosen = await bundles.choose_components(
            session, shop.store, made.sizes["duo"], {sections[0]: shop.items["tee-white-M"]}
        )
        assert [(c.product_size_id, c.quantity, c.item) for c in chosen] == [
            (shop.sizes["tee-white-M"], 1, shop.items["tee-white-M"])
        ]
        both = await bundles.choose_components(
            session,
            shop.store,
            made.sizes["duo"],
            {sections[0]: shop.items["tee-black-L"], sections[1]: shop.items["jeans-blue-L"]},
        )
        bundle = await bundles.bundle_of_variant(session, made.variants["duo"])
        assert bundle is not None and bundle.price_type == BundlePriceType.DYNAMIC
        price = await bundle_prices.line_price(
            session, bundle, both, shop.pricelists["SEK"], shop.markets["Nordics"], NOW
        )
    assert price is not None
    assert (price.unit_minor, price.before_minor) == (162000, 180000)
