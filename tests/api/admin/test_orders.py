"""A store's orders in the admin: list, filters, paging, detail and every action, through the domain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from tests.api.admin.conftest import Browser
from tests.api.order.conftest import build_world, order_draft
from tests.conftest import ApiHarness

from opencentra import orders, pricing
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.integration.admin_access import AdminRole, set_admin_access
from opencentra.orders.queries import OrderDetails, OrderFilter, OrderScope, list_orders, order_details


def test_orders_list_detail_and_actions(api: ApiHarness) -> None:
    world = api.call(build_world)
    api.call(integration.set_admin_password, username="keeper", password="keeper password")
    api.call(set_admin_access, username="keeper", role=AdminRole.STORE_MANAGER, store_ids=[world.store])
    placed = [api.call(orders.create_order, order_draft(world, (world.small, 2))) for _ in range(3)]
    on_hold, to_cancel, to_ship = placed
    keeper = Browser(api)
    assert keeper.login("keeper", "keeper password").status_code == 303
    base = f"/ams/stores/{world.store}/orders"

    listing = keeper.get(base)
    assert listing.status_code == 200
    for order in placed:
        assert f">{order.number}</a>" in listing.text
    assert " SEK</td>" in listing.text
    one = keeper.get(base, params={"number": str(to_ship.number)})
    assert f">{to_ship.number}</a>" in one.text
    assert f">{on_hold.number}</a>" not in one.text
    assert "No orders." in keeper.get(base, params={"status": "6"}).text
    assert keeper.get(base, params={"page": "2"}).status_code == 200
    assert keeper.get(base, params={"page": "x", "status": "-1", "number": "１"}).status_code == 200

    def act(order: orders.Order, action: str, **form: object) -> None:
        answer = keeper.post(f"{base}/{order.id}/{action}", dict(form))
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == f"{base}/{order.id}"

    detail = keeper.get(f"{base}/{to_ship.id}")
    assert detail.status_code == 200
    assert "The Tee" in detail.text
    status = api.call(order_details, to_ship.id).order.status
    if status == 1:  # pending: the world's store may not autoconfirm
        act(to_ship, "confirm")

    act(on_hold, "hold")
    assert api.call(order_details, on_hold.id).order.hold
    act(on_hold, "release")
    assert not api.call(order_details, on_hold.id).order.hold

    act(to_cancel, "cancel")
    assert api.call(order_details, to_cancel.id).order.status == 6
    again = keeper.post(f"{base}/{to_cancel.id}/cancel", {})
    assert again.status_code == 400  # a rule of the domain, shown on the order's page
    assert 'class="error"' in again.text

    details = api.call(order_details, to_ship.id)
    line_id = details.order.lines[0].id
    too_many = keeper.post(f"{base}/{to_ship.id}/ship", {f"qty.{line_id}": "3"})
    assert too_many.status_code == 400
    act(to_ship, "ship", **{f"qty.{line_id}": "2", "carrier": "DHL", "tracking_number": "T-1", "capture": "on"})
    shipped = api.call(order_details, to_ship.id)
    (shipment,) = shipped.order.shipments
    assert shipment.captured
    assert shipment.shipped_at is not None
    assert shipped.order.captured_minor > 0

    act(to_ship, "return", shipment=str(shipment.id), **{f"qty.{line_id}": "1", "return_stock": "on", "refund": "on"})
    returned = api.call(order_details, to_ship.id)
    assert returned.order.lines[0].quantity_returned == 1
    assert returned.order.refunded_minor > 0

    refunded_before = returned.order.refunded_minor
    assert keeper.post(f"{base}/{to_ship.id}/refund", {"amount": "1e9"}).status_code == 400
    assert keeper.post(f"{base}/{to_ship.id}/refund", {"amount": "0.001"}).status_code == 400
    act(to_ship, "refund", amount="10.00", reason="goodwill")
    assert api.call(order_details, to_ship.id).order.refunded_minor == refunded_before + 1000
    assert keeper.post(f"{base}/{to_ship.id}/teleport", {}).status_code == 404


def test_an_order_of_another_store_is_not_found(api: ApiHarness, root: Browser, admin_world: dict[str, int]) -> None:
    world = api.call(build_world)
    order = api.call(orders.create_order, order_draft(world))
    own = f"/ams/stores/{world.store}/orders/{order.id}"
    assert root.get(own).status_code == 200
    other = f"/ams/stores/{admin_world['first']}/orders/{order.id}"
    assert root.get(other).status_code == 404
    assert root.post(f"{other}/cancel", {}).status_code == 404
    assert api.call(order_details, order.id).order.status != 6


def test_customers_vouchers_and_catalogue_lists(api: ApiHarness, manager: Browser, admin_world: dict[str, int]) -> None:
    world = api.call(build_world)
    api.call(set_admin_access, username="manager", role=AdminRole.STORE_MANAGER, store_ids=[world.store])
    api.call(
        pricing.create_voucher,
        pricing.VoucherSpec(store_id=world.store, name="<b>Spring</b>", code="SPRING10", percent_off_bp=1000),
    )
    base = f"/ams/stores/{world.store}"
    customers = manager.get(f"{base}/customers")
    assert customers.status_code == 200
    assert "ada@example.com" in customers.text
    assert "No customers." in manager.get(f"{base}/customers", params={"q": "nobody-here"}).text

    vouchers = manager.get(f"{base}/vouchers", params={"q": "spring10"})
    assert "&lt;b&gt;Spring&lt;/b&gt;" in vouchers.text  # found by its code, and escaped
    assert "<b>Spring</b>" not in vouchers.text
    assert "&lt;b&gt;Spring" in manager.get(f"{base}/vouchers", params={"q": "spri"}).text

    products = manager.get(f"{base}/products", params={"q": "tee"})
    assert products.status_code == 200
    assert "Tee" in products.text
    assert manager.get(f"{base}/products", params={"page": "99999999999"}).status_code == 200
    assert manager.get(f"/ams/stores/{admin_world['second']}/customers").status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_order_list_costs_the_same_statements_for_2_orders_or_8(api: ApiHarness, root: Browser) -> None:
    """Speed that does not depend on the machine: a page of orders is read in a fixed number of statements."""
    world = api.call(build_world)
    counts = []
    for wanted in (2, 8):
        while len(api.call(orders_page, world.store)) < wanted:
            api.call(orders.create_order, order_draft(world, (world.medium, 1)))
        with counted_statements(api) as statements:
            assert root.get(f"/ams/stores/{world.store}/orders").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


@contextmanager
def counted_statements(api: ApiHarness) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(api.db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(api.db.engine.sync_engine, "before_cursor_execute", record)


async def orders_page(db: Database, store_id: int) -> list[OrderDetails]:
    return await list_orders(db, OrderScope(store_ids=(store_id,)), OrderFilter(limit=100))
