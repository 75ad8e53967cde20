"""Order edits over GraphQL: lock, update, cancel lines, unallocate, release authorization,
uncomplete and delete returns, invoices and the date ``format`` argument (both backends)."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders

from opencentra.db.engine import Database
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.stores.models import Country, CountryState

STOCK = "{ productSizes { id stockTotals { allocatedQuantity physicalQuantity } } }"


def _stock(gql: GraphQLClient) -> dict[int, tuple[int, int]]:
    sizes = gql.query(STOCK)["data"]["productSizes"]
    return {s["id"]: (s["stockTotals"]["allocatedQuantity"], s["stockTotals"]["physicalQuantity"]) for s in sizes}


def _orders(gql: GraphQLClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = gql.query(
        "{ orders { id number isLocked isOnHold grandTotal { value } lines { id quantity cancelledQuantity allocations { quantity warehouse { id } } } } }"
    )["data"]["orders"]
    return found


LOCK = "mutation ($numbers: [OrderRef!]!, $locked: Boolean!) { setOrdersLock(input: {orders: $numbers, isLocked: $locked}) { orders { number isLocked } userErrors { message path } } }"


def test_lock_and_unlock_orders(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 2)
    numbers = [{"number": o["number"]} for o in _orders(gql)]
    locked = gql.query(LOCK, {"numbers": numbers, "locked": True})
    assert locked["data"]["setOrdersLock"] == {
        "orders": [{"number": n["number"], "isLocked": True} for n in numbers],
        "userErrors": [],
    }
    assert locked["extensions"]["permissionsUsed"] == ["Order:write", "Order.isLocked:write"]
    # One unknown order refuses the call: nothing is unlocked.
    refused = gql.query(LOCK, {"numbers": [*numbers, {"number": 999}], "locked": False})["data"]["setOrdersLock"]
    assert refused == {
        "orders": None,
        "userErrors": [{"message": "Could not find Order with number 999", "path": ["input", "orders", "2"]}],
    }
    assert [o["isLocked"] for o in _orders(gql)] == [True, True]
    gql.query(LOCK, {"numbers": numbers[:1], "locked": False})
    assert [o["isLocked"] for o in _orders(gql)] == [False, True]


def test_lock_needs_the_nested_permission(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1)
    number = _orders(gql)[0]["number"]
    token = gql.token([p for p in ALL_PERMISSIONS if p != "Order.isLocked:write"])
    body = gql.post(LOCK, {"numbers": [{"number": number}], "locked": True}, token=token).json()
    assert body["errors"][0]["message"] == "You need Order.isLocked:write permission to access setOrdersLock."
    assert body["errors"][0]["extensions"] == {"category": "authorization"}
    assert _orders(gql)[0]["isLocked"] is False
    for permission, document in [
        (
            "Order:write",
            "mutation { updateDirectToConsumerOrder(order: {number: 1}, input: {isOnHold: true}) { userErrors { message } } }",
        ),
        ("Order:write", "mutation { unallocateOrder(input: {order: {number: 1}}) { userErrors { message } } }"),
        (
            "Payment.cancel:write",
            "mutation { releaseRemainingOrderAuthorization(order: {number: 1}) { userErrors { message } } }",
        ),
        ("Return:write", "mutation { deleteReturn(id: 1) { userErrors { message } } }"),
        ("Invoice:read", "{ invoices { id } }"),
    ]:
        body = gql.post(document, token=gql.token([p for p in ALL_PERMISSIONS if p != permission])).json()
        assert body["errors"][0]["message"].startswith(f"You need {permission} permission"), body


UPDATE_DTC = """
mutation ($order: OrderRef!, $input: DirectToConsumerOrderUpdateInput!) {
  updateDirectToConsumerOrder(order: $order, input: $input) {
    order { number isOnHold internalComment grandTotal { value } totals { shipping { value } }
            billingAddress { firstName city country { code } } shippingAddress { address1 }
            lines { id quantity cancelledQuantity } }
    userErrors { message path }
    userWarnings { message path }
  }
}
"""


def test_update_a_direct_to_consumer_order(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1)
    order = _orders(gql)[0]
    second = order["lines"][1]
    assert _stock(gql)[world.size_ids[1]] == (2, 100)
    payload = gql.query(
        UPDATE_DTC,
        {
            "order": {"number": order["number"]},
            "input": {
                "isOnHold": True,
                "holdStatusChangeReason": "Reason to hold, e.g. suspicious payment",
                "billingAddress": {"firstName": "Jon", "city": "Stockholm", "country": {"code": "SE"}},
                "shippingAddress": {"address1": "Teststr. 1"},
                "shippingCost": {"currencyIsoCode": "SEK", "value": 30.0},
                "cancelLines": [
                    {"line": {"id": second["id"]}, "quantity": 1, "stockAction": "RELEASE_BACK_TO_WAREHOUSE"}
                ],
                "cancellationComment": "Some good reason",
                "isInternal": False,
            },
        },
    )["data"]["updateDirectToConsumerOrder"]
    assert payload["userErrors"] == []
    assert payload["userWarnings"] == [
        {"message": "isInternal is not stored by OpenCentra", "path": ["input", "isInternal"]}
    ]
    updated = payload["order"]
    assert updated["isOnHold"] is True
    assert updated["billingAddress"] == {"firstName": "Jon", "city": "Stockholm", "country": {"code": "SE"}}
    assert updated["shippingAddress"] == {"address1": "Teststr. 1"}
    assert updated["totals"]["shipping"]["value"] == 30.0
    # 1 x 199 + 2 x 199 before; one unit of the second line cancelled, plus 30 shipping.
    assert updated["grandTotal"]["value"] == 199.0 * 2 + 30.0
    assert updated["lines"][1]["cancelledQuantity"] == 1
    assert "Some good reason" in updated["internalComment"]
    assert _stock(gql)[world.size_ids[1]] == (1, 100)


def test_invalid_order_updates_change_nothing(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1)
    wholesale_id = api.call(add_orders, world, 1, store_id=world.wholesale_store_id)[0]
    order = _orders(gql)[0]
    line = order["lines"][0]
    too_many = gql.query(
        UPDATE_DTC,
        {
            "order": {"id": order["id"]},
            "input": {"isOnHold": True, "cancelLines": [{"line": {"id": line["id"]}, "quantity": 5}]},
        },
    )["data"]["updateDirectToConsumerOrder"]
    assert too_many["order"] is None
    assert too_many["userErrors"] == [
        {
            "message": f"line {line['id']} has 1 units left to cancel, not 5",
            "path": ["input", "cancelLines", "0", "quantity"],
        }
    ]
    assert _orders(gql)[0]["isOnHold"] is False
    wrong_kind = gql.query(UPDATE_DTC, {"order": {"id": f"{wholesale_id:032x}"}, "input": {"isOnHold": True}})
    assert wrong_kind["data"]["updateDirectToConsumerOrder"]["userErrors"] == [
        {"message": "The order is not a direct-to-consumer order", "path": ["order"]}
    ]
    wholesale = gql.query(
        f"""mutation {{ updateWholesaleOrder(order: {{id: "{wholesale_id:032x}"}}, input: {{isOnHold: true, holdStatusChangeReason: "Message logged in order history."}})
              {{ order {{ isOnHold ... on WholesaleOrder {{ purchaseOrderNumber account {{ id }} buyer {{ id }} }} }} userErrors {{ message }} }} }}"""
    )["data"]["updateWholesaleOrder"]
    assert wholesale == {
        "order": {"isOnHold": True, "purchaseOrderNumber": None, "account": None, "buyer": None},
        "userErrors": [],
    }
    no_size = gql.query(
        f"""mutation {{ updateWholesaleOrder(order: {{id: "{wholesale_id:032x}"}}, input: {{isOnHold: false, addLines: [{{productSize: {{id: 999}}, quantity: 1}}]}})
              {{ order {{ id }} userErrors {{ message path }} }} }}"""
    )["data"]["updateWholesaleOrder"]
    assert no_size == {
        "order": None,
        "userErrors": [
            {"message": "Could not find ProductSize with ID 999", "path": ["input", "addLines", "0", "productSize"]}
        ],
    }
    wrong_currency = gql.query(
        f"""mutation {{ updateWholesaleOrder(order: {{id: "{wholesale_id:032x}"}}, input: {{addLines: [{{productSize: {{id: {world.size_ids[0]}}}, quantity: 1, unitPrice: {{currencyIsoCode: "EUR", value: 10}}}}]}})
              {{ order {{ id }} userErrors {{ message path }} }} }}"""
    )["data"]["updateWholesaleOrder"]
    assert wrong_currency["userErrors"] == [
        {"message": "the amount must be in the order's currency, SEK", "path": ["input", "addLines", "0", "unitPrice"]}
    ]
    assert gql.query(f'{{ order(id: "{wholesale_id:032x}") {{ isOnHold }} }}')["data"]["order"] == {"isOnHold": True}


def test_add_lines_to_a_wholesale_order(api: Any, gql: GraphQLClient, world: World) -> None:
    wholesale_id = api.call(add_orders, world, 1, store_id=world.wholesale_store_id)[0]
    before = _stock(gql)[world.size_ids[0]]
    body = gql.query(
        f"""mutation {{ updateWholesaleOrder(order: {{id: "{wholesale_id:032x}"}}, input: {{addLines: [
              {{display: {{id: {world.display_id}}}, productSize: {{id: {world.size_ids[0]}}}, quantity: 2, unitPrice: {{currencyIsoCode: "SEK", value: 110.00}}}}
            ]}}) {{ order {{ grandTotal {{ value }} lines {{ quantity unitPrice {{ value }} display {{ id }} allocations {{ quantity }} }} }} userErrors {{ message path }} }} }}"""
    )["data"]["updateWholesaleOrder"]
    assert body["userErrors"] == []
    assert body["order"]["grandTotal"] == {"value": 199.0 * 3 + 220.0}
    assert body["order"]["lines"][-1] == {
        "quantity": 2,
        "unitPrice": {"value": 110.0},
        "display": {"id": world.display_id},
        "allocations": [{"quantity": 2}],
    }
    assert _stock(gql)[world.size_ids[0]] == (before[0] + 2, before[1])


def test_unallocate_order_lines(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1)
    order = _orders(gql)[0]
    first, second = order["lines"]
    assert second["allocations"] == [{"quantity": 2, "warehouse": {"id": world.warehouse_id}}]
    body = gql.query(
        f"""mutation {{ unallocateOrder(input: {{
              order: {{number: {order["number"]}}}
              unallocate: [{{orderLine: {{id: {second["id"]}}}, quantity: 1}}, {{orderLine: {{id: {first["id"]}}}, quantity: 3}}]
              warehouses: [{{id: {world.warehouse_id}}}]
              stockActionPolicy: {{releaseItemsBackToWarehouse: true}}
            }}) {{ order {{ lines {{ id quantity allocations {{ quantity }} }} }} userErrors {{ message }} userWarnings {{ message path }} }} }}"""
    )["data"]["unallocateOrder"]
    assert body["userErrors"] == []
    assert body["userWarnings"] == [
        {
            "message": f"Order line {first['id']} had only 1 allocated; 1 unallocated",
            "path": ["input", "unallocate", "1"],
        }
    ]
    assert [line["allocations"] for line in body["order"]["lines"]] == [[], [{"quantity": 1}]]
    assert _stock(gql) == {world.size_ids[0]: (0, 100), world.size_ids[1]: (1, 100)}
    unknown = gql.query(
        f"mutation {{ unallocateOrder(input: {{order: {{number: {order['number']}}}, unallocate: [{{orderLine: {{id: 999}}, quantity: 1}}]}}) {{ order {{ id }} userErrors {{ message path }} }} }}"
    )["data"]["unallocateOrder"]
    assert unknown["userErrors"][0]["path"] == ["input", "unallocate", "0", "orderLine"]
    assert _stock(gql) == {world.size_ids[0]: (0, 100), world.size_ids[1]: (1, 100)}


def test_release_remaining_authorization(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1)
    order = _orders(gql)[0]
    release = f'mutation {{ releaseRemainingOrderAuthorization(order: {{id: "{order["id"]}"}}) {{ order {{ id grandTotal {{ value }} }} paymentHistoryEntry {{ entryType status value {{ value currency {{ code }} }} paymentMethod }} userErrors {{ message path }} userWarnings {{ message }} }} }}'
    body = gql.query(release)
    payload = body["data"]["releaseRemainingOrderAuthorization"]
    assert payload["userErrors"] == []
    assert payload["paymentHistoryEntry"] == {
        "entryType": "CANCEL",
        "status": "SUCCESS",
        "value": {"value": 597.0, "currency": {"code": "SEK"}},
        "paymentMethod": "manual",
    }
    assert payload["order"] == {"id": order["id"], "grandTotal": {"value": 0.0}}
    assert "Payment.cancel:write" in body["extensions"]["permissionsUsed"]
    again = gql.query(release)["data"]["releaseRemainingOrderAuthorization"]
    assert again["order"] is None
    assert again["userErrors"] == [{"message": "there is no remaining authorization to release", "path": ["order"]}]
    history = gql.query(
        f'{{ order(id: "{order["id"]}") {{ paymentHistory(where: {{entryType: [CANCEL]}}) {{ entryType }} capture: paymentHistory(where: {{entryType: [CAPTURE, CAPTURE_REQUEST]}}) {{ entryType }} }} }}'
    )["data"]["order"]
    assert history == {"paymentHistory": [{"entryType": "CANCEL"}], "capture": []}


def _shipped_order(api: Any, gql: GraphQLClient, world: World) -> tuple[dict[str, Any], int, list[dict[str, Any]]]:
    api.call(add_orders, world, 1)
    order = _orders(gql)[0]
    lines = [{"orderLine": {"id": line["id"]}, "quantity": line["quantity"]} for line in order["lines"]]
    shipment = gql.query(
        """mutation ($input: ShipmentCreateInput!) { createShipment(input: $input) { shipment { id } userErrors { message } } }""",
        {
            "input": {
                "order": {"id": order["id"]},
                "lines": lines,
                "capture": True,
                "shippedAt": "2023-01-09T15:18:33+01:00",
                "shipmentInfo": {"trackingNumber": "1234trackingcode", "returnTrackingNumber": "1234returncode"},
            }
        },
    )["data"]["createShipment"]["shipment"]
    shipment_lines = gql.query("{ shipments { lines { id } } }")["data"]["shipments"][0]["lines"]
    return order, shipment["id"], shipment_lines


def test_uncomplete_and_delete_returns(api: Any, gql: GraphQLClient, world: World) -> None:
    _, shipment_id, shipment_lines = _shipped_order(api, gql, world)
    shipment = gql.query("{ shipments { trackingNumber returnTrackingNumber } }")["data"]["shipments"][0]
    assert shipment == {"trackingNumber": "1234trackingcode", "returnTrackingNumber": "1234returncode"}
    create = """mutation ($shipment: Int!, $line: Int!) {
      createReturn(input: {shipment: {id: $shipment}, lines: [{shipmentLine: {id: $line}, quantity: 1}],
        returnStockActionPolicy: {removeItemsFromStock: true}}) { return { id } userErrors { message } } }"""
    return_id = gql.query(create, {"shipment": shipment_id, "line": shipment_lines[0]["id"]})["data"]["createReturn"][
        "return"
    ]["id"]
    gql.query("mutation ($id: Int!) { completeReturn(id: $id) { userErrors { message } } }", {"id": return_id})
    refused = gql.query(
        f"mutation {{ deleteReturn(id: {return_id}) {{ return {{ id }} userErrors {{ message path }} }} }}"
    )
    assert refused["data"]["deleteReturn"] == {
        "return": None,
        "userErrors": [{"message": "a completed return cannot be deleted; uncomplete it first", "path": ["id"]}],
    }
    reopened = gql.query(
        f"mutation {{ uncompleteReturn(id: {return_id}) {{ return {{ id status }} userErrors {{ message }} }} }}"
    )
    assert reopened["data"]["uncompleteReturn"] == {"return": {"id": return_id, "status": "PENDING"}, "userErrors": []}
    deleted = gql.query(
        f"mutation {{ deleteReturn(id: {return_id}) {{ return {{ id lines {{ id quantity }} }} userErrors {{ message }} }} }}"
    )
    payload = deleted["data"]["deleteReturn"]
    assert payload["userErrors"] == []
    assert payload["return"]["id"] == return_id and [line["quantity"] for line in payload["return"]["lines"]] == [1]
    assert gql.query("{ returns { id } }")["data"]["returns"] == []
    assert gql.query("{ shipments { lines { returnedQuantity } } }")["data"]["shipments"][0]["lines"][0] == {
        "returnedQuantity": 0
    }
    # The unit can be returned again.
    again = gql.query(create, {"shipment": shipment_id, "line": shipment_lines[0]["id"]})["data"]["createReturn"]
    assert again["userErrors"] == []
    missing = gql.query("mutation { uncompleteReturn(id: 999) { return { id } userErrors { message } } }")
    assert missing["data"]["uncompleteReturn"]["userErrors"] == [{"message": "Could not find Return with ID 999"}]


def test_invoices_and_formatted_dates(api: Any, gql: GraphQLClient, world: World) -> None:
    order, shipment_id, _ = _shipped_order(api, gql, world)
    body = gql.query(
        "{ invoices(limit: 1) { __typename id number total { value } shipment { id } order { number } billingAddress { city } createdAt } }"
    )
    invoice = body["data"]["invoices"][0]
    assert (invoice["__typename"], invoice["id"], invoice["total"]["value"]) == (
        "DirectToConsumerInvoice",
        shipment_id,
        597.0,
    )
    assert invoice["order"] == {"number": order["number"]}
    assert {"Invoice:read", "Invoice.billingAddress:read"} <= set(body["extensions"]["permissionsUsed"])
    dates = gql.query('{ orders { orderDate(format: "Y-m-d") createdAt updatedAt(format: "Y") } }')["data"]["orders"][0]
    assert len(dates["orderDate"]) == 10 and dates["orderDate"][4] == "-"
    assert dates["createdAt"].startswith(dates["orderDate"]) and len(dates["updatedAt"]) == 4
    shipment = gql.query('{ shipments { shippedAt(format: "Y-m-d H:i") plain: shippedAt } }')["data"]["shipments"][0]
    assert shipment == {"shippedAt": "2023-01-09 14:18", "plain": "2023-01-09T14:18:33+00:00"}


def test_fields_the_documented_fragments_ask_for(api: Any, gql: GraphQLClient, world: World) -> None:
    order, shipment_id, _ = _shipped_order(api, gql, world)
    shipment = gql.query(
        """{ shipments { id grandTotal { value } net: grandTotal(includingTax: false) { value }
             carrierInformation { carrierName serviceName } internalShippingCost { value } adminUser { id } shipmentPlugin { id }
             discountsApplied { value { value } } lines { quantity lineValue { value formattedValue } } } }"""
    )["data"]["shipments"][0]
    assert shipment["id"] == shipment_id
    assert shipment["grandTotal"] == {"value": 597.0}
    # 25 % tax included in every line: 597.00 / 1.25.
    assert shipment["net"] == {"value": 477.6}
    assert shipment["carrierInformation"] == {"carrierName": None, "serviceName": None}
    assert (shipment["internalShippingCost"], shipment["adminUser"], shipment["shipmentPlugin"]) == (None, None, None)
    assert shipment["discountsApplied"] == []
    assert [line["lineValue"]["value"] for line in shipment["lines"]] == [199.0, 398.0]
    assert shipment["lines"][1]["lineValue"]["formattedValue"] == "398.00 kr"
    found = gql.query(
        f'{{ order(id: "{order["id"]}") {{ totals {{ quantity }} lines {{ hasAnyDiscount }} discountsApplied {{ value {{ value }} date }} }} }}'
    )["data"]["order"]
    assert found == {"totals": {"quantity": 3}, "lines": [{"hasAnyDiscount": False}] * 2, "discountsApplied": []}


async def _add_state(db: Database) -> None:
    async with db.write() as session:
        sweden = await session.scalar(select(Country).where(Country.code == "SE"))
        assert sweden is not None
        session.add(CountryState(country_id=sweden.id, code="M", name="Skåne"))


def test_fully_cancelled_lines_are_shown_on_request(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1)
    api.call(_add_state)
    order = _orders(gql)[0]
    first = order["lines"][0]
    gql.query(
        UPDATE_DTC,
        {
            "order": {"id": order["id"]},
            "input": {
                "cancelLines": [{"line": {"id": first["id"]}, "quantity": 1, "stockAction": "REMOVE_FROM_STOCK"}],
                "shippingAddress": {"country": {"code": "SE"}, "stateOrProvince": "Skåne"},
            },
        },
    )
    found = gql.query(
        f'{{ order(id: "{order["id"]}") {{ lines {{ id }} all: lines(includeFullyCancelled: true) {{ id cancelledQuantity }} totals {{ quantity }} shippingAddress {{ stateOrProvince state {{ code name }} }} }} }}'
    )["data"]["order"]
    assert found["lines"] == [{"id": order["lines"][1]["id"]}]
    assert found["all"][0] == {"id": first["id"], "cancelledQuantity": 1}
    assert found["totals"] == {"quantity": 2}
    assert found["shippingAddress"] == {"stateOrProvince": "Skåne", "state": {"code": "M", "name": "Skåne"}}
    # REMOVE_FROM_STOCK: the unit left physical stock instead of going back on the shelf.
    assert _stock(gql)[world.size_ids[0]] == (0, 99)
