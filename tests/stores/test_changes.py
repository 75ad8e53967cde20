"""Changing markets, pricelists and warehouses after creation, and the outbox events of setup."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.models import Event
from opencentra.integration import services as integration
from opencentra.pricing import prices
from opencentra.pricing.models import Price
from opencentra.selection.models import Selection
from opencentra.stores import changes
from opencentra.stores import services as stores
from opencentra.stores.models import Market, Pricelist, StockMaster, Warehouse
from opencentra.stores.shipping_defaults import PricelistShippingDefault, default_shipping_of


async def _setup(db: Database) -> dict[str, int]:
    await stores.ensure_currency(db, "SEK", "Swedish krona")
    await stores.ensure_currency(db, "EUR", "Euro")
    for code, name in (("SE", "Sweden"), ("NO", "Norway"), ("DK", "Denmark"), ("DE", "Germany")):
        await stores.ensure_country(db, code, name)
    store = await stores.create_store(db, "Retail")
    other = await stores.create_store(db, "Other")
    nordics = await stores.create_market(db, store.id, "Nordics", countries=["SE", "NO"], comment="north")
    europe = await stores.create_market(db, store.id, "Europe", countries=["DE"])
    default = await stores.create_pricelist(db, store.id, "SEK", "SEK", countries=["SE"])
    euro = await stores.create_pricelist(db, store.id, "EUR", "EUR", countries=["DE"])
    method = await stores.create_shipping_method(
        db, store.id, "Standard", countries=["SE"], prices=[stores.ShippingPriceInput(default.id, Decimal("49"))]
    )
    foreign = await stores.create_shipping_method(db, other.id, "Elsewhere", countries=["SE"], prices=[])
    return {
        "store": store.id,
        "nordics": nordics.id,
        "europe": europe.id,
        "default": default.id,
        "euro": euro.id,
        "method": method.id,
        "foreign": foreign.id,
    }


async def _events(db: Database, object_type: str) -> list[tuple[int, str, dict[str, Any]]]:
    async with db.read() as session:
        rows = await session.execute(
            select(Event.object_id, Event.action, Event.payload)
            .where(Event.object_type == object_type)
            .order_by(Event.id)
        )
        return [(object_id, action, payload) for object_id, action, payload in rows]


async def test_creating_markets_pricelists_and_warehouses_writes_events(db: Database) -> None:
    ids = await _setup(db)
    assert [(i, a) for i, a, _ in await _events(db, "market")] == [
        (ids["nordics"], "created"),
        (ids["europe"], "created"),
    ]
    assert (await _events(db, "market"))[0][2]["countries"] == ["NO", "SE"]
    pricelist_events = await _events(db, "pricelist")
    assert [(i, a) for i, a, _ in pricelist_events] == [(ids["default"], "created"), (ids["euro"], "created")]
    assert pricelist_events[1][2]["currency"] == "EUR"
    warehouse = await stores.create_warehouse(
        db, "Main", stock_master=StockMaster.EXTERNAL, threshold=2, hidden_from_stock_view=True
    )
    assert (warehouse.threshold, warehouse.hidden_from_stock_view) == (2, True)
    assert await _events(db, "warehouse") == [
        (
            warehouse.id,
            "created",
            {
                "name": "Main",
                "stock_master": "external",
                "threshold": 2,
                "hidden_from_stock_view": True,
                "stock_ownership": "own",
                "allocation_policy": "check_first",
                "location": None,
            },
        )
    ]
    with pytest.raises(ValidationFailed):
        await stores.create_warehouse(db, "Negative", threshold=-1)


async def test_set_external_id_writes_an_event(db: Database) -> None:
    await integration.set_external_id(db, integration="erp", object_type="Product", internal_id=1, external_id="A")
    await integration.set_external_id(db, integration="erp", object_type="Product", internal_id=1, external_id="B")
    found = await _events(db, "external_id")
    assert [action for _, action, _ in found] == ["created", "updated"]
    assert found[1][2] == {
        "integration": "erp",
        "object_type": "Product",
        "internal_id": 1,
        "external_id": "B",
        "replaced": ["A"],
    }


async def test_update_market(db: Database) -> None:
    ids = await _setup(db)
    market = await changes.update_market(
        db, ids["nordics"], name="North", comment="", add_countries=["dk"], remove_countries=["NO"]
    )
    assert (market.name, market.comment, [c.code for c in market.countries]) == ("North", None, ["DK", "SE"])
    assert (await _events(db, "market"))[-1] == (
        ids["nordics"],
        "updated",
        {"name": "North", "comment": None, "countries": ["SE", "DK"]},
    )
    untouched = await changes.update_market(db, ids["europe"], active=False)
    assert ([c.code for c in untouched.countries], untouched.active) == (["DE"], False)

    bad: list[tuple[int, dict[str, Any], type[Exception]]] = [
        (ids["nordics"], {"name": "Europe"}, Conflict),
        (ids["nordics"], {"add_countries": ["DE"]}, Conflict),  # Germany belongs to Europe
        (ids["nordics"], {"add_countries": ["XX1"]}, ValidationFailed),
        (999_999, {"name": "Gone"}, NotFound),
    ]
    for market_id, kwargs, error in bad:
        with pytest.raises(error):
            await changes.update_market(db, market_id, **kwargs)
    async with db.read() as session:
        stored = await session.get(Market, ids["nordics"])
        assert stored is not None and stored.name == "North"
    assert len(await _events(db, "market")) == 4


async def test_update_pricelist_and_its_default_shipping(db: Database) -> None:
    ids = await _setup(db)
    pricelist = await changes.update_pricelist(
        db,
        ids["default"],
        name="Kronor",
        active=False,
        add_countries=["NO"],
        default_shipping=changes.DefaultShipping(ids["method"]),
    )
    assert (pricelist.name, pricelist.active, [c.code for c in pricelist.countries]) == ("Kronor", False, ["NO", "SE"])
    async with db.read() as session:
        assert await default_shipping_of(session, ids["default"]) == ids["method"]
    await changes.update_pricelist(db, ids["default"], default_shipping=changes.DefaultShipping(None))
    async with db.read() as session:
        assert await default_shipping_of(session, ids["default"]) is None

    with pytest.raises(NotFound):  # another store's shipping method
        await changes.update_pricelist(db, ids["default"], default_shipping=changes.DefaultShipping(ids["foreign"]))
    with pytest.raises(Conflict):
        await changes.update_pricelist(db, ids["default"], name="EUR")
    with pytest.raises(NotFound):
        await changes.update_pricelist(db, 999_999, name="x")
    async with db.read() as session:
        stored = await session.get(Pricelist, ids["default"])
        assert stored is not None and stored.name == "Kronor"


async def test_create_pricelist_with_a_default_shipping_option(db: Database) -> None:
    ids = await _setup(db)
    created = await stores.create_pricelist(db, ids["store"], "NOK", "SEK", default_shipping_method_id=ids["method"])
    async with db.read() as session:
        assert await default_shipping_of(session, created.id) == ids["method"]
    with pytest.raises(NotFound):
        await stores.create_pricelist(db, ids["store"], "Bad", "SEK", default_shipping_method_id=ids["foreign"])
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Pricelist).where(Pricelist.name == "Bad")) == 0


async def test_delete_pricelist_refuses_while_in_use(db: Database) -> None:
    ids = await _setup(db)
    with pytest.raises(Conflict, match="default pricelist"):
        await changes.delete_pricelist(db, ids["default"])
    async with db.write() as session:
        session.add(Selection(uuid="a" * 32, store_id=ids["store"], market_id=ids["europe"], pricelist_id=ids["euro"]))
    with pytest.raises(Conflict, match="selections"):
        await changes.delete_pricelist(db, ids["euro"])
    async with db.write() as session:
        await session.execute(Selection.__table__.delete())
    with pytest.raises(NotFound):
        await changes.delete_pricelist(db, 999_999)

    await changes.update_pricelist(db, ids["euro"], default_shipping=changes.DefaultShipping(ids["method"]))
    assert (await _events(db, "pricelist"))[-1][1] == "updated"
    from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec, create_product
    from opencentra.catalog.sizes import create_size_chart

    chart = await create_size_chart(db, "One", ["OS"])
    product = await create_product(
        db, ProductSpec("Scarf", "SCF", chart.id, [VariantSpec("Red", "R", [SizeSpec(chart.sizes[0].id)])])
    )
    await prices.set_prices(db, ids["euro"], [prices.PriceSpec(product.variants[0].id, Decimal("10"))])

    await changes.delete_pricelist(db, ids["euro"])
    async with db.read() as session:
        assert await session.get(Pricelist, ids["euro"]) is None
        assert await session.scalar(select(func.count()).select_from(Price)) == 0  # its prices went with it
        assert await session.scalar(select(func.count()).select_from(PricelistShippingDefault)) == 0
    assert (await _events(db, "pricelist"))[-1] == (
        ids["euro"],
        "deleted",
        {"name": "EUR", "default_shipping_method": ids["method"]},
    )


async def test_update_warehouse(db: Database) -> None:
    main = await stores.create_warehouse(db, "Main")
    await stores.create_warehouse(db, "Second")
    changed = await changes.update_warehouse(
        db, main.id, name="Central", stock_master=StockMaster.EXTERNAL, threshold=5, hidden_from_stock_view=True
    )
    assert (changed.name, changed.stock_master, changed.threshold, changed.hidden_from_stock_view) == (
        "Central",
        StockMaster.EXTERNAL,
        5,
        True,
    )
    for kwargs, error in (({"name": "Second"}, Conflict), ({"threshold": -2}, ValidationFailed)):
        with pytest.raises(error):  # type: ignore[call-overload]
            await changes.update_warehouse(db, main.id, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await changes.update_warehouse(db, 999_999, threshold=1)
    async with db.read() as session:
        stored = await session.get(Warehouse, main.id)
        assert stored is not None and (stored.name, stored.threshold) == ("Central", 5)
    assert [a for _, a, _ in await _events(db, "warehouse")] == ["created", "created", "updated"]
