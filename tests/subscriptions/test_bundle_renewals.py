"""A bundle bought on a plan renews as the same bundle: priced now, its components' stock taken."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from tests.api.checkout.conftest import Browser, ShopIds, pay_body
from tests.bundle_helpers import BundleIds, add_bundles
from tests.conftest import ApiHarness
from tests.subscriptions.helpers import EMAIL, at

from opencentra import subscriptions
from opencentra.catalog.models import DisplayItem
from opencentra.customers.models import Customer
from opencentra.db.engine import Database
from opencentra.inventory import services as inventory
from opencentra.orders.models import Order, OrderLine
from opencentra.subscriptions import services as plans


async def _offer_on_bundle(db: Database, made: BundleIds) -> int:
    monthly = await plans.create_plan(db, plans.PlanSpec(_store(made), "Monthly", 1, "month", Decimal(10)))
    async with db.read() as session:
        display = await session.scalar(
            select(DisplayItem.display_id).where(DisplayItem.id == int(made.items["gift-M"].split("-")[0]))
        )
    assert display is not None
    await plans.set_display_plans(db, display, [monthly.id])
    return monthly.id


_STORE: dict[str, int] = {}


def _store(made: BundleIds) -> int:
    return _STORE["id"]


async def _customer_id(db: Database) -> int:
    async with db.read() as session:
        found = await session.scalar(select(Customer.id).where(Customer.email == EMAIL))
        assert found is not None
        return found


async def _lines(db: Database, order_id: int) -> list[tuple[int | None, int, int]]:
    async with db.read() as session:
        rows = await session.execute(
            select(OrderLine.product_size_id, OrderLine.quantity, OrderLine.unit_price_minor)
            .where(OrderLine.order_id == order_id)
            .order_by(OrderLine.id)
        )
        return [(size, quantity, price) for size, quantity, price in rows]


async def _order(db: Database, order_id: int) -> tuple[int, int]:
    async with db.read() as session:
        order = await session.get(Order, order_id)
        assert order is not None
        return order.items_total_minor, order.grand_total_minor


def test_a_fixed_bundle_on_a_plan_renews(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    made = api.call(add_bundles, shop)
    _STORE["id"] = shop.store
    plan = api.call(_offer_on_bundle, made)
    assert browser.post("/register", {"email": EMAIL, "password": "secret-password"}).status_code == 200
    browser.put("/countries/SE")
    added = browser.post(f"/items/bundles/{made.items['gift-M']}", {"quantity": 1})
    assert added.status_code == 200, added.text
    (line,) = added.json()["selection"]["items"]
    planned = browser.put(f"/lines/{line['line']}/subscription-plan/{plan}")
    assert planned.status_code == 200, planned.text
    paid = browser.post("/payment", pay_body("test-card"))
    assert paid.status_code == 200, paid.text
    (contract,) = api.call(subscriptions.customer_contracts, api.call(_customer_id))
    (sub,) = contract.subscriptions
    components = [shop.sizes["tee-black-M"], shop.sizes["scarf-print-One Size"]]
    before = api.call(inventory.available_for_market, shop.markets["Nordics"], components)

    run = api.call(subscriptions.run_due_renewals, at(sub.next_order_date))
    assert [(r.outcome, r.message) for r in run.results] == [("placed", None)]
    order_id = run.results[0].order_id
    assert order_id is not None
    lines = api.call(_lines, order_id)
    # The bundle's own line, then one line per component, which take the stock.
    assert [size for size, _q, _p in lines[1:]] == components
    assert all(quantity == 1 for _s, quantity, _p in lines)
    # The bundle at 250 SEK less the plan's 10 %.
    items, _grand = api.call(_order, order_id)
    assert items == 22500 == sum(quantity * price for _s, quantity, price in lines)
    after = api.call(inventory.available_for_market, shop.markets["Nordics"], components)
    assert after == {size: before[size] - 1 for size in components}
