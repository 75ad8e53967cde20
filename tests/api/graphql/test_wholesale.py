"""Wholesale over GraphQL: accounts, buyers, delivery windows and their variants (both backends)."""

# GraphQL documents read best on the lines the API docs use.
# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from tests.api.graphql.gqlkit import GraphQLClient, World, add_orders

from opencentra.db.engine import Database
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.orders.models import Order

ACCOUNT_FIELDS = "id name status discountPercent isDiscountVisible market { id } pricelist { id } deliveryWindowDiscounts { deliveryWindow { id } discountPercent }"

DELWIN_FIELDS = """
  id name status __typename
  markets { id name } campaigns { id name } allocationRule { id name }
  defaultVariantDeliveryType deliveryDatesVisible selectableByBuyers selectedByDefault
  deliveryWindowVariants { limit { value on type } type product { id name } productVariant { id } }
  ... on AtOnceDeliveryWindow { daysFromNow selectableDate }
  ... on PreorderDeliveryWindow { allocationOrder deliveryStartDate deliveryEndDate salesStartDate salesEndDate }
"""


def _create_account(gql: GraphQLClient, world: World, **extra: Any) -> dict[str, Any]:
    body = gql.query(
        f"""mutation ($input: AccountCreateInput!) {{
          createAccount(input: $input) {{ account {{ {ACCOUNT_FIELDS} }} userErrors {{ message path }} userWarnings {{ message }} }}
        }}""",
        {
            "input": {
                "status": "INACTIVE",
                "name": "Test Account",
                "market": {"id": world.wholesale_market_id},
                "discounts": {"generalDiscount": {"discountPercent": 14.3, "isVisible": True}},
                **extra,
            }
        },
    )
    payload: dict[str, Any] = body["data"]["createAccount"]
    return payload


def _window(gql: GraphQLClient, world: World, **input: Any) -> dict[str, Any]:
    body = gql.query(
        f"""mutation ($input: DeliveryWindowCreateInput!) {{
          createDeliveryWindow(input: $input) {{ deliveryWindow {{ {DELWIN_FIELDS} }} userErrors {{ message path }} }}
        }}""",
        {"input": input},
    )
    payload: dict[str, Any] = body["data"]["createDeliveryWindow"]
    return payload


def test_create_and_update_an_account(gql: GraphQLClient, world: World) -> None:
    created = _create_account(gql, world)
    assert created["userErrors"] == []
    account = created["account"]
    assert account["status"] == "INACTIVE"
    assert (account["discountPercent"], account["isDiscountVisible"]) == (14.3, True)
    assert account["market"] == {"id": world.wholesale_market_id}
    window = _window(gql, world, name="Now", atOnce={"daysFromNow": 0})["deliveryWindow"]
    body = gql.query(
        f"""mutation {{ updateAccount(id: {account["id"]}, input: {{
              status: ACTIVE
              discounts: {{ generalDiscount: {{ discountPercent: 10.0, isVisible: true }}
                           addDeliveryWindowDiscounts: [{{ deliveryWindow: {{ id: {window["id"]} }}, discountPercent: 12.3 }}] }}
            }}) {{ account {{ {ACCOUNT_FIELDS} }} userErrors {{ message path }} }} }}"""
    )
    updated = body["data"]["updateAccount"]["account"]
    assert (updated["status"], updated["discountPercent"]) == ("ACTIVE", 10.0)
    assert updated["deliveryWindowDiscounts"] == [{"deliveryWindow": {"id": window["id"]}, "discountPercent": 12.3}]
    listed = gql.query('{ accounts(where: {name: {contains: "Test"}}) { id name } }')["data"]["accounts"]
    assert listed == [{"id": account["id"], "name": "Test Account"}]
    assert body["extensions"]["permissionsUsed"] == ["Account:write"]


def test_invalid_account_input_gives_user_errors_and_changes_nothing(gql: GraphQLClient, world: World) -> None:
    refused = _create_account(gql, world, market={"id": world.market_id})
    assert refused["account"] is None
    assert refused["userErrors"] == [
        {"message": f"Market {world.market_id} is not in a wholesale store", "path": ["input", "market"]}
    ]
    too_much = _create_account(gql, world, discounts={"generalDiscount": {"discountPercent": 101}})
    assert too_much["userErrors"][0]["path"] == ["input", "discounts", "generalDiscount", "discountPercent"]
    missing = gql.query(
        'mutation { updateAccount(id: 999, input: {name: "X"}) { account { id } userErrors { message path } } }'
    )
    assert missing["data"]["updateAccount"]["userErrors"] == [
        {"message": "Could not find Account with ID 999", "path": ["id"]}
    ]
    assert gql.query("{ accounts { id } }")["data"]["accounts"] == []


