"""A store's subscription contracts in the admin: list, filter, keyset paging, pause, resume and cancel."""

from __future__ import annotations

import re
from datetime import date

from tests.api.admin.conftest import Browser
from tests.api.order.conftest import World, build_world
from tests.conftest import ApiHarness

from opencentra import subscriptions
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.integration.admin_access import AdminRole, set_admin_access
from opencentra.subscriptions.models import ContractSubscription, SubscriptionContract


async def _contracts(db: Database, world: World, emails: list[str]) -> list[int]:
    """Contracts as a paid plan purchase leaves them (the purchase itself is tested in tests/subscriptions)."""
    ids = []
    async with db.write() as session:
        for email in emails:
            contract = SubscriptionContract(
                store_id=world.store,
                market_id=world.sweden,
                pricelist_id=world.pricelist,
                currency_id=world.currency,
                customer_id=world.customer,
                email=email,
                amount_minor=18000,
            )
            session.add(contract)
            await session.flush()
            session.add(
                ContractSubscription(
                    contract_id=contract.id,
                    plan_name="Monthly",
                    interval_value=1,
                    interval_type="month",
                    discount_bp=1000,
                    quantity=2,
                    product_size_id=world.small,
                    next_order_date=date(2030, 1, 1),
                )
            )
            ids.append(contract.id)
    return ids


async def _status(db: Database, store_id: int, contract_id: int) -> str:
    return (await subscriptions.store_contract(db, store_id, contract_id)).status


def test_contracts_list_and_change_status(api: ApiHarness, root: Browser, admin_world: dict[str, int]) -> None:
    world = api.call(build_world)
    emails = [f"buyer{n:02}@example.com" for n in range(52)]
    ids = api.call(_contracts, world, emails)
    api.call(integration.set_admin_password, username="keeper", password="keeper password")
    api.call(set_admin_access, username="keeper", role=AdminRole.STORE_MANAGER, store_ids=[world.store])
    keeper = Browser(api)
    assert keeper.login("keeper", "keeper password").status_code == 303
    base = f"/ams/stores/{world.store}/subscriptions"

    first = keeper.get(base)
    assert first.status_code == 200
    assert "buyer51@example.com" in first.text and "buyer01@example.com" not in first.text  # newest first
    assert "180.00 SEK" in first.text and "Monthly ×2" in first.text
    older = re.search(r'href="\?([^"]+)" rel="next"', first.text)
    assert older is not None
    second = keeper.get(f"{base}?{older.group(1)}")
    assert "buyer00@example.com" in second.text and "buyer51@example.com" not in second.text
    only = keeper.get(base, params={"email": "BUYER07@example.com"}).text
    assert "buyer07@example.com" in only and "buyer08@example.com" not in only
    assert keeper.get(base, params={"before": "x", "email": "<script>"}).status_code == 200

    contract = ids[-1]

    def act(action: str) -> None:
        answer = keeper.post(f"{base}/{contract}/{action}", {})
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == base

    act("pause")
    assert api.call(_status, world.store, contract) == "paused"
    act("resume")
    assert api.call(_status, world.store, contract) == "active"
    act("cancel")
    assert api.call(_status, world.store, contract) == "cancelled"
    refused = keeper.post(f"{base}/{contract}/resume", {})
    assert refused.status_code == 400  # the domain's rule: a cancelled contract is never resumed
    assert "Cannot restore cancelled subscription" in refused.text
    assert api.call(_status, world.store, contract) == "cancelled"

    assert keeper.post(f"{base}/{ids[0]}/renew", {}).status_code == 404
    assert keeper.post(f"{base}/999999/pause", {}).status_code == 404
    # Another store's contract is not found there, even for an administrator.
    assert root.post(f"/ams/stores/{admin_world['first']}/subscriptions/{ids[0]}/cancel", {}).status_code == 404
    assert keeper.get(f"/ams/stores/{admin_world['first']}/subscriptions").status_code == 404
    assert api.call(_status, world.store, ids[0]) == "active"
