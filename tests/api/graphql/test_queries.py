"""Query roots: shapes, filters, paging, store restriction, and no N+1."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders

ORDERS_WITH_RELATIONS = """
{
  orders(limit: 100) {
    id number status
    grandTotal { value currency { code } formattedValue }
    lines { id quantity productName unitPrice { value currency { code } } productSize { SKU description } }
    shipments { id number isShipped lines { quantity orderLine { id } } }
    ... on DirectToConsumerOrder { customer { id email firstName } }
  }
}
"""


@contextmanager
def counted_statements(api: Any) -> Iterator[list[str]]:
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


def test_orders_with_relations_issue_a_fixed_number_of_statements(api: Any, gql: GraphQLClient, world: World) -> None:
    """1 token + 1 orders + 1 per relation level, whether 2 orders or 40."""
    from opencentra import orders

    api.call(add_orders, world, 2)
    api.call(orders.create_shipment, world.order_ids[0], {api.call(_first_line, world.order_ids[0]): 1})
    with counted_statements(api) as few:
        small = gql.query(ORDERS_WITH_RELATIONS)
    api.call(add_orders, world, 38)
    for order_id in world.order_ids[1:6]:
        api.call(orders.create_shipment, order_id, {api.call(_first_line, order_id): 1})
    with counted_statements(api) as many:
        large = gql.query(ORDERS_WITH_RELATIONS)
    assert len(small["data"]["orders"]) == 2
    assert len(large["data"]["orders"]) == 40
    assert sum(len(o["shipments"]) for o in large["data"]["orders"]) == 6
    assert len(many) == len(few), "\n".join(many)
    # token, orders, currencies (+ base currency), lines, product sizes, sizes, shipments,
    # shipment lines, order lines of shipment lines, customers
    assert len(many) <= 12, "\n".join(many)


async def _first_line(db: Any, order_id: int) -> int:
    from opencentra import orders

    order = await orders.get_order(db, order_id)
    return order.lines[0].id


def test_order_shapes_and_filters(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 3)
    body = gql.query(
        """
        query ($number: Int!) {
          orders(where: {number: $number}) {
            id number status isOnHold storeType orderDate
            shippingAddress { firstName city country { code } }
            totals { grandTotal { value } taxIncluded { value } }
            lines { lineValue { value } excl: lineValue(includingTax: false) { value } taxPercent discountPercent }
            ... on DirectToConsumerOrder { customer { email } }
          }
          confirmed: orders(where: {status: CONFIRMED, storeType: DIRECT_TO_CONSUMER}, sort: [number_DESC], limit: 2) { number }
          page2: orders(sort: [number_ASC], limit: 2, page: 2) { number }
          none: orders(where: {status: [CANCELLED]}) { number }
        }
        """,
        {"number": 2},
    )
    data = body["data"]
    (order,) = data["orders"]
    assert order["number"] == 2 and order["status"] == "CONFIRMED" and order["storeType"] == "DIRECT_TO_CONSUMER"
    assert len(order["id"]) == 32
    assert order["lines"][1]["lineValue"]["value"] == 398.0
    assert order["lines"][1]["excl"]["value"] == 318.4
    assert order["lines"][1]["taxPercent"] == 25.0
    assert order["customer"]["email"] == "ada@example.com"
    assert [o["number"] for o in data["confirmed"]] == [3, 2]
    assert [o["number"] for o in data["page2"]] == [3]
    assert data["none"] == []
    assert body["extensions"]["permissionsUsed"] == ["Order:read", "Order.shippingAddress:read"]
    single = gql.query("query ($id: String!) { order(id: $id) { number } }", {"id": order["id"]})
    assert single["data"]["order"] == {"number": 2}


def test_order_connection_pages_with_cursors(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 5)
    query = """
    query ($after: String) {
      orderConnection(first: 2, after: $after, sort: number_ASC) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { number } }
      }
    }
    """
    first = gql.query(query)["data"]["orderConnection"]
    assert first["totalCount"] == 5
    assert [e["node"]["number"] for e in first["edges"]] == [1, 2]
    assert base64.b64decode(first["pageInfo"]["endCursor"]).decode() == "number:2"
    assert first["pageInfo"]["hasNextPage"] is True
    second = gql.query(query, {"after": first["pageInfo"]["endCursor"]})["data"]["orderConnection"]
    assert [e["node"]["number"] for e in second["edges"]] == [3, 4]
    last = gql.query('{ orderConnection(last: 2, before: "bnVtYmVyOjU=") { edges { node { number } } } }')
    assert [e["node"]["number"] for e in last["data"]["orderConnection"]["edges"]] == [3, 4]
    bad = gql.post('{ orderConnection(first: 1, after: "not a cursor") { totalCount } }')
    assert bad.status_code == 200 and "cursor" in bad.json()["errors"][0]["message"]


def test_catalog_and_setup_roots(gql: GraphQLClient, world: World) -> None:
    body = gql.query(
        """
        query ($product: Int!, $display: Int!, $store: Int!) {
          products(where: {name: {contains: "te"}}, sort: [updatedAt_DESC], limit: 10) {
            id name productNumber status weight { value unit }
            variants { id name variantNumber productSizes { id SKU description stockTotals { physicalQuantity availableQuantity } } }
          }
          product(id: $product) { name sizeChart { name sizes { name } } }
          displays(where: {id: [$display]}) { id name uri status product { id } productVariants { id } }
          markets(where: {storeId: $store}, sort: [id_DESC]) { id name store { type } assignedToCountries { code name } }
          pricelists { name currency { code } }
          stores(where: {type: WHOLESALE}) { name type }
          warehouses(where: {name: {contains: "Mai"}}) { id name }
          countries { code isEU }
          currencies(where: {isBase: true}) { code }
          sizeCharts { name }
          customers(where: {email: {equals: "ADA@example.com"}}) { id email firstName }
          counters { products orders customers }
        }
        """,
        {"product": world.product_id, "display": world.display_id, "store": world.store_id},
    )
    data = body["data"]
    assert data["products"][0]["weight"] == {"value": 0.25, "unit": "KILOGRAMS"}
    sizes = data["products"][0]["variants"][0]["productSizes"]
    assert [s["description"] for s in sizes] == ["S", "L"]
    assert sizes[0]["stockTotals"] == {"physicalQuantity": 100, "availableQuantity": 100}
    assert data["product"]["sizeChart"]["sizes"] == [{"name": "S"}, {"name": "L"}]
    assert data["displays"][0]["productVariants"] == [{"id": world.variant_id}]
    assert data["markets"] == [
        {"id": world.market_id, "name": "Sweden", "store": {"type": "DIRECT_TO_CONSUMER"}, "assignedToCountries": [{"code": "SE", "name": "Sweden"}]}
    ]  # fmt: skip
    assert data["stores"] == [{"name": "Wholesale", "type": "WHOLESALE"}]
    assert data["currencies"] == [{"code": "SEK"}]
    assert data["customers"][0]["firstName"] == "Ada"
    assert data["counters"] == {"products": 1, "orders": 0, "customers": 1}


def test_store_restricted_token_sees_only_its_store(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 2)
    other = gql.token(["Order:read", "Market:read", "Display:read", "Order:write"], store_id=world.wholesale_store_id)
    body = gql.query("{ orders { number } markets { name } displays { id } }", token=other)
    assert body["data"] == {"orders": [], "markets": [{"name": "B2B"}], "displays": []}
    order_id = gql.query("{ orders { id } }")["data"]["orders"][0]["id"]
    assert gql.query("query ($id: String!) { order(id: $id) { id } }", {"id": order_id}, token=other)["data"] == {
        "order": None
    }
    refused = gql.query(
        "mutation ($id: String!) { confirmOrder(input: {order: {id: $id}}) { order { id } userErrors { message path } } }",
        {"id": order_id},
        token=other,
    )
    assert refused["data"]["confirmOrder"]["order"] is None
    assert "Could not find Order" in refused["data"]["confirmOrder"]["userErrors"][0]["message"]
