"""GET /orders: each order rendered once per change and kept, the page read in a fixed number of statements.

The listing splices kept documents (``orders.render_orders``); these tests
hold that it prints exactly what rendering every order afresh from
``orders.list_orders`` prints, that a kept document follows every change
(the order, its shipments, the catalogue item behind a line), and that the
statements per request do not grow with the page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import event, update
from tests.api.order.conftest import Wms
from tests.conftest import ApiHarness

from opencentra import orders
from opencentra.api.order import views
from opencentra.catalog.models import ProductSize
from opencentra.db.engine import Database
from opencentra.integration import BundleMode

# What GET /orders costs, whatever the page size: the plugin and its store (2), the page with
# what each order names, its lines (with their bundle rows), its shipments, their lines (only
# when there are shipments), the stock items, the allocations and the picks. BEGIN/COMMIT not counted.
LISTING_STATEMENTS = 9


@contextmanager
def counted(api: ApiHarness) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = api.db.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The app's background loops (webhooks, renewals, purges) share the engine; their rounds are not the request's.
        task = asyncio.current_task()
        if task is not None and task.get_name().startswith("opencentra-worker"):
            return
        if statement.lstrip().upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _listing(wms: Wms, **params: Any) -> bytes:
    response = wms.api.client.get(wms.base + "/orders", params={"limit": 100, **params}, headers=wms.headers)
    assert response.status_code == 200, response.text
    return response.content


async def _rendered_afresh(db: Database, store: int) -> bytes:
    """The page as the ORM path renders it: every order loaded and rendered, no kept documents."""
    scope = orders.OrderScope(store_ids=(store,))
    found = await orders.list_orders(db, scope, orders.OrderFilter(limit=100))
    mode = BundleMode.CONTAINING_ITEMS_IN_BUNDLES
    return orjson.dumps({"status": "ok", "orders": [views.order_json(d, mode) for d in found]})


async def _rendered_kept(db: Database, store: int) -> bytes:
    scope = orders.OrderScope(store_ids=(store,))
    mode = BundleMode.CONTAINING_ITEMS_IN_BUNDLES
    documents = await orders.render_orders(
        db, scope, orders.OrderFilter(limit=100), lambda d: orjson.dumps(views.order_json(d, mode)), render_key=mode
    )
    return b'{"status":"ok","orders":[' + b",".join(documents) + b"]}"


def _ship(wms: Wms, number: int) -> None:
    line = wms.get("/orders", order=number)["orders"][0]["products"][0]["lineId"]
    created = wms.send("POST", "/shipments", {"order": number, "products": {line: 1}, "capture": False})
    assert created["status"] == "ok", created


def test_kept_documents_print_what_rendering_afresh_prints(wms: Wms) -> None:
    world = wms.world
    first = wms.place((world.small, 2), comment="leave at the door")
    wms.place((world.small, 1), (world.medium, 3))
    _ship(wms, first.number)
    orders.KEPT_ORDERS.clear()
    afresh = wms.api.call(_rendered_afresh, world.store)
    cold = wms.api.call(_rendered_kept, world.store)
    warm = wms.api.call(_rendered_kept, world.store)
    assert cold == afresh
    assert warm == afresh
    # Over HTTP (the plugin's scope: its market and statuses) the same orders, the same bytes.
    listed = orjson.loads(_listing(wms))["orders"]
    assert [o["orderId"] for o in listed] == [o["orderId"] for o in orjson.loads(afresh)["orders"]]
    assert orjson.dumps({"status": "ok", "orders": listed}) == afresh


def test_a_kept_document_follows_every_change(wms: Wms) -> None:
    world = wms.world
    placed = wms.place((world.small, 2))

    def shown() -> dict[str, Any]:
        return dict(orjson.loads(_listing(wms))["orders"][0])

    assert shown()["otherComment"] == ""
    assert shown()["shipments"] == []
    assert wms.send("PUT", "/orders", {"order": placed.number, "comment": "ring twice"})["status"] == "ok"
    assert shown()["otherComment"] == "ring twice"
    _ship(wms, placed.number)
    assert [s["shipmentId"] for s in shown()["shipments"]] == [f"{placed.number}-1"]

    async def new_ean(db: Database) -> None:
        async with db.write() as session:
            await session.execute(update(ProductSize).where(ProductSize.id == world.small).values(ean="7350000000999"))

    wms.api.call(new_ean)
    assert shown()["products"][0]["ean"] == "7350000000999"


def test_listing_statements_do_not_grow_with_the_page(wms: Wms) -> None:
    world = wms.world
    first = wms.place((world.small, 1))
    _ship(wms, first.number)
    _listing(wms)
    with counted(wms.api) as one:
        assert len(orjson.loads(_listing(wms))["orders"]) == 1
    for _ in range(5):
        wms.place((world.small, 1), (world.medium, 1))
    orders.KEPT_ORDERS.clear()
    with counted(wms.api) as cold:
        assert len(orjson.loads(_listing(wms))["orders"]) == 6
    with counted(wms.api) as warm:
        _listing(wms)
    assert len(one) == len(cold) == len(warm) == LISTING_STATEMENTS, "\n".join(cold)


def test_one_order_by_number_costs_the_same_statements(wms: Wms) -> None:
    world = wms.world
    placed = wms.place((world.small, 1), (world.medium, 2))
    _ship(wms, placed.number)
    with counted(wms.api) as statements:
        found = orjson.loads(_listing(wms, order=placed.number))["orders"]
    assert [o["orderId"] for o in found] == [str(placed.number)]
    assert len(statements) == LISTING_STATEMENTS, "\n".join(statements)


def test_xml_listing_is_unchanged(wms: Wms) -> None:
    world = wms.world
    wms.place((world.small, 1))
    response = wms.api.client.get(wms.base + "/orders", params={"xml": 1}, headers=wms.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert b"<orderId>" in response.content
