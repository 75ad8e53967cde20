"""createBundle / updateBundle / bundle over GraphQL, shaped like Centra's ERP guide example."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from tests.api.graphql.gqlkit import GraphQLClient, World

from opencentra.catalog import products
from opencentra.catalog.models import Product, SizeChart
from opencentra.catalog.products import ProductSpec, SizeSpec, VariantSpec
from opencentra.db.engine import Database
from opencentra.integration.permissions import ALL_PERMISSIONS

CREATE = """
mutation createFixedBundle($chart: Int!, $tee: Int!, $cap: Int!, $sizes: [SizeInputRef!]) {
  createBundle(
    input: {
      product: {
        name: "Test bundle product"
        status: ACTIVE
        productNumber: "123"
        harmonizedCommodityCode: "code"
        harmonizedCommodityCodeDescription: "description"
      }
      type: FIXED
      priceType: STATIC
      sizeChart: {id: $chart}
      sizes: $sizes
      addBundleSections: [
        {quantity: 1, productVariants: [{id: $tee}]}
        {quantity: 2, productVariants: [{id: $cap}]}
      ]
    }
  ) {
    userErrors { message path }
    bundle {
      id
      type
      priceType
      sections { quantity isOptional productVariants { id name } }
      product { id name productNumber isBundle }
      productVariant { id }
    }
  }
}
"""


async def _cap(db: Database, world: World) -> tuple[int, int]:
    """(size chart id, the cap's variant id): a one-size cap in the tee's chart."""
    async with db.read() as session:
        chart_id = await session.scalar(select(Product.size_chart_id).where(Product.id == world.product_id))
        assert chart_id is not None
        chart = await session.get(SizeChart, chart_id)
        assert chart is not None
    from opencentra.catalog.models import Size

    async with db.read() as session:
        small = await session.scalar(select(Size.id).where(Size.size_chart_id == chart_id, Size.name == "S"))
        assert small is not None
    cap = await products.create_product(
        db,
        ProductSpec(
            name="Cap",
            product_number="CAP",
            size_chart_id=chart_id,
            variants=[VariantSpec("Red", "RED", [SizeSpec(small)])],
        ),
    )
    return chart_id, cap.variants[0].id


@pytest.fixture
def parts(api: Any, world: World) -> tuple[int, int]:
    return api.call(_cap, world)  # type: ignore[no-any-return]


def _variables(world: World, parts: tuple[int, int], **extra: Any) -> dict[str, Any]:
    chart, cap = parts
    return {"chart": chart, "tee": world.variant_id, "cap": cap, "sizes": [{"name": "S"}, {"name": "L"}], **extra}


def test_create_a_fixed_bundle_as_the_guide_does(gql: GraphQLClient, world: World, parts: tuple[int, int]) -> None:
    body = gql.query(CREATE, _variables(world, parts))
    payload = body["data"]["createBundle"]
    assert payload["userErrors"] == []
    bundle = payload["bundle"]
    assert (bundle["type"], bundle["priceType"]) == ("FIXED", "STATIC")
    assert [(s["quantity"], s["isOptional"], [v["id"] for v in s["productVariants"]]) for s in bundle["sections"]] == [
        (1, False, [world.variant_id]),
        (2, False, [parts[1]]),
    ]
    assert bundle["product"]["name"] == "Test bundle product"
    assert bundle["product"]["isBundle"] is True
    assert body["extensions"]["complexity"] > 0
    # The bundle's product reads as a bundle everywhere; other products do not.
    products_ = gql.query("{ products { id isBundle } }")["data"]["products"]
    assert {p["id"]: p["isBundle"] for p in products_} == {
        world.product_id: False,
        world.product_id + 1: False,
        bundle["product"]["id"]: True,
    }
    fetched = gql.query("query($id: Int!) { bundle(id: $id) { id productVariant { id } } }", {"id": bundle["id"]})
    assert fetched["data"]["bundle"] == {"id": bundle["id"], "productVariant": bundle["productVariant"]}
    assert gql.query("{ bundle(id: 424242) { id } }")["data"]["bundle"] is None


def test_create_bundle_user_errors(gql: GraphQLClient, world: World, parts: tuple[int, int]) -> None:
    unknown_size = gql.query(CREATE, _variables(world, parts, sizes=[{"name": "XXL"}]))["data"]["createBundle"]
    assert unknown_size["bundle"] is None
    assert unknown_size["userErrors"] == [
        {"message": "size 'XXL' is not in the size chart", "path": ["input", "sizes.0"]}
    ]
    missing_variant = gql.query(CREATE, _variables(world, parts, cap=987654))["data"]["createBundle"]
    assert missing_variant["userErrors"] == [
        {"message": "product variant 987654 not found", "path": ["input", "addBundleSections.1.productVariants"]}
    ]
    two_choices = """
    mutation($tee: Int!, $cap: Int!) {
      createBundle(input: {product: {name: "B", productNumber: "B1"}, type: FIXED, priceType: STATIC,
                           addBundleSections: [{quantity: 1, productVariants: [{id: $tee}, {id: $cap}]}]}) {
        userErrors { message path }
        bundle { id }
      }
    }"""
    fixed = gql.query(two_choices, {"tee": world.variant_id, "cap": parts[1]})["data"]["createBundle"]
    assert fixed["userErrors"] == [
        {
            "message": "each section of a fixed bundle offers exactly one variant",
            "path": ["input", "addBundleSections.0"],
        }
    ]
    # Nothing of a refused bundle is left behind (its product neither).
    assert [p["productNumber"] for p in gql.query("{ products { productNumber } }")["data"]["products"]] == [
        "TEE",
        "CAP",
    ]


def test_update_bundle(gql: GraphQLClient, world: World, parts: tuple[int, int]) -> None:
    created = gql.query(CREATE, _variables(world, parts))["data"]["createBundle"]["bundle"]
    update = """
    mutation($id: Int!, $tee: Int!, $cap: Int!) {
      updateBundle(id: $id, input: {type: FLEXIBLE, priceType: DYNAMIC, discountPercent: 15,
                                    addBundleSections: [{quantity: 1, isOptional: true, productVariants: [{id: $tee}, {id: $cap}]}]}) {
        userErrors { message path }
        bundle { type priceType discountPercent sections { id isOptional productVariants { id } } }
      }
    }"""
    payload = gql.query(update, {"id": created["id"], "tee": world.variant_id, "cap": parts[1]})["data"]["updateBundle"]
    assert payload["userErrors"] == []
    bundle = payload["bundle"]
    assert (bundle["type"], bundle["priceType"], bundle["discountPercent"]) == ("FLEXIBLE", "DYNAMIC", 15)
    assert [s["isOptional"] for s in bundle["sections"]] == [False, False, True]
    back = gql.query(
        "mutation($id: Int!) { updateBundle(id: $id, input: {type: FIXED}) { userErrors { message } bundle { id } } }",
        {"id": created["id"]},
    )["data"]["updateBundle"]
    assert back["bundle"] is None
    assert back["userErrors"][0]["message"] == "each section of a fixed bundle offers exactly one variant"


def test_bundle_mutations_need_product_write(gql: GraphQLClient, world: World, parts: tuple[int, int]) -> None:
    token = gql.token([p for p in ALL_PERMISSIONS if p != "Product:write"])
    response = gql.post(CREATE, _variables(world, parts), token=token)
    body = response.json()
    assert body["data"] is None or body["data"].get("createBundle") is None
    assert body["errors"][0]["message"] == "You need Product:write permission to access createBundle."
    assert gql.query("{ products { id } }")["data"]["products"] == [
        {"id": world.product_id},
        {"id": world.product_id + 1},
    ]
    reader = gql.token([p for p in ALL_PERMISSIONS if p != "Product:read"])
    refused = gql.post("{ bundle(id: 1) { id } }", token=reader).json()
    assert refused["errors"][0]["message"] == "You need Product:read permission to access bundle."
