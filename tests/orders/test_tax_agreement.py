"""Every API reports an order's tax and totals from the one rule (issue 10).

Orders are placed as a shopper places them (the Checkout API, whose answer
is the receipt), then read through the Order API (GET /orders) and GraphQL.
They must print the same tax, per order, per rate and per line, and the
figures must be the rule's: VAT rounded half up once per rate on what the
order charges at that rate (``opencentra.stores.tax.document_vat``).
"""

# GraphQL documents read best on one line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select
from tests.api.checkout.conftest import Browser, pay_body
from tests.api.graphql.gqlkit import GraphQLClient
from tests.conftest import ApiHarness

from opencentra import orders
from opencentra.catalog import brands, displays, products, sizes
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.inventory import services as inventory
from opencentra.orders.models import Order
from opencentra.pricing import prices, vouchers
from opencentra.stores import services as stores
from opencentra.stores.models import PaymentBehaviour
from opencentra.stores.tax import document_vat, vat_contained

ORDER_API = "/api/wms"


# --- the rule itself -------------------------------------------------------------------


def test_the_rule_on_its_own() -> None:
    cents = Decimal("0.03")
    two = document_vat({1: (cents, 2000), 2: (cents, 2000)}, Decimal("0.06"), 2)
    assert (two.vat, dict(two.lines)) == (Decimal("0.01"), {1: Decimal("0.01"), 2: Decimal("0.00")})
    # Shipping with no items to share it over carries no VAT.
    assert document_vat({1: (Decimal(0), 2500)}, Decimal(49), 2).vat == 0
    assert document_vat({}, Decimal(49), 2).vat == 0


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**7), st.sampled_from([0, 600, 1200, 2000, 2500])),
        min_size=1,
        max_size=8,
    ),
    rest=st.integers(min_value=-(10**7), max_value=10**6),
    decimals=st.sampled_from([0, 2, 3]),
)
def test_the_rule_adds_up(lines: list[tuple[int, int]], rest: int, decimals: int) -> None:
    def money(minor: int) -> Decimal:
        return Decimal(minor).scaleb(-decimals)

    items = sum(minor for minor, _rate in lines)
    total = max(items + rest, 0)
    vat = document_vat({key: (money(minor), rate) for key, (minor, rate) in enumerate(lines)}, money(total), decimals)
    # Lines add up to the items' VAT of their rate, which is rounded once.
    for part in vat.items.parts:
        shares = [vat.lines[key] for key, (_m, rate) in enumerate(lines) if rate == part.rate_bp]
        assert sum(shares, Decimal(0)) == part.vat
        assert part.vat == vat_contained(part.gross, part.rate_bp, decimals)
    # The document's VAT is its rates' VAT; the rates' totals are what it charges.
    assert vat.vat == sum((part.vat for part in vat.total.parts), Decimal(0))
    if items:
        assert vat.total.gross == money(total)
        assert all(part.gross >= 0 for part in vat.total.parts)
    if len({rate for _m, rate in lines}) == 1 and items:
        assert vat.vat == vat_contained(money(total), lines[0][1], decimals)


# --- the APIs agree ----------------------------------------------------------------------


@dataclass(frozen=True)
class TaxShop:
    store: int
    market: int
    pricelist: int
    currency: int
    warehouse: int
    # Checkout item ids ("<display item>-<product size>") and product sizes, by name.
    items: dict[str, str]
    size_ids: dict[str, int]
    order_api_secret: str


# name, price (SEK, VAT included), VAT rate, sizes
CATALOGUE = (
    ("tiny", "0.03", 2000, ("S", "M")),
    ("coat", "199.00", 2500, ("S",)),
    ("jam", "39.90", 1200, ("S",)),
    ("book", "129.00", 600, ("S",)),
)


