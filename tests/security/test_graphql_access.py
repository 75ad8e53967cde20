"""Every GraphQL root field, attacked without a token, with a token lacking its permission,
and (reads) with a token bound to another store.

Root fields come from the schema (``surface.root_fields``); each query field
is classified by the type it returns (``surface.STORE_OWNED_TYPES`` or
``surface.SHARED_TYPES``), mutations in ``test_graphql_store_writes.py``.
A store-bound token holds every permission here, so only the store check
stands between it and the other store's data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType, get_named_type, parse, validate
from tests.security.formats import GRAPHQL, assert_api_format, body_of
from tests.security.surface import (
    NO_STORE_ALLOWED,
    OPEN_FIELDS,
    SCHEMA,
    SHARED_TYPES,
    STORE_OWNED_TYPES,
    RootField,
    owner_of,
    owner_selection,
    root_fields,
)
from tests.security.world import World

from opencentra.integration import services as integration
from opencentra.integration.models import PluginType
from opencentra.integration.permissions import ALL_PERMISSIONS

FIELDS = root_fields()
QUERIES = [f for f in FIELDS if f.operation == "query"]
GUARDED = [f for f in FIELDS if f.permission is not None]
OWNED_LISTS = [f for f in QUERIES if f.is_list and f.node_type in STORE_OWNED_TYPES]
OWNED_BY_ID = [f for f in QUERIES if not f.is_list and f.node_type in STORE_OWNED_TYPES and "id" in f.field.args]
BIG_PAGE = {"limit": "1000", "first": "1000"}


def _page(field: RootField) -> dict[str, str]:
    return {name: value for name, value in BIG_PAGE.items() if name in field.field.args}


def _post(world: World, query: str, token: str | None) -> dict[str, Any]:
    answer = world.graphql(query, token=token)
    assert_api_format(GRAPHQL, answer)
    body: dict[str, Any] = body_of(answer)
    return body


def _items(field: RootField, body: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in body, body["errors"]
    data = body["data"][field.name]
    items: list[dict[str, Any]] = data["nodes"] if field.is_connection else data
    return items


def _listing(field: RootField) -> str:
    node = SCHEMA.type_map[field.node_type]
    assert isinstance(node, GraphQLObjectType | GraphQLInterfaceType)
    selection = owner_selection(field.node_type)
    if "id" in node.fields and selection != "id":
        selection = f"id {selection}"
    return field.document(selection, _page(field))


def test_every_root_field_is_classified() -> None:
    problems = []
    for field in FIELDS:
        if field.permission is None and (field.root, field.name) not in OPEN_FIELDS:
            problems.append(f"{field.id} has no Require permission and is not in surface.OPEN_FIELDS")
        if field.permission is not None and field.permission not in ALL_PERMISSIONS:
            problems.append(f"{field.id}: {field.permission} is not a known permission")
        if field.operation == "query" and field.node_type not in {**STORE_OWNED_TYPES, **SHARED_TYPES}:
            problems.append(f"{field.id} returns {field.node_type}: add it to STORE_OWNED_TYPES or SHARED_TYPES")
    assert not problems, "\n".join(problems)
    assert not set(STORE_OWNED_TYPES) & set(SHARED_TYPES)


def test_every_document_the_suite_sends_is_valid() -> None:
    """A refusal of an invalid document would prove nothing: each must pass validation."""
    for field in FIELDS:
        documents = [field.document()]
        if field in OWNED_LISTS:
            documents.append(_listing(field))
        for document in documents:
            errors = validate(SCHEMA, parse(document))
            assert not errors, f"{document}: {errors}"


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.id)
def test_no_token_is_refused_before_anything_runs(world: World, field: RootField) -> None:
    answer = world.graphql(field.document(), token=None)
    assert answer.status_code == 401, answer.text
    body = body_of(answer)
    assert [e["extensions"]["category"] for e in body["errors"]] == ["authentication"]
    assert "data" not in body


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param({"Authorization": "Bearer "}, id="empty-bearer"),
        pytest.param({"Authorization": "Bearer not-a-token"}, id="unknown"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic"),
        pytest.param({"API-Authorization": "{admin}"}, id="api-authorization-header"),
        pytest.param({"Authorization": "{admin}"}, id="no-scheme"),
        pytest.param({"Authorization": "Bearer {admin}x"}, id="one-character-more"),
        pytest.param({"Authorization": "Bearer {order_key}"}, id="a-plugin-key"),
    ],
)
def test_anything_but_a_valid_token_is_refused(world: World, credentials: dict[str, str]) -> None:
    values = {"admin": world.admin_token, "order_key": world.a.plugins[PluginType.ORDER].secret}
    headers = {name: value.format(**values) for name, value in credentials.items()}
    answer = world.client.post("/graphql", json={"query": "{ rateLimits { type } }"}, headers=headers)
    assert answer.status_code == 401, answer.text
    assert_api_format(GRAPHQL, answer)
    query = world.client.post(f"/graphql?token={world.admin_token}", json={"query": "{ rateLimits { type } }"})
    assert query.status_code == 401


def test_the_cookie_counts_only_on_a_request_no_other_site_can_forge(world: World) -> None:
    """CSRF: a cross-site form can post text/plain with the browser's ``graphql-access`` cookie, never JSON."""
    mutation = b'{"query": "mutation { setEventListeners(input: [{objectType: Order}]) { userErrors { message } } }"}'
    cookie = {"Cookie": f"graphql-access={world.admin_token}"}
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers = {**cookie, **({"Content-Type": content_type} if content_type else {})}
        answer = world.client.post("/graphql", content=mutation, headers=headers)
        assert answer.status_code == 415, answer.text
        assert_api_format(GRAPHQL, answer)
    json_body = world.client.post("/graphql", content=mutation, headers={**cookie, "Content-Type": "application/json"})
    assert json_body.status_code == 200, json_body.text
    bearer = {"Authorization": f"Bearer {world.admin_token}", "Content-Type": "text/plain"}
    assert world.client.post("/graphql", content=mutation, headers=bearer).status_code == 200


