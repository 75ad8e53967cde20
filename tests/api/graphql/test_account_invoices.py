"""``Account.invoices``/``returns``/``allocationRule``, and ``Invoice``'s 2021 fields and filters (both backends)."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders
from tests.api.graphql.test_queries import counted_statements
from tests.api.graphql.test_wholesale import _create_account, _place_for


def _billed_account(api: Any, gql: GraphQLClient, world: World, name: str) -> tuple[int, int, int]:
    """An account with one wholesale order, shipped and captured: ``(account id, shipment id, shipment line id)``."""
    account = _create_account(gql, world, name=name)["account"]
    buyer = gql.query(
        f'mutation {{ createBuyer(input: {{account: {{id: {account["id"]}}}, billingAddress: {{email: "b{account["id"]}@example.com"}}}}) {{ buyer {{ id }} }} }}'
    )["data"]["createBuyer"]["buyer"]
    order_id = api.call(add_orders, world, 1, store_id=world.wholesale_store_id)[0]
    api.call(_place_for, order_id, account["id"], buyer["id"])
    order = gql.query(f'{{ order(id: "{order_id:032x}") {{ id lines {{ id quantity }} }} }}')["data"]["order"]
    lines = [{"orderLine": {"id": line["id"]}, "quantity": line["quantity"]} for line in order["lines"]]
    created = gql.query(
        "mutation ($input: ShipmentCreateInput!) { createShipment(input: $input) { shipment { id lines { id } } userErrors { message } userWarnings { message } } }",
        {
            "input": {
                "order": {"id": order["id"]},
                "lines": lines,
                "capture": True,
                "shippedAt": "2023-01-09T15:18:33+01:00",
            }
        },
    )["data"]["createShipment"]
    assert created["userErrors"] == [] and created["userWarnings"] == [], created
    shipment = created["shipment"]
    return account["id"], shipment["id"], shipment["lines"][0]["id"]


ACCOUNT_DOCUMENTS = """{
  accounts(sort: [id_ASC]) {
    id
    allocationRule { name }
    invoices(sort: [id_DESC]) { id number type grandTotal { value } store { id } orders { id } shipments { id } }
    returns { id }
  }
}"""


def test_an_account_lists_its_invoices_and_returns(api: Any, gql: GraphQLClient, world: World) -> None:
    account_id, shipment_id, line_id = _billed_account(api, gql, world, "Alpha")
    other_id, _, _ = _billed_account(api, gql, world, "Beta")
    body = gql.query(ACCOUNT_DOCUMENTS)["data"]["accounts"]
    first = next(a for a in body if a["id"] == account_id)
    assert first["allocationRule"] == {"name": "Main only"}
    [invoice] = first["invoices"]
    assert invoice["id"] == shipment_id and invoice["type"] == "INVOICE"
    assert invoice["store"] == {"id": world.wholesale_store_id}
    assert invoice["shipments"] == [{"id": shipment_id}] and len(invoice["orders"]) == 1
    assert invoice["grandTotal"]["value"] > 0
    assert first["returns"] == []
    assert len(next(a for a in body if a["id"] == other_id)["invoices"]) == 1

    created = gql.query(
        "mutation ($s: Int!, $l: Int!) { createReturn(input: {shipment: {id: $s}, lines: [{shipmentLine: {id: $l}, quantity: 1}], returnStockActionPolicy: {removeItemsFromStock: true}}) { return { id } userErrors { message } } }",
        {"s": shipment_id, "l": line_id},
    )["data"]["createReturn"]
    assert created["userErrors"] == []
    returns = gql.query(
        "query ($s: [ReturnSort!]) { accounts { id returns(sort: $s, limit: 1) { id } } }", {"s": ["id_DESC"]}
    )["data"]["accounts"]
    assert {a["id"]: a["returns"] for a in returns} == {account_id: [created["return"]], other_id: []}

    # The invoice filters: by number (one string is a list of one) and by type.
    number = gql.query(f"{{ invoices(where: {{id: [{shipment_id}]}}) {{ number }} }}")["data"]["invoices"][0]["number"]
    by_number = gql.query("query ($n: [String!]) { invoices(where: {number: $n}) { id } }", {"n": [number]})
    assert by_number["data"]["invoices"] == [{"id": shipment_id}]
    assert gql.query(f'{{ invoices(where: {{number: "{number}"}}) {{ id }} }}')["data"]["invoices"] == [
        {"id": shipment_id}
    ]
    assert gql.query("{ invoices(where: {type: CREDIT_NOTE}) { id } }")["data"]["invoices"] == []
    assert len(gql.query("{ invoices(where: {type: [INVOICE]}) { id } }")["data"]["invoices"]) == 2
    filtered = gql.query(f'{{ accounts {{ id invoices(where: {{number: ["{number}"]}}) {{ id }} }} }}')["data"][
        "accounts"
    ]
    assert {a["id"]: a["invoices"] for a in filtered} == {account_id: [{"id": shipment_id}], other_id: []}


def test_account_documents_need_their_permissions(api: Any, gql: GraphQLClient, world: World) -> None:
    _billed_account(api, gql, world, "Alpha")
    token = gql.token(["Account:read"])
    body = gql.post("{ accounts { id invoices { id } } }", token=token).json()
    assert body["errors"][0]["message"] == "You need Invoice:read permission to access invoices."
    body = gql.post("{ accounts { id returns { id } } }", token=token).json()
    assert body["errors"][0]["message"] == "You need Return:read permission to access returns."
    body = gql.post("{ accounts { id allocationRule { id } } }", token=token).json()
    assert body["data"]["accounts"][0]["allocationRule"] is None
    assert body["errors"][0]["message"] == "You need AllocationRule:read permission to access allocationRule."


def test_account_documents_cost_the_same_statements_for_two_accounts_or_six(
    api: Any, gql: GraphQLClient, world: World
) -> None:
    for name in ("A", "B"):
        _billed_account(api, gql, world, name)
    with counted_statements(api) as few:
        small = gql.query(ACCOUNT_DOCUMENTS)
    for name in ("C", "D", "E", "F"):
        _billed_account(api, gql, world, name)
    with counted_statements(api) as many:
        large = gql.query(ACCOUNT_DOCUMENTS)
    assert len(small["data"]["accounts"]) == 2 and len(large["data"]["accounts"]) == 6
    assert all(len(a["invoices"]) == 1 for a in large["data"]["accounts"])
    assert len(many) == len(few), "\n".join(many)