async def build_tax_shop(db: Database) -> TaxShop:
    async with db.atomic() as tx:
        currency = await stores.ensure_currency(tx, "SEK", "Swedish krona", suffix=" SEK")
        await stores.ensure_country(tx, "SE", "Sweden", eu=True)
        warehouse = await stores.create_warehouse(tx, "Main")
        rule = await stores.create_allocation_rule(tx, "Main only", [warehouse.id])
        store = await stores.create_store(tx, "Tax Shop", autoconfirm_orders=True)
        market = await stores.create_market(
            tx, store.id, "Sweden", countries=["SE"], allocation_rule_id=rule.id, make_default=True
        )
        pricelist = await stores.create_pricelist(tx, store.id, "SEK", "SEK", countries=["SE"], make_default=True)
        # The first method is the selection's default.
        for sort, (name, price) in enumerate((("Pickup", "0"), ("Standard", "49"))):
            await stores.create_shipping_method(
                tx,
                store.id,
                name,
                uri=name.lower(),
                countries=["SE"],
                sort_order=sort,
                prices=[stores.ShippingPriceInput(pricelist.id, Decimal(price))],
            )
        await stores.create_payment_method(
            tx, store.id, "Test Card", "test-card", market_ids=[market.id], behaviour=PaymentBehaviour.SUCCESS
        )
        await vouchers.create_voucher(
            tx, vouchers.VoucherSpec(store_id=store.id, name="Welcome 10%", code="WELCOME10", percent_off_bp=1000)
        )
        chart = await sizes.create_size_chart(tx, "Letters", ("S", "M"))
        brand = await brands.create_brand(tx, "Northbound")
        items: dict[str, str] = {}
        size_ids: dict[str, int] = {}
        for name, price, rate_bp, size_names in CATALOGUE:
            group = await stores.ensure_tax_group(tx, f"VAT {rate_bp}")
            await stores.set_tax_rule(tx, group.id, "SE", rate_bp)
            chosen = [s for s in chart.sizes if s.name in size_names]
            product = await products.create_product(
                tx,
                ProductSpec(
                    name=name.title(),
                    product_number=name.upper(),
                    size_chart_id=chart.id,
                    brand_id=brand.id,
                    tax_group_id=group.id,
                    variants=[VariantSpec("Plain", "-P", [SizeSpec(size_id=s.id, sku=f"-{s.name}") for s in chosen])],
                ),
            )
            variant = product.variants[0]
            display = await displays.create_display(
                tx,
                displays.DisplaySpec(
                    store_id=store.id, product_id=product.id, name=name.title(), variant_ids=[variant.id],
                    market_ids=[market.id],
                ),
            )  # fmt: skip
            await prices.set_prices(tx, pricelist.id, [prices.PriceSpec(variant.id, Decimal(price))])
            for product_size, size in zip(variant.sizes, chosen, strict=True):
                items[f"{name}-{size.name}"] = f"{display.items[0].id}-{product_size.id}"
                size_ids[f"{name}-{size.name}"] = product_size.id
                await inventory.set_physical(tx, warehouse.id, product_size.id, 100)
    await integration.create_plugin(
        db,
        store_id=store.id,
        plugin_type="checkout",
        uri="checkout",
        settings={"allowed_origins": [], "frontend_url": "https://shop.example"},
    )
    _, secret = await integration.create_plugin(
        db,
        store_id=store.id,
        plugin_type="order",
        uri="wms",
        settings={"markets": [market.id], "primary_warehouse": warehouse.id, "allow_order_create": True},
    )
    return TaxShop(store.id, market.id, pricelist.id, currency.id, warehouse.id, items, size_ids, secret)


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENCENTRA_CHECKOUT_CACHE_SECONDS", "0")


@pytest.fixture
def tax_shop(api: ApiHarness) -> TaxShop:
    return api.call(build_tax_shop)


@dataclass(frozen=True)
class Reported:
    """One order as the three APIs print it."""

    selection: dict[str, Any]
    receipt: dict[str, Any]
    order_api: dict[str, Any]
    graphql: dict[str, Any]


def _place(
    api: ApiHarness, shop: TaxShop, lines: dict[str, int], *, shipping: str | None = None, voucher: str | None = None
) -> Reported:
    browser = Browser(api.client)
    browser.put("/countries/SE")
    for name, quantity in lines.items():
        assert browser.post(f"/items/{shop.items[name]}/quantity/{quantity}").status_code == 200
    if shipping is not None:
        assert browser.put(f"/shipping-methods/{shipping}").status_code == 200
    if voucher is not None:
        assert browser.post("/vouchers", {"voucher": voucher}).status_code == 200
    selection = browser.get("/selection").json()["selection"]
    paid = browser.post("/payment", pay_body("test-card"))
    assert paid.status_code == 200, paid.text
    receipt = paid.json()["order"]
    assert browser.get("/receipt").json()["order"] == receipt
    order_api, graphql = _read(api, shop, int(receipt["order"]))
    return Reported(selection, receipt, order_api, graphql)