def test_create_and_update_a_buyer(gql: GraphQLClient, world: World) -> None:
    account = _create_account(gql, world)["account"]
    fields = "id status email firstName account { id name } store { id } receiveAutoEmails websiteUrl billingAddress { firstName city country { code } cellPhoneNumber faxNumber email }"
    body = gql.query(
        f"""mutation {{ createBuyer(input: {{
              store: {{ id: {world.wholesale_store_id} }} status: ACTIVE account: {{ id: {account["id"]} }}
              websiteUrl: "Example URL" receiveAutoEmails: true
              billingAddress: {{ firstName: "Jon" lastName: "Snow" city: "Winterfell" country: {{ code: "SE" }}
                                 cellPhoneNumber: "246813579" faxNumber: "123456789" email: "jon@example.com" }}
            }}) {{ buyer {{ {fields} }} userErrors {{ message path }} }} }}"""
    )
    payload = body["data"]["createBuyer"]
    assert payload["userErrors"] == []
    buyer = payload["buyer"]
    assert buyer["account"] == {"id": account["id"], "name": "Test Account"}
    assert buyer["billingAddress"] == {
        "firstName": "Jon",
        "city": "Winterfell",
        "country": {"code": "SE"},
        "cellPhoneNumber": "246813579",
        "faxNumber": "123456789",
        "email": "jon@example.com",
    }
    assert "Buyer.billingAddress:read" in body["extensions"]["permissionsUsed"]
    again = gql.query(
        f"""mutation {{ updateBuyer(id: {buyer["id"]}, input: {{ websiteUrl: "Different URL" billingAddress: {{ city: "TheWall" }} }})
              {{ buyer {{ {fields} }} userErrors {{ message path }} }} }}"""
    )["data"]["updateBuyer"]["buyer"]
    assert (again["websiteUrl"], again["billingAddress"]["city"], again["billingAddress"]["firstName"]) == (
        "Different URL",
        "TheWall",
        "Jon",
    )
    wrong_store = gql.query(
        f"""mutation {{ updateBuyer(id: {buyer["id"]}, input: {{ store: {{ id: {world.store_id} }} }}) {{ buyer {{ id }} userErrors {{ message path }} }} }}"""
    )["data"]["updateBuyer"]
    assert wrong_store == {
        "buyer": None,
        "userErrors": [{"message": f"Store {world.store_id} is not a wholesale store", "path": ["input", "store"]}],
    }
    assert gql.query("{ buyers { id websiteUrl } }")["data"]["buyers"] == [
        {"id": buyer["id"], "websiteUrl": "Different URL"}
    ]


