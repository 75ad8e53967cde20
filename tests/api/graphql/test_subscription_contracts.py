"""The subscription back office in GraphQL: ``subscriptionContracts``/``subscriptions`` with where, sort,
limit and page; pause, resume, cancel, interval, quantity, next order date and address; permissions,
store restrictions, outbox events, and a fixed number of statements per page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from tests.api.graphql.gqlkit import GraphQLClient, World
from tests.api.graphql.test_queries import counted_statements

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.events.models import Event
from opencentra.integration.permissions import ALL_PERMISSIONS
from opencentra.subscriptions.models import ContractSubscription, SubscriptionContract

TODAY = utcnow().date()


async def add_contracts(db: Database, world: World, count: int, *, store_id: int | None = None) -> list[int]:
    """``count`` contracts of the world's customer, each with two subscriptions (one paused)."""
    ids: list[int] = []
    async with db.write() as session:
        for n in range(count):
            contract = SubscriptionContract(
                store_id=store_id or world.store_id,
                market_id=world.market_id,
                pricelist_id=world.pricelist_id,
                currency_id=world.currency_id,
                customer_id=world.customer_id,
                email="ada@example.com" if n % 2 == 0 else f"other{n}@example.com",
                amount_minor=19_900,
                shipping_minor=4_900,
                start_date=TODAY,
                billing_first_name="Ada",
                billing_country="SE",
                shipping_first_name="Ada",
                shipping_address1="Storgatan 1",
                shipping_city="Stockholm",
                shipping_country="SE",
            )
            session.add(contract)
            await session.flush()
            for k, status in enumerate(("active", "paused")):
                session.add(
                    ContractSubscription(
                        contract_id=contract.id,
                        plan_id=None,
                        plan_name="Monthly",
                        interval_value=1,
                        interval_type="month",
                        discount_bp=1000,
                        quantity=1 + k,
                        display_item_id=world.display_item_id,
                        product_size_id=world.size_ids[k],
                        status=status,
                        payment_status="active",
                        next_order_date=TODAY + timedelta(days=n + 10 * k),
                        failed_attempts=0,
                    )
                )
            ids.append(contract.id)
        await session.flush()
    return ids


async def first_subscription(db: Database, contract_id: int, status: str = "active") -> int:
    async with db.read() as session:
        found = await session.scalar(
            select(ContractSubscription.id).where(
                ContractSubscription.contract_id == contract_id, ContractSubscription.status == status
            )
        )
    assert found is not None
    return found


async def events_of(db: Database, object_type: str, object_id: int) -> list[str]:
    async with db.read() as session:
        rows = await session.scalars(
            select(Event.action)
            .where(Event.object_type == object_type, Event.object_id == object_id)
            .order_by(Event.id)
        )
        return list(rows)


CONTRACTS = """
query($where: SubscriptionContractFilter, $limit: Int, $page: Int, $sort: [SubscriptionContractSort!]) {
  subscriptionContracts(where: $where, limit: $limit, page: $page, sort: $sort) {
    id status email startDate isWaitingForFirstPayment
    orderTotal { value currency { code } }
    customer { id email }
    store { id name }
    market { id }
    pricelist { id }
    shippingAddress { firstName address1 city country { code } }
    storedPaymentMethod { id }
    subscriptions {
      id status paymentStatus quantity discountPercent nextOrderDate item
      interval { value type }
      subscriptionPlan { id name }
    }
  }
}
"""


