"""Buying on a plan makes a contract; renewals make one charged order per period, and failures pause."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.api.checkout.conftest import Browser, ShopIds
from tests.conftest import ApiHarness
from tests.subscriptions.helpers import EMAIL, at, buy_on_plan, setup_plans

from opencentra import subscriptions
from opencentra.customers.models import Customer
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.models import Event
from opencentra.integration import services as integration
from opencentra.inventory.models import Stock
from opencentra.mail import RecordingMailer
from opencentra.orders.models import Order, PaymentTransaction
from opencentra.payments import provider_for
from opencentra.payments.test_provider import TestProvider
from opencentra.subscriptions import renewals
from opencentra.subscriptions.models import SubscriptionRenewal


async def _customer_id(db: Database) -> int:
    async with db.read() as session:
        found = await session.scalar(select(Customer.id).where(Customer.email == EMAIL))
        assert found is not None
        return found


async def _orders(db: Database) -> list[Order]:
    async with db.read() as session:
        return list(await session.scalars(select(Order).order_by(Order.id)))


async def _free_stock(db: Database, size: int) -> int:
    async with db.read() as session:
        rows = (
            await session.execute(select(Stock.physical, Stock.allocated).where(Stock.product_size_id == size))
        ).all()
        return sum(physical - allocated for physical, allocated in rows)


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def _provider() -> TestProvider:
    provider = provider_for("test")
    assert isinstance(provider, TestProvider)
    return provider


def test_plan_purchase_makes_a_contract_and_renewals_order_once(
    api: ApiHarness, browser: Browser, shop: ShopIds
) -> None:
    ids = api.call(setup_plans, shop)
    bought = buy_on_plan(browser, shop, ids["monthly"])
    assert bought["status"] == 200, bought
    customer = api.call(_customer_id)
    (contract,) = api.call(subscriptions.customer_contracts, customer)
    (sub,) = contract.subscriptions
    today = utcnow().date()
    assert (sub.plan_name, sub.interval_value, sub.interval_type, sub.discount_bp) == ("Monthly", 1, "month", 1000)
    assert (sub.quantity, sub.status, sub.payment_status) == (2, "active", "active")
    assert sub.next_order_date == subscriptions.advance(today, 1, "month")
    assert sub.item == shop.items["tee-black-S"]
    assert contract.stored_payment is not None and contract.stored_payment.provider == "test"
    assert contract.shipping.country == "SE" and contract.email == EMAIL
    (first,) = api.call(_orders)
    assert contract.origin_order_id == first.id

    # Nothing is due before the date.
    assert api.call(subscriptions.run_due_renewals, at(today + timedelta(days=3))).results == ()
    size = shop.sizes["tee-black-S"]
    stock_before = api.call(_free_stock, size)
    due = at(sub.next_order_date)
    charges_before = [t for t in _provider().transactions if t.kind == "charge"]
    run = api.call(subscriptions.run_due_renewals, due)
    assert [r.outcome for r in run.results] == ["placed"]
    orders = api.call(_orders)
    assert len(orders) == 2
    renewal = orders[1]
    assert renewal.id == run.results[0].order_id
    # The tee at 200 SEK less the plan's 10 %, two of them, plus shipping (the jeans were one-off).
    assert renewal.items_total_minor == 2 * 18000
    assert renewal.grand_total_minor == 2 * 18000 + renewal.shipping_minor
    assert renewal.customer_id == customer and renewal.email == EMAIL
    assert api.call(_free_stock, size) == stock_before - 2
    charges = [t for t in _provider().transactions if t.kind == "charge"][len(charges_before) :]
    assert [(c.amount_minor, c.settled) for c in charges] == [(renewal.grand_total_minor, True)]
    assert api.call(_count, PaymentTransaction, PaymentTransaction.order_id == renewal.id) == 1
    assert api.call(_count, Event, Event.object_type == "order", Event.object_id == renewal.id) >= 1
    # The Order API shows it like any order: the plan's price, paid by the test provider.
    plugin, secret = api.call(
        integration.create_plugin, store_id=shop.store, plugin_type="order", uri="wms", settings={}
    )
    seen = api.client.get(
        f"{plugin.base}/orders", params={"order": renewal.number}, headers={"API-Authorization": secret}
    )
    assert seen.status_code == 200, seen.text
    [wire] = seen.json()["orders"]
    assert (wire["paymentPlugin"], wire["grandTotalValue"]) == ("test", renewal.grand_total_minor / 100)
    [line] = wire["products"]
    assert (line["qty"], line["price"], line["originalPrice"]) == (2, 180, 200)
    # The same moment again makes nothing; the next date moved one month on.
    assert api.call(subscriptions.run_due_renewals, due).results == ()
    assert len(api.call(_orders)) == 2
    (after,) = api.call(subscriptions.contract_view, contract.id).subscriptions
    assert after.next_order_date == subscriptions.advance(sub.next_order_date, 1, "month")
    assert api.call(_count, SubscriptionRenewal) == 1


def test_a_guest_cannot_buy_on_a_plan(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    ids = api.call(setup_plans, shop)
    bought = buy_on_plan(browser, shop, ids["monthly"], register=False)
    # The Checkout API answers field errors with 406, as Centra does.
    assert bought["status"] == 406, bought
    body = bought["body"]
    assert isinstance(body, dict) and "subscriptionPlan" in body["errors"]
    assert "registered" in body["errors"]["subscriptionPlan"]
    assert api.call(_orders) == []


def test_a_failing_card_retries_then_pauses_with_mails(api: ApiHarness, browser: Browser, shop: ShopIds) -> None:
    ids = api.call(setup_plans, shop)
    assert buy_on_plan(browser, shop, ids["monthly"], method="test-failing-card")["status"] == 200
    customer = api.call(_customer_id)
    (contract,) = api.call(subscriptions.customer_contracts, customer)
    sub = contract.subscriptions[0]
    mailer = RecordingMailer()
    seen = len(_provider().transactions)
    moment = at(sub.next_order_date)
    outcomes = []
    for wait in (0, *subscriptions.RETRY_DAYS):
        moment += timedelta(days=wait)
        run = api.call(subscriptions.run_due_renewals, moment, mailer=mailer)
        outcomes.append([r.outcome for r in run.results])
        # Nothing more before the retry is due.
        assert api.call(subscriptions.run_due_renewals, moment + timedelta(hours=1)).results == ()
    assert outcomes == [["declined"], ["declined"], ["declined"], ["paused"]]
    assert [m.kind for m in mailer.sent] == ["subscription-declined"] * 3 + ["subscription-paused"]
    assert all(m.to == EMAIL for m in mailer.sent)
    (paused,) = api.call(subscriptions.contract_view, contract.id).subscriptions
    assert (paused.status, paused.payment_status, paused.failed_attempts) == ("paused", "failed", 4)
    assert len(api.call(_orders)) == 1
    # Four declined charges, each under its own key; none settled.
    charges = [t for t in _provider().transactions[seen:] if t.kind == "charge"]
    assert all("refuse-charge" in (c.reference or "") for c in charges)
    assert len({c.idempotency_key for c in charges}) == 4 and not any(c.settled for c in charges)
    # Paused runs nothing; a stranger cannot touch it; resumed, it is due again; cancelled is final.
    assert api.call(subscriptions.run_due_renewals, moment + timedelta(days=30)).results == ()
    with pytest.raises(NotFound):
        api.call(subscriptions.set_subscription_status, sub.id, "active", customer_id=customer + 999)
    with pytest.raises(ValidationFailed):
        api.call(subscriptions.set_subscription_status, sub.id, "sleeping", customer_id=customer)
    resumed = api.call(subscriptions.set_subscription_status, sub.id, "active", customer_id=customer)
    assert (resumed.status, resumed.failed_attempts) == ("active", 0)
    api.call(subscriptions.set_subscription_status, sub.id, "cancelled", customer_id=customer)
    with pytest.raises(Conflict, match="Cannot restore cancelled subscription"):
        api.call(subscriptions.set_subscription_status, sub.id, "active", customer_id=customer)
    with pytest.raises(ValidationFailed):
        api.call(subscriptions.set_subscription_interval, sub.id, 0, "month", customer_id=customer)


def test_a_crash_between_charge_and_order_neither_charges_twice_nor_loses_the_order(
    api: ApiHarness, browser: Browser, shop: ShopIds, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = api.call(setup_plans, shop)
    assert buy_on_plan(browser, shop, ids["monthly"])["status"] == 200
    (contract,) = api.call(subscriptions.customer_contracts, api.call(_customer_id))
    due = at(contract.subscriptions[0].next_order_date)
    seen = len(_provider().transactions)

    async def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the runner died after the charge")

    # A lease that runs out at once stands in for waiting out a dead runner's lease.
    monkeypatch.setattr(renewals, "LEASE", timedelta(0))
    monkeypatch.setattr(renewals, "_place", crash)
    with pytest.raises(RuntimeError):
        api.call(subscriptions.run_due_renewals, due)
    assert len(api.call(_orders)) == 1
    monkeypatch.undo()
    run = api.call(subscriptions.run_due_renewals, due)
    assert [r.outcome for r in run.results] == ["placed"]
    assert len(api.call(_orders)) == 2
    charges = [t for t in _provider().transactions[seen:] if t.kind == "charge"]
    # Asked once; the second ask (same key) got the first answer and moved no money.
    assert [(c.settled, c.idempotency_key) for c in charges] == [(True, f"renewal:{contract.id}:{due.date()}:1")]