def test_delivery_windows_with_variants(gql: GraphQLClient, world: World) -> None:
    preorder = _window(
        gql,
        world,
        name="First PreOrder DelWin",
        status="ACTIVE",
        deliveryDatesVisible=True,
        selectableByBuyers=True,
        selectedByDefault=False,
        defaultVariantDeliveryType="STOCK",
        markets=[{"id": world.wholesale_market_id}],
        preorder={
            "deliveryDateRange": {"from": "2022-08-01", "to": "2022-10-31"},
            "salesDateRange": {"from": "2022-08-01", "to": "2022-10-31"},
            "allocationOrder": "FIFO",
        },
    )
    assert preorder["userErrors"] == []
    window = preorder["deliveryWindow"]
    assert window["__typename"] == "PreorderDeliveryWindow"
    assert (window["deliveryStartDate"], window["salesEndDate"], window["allocationOrder"]) == (
        "2022-08-01",
        "2022-10-31",
        "FIFO",
    )
    assert window["markets"] == [{"id": world.wholesale_market_id, "name": "B2B"}]
    body = gql.query(
        f"""mutation {{ setDeliveryWindowVariants(input: {{ deliveryWindow: {{ id: {window["id"]} }} variants: [
              {{ productVariant: {{ id: {world.variant_id} }} type: STOCK limit: {{ value: 100, type: HIGH, on: ProductVariant }} }}
              {{ productVariant: {{ id: 99999 }} type: STOCK }}
            ] }}) {{ deliveryWindow {{ {DELWIN_FIELDS} }} userErrors {{ message path }} userWarnings {{ message path }} }} }}"""
    )["data"]["setDeliveryWindowVariants"]
    assert body["userErrors"] == []
    assert body["userWarnings"] == [
        {"message": "Could not find ProductVariant with ID 99999", "path": ["input", "variants", "1"]}
    ]
    assert body["deliveryWindow"]["deliveryWindowVariants"] == [
        {
            "limit": {"value": 100, "on": "ProductVariant", "type": "HIGH"},
            "type": "STOCK",
            "product": {"id": world.product_id, "name": "Tee"},
            "productVariant": {"id": world.variant_id},
        }
    ]
    listed = gql.query(
        f"{{ deliveryWindows(where: {{ id: {window['id']} }}) {{ id deliveryWindowVariants {{ type }} }} }}"
    )
    assert listed["data"]["deliveryWindows"] == [{"id": window["id"], "deliveryWindowVariants": [{"type": "STOCK"}]}]
    unset = gql.query(
        f"""mutation {{ unsetDeliveryWindowVariants(input: {{ deliveryWindow: {{ id: {window["id"]} }} productVariants: [{{ id: {world.variant_id} }}] }})
              {{ deliveryWindow {{ deliveryWindowVariants {{ type }} }} userErrors {{ message }} }} }}"""
    )["data"]["unsetDeliveryWindowVariants"]
    assert unset == {"deliveryWindow": {"deliveryWindowVariants": []}, "userErrors": []}
    cancelled = gql.query(
        f"""mutation {{ updateDeliveryWindow(id: {window["id"]}, input: {{ status: CANCELLED }}) {{ deliveryWindow {{ status }} userErrors {{ message }} }} }}"""
    )["data"]["updateDeliveryWindow"]
    assert cancelled == {"deliveryWindow": {"status": "CANCELLED"}, "userErrors": []}


def test_invalid_delivery_window_input(gql: GraphQLClient, world: World) -> None:
    neither = _window(gql, world, name="Neither")
    assert neither == {
        "deliveryWindow": None,
        "userErrors": [{"message": "give exactly one of atOnce or preorder", "path": ["input", "atOnce"]}],
    }
    backwards = _window(
        gql, world, name="Back", preorder={"deliveryDateRange": {"from": "2022-10-31", "to": "2022-08-01"}}
    )
    assert backwards["userErrors"][0]["path"] == ["input", "preorder", "deliveryDateRange"]
    missing = gql.query(
        "mutation { setDeliveryWindowVariants(input: {deliveryWindow: {id: 999}, variants: []}) { deliveryWindow { id } userErrors { message path } } }"
    )["data"]["setDeliveryWindowVariants"]
    assert missing["userErrors"] == [
        {"message": "Could not find DeliveryWindow with ID 999", "path": ["input", "deliveryWindow"]}
    ]
    assert gql.query("{ deliveryWindows { id } }")["data"]["deliveryWindows"] == []


def test_wholesale_fields_need_their_permissions(gql: GraphQLClient, world: World) -> None:
    for permission, document in [
        ("Account:write", 'mutation { createAccount(input: {name: "A", market: {id: 1}}) { userErrors { message } } }'),
        ("Buyer:write", "mutation { createBuyer(input: {account: {id: 1}}) { userErrors { message } } }"),
        ("DeliveryWindow:write", 'mutation { createDeliveryWindow(input: {name: "W"}) { userErrors { message } } }'),
        ("DeliveryWindow:read", "{ deliveryWindows { id } }"),
        ("Account:read", "{ accounts { id } }"),
        ("Buyer:read", "{ buyers { id } }"),
    ]:
        token = gql.token([p for p in ALL_PERMISSIONS if p != permission])
        body = gql.post(document, token=token).json()
        assert body["errors"][0]["message"].startswith(f"You need {permission} permission"), body
        assert body["errors"][0]["extensions"] == {"category": "authorization"}
    # Nothing was created by the refused mutations.
    assert gql.query("{ accounts { id } deliveryWindows { id } }")["data"] == {"accounts": [], "deliveryWindows": []}


