"""Abusive documents and tokens: each is refused after bounded work, and cannot starve the others.

Nothing here measures time. The fragment bombs below stand for 2**20 and
2**39 fields; the tests count the nodes the guard reads, or see the request
refused by a cap, so a regression to an expanding walk shows up as a wrong
count (or a test that never ends), never as a flaky timing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLError, get_introspection_query, parse
from tests.api.graphql.gqlkit import GraphQLClient

from opencentra.api.graphql import cost as cost_module
from opencentra.api.graphql import guards
from opencentra.api.graphql.cost import query_cost
from opencentra.api.graphql.guards import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_EXPANDED_FIELDS,
    TOO_MUCH_MERGING,
    BoundedFieldMerging,
    check_document,
    measure,
)
from opencentra.api.graphql.limits import INSTANCE_CEILING, make_store
from opencentra.api.graphql.schema import schema
from opencentra.config import Settings
from opencentra.ratelimit import GROWTH, MemoryRateLimitStore, Plan, Quota

ROOT = Path(__file__).resolve().parents[3]
RATE_LIMITS = "{ rateLimits { type intervalSeconds quota usedQuota remainingQuota } }"


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the one before it twice: ``levels`` levels stand for 2**levels fields."""
    parts = ["fragment F0 on RateLimit { quota }"]
    parts += [f"fragment F{i} on RateLimit {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return " ".join(parts) + f" {{ rateLimits {{ ...F{levels} }} }}"


def chain(names: list[str], leaf: str = "id") -> str:
    """A selection set nesting ``names`` one in the other, with ``leaf`` at the bottom."""
    return "{ " + "".join(f"{name} {{ " for name in names) + leaf + " }" * len(names) + " }"


def nested(levels: int) -> str:
    """``levels`` levels of fields under the root: orders { shipments { order { shipments ... } } }."""
    return chain(["orders", *(["shipments", "order"] * levels)][:levels])


def messages(errors: list[GraphQLError]) -> list[str]:
    return [error.message for error in errors]


# --- the guard itself: one linear pass -------------------------------------------------------------


@pytest.mark.parametrize("levels", [20, 39])
def test_a_fragment_bomb_is_measured_by_reading_each_node_once(levels: int) -> None:
    document = parse(fragment_bomb(levels))
    assert len(fragment_bomb(20)) < 1024
    measured = measure(document)
    # F0 holds one field, F1..Fn two spreads each, the operation a field and a spread.
    assert measured.visited == 2 * levels + 3
    # Yet the figures are those of the expansion: Fi = 2 + 2 F(i-1), F0 = 1, so Fi = 3 * 2**i - 2.
    assert measured.selections == 3 * 2**levels
    [error] = check_document(document)
    assert error.message.startswith(f"The document selects {3 * 2**levels} fields once its fragments are expanded")
    assert error.message.endswith(f"Allowed: {MAX_EXPANDED_FIELDS}")


def test_a_long_fragment_chain_does_not_overflow_the_stack() -> None:
    count = 3_000
    chain = " ".join(f"fragment F{i} on RateLimit {{ ...F{i - 1} }}" for i in range(1, count))
    document = parse(f"fragment F0 on RateLimit {{ quota }} {chain} {{ rateLimits {{ ...F{count - 1} }} }}")
    measured = measure(document)
    assert measured.visited == count + 2
    assert check_document(document) == []


def test_fragment_cycles_are_refused() -> None:
    two = parse("fragment A on RateLimit { ...B } fragment B on RateLimit { quota ...A } { rateLimits { ...A } }")
    assert messages(check_document(two)) == ["Cannot spread fragment 'A' within itself via 'B'."]
    own = parse("fragment A on RateLimit { quota ...A } { rateLimits { ...A } }")
    assert messages(check_document(own)) == ["Cannot spread fragment 'A' within itself."]
    unused = parse("fragment A on RateLimit { ...A } { rateLimits { quota } }")
    assert messages(check_document(unused)) == ["Cannot spread fragment 'A' within itself."]


def test_unknown_fragments_are_left_to_validation() -> None:
    assert check_document(parse("{ rateLimits { ...Nowhere } }")) == []


def test_depth_is_counted_as_before_through_fragments_and_without_introspection() -> None:
    assert check_document(parse(nested(MAX_DEPTH))) == []
    assert messages(check_document(parse(nested(MAX_DEPTH + 1)))) == [
        f"'anonymous' exceeds maximum operation depth of {MAX_DEPTH}"
    ]
    # The same levels, split between an operation and a fragment it spreads three levels down.
    for below, errors in (
        (MAX_DEPTH - 3, []),
        (MAX_DEPTH - 2, [f"'Q' exceeds maximum operation depth of {MAX_DEPTH}"]),
    ):
        fragment = "fragment Deep on Order " + chain((["shipments", "order"] * MAX_DEPTH)[:below])
        operation = "query Q " + chain(["orders", "shipments", "order"], leaf="...Deep")
        assert messages(check_document(parse(f"{fragment} {operation}"))) == errors
    introspection = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } } } } } }"  # noqa: E501
    assert check_document(parse(introspection)) == []


