"""updateMarket, updatePricelist, deletePricelist, Pricelist.defaultShippingOption, warehouse settings,
and the listeners' timestamps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders

from opencentra.db.engine import Database
from opencentra.events.models import Event
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.stores import services as stores
from opencentra.stores.models import Country, Market, Pricelist

MARKET = """
mutation ($id: Int!, $input: MarketUpdateInput!) {
  updateMarket(id: $id, input: $input) {
    userErrors { message path }
    market { id name comment status assignedToCountries { id code } }
  }
}
"""

PRICELIST_FIELDS = (
    "id name status store { id } currency { code } assignedToCountries { code } defaultShippingOption { id name }"
)

UPDATE_PRICELIST = f"""
mutation ($id: Int!, $input: PricelistUpdateInput!) {{
  updatePricelist(id: $id, input: $input) {{
    pricelist {{ {PRICELIST_FIELDS} }}
    userErrors {{ message path }}
  }}
}}
"""

DELETE_PRICELIST = (
    "mutation ($id: Int!) { deletePricelist(id: $id) { userErrors { message path } userWarnings { message } } }"
)


async def _countries(db: Database) -> dict[str, int]:
    for code, name in (("NO", "Norway"), ("DK", "Denmark")):
        await stores.ensure_country(db, code, name)
    async with db.read() as session:
        return {c.code: c.id for c in await session.scalars(select(Country))}


async def _shipping(db: Database, world: World, store_id: int | None = None) -> int:
    if store_id is not None:
        return (await stores.create_shipping_method(db, store_id, "Elsewhere", countries=[], prices=[])).id
    method = await stores.create_shipping_method(
        db,
        world.store_id,
        "SEK",
        countries=["SE"],
        prices=[stores.ShippingPriceInput(world.pricelist_id, Decimal("49"))],
    )
    return method.id


async def _row(db: Database, model: Any, object_id: int) -> Any:
    async with db.read() as session:
        return await session.get(model, object_id)


async def _actions(db: Database, object_type: str) -> list[str]:
    async with db.read() as session:
        return list(
            await session.scalars(select(Event.action).where(Event.object_type == object_type).order_by(Event.id))
        )


def test_update_market_as_documented(api: Any, gql: GraphQLClient, world: World) -> None:
    countries = api.call(_countries)
    body = gql.query(
        MARKET,
        {
            "id": world.market_id,
            "input": {
                "name": "update",
                "comment": "comment",
                "addCountries": [{"id": countries["NO"]}],
                "removeCountries": [{"id": countries["SE"]}],
            },
        },
    )
    payload = body["data"]["updateMarket"]
    assert payload == {
        "userErrors": [],
        "market": {
            "id": world.market_id,
            "name": "update",
            "comment": "comment",
            "status": "ACTIVE",
            "assignedToCountries": [{"id": countries["NO"], "code": "NO"}],
        },
    }
    assert body["extensions"]["permissionsUsed"][:2] == ["Market:write", "Market.comment:read"]
    assert api.call(_actions, "market") == ["updated"]


def test_update_market_bad_input_changes_nothing(api: Any, gql: GraphQLClient, world: World) -> None:
    for variables, path in (
        ({"id": 99999, "input": {"name": "x"}}, ["id"]),
        ({"id": world.market_id, "input": {"name": "B2B", "addCountries": [{"id": 99999}]}}, ["input", "addCountries"]),
        ({"id": world.market_id, "input": {"name": " "}}, ["input", "name"]),
    ):
        payload = gql.query(MARKET, variables)["data"]["updateMarket"]
        assert (payload["market"], payload["userErrors"][0]["path"]) == (None, path)
    assert api.call(_row, Market, world.market_id).name == "Sweden"
    # Another store's market is as good as missing to a token restricted to the wholesale store.
    restricted = gql.token(list(ALL_PERMISSIONS), store_id=world.wholesale_store_id)
    refused = gql.post(MARKET, {"id": world.market_id, "input": {"name": "Mine"}}, token=restricted).json()
    assert refused["data"]["updateMarket"]["userErrors"] == [
        {"message": f"Could not find Market with ID {world.market_id}", "path": ["id"]}
    ]
    without = gql.token([p for p in ALL_PERMISSIONS if p != "Market:write"])
    denied = gql.post(MARKET, {"id": world.market_id, "input": {"name": "x"}}, token=without).json()
    assert denied["errors"][0]["message"] == "You need Market:write permission to access updateMarket."
    assert api.call(_actions, "market") == []


def test_pricelists_create_update_default_shipping_and_delete(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(_countries)
    method = api.call(_shipping, world)
    created = gql.query(
        f"""
        mutation {{
          createPricelist(input: {{
            name: "Test pricelist SEK" status: INACTIVE store: {{ id: {world.store_id} }} currencyIsoCode: "SEK"
            defaultShippingOption: {{ id: {method} }} addCountries: [{{ code: "NO" }}]
          }}) {{ pricelist {{ {PRICELIST_FIELDS} }} userErrors {{ message path }} userWarnings {{ message }} }}
        }}
        """
    )
    payload = created["data"]["createPricelist"]
    assert (payload["userErrors"], payload["userWarnings"]) == ([], [])
    pricelist = payload["pricelist"]
    assert pricelist["defaultShippingOption"] == {"id": method, "name": "SEK"}
    assert "ShippingOption:read" in created["extensions"]["permissionsUsed"]

    updated = gql.query(
        UPDATE_PRICELIST, {"id": pricelist["id"], "input": {"status": "ACTIVE", "addCountries": [{"code": "DK"}]}}
    )
    assert updated["data"]["updatePricelist"]["pricelist"]["status"] == "ACTIVE"
    assigned = updated["data"]["updatePricelist"]["pricelist"]["assignedToCountries"]
    assert sorted(c["code"] for c in assigned) == ["DK", "NO"]
    assert updated["data"]["updatePricelist"]["pricelist"]["defaultShippingOption"] == {"id": method, "name": "SEK"}
    cleared = gql.query(UPDATE_PRICELIST, {"id": pricelist["id"], "input": {"defaultShippingOption": None}})
    assert cleared["data"]["updatePricelist"]["pricelist"]["defaultShippingOption"] is None

    foreign = api.call(_shipping, world, world.wholesale_store_id)
    refused = gql.query(
        UPDATE_PRICELIST,
        {"id": pricelist["id"], "input": {"name": "Renamed", "defaultShippingOption": {"id": foreign}}},
    )
    assert refused["data"]["updatePricelist"]["userErrors"] == [
        {"message": f"Could not find ShippingOption with ID {foreign}", "path": ["input", "defaultShippingOption"]}
    ]
    assert api.call(_row, Pricelist, pricelist["id"]).name == "Test pricelist SEK"

    # A pricelist that orders were placed in is in use: refused, and nothing changes.
    api.call(add_orders, world, 1)
    in_use = gql.query(DELETE_PRICELIST, {"id": world.pricelist_id})["data"]["deletePricelist"]
    assert in_use["userErrors"] == [
        {"message": f"Pricelist {world.pricelist_id} cannot be deleted: used by orders", "path": ["id"]}
    ]
    assert api.call(_row, Pricelist, world.pricelist_id) is not None
    missing = gql.query(DELETE_PRICELIST, {"id": 99999})["data"]["deletePricelist"]
    assert missing["userErrors"] == [{"message": "Could not find Pricelist with ID 99999", "path": ["id"]}]

    without = gql.token([p for p in ALL_PERMISSIONS if p != "Pricelist:write"])
    denied = gql.post(DELETE_PRICELIST, {"id": pricelist["id"]}, token=without).json()
    assert denied["errors"][0]["message"] == "You need Pricelist:write permission to access deletePricelist."

    # The first pricelist created through the service became the store's default: in use too.
    default = gql.query(DELETE_PRICELIST, {"id": pricelist["id"]})["data"]["deletePricelist"]
    assert "its store's default pricelist" in default["userErrors"][0]["message"]
    api.call(stores.set_store_defaults, world.store_id, pricelist_id=world.pricelist_id)
    deleted = gql.query(DELETE_PRICELIST, {"id": pricelist["id"]})
    assert deleted["data"]["deletePricelist"] == {"userErrors": [], "userWarnings": []}
    assert deleted["extensions"]["permissionsUsed"] == ["Pricelist:write"]
    assert api.call(_row, Pricelist, pricelist["id"]) is None
    assert api.call(_actions, "pricelist") == ["created", "updated", "updated", "deleted"]


def test_default_shipping_option_needs_its_permission(gql: GraphQLClient, world: World) -> None:
    token = gql.token(["Pricelist:read"])
    body = gql.post("{ pricelists { id defaultShippingOption { id } } }", token=token).json()
    assert body["data"]["pricelists"] == [{"id": world.pricelist_id, "defaultShippingOption": None}]
    assert body["errors"][0]["message"] == "You need ShippingOption:read permission to access defaultShippingOption."


WAREHOUSE_FIELDS = "id name threshold isHiddenFromStockView stockMasterPolicy"


def test_warehouse_threshold_and_hidden_flag(api: Any, gql: GraphQLClient, world: World) -> None:
    created = gql.query(
        f"""
        mutation {{
          createWarehouse(input: {{
            name: "Default warehouse" hideFromStockView: true threshold: 1 stockMasterPolicy: EXTERNAL
          }}) {{
            warehouse {{ {WAREHOUSE_FIELDS} }} userErrors {{ message path }} userWarnings {{ message path }}
          }}
        }}
        """
    )["data"]["createWarehouse"]
    assert created["userErrors"] == [] and created["userWarnings"] == []
    warehouse = created["warehouse"]
    assert {k: warehouse[k] for k in ("threshold", "isHiddenFromStockView", "stockMasterPolicy")} == {
        "threshold": 1,
        "isHiddenFromStockView": True,
        "stockMasterPolicy": "EXTERNAL",
    }
    update = f"""
    mutation ($id: Int!, $input: WarehouseUpdateInput!) {{
      updateWarehouse(id: $id, input: $input) {{ warehouse {{ {WAREHOUSE_FIELDS} }} userErrors {{ message path }} }}
    }}
    """
    changed = gql.query(update, {"id": warehouse["id"], "input": {"threshold": 3, "hideFromStockView": False}})
    assert changed["data"]["updateWarehouse"]["warehouse"]["threshold"] == 3
    assert changed["data"]["updateWarehouse"]["warehouse"]["isHiddenFromStockView"] is False
    for variables, path in (
        ({"id": warehouse["id"], "input": {"threshold": -1}}, ["input", "threshold"]),
        ({"id": warehouse["id"], "input": {"name": "Main"}}, ["input", "name"]),
        ({"id": 99999, "input": {"threshold": 1}}, ["id"]),
    ):
        refused = gql.query(update, variables)["data"]["updateWarehouse"]
        assert (refused["warehouse"], refused["userErrors"][0]["path"]) == (None, path)
    listed = gql.query(f"{{ warehouse(id: {warehouse['id']}) {{ {WAREHOUSE_FIELDS} }} }}")["data"]["warehouse"]
    assert (listed["name"], listed["threshold"]) == ("Default warehouse", 3)
    without = gql.token([p for p in ALL_PERMISSIONS if p != "Warehouse:write"])
    denied = gql.post(update, {"id": warehouse["id"], "input": {"threshold": 9}}, token=without).json()
    assert denied["errors"][0]["message"] == "You need Warehouse:write permission to access updateWarehouse."
    assert api.call(_actions, "warehouse") == ["created", "updated"]


def test_event_listeners_report_when_they_were_set(gql: GraphQLClient) -> None:
    fields = "eventListeners { objectType changeTypes createdAt updatedAt }"
    first = gql.query(f"mutation {{ setEventListeners(input: [{{objectType: Product}}]) {{ {fields} }} }}")
    listener = first["data"]["setEventListeners"]["eventListeners"][0]
    assert listener["createdAt"] is not None and listener["updatedAt"] == listener["createdAt"]
    gql.query(
        f"mutation {{ setEventListeners(input: [{{objectType: Order, changeTypes: [CREATED]}}]) {{ {fields} }} }}"
    )
    listed = gql.query("{ eventListeners { integrationName objectType createdAt updatedAt } }")["data"][
        "eventListeners"
    ]
    assert [entry["objectType"] for entry in listed] == ["Order", "Product"]
    assert all(entry["createdAt"] == listener["createdAt"] for entry in listed)
    assert all(entry["updatedAt"] >= entry["createdAt"] for entry in listed)


CREATE_WAREHOUSE = """
mutation ($input: WarehouseCreateInput!) {
  createWarehouse(input: $input) {
    userErrors { message path }
    userWarnings { message path }
    warehouse {
      id name isHiddenFromStockView threshold stockMaster stockOwnership allocationPolicy isConsignation
      brickAndMortar { id name } country { id name } state { id name } zipCode
    }
  }
}
"""


def test_the_documented_create_warehouse_stores_its_location(api: Any, gql: GraphQLClient, world: World) -> None:
    us = api.call(stores.ensure_country, "US", "United States", states=[("NV", "Nevada")])
    given = {
        "name": "Default warehouse",
        "beforeWarehouse": {"id": world.warehouse_id},
        "hideFromStockView": True,
        "threshold": 1,
        "stockMasterPolicy": "EXTERNAL",
        "stockOwnershipPolicy": "THIRD_PARTY",
        "allocationPolicy": "CHECK_FIRST",
        "warehouseLocation": {"country": {"id": us.id}, "stateOrProvince": "nevada"},
    }
    body = gql.query(CREATE_WAREHOUSE, {"input": given})
    payload = body["data"]["createWarehouse"]
    assert payload["userErrors"] == []
    assert payload["userWarnings"] == [
        {"message": "beforeWarehouse is not supported by OpenCentra; ignored", "path": ["input", "beforeWarehouse"]}
    ]
    warehouse = dict(payload["warehouse"])
    warehouse_id = warehouse.pop("id")
    assert warehouse == {
        "name": "Default warehouse",
        "isHiddenFromStockView": True,
        "threshold": 1,
        "stockMaster": "EXTERNAL",
        "stockOwnership": "THIRD_PARTY",
        "allocationPolicy": "CHECK_FIRST",
        "isConsignation": False,
        "brickAndMortar": None,
        "country": {"id": us.id, "name": "United States"},
        "state": {"id": us.states[0].id, "name": "Nevada"},
        "zipCode": None,
    }
    assert "BrickAndMortar:read" in body["extensions"]["permissionsUsed"]

    for location, message in (
        ({"country": {"id": us.id}, "stateOrProvince": "Atlantis"}, "the country has no state 'Atlantis'"),
        ({"country": {"id": 99999}}, "Could not find Country with ID 99999"),
        ({"stateOrProvince": "nevada"}, "a state needs its country"),
    ):
        refused = gql.query(CREATE_WAREHOUSE, {"input": {**given, "name": "Other", "warehouseLocation": location}})
        assert refused["data"]["createWarehouse"]["userErrors"] == [
            {"message": message, "path": ["input", "warehouseLocation"]}
        ]
    assert len(gql.query("{ warehouses { id } }")["data"]["warehouses"]) == 2

    moved = gql.query(
        """
        mutation ($id: Int!) {
          updateWarehouse(id: $id, input: {
            stockOwnershipPolicy: OWN, allocationPolicy: ALWAYS_ALLOCATE,
            warehouseLocation: { country: { code: "US" }, zipCode: "89501" }
          }) {
            warehouse { stockOwnership allocationPolicy country { code } state { id } zipCode }
            userErrors { message }
          }
        }
        """,
        {"id": warehouse_id},
    )["data"]["updateWarehouse"]
    assert moved == {
        "warehouse": {
            "stockOwnership": "OWN",
            "allocationPolicy": "ALWAYS_ALLOCATE",
            "country": {"code": "US"},
            "state": None,
            "zipCode": "89501",
        },
        "userErrors": [],
    }
