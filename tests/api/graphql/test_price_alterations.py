"""Price alterations over GraphQL (create, update, setAlteredPrices, read back), and createDiscount."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from tests.api.graphql.gqlkit import GraphQLClient, World

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.pricing import prices
from opencentra.pricing.alteration_models import AlteredPrice, PriceAlteration
from opencentra.pricing.models import Voucher

CREATE = """
mutation ($input: PriceAlterationCreateInput!) {
  createPriceAlteration(input: $input) {
    priceAlteration { id name startDate status store { id } deliveryWindows { id } }
    userErrors { message path }
    userWarnings { message path }
  }
}
"""

UPDATE = """
mutation ($id: Int!, $input: PriceAlterationUpdateInput!) {
  updatePriceAlteration(id: $id, input: $input) {
    priceAlteration { id name startDate status }
    userErrors { message path }
  }
}
"""

SET = """
mutation ($input: SetAlteredPricesInput!) {
  setAlteredPrices(input: $input) {
    priceAlteration { id }
    pricelist { id }
    products { id name }
    userErrors { message path }
    userWarnings { message path }
  }
}
"""


async def _count(db: Database, model: Any) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _shopper_price(db: Database, world: World) -> Any:
    async with db.read() as session:
        found = await prices.price_for_variants(
            session, world.pricelist_id, world.market_id, [world.variant_id], utcnow()
        )
    return found.get(world.variant_id)


def _create(gql: GraphQLClient, world: World, **fields: Any) -> dict[str, Any]:
    given = {"name": "First price alteration", "status": "INACTIVE", "store": {"id": world.store_id}}
    given["startDate"] = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    payload: dict[str, Any] = gql.query(CREATE, {"input": {**given, **fields}})["data"]["createPriceAlteration"]
    return payload


def test_the_documented_flow_changes_the_shopper_price(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(prices.set_prices, world.pricelist_id, [prices.PriceSpec(world.variant_id, prices.Decimal("199"))])
    created = _create(gql, world, startDate="2024-02-01T00:00:00+0000")
    assert created["userErrors"] == []
    alteration = created["priceAlteration"]
    assert {k: alteration[k] for k in ("name", "startDate", "status", "store", "deliveryWindows")} == {
        "name": "First price alteration",
        "startDate": "2024-02-01",
        "status": "INACTIVE",
        "store": {"id": world.store_id},
        "deliveryWindows": [],
    }

    body = gql.query(
        SET,
        {
            "input": {
                "priceAlteration": {"id": alteration["id"]},
                "pricelist": {"id": world.pricelist_id},
                "productPrices": [
                    {"product": {"id": world.product_id}, "price": {"value": 1000, "currencyIsoCode": "SEK"}}
                ],
            }
        },
    )
    payload = body["data"]["setAlteredPrices"]
    assert payload == {
        "priceAlteration": {"id": alteration["id"]},
        "pricelist": {"id": world.pricelist_id},
        "products": [{"id": world.product_id, "name": "Tee"}],
        "userErrors": [],
        "userWarnings": [],
    }
    assert body["extensions"]["permissionsUsed"][0] == "Price:write"
    assert api.call(_shopper_price, world).price == prices.Decimal("199.00")  # still inactive

    updated = gql.query(UPDATE, {"id": alteration["id"], "input": {"status": "ACTIVE"}})["data"][
        "updatePriceAlteration"
    ]
    assert (updated["priceAlteration"]["status"], updated["userErrors"]) == ("ACTIVE", [])
    shopper = api.call(_shopper_price, world)
    assert (shopper.price, shopper.price_alteration_id) == (prices.Decimal("1000.00"), alteration["id"])

    read = gql.query(
        """
        query ($id: Int!, $pricelist: Int!, $product: Int!) {
          priceAlteration(id: $id) {
            name startDate status store { id }
            prices(where: { pricelistId: $pricelist, productId: $product }) {
              id price { value formattedValue } recommendedRetailPrice { value }
              pricelist { id name } product { id name } productVariant { id name }
            }
          }
          priceAlterations(where: { status: [ACTIVE] }) { id }
        }
        """,
        {"id": alteration["id"], "pricelist": world.pricelist_id, "product": world.product_id},
    )["data"]
    entry = read["priceAlteration"]["prices"][0]
    assert entry["price"] == {"value": 1000.0, "formattedValue": "1,000.00 kr"}
    assert entry["recommendedRetailPrice"] is None
    assert (entry["pricelist"]["id"], entry["product"]["id"], entry["productVariant"]["id"]) == (
        world.pricelist_id,
        world.product_id,
        world.variant_id,
    )
    assert read["priceAlterations"] == [{"id": alteration["id"]}]


def test_bad_input_gives_user_errors_and_changes_nothing(api: Any, gql: GraphQLClient, world: World) -> None:
    unknown_store = _create(gql, world, store={"id": 99999})
    assert unknown_store["priceAlteration"] is None
    assert unknown_store["userErrors"] == [
        {"message": "Could not find Store with ID 99999", "path": ["input", "store"]}
    ]
    blank = _create(gql, world, name="  ")
    assert blank["userErrors"][0]["path"] == ["input", "name"]
    windows = _create(gql, world, deliveryWindows=[{"id": 424242}])
    assert windows["userErrors"][0]["path"] == ["input", "deliveryWindows"]
    assert api.call(_count, PriceAlteration) == 0

    missing = gql.query(UPDATE, {"id": 4242, "input": {"status": "ACTIVE"}})["data"]["updatePriceAlteration"]
    assert missing["userErrors"] == [{"message": "Could not find PriceAlteration with ID 4242", "path": ["id"]}]

    alteration = _create(gql, world)["priceAlteration"]["id"]
    base = {"priceAlteration": {"id": alteration}, "pricelist": {"id": world.pricelist_id}}
    wrong = gql.query(
        SET,
        {
            "input": {
                **base,
                "productPrices": [
                    {"product": {"id": world.product_id}, "price": {"value": 10, "currencyIsoCode": "EUR"}},
                    {"product": {"id": 99999}, "price": {"value": 10, "currencyIsoCode": "SEK"}},
                    {"product": {"id": world.product_id}, "price": {"value": 10.555, "currencyIsoCode": "SEK"}},
                ],
            }
        },
    )["data"]["setAlteredPrices"]
    assert wrong["userErrors"] == [] and wrong["products"] == []
    assert [w["path"] for w in wrong["userWarnings"]] == [
        ["input", "productPrices", "0"],
        ["input", "productPrices", "1"],
        ["input", "productPrices", "2"],
    ]
    for bad_ref, path in (
        ({"priceAlteration": {"id": 4242}}, "priceAlteration"),
        ({"pricelist": {"id": 4242}}, "pricelist"),
    ):
        refused = gql.query(
            SET,
            {
                "input": {
                    **base,
                    **bad_ref,
                    "productPrices": [
                        {"product": {"id": world.product_id}, "price": {"value": 1, "currencyIsoCode": "SEK"}}
                    ],
                }
            },
        )["data"]["setAlteredPrices"]
        assert refused["userErrors"][0]["path"] == ["input", path]
    assert api.call(_count, AlteredPrice) == 0


def test_price_permissions_and_store_restriction(gql: GraphQLClient, world: World) -> None:
    without_write = gql.token([p for p in ALL_PERMISSIONS if p != "Price:write"])
    variables = {"input": {"name": "x", "store": {"id": world.store_id}, "startDate": "2024-01-01T00:00:00+00:00"}}
    body = gql.post(CREATE, variables, token=without_write).json()
    assert body["data"] is None
    assert body["errors"][0]["message"] == "You need Price:write permission to access createPriceAlteration."
    without_read = gql.token([p for p in ALL_PERMISSIONS if p != "Price:read"])
    body = gql.post("{ priceAlteration(id: 1) { id } }", token=without_read).json()
    assert body["errors"][0]["message"] == "You need Price:read permission to access priceAlteration."

    alteration = _create(gql, world)["priceAlteration"]["id"]
    other_store = gql.token(list(ALL_PERMISSIONS), store_id=world.wholesale_store_id)
    hidden = gql.post("query ($id: Int!) { priceAlteration(id: $id) { id } }", {"id": alteration}, token=other_store)
    assert hidden.json()["data"] == {"priceAlteration": None}
    refused = gql.post(UPDATE, {"id": alteration, "input": {"name": "Mine"}}, token=other_store).json()
    assert refused["data"]["updatePriceAlteration"]["userErrors"][0]["path"] == ["id"]
    created = gql.post(CREATE, variables, token=other_store).json()["data"]["createPriceAlteration"]
    assert created["userErrors"][0]["path"] == ["input", "store"]


DISCOUNT = """
mutation addVoucher($input: DiscountCreateInput!) {
  createDiscount(input: $input) {
    discount { id name }
    userErrors { message, path }
  }
}
"""


def test_create_discount_is_the_old_create_voucher(api: Any, gql: GraphQLClient, world: World) -> None:
    body = gql.query(
        DISCOUNT, {"input": {"name": "Ten off", "store": {"id": world.store_id}, "code": "TEN", "percentOff": 10}}
    )
    assert body["data"]["createDiscount"]["userErrors"] == []
    assert body["data"]["createDiscount"]["discount"]["name"] == "Ten off"
    assert api.call(_count, Voucher) == 1
    bad = gql.query(
        DISCOUNT, {"input": {"name": "Bad", "store": {"id": world.store_id}, "code": "TEN", "percentOff": 10}}
    )
    assert bad["data"]["createDiscount"]["discount"] is None
    assert bad["data"]["createDiscount"]["userErrors"]
    assert api.call(_count, Voucher) == 1
    without = gql.token([p for p in ALL_PERMISSIONS if p != "Voucher:write"])
    refused = gql.post(DISCOUNT, {"input": {"name": "x", "store": {"id": world.store_id}}}, token=without).json()
    assert refused["errors"][0]["message"] == "You need Voucher:write permission to access createDiscount."


DELETE_CAMPAIGN = (
    "mutation ($id: Int!) { deleteCampaign(id: $id) { userErrors { message path } userWarnings { message } } }"
)


def test_delete_campaign_restores_the_price(api: Any, gql: GraphQLClient, world: World) -> None:
    from opencentra.pricing.campaigns import CampaignVariantSpec, create_campaign

    api.call(prices.set_prices, world.pricelist_id, [prices.PriceSpec(world.variant_id, prices.Decimal("200"))])
    campaign = api.call(
        create_campaign,
        world.store_id,
        "Sale",
        market_ids=[world.market_id],
        variants=[CampaignVariantSpec(world.variant_id, 5000)],
    )
    assert api.call(_shopper_price, world).price == prices.Decimal("100.00")

    missing = gql.query(DELETE_CAMPAIGN, {"id": 4242})["data"]["deleteCampaign"]
    assert missing["userErrors"] == [{"message": "Could not find Campaign with ID 4242", "path": ["id"]}]
    restricted = gql.token(list(ALL_PERMISSIONS), store_id=world.wholesale_store_id)
    hidden = gql.post(DELETE_CAMPAIGN, {"id": campaign.id}, token=restricted).json()["data"]["deleteCampaign"]
    assert hidden["userErrors"][0]["path"] == ["id"]
    without = gql.token([p for p in ALL_PERMISSIONS if p != "Campaign:write"])
    denied = gql.post(DELETE_CAMPAIGN, {"id": campaign.id}, token=without).json()
    assert denied["errors"][0]["message"] == "You need Campaign:write permission to access deleteCampaign."
    assert gql.query("{ campaigns { id } }")["data"]["campaigns"] == [{"id": campaign.id}]

    deleted = gql.query(DELETE_CAMPAIGN, {"id": campaign.id})["data"]["deleteCampaign"]
    assert deleted == {"userErrors": [], "userWarnings": []}
    assert gql.query("{ campaigns { id } }")["data"]["campaigns"] == []
    assert api.call(_shopper_price, world).price == prices.Decimal("200.00")