def test_aliases_are_counted_with_fragments_expanded() -> None:
    wide = "{ " + " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES)) + " }"
    assert check_document(parse(wide)) == []
    wider = "{ " + " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES + 1)) + " }"
    assert messages(check_document(parse(wider))) == [f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"]
    # 26 aliased roots, each spreading a fragment of 10 aliases: 286, though the text has 36.
    fragment = "fragment Ten on RateLimit { " + " ".join(f"q{i}: quota" for i in range(10)) + " }"
    spread = fragment + " { " + " ".join(f"r{i}: rateLimits {{ ...Ten }}" for i in range(26)) + " }"
    assert messages(check_document(parse(spread))) == [f"286 aliases found. Allowed: {MAX_ALIASES}"]


def _documented_examples() -> list[tuple[str, str]]:
    found = [("introspection", get_introspection_query(descriptions=True))]
    for path in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]):
        for block in re.findall(r"```graphql\n(.*?)```", path.read_text(), re.S):
            found.append((path.name, block))
    return found


def test_the_documented_examples_pass_the_guard() -> None:
    checked = 0
    for where, text in _documented_examples():
        try:
            document = parse(text)
        except GraphQLError:
            continue  # a schema excerpt or a partial snippet, not a request
        assert check_document(document) == [], where
        assert measure(document).selections <= MAX_EXPANDED_FIELDS // 10, where
        checked += 1
    assert checked >= 1


def test_the_cost_walker_reads_each_fragment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    collect_into = cost_module._Costing._collect_into

    def counting(self: Any, *args: Any) -> None:
        nonlocal calls
        calls += 1
        collect_into(self, *args)

    monkeypatch.setattr(cost_module._Costing, "_collect_into", counting)
    cost = query_cost(schema._schema, parse(fragment_bomb(39)))
    assert cost.complexity == 10  # rateLimits without a limit: 10 x one object; every quota merges into one
    assert calls <= 39 + 5


# --- over HTTP: refused early, and nothing else runs ----------------------------------------------


class CountingFieldMerging(BoundedFieldMerging):
    """Counts how often graphql-core's validation starts (this rule is part of every run)."""

    runs = 0

    def __init__(self, *args: Any) -> None:
        CountingFieldMerging.runs += 1
        super().__init__(*args)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> type[CountingFieldMerging]:
    CountingFieldMerging.runs = 0
    monkeypatch.setattr(guards, "BoundedFieldMerging", CountingFieldMerging)
    return CountingFieldMerging


def _limits(gql: GraphQLClient, token: str | None = None) -> dict[tuple[str, str], dict[str, int]]:
    body = gql.query(RATE_LIMITS, token=token)
    return {(b["type"], b["intervalSeconds"]): b for b in body["data"]["rateLimits"]}


@pytest.mark.parametrize("levels", [20, 39])
def test_a_fragment_bomb_is_refused_before_costing_and_validation(
    gql: GraphQLClient, validations: type[CountingFieldMerging], levels: int
) -> None:
    weak = gql.token(["Country:read"], name="weak")
    response = gql.post(fragment_bomb(levels), token=weak)
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert "once its fragments are expanded" in body["errors"][0]["message"]
    assert body["extensions"]["complexity"] == 0
    assert validations.runs == 0
    used = _limits(gql, weak)
    assert used["REQUEST_COUNT", "TEN_SECONDS"]["usedQuota"] == 2  # the bomb (one request) and this query
    assert used["QUERY_COMPLEXITY", "TEN_SECONDS"]["usedQuota"] == 10  # this query alone


def test_a_fragment_cycle_is_refused_over_http(gql: GraphQLClient, validations: type[CountingFieldMerging]) -> None:
    body = gql.post("fragment A on RateLimit { ...B } fragment B on RateLimit { ...A } { rateLimits { ...A } }").json()
    assert body["errors"][0]["message"] == "Cannot spread fragment 'A' within itself via 'B'."
    assert "data" not in body
    assert validations.runs == 0


def test_many_fields_sharing_a_name_hit_the_merging_budget(
    gql: GraphQLClient, validations: type[CountingFieldMerging]
) -> None:
    repeated = "{" + " rateLimits { quota }" * 1_000 + "}"  # 2,000 selections: under the cap
    assert check_document(parse(repeated)) == []
    body = gql.post(repeated).json()
    assert [error["message"] for error in body["errors"]] == [TOO_MUCH_MERGING]
    assert "data" not in body
    assert validations.runs == 1


