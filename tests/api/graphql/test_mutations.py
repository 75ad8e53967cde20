"""Mutations: stock, the order flow (confirm, ship, capture, complete, return), events, PIM."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders

STOCK = "{ productSizes { id stockTotals { physicalQuantity allocatedQuantity } } }"


def physical(gql: GraphQLClient) -> dict[int, int]:
    sizes = gql.query(STOCK)["data"]["productSizes"]
    return {s["id"]: s["stockTotals"]["physicalQuantity"] for s in sizes}


def test_set_stock_saves_valid_items_and_warns_about_the_rest(gql: GraphQLClient, world: World) -> None:
    body = gql.query(
        """
        mutation ($input: SetStockInput!) {
          setStock(input: $input) {
            stockChanges { id lines { deliveredQuantity physicalQuantity productSize { id } } warehouse { id } }
            userErrors { message path }
            userWarnings { message path }
          }
        }
        """,
        {
            "input": {
                "warehouse": {"id": world.warehouse_id},
                "description": "A typical stock update",
                "stockQuantityType": "PHYSICAL",
                "productVariants": [
                    {
                        "productVariant": {"id": world.variant_id},
                        "sizeStockLevels": [
                            {"size": {"name": "S"}, "quantity": 7},
                            {"size": {"name": "XL"}, "quantity": 3},
                        ],
                    },
                    {"productVariant": {"id": 99999}, "sizeStockLevels": [{"size": {"name": "S"}, "quantity": 1}]},
                ],
            }
        },
    )
    payload = body["data"]["setStock"]
    assert payload["userErrors"] == []
    assert len(payload["userWarnings"]) == 2
    assert payload["stockChanges"][0]["lines"][0]["physicalQuantity"] == 7
    assert physical(gql) == {world.size_ids[0]: 7, world.size_ids[1]: 100}
    assert body["extensions"]["permissionsUsed"][0] == "StockChange:write"


def test_change_stock_moves_and_adds(api: Any, gql: GraphQLClient, world: World) -> None:
    from opencentra.stores.services import create_warehouse

    other = api.call(create_warehouse, "Second").id
    body = gql.query(
        """
        mutation ($into: Int!, $out: Int!, $variant: Int!) {
          move: changeStock(input: {intoWarehouse: {id: $into}, outFromWarehouse: {id: $out}, description: "Move",
            productVariants: [{productVariant: {id: $variant}, sizeChanges: {size: {name: "S"}, deliveredQuantity: 5}}]}) {
            stockChange { id lines { deliveredQuantity } } userErrors { message }
          }
          add: changeStock(input: {intoWarehouse: {id: $out}, description: "New stock",
            productVariants: [{productVariant: {id: $variant}, sizeChanges: [{size: {name: "L"}, deliveredQuantity: 2}]}]}) {
            stockChange { id } userErrors { message }
          }
        }
        """,
        {"into": other, "out": world.warehouse_id, "variant": world.variant_id},
    )
    assert body["data"]["move"]["userErrors"] == []
    assert [line["deliveredQuantity"] for line in body["data"]["move"]["stockChange"]["lines"]] == [-5, 5]
    assert physical(gql) == {world.size_ids[0]: 100, world.size_ids[1]: 102}  # totals over both warehouses
    history = gql.query("{ stockChangeConnection(last: 10) { totalCount edges { node { id description } } } }")
    assert history["data"]["stockChangeConnection"]["totalCount"] == 3


ORDER_FIELDS = "order { number status shipments { id isShipped isPaid } } userErrors { message path }"


def test_the_order_flow(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1, confirm=False)
    order = gql.query("{ orders { id number status lines { id quantity } } }")["data"]["orders"][0]
    assert order["status"] == "PENDING"
    confirmed = gql.query(
        f"mutation {{ confirmOrder(input: {{order: {{number: {order['number']}}}}}) {{ {ORDER_FIELDS} }} }}"
    )["data"]["confirmOrder"]
    assert confirmed["order"]["status"] == "CONFIRMED" and confirmed["userErrors"] == []
    again = gql.query(
        f"mutation {{ confirmOrder(input: {{order: {{number: {order['number']}}}}}) {{ {ORDER_FIELDS} }} }}"
    )
    assert again["data"]["confirmOrder"]["order"] is None
    assert "pending" in again["data"]["confirmOrder"]["userErrors"][0]["message"]

    lines = [{"orderLine": {"id": line["id"]}, "quantity": line["quantity"]} for line in order["lines"]]
    created = gql.query(
        """
        mutation ($input: ShipmentCreateInput!) {
          createShipment(input: $input) {
            shipment { id number isGoodToGo isPaid lines { quantity orderLine { id } } order { status } }
            userErrors { message } userWarnings { message }
          }
        }
        """,
        {"input": {"order": {"id": order["id"]}, "lines": lines, "isGoodToGo": True, "capture": True}},
    )["data"]["createShipment"]
    assert created["userErrors"] == []
    shipment = created["shipment"]
    assert shipment["isGoodToGo"] and shipment["isPaid"] and shipment["order"]["status"] == "PROCESSING"
    completed = gql.query(
        """
        mutation ($id: Int!) {
          completeShipment(id: $id, input: {shippedAt: "2023-01-09T15:18:33+01:00",
            shipmentInfo: {carrier: "Carrier name", trackingNumber: "1234trackingcode"}}) {
            shipment { isShipped shippedAt shipmentInfo { carrier trackingNumber } order { status } } userErrors { message }
          }
        }
        """,
        {"id": shipment["id"]},
    )["data"]["completeShipment"]
    assert completed["userErrors"] == []
    assert completed["shipment"]["shippedAt"] == "2023-01-09T14:18:33+00:00"
    assert completed["shipment"]["shipmentInfo"] == {"carrier": "Carrier name", "trackingNumber": "1234trackingcode"}
    assert completed["shipment"]["order"]["status"] == "SHIPPED"

    shipment_lines = gql.query("{ shipments { lines { id quantity } } }")["data"]["shipments"][0]["lines"]
    returned = gql.query(
        """
        mutation ($shipment: Int!, $line: Int!) {
          createReturn(input: {shipment: {id: $shipment}, lines: [{shipmentLine: {id: $line}, quantity: 1}],
            returnStockActionPolicy: {releaseItemsBackToWarehouse: true}, comment: "new comment"}) {
            return { id status comment lines { quantity orderLine { id } } } userErrors { message }
          }
        }
        """,
        {"shipment": shipment["id"], "line": shipment_lines[0]["id"]},
    )["data"]["createReturn"]
    assert returned["userErrors"] == [] and returned["return"]["status"] == "PENDING"
    done = gql.query(
        "mutation ($id: Int!) { completeReturn(id: $id, input: {sendEmail: false}) { return { status } userErrors { message } } }",
        {"id": returned["return"]["id"]},
    )["data"]["completeReturn"]
    assert done == {"return": {"status": "COMPLETED"}, "userErrors": []}
    listed = gql.query(
        "{ returns(where: {storeType: DIRECT_TO_CONSUMER}) { id ... on DirectToConsumerReturn { status } } }"
    )
    assert listed["data"]["returns"] == [{"id": returned["return"]["id"], "status": "COMPLETED"}]


def test_shipment_update_capture_delete_and_cancel(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 2)
    orders = gql.query("{ orders { id number lines { id } } }")["data"]["orders"]
    first, second = orders
    create = """
    mutation ($order: Int!, $line: Int!) {
      createShipment(input: {order: {number: $order}, lines: [{orderLine: {id: $line}, quantity: 1}]}) {
        shipment { id isGoodToGo isPaid } userErrors { message }
      }
    }
    """
    shipment = gql.query(create, {"order": first["number"], "line": first["lines"][0]["id"]})["data"]["createShipment"][
        "shipment"
    ]
    assert shipment["isGoodToGo"] is False
    updated = gql.query(
        "mutation ($id: Int!) { updateShipment(id: $id, input: {isGoodToGo: true}) { shipment { isGoodToGo } userErrors { message } } }",
        {"id": shipment["id"]},
    )["data"]["updateShipment"]
    assert updated == {"shipment": {"isGoodToGo": True}, "userErrors": []}
    captured = gql.query(
        "mutation ($id: Int!) { captureShipment(id: $id) { shipment { isPaid } paymentHistoryEntry { entryType status value { value } } userErrors { message } userWarnings { message } } }",
        {"id": shipment["id"]},
    )["data"]["captureShipment"]
    assert captured["shipment"] == {"isPaid": True}
    assert captured["paymentHistoryEntry"]["entryType"] == "CAPTURE"
    deleted = gql.query(
        "mutation ($id: Int!) { deleteShipment(id: $id) { userErrors { message } } }", {"id": shipment["id"]}
    )["data"]["deleteShipment"]
    assert deleted["userErrors"]  # a captured shipment stays
    other = gql.query(create, {"order": second["number"], "line": second["lines"][0]["id"]})["data"]["createShipment"]
    deleted = gql.query(
        "mutation ($id: Int!) { deleteShipment(id: $id) { userErrors { message } } }", {"id": other["shipment"]["id"]}
    )["data"]["deleteShipment"]
    assert deleted == {"userErrors": []}
    cancelled = gql.query(
        """mutation ($id: String!) { cancelDirectToConsumerOrder(id: $id, input: {comment: "new comment",
        emailOptions: {sendEmail: false}, stockAction: {removeItemsFromStock: true}, cancelAuthorization: true}) {
        order { status } userErrors { message } } }""",
        {"id": second["id"]},
    )["data"]["cancelDirectToConsumerOrder"]
    assert cancelled == {"order": {"status": "CANCELLED"}, "userErrors": []}
    unknown = gql.query("mutation { captureShipment(id: 999999) { shipment { id } userErrors { message path } } }")
    assert unknown["data"]["captureShipment"]["userErrors"] == [
        {"message": "Could not find Shipment with ID 999999", "path": ["id", "id"]}
    ]


EVENTS = """
{
  events(where: {objectType: [Order, Shipment]}, limit: 200) {
    id objectType changeType objectReference store { id }
    object { __typename ... on DirectToConsumerOrder { number } ... on DirectToConsumerShipment { shipmentNumber: number } }
  }
}
"""


def test_events_system(api: Any, gql: GraphQLClient, world: World) -> None:
    assert gql.query(EVENTS)["data"]["events"] == []
    listeners = gql.query(
        """
        mutation {
          setEventListeners(input: [{objectType: Order, changeTypes: [CREATED, UPDATED]}, {objectType: Shipment, changeTypes: [CREATED]},
            {objectType: AdminUser, changeTypes: [CREATED]}]) {
            eventListeners { objectType changeTypes } userErrors { message } userWarnings { message }
          }
        }
        """
    )["data"]["setEventListeners"]
    assert {"objectType": "Order", "changeTypes": ["CREATED", "UPDATED"]} in listeners["eventListeners"]
    assert len(listeners["userWarnings"]) == 1  # AdminUser events are not recorded
    api.call(add_orders, world, 1, confirm=False)
    order = gql.query("{ orders { number } }")["data"]["orders"][0]
    gql.query(
        f"mutation {{ confirmOrder(input: {{order: {{number: {order['number']}}}}}) {{ userErrors {{ message }} }} }}"
    )
    events = gql.query(EVENTS)["data"]["events"]
    assert events and all(e["objectType"] == "Order" for e in events)
    assert events[0]["object"] == {"__typename": "DirectToConsumerOrder", "number": order["number"]}
    assert events[0]["store"] == {"id": world.store_id}
    again = gql.query(EVENTS)["data"]["events"]
    assert again == events  # unconfirmed events keep coming back
    other_integration = gql.token(["Event:read"], name="another")
    assert gql.query(EVENTS, token=other_integration)["data"]["events"] == []
    confirmed = gql.query(
        "mutation ($ids: [Int!]!) { confirmEvents(input: {eventsIds: $ids}) { userErrors { message } userWarnings { message } } }",
        {"ids": [e["id"] for e in events]},
    )["data"]["confirmEvents"]
    assert confirmed == {"userErrors": [], "userWarnings": []}
    assert gql.query(EVENTS)["data"]["events"] == []
    unset = gql.query(
        "mutation { unsetEventListeners(input: [{objectType: Order, changeTypes: [UPDATED]}]) { eventListeners { objectType changeTypes } } }"
    )["data"]["unsetEventListeners"]["eventListeners"]
    assert {"objectType": "Order", "changeTypes": ["CREATED"]} in unset
    listed = gql.query("{ eventListeners { objectType changeTypes } }")["data"]["eventListeners"]
    assert listed == unset


def test_pim_and_setup_mutations(gql: GraphQLClient, world: World) -> None:
    body = gql.query(
        """
        mutation ($store: Int!, $pricelist: Int!, $product: Int!) {
          createBrand(input: {name: "My Brand", uri: "my-brand", addToStores: {id: $store}}) { brand { id name uri } userErrors { message } }
          dup: createBrand(input: {name: "My Brand", uri: "my-brand"}) { brand { id } userErrors { message path } }
          createCollection(input: {name: "Collection 1", status: ACTIVE}) { collection { name } userErrors { message } }
          createSizeChart(input: {name: "Pants sizes", horizontalLabels: ["28", "30"], verticalLabels: ["32", "34"], dividerSymbol: "x"}) {
            sizeChart { name sizes { name } } userErrors { message }
          }
          createWarehouse(input: {name: "Default warehouse", stockMasterPolicy: EXTERNAL}) { warehouse { name stockMasterPolicy } userErrors { message } }
          createMarket(input: {name: "First Market", store: {id: $store}, addCountries: [{code: "SE"}], comment: "comment"}) {
            market { name assignedToCountries { code } } userErrors { message } userWarnings { message }
          }
          createPricelist(input: {name: "Test pricelist SEK", status: INACTIVE, store: {id: $store}, currencyIsoCode: "SEK"}) {
            pricelist { name status currency { code } } userErrors { message }
          }
          setPrices(input: {pricelist: {id: $pricelist}, productPrices: [
            {product: {id: $product}, price: {value: 290, currencyIsoCode: "SEK"}},
            {product: {id: $product}, price: {value: 1, currencyIsoCode: "SEK"}},
            {product: {id: 999}, price: {value: 1, currencyIsoCode: "EUR"}}]}) {
            pricelist { id } userErrors { message } userWarnings { message }
          }
        }
        """,
        {"store": world.store_id, "pricelist": world.pricelist_id, "product": world.product_id},
    )
    data = body["data"]
    assert data["createBrand"]["brand"]["uri"] == "my-brand"
    assert data["dup"]["brand"] is None and data["dup"]["userErrors"][0]["path"] == ["input", "uri"]
    assert [s["name"] for s in data["createSizeChart"]["sizeChart"]["sizes"]] == ["28x32", "30x32", "28x34", "30x34"]
    assert data["createWarehouse"]["warehouse"] == {"name": "Default warehouse", "stockMasterPolicy": "EXTERNAL"}
    # A country geo-locates to one market per store, and SE is Sweden's already.
    assert data["createMarket"]["market"] is None
    assert "SE" in data["createMarket"]["userErrors"][0]["message"]
    assert data["createPricelist"]["pricelist"] == {
        "name": "Test pricelist SEK",
        "status": "INACTIVE",
        "currency": {"code": "SEK"},
    }
    assert [w["message"] for w in data["setPrices"]["userWarnings"]] == [
        f"Duplicate product ID {world.product_id} skipped",
        "Could not find Product with ID 999; skipped",
    ]
    prices = gql.query("{ productVariants { prices { price { value formattedValue } pricelist { id } } } }")["data"][
        "productVariants"
    ][0]["prices"]
    assert prices == [
        {"price": {"value": 290.0, "formattedValue": "290.00 kr"}, "pricelist": {"id": world.pricelist_id}}
    ]
    assert body["extensions"]["permissionsUsed"][:2] == ["Brand:write", "Collection:write"]
