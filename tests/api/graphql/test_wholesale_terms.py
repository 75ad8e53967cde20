"""Wholesale terms over GraphQL, the account's terms on orders, and allocations' stock changes (both backends)."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

import pytest
from graphql import print_ast
from sqlalchemy import update
from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders
from tests.api.graphql.test_conformance import FIXTURES, _examples, _operation_alone

from opencentra.db.engine import Database
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.orders.models import Order

TERMS = "id name description dueDays"


def _terms(gql: GraphQLClient, kind: str, **input: Any) -> dict[str, Any]:
    field = "paymentTerms" if kind == "Payment" else "shippingTerms"
    body = gql.query(
        f"mutation ($input: TermsCreateInput!) {{ create{kind}Terms(input: $input) {{ {field} {{ {TERMS} }} userErrors {{ message path }} }} }}",
        {"input": input},
    )
    payload: dict[str, Any] = body["data"][f"create{kind}Terms"]
    return payload


def _representative(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    body = gql.query(
        "mutation ($input: SalesRepresentativeCreateInput!) { createSalesRepresentative(input: $input) { salesRepresentative { id name email commissionPercent } userErrors { message path } } }",
        {"input": input},
    )
    payload: dict[str, Any] = body["data"]["createSalesRepresentative"]
    return payload


ACCOUNT_TERMS = """id name salesRepresentative { id email name commissionPercent } paymentTerms { id description }
  shippingTerms { id description } carrierInformation { carrierName serviceName accountIdentifier taxId } websiteUrl"""


def _account(gql: GraphQLClient, world: World, **extra: Any) -> dict[str, Any]:
    body = gql.query(
        f"mutation ($input: AccountCreateInput!) {{ createAccount(input: $input) {{ account {{ {ACCOUNT_TERMS} }} userErrors {{ message path }} }} }}",
        {"input": {"name": "Shop", "market": {"id": world.wholesale_market_id}, **extra}},
    )
    payload: dict[str, Any] = body["data"]["createAccount"]
    return payload


def _setup(gql: GraphQLClient, world: World) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    net30 = _terms(gql, "Payment", name="30 Net", description="Thirty days net", dueDays=30)["paymentTerms"]
    works = _terms(gql, "Shipping", name="Ex. Works", description="From our door")["shippingTerms"]
    rep = _representative(gql, name="Rita", email="rita@example.com", commissionPercent=12.5)["salesRepresentative"]
    account = _account(
        gql,
        world,
        paymentTerms={"id": net30["id"]},
        shippingTerms={"id": works["id"]},
        salesRepresentative={"id": rep["id"]},
        carrierInformation={"carrierName": "DHL", "serviceName": "Express", "accountIdentifier": "A-1", "taxId": "SE1"},
        websiteUrl="https://shop.example",
    )
    assert account["userErrors"] == []
    return net30, works, rep, account["account"]


def test_terms_and_representatives_are_created_listed_and_updated(gql: GraphQLClient, world: World) -> None:
    net30, works, rep, account = _setup(gql, world)
    assert net30 == {"id": net30["id"], "name": "30 Net", "description": "Thirty days net", "dueDays": 30}
    assert rep == {"id": rep["id"], "name": "Rita", "email": "rita@example.com", "commissionPercent": 12.5}
    assert account["salesRepresentative"] == rep
    assert account["paymentTerms"] == {"id": net30["id"], "description": "Thirty days net"}
    assert account["shippingTerms"] == {"id": works["id"], "description": "From our door"}
    assert account["carrierInformation"] == {
        "carrierName": "DHL",
        "serviceName": "Express",
        "accountIdentifier": "A-1",
        "taxId": "SE1",
    }
    body = gql.query(
        f"""mutation {{
          updatePaymentTerms(id: {net30["id"]}, input: {{dueDays: 45}}) {{ paymentTerms {{ dueDays name }} userErrors {{ message }} }}
          updateShippingTerms(id: {works["id"]}, input: {{name: "FOB"}}) {{ shippingTerms {{ name }} userErrors {{ message }} }}
          updateSalesRepresentative(id: {rep["id"]}, input: {{commissionPercent: 10}}) {{ salesRepresentative {{ commissionPercent }} userErrors {{ message }} }}
          updateAccount(id: {account["id"]}, input: {{paymentTerms: {{id: 0}}}}) {{ account {{ paymentTerms {{ id }} shippingTerms {{ id }} }} userErrors {{ message }} }}
        }}"""
    )["data"]
    assert body["updatePaymentTerms"] == {"paymentTerms": {"dueDays": 45, "name": "30 Net"}, "userErrors": []}
    assert body["updateShippingTerms"]["shippingTerms"] == {"name": "FOB"}
    assert body["updateSalesRepresentative"]["salesRepresentative"] == {"commissionPercent": 10.0}
    assert body["updateAccount"]["account"] == {"paymentTerms": None, "shippingTerms": {"id": works["id"]}}
    listed = gql.query(
        f"{{ paymentTerms {{ id }} shippingTerms(where: {{id: [{works['id']}]}}) {{ name }} salesRepresentatives(limit: 1) {{ name }} }}"
    )["data"]
    assert listed == {
        "paymentTerms": [{"id": net30["id"]}],
        "shippingTerms": [{"name": "FOB"}],
        "salesRepresentatives": [{"name": "Rita"}],
    }


def test_bad_input_gives_user_errors_and_changes_nothing(gql: GraphQLClient, world: World) -> None:
    net30, works, _, account = _setup(gql, world)
    refused = _terms(gql, "Payment", name="Bad", dueDays=-1)
    assert refused == {
        "paymentTerms": None,
        "userErrors": [{"message": "dueDays is 0-3650", "path": ["input", "dueDays"]}],
    }
    refused = _representative(gql, name="R", commissionPercent=101)
    assert refused["userErrors"][0]["path"] == ["input", "commissionPercent"]
    body = gql.query(
        f"""mutation {{
          updateAccount(id: {account["id"]}, input: {{name: "Renamed", salesRepresentative: {{id: 999}}}}) {{ account {{ id }} userErrors {{ message path }} }}
          updatePaymentTerms(id: 999, input: {{name: "X"}}) {{ paymentTerms {{ id }} userErrors {{ message path }} }}
          updateShippingTerms(id: {works["id"]}, input: {{name: ""}}) {{ shippingTerms {{ id }} userErrors {{ message path }} }}
        }}"""
    )["data"]
    assert body["updateAccount"] == {
        "account": None,
        "userErrors": [
            {"message": "Could not find SalesRepresentative with ID 999", "path": ["input", "salesRepresentative"]}
        ],
    }
    assert body["updatePaymentTerms"]["userErrors"] == [
        {"message": "Could not find PaymentTerms with ID 999", "path": ["id"]}
    ]
    assert body["updateShippingTerms"]["userErrors"][0]["path"] == ["input", "name"]
    after = gql.query(
        "{ accounts { name salesRepresentative { name } } paymentTerms { name } shippingTerms { name } salesRepresentatives { name } }"
    )["data"]
    assert after == {
        "accounts": [{"name": "Shop", "salesRepresentative": {"name": "Rita"}}],
        "paymentTerms": [{"name": net30["name"]}],
        "shippingTerms": [{"name": "Ex. Works"}],
        "salesRepresentatives": [{"name": "Rita"}],
    }


def test_new_fields_need_their_permissions(gql: GraphQLClient, world: World) -> None:
    for permission, document in [
        ("PaymentTerms:write", 'mutation { createPaymentTerms(input: {name: "A"}) { userErrors { message } } }'),
        ("PaymentTerms:write", 'mutation { updatePaymentTerms(id: 1, input: {name: "A"}) { userErrors { message } } }'),
        ("ShippingTerms:write", 'mutation { createShippingTerms(input: {name: "A"}) { userErrors { message } } }'),
        (
            "ShippingTerms:write",
            'mutation { updateShippingTerms(id: 1, input: {name: "A"}) { userErrors { message } } }',
        ),
        (
            "SalesRepresentative:write",
            'mutation { createSalesRepresentative(input: {name: "A"}) { userErrors { message } } }',
        ),
        (
            "SalesRepresentative:write",
            'mutation { updateSalesRepresentative(id: 1, input: {name: "A"}) { userErrors { message } } }',
        ),
        ("PaymentTerms:read", "{ paymentTerms { id } }"),
        ("ShippingTerms:read", "{ shippingTerms { id } }"),
        ("SalesRepresentative:read", "{ salesRepresentatives { id } }"),
    ]:
        token = gql.token([p for p in ALL_PERMISSIONS if p != permission])
        body = gql.post(document, token=token).json()
        assert body["errors"][0]["message"].startswith(f"You need {permission} permission"), body
        assert body["errors"][0]["extensions"] == {"category": "authorization"}
    assert gql.query("{ paymentTerms { id } shippingTerms { id } salesRepresentatives { id } }")["data"] == {
        "paymentTerms": [],
        "shippingTerms": [],
        "salesRepresentatives": [],
    }
    # An account's terms need their own read permissions besides Account:read.
    _setup(gql, world)
    body = gql.post(
        "{ accounts { name paymentTerms { id } shippingTerms { id } salesRepresentative { id } carrierInformation { carrierName } } }",
        token=gql.token(["Account:read"]),
    ).json()
    assert sorted(e["message"] for e in body["errors"]) == [
        "You need PaymentTerms:read permission to access paymentTerms.",
        "You need SalesRepresentative:read permission to access salesRepresentative.",
        "You need ShippingTerms:read permission to access shippingTerms.",
    ]
    assert body["data"]["accounts"][0]["carrierInformation"] == {"carrierName": "DHL"}


async def _order_for(db: Database, order_id: int, account_id: int) -> None:
    async with db.write() as session:
        await session.execute(update(Order).where(Order.id == order_id).values(account_id=account_id))


@pytest.mark.skipif(not FIXTURES.exists(), reason="Centra's examples are not available")
def test_fetching_all_the_data_example_runs(api: Any, gql: GraphQLClient, world: World) -> None:
    _, _, rep, account = _setup(gql, world)
    window = gql.query(
        f"""mutation {{ createDeliveryWindow(input: {{name: "Spring", markets: [{{id: {world.wholesale_market_id}}}],
              preorder: {{deliveryDateRange: {{from: "2027-01-01", to: "2027-02-01"}}}}}}) {{ deliveryWindow {{ id }} userErrors {{ message path }} }} }}"""
    )["data"]["createDeliveryWindow"]
    assert window["userErrors"] == []
    window_id = window["deliveryWindow"]["id"]
    gql.query(
        f"mutation {{ setDeliveryWindowVariants(input: {{deliveryWindow: {{id: {window_id}}}, variants: [{{productVariant: {{id: {world.variant_id}}}, type: PREORDER}}]}}) {{ userErrors {{ message }} }} }}"
    )
    order_id = api.call(add_orders, world, 1, store_id=world.wholesale_store_id)[0]
    api.call(_order_for, order_id, account["id"])
    example = next(e for e in _examples() if e.where.endswith("/ Fetching ALL the data"))
    body = gql.query(print_ast(_operation_alone(example)), {"page": 1})
    wholesale = [o for o in body["data"]["orders"] if o["store"]["type"] == "WHOLESALE"]
    assert len(wholesale) == 1
    order = wholesale[0]
    assert order["account"]["salesRepresentative"] == rep
    assert order["account"]["paymentTerms"]["description"] == "Thirty days net"
    assert order["account"]["carrierInformation"]["accountIdentifier"] == "A-1"
    assert order["deliveryWindows"] == [
        {
            "id": window_id,
            "name": "Spring",
            "__typename": "PreorderDeliveryWindow",
            "deliveryStartDate": order["deliveryWindows"][0]["deliveryStartDate"],
            "deliveryEndDate": order["deliveryWindows"][0]["deliveryEndDate"],
        }
    ]
    line = order["lines"][0]
    assert line["productSize"]["preorder"] is True
    assert line["brand"] is None  # the world's product has no brand
    assert order["paymentMethod"] is None


def test_allocations_name_the_stock_change_that_made_them(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 2)
    body = gql.query(
        "{ orders { lines { quantity allocations { quantity stockChangeLine { id deliveredQuantity freeToAllocateQuantity } } } } }"
    )
    orders = body["data"]["orders"]
    changes = gql.query("{ stockChangeConnection(first: 50) { edges { node { id lines { allocatedQuantity } } } } }")[
        "data"
    ]["stockChangeConnection"]["edges"]
    change_ids = {edge["node"]["id"] for edge in changes}
    seen = []
    for order in orders:
        for line in order["lines"]:
            [allocation] = line["allocations"]
            change = allocation["stockChangeLine"]
            assert change is not None and change["id"] in change_ids
            assert change["deliveredQuantity"] == 0
            seen.append((line["quantity"], change["freeToAllocateQuantity"], change["id"]))
    # Two orders of 1 S and 2 L each on 100 of each: each allocation shows what was left after it.
    assert sorted((q, free) for q, free, _ in seen) == [(1, 98), (1, 99), (2, 96), (2, 98)]
    assert len({change_id for _, _, change_id in seen}) == 4
    refused = gql.post(
        "{ orders { lines { allocations { quantity stockChangeLine { id } } } } }",
        token=gql.token([p for p in ALL_PERMISSIONS if p != "StockChange:read"]),
    ).json()
    assert refused["errors"][0]["message"] == "You need StockChange:read permission to access stockChangeLine."
    assert refused["data"]["orders"][0]["lines"][0]["allocations"][0]["quantity"] >= 1


def test_the_unallocate_example_shows_stock_change_lines(api: Any, gql: GraphQLClient, world: World) -> None:
    [order_id] = api.call(add_orders, world, 1)
    number = gql.query("{ orders { number lines { id } } }")["data"]["orders"][0]
    body = gql.query(
        f"""mutation {{ unallocateOrder(input: {{ order: {{number: {number["number"]}}} unallocate: [{{orderLine: {{id: {number["lines"][1]["id"]}}}, quantity: 1}}]
              warehouses: [{{id: {world.warehouse_id}}}] stockActionPolicy: {{ releaseItemsBackToWarehouse: true }} }}) {{
              userErrors {{ message path }} userWarnings {{ message path }}
              order {{ id number lines {{ id quantity allocations {{ id quantity warehouse {{ id name }} stockChangeLine {{ id deliveredQuantity freeToAllocateQuantity }} }} }} }} }} }}"""
    )["data"]["unallocateOrder"]
    assert body["userErrors"] == []
    lines = body["order"]["lines"]
    assert all(a["stockChangeLine"] is not None for line in lines for a in line["allocations"])
    assert order_id


def test_order_fields_of_the_example_need_their_permissions(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1, store_id=world.wholesale_store_id)
    document = """{ orders { number lines { brand { id } productSize { preorder } }
                   discountsApplied { ... on AppliedDiscount { discount { id } } }
                   ... on WholesaleOrder { deliveryWindows { id } } paymentMethod { uri } } }"""
    needed = ["Order:read", "Brand:read", "DeliveryWindow:read", "ProductSize:read"]
    for permission, field in [("Brand:read", "brand"), ("DeliveryWindow:read", "deliveryWindows")]:
        body = gql.post(document, token=gql.token([p for p in needed if p != permission])).json()
        assert {e["message"] for e in body["errors"]} == {f"You need {permission} permission to access {field}."}
    # With them, everything answers; the order has no discount, so no voucher is asked for.
    allowed = gql.query(document, token=gql.token(needed))
    [order] = allowed["data"]["orders"]
    assert order["deliveryWindows"] == [] and order["paymentMethod"] is None
    assert {line["productSize"]["preorder"] for line in order["lines"]} == {False}


def test_terms_changes_are_in_the_outbox(api: Any, gql: GraphQLClient, world: World) -> None:
    _setup(gql, world)

    async def kinds(db: Database) -> list[tuple[str, str]]:
        from sqlalchemy import select

        from opencentra.events.models import Event

        async with db.read() as session:
            rows = await session.execute(
                select(Event.object_type, Event.action)
                .where(Event.object_type.in_(["paymentterm", "shippingterm", "salesrep", "account"]))
                .order_by(Event.id)
            )
            return [(row[0], row[1]) for row in rows]

    assert api.call(kinds) == [
        ("paymentterm", "created"),
        ("shippingterm", "created"),
        ("salesrep", "created"),
        ("account", "created"),
    ]


def test_the_applied_discounts_voucher_needs_voucher_read(api: Any, gql: GraphQLClient, world: World) -> None:
    from dataclasses import replace

    from tests.api.graphql.gqlkit import order_draft

    from opencentra import orders

    api.call(orders.create_order, replace(order_draft(world), discount_minor=1000))
    document = "{ orders { discountsApplied { value { value } ... on AppliedDiscount { discount { id name } } } } }"
    refused = gql.post(document, token=gql.token(["Order:read"])).json()
    assert refused["errors"][0]["message"] == "You need Voucher:read permission to access discount."
    # No selection carried a voucher: the discount is there, its voucher unknown.
    body = gql.query(document, token=gql.token(["Order:read", "Voucher:read"]))
    assert body["data"]["orders"][0]["discountsApplied"] == [{"value": {"value": 10.0}, "discount": None}]