def _read(api: ApiHarness, shop: TaxShop, number: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """One order as the Order API and GraphQL print it."""
    listed = api.client.get(
        f"{ORDER_API}/orders", params={"order": number}, headers={"API-Authorization": shop.order_api_secret}
    )
    assert listed.status_code == 200, listed.text
    (order_api,) = listed.json()["orders"]
    found = GraphQLClient(api).query(
        """query ($number: Int!) { orders(where: {number: $number}) {
             grandTotal { value }
             totals { itemsTotal { value } shipping { value } handling { value } discounts { value } taxIncluded { value } grandTotal { value } }
             lines { id quantity taxPercent lineValue { value } excl: lineValue(includingTax: false) { value } } } }""",
        {"number": number},
    )["data"]["orders"]
    (graphql,) = found
    return order_api, graphql


def _dec(value: Any) -> Decimal:
    """A JSON number as the exact decimal it prints (floats print their shortest repr)."""
    return Decimal(str(value))


def _assert_agreement(reported: Reported) -> None:
    receipt_totals = reported.receipt["totals"]
    order_api = reported.order_api
    gql_totals = reported.graphql["totals"]
    tax = _dec(order_api["grandTotalTaxValue"])
    # The order's tax.
    assert _dec(receipt_totals["grandTotalPriceTaxAsNumber"]) == tax
    assert _dec(gql_totals["taxIncluded"]["value"]) == tax
    assert sum((_dec(rate["value"]) for rate in order_api["taxBreakdown"]), Decimal(0)) == tax
    # What the shopper was shown before paying is what the order reports.
    assert _dec(reported.selection["totals"]["grandTotalPriceTaxAsNumber"]) == tax
    assert reported.selection["totals"]["taxPercent"] == receipt_totals["taxPercent"]
    # The totals.
    grand = _dec(order_api["grandTotalValue"])
    assert _dec(receipt_totals["grandTotalPriceAsNumber"]) == grand
    assert _dec(gql_totals["grandTotal"]["value"]) == _dec(reported.graphql["grandTotal"]["value"]) == grand
    assert (
        _dec(receipt_totals["itemsTotalPriceAsNumber"])
        == _dec(order_api["totalItemsPrice"])
        == _dec(gql_totals["itemsTotal"]["value"])
    )
    assert (
        _dec(receipt_totals["shippingPriceAsNumber"])
        == _dec(order_api["shippingValue"])
        == _dec(gql_totals["shipping"]["value"])
    )
    discount = _dec(order_api["voucherValue"])
    assert _dec(gql_totals["discounts"]["value"]) == discount
    assert -_dec(receipt_totals["totalDiscountPriceAsNumber"] or 0) == discount
    # Per line: the Order API's and GraphQL's line tax agree and add up to the items' tax.
    by_id = {str(line["id"]): line for line in reported.graphql["lines"]}
    entries = order_api["products"]
    assert sorted(by_id) == sorted(p["lineId"] for p in entries)
    for entry, item in zip(entries, reported.receipt["items"], strict=True):
        line = by_id[entry["lineId"]]
        line_tax = _dec(entry["totalTaxValue"])
        assert _dec(line["lineValue"]["value"]) - _dec(line["excl"]["value"]) == line_tax
        assert _dec(entry["totalPriceWithoutTax"]) == _dec(line["excl"]["value"])
        assert _dec(item["priceEachWithoutTaxAsNumber"]) == _dec(entry["priceEachWithoutTax"])
    items_tax = sum((_dec(p["totalTaxValue"]) for p in entries), Decimal(0))
    assert items_tax == _dec(order_api["totalItemsPriceTax"])


def _figures(reported: Reported) -> tuple[Decimal, list[tuple[Any, Decimal]], list[Decimal]]:
    """(order tax, [(rate, tax)], [line tax]) as the Order API prints them."""
    order_api = reported.order_api
    return (
        _dec(order_api["grandTotalTaxValue"]),
        [(rate["taxPercent"], _dec(rate["value"])) for rate in order_api["taxBreakdown"]],
        [_dec(p["totalTaxValue"]) for p in order_api["products"]],
    )


@contextmanager
def counted_statements(api: ApiHarness) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = api.db.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _stored_tax(db: Database, number: int) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(Order.tax_minor).where(Order.number == number)) or 0)


def test_two_lines_of_three_cents_at_twenty_percent(api: ApiHarness, tax_shop: TaxShop) -> None:
    reported = _place(api, tax_shop, {"tiny-S": 1, "tiny-M": 1})
    _assert_agreement(reported)
    # 0.06 at 20 % holds 0.01 VAT, rounded once; the first line carries it.
    assert _figures(reported) == (Decimal("0.01"), [(20, Decimal("0.01"))], [Decimal("0.01"), Decimal(0)])
    assert [_dec(p["taxValue"]) for p in reported.order_api["products"]] == [Decimal("0.01"), Decimal(0)]
    assert api.call(_stored_tax, int(reported.receipt["order"])) == 1


