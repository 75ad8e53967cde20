"""The endpoint: authentication, the response envelope, introspection, GraphiQL, bad input."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from tests.api.graphql.gqlkit import GraphQLClient, World

from opencentra.integration import services as integration
from opencentra.integration.permissions import ALL_PERMISSIONS

EXTENSIONS = {"complexity", "permissionsUsed", "appVersion"}


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_scheme_in_any_case(gql: GraphQLClient, scheme: str) -> None:
    response = gql.api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": f"{scheme} {gql.default_token}"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


def test_cookie_carries_the_token(gql: GraphQLClient) -> None:
    gql.api.client.cookies.set("graphql-access", gql.default_token)
    try:
        response = gql.api.client.post("/graphql", json={"query": "{ __typename }"})
    finally:
        gql.api.client.cookies.clear()
    assert response.status_code == 200


def test_missing_wrong_expired_and_revoked_tokens_are_refused(gql: GraphQLClient) -> None:
    client = gql.api.client
    expiring = gql.token(["Order:read"], name="short", lifetime=timedelta(microseconds=1))
    revoked = gql.token(["Order:read"], name="revoked")
    token = gql.api.call(integration.find_token_by_name, "revoked")
    gql.api.call(integration.revoke_token, token.id)
    cases = {
        "missing": None,
        "wrong": "not-a-token",
        "expired": expiring,
        "revoked": revoked,
    }
    for case, secret in cases.items():
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        response = client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        assert response.status_code == 401, case
        body = response.json()
        assert body["errors"][0]["extensions"]["category"] == "authentication", case
        assert "data" not in body
        assert set(body["extensions"]) == EXTENSIONS


def test_every_response_carries_the_extensions(gql: GraphQLClient) -> None:
    for query in ("{ __typename }", "{ nope }", "{", "{ orders(limit: -1) { id } }"):
        body = gql.post(query).json()
        assert set(body["extensions"]) == EXTENSIONS, query
        assert body["extensions"]["appVersion"].startswith("v")


def test_introspection_works(gql: GraphQLClient) -> None:
    body = gql.query("{ __schema { queryType { name } mutationType { name } types { name } } }")
    names = {t["name"] for t in body["data"]["__schema"]["types"]}
    assert {"DirectToConsumerOrder", "WholesaleOrder", "Order", "RateLimit", "MonetaryValue"} <= names
    assert body["extensions"]["complexity"] == 0


def test_graphiql_only_when_enabled(gql: GraphQLClient) -> None:
    client = gql.api.client
    assert client.get("/graphql", headers={"Accept": "text/html"}).status_code == 405
    gql.endpoint.settings = replace(gql.endpoint.settings, graphiql=True)
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


BAD_DOCUMENTS = {
    "syntax": "{ orders { id ",
    "unknown field": "{ orders { nope } }",
    "unknown root": "{ nope }",
    "deep nesting": "{ orders { " + "shipments { order { " * 10 + "id" + " } }" * 10 + " } }",
    "aliases": "{ " + " ".join(f"a{i}: __typename" for i in range(3000)) + " }",
    "subscription": "subscription { orders { id } }",
    "two operations, no name": "query A { __typename } query B { __typename }",
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_bad_documents_get_a_clear_error(gql: GraphQLClient, case: str) -> None:
    response = gql.post(BAD_DOCUMENTS[case])
    assert response.status_code == 200
    body = response.json()
    assert body["errors"] and body["errors"][0]["message"]
    assert body.get("data") is None
    assert "Internal" not in body["errors"][0]["message"]


def test_bad_variables_and_arguments(gql: GraphQLClient) -> None:
    wrong_type = gql.post("query ($n: Int) { orders(limit: $n) { id } }", {"n": "many"})
    assert "many" in wrong_type.json()["errors"][0]["message"]
    huge = gql.post("{ orders(limit: 100000000) { id } }")  # more than any 10 s quota
    assert huge.status_code == 400
    assert huge.json()["errors"][0]["extensions"]["category"] == "complexity"
    over_max = gql.post("{ orders(limit: 5000) { id } }")
    assert over_max.status_code == 200
    assert over_max.json()["errors"][0]["message"] == "limit must be between 0 and 1000"
    negative = gql.post("{ orders(page: 0) { id } }")
    assert "page" in negative.json()["errors"][0]["message"]
    too_big_int = gql.post("{ orders(limit: 99999999999) { id } }")
    assert too_big_int.status_code == 200 and too_big_int.json()["errors"]


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"query": 5}', b'{"query": "{ __typename }", "variables": []}', b"{}"],
)
def test_malformed_bodies_are_400(gql: GraphQLClient, body: bytes) -> None:
    response = gql.api.client.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {gql.default_token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["category"] == "request"


def test_invalid_mutation_input_changes_nothing(api: Any, gql: GraphQLClient, world: World) -> None:
    before = gql.query("{ products { variants { productSizes { stockTotals { physicalQuantity } } } } }")
    response = gql.post(
        "mutation ($variant: Int!) { setStock(input: {warehouse: {id: 999}, productVariants: [{productVariant:"
        ' {id: $variant}, sizeStockLevels: [{size: {name: "S"}, quantity: 5}]}]}) { userErrors { message path } } }',
        {"variant": world.variant_id},
    )
    assert response.status_code == 200
    errors = response.json()["data"]["setStock"]["userErrors"]
    assert errors == [{"message": "Could not find Warehouse with ID 999", "path": ["input", "warehouse"]}]
    wrong_shape = gql.post("mutation { setStock(input: {warehouse: 1}) { userErrors { message } } }")
    assert wrong_shape.json()["errors"]
    after = gql.query("{ products { variants { productSizes { stockTotals { physicalQuantity } } } } }")
    assert after["data"] == before["data"]


def test_all_permissions_token_works_for_everything(gql: GraphQLClient) -> None:
    assert gql.token(ALL_PERMISSIONS) == gql.default_token