def test_contracts_with_their_subscriptions(api: Any, gql: GraphQLClient, world: World) -> None:
    ids = api.call(add_contracts, world, 3)
    data = gql.query(CONTRACTS, {"sort": ["id_DESC"]})["data"]["subscriptionContracts"]
    assert [c["id"] for c in data] == list(reversed(ids))
    first = data[-1]
    assert first["status"] == "ACTIVE" and first["email"] == "ada@example.com"
    assert first["orderTotal"] == {"value": 199.0, "currency": {"code": "SEK"}}
    assert first["customer"] == {"id": world.customer_id, "email": "ada@example.com"}
    assert first["store"]["id"] == world.store_id and first["market"]["id"] == world.market_id
    assert first["shippingAddress"] == {
        "firstName": "Ada",
        "address1": "Storgatan 1",
        "city": "Stockholm",
        "country": {"code": "SE"},
    }
    assert first["storedPaymentMethod"] is None and first["isWaitingForFirstPayment"] is False
    active, paused = first["subscriptions"]
    assert active["status"] == "ACTIVE" and paused["status"] == "PAUSED"
    assert active["interval"] == {"value": 1, "type": "MONTH"}
    assert active["discountPercent"] == 10.0 and active["nextOrderDate"] == TODAY.isoformat()
    assert active["item"] == f"{world.display_item_id}-{world.size_ids[0]}"
    assert active["subscriptionPlan"] == {"id": None, "name": "Monthly"}


def test_contract_filters_and_pages(api: Any, gql: GraphQLClient, world: World) -> None:
    ids = api.call(add_contracts, world, 5)
    by = {
        "email": {"email": {"equals": "ADA@example.com"}},
        "id": {"id": [ids[1], ids[3]]},
        "customer": {"customerId": [world.customer_id + 999]},
        "status": {"status": ["CANCELLED"]},
        "store": {"storeId": world.wholesale_store_id},
    }
    found = {
        name: [c["id"] for c in gql.query(CONTRACTS, {"where": where})["data"]["subscriptionContracts"]]
        for name, where in by.items()
    }
    assert found == {
        "email": [ids[0], ids[2], ids[4]],
        "id": [ids[1], ids[3]],
        "customer": [],
        "status": [],
        "store": [],
    }
    page_two = gql.query(CONTRACTS, {"limit": 2, "page": 2})["data"]["subscriptionContracts"]
    assert [c["id"] for c in page_two] == ids[2:4]
    one = gql.query("query($id: Int!) { subscriptionContract(id: $id) { id } }", {"id": ids[4]})
    assert one["data"]["subscriptionContract"] == {"id": ids[4]}
    bad = gql.post(CONTRACTS, {"limit": -1}).json()
    assert bad["data"] is None and "limit" in bad["errors"][0]["message"]


SUBSCRIPTIONS = """
query($where: SubscriptionFilter, $sort: [SubscriptionSort!], $limit: Int, $page: Int) {
  subscriptions(where: $where, sort: $sort, limit: $limit, page: $page) {
    id status nextOrderDate subscriptionContract { id email }
  }
}
"""


def test_subscriptions_by_status_and_next_order_date(api: Any, gql: GraphQLClient, world: World) -> None:
    ids = api.call(add_contracts, world, 4)
    soon = {
        "status": ["ACTIVE"],
        "nextOrderDate": {"from": TODAY.isoformat(), "to": (TODAY + timedelta(days=1)).isoformat()},
    }
    found = gql.query(SUBSCRIPTIONS, {"where": soon, "sort": ["nextOrderDate_DESC"]})["data"]["subscriptions"]
    assert [s["subscriptionContract"]["id"] for s in found] == [ids[1], ids[0]]
    assert {s["status"] for s in found} == {"ACTIVE"}
    paused = gql.query(SUBSCRIPTIONS, {"where": {"status": ["PAUSED"], "subscriptionContractId": [ids[2]]}})
    assert len(paused["data"]["subscriptions"]) == 1
    sub_id = paused["data"]["subscriptions"][0]["id"]
    one = gql.query("query($id: Int!) { subscription(id: $id) { id status } }", {"id": sub_id})
    assert one["data"]["subscription"] == {"id": sub_id, "status": "PAUSED"}


def test_a_page_costs_the_same_statements_whatever_its_size(api: Any, gql: GraphQLClient, world: World) -> None:
    api.call(add_contracts, world, 2)
    with counted_statements(api) as few:
        assert len(gql.query(CONTRACTS)["data"]["subscriptionContracts"]) == 2
    api.call(add_contracts, world, 18)
    with counted_statements(api) as many:
        assert len(gql.query(CONTRACTS)["data"]["subscriptionContracts"]) == 20
    assert len(many) == len(few), many
    # The contract behind each subscription is loaded once per page too.
    with counted_statements(api) as subs_few:
        gql.query(SUBSCRIPTIONS, {"limit": 2})
    with counted_statements(api) as subs_many:
        gql.query(SUBSCRIPTIONS, {"limit": 40})
    assert len(subs_many) == len(subs_few), subs_many


