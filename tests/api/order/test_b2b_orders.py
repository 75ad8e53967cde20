"""Wholesale (B2B) orders over the Order API: POST /order with accountId/buyerId, terms in the shapes (both backends).

The retail world of ``conftest`` gets a wholesale store beside it: market
"B2B" (Sweden, drawing from Stockholm), a SEK pricelist with the tee at
80.00, an account on 30-day payment terms and ex-works shipping terms, and
one buyer. The plugin "b2b" sees that store only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.api.order.conftest import EAN_S, Wms, World
from tests.api.order.shapes import find, missing_fields
from tests.conftest import ApiHarness

from opencentra.address import Address
from opencentra.db.engine import Database
from opencentra.events.models import Event
from opencentra.integration import services as integration
from opencentra.orders.models import Order
from opencentra.pricing import prices
from opencentra.stores import services as stores
from opencentra.stores.models import StoreType
from opencentra.suppliers import services as suppliers
from opencentra.wholesale import services as wholesale
from opencentra.wholesale import terms
from opencentra.wholesale.models import AccountStatus
from opencentra.wholesale.terms_models import PaymentTerms, ShippingTerms


@dataclass(frozen=True)
class Shop:
    store: int
    market: int
    pricelist: int
    account: int
    buyer: int
    other_account: int
    other_buyer: int


async def _shop(db: Database, world: World) -> Shop:
    store = await stores.create_store(
        db, "Wholesale", type=StoreType.WHOLESALE, timezone="Europe/Stockholm", autoconfirm_orders=True
    )
    rule = await stores.create_allocation_rule(db, "B2B from Stockholm", [world.stockholm])
    market = await stores.create_market(
        db, store.id, "B2B", countries=["SE"], allocation_rule_id=rule.id, make_default=True
    )
    pricelist = await stores.create_pricelist(db, store.id, "B2B SEK", "SEK", countries=["SE"], make_default=True)
    await prices.set_prices(db, pricelist.id, [prices.PriceSpec(world.variant, Decimal("80"))])
    net30 = await terms.create_terms(
        db, PaymentTerms, terms.TermsInput(name="30 Net", description="Pay within 30 days")
    )
    works = await terms.create_terms(db, ShippingTerms, terms.TermsInput(name="Ex. Works", description="From our door"))
    account = await wholesale.create_account(
        db,
        wholesale.AccountInput(
            name="Internal ROW",
            market_id=market.id,
            pricelist_id=pricelist.id,
            terms=terms.AccountTermsInput(payment_terms_id=net30.id, shipping_terms_id=works.id),
        ),
    )
    address = Address(first_name="John", last_name="Doe", address1="Hamngatan 1", city="Malmö", country="SE")
    buyer = await wholesale.create_buyer(
        db,
        wholesale.BuyerInput(
            account_id=account.id, billing_address=wholesale.BuyerAddress(address=address, email="john@example.com")
        ),
    )
    other = await wholesale.create_account(db, wholesale.AccountInput(name="Other", market_id=market.id))
    other_buyer = await wholesale.create_buyer(db, wholesale.BuyerInput(account_id=other.id))
    return Shop(store.id, market.id, pricelist.id, account.id, buyer.id, other.id, other_buyer.id)


@pytest.fixture
def shop(api: ApiHarness, world: World) -> Shop:
    return api.call(_shop, world)


@pytest.fixture
def b2b(api: ApiHarness, world: World, shop: Shop) -> Wms:
    values = {"markets": [shop.market], "primary_warehouse": world.stockholm, "allow_order_create": True}
    plugin, secret = api.call(
        lambda db: integration.create_plugin(db, store_id=shop.store, plugin_type="order", uri="b2b", settings=values)
    )
    return Wms(api, world, plugin.base, secret)


async def _counts(db: Database) -> tuple[int, int]:
    async with db.read() as session:
        orders = await session.scalar(select(func.count()).select_from(Order))
        events = await session.scalar(select(func.count()).select_from(Event))
        return int(orders or 0), int(events or 0)


async def _links(db: Database, number: int) -> tuple[int | None, int | None, int, int]:
    async with db.read() as session:
        order = await session.scalar(select(Order).where(Order.number == number))
        assert order is not None
        return order.account_id, order.buyer_id, order.market_id, order.pricelist_id


async def _wholesale_events(db: Database) -> list[dict[str, Any]]:
    async with db.read() as session:
        rows = await session.scalars(select(Event).where(Event.object_type == "order").order_by(Event.id))
        return [event.payload for event in rows if event.payload.get("change") == "wholesale"]


def test_an_order_for_an_account_and_buyer(b2b: Wms, shop: Shop) -> None:
    placed = b2b.send(
        "POST",
        "/order",
        {
            "accountId": shop.account,
            "buyerId": str(shop.buyer),
            "poNumber": "Pre Spring 17",
            "products": [{"ean": EAN_S, "qty": 2}],
        },
    )
    assert placed["status"] == "ok", placed
    [number] = placed["orders"]
    # The account's market and pricelist, the buyer's address and email.
    assert b2b.api.call(_links, number) == (shop.account, shop.buyer, shop.market, shop.pricelist)
    assert b2b.api.call(_wholesale_events) == [
        {"change": "wholesale", "account_id": shop.account, "buyer_id": shop.buyer}
    ]
    [order] = b2b.get("/orders", order=number)["orders"]
    assert order["accountId"] == str(shop.account)
    assert (order["billingName"], order["billingCity"], order["billingEmail"]) == (
        "John Doe",
        "Malmö",
        "john@example.com",
    )
    assert order["products"][0]["price"] == 80  # the B2B pricelist, not the retail 100
    # buyerId alone names its account; an explicit address wins over the buyer's.
    alone = b2b.send(
        "POST",
        "/order",
        {
            "buyerId": shop.buyer,
            "address": {"email": "desk@example.com", "firstName": "Desk", "country": "SE"},
            "products": [{"ean": EAN_S, "qty": 1}],
        },
    )
    assert alone["status"] == "ok", alone
    assert b2b.api.call(_links, alone["orders"][0])[:2] == (shop.account, shop.buyer)
    assert b2b.get("/orders", order=alone["orders"][0])["orders"][0]["billingName"] == "Desk"


def test_shipments_show_the_accounts_terms(b2b: Wms, wms: Wms, shop: Shop, examples: list[dict[str, Any]]) -> None:
    number = b2b.send(
        "POST", "/order", {"accountId": shop.account, "buyerId": shop.buyer, "products": [{"ean": EAN_S, "qty": 1}]}
    )["orders"][0]
    line = b2b.get("/orders", order=number)["orders"][0]["products"][0]["lineId"]
    created = b2b.send("POST", "/shipments", {"order": number, "products": {line: 1}, "gtg": True, "capture": False})
    assert created["status"] == "ok", created
    [shipment] = b2b.get("/shipments")["shipments"]
    assert shipment["accountId"] == str(shop.account)
    assert shipment["paymentTerms"]["name"] == "30 Net"
    assert shipment["shippingTerms"]["description"] == "From our door"
    documented = find(examples, "107.get-shipments", "Response example")["shipments"][0]
    assert missing_fields(documented["paymentTerms"], shipment["paymentTerms"]) == []
    assert missing_fields(documented["shippingTerms"], shipment["shippingTerms"]) == []
    # A retail shipment has no terms: empty objects of the same shape.
    world = wms.world
    retail = wms.place((world.small, 1))
    retail_line = wms.get("/orders", order=retail.number)["orders"][0]["products"][0]["lineId"]
    wms.send(
        "POST", "/shipments", {"order": retail.number, "products": {retail_line: 1}, "gtg": True, "capture": False}
    )
    [retail_shipment] = wms.get("/shipments")["shipments"]
    assert retail_shipment["paymentTerms"] == {"id": 0, "name": "", "description": ""}


def test_supplier_delivery_details_name_account_buyer_and_terms(
    api: ApiHarness, b2b: Wms, world: World, shop: Shop, examples: list[dict[str, Any]]
) -> None:
    # 12 S in Stockholm for B2B: 14 leaves 2 back-ordered for the delivery to fill.
    number = b2b.send(
        "POST",
        "/order",
        {
            "accountId": shop.account,
            "buyerId": shop.buyer,
            "forceCreate": True,
            "products": [{"ean": EAN_S, "qty": 14}],
        },
    )["orders"][0]
    supplier = api.call(suppliers.create_supplier, "Falca", "ES")
    delivery = api.call(
        suppliers.create_supplier_order,
        supplier.id,
        world.stockholm,
        [suppliers.OrderLineSpec(world.small, 4, Decimal("9.40"), world.currency)],
        eta=datetime(2030, 1, 1, tzinfo=UTC),
    )
    plugin, secret = api.call(
        lambda db: integration.create_plugin(
            db,
            store_id=shop.store,
            plugin_type="order",
            uri="inbound-b2b",
            settings={
                "markets": [shop.market],
                "primary_warehouse": world.stockholm,
                "supplier_delivery_warehouse": world.stockholm,
            },
        )
    )
    inbound = Wms(api, world, plugin.base, secret)
    details = inbound.get(f"/supplier-deliveries/{delivery.id}-1/details")
    [reserving] = details["delivery"]["orders"]
    assert reserving["orderId"] == str(number)
    assert (reserving["accountId"], reserving["accountName"], reserving["buyer"]) == (
        str(shop.account),
        "Internal ROW",
        "Internal ROW, John Doe",
    )
    assert (reserving["paymentTerms"], reserving["shippingTerms"]) == ("30 Net", "Ex. Works")
    documented = find(examples, "505.get-supplier-delivery-details", "Response example")
    assert missing_fields(documented, details) == []


@pytest.mark.parametrize(
    ("body", "code", "msg"),
    [
        ({}, -4, {"accountId": "required for a wholesale order"}),
        ({"accountId": 999999}, -4, {"accountId": "account 999999 not found"}),
        ({"accountId": "abc"}, -4, None),
        (
            {"accountId": "ACCOUNT", "buyerId": "OTHER_BUYER"},
            -4,
            {"buyerId": "buyer OTHER_BUYER does not belong to account ACCOUNT"},
        ),
        ({"buyerId": 999999}, -4, {"buyerId": "buyer 999999 not found"}),
        ({"accountId": "INACTIVE"}, -4, {"accountId": "account INACTIVE is inactive"}),
    ],
)
def test_bad_b2b_input_is_refused_and_changes_nothing(
    b2b: Wms, shop: Shop, body: dict[str, Any], code: int, msg: Any
) -> None:
    names = {"ACCOUNT": shop.account, "OTHER_BUYER": shop.other_buyer, "INACTIVE": shop.other_account}
    if body.get("accountId") == "INACTIVE":
        b2b.api.call(
            wholesale.update_account, shop.other_account, wholesale.AccountInput(status=AccountStatus.INACTIVE)
        )
    sent = {key: names.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    if isinstance(msg, dict):
        msg = {key: " ".join(str(names.get(word, word)) for word in text.split(" ")) for key, text in msg.items()}
    before = b2b.api.call(_counts)
    stock = b2b.levels(b2b.world.stockholm, b2b.world.small)
    refused = b2b.send(
        "POST",
        "/order",
        {**sent, "address": {"email": "x@example.com", "country": "SE"}, "products": [{"ean": EAN_S, "qty": 1}]},
    )
    assert (refused["status"], refused["code"]) == ("no", code), refused
    if msg is not None:
        assert refused["msg"] == msg
    assert b2b.api.call(_counts) == before
    assert b2b.levels(b2b.world.stockholm, b2b.world.small) == stock


def test_a_retail_store_refuses_an_account(wms: Wms, shop: Shop) -> None:
    before = wms.api.call(_counts)
    refused = wms.send(
        "POST",
        "/order",
        {
            "accountId": shop.account,
            "address": {"email": "x@example.com", "country": "SE"},
            "products": [{"ean": EAN_S, "qty": 1}],
        },
    )
    assert refused == {
        "status": "no",
        "code": -4,
        "msg": {"accountId": "accountId and buyerId are for wholesale stores only"},
    }
    assert wms.api.call(_counts) == before


def test_an_account_of_another_store_is_not_found(api: ApiHarness, b2b: Wms, shop: Shop) -> None:
    async def elsewhere(db: Database) -> int:
        store = await stores.create_store(db, "Wholesale 2", type=StoreType.WHOLESALE)
        market = await stores.create_market(db, store.id, "B2B 2")
        return (await wholesale.create_account(db, wholesale.AccountInput(name="Theirs", market_id=market.id))).id

    theirs = api.call(elsewhere)
    refused = b2b.send(
        "POST",
        "/order",
        {
            "accountId": theirs,
            "address": {"email": "x@example.com", "country": "SE"},
            "products": [{"ean": EAN_S, "qty": 1}],
        },
    )
    assert refused["msg"] == {"accountId": f"account {theirs} not found"}


def test_without_address_a_b2b_order_needs_a_buyer_with_one(b2b: Wms, shop: Shop) -> None:
    refused = b2b.send("POST", "/order", {"accountId": shop.account, "products": [{"ean": EAN_S, "qty": 1}]})
    assert refused["status"] == "no" and refused["code"] == -4, refused