def test_revoked_and_expired_tokens_are_refused(world: World) -> None:
    revoked_view, revoked = world.call(integration.create_token, name="revoked", permissions=["Order:read"])
    world.call(integration.revoke_token, revoked_view.id)
    expired_view, expired = world.call(
        integration.create_token, name="expired", permissions=["Order:read"], lifetime=timedelta(microseconds=1)
    )
    for token, reason in ((revoked, "token revoked"), (expired, "token expired")):
        answer = world.graphql("{ orders { id } }", token=token)
        assert answer.status_code == 401
        assert body_of(answer)["errors"][0]["message"] == f"Unauthorized: {reason}"
    rotated = world.call(integration.rotate_token, revoked_view.id)
    assert world.graphql("{ orders { id } }", token=rotated.secret).status_code == 200
    assert world.graphql("{ orders { id } }", token=revoked).status_code == 401
    assert expired_view.id != revoked_view.id


@pytest.mark.parametrize("field", GUARDED, ids=lambda f: f.id)
def test_a_token_without_the_permission_is_refused(world: World, field: RootField) -> None:
    assert field.permission is not None
    token = world.token([p for p in ALL_PERMISSIONS if p != field.permission])
    body = _post(world, field.document(), token)
    messages = [error["message"] for error in body.get("errors", [])]
    assert f"You need {field.permission} permission to access {field.name}." in messages, body
    data = body.get("data")
    assert data is None or data.get(field.name) is None, data
    assert field.permission in body["extensions"]["permissionsUsed"]


@pytest.mark.parametrize("field", OWNED_LISTS, ids=lambda f: f.id)
def test_a_store_bound_token_lists_nothing_of_another_store(world: World, listening: None, field: RootField) -> None:
    everything = _items(field, _post(world, _listing(field), world.admin_token))
    owners = {owner_of(field.node_type, item) for item in everything}
    assert owners - {None}, f"the world has no {field.node_type} of any store: {field.id} would prove nothing"
    for store in (world.a, world.b):
        seen = _items(field, _post(world, _listing(field), store.token))
        foreign = [item for item in seen if owner_of(field.node_type, item) != store.id]
        if field.node_type in NO_STORE_ALLOWED:
            foreign = [item for item in foreign if owner_of(field.node_type, item) is not None]
        assert not foreign, f"{store.name}'s token sees another store's {field.node_type}: {foreign}"
        own = [item for item in everything if owner_of(field.node_type, item) == store.id]
        if own and "id" in own[0]:
            assert {i["id"] for i in seen} >= {i["id"] for i in own}, "the store's own objects must still show"


def _ids_by_store(world: World, type_name: str) -> dict[int, list[Any]]:
    """Ids of every ``type_name`` object the admin token sees, by store."""
    found: dict[int, list[Any]] = {}
    for lister in (f for f in OWNED_LISTS if f.node_type == type_name):
        for item in _items(lister, _post(world, _listing(lister), world.admin_token)):
            owner = owner_of(type_name, item)
            if owner is not None and "id" in item:
                found.setdefault(owner, []).append(item["id"])
    return found