# --- permissions and store restrictions -----------------------------------------------------------


def test_reading_and_writing_need_subscription_permissions(api: Any, gql: GraphQLClient, world: World) -> None:
    (contract,) = api.call(add_contracts, world, 1)
    sub = api.call(first_subscription, contract)
    without = gql.token([p for p in ALL_PERMISSIONS if not p.startswith("Subscription")])
    refused = gql.post("{ subscriptionContracts { id } }", token=without).json()
    assert refused["errors"][0]["message"] == "You need Subscription:read permission to access subscriptionContracts."
    assert refused["errors"][0]["extensions"]["category"] == "authorization"
    assert "Subscription:read" in refused["extensions"]["permissionsUsed"]
    reader = gql.token(["Subscription:read"])
    ok = gql.post("{ subscriptions { id } }", token=reader).json()
    assert ok["data"]["subscriptions"] and "errors" not in ok
    # The addresses need their own permission, as an order's do.
    address = gql.post("{ subscriptionContracts { id shippingAddress { city } } }", token=reader).json()
    assert "SubscriptionContract.shippingAddress:read" in address["errors"][0]["message"]
    pause = "mutation($id: Int!) { pauseSubscription(id: $id) { subscription { status } userErrors { message } } }"
    written = gql.post(pause, {"id": sub}, token=reader).json()
    assert written["errors"][0]["message"] == "You need Subscription:write permission to access pauseSubscription."
    assert api.call(events_of, "subscription", sub) == []


def test_a_store_restricted_token_sees_and_changes_only_its_store(api: Any, gql: GraphQLClient, world: World) -> None:
    (own,) = api.call(add_contracts, world, 1)
    (other,) = api.call(add_contracts, world, 1, store_id=world.wholesale_store_id)
    token = gql.token(ALL_PERMISSIONS, store_id=world.store_id)
    seen = gql.query("{ subscriptionContracts { id } subscriptions { id } }", token=token)["data"]
    assert [c["id"] for c in seen["subscriptionContracts"]] == [own]
    assert len(seen["subscriptions"]) == 2
    hidden = gql.query("query($id: Int!) { subscriptionContract(id: $id) { id } }", {"id": other}, token=token)
    assert hidden["data"]["subscriptionContract"] is None
    sub = api.call(first_subscription, other)
    pause = "mutation($id: Int!) { pauseSubscription(id: $id) { subscription { id } userErrors { message path } } }"
    refused = gql.query(pause, {"id": sub}, token=token)["data"]["pauseSubscription"]
    assert refused == {"subscription": None, "userErrors": [{"message": "subscription not found", "path": ["id"]}]}


# --- mutations ------------------------------------------------------------------------------------


