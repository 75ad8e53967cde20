"""Query complexity: Centra's published rule, computed before execution."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType, GraphQLSchema, build_schema, parse, validate
from hypothesis import given, settings
from hypothesis import strategies as st

from opencentra.api.graphql.cost import (
    COST_KEY,
    DEFAULT_LIST_SIZE,
    EXPENSIVE_SCALAR_COST,
    QueryCost,
    QueryCostError,
    query_cost,
)

SDL = """
type Query {
  markets(limit: Int): [Market!]!
  market(id: Int!): Market
  countries(limit: Int = 25): [Country!]!
  rateLimits: [RateLimit!]!
  orders(limit: Int): [Order!]!
  productVariantConnection(first: Int, last: Int, after: String): ProductVariantConnection!
}

type Market {
  id: Int!
  name: String!
  comment: String
  assignedToCountries(limit: Int): [Country!]!
}

type Country {
  code: String!
  continent: String
  name: String!
  states(limit: Int): [State!]!
}

type State { id: Int! name: String }

type RateLimit { type: String! quota: Int! }

interface Order { id: Int! number: Int! }
type DirectToConsumerOrder implements Order { id: Int! number: Int! customer: Customer }
type WholesaleOrder implements Order { id: Int! number: Int! account: Account }
type Customer { id: Int! email: String! }
type Account { id: Int! name: String! buyers(limit: Int): [Customer!]! }

type ProductVariantConnection {
  totalCount: Int!
  edges: [ProductVariantEdge!]!
  nodes: [ProductVariant!]!
  pageInfo: PageInfo!
}
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariant { id: Int! name: String! product: Product! }
type Product { id: Int! name: String! }
type PageInfo { hasNextPage: Boolean! endCursor: String }

