"""Every query root and mutation refuses a token that lacks its permission, in Centra's words."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from tests.api.graphql.gqlkit import GraphQLClient

from opencentra.api.graphql.permissions import Require
from opencentra.api.graphql.schema import schema
from opencentra.integration.permissions import ALL_PERMISSIONS

# Open to any valid token: the rate limits, counters (each counter checks its own
# permission), and the integration's own ID conversion table.
OPEN_FIELDS = {
    ("Query", "rateLimits"),
    ("Query", "counters"),
    ("Query", "idConversions"),
    ("Mutation", "setIdConversions"),
}


def _permission(field: GraphQLField) -> str | None:
    definition = (field.extensions or {}).get("strawberry-definition")
    for extension in getattr(definition, "extensions", []):
        if isinstance(extension, Require):
            return extension.permission
    return None


def _dummy(type_: GraphQLInputType) -> str:
    """A literal that satisfies ``type_`` (required input fields only)."""
    if isinstance(type_, GraphQLNonNull):
        return _dummy(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{_dummy(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return {
            "Int": "1",
            "Float": "1.0",
            "Boolean": "true",
            "DateTimeTz": '"2024-01-01T00:00:00+00:00"',
            "Date": '"2024-01-01"',
        }.get(type_.name, '"00000000000000000000000000000001"')
    assert isinstance(type_, GraphQLInputObjectType)
    required = [
        f"{name}: {_dummy(field.type)}"
        for name, field in type_.fields.items()
        if isinstance(field.type, GraphQLNonNull)
    ]
    return "{" + ", ".join(required) + "}"


def _selection(field: GraphQLField) -> str:
    named = get_named_type(field.type)
    return "" if is_leaf_type(named) else " { __typename }"


def _document(operation: str, name: str, field: GraphQLField) -> str:
    arguments = [f"{arg}: {_dummy(a.type)}" for arg, a in field.args.items() if isinstance(a.type, GraphQLNonNull)]
    args = f"({', '.join(arguments)})" if arguments else ""
    return f"{operation} {{ {name}{args}{_selection(field)} }}"


def _roots() -> list[tuple[str, str, GraphQLField]]:
    roots: list[tuple[str, str, GraphQLField]] = []
    for operation, root in (("query", schema._schema.query_type), ("mutation", schema._schema.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        roots += [(operation, name, field) for name, field in root.fields.items()]
    return roots


def test_every_root_field_declares_a_known_permission() -> None:
    for operation, name, field in _roots():
        permission = _permission(field)
        root = "Query" if operation == "query" else "Mutation"
        if (root, name) in OPEN_FIELDS:
            assert permission is None
            continue
        assert permission is not None, f"{root}.{name} has no permission"
        assert permission in ALL_PERMISSIONS, f"{root}.{name}: {permission} is not one of Centra's names"
        action = permission.rpartition(":")[2]
        assert action == ("read" if operation == "query" else "write"), f"{root}.{name}: {permission}"


def test_each_root_field_refuses_a_token_without_its_permission(gql: GraphQLClient) -> None:
    failures: list[str] = []
    checked = 0
    for operation, name, field in _roots():
        permission = _permission(field)
        if permission is None:
            continue
        others = [p for p in ALL_PERMISSIONS if p != permission]
        response = gql.post(_document(operation, name, field), token=gql.token(others))
        body: dict[str, Any] = response.json()
        errors = body.get("errors", [])
        expected = f"You need {permission} permission to access {name}."
        if response.status_code != 200 or not errors or errors[0]["message"] != expected:
            failures.append(f"{operation} {name}: {response.status_code} {errors}")
            continue
        error = errors[0]
        if error["extensions"] != {"category": "authorization"} or error["path"] != [name] or not error["locations"]:
            failures.append(f"{operation} {name}: {error}")
        if permission not in body["extensions"]["permissionsUsed"]:
            failures.append(f"{operation} {name}: permissionsUsed {body['extensions']['permissionsUsed']}")
        checked += 1
    assert not failures, "\n".join(failures)
    assert checked >= 45


def test_granted_permission_lets_the_field_through(gql: GraphQLClient) -> None:
    token = gql.token(["Order:read"])
    body = gql.query("{ orders { id } rateLimits { type } }", token=token)
    assert body["data"]["orders"] == []
    assert body["extensions"]["permissionsUsed"] == ["Order:read"]


def test_nested_sensitive_fields_need_their_own_permission(gql: GraphQLClient, world: Any) -> None:
    from tests.api.graphql.gqlkit import add_orders

    gql.api.call(add_orders, world, 1)
    token = gql.token(["Order:read", "Product:read"])
    response = gql.post(
        "{ orders { number shippingAddress { city } } products { variants { productSizes { stockTotals { physicalQuantity } } } } }",
        token=token,
    )
    body = response.json()
    assert body["data"]["orders"][0]["shippingAddress"] is None
    messages = sorted({error["message"] for error in body["errors"]})
    assert messages == [
        "You need Order.shippingAddress:read permission to access shippingAddress.",
        "You need ProductSize.stockTotals:read permission to access stockTotals.",
    ]
    assert body["extensions"]["permissionsUsed"] == [
        "Order:read",
        "Product:read",
        "Order.shippingAddress:read",
        "ProductSize.stockTotals:read",
    ]


def test_counters_need_the_permission_of_what_they_count(gql: GraphQLClient) -> None:
    body = gql.post("{ counters { orders products } }", token=gql.token(["Order:read"])).json()
    assert body["data"]["counters"] == {"orders": 0, "products": None}
    assert body["errors"][0]["message"] == "You need Product:read permission to access products."