def _change(gql: GraphQLClient, mutation: str, variables: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = gql.query(mutation, variables)["data"]
    (payload,) = data.values()
    return payload  # type: ignore[no-any-return]


def test_pause_resume_cancel_and_no_way_back(api: Any, gql: GraphQLClient, world: World) -> None:
    (contract,) = api.call(add_contracts, world, 1)
    sub = api.call(first_subscription, contract)
    fields = "subscription { status } userErrors { message path }"
    for name, status in (("pauseSubscription", "PAUSED"), ("resumeSubscription", "ACTIVE")):
        done = _change(gql, f"mutation($id: Int!) {{ {name}(id: $id) {{ {fields} }} }}", {"id": sub})
        assert done == {"subscription": {"status": status}, "userErrors": []}
    cancelled = _change(
        gql,
        f"mutation($id: Int!) {{ updateSubscriptionStatus(id: $id, status: CANCELLED) {{ {fields} }} }}",
        {"id": sub},
    )
    assert cancelled["subscription"] == {"status": "CANCELLED"}
    again = _change(gql, f"mutation($id: Int!) {{ resumeSubscription(id: $id) {{ {fields} }} }}", {"id": sub})
    assert again == {
        "subscription": None,
        "userErrors": [{"message": "Cannot restore cancelled subscription", "path": ["status"]}],
    }
    assert api.call(events_of, "subscription", sub) == ["status_changed"] * 3
    missing = _change(gql, f"mutation {{ cancelSubscription(id: 999999) {{ {fields} }} }}", {})
    assert missing["userErrors"] == [{"message": "subscription not found", "path": ["id"]}]


SUBSCRIPTION_FIELDS = "subscription { interval { value type } quantity nextOrderDate } userErrors { message path }"
INTERVAL = f"""mutation($id: Int!, $interval: SubscriptionIntervalInput!) {{
  updateSubscriptionInterval(id: $id, interval: $interval) {{ {SUBSCRIPTION_FIELDS} }}
}}"""
QUANTITY = f"""mutation($id: Int!, $quantity: Int!) {{
  updateSubscriptionQuantity(id: $id, quantity: $quantity) {{ {SUBSCRIPTION_FIELDS} }}
}}"""
NEXT_ORDER_DATE = f"""mutation($id: Int!, $day: Date!) {{
  updateSubscriptionNextOrderDate(id: $id, nextOrderDate: $day) {{ {SUBSCRIPTION_FIELDS} }}
}}"""


def test_interval_quantity_and_next_order_date(api: Any, gql: GraphQLClient, world: World) -> None:
    (contract,) = api.call(add_contracts, world, 1)
    sub = api.call(first_subscription, contract)
    interval = _change(gql, INTERVAL, {"id": sub, "interval": {"value": 2, "type": "WEEK"}})
    assert interval["subscription"]["interval"] == {"value": 2, "type": "WEEK"}
    zero = _change(gql, INTERVAL, {"id": sub, "interval": {"value": 0, "type": "DAY"}})
    assert zero["subscription"] is None and zero["userErrors"][0]["path"] == ["interval"]
    assert _change(gql, QUANTITY, {"id": sub, "quantity": 3})["subscription"]["quantity"] == 3
    assert _change(gql, QUANTITY, {"id": sub, "quantity": 0})["userErrors"][0]["path"] == ["quantity"]
    later = (TODAY + timedelta(days=40)).isoformat()
    moved = _change(gql, NEXT_ORDER_DATE, {"id": sub, "day": later})
    assert moved["subscription"]["nextOrderDate"] == later
    past = _change(gql, NEXT_ORDER_DATE, {"id": sub, "day": date(2000, 1, 1).isoformat()})
    assert past["userErrors"] == [{"message": "the next order date cannot be in the past", "path": ["nextOrderDate"]}]
    assert api.call(events_of, "subscription", sub) == ["interval_changed", "changed", "next_order_date_changed"]


ADDRESS = """
mutation($id: Int!, $input: SubscriptionContractUpdateInput!) {
  updateSubscriptionContract(id: $id, input: $input) {
    subscriptionContract { id shippingAddress { firstName address1 city country { code } } }
    userErrors { message path }
  }
}
"""


def test_changing_a_contracts_address(api: Any, gql: GraphQLClient, world: World) -> None:
    (contract,) = api.call(add_contracts, world, 1)
    moved = _change(
        gql, ADDRESS, {"id": contract, "input": {"shippingAddress": {"address1": "Nygatan 5", "city": "Uppsala"}}}
    )
    assert moved["subscriptionContract"]["shippingAddress"] == {
        "firstName": "Ada",
        "address1": "Nygatan 5",
        "city": "Uppsala",
        "country": {"code": "SE"},
    }
    abroad = _change(gql, ADDRESS, {"id": contract, "input": {"shippingAddress": {"countryCode": "DK"}}})
    assert abroad["subscriptionContract"] is None
    assert abroad["userErrors"] == [
        {
            "message": "the shipping country of a subscription cannot change",
            "path": ["input", "shippingAddress", "country"],
        }
    ]
    empty = _change(gql, ADDRESS, {"id": contract, "input": {}})
    assert empty["userErrors"][0]["path"] == ["input"]
    assert api.call(events_of, "subscription_contract", contract) == ["address_changed"]
