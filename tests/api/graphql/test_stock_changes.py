"""setStock with FREE_TO_ALLOCATE goes through the same domain rule as the Order API, and the stock
changes a mutation returns are the ones stockChangeConnection lists (no re-read of "the latest")."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders

SET_STOCK = """
mutation ($input: SetStockInput!) {
  setStock(input: $input) {
    stockChanges { id lines { physicalQuantity allocatedQuantity freeToAllocateQuantity deliveredQuantity productSize { id } } warehouse { id } }
    userErrors { message path }
    userWarnings { message path }
  }
}
"""
TOTALS = "{ productSizes { id stockTotals { physicalQuantity allocatedQuantity } } }"


def _totals(gql: GraphQLClient) -> dict[int, tuple[int, int]]:
    sizes = gql.query(TOTALS)["data"]["productSizes"]
    return {s["id"]: (s["stockTotals"]["physicalQuantity"], s["stockTotals"]["allocatedQuantity"]) for s in sizes}


def _set(gql: GraphQLClient, world: World, levels: dict[str, int], kind: str) -> dict[str, Any]:
    variables = {
        "input": {
            "warehouse": {"id": world.warehouse_id},
            "stockQuantityType": kind,
            "productVariants": [
                {
                    "productVariant": {"id": world.variant_id},
                    "sizeStockLevels": [{"size": {"name": name}, "quantity": q} for name, q in levels.items()],
                }
            ],
        }
    }
    payload: dict[str, Any] = gql.query(SET_STOCK, variables)["data"]["setStock"]
    return payload


def test_free_to_allocate_counts_on_top_of_what_orders_hold(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1)  # 1 S and 2 L allocated
    small, large = world.size_ids
    assert _totals(gql) == {small: (100, 1), large: (100, 2)}

    payload = _set(gql, world, {"S": 5, "L": 0}, "FREE_TO_ALLOCATE")

    assert payload["userErrors"] == [] and payload["userWarnings"] == []
    assert _totals(gql) == {small: (6, 1), large: (2, 2)}
    lines = [change["lines"][0] for change in payload["stockChanges"]]
    assert [
        (line["productSize"]["id"], line["physicalQuantity"], line["freeToAllocateQuantity"]) for line in lines
    ] == [
        (small, 6, 5),
        (large, 2, 0),
    ]
    assert [line["deliveredQuantity"] for line in lines] == [-94, -98]
    assert {change["warehouse"]["id"] for change in payload["stockChanges"]} == {world.warehouse_id}


def test_a_mutation_returns_exactly_the_changes_it_made(gql: GraphQLClient, world: World) -> None:
    first = _set(gql, world, {"S": 7}, "PHYSICAL")
    # Already 7: nothing changes, so nothing is reported (not an older change instead).
    again = _set(gql, world, {"S": 7}, "PHYSICAL")
    assert again["stockChanges"] == [] and again["userErrors"] == []

    history = gql.query("{ stockChangeConnection(last: 5) { totalCount edges { node { id } } } }")
    ids = [edge["node"]["id"] for edge in history["data"]["stockChangeConnection"]["edges"]]
    assert ids[-1:] == [first["stockChanges"][0]["id"]]


def test_stock_changes_page_by_cursor(gql: GraphQLClient, world: World) -> None:
    _set(gql, world, {"S": 1, "L": 2}, "PHYSICAL")
    _set(gql, world, {"S": 3}, "PHYSICAL")
    everything = gql.query("{ stockChangeConnection(first: 50) { totalCount edges { node { id } } } }")
    all_ids = [edge["node"]["id"] for edge in everything["data"]["stockChangeConnection"]["edges"]]
    assert len(all_ids) == everything["data"]["stockChangeConnection"]["totalCount"] >= 3

    seen: list[int] = []
    after = None
    while True:
        page = gql.query(
            "query ($after: String, $warehouse: Int) { stockChangeConnection(first: 2, after: $after, where: {warehouseId: $warehouse}) {"
            " totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
            {"after": after, "warehouse": world.warehouse_id},
        )["data"]["stockChangeConnection"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == all_ids
    last = gql.query("{ stockChangeConnection(last: 1) { pageInfo { hasPreviousPage } edges { node { id } } } }")[
        "data"
    ]["stockChangeConnection"]
    assert [edge["node"]["id"] for edge in last["edges"]] == all_ids[-1:]
    assert last["pageInfo"]["hasPreviousPage"] is True
    elsewhere = gql.query(
        "{ stockChangeConnection(where: {warehouseId: 999999}) { totalCount edges { node { id } } } }"
    )
    assert elsewhere["data"]["stockChangeConnection"] == {"totalCount": 0, "edges": []}
