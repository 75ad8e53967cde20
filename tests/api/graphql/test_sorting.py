"""Lists: Centra's per-type sort enums and filter inputs, the older names as aliases, and sorts reaching the domain."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLList, GraphQLNonNull, get_named_type
from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders
from tests.api.graphql.test_queries import counted_statements
from tests.api.graphql.test_wholesale import _create_account
from tests.api.graphql.test_wholesale_terms import _terms

from opencentra.api.graphql.schema import schema

TYPES_2021 = Path(__file__).resolve().parents[3] / ".." / "shared" / "spec" / "graphql-types-2021.md"


def _names_2021(section: str) -> set[str]:
    text = TYPES_2021.read_text()
    found = re.search(rf"^## {section} \(\d+\)\n\n(.*?)\n\n", text, re.S | re.M)
    assert found is not None, section
    return set(re.findall(r"`([^`]+)`", found.group(1)))


NO_WHERE = {
    "eventListeners": "the token's own listeners, a handful at most",
    "rateLimits": "always the six buckets",
}
NO_PAGE = {**NO_WHERE, "events": "a queue: confirmEvents moves it on, so only limit applies"}


def _ids(body: dict[str, Any], field: str) -> list[Any]:
    return [row["id"] for row in body["data"][field]]


def test_per_type_sort_and_filter_variables_validate_and_sort(gql: GraphQLClient, world: World) -> None:
    query = "query ($sort: [MarketSort!], $where: MarketFilter) { markets(where: $where, sort: $sort) { id name } }"
    descending = gql.query(query, {"sort": ["id_DESC"]})
    assert _ids(descending, "markets") == [world.wholesale_market_id, world.market_id]
    by_name = gql.query(query, {"sort": ["name_ASC"], "where": {"name": {"contains": "e"}}})
    assert [m["name"] for m in by_name["data"]["markets"]] == ["Sweden"]
    pricelists = gql.query(
        "query ($sort: [PricelistSort!], $where: PricelistFilter) { pricelists(where: $where, sort: $sort) { id } }",
        {"sort": ["id_ASC"], "where": {"id": [world.pricelist_id]}},
    )
    assert _ids(pricelists, "pricelists") == [world.pricelist_id]
    stores = gql.query("query ($sort: [StoreSort!]) { stores(sort: $sort) { id } }", {"sort": ["name_ASC"]})
    assert _ids(stores, "stores") == [world.store_id, world.wholesale_store_id]  # Retail, Wholesale


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        ("query ($s: [IdSort!]) { markets(sort: $s) { id } }", {"s": ["id_DESC"]}, "markets"),
        ("query ($s: [IdSort!]!) { warehouses(sort: $s) { id } }", {"s": ["name_ASC"]}, "warehouses"),
        (
            "query ($s: [NameSort!], $w: NameFilter) { brands(where: $w, sort: $s) { id } }",
            {"s": ["id_ASC"], "w": {"id": [1]}},
            "brands",
        ),
        ("query ($s: [NameSort!]) { categories(sort: $s) { id } }", {"s": ["name_DESC"]}, "categories"),
        ("query ($s: [PromotionSort!]) { campaigns(sort: $s) { id } }", {"s": ["updatedAt_DESC"]}, "campaigns"),
        ("query ($s: [PromotionSort!]) { vouchers(sort: $s) { id } }", {"s": ["id_ASC"]}, "vouchers"),
        (
            "query ($s: [ProductSort!]) { productVariants(sort: $s) { id } }",
            {"s": ["createdAt_DESC"]},
            "productVariants",
        ),
        ("query ($w: TermsFilter) { paymentTerms(where: $w) { id } }", {"w": {"id": [1]}}, "paymentTerms"),
    ],
)
def test_the_older_shared_names_still_validate_as_aliases(
    gql: GraphQLClient, world: World, document: str, variables: dict[str, Any], field: str
) -> None:
    body = gql.query(document, variables)
    assert isinstance(body["data"][field], list)


def test_markets_sorted_through_a_legacy_variable_are_sorted(gql: GraphQLClient, world: World) -> None:
    body = gql.query("query ($s: [IdSort!]) { markets(sort: $s) { id } }", {"s": ["id_DESC"]})
    assert _ids(body, "markets") == [world.wholesale_market_id, world.market_id]


def test_a_variable_of_an_unrelated_type_is_still_refused(gql: GraphQLClient, world: World) -> None:
    response = gql.post("query ($s: [OrderSort!]) { markets(sort: $s) { id } }", {"s": ["id_ASC"]})
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert (
        "Variable '$s' of type '[OrderSort!]' used in position expecting type '[MarketSort!]'." in errors[0]["message"]
    )
    # An alias does not work in reverse: MarketSort is not accepted where IdSort would be... nor anywhere else.
    response = gql.post("query ($s: [MarketSort!]) { brands(sort: $s) { id } }", {"s": ["id_ASC"]})
    assert "errors" in response.json()


@pytest.mark.skipif(not TYPES_2021.exists(), reason=f"Centra's type list not found at {TYPES_2021}")
def test_every_list_query_takes_where_sort_limit_and_page_by_centras_names() -> None:
    """``where``/``limit``/``page`` everywhere (exceptions above); ``sort`` and ``where`` typed by
    Centra's ``<Type>Sort`` / ``<Type>Filter`` wherever Centra's 2021 schema has that name."""
    enums, inputs = _names_2021("Enums"), _names_2021("Input Objects")
    problems: list[str] = []
    for name, field in schema._schema.query_type.fields.items():  # type: ignore[union-attr]
        shape = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        if not isinstance(shape, GraphQLList):
            continue
        item = get_named_type(shape).name
        args = set(field.args)
        wanted = {"limit"} if name in NO_PAGE and name not in NO_WHERE else set()
        if name not in NO_PAGE:
            wanted = {"where", "limit", "page"}
        if missing := wanted - args:
            problems.append(f"{name} lacks {sorted(missing)}")
        if f"{item}Sort" in enums:
            sort = field.args.get("sort")
            if sort is None or get_named_type(sort.type).name != f"{item}Sort":
                problems.append(f"{name}(sort:) should be [{item}Sort!]")
        if f"{item}Filter" in inputs and name not in NO_WHERE:
            where = field.args.get("where")
            if where is None or get_named_type(where.type).name != f"{item}Filter":
                problems.append(f"{name}(where:) should be {item}Filter")
    assert problems == []


def test_sorts_reach_the_domain(api: Any, gql: GraphQLClient, world: World) -> None:
    first = _create_account(gql, world, name="Alpha")["account"]["id"]
    second = _create_account(gql, world, name="Zulu")["account"]["id"]
    accounts = gql.query("query ($s: [AccountSort!]) { accounts(sort: $s) { id } }", {"s": ["name_DESC"]})
    assert _ids(accounts, "accounts") == [second, first]
    accounts = gql.query("{ accounts(sort: [id_DESC], limit: 1, page: 2) { id } }")
    assert _ids(accounts, "accounts") == [first]

    thirty = _terms(gql, "Payment", name="30 Net", description="", dueDays=30)["paymentTerms"]["id"]
    ten = _terms(gql, "Payment", name="10 Net", description="", dueDays=10)["paymentTerms"]["id"]
    terms = gql.query(
        "query ($s: [PaymentTermsSort!], $w: PaymentTermsFilter) { paymentTerms(where: $w, sort: $s) { id } }",
        {"s": ["name_ASC"], "w": {"id": [thirty, ten]}},
    )
    assert _ids(terms, "paymentTerms") == [ten, thirty]

    from opencentra import orders

    order_ids = api.call(add_orders, world, 2)
    shipment_ids = [
        api.call(orders.create_shipment, order_id, {api.call(_first_line, order_id): 1}).id for order_id in order_ids
    ]
    shipments = gql.query("query ($s: [ShipmentSort!]) { shipments(sort: $s) { id } }", {"s": ["id_DESC"]})
    assert _ids(shipments, "shipments") == sorted(shipment_ids, reverse=True)
    shipments = gql.query("{ shipments(sort: [createdAt_ASC]) { id } }")
    assert sorted(_ids(shipments, "shipments")) == sorted(shipment_ids)
    assert (
        gql.query("query ($s: [ReturnSort!]) { returns(sort: $s) { id } }", {"s": ["createdAt_DESC"]})["data"][
            "returns"
        ]
        == []
    )
    assert (
        gql.query(
            "query ($s: [InvoiceSort!], $w: InvoiceFilter) { invoices(where: $w, sort: $s) { id } }", {"s": ["id_DESC"]}
        )["data"]["invoices"]
        == []
    )

    windows = gql.query("query ($s: [DeliveryWindowSort!]) { deliveryWindows(sort: $s) { id } }", {"s": ["name_DESC"]})
    assert windows["data"]["deliveryWindows"] == []
    rules = gql.query(
        "query ($s: [AllocationRuleSort!], $w: AllocationRuleFilter) { allocationRules(where: $w, sort: $s) { name } }",
        {"s": ["id_DESC"], "w": {"name": {"contains": "main"}}},
    )
    assert rules["data"]["allocationRules"] == [{"name": "Main only"}]
    countries = gql.query("query ($s: [CountrySort!]) { countries(sort: $s) { code } }", {"s": ["name_DESC"]})
    assert [c["code"] for c in countries["data"]["countries"]] == ["SE"]
    currencies = gql.query("query ($s: [CurrencySort!]) { currencies(sort: $s) { code } }", {"s": ["code_DESC"]})
    assert [c["code"] for c in currencies["data"]["currencies"]] == ["SEK"]
    assert isinstance(
        gql.query("query ($s: [LanguageSort!]) { languages(sort: $s) { code } }", {"s": ["name_ASC"]})["data"][
            "languages"
        ],
        list,
    )


async def _first_line(db: Any, order_id: int) -> int:
    from opencentra import orders

    order = await orders.get_order(db, order_id)
    return order.lines[0].id


SORTED_LISTS = """
{
  accounts(sort: [name_DESC]) { id name }
  shipments(sort: [createdAt_DESC]) { id }
  returns(sort: [id_DESC]) { id }
  invoices(sort: [id_DESC]) { id }
  paymentTerms(sort: [name_ASC]) { id }
  shippingTerms(sort: [name_DESC]) { id }
  salesRepresentatives(sort: [id_DESC]) { id }
  deliveryWindows(sort: [name_ASC]) { id }
  allocationRules(sort: [name_ASC]) { id }
  countries(sort: [name_ASC]) { code }
  currencies(sort: [code_ASC]) { code }
  languages(sort: [code_ASC]) { code }
}
"""


def test_sorted_lists_issue_one_statement_each_whatever_their_size(api: Any, gql: GraphQLClient, world: World) -> None:
    _create_account(gql, world, name="One")
    with counted_statements(api) as few:
        gql.query(SORTED_LISTS)
    for n in range(6):
        _create_account(gql, world, name=f"More {n}")
        _terms(gql, "Payment", name=f"{n} Net", description="", dueDays=n)
    with counted_statements(api) as many:
        body = gql.query(SORTED_LISTS)
    assert len(body["data"]["accounts"]) == 7
    assert len(many) == len(few), "\n".join(many)
    # token + one per list (currencies: ids, then the currency loader)
    assert len(many) <= 14, "\n".join(many)