def test_a_few_repeated_fields_still_merge(gql: GraphQLClient) -> None:
    body = gql.query("fragment Q on RateLimit { quota type } { rateLimits { quota ...Q } rateLimits { type ...Q } }")
    assert len(body["data"]["rateLimits"]) == 6


def test_a_throttled_client_gets_no_validation(gql: GraphQLClient, validations: type[CountingFieldMerging]) -> None:
    gql.use_limits(Plan(requests=Quota(2, 100), complexity=Quota(1_000, 10_000), mutations=Quota(2, 10)))
    for _ in range(2):
        assert gql.post("{ rateLimits { quota } }").status_code == 200
    assert validations.runs == 2
    refused = gql.post("{ rateLimits { quota nope } }")  # invalid, but it can be costed first
    assert refused.status_code == 429
    assert [error["extensions"]["category"] for error in refused.json()["errors"]] == ["rateLimit"]
    assert validations.runs == 2


def test_an_invalid_document_that_can_be_costed_is_charged_its_complexity(gql: GraphQLClient) -> None:
    weak = gql.token(["Country:read"], name="weak")
    body = gql.post("{ countries(limit: 7) { code nope } }", token=weak).json()
    assert "Cannot query field 'nope'" in body["errors"][0]["message"]
    assert "data" not in body
    assert body["extensions"]["complexity"] == 7
    assert _limits(gql, weak)["QUERY_COMPLEXITY", "TEN_SECONDS"]["usedQuota"] == 7 + 10


@pytest.mark.parametrize(
    ("document", "variables", "says"),
    [
        ('{ rateLimits @skip(if: "yes") { quota } }', None, "Boolean cannot represent a non boolean value"),
        ('{ countries(limit: "ten") { code } }', None, "Int cannot represent non-integer value"),
        ("query ($n: Int) { countries(limit: $n) { code } }", {"n": "many"}, "many"),
    ],
)
def test_documents_that_cannot_be_costed_before_validation_get_the_usual_errors(
    gql: GraphQLClient, document: str, variables: dict[str, Any] | None, says: str
) -> None:
    response = gql.post(document, variables)
    assert response.status_code == 200
    body = response.json()
    assert says in body["errors"][0]["message"]
    assert "data" not in body
    assert body["extensions"]["complexity"] == 0


# --- one token cannot starve the others -----------------------------------------------------------


def test_per_integration_quotas_under_an_instance_ceiling_are_the_default() -> None:
    store = make_store(Settings())
    assert isinstance(store, MemoryRateLimitStore)
    assert store.plan == GROWTH
    assert store.ceiling == GROWTH.scaled(INSTANCE_CEILING)
    shared = make_store(Settings(ratelimit_per_integration=False))
    assert isinstance(shared, MemoryRateLimitStore)
    assert shared.ceiling is None


def test_a_weak_token_spending_its_quota_does_not_starve_the_erp(gql: GraphQLClient) -> None:
    """Issue 11, finding 8: 65 cheap queries with a Country:read token, then the ERP's token."""
    gql.use_limits(store=MemoryRateLimitStore(GROWTH, gql.clock, ceiling=GROWTH.scaled(INSTANCE_CEILING)))
    weak = gql.token(["Country:read"], name="marketing-feed")
    statuses = [gql.post("{ countries { code } }", token=weak).status_code for _ in range(65)]
    assert statuses == [200] * 60 + [429] * 5
    erp = gql.default_token
    limits = _limits(gql, erp)
    assert limits["REQUEST_COUNT", "TEN_SECONDS"] == {
        "type": "REQUEST_COUNT", "intervalSeconds": "TEN_SECONDS", "quota": 60, "usedQuota": 1, "remainingQuota": 59
    }  # fmt: skip


def test_the_instance_ceiling_still_holds(gql: GraphQLClient) -> None:
    small = Plan(requests=Quota(3, 100), complexity=Quota(1_000, 10_000), mutations=Quota(2, 10))
    store = MemoryRateLimitStore(small, gql.clock, ceiling=small.scaled(2))
    gql.use_limits(store=store)
    first, second, third = (gql.token(["Country:read"], name=name) for name in ("feed", "pim", "wms"))
    for token in (first, second):
        assert [gql.post("{ __typename }", token=token).status_code for _ in range(3)] == [200] * 3
    refused = gql.post("{ __typename }", token=third)  # its own bucket is full; the instance's is empty
    assert refused.status_code == 429
    assert "REQUEST_COUNT/TEN_SECONDS instance-wide" in refused.json()["errors"][0]["message"]
    gql.clock.advance(1.7)  # the instance's bucket refills 6 per 10 s: one token back after 1.67 s
    assert gql.post("{ __typename }", token=third).status_code == 200