def test_several_rates_with_a_voucher_and_shipping(api: ApiHarness, tax_shop: TaxShop) -> None:
    reported = _place(api, tax_shop, {"coat-S": 1, "jam-S": 3, "book-S": 1}, shipping="standard", voucher="WELCOME10")
    _assert_agreement(reported)
    # Items 199.00 (25 %) + 119.70 (12 %) + 129.00 (6 %) = 447.70; 10 % off is 44.77, shipping 49.00.
    # The 4.23 beyond the items is shared by the rates' totals: 1.88, 1.13, 1.22. VAT per rate,
    # rounded once: 200.88 -> 40.18, 120.83 -> 12.95, 130.22 -> 7.37; 60.50 in all.
    assert _dec(reported.order_api["grandTotalValue"]) == Decimal("451.93")
    tax, rates, lines = _figures(reported)
    assert tax == Decimal("60.50")
    assert rates == [(6, Decimal("7.37")), (12, Decimal("12.95")), (25, Decimal("40.18"))]
    # The items alone: 39.80, 12.83 (12.825 rounds up) and 7.30.
    assert lines == [Decimal("39.80"), Decimal("12.83"), Decimal("7.30")]
    assert _dec(reported.order_api["totalItemsPriceTax"]) == Decimal("59.93")
    # Per unit of the jam: 12.83 / 3 = 4.28, so 39.90 - 4.28 each without VAT.
    assert _dec(reported.order_api["products"][1]["priceEachWithoutTax"]) == Decimal("35.62")
    # The order keeps the tax the selection was priced with.
    assert api.call(_stored_tax, int(reported.receipt["order"])) == 6050
    # The receipt's main rate is the rate of the largest share, as the selection's.
    assert reported.receipt["totals"]["taxPercent"] == 25


def test_a_whole_shipment_reports_the_order_tax(api: ApiHarness, tax_shop: TaxShop) -> None:
    reported = _place(api, tax_shop, {"coat-S": 1, "jam-S": 3, "book-S": 1}, shipping="standard", voucher="WELCOME10")
    headers = {"API-Authorization": tax_shop.order_api_secret}
    order_api = reported.order_api
    created = api.client.post(
        f"{ORDER_API}/shipments",
        json={
            "order": order_api["orderId"],
            "products": {p["lineId"]: p["qty"] for p in order_api["products"]},
            "capture": False,
        },
        headers=headers,
    )
    assert created.status_code == 200 and created.json()["status"] == "ok", created.text
    number = created.json()["shipment"]
    shipment = api.client.get(f"{ORDER_API}/shipments/{number}", headers=headers).json()["shipment"]
    assert _dec(shipment["grandTotalValue"]) == _dec(order_api["grandTotalValue"])
    assert _dec(shipment["grandTotalTaxValue"]) == _dec(order_api["grandTotalTaxValue"])
    assert shipment["taxBreakdown"] == order_api["taxBreakdown"]
    assert [p["totalTaxValue"] for p in shipment["products"]] == [p["totalTaxValue"] for p in order_api["products"]]
    found = GraphQLClient(api).query(
        "{ shipments { grandTotal { value } net: grandTotal(includingTax: false) { value } } }"
    )["data"]["shipments"]
    (gql,) = found
    assert _dec(gql["grandTotal"]["value"]) - _dec(gql["net"]["value"]) == _dec(shipment["grandTotalTaxValue"])


async def _more_orders(db: Database, shop: TaxShop, count: int) -> None:
    lines = [
        orders.LineDraft(name, 2, minor, product_size_id=shop.size_ids[f"{name}-S"], tax_bp=rate)
        for name, minor, rate in (("coat", 19_900, 2500), ("jam", 3_990, 1200), ("book", 12_900, 600))
    ]
    async with db.read() as session:
        customer = await session.scalar(select(Order.customer_id).limit(1))
    assert customer is not None
    for _ in range(count):
        await orders.create_order(
            db,
            orders.OrderDraft(
                store_id=shop.store, market_id=shop.market, pricelist_id=shop.pricelist, currency_id=shop.currency,
                customer_id=customer, email="ada@example.com", lines=lines, shipping_minor=4900, discount_minor=1234,
            ),
        )  # fmt: skip