type Mutation {
  setStock(id: Int!, quantity: Int!): SetStockPayload!
  deleteMarket(id: Int!): Boolean!
}
type SetStockPayload { ok: Boolean! }
"""


def _schema() -> GraphQLSchema:
    schema = build_schema(SDL)
    market = schema.get_type("Market")
    assert isinstance(market, GraphQLObjectType)
    market.fields["comment"].extensions = {COST_KEY: EXPENSIVE_SCALAR_COST}
    return schema


SCHEMA = _schema()


def cost(query: str, variables: dict[str, Any] | None = None, operation_name: str | None = None) -> QueryCost:
    document = parse(query)
    assert validate(SCHEMA, document) == [], "test queries must be valid"
    return query_cost(SCHEMA, document, variables, operation_name)


def complexity(query: str, variables: dict[str, Any] | None = None) -> int:
    return cost(query, variables).complexity


# Centra's worked example, verbatim from centra.dev (spec graphql-integration-api.md §3.5).
CENTRA_EXAMPLE = """
{
  markets(limit: 50) {
    id
    name
    assignedToCountries(limit: 10) {
      code
      continent
      name
      states(limit: 10) {
        id
      }
    }
  }
}
"""


def test_centras_worked_example_costs_5550() -> None:
    assert cost(CENTRA_EXAMPLE) == QueryCost(complexity=5550, mutations=0)


def test_each_level_of_the_worked_example() -> None:
    assert complexity("{ markets(limit: 50) { id name } }") == 50
    assert complexity("{ markets(limit: 1) { assignedToCountries(limit: 10) { states(limit: 10) { id } } } }") == 111


def test_scalars_are_free_and_objects_cost_one() -> None:
    assert complexity("{ market(id: 1) { id name } }") == 1
    assert complexity("{ market(id: 1) { id } countries(limit: 0) { code } }") == 1


def test_expensive_scalar_costs_two() -> None:
    assert complexity("{ market(id: 1) { comment } }") == 1 + 2
    assert complexity("{ markets(limit: 4) { id comment } }") == 4 * (1 + 2)


def test_list_without_limit_counts_as_ten() -> None:
    assert complexity("{ markets { id } }") == DEFAULT_LIST_SIZE
    # a list field that has no size argument at all
    assert complexity("{ rateLimits { type quota } }") == DEFAULT_LIST_SIZE


def test_argument_default_is_used() -> None:
    assert complexity("{ countries { code } }") == 25
    assert complexity("{ countries(limit: 3) { code } }") == 3


def test_limit_from_variable() -> None:
    query = "query Q($n: Int!) { markets(limit: $n) { id } }"
    assert complexity(query, {"n": 5}) == 5
    assert complexity(query, {"n": 50}) == 50


def test_variable_default_and_explicit_null() -> None:
    query = "query Q($n: Int = 7) { markets(limit: $n) { id } }"
    assert complexity(query) == 7
    assert complexity(query, {"n": 3}) == 3
    # null means "no limit given", so the default multiplier applies
    assert complexity(query, {"n": None}) == DEFAULT_LIST_SIZE


def test_negative_limit_counts_as_zero() -> None:
    assert complexity("{ markets(limit: -5) { id } }") == 0


def test_fragments_inline_fragments_and_variables() -> None:
    query = """
    query Q($n: Int) { markets(limit: $n) { ...M } }
    fragment M on Market { id comment ... on Market { name assignedToCountries(limit: 2) { code } } }
    """
    assert complexity(query, {"n": 5}) == 5 * (1 + 2 + 2 * 1)


def test_fields_that_execution_merges_are_costed_once() -> None:
    query = """
    { markets(limit: 2) { assignedToCountries(limit: 3) { code } ...F } }
    fragment F on Market { assignedToCountries(limit: 3) { name } }
    """
    assert complexity(query) == 2 * (1 + 3 * 1)


def test_aliases_are_costed_separately() -> None:
    assert complexity("{ a: markets(limit: 2) { id } b: markets(limit: 3) { id } }") == 5


def test_skip_and_include() -> None:
    query = """
    query Q($skip: Boolean!, $include: Boolean!) {
      a: markets(limit: 2) @skip(if: $skip) { id }
      b: markets(limit: 3) @include(if: $include) { id }
      market(id: 1) { ... on Market @skip(if: $skip) { assignedToCountries(limit: 4) { code } } }
    }
    """
    assert complexity(query, {"skip": False, "include": True}) == 2 + 3 + 1 + 4
    assert complexity(query, {"skip": True, "include": False}) == 1


def test_introspection_is_free() -> None:
    query = '{ __typename __schema { types { name fields { name } } } __type(name: "Market") { name } }'
    assert complexity(query) == 0
    assert complexity("{ markets(limit: 2) { __typename id } }") == 2


def test_connection_multiplies_at_the_connection_and_edges_add_nothing() -> None:
    by_edges = """
    { productVariantConnection(first: 100) { edges { cursor node { id product { id } } } pageInfo { hasNextPage } } }
    """
    # per unit: 1 (connection) + edges (0) + node (1 + product 1) + pageInfo 1
    assert complexity(by_edges) == 100 * (1 + 2 + 1)
    by_nodes = """
    { productVariantConnection(first: 100) { nodes { id product { id } } pageInfo { hasNextPage } } }
    """
    assert complexity(by_nodes) == complexity(by_edges)


def test_connection_size_from_last_or_default() -> None:
    assert complexity("{ productVariantConnection(last: 7) { totalCount } }") == 7
    assert complexity('{ productVariantConnection(after: "x") { totalCount } }') == DEFAULT_LIST_SIZE


def test_abstract_type_costs_its_most_expensive_possible_type() -> None:
    query = """
    {
      orders(limit: 2) {
        id
        ... on WholesaleOrder { account { id buyers(limit: 5) { id } } }
        ... on DirectToConsumerOrder { customer { id } }
      }
    }
    """
    # Wholesale: 1 + account (1 + 5) = 7; DtC: 1 + customer 1 = 2.
    assert complexity(query) == 2 * 7


def test_mutation_fields_are_counted_aliases_separately() -> None:
    query = """
    mutation {
      a: setStock(id: 1, quantity: 1) { ok }
      b: setStock(id: 2, quantity: 2) { ok }
      deleteMarket(id: 3)
      __typename
    }
    """
    assert cost(query) == QueryCost(complexity=2, mutations=3)


def test_eight_aliased_mutations_count_eight() -> None:
    fields = " ".join(f"m{i}: setStock(id: {i}, quantity: 1) {{ ok }}" for i in range(8))
    assert cost(f"mutation {{ {fields} }}").mutations == 8


def test_queries_count_no_mutations() -> None:
    assert cost("{ markets { id } }").mutations == 0


def test_operation_name_selects_the_operation() -> None:
    document = "query A { markets(limit: 1) { id } } query B { markets(limit: 2) { id } }"
    assert cost(document, operation_name="B").complexity == 2
    with pytest.raises(QueryCostError):
        cost(document)
    with pytest.raises(QueryCostError):
        cost(document, operation_name="C")


def test_uncoercible_variables_are_reported() -> None:
    with pytest.raises(QueryCostError) as raised:
        cost("query Q($n: Int!) { markets(limit: $n) { id } }", {})
    assert raised.value.errors
    with pytest.raises(QueryCostError):
        cost("query Q($n: Int!) { markets(limit: $n) { id } }", {"n": "many"})


def test_no_resolver_runs() -> None:
    calls: list[str] = []
    schema = build_schema(SDL)
    query = schema.query_type
    assert query is not None
    query.fields["markets"].resolve = lambda *_args, **_kw: calls.append("markets")
    assert query_cost(schema, parse(CENTRA_EXAMPLE), None, None).complexity == 5550
    assert calls == []


@strawberry.type
class StrawberryProduct:
    id: int
    description: str = strawberry.field(metadata={COST_KEY: EXPENSIVE_SCALAR_COST})


@strawberry.type
class StrawberryQuery:
    @strawberry.field
    def products(self, limit: int | None = None) -> list[StrawberryProduct]:
        return []


def test_strawberry_metadata_sets_a_field_cost() -> None:
    schema = strawberry.Schema(query=StrawberryQuery)
    document = parse("{ products(limit: 3) { id description } }")
    assert query_cost(schema._schema, document, None, None).complexity == 3 * (1 + 2)


# Property tests. A selection tree under Market is drawn, rendered to GraphQL,
# and checked for additivity, monotonicity in a limit, and fragment neutrality.

_limits = st.one_of(st.none(), st.integers(min_value=0, max_value=60))
_state = st.lists(st.sampled_from(["id", "name"]), min_size=1, max_size=2, unique=True)
_country = st.fixed_dictionaries(
    {"scalars": st.lists(st.sampled_from(["code", "name", "continent"]), min_size=1, max_size=3, unique=True)},
    optional={"states": st.tuples(_limits, _state)},
)
_market = st.fixed_dictionaries(
    {"scalars": st.lists(st.sampled_from(["id", "name", "comment"]), min_size=1, max_size=3, unique=True)},
    optional={"countries": st.tuples(_limits, _country)},
)
_root = st.tuples(_limits, _market)


def _args(limit: int | None) -> str:
    return "" if limit is None else f"(limit: {limit})"


def _render_country(country: dict[str, Any]) -> str:
    parts = list(country["scalars"])
    if "states" in country:
        limit, fields = country["states"]
        parts.append(f"states{_args(limit)} {{ {' '.join(fields)} }}")
    return " ".join(parts)


def _render_market(market: dict[str, Any]) -> str:
    parts = list(market["scalars"])
    if "countries" in market:
        limit, country = market["countries"]
        parts.append(f"assignedToCountries{_args(limit)} {{ {_render_country(country)} }}")
    return " ".join(parts)


def _render_root(alias: str, root: tuple[int | None, dict[str, Any]]) -> str:
    limit, market = root
    return f"{alias}: markets{_args(limit)} {{ {_render_market(market)} }}"


@settings(deadline=None)
@given(_root, _root)
def test_cost_of_a_pair_is_the_sum_of_the_parts(first: Any, second: Any) -> None:
    a, b = _render_root("a", first), _render_root("b", second)
    assert complexity(f"{{ {a} {b} }}") == complexity(f"{{ {a} }}") + complexity(f"{{ {b} }}")


@settings(deadline=None)
@given(_market, st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=100))
def test_cost_is_monotone_in_limit(market: dict[str, Any], low: int, extra: int) -> None:
    query = f"query Q($n: Int) {{ markets(limit: $n) {{ {_render_market(market)} }} }}"
    assert complexity(query, {"n": low}) <= complexity(query, {"n": low + extra})


@settings(deadline=None)
@given(_root)
def test_fragments_do_not_change_cost(root: Any) -> None:
    limit, market = root
    inline = f"{{ markets{_args(limit)} {{ {_render_market(market)} }} }}"
    spread = f"{{ markets{_args(limit)} {{ ...M }} }} fragment M on Market {{ {_render_market(market)} }}"
    assert complexity(inline) == complexity(spread)