@pytest.mark.parametrize("field", OWNED_BY_ID, ids=lambda f: f.id)
def test_a_store_bound_token_cannot_fetch_another_stores_object_by_id(world: World, field: RootField) -> None:
    by_store = _ids_by_store(world, field.node_type)
    assert by_store, f"no {field.node_type} in the world: {field.id} would prove nothing"
    for store in (world.a, world.b):
        for owner, ids in by_store.items():
            for object_id in ids[:3]:
                literal = f'"{object_id}"' if isinstance(object_id, str) else str(object_id)
                document = field.document(owner_selection(field.node_type), {"id": literal})
                body = _post(world, document, store.token)
                found = (body.get("data") or {}).get(field.name)
                if owner == store.id:
                    assert found is not None and owner_of(field.node_type, found) == store.id, body
                else:
                    assert found is None, f"{store.name}'s token reads {field.node_type} {object_id}: {found}"


def _nested_owned_fields() -> Iterator[tuple[RootField, str, str]]:
    """(list root field, nested field, its type) for each store-owned object one level inside a listed one."""
    for root in QUERIES:
        if not root.is_list:
            continue
        node = SCHEMA.type_map[root.node_type]
        if not isinstance(node, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, nested in node.fields.items():
            type_name = get_named_type(nested.type).name
            if type_name in STORE_OWNED_TYPES and type_name != "Store" and not nested.args:
                yield root, name, type_name


NESTED = list(_nested_owned_fields())


@pytest.mark.parametrize(("root", "nested", "type_name"), NESTED, ids=[f"{r.name}.{n}" for r, n, _ in NESTED])
def test_nested_objects_of_another_store_do_not_show(
    world: World, root: RootField, nested: str, type_name: str
) -> None:
    """E.g. ``products { displays }`` with store B's token shows no display of store A."""
    document = root.document(f"{nested} {{ {owner_selection(type_name)} }}", _page(root))
    for store in (world.a, world.b):
        body = _post(world, document, store.token)
        for item in _items(root, body):
            value = item[nested]
            for child in value if isinstance(value, list) else [value]:
                if child is None:
                    continue
                owner = owner_of(type_name, child)
                assert owner in {store.id, None}, f"{store.name}'s token sees {root.name}.{nested} of store {owner}"


def test_counters_count_only_the_own_store(world: World) -> None:
    document = "{ counters { orders customers } }"
    everything = _post(world, document, world.admin_token)["data"]["counters"]
    per_store = [_post(world, document, store.token)["data"]["counters"] for store in (world.a, world.b)]
    assert per_store[0]["orders"] == len(world.a.order_numbers)
    assert per_store[1]["orders"] == len(world.b.order_numbers)
    for name in ("orders", "customers"):
        assert per_store[0][name] + per_store[1][name] == everything[name], (name, per_store, everything)


def test_events_of_another_store_do_not_reach_a_store_bound_token(world: World, listening: None) -> None:
    for store in (world.a, world.b):
        events = _post(world, "{ events(limit: 1000) { id store { id } objectType } }", store.token)["data"]["events"]
        assert events, f"{store.name}'s token should have events of its own"
        assert {e["store"]["id"] for e in events if e["store"]} == {store.id}


def test_a_store_bound_token_cannot_ask_for_another_store_by_filter(world: World) -> None:
    """``where: {storeId: ...}`` narrows, never widens, what a bound token sees."""
    for store in (world.a, world.b):
        other = world.other(store)
        for document in (
            f"{{ orders(where: {{storeId: {other.id}}}) {{ id }} }}",
            f"{{ displays(where: {{storeId: {other.id}}}) {{ id }} }}",
            f"{{ markets(where: {{storeId: {other.id}}}) {{ id }} }}",
            f"{{ customers(where: {{storeId: {other.id}}}) {{ id }} }}",
            f"{{ stores(where: {{id: [{other.id}]}}) {{ id }} }}",
            f"{{ events(where: {{storeId: {other.id}}}) {{ id }} }}",
        ):
            body = _post(world, document, store.token)
            assert "errors" not in body, body
            assert next(iter(body["data"].values())) == [], (store.name, document, body)


@pytest.fixture(scope="module")
def listening(world: World) -> None:
    """Every token listens to orders; then both stores' orders change, so each has events to read."""
    for token in (world.admin_token, world.a.token, world.b.token):
        body = _post(
            world, "mutation { setEventListeners(input: [{objectType: Order}]) { userErrors { message } } }", token
        )
        assert body["data"]["setEventListeners"]["userErrors"] == [], body
    for store in (world.a, world.b):
        plugin = store.plugins[PluginType.ORDER]
        for number in store.order_numbers:
            answer = world.client.put(
                f"{plugin.base}/orders",
                json={"order": number, "internalComment": "touched"},
                headers={"API-Authorization": plugin.secret},
            )
            assert body_of(answer)["status"] == "ok", answer.text
