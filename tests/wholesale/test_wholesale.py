"""Wholesale accounts, buyers and delivery windows (domain services), on both backends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from opencentra.address import Address
from opencentra.catalog.models import Product, ProductVariant, SizeChart
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events.models import Event
from opencentra.stores.models import AllocationRule, Country, Currency, Market, Pricelist, Store, StoreType
from opencentra.wholesale import services as wholesale
from opencentra.wholesale.models import (
    Account,
    AccountStatus,
    DeliveryWindowMarket,
    DeliveryWindowStatus,
    DeliveryWindowVariant,
    LimitType,
)


@dataclass(frozen=True)
class B2B:
    store_id: int
    retail_store_id: int
    market_id: int
    retail_market_id: int
    pricelist_id: int
    rule_id: int
    variant_ids: tuple[int, int]


@pytest.fixture
async def b2b(db: Database) -> B2B:
    async with db.write() as session:
        store = Store(name="Wholesale", type=StoreType.WHOLESALE)
        retail = Store(name="Retail", type=StoreType.DTC)
        currency = Currency(code="EUR", name="Euro", decimals=2)
        chart = SizeChart(name="One")
        rule = AllocationRule(name="Main")
        session.add_all([store, retail, currency, chart, rule, Country(code="US", name="United States", eu=False)])
        await session.flush()
        market = Market(store_id=store.id, name="B2B")
        retail_market = Market(store_id=retail.id, name="Retail")
        pricelist = Pricelist(store_id=store.id, name="EUR", currency_id=currency.id)
        product = Product(name="Ball", product_number="B1", size_chart_id=chart.id)
        session.add_all([market, retail_market, pricelist, product])
        await session.flush()
        variants = [ProductVariant(product_id=product.id, name=n, variant_number=n) for n in ("Red", "Blue")]
        session.add_all(variants)
        await session.flush()
        return B2B(
            store.id, retail.id, market.id, retail_market.id, pricelist.id, rule.id, (variants[0].id, variants[1].id)
        )


async def _events(db: Database, kind: str) -> list[tuple[str, dict[str, object]]]:
    async with db.read() as session:
        rows = await session.scalars(select(Event).where(Event.object_type == kind).order_by(Event.id))
        return [(e.action, e.payload) for e in rows]


async def test_account_create_and_update(db: Database, b2b: B2B) -> None:
    account = await wholesale.create_account(
        db,
        wholesale.AccountInput(
            name=" Test Account ",
            status=AccountStatus.INACTIVE,
            market_id=b2b.market_id,
            pricelist_id=b2b.pricelist_id,
            discount_percent=Decimal("14.3"),
            discount_visible=True,
        ),
    )
    assert (account.name, account.status, account.store_id, account.discount_bp) == (
        "Test Account",
        "inactive",
        b2b.store_id,
        1430,
    )
    window = await wholesale.create_delivery_window(
        db, wholesale.DeliveryWindowInput(name="Now", at_once=wholesale.AtOnceInput())
    )
    updated = await wholesale.update_account(
        db,
        account.id,
        wholesale.AccountInput(
            status=AccountStatus.ACTIVE,
            discount_percent=Decimal(10),
            add_delivery_window_discounts=[wholesale.DeliveryWindowDiscount(window.id, Decimal("12.5"))],
        ),
    )
    assert (updated.status, updated.discount_bp, updated.name) == ("active", 1000, "Test Account")
    assert [action for action, _ in await _events(db, "account")] == ["created", "updated"]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (wholesale.AccountInput(name="", market_id=1), "name"),
        (wholesale.AccountInput(name="A"), "market"),
        (wholesale.AccountInput(name="A", market_id=999), "market"),
        (
            wholesale.AccountInput(name="A", discount_percent=Decimal("100.5")),
            "discounts.generalDiscount.discountPercent",
        ),
    ],
)
async def test_invalid_account_changes_nothing(
    db: Database, b2b: B2B, given: wholesale.AccountInput, field: str
) -> None:
    if given.market_id is None and given.discount_percent is not None:
        given = wholesale.AccountInput(name="A", market_id=b2b.market_id, discount_percent=given.discount_percent)
    with pytest.raises((ValidationFailed, NotFound)) as raised:
        await wholesale.create_account(db, given)
    assert raised.value.field == field
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Account)) == 0
    assert await _events(db, "account") == []


async def test_account_needs_a_wholesale_market_and_its_pricelist(db: Database, b2b: B2B) -> None:
    with pytest.raises(ValidationFailed, match="not in a wholesale store"):
        await wholesale.create_account(db, wholesale.AccountInput(name="A", market_id=b2b.retail_market_id))
    with pytest.raises(NotFound):
        await wholesale.update_account(db, 12345, wholesale.AccountInput(name="B"))


async def test_buyer_create_and_update(db: Database, b2b: B2B) -> None:
    account = await wholesale.create_account(db, wholesale.AccountInput(name="Shop", market_id=b2b.market_id))
    buyer = await wholesale.create_buyer(
        db,
        wholesale.BuyerInput(
            account_id=account.id,
            website_url="Example URL",
            receive_auto_emails=True,
            billing_address=wholesale.BuyerAddress(
                Address(first_name="Jon", city="Winterfell", country="us"), email="jon@example.com", fax_number="1"
            ),
        ),
    )
    assert (buyer.store_id, buyer.email, buyer.billing_country, buyer.billing_fax_number) == (
        b2b.store_id,
        "jon@example.com",
        "US",
        "1",
    )
    again = await wholesale.update_buyer(
        db, buyer.id, wholesale.BuyerInput(billing_address=wholesale.BuyerAddress(Address(city="TheWall")))
    )
    assert (again.billing_city, again.billing_first_name) == ("TheWall", "Jon")
    with pytest.raises(ValidationFailed) as raised:
        await wholesale.update_buyer(db, buyer.id, wholesale.BuyerInput(store_id=b2b.retail_store_id))
    assert raised.value.field == "store"
    with pytest.raises(NotFound):
        await wholesale.create_buyer(db, wholesale.BuyerInput(account_id=999))
    assert [action for action, _ in await _events(db, "buyer")] == ["created", "updated"]


async def test_delivery_windows_and_their_variants(db: Database, b2b: B2B) -> None:
    window = await wholesale.create_delivery_window(
        db,
        wholesale.DeliveryWindowInput(
            name="Autumn",
            allocation_rule_id=b2b.rule_id,
            market_ids=[b2b.market_id, b2b.market_id],
            preorder=wholesale.PreorderInput(
                date(2022, 8, 1), date(2022, 10, 31), date(2022, 8, 1), date(2022, 10, 31)
            ),
        ),
    )
    assert (window.kind, window.allocation_order, window.delivery_end) == ("preorder", "fifo", date(2022, 10, 31))
    red, blue = b2b.variant_ids
    _, warnings = await wholesale.set_delivery_window_variants(
        db,
        window.id,
        [
            wholesale.WindowVariantInput(red, limit_value=100, limit_type=LimitType.HIGH),
            wholesale.WindowVariantInput(blue),
            wholesale.WindowVariantInput(999),
            wholesale.WindowVariantInput(red),
        ],
    )
    assert warnings == [
        (2, "Could not find ProductVariant with ID 999"),
        (3, f"Duplicate product variant ID {red} skipped"),
    ]
    _, warnings = await wholesale.unset_delivery_window_variants(db, window.id, [blue, 777])
    assert [index for index, _ in warnings] == [1]
    cancelled = await wholesale.update_delivery_window(
        db, window.id, wholesale.DeliveryWindowInput(status=DeliveryWindowStatus.CANCELLED, market_ids=[])
    )
    assert cancelled.status == "cancelled"
    async with db.read() as session:
        left = (
            await session.execute(select(DeliveryWindowVariant.variant_id, DeliveryWindowVariant.limit_value))
        ).all()
        markets = await session.scalar(select(func.count()).select_from(DeliveryWindowMarket))
    assert [tuple(row) for row in left] == [(red, 100)]
    assert markets == 0
    assert [action for action, _ in await _events(db, "delivery_window")] == [
        "created",
        "updated",
        "updated",
        "updated",
    ]


async def test_invalid_delivery_windows_are_refused(db: Database, b2b: B2B) -> None:
    with pytest.raises(ValidationFailed, match="exactly one"):
        await wholesale.create_delivery_window(db, wholesale.DeliveryWindowInput(name="Neither"))
    with pytest.raises(ValidationFailed) as raised:
        await wholesale.create_delivery_window(
            db,
            wholesale.DeliveryWindowInput(
                name="Back",
                preorder=wholesale.PreorderInput(delivery_start=date(2023, 1, 2), delivery_end=date(2023, 1, 1)),
            ),
        )
    assert raised.value.field == "preorder.deliveryDateRange"
    with pytest.raises(ValidationFailed) as raised:
        await wholesale.create_delivery_window(
            db,
            wholesale.DeliveryWindowInput(
                name="Retail", market_ids=[b2b.retail_market_id], at_once=wholesale.AtOnceInput()
            ),
        )
    assert raised.value.field == "markets.0"
    at_once = await wholesale.create_delivery_window(
        db, wholesale.DeliveryWindowInput(name="Now", at_once=wholesale.AtOnceInput(3, True))
    )
    with pytest.raises(ValidationFailed):
        await wholesale.update_delivery_window(
            db, at_once.id, wholesale.DeliveryWindowInput(preorder=wholesale.PreorderInput())
        )
    with pytest.raises(ValidationFailed):
        await wholesale.set_delivery_window_variants(db, at_once.id, [wholesale.WindowVariantInput(1)] * 101)
    with pytest.raises(NotFound):
        await wholesale.set_delivery_window_variants(db, 9999, [])
    assert [action for action, _ in await _events(db, "delivery_window")] == ["created"]