def test_tax_fields_cost_no_query_per_order(api: ApiHarness, tax_shop: TaxShop) -> None:
    _place(api, tax_shop, {"coat-S": 1, "jam-S": 3}, shipping="standard")
    query = """{ orders(limit: 100) { number totals { taxIncluded { value } }
                 lines { excl: lineValue(includingTax: false) { value } } } }"""
    gql = GraphQLClient(api)
    with counted_statements(api) as few:
        small = gql.query(query)["data"]["orders"]
    api.call(_more_orders, tax_shop, 12)
    with counted_statements(api) as many:
        large = gql.query(query)["data"]["orders"]
    assert (len(small), len(large)) == (1, 13)
    assert len(many) == len(few), "\n".join(many)
    listed = api.client.get(
        f"{ORDER_API}/orders", params={"limit": 100}, headers={"API-Authorization": tax_shop.order_api_secret}
    )
    by_number = {int(o["orderId"]): _dec(o["grandTotalTaxValue"]) for o in listed.json()["orders"]}
    assert {o["number"]: _dec(o["totals"]["taxIncluded"]["value"]) for o in large} == by_number


# --- orders placed and changed outside the checkout keep the same tax -----------------------


def _assert_stored_is_reported(api: ApiHarness, shop: TaxShop, number: int) -> tuple[dict[str, Any], Decimal]:
    """The tax the order keeps is what the Order API and GraphQL print; (Order API order, tax)."""
    order_api, graphql = _read(api, shop, number)
    tax = _dec(order_api["grandTotalTaxValue"])
    assert _dec(graphql["totals"]["taxIncluded"]["value"]) == tax
    assert sum((_dec(rate["value"]) for rate in order_api["taxBreakdown"]), Decimal(0)) == tax
    assert _dec(graphql["grandTotal"]["value"]) == _dec(order_api["grandTotalValue"])
    assert Decimal(api.call(_stored_tax, number)).scaleb(-2) == tax
    return order_api, tax


def _insert(api: ApiHarness, shop: TaxShop, lines: dict[str, int], **extra: Any) -> int:
    body = {
        "invoiceAddress": {"country": "SE", "firstName": "Ada", "lastName": "L", "email": "ada@example.com"},
        "products": [{"qty": qty, "id": shop.size_ids[name]} for name, qty in lines.items()],
        **extra,
    }
    created = api.client.post(f"{ORDER_API}/order", json=body, headers={"API-Authorization": shop.order_api_secret})
    assert created.status_code == 200 and created.json()["status"] == "ok", created.text
    (number,) = created.json()["orders"]
    return int(number)


def test_an_order_inserted_through_the_order_api(api: ApiHarness, tax_shop: TaxShop) -> None:
    # Two lines of 0.03 at 20 %: 0.01 for the order (per line half up would say 0.02).
    order_api, tax = _assert_stored_is_reported(api, tax_shop, _insert(api, tax_shop, {"tiny-S": 1, "tiny-M": 1}))
    assert tax == Decimal("0.01")
    # Several rates, shipping and a voucher value: the figures of the same order placed in the checkout.
    number = _insert(api, tax_shop, {"coat-S": 1, "jam-S": 3, "book-S": 1}, shippingValue=49, voucherValue=44.77)
    order_api, tax = _assert_stored_is_reported(api, tax_shop, number)
    assert _dec(order_api["grandTotalValue"]) == Decimal("451.93")
    assert tax == Decimal("60.50")
    assert [_dec(p["totalTaxValue"]) for p in order_api["products"]] == [
        Decimal("39.80"),
        Decimal("12.83"),
        Decimal("7.30"),
    ]


def test_an_edited_order_is_taxed_again(api: ApiHarness, tax_shop: TaxShop) -> None:
    reported = _place(api, tax_shop, {"coat-S": 1, "jam-S": 3, "book-S": 1}, shipping="standard")
    number = int(reported.receipt["order"])
    jam = reported.graphql["lines"][1]
    edited = GraphQLClient(api).query(
        """mutation ($order: OrderRef!, $input: DirectToConsumerOrderUpdateInput!) {
             updateDirectToConsumerOrder(order: $order, input: $input) { userErrors { message path } } }""",
        {
            "order": {"number": number},
            "input": {
                "shippingCost": {"currencyIsoCode": "SEK", "value": 30.0},
                "cancelLines": [{"line": {"id": jam["id"]}, "quantity": 1}],
            },
        },
    )["data"]["updateDirectToConsumerOrder"]
    assert edited["userErrors"] == []
    # Items 199.00 + 2 x 39.90 + 129.00 = 407.80 and 30.00 shipping, shared 14.64 / 5.87 / 9.49:
    # 213.64 at 25 % -> 42.73, 85.67 at 12 % -> 9.18, 138.49 at 6 % -> 7.84.
    order_api, tax = _assert_stored_is_reported(api, tax_shop, number)
    assert _dec(order_api["grandTotalValue"]) == Decimal("437.80")
    assert tax == Decimal("59.75")