def test_wholesale_changes_reach_the_events_system(gql: GraphQLClient, world: World) -> None:
    gql.query(
        "mutation { setEventListeners(input: [{objectType: Account, changeTypes: [CREATED, UPDATED]}, {objectType: DeliveryWindow, changeTypes: [CREATED]}]) { userErrors { message } } }"
    )
    account = _create_account(gql, world)["account"]
    window = _window(gql, world, name="Now", atOnce={})["deliveryWindow"]
    events = gql.query("{ events(limit: 10) { objectType changeType objectReference } }")["data"]["events"]
    assert events == [
        {"objectType": "Account", "changeType": "CREATED", "objectReference": str(account["id"])},
        {"objectType": "DeliveryWindow", "changeType": "CREATED", "objectReference": str(window["id"])},
    ]


def test_a_token_restricted_to_another_store_sees_no_accounts(gql: GraphQLClient, world: World) -> None:
    account = _create_account(gql, world)["account"]
    retail = gql.token(list(ALL_PERMISSIONS), store_id=world.store_id)
    assert gql.query("{ accounts { id } buyers { id } }", token=retail)["data"] == {"accounts": [], "buyers": []}
    refused = gql.query(
        f"mutation {{ createBuyer(input: {{account: {{id: {account['id']}}}}}) {{ buyer {{ id }} userErrors {{ message path }} }} }}",
        token=retail,
    )["data"]["createBuyer"]
    assert refused == {
        "buyer": None,
        "userErrors": [{"message": f"Could not find Account with ID {account['id']}", "path": ["input", "account"]}],
    }
    moved = gql.query(
        f'mutation {{ updateAccount(id: {account["id"]}, input: {{name: "Mine"}}) {{ account {{ id }} userErrors {{ message path }} }} }}',
        token=retail,
    )["data"]["updateAccount"]
    assert moved["userErrors"] == [{"message": f"Could not find Account with ID {account['id']}", "path": ["id"]}]
    assert gql.query("{ accounts { name } }")["data"]["accounts"] == [{"name": "Test Account"}]


async def _place_for(db: Database, order_id: int, account_id: int, buyer_id: int) -> None:
    """What a wholesale checkout records: the order's account and buyer."""
    async with db.write() as session:
        await session.execute(
            update(Order).where(Order.id == order_id).values(account_id=account_id, buyer_id=buyer_id, po_number="PO-1")
        )


def test_wholesale_orders_show_their_account_and_buyer(api: Any, gql: GraphQLClient, world: World) -> None:
    account = _create_account(gql, world)["account"]
    buyer = gql.query(
        f'mutation {{ createBuyer(input: {{account: {{id: {account["id"]}}}, billingAddress: {{email: "jon@example.com"}}}}) {{ buyer {{ id }} }} }}'
    )["data"]["createBuyer"]["buyer"]
    order_id = api.call(add_orders, world, 1, store_id=world.wholesale_store_id)[0]
    api.call(_place_for, order_id, account["id"], buyer["id"])
    body = gql.query(
        """{ orderConnection(last: 10, where: {storeType: WHOLESALE}) { edges { node { number
             ... on WholesaleOrder { purchaseOrderNumber account { name } buyer { email } } } } }
           accounts { orders(limit: 5) { id } } }"""
    )["data"]
    node = body["orderConnection"]["edges"][0]["node"]
    assert (node["purchaseOrderNumber"], node["account"], node["buyer"]) == (
        "PO-1",
        {"name": "Test Account"},
        {"email": "jon@example.com"},
    )
    assert body["accounts"] == [{"orders": [{"id": f"{order_id:032x}"}]}]
    refused = gql.post("{ accounts { orders { id } } }", token=gql.token(["Account:read"])).json()
    assert refused["errors"][0]["message"] == "You need Order:read permission to access orders."


def test_related_wholesale_objects_need_their_own_permission(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_orders, world, 1, store_id=world.wholesale_store_id)
    body = gql.post(
        "{ orders { number ... on WholesaleOrder { account { id } buyer { id } } } }", token=gql.token(["Order:read"])
    ).json()
    assert sorted(error["message"] for error in body["errors"]) == [
        "You need Account:read permission to access account.",
        "You need Buyer:read permission to access buyer.",
    ]
    assert body["data"]["orders"][0]["account"] is None
