"""PIM mutations (products, variants, sizes, displays), vouchers, campaigns and displayConnection."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from tests.api.graphql.gqlkit import GraphQLClient, World

from opencentra.catalog import folders
from opencentra.catalog.products import gtin_check_digit
from opencentra.db.engine import Database
from opencentra.events.models import Event
from opencentra.pricing.campaigns import CampaignVariantSpec, create_campaign
from opencentra.pricing.vouchers import VoucherSpec, create_voucher


def ean(n: int) -> str:
    body = f"{n:012d}"
    return body + gtin_check_digit(body)


async def _events(db: Database) -> list[tuple[str, str]]:
    async with db.read() as session:
        return [(e.object_type, e.action) for e in await session.scalars(select(Event).order_by(Event.id))]


def test_product_variant_size_flow(gql: GraphQLClient, world: World) -> None:
    shop = gql.api.call(folders.create_folder, "Shop")
    before = len(gql.api.call(_events))
    body = gql.query(
        """
        mutation addProduct($folder: Int!) {
          createProduct(input: {name: "First Product", status: ACTIVE, productNumber: "Prod123", folder: {id: $folder},
                                countryOfOrigin: {code: "DE"}, harmonizedCommodityCode: "HCC123",
                                harmonizedCommodityCodeDescription: "Harm Code Description", externalId: "My product 1"}) {
            product { id name status productNumber brand { name } folder { name } countryOfOrigin { code }
                      harmonizedCommodityCode harmonizedCommodityCodeDescription variants { id } }
            userErrors { message path }
            userWarnings { message path }
          }
          missing: createProduct(input: {name: "No number"}) { product { id } userErrors { message path } }
          dup: createProduct(input: {name: "Dup", productNumber: "TEE"}) { product { id } userErrors { message path } }
        }
        """,
        {"folder": shop.id},
    )
    data = body["data"]
    created = data["createProduct"]
    assert created["userErrors"] == []
    product = created["product"]
    assert product["productNumber"] == "Prod123" and product["status"] == "ACTIVE" and product["variants"] == []
    assert product["folder"] == {"name": "Shop"} and product["harmonizedCommodityCode"] == "HCC123"
    assert created["userWarnings"] == []
    assert data["missing"]["userErrors"][0]["path"] == ["input", "productNumber"]
    assert (
        data["dup"]["userErrors"][0]["path"] == ["input", "product_number"]
        or "TEE" in data["dup"]["userErrors"][0]["message"]
    )
    assert body["extensions"]["permissionsUsed"] == ["Product:write", "Product.Folder:read"]

    chart_id = gql.query("{ sizeCharts { id name } }")["data"]["sizeCharts"][0]["id"]
    body = gql.query(
        """
        mutation ($chart: Int!, $s: String!) {
          createProductVariant(input: {product: {externalId: "My product 1"}, name: "Blue shirt", status: INACTIVE,
                                       variantNumber: "876", sizeChart: {id: $chart}, internalName: "vrnt",
                                       unitCost: {value: 41, currencyIsoCode: "SEK"}, externalId: "My variant 1",
                                       productSizes: [{size: {name: "S"}, EAN: $s}]}) {
            productVariant { id name status variantNumber sizeChart { id } productSizes { EAN GTIN size { name } } }
            userErrors { message path }
            userWarnings { message path }
          }
          bad: createProductVariant(input: {product: {externalId: "nope"}, name: "X"}) { productVariant { id } userErrors { message path } }
        }
        """,
        {"chart": chart_id, "s": ean(1)},
    )
    made = body["data"]["createProductVariant"]
    assert made["userErrors"] == []
    variant = made["productVariant"]
    assert variant["status"] == "INACTIVE" and variant["sizeChart"] == {"id": chart_id}
    assert variant["productSizes"] == [{"EAN": ean(1), "GTIN": ean(1), "size": {"name": "S"}}]
    assert [w["path"][-1] for w in made["userWarnings"]] == ["internalName"]
    assert body["data"]["bad"]["userErrors"] == [
        {"message": "Could not find Product with external ID nope", "path": ["input", "product"]}
    ]

    body = gql.query(
        """
        mutation ($l: String!) {
          createOneSize: createProductSize(input: {productVariant: {externalId: "My variant 1"}, size: {name: "L"}, gtin: $l, sizeNumber: "111"}) {
            productSize { id GTIN sizeNumber size { name } } userErrors { message path }
          }
          again: createProductSize(input: {productVariant: {externalId: "My variant 1"}, size: {name: "L"}}) { productSize { id } userErrors { message path } }
          notGtin: createProductSize(input: {productVariant: {externalId: "My variant 1"}, size: {name: "XL"}, gtin: "EAN000111"}) { productSize { id } userErrors { message path } }
        }
        """,
        {"l": ean(3)},
    )
    data = body["data"]
    assert data["createOneSize"]["productSize"]["GTIN"] == ean(3)
    assert data["createOneSize"]["productSize"]["sizeNumber"] == "111"
    assert data["again"]["productSize"] is None and data["again"]["userErrors"][0]["path"] == ["input", "size"]
    assert data["notGtin"]["productSize"] is None

    body = gql.query(
        """
        mutation ($id: Int!, $v: Int!) {
          updateProduct(id: $id, input: {name: "Renamed", weight: {value: 3, unit: POUNDS}, measurementTable: {inherited: false, measurementChart: {id: null}}}) {
            product { id name weight { value unit formattedValue } measurementTable { inherited chart { name } } }
            userErrors { message path } userWarnings { message path }
          }
          mapped: updateProduct(id: $id, input: {assignMappedAttributes: [{attributeTypeName: "pr_materials", attributeId: 7}]}) {
            product { id } userErrors { message path }
          }
          gone: updateProduct(id: 999999, input: {name: "x"}) { product { id } userErrors { message path } }
          updateProductVariant(id: $v, input: {name: "Navy", status: ACTIVE}) { productVariant { name status } userErrors { message } }
        }
        """,
        {"id": product["id"], "v": variant["id"]},
    )
    data = body["data"]
    updated = data["updateProduct"]
    assert updated["product"]["name"] == "Renamed"
    assert updated["product"]["weight"] == {"value": 1.361, "unit": "KILOGRAMS", "formattedValue": "1.361 kg"}
    assert updated["product"]["measurementTable"] == {"inherited": False, "chart": None}
    assert [w["message"] for w in updated["userWarnings"]] == [
        "Weight unit has been changed from POUNDS to KILOGRAMS",
        "Weight has been rounded to 3 decimal places",
    ]
    assert data["mapped"]["product"] is None and "pr_materials" in data["mapped"]["userErrors"][0]["message"]
    assert data["gone"]["userErrors"] == [{"message": "Could not find Product with ID 999999", "path": ["input"]}]
    assert data["updateProductVariant"]["productVariant"] == {"name": "Navy", "status": "ACTIVE"}

    recorded = gql.api.call(_events)[before:]
    assert ("product", "created") in recorded and ("variant", "created") in recorded
    assert ("product_size", "created") in recorded and ("variant", "updated") in recorded
    assert recorded.count(("product", "updated")) == 1  # the refused updates wrote nothing


def test_display_mutations_and_connection(gql: GraphQLClient, world: World) -> None:
    body = gql.query(
        """
        mutation ($store: Int!, $product: Int!, $market: Int!) {
          create: createDisplay(input: {name: "New display!", status: ACTIVE, store: {id: $store}, product: {id: $product},
                                        addMarkets: [{id: $market}], addProductMedia: [{productMedia: {id: 467}}]}) {
            display { id name uri status productVariants { id } markets { id } media { id } }
            userErrors { message path } userWarnings { message path }
          }
          taken: createDisplay(input: {name: "Tee", status: ACTIVE, store: {id: $store}, product: {id: $product}}) {
            display { id } userErrors { message path }
          }
          noStore: createDisplay(input: {name: "X", status: ACTIVE, store: {id: 999999}, product: {id: $product}}) {
            display { id } userErrors { message path }
          }
        }
        """,
        {"store": world.store_id, "product": world.product_id, "market": world.market_id},
    )
    data = body["data"]
    display = data["create"]["display"]
    assert display["uri"] == "new-display" and display["productVariants"] == [] and display["media"] == []
    assert display["markets"] == [{"id": world.market_id}]
    assert "media" in data["create"]["userWarnings"][0]["message"]
    assert data["taken"]["display"] is None and data["taken"]["userErrors"][0]["path"] == ["input", "uri"]
    assert data["noStore"]["userErrors"][0]["message"] == "Could not find Store with ID 999999"

    body = gql.query(
        """
        mutation ($id: Int!, $variant: Int!) {
          addVariantsToDisplay: updateDisplay(id: $id, input: { addProductVariants: { productVariant: { id: $variant } } }) {
            display { id productVariants { id } } userErrors { message path }
          }
          rename: updateDisplay(id: $id, input: {name: "Renamed", status: INACTIVE, removeMarkets: [{id: 999}]}) {
            display { name status markets { id } } userErrors { message path }
          }
          gone: updateDisplay(id: 999999, input: {name: "x"}) { display { id } userErrors { message path } }
        }
        """,
        {"id": display["id"], "variant": world.variant_id},
    )
    data = body["data"]
    assert data["addVariantsToDisplay"]["display"]["productVariants"] == [{"id": world.variant_id}]
    assert data["rename"]["display"]["status"] == "INACTIVE" and data["rename"]["display"]["name"] == "Renamed"
    assert data["gone"]["userErrors"] == [{"message": "Could not find Display with ID 999999", "path": ["id"]}]

    # A store-restricted token cannot touch another store's displays.
    token = gql.token(["Display:write", "Display:read"], store_id=world.wholesale_store_id)
    refused = gql.query(
        'mutation ($id: Int!) { updateDisplay(id: $id, input: {name: "x"}) { display { id } userErrors { message } } }',
        {"id": display["id"]},
        token=token,
    )["data"]["updateDisplay"]
    assert refused["display"] is None
    assert gql.query("{ displayConnection(first: 10) { totalCount edges { node { id } } } }", token=token)["data"][
        "displayConnection"
    ] == {"totalCount": 0, "edges": []}

    # Cursor paging over the two displays, both ways.
    query = """
      query ($first: Int, $last: Int, $after: String, $before: String) {
        displayConnection(first: $first, last: $last, after: $after, before: $before) {
          totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }
        }
      }
    """
    page = gql.query(query, {"first": 1})["data"]["displayConnection"]
    assert page["totalCount"] == 2 and [e["node"]["id"] for e in page["edges"]] == [world.display_id]
    assert page["pageInfo"]["hasNextPage"] is True and page["pageInfo"]["hasPreviousPage"] is False
    following = gql.query(query, {"first": 5, "after": page["pageInfo"]["endCursor"]})["data"]["displayConnection"]
    assert [e["node"]["id"] for e in following["edges"]] == [display["id"]]
    assert following["pageInfo"]["hasNextPage"] is False and following["pageInfo"]["hasPreviousPage"] is True
    last = gql.query(query, {"last": 1})["data"]["displayConnection"]
    assert [e["node"]["id"] for e in last["edges"]] == [display["id"]]
    bad = gql.post(query, {"first": 1, "after": "not a cursor"}).json()
    assert bad["errors"][0]["extensions"]["category"] == "validation"
    by_date = gql.query(
        "{ displayConnection(first: 1, sort: [updatedAt_DESC]) { edges { cursor } pageInfo { endCursor } } }"
    )["data"]["displayConnection"]
    cursor = by_date["pageInfo"]["endCursor"]
    rest = gql.query(
        "query ($c: String) { displayConnection(first: 5, after: $c, sort: [updatedAt_DESC]) { edges { node { id } } } }",
        {"c": cursor},
    )["data"]["displayConnection"]["edges"]
    assert len(rest) == 1


def test_vouchers_and_campaigns(gql: GraphQLClient, world: World) -> None:
    body = gql.query(
        """
        mutation addVoucher($input: VoucherCreateInput!) {
          createVoucher(input: $input) {
            voucher { id name type status code percentOff usageLimit usedCount freeShipping
                      amountsOff { value } minimumTotals { value formattedValue } markets { id } store { id }
                      startDate endDate }
            userErrors { message path }
          }
        }
        """,
        {
            "input": {
                "name": "Ten off",
                "store": {"id": world.store_id},
                "code": "TEN",
                "percentOff": 10,
                "minimumTotals": [{"value": 100, "currencyIsoCode": "SEK"}],
                "markets": [{"id": world.market_id}],
                "startDate": "2024-01-01T00:00:00+00:00",
                "endDate": "2030-01-01",
            }
        },
    )
    made = body["data"]["createVoucher"]
    assert made["userErrors"] == []
    voucher = made["voucher"]
    assert voucher["type"] == "CODE" and voucher["code"] == "TEN" and voucher["percentOff"] == 10.0
    assert voucher["usageLimit"] == 0 and voucher["usedCount"] == 0 and voucher["amountsOff"] == []
    assert voucher["minimumTotals"] == [{"value": 100.0, "formattedValue": "100.00 kr"}]
    assert voucher["markets"] == [{"id": world.market_id}] and voucher["startDate"] == "2024-01-01T00:00:00+00:00"
    assert body["extensions"]["permissionsUsed"] == ["Voucher:write"]

    errors = gql.query(
        """
        mutation ($store: Int!) {
          dup: createVoucher(input: {name: "Again", store: {id: $store}, code: "ten", percentOff: 5}) { voucher { id } userErrors { message path } }
          noAction: createVoucher(input: {name: "Nothing", store: {id: $store}, code: "X1"}) { voucher { id } userErrors { message path } }
          badCurrency: createVoucher(input: {name: "Eur", store: {id: $store}, code: "X2", amountsOff: [{value: 5, currencyIsoCode: "EUR"}]}) { voucher { id } userErrors { message path } }
          window: createVoucher(input: {name: "W", store: {id: $store}, type: AUTO, freeShipping: true, startDate: "2025-01-01", endDate: "2024-01-01"}) { voucher { id } userErrors { message path } }
        }
        """,
        {"store": world.store_id},
    )["data"]
    assert errors["dup"]["userErrors"][0]["path"] == ["input", "code"]
    assert errors["noAction"]["userErrors"][0]["path"] == ["input", "action"]
    assert errors["badCurrency"]["userErrors"][0]["path"] == ["input", "amountsOff"]
    assert errors["window"]["userErrors"][0]["path"] == ["input", "endDate"]

    gql.api.call(
        create_voucher,
        VoucherSpec(
            store_id=world.wholesale_store_id, name="B2B", type=_auto(), amounts={world.currency_id: Decimal(5)}
        ),
    )
    gql.api.call(
        create_campaign,
        world.store_id,
        "Summer sale",
        market_ids=[world.market_id],
        variants=[CampaignVariantSpec(world.variant_id, 2500)],
        starts_at=datetime(2024, 6, 1, tzinfo=UTC),
    )
    listed = gql.query(
        """
        query ($id: Int!) {
          vouchers(sort: [id_ASC]) { name type amountsOff { value } }
          byCode: vouchers(where: {code: "ten"}) { id }
          voucher(id: $id) { name }
          campaigns { name status startDate markets { id } variants { discountPercent productVariant { id } pricelist { id } } }
        }
        """,
        {"id": voucher["id"]},
    )
    data = listed["data"]
    assert [(v["name"], v["type"]) for v in data["vouchers"]] == [("Ten off", "CODE"), ("B2B", "AUTO")]
    assert data["vouchers"][1]["amountsOff"] == [{"value": 5.0}]
    assert data["byCode"] == [{"id": voucher["id"]}] and data["voucher"] == {"name": "Ten off"}
    assert data["campaigns"] == [
        {
            "name": "Summer sale",
            "status": "ACTIVE",
            "startDate": "2024-06-01T00:00:00+00:00",
            "markets": [{"id": world.market_id}],
            "variants": [{"discountPercent": 25.0, "productVariant": {"id": world.variant_id}, "pricelist": None}],
        }
    ]
    assert listed["extensions"]["permissionsUsed"] == ["Voucher:read", "Campaign:read"]

    restricted = gql.token(["Voucher:read", "Campaign:read"], store_id=world.wholesale_store_id)
    seen = gql.query(
        "query ($id: Int!) { vouchers { name } voucher(id: $id) { id } campaigns { id } }",
        {"id": voucher["id"]},
        token=restricted,
    )["data"]
    assert seen == {"vouchers": [{"name": "B2B"}], "voucher": None, "campaigns": []}


def _auto() -> Any:
    from opencentra.pricing.models import VoucherType

    return VoucherType.AUTO


def test_market_lists_its_displays_campaigns_and_allocation_rule(gql: GraphQLClient, world: World) -> None:
    gql.api.call(
        create_campaign,
        world.store_id,
        "Sale",
        market_ids=[world.market_id],
        variants=[CampaignVariantSpec(world.variant_id, 1000)],
    )
    gql.query(
        "mutation ($d: Int!, $m: Int!) { updateDisplay(id: $d, input: {addMarkets: [{id: $m}]}) { userErrors { message } } }",
        {"d": world.display_id, "m": world.market_id},
    )
    query = "query ($id: Int!) { market(id: $id) { campaigns { name } displays { id } allocationRule { name } } }"
    body = gql.query(query, {"id": world.market_id})
    assert body["data"]["market"] == {
        "campaigns": [{"name": "Sale"}],
        "displays": [{"id": world.display_id}],
        "allocationRule": {"name": "Main only"},
    }
    assert body["extensions"]["permissionsUsed"] == [
        "Market:read",
        "Campaign:read",
        "Display:read",
        "AllocationRule:read",
    ]
    refused = gql.post(query, {"id": world.market_id}, token=gql.token(["Market:read"])).json()
    assert refused["data"]["market"] == {"campaigns": None, "displays": None, "allocationRule": None}
    assert {e["message"] for e in refused["errors"]} == {
        "You need Campaign:read permission to access campaigns.",
        "You need Display:read permission to access displays.",
        "You need AllocationRule:read permission to access allocationRule.",
    }


ATTRIBUTES = """
fragment attributes on ObjectWithAttributes {
  attributes { type { name isMapped } description objectType elements { key description kind ... on AttributeStringElement { value } } }
}
"""


def test_assign_and_unassign_dynamic_attributes(gql: GraphQLClient, world: World) -> None:
    from opencentra.catalog.models import AttributeScope
    from opencentra.catalog.products import create_attribute_type

    gql.api.call(create_attribute_type, "pr_long_name", "Long name")
    gql.api.call(create_attribute_type, "var_shade", "Shade", scope=AttributeScope.VARIANT)
    before = len(gql.api.call(_events))
    body = gql.query(
        """
        mutation ($p: Int!, $v: Int!) {
          assignAttributes(input: {objectType: Product, objectId: $p, dynamicAttributes: [
              {attributeTypeName: "pr_long_name", attributeElementKey: "text", attributeElementValue: "A very, very long name, indeed!"}]}) {
            userErrors { message path }
            object { ... on Product { id name } ...attributes }
          }
          variant: assignAttributes(input: {objectType: ProductVariant, objectId: $v, dynamicAttributes: [
              {attributeTypeName: "var_shade", attributeElementKey: "text", attributeElementValue: "navy"}]}) {
            object { ... on ProductVariant { id } ...attributes }
          }
          mapped: assignAttributes(input: {objectType: Product, objectId: $p, mappedAttributes: [{attributeTypeName: "pr_materials", attributeId: 7}]}) {
            object { __typename } userErrors { message path }
          }
          customer: assignAttributes(input: {objectType: Customer, objectId: 1, dynamicAttributes: [{attributeTypeName: "cus_extra", attributeElementKey: "id", attributeElementValue: "x"}]}) {
            object { __typename } userErrors { message path }
          }
          wrongScope: assignAttributes(input: {objectType: Product, objectId: $p, dynamicAttributes: [
              {attributeTypeName: "var_shade", attributeElementKey: "text", attributeElementValue: "x"}]}) {
            object { __typename } userErrors { message path }
          }
          wrongKey: assignAttributes(input: {objectType: Product, objectId: $p, dynamicAttributes: [
              {attributeTypeName: "pr_long_name", attributeElementKey: "id", attributeElementValue: "x"}]}) {
            object { __typename } userErrors { message path }
          }
          gone: assignAttributes(input: {objectType: Product, objectId: 999999, dynamicAttributes: [
              {attributeTypeName: "pr_long_name", attributeElementKey: "text", attributeElementValue: "x"}]}) {
            object { __typename } userErrors { message path }
          }
        }
        """
        + ATTRIBUTES,
        {"p": world.product_id, "v": world.variant_id},
    )
    data = body["data"]
    assert data["assignAttributes"]["userErrors"] == []
    assert data["assignAttributes"]["object"] == {
        "id": world.product_id,
        "name": "Tee",
        "attributes": [
            {
                "type": {"name": "pr_long_name", "isMapped": False},
                "description": "Long name",
                "objectType": "Product",
                "elements": [
                    {
                        "key": "text",
                        "description": "Long name",
                        "kind": "STRING",
                        "value": "A very, very long name, indeed!",
                    }
                ],
            }
        ],
    }
    assert data["variant"]["object"]["attributes"][0]["elements"][0]["value"] == "navy"
    for name, path in (
        ("mapped", ["input", "mappedAttributes"]),
        ("customer", ["input", "objectType"]),
        ("wrongScope", ["input", "attribute"]),
        ("wrongKey", ["input", "dynamicAttributes", "0"]),
        ("gone", ["input", "objectId"]),
    ):
        assert data[name]["object"] is None and data[name]["userErrors"][0]["path"] == path, name
    assert body["extensions"]["permissionsUsed"][0] == "Attribute:write"
    assert "Product.attributes:read" in body["extensions"]["permissionsUsed"]
    assert gql.api.call(_events)[before:] == [("product", "updated"), ("product", "updated")]

    removed = gql.query(
        """
        mutation ($p: Int!) {
          unassignAttributes(input: {objectType: Product, objectId: $p, dynamicAttributes: [{attributeTypeName: "pr_long_name", attributeElementKey: "text"}]}) {
            userErrors { message } object { ...attributes }
          }
        }
        """
        + ATTRIBUTES,
        {"p": world.product_id},
    )["data"]["unassignAttributes"]
    assert removed == {"userErrors": [], "object": {"attributes": []}}
    # Without the nested permission, the attributes are refused but the rest is read.
    token = gql.token(["Product:read", "Customer:read"])
    refused = gql.post(
        "{ products { id attributes { description } } customers { attributes { description } } }", token=token
    ).json()
    assert refused["data"]["products"] == [{"id": world.product_id, "attributes": None}]
    assert {e["message"] for e in refused["errors"]} == {
        "You need Product.attributes:read permission to access attributes.",
        "You need Customer.attributes:read permission to access attributes.",
    }


def test_pim_changes_reach_the_events_system(gql: GraphQLClient, world: World) -> None:
    gql.query(
        "mutation { setEventListeners(input: [{objectType: ProductVariant}, {objectType: ProductSize, changeTypes: [CREATED]}, {objectType: Display}]) { userErrors { message } } }"
    )
    made = gql.query(
        """
        mutation ($p: Int!, $d: Int!) {
          createProductVariant(input: {product: {id: $p}, name: "Red", variantNumber: "RED"}) { productVariant { id } }
          updateDisplay(id: $d, input: {description: "New text"}) { display { id } }
        }
        """,
        {"p": world.product_id, "d": world.display_id},
    )["data"]
    variant_id = made["createProductVariant"]["productVariant"]["id"]
    size = gql.query(
        'mutation ($v: Int!) { createProductSize(input: {productVariant: {id: $v}, size: {name: "S"}}) { productSize { id } } }',
        {"v": variant_id},
    )["data"]["createProductSize"]["productSize"]
    events = gql.query(
        """
        { events(limit: 50) { objectType changeType object { __typename ... on ProductVariant { id } ... on ProductSize { id } ... on Display { id } } } }
        """
    )["data"]["events"]
    assert [(e["objectType"], e["changeType"], e["object"]) for e in events] == [
        ("ProductVariant", "CREATED", {"__typename": "ProductVariant", "id": variant_id}),
        ("Display", "UPDATED", {"__typename": "Display", "id": world.display_id}),
        ("ProductSize", "CREATED", {"__typename": "ProductSize", "id": size["id"]}),
    ]


def test_sizes_report_their_products_weight(gql: GraphQLClient, world: World) -> None:
    sizes = gql.query(
        "{ products { weight { value } variants { productSizes { weight { value unit formattedValue } } } } }"
    )["data"]["products"][0]
    assert sizes["weight"] == {"value": 0.25}
    assert sizes["variants"][0]["productSizes"][0]["weight"] == {
        "value": 0.25,
        "unit": "KILOGRAMS",
        "formattedValue": "0.25 kg",
    }


def test_all_in_one_request_by_external_ids(gql: GraphQLClient, world: World) -> None:
    body = gql.query(
        """
        mutation allInOne($store: Int!) {
          createSizeChart(input: {name: "Chart with two sizes", horizontalLabels: ["50", "51"], externalId: "My size chart", dividerSymbol: "-"}) {
            sizeChart { id sizes { id } } userErrors { message }
          }
          createProduct(input: {name: "xyz", status: ACTIVE, productNumber: "XYZ", externalId: "My product 1"}) { product { id } userErrors { message } }
          createV1: createProductVariant(input: {product: {externalId: "My product 1"}, name: "First", status: ACTIVE,
                                                 sizeChart: {externalId: "My size chart"}, externalId: "My variant 1",
                                                 productSizes: [{size: {name: "50"}}, {size: {name: "51"}}]}) {
            productVariant { id productSizes { size { name } } } userErrors { message }
          }
          createD1: createDisplay(input: {product: {externalId: "My product 1"}, store: {id: $store}, name: "Display 1", status: ACTIVE,
                                          uri: "some-unique-uri", addProductVariants: [{productVariant: {externalId: "My variant 1"}}]}) {
            display { uri productVariants { id } } userErrors { message }
          }
        }
        """,
        {"store": world.store_id},
    )
    data = body["data"]
    assert all(not data[name]["userErrors"] for name in ("createSizeChart", "createProduct", "createV1", "createD1"))
    variant = data["createV1"]["productVariant"]
    assert [s["size"]["name"] for s in variant["productSizes"]] == ["50", "51"]
    assert data["createD1"]["display"] == {"uri": "some-unique-uri", "productVariants": [{"id": variant["id"]}]}
    entries = gql.query("{ idConversions { objectType externalId } }")["data"]["idConversions"]
    assert {(e["objectType"], e["externalId"]) for e in entries} == {
        ("SizeChart", "My size chart"),
        ("Product", "My product 1"),
        ("ProductVariant", "My variant 1"),
    }
