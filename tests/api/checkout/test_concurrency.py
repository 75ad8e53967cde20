"""Many buyers for the last units, and a payment callback replayed at once, over HTTP on both backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2 as httpx
from sqlalchemy import func, select
from starlette.types import Receive, Scope, Send
from tests.api.checkout.conftest import BASE, build_shop, pay_body

from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database
from opencentra.inventory.models import Stock
from opencentra.orders.models import Order

BUYERS = 200
UNITS = 5
# Buyers in flight at once: enough to race for the last units, few enough for SQLite's one writer.
IN_FLIGHT = 32


@asynccontextmanager
async def http_client(db: Database, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app in this event loop (so requests really interleave), lifespan entered."""
    app = create_app(Settings(database_url=database_url), database=db)
    async with app.router.lifespan_context(app) as state:

        async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
            scope = {**scope, "state": dict(state or {})}
            await app(scope, receive, send)

        transport = httpx.ASGITransport(app=with_state)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.test", timeout=120) as client:
            yield client


async def _counts(db: Database, size_id: int) -> tuple[int, int, int]:
    async with db.read() as session:
        orders = int(await session.scalar(select(func.count(Order.id))) or 0)
        physical, allocated = (
            await session.execute(
                select(func.sum(Stock.physical), func.sum(Stock.allocated)).where(Stock.product_size_id == size_id)
            )
        ).one()
        return orders, int(physical), int(allocated)


async def test_two_hundred_buyers_for_five_units(db: Database, database_url: str) -> None:
    shop = await build_shop(db, stock=UNITS)
    item = shop.items["tee-black-S"]
    gate = asyncio.Semaphore(IN_FLIGHT)

    async with http_client(db, database_url) as client:

        async def buyer() -> int:
            async with gate:
                added = await client.post(f"{BASE}/items/{item}")
                assert added.status_code == 200, added.text
                token = added.json()["token"]
                paid = await client.post(f"{BASE}/payment", json=pay_body(), headers={"API-Token": token})
                assert paid.status_code in (200, 410), paid.text
                if paid.status_code == 410:
                    assert paid.json()["errors"] == {"stock": "unavailable items"}
                else:
                    assert paid.json()["action"] == "success"
                return paid.status_code

        statuses = await asyncio.gather(*(buyer() for _ in range(BUYERS)))
    assert statuses.count(200) == UNITS
    assert statuses.count(410) == BUYERS - UNITS
    orders, physical, allocated = await _counts(db, shop.sizes["tee-black-S"])
    assert (orders, physical, allocated) == (UNITS, UNITS, UNITS)


async def test_fifty_replayed_payment_results_make_one_order(db: Database, database_url: str) -> None:
    shop = await build_shop(db)
    async with http_client(db, database_url) as client:
        added = await client.post(f"{BASE}/items/{shop.items['jeans-blue-M']}")
        headers = {"API-Token": added.json()["token"]}
        started = await client.post(f"{BASE}/payment", json=pay_body("test-redirect"), headers=headers)
        assert started.status_code == 200, started.text
        fields: dict[str, Any] = dict(parse_qsl(urlsplit(started.json()["url"]).query))

        async def replay() -> str:
            answer = await client.post(f"{BASE}/payment-result", json={"paymentMethodFields": fields}, headers=headers)
            assert answer.status_code == 200, answer.text
            number: str = answer.json()["order"]["order"]
            return number

        numbers = await asyncio.gather(*(replay() for _ in range(50)))
    assert len(set(numbers)) == 1
    orders, _physical, allocated = await _counts(db, shop.sizes["jeans-blue-M"])
    assert (orders, allocated) == (1, 1)
