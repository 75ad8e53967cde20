"""The Checkout API's stock and payment guarantees through the Shop API, on both backends:
two buyers for the last unit get one order, and a replayed payment result makes one order."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx2 as httpx
from sqlalchemy import func, select
from tests.api.checkout.conftest import CHECKOUT_ADDRESS, build_shop
from tests.api.checkout.test_concurrency import http_client

from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.inventory.models import Stock
from opencentra.orders.models import Order

BASE = "/api/shop"


def _pay(method: str) -> dict[str, Any]:
    return {
        "paymentMethod": method,
        "paymentReturnPage": "https://shop.example/return",
        "termsAndConditions": True,
        "address": dict(CHECKOUT_ADDRESS),
    }


async def _world(db: Database, stock: int) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    ids = await build_shop(db, stock=stock)
    _plugin, secret = await integration.create_plugin(db, store_id=ids.store, plugin_type="shop", uri="shop")
    return {"API-Authorization": secret}, ids.items, ids.sizes


async def _cart(client: httpx.AsyncClient, headers: dict[str, str], item: str) -> str:
    created = await client.post(f"{BASE}/selections", json={"country": "SE"}, headers=headers)
    assert created.status_code == 201, created.text
    selection: str = created.json()["selection"]
    added = await client.post(f"{BASE}/selections/{selection}/items/{item}", headers=headers)
    assert added.status_code == 201, added.text
    return selection


async def _counts(db: Database, size_id: int) -> tuple[int, int]:
    async with db.read() as session:
        orders = int(await session.scalar(select(func.count(Order.id))) or 0)
        allocated = int(
            await session.scalar(select(func.sum(Stock.allocated)).where(Stock.product_size_id == size_id)) or 0
        )
        return orders, allocated


async def test_two_buyers_for_the_last_unit_get_one_order(db: Database, database_url: str) -> None:
    headers, items, sizes = await _world(db, stock=1)
    item = items["tee-black-S"]
    async with http_client(db, database_url) as client:
        carts = [await _cart(client, headers, item) for _ in range(2)]

        async def pay(selection: str) -> int:
            paid = await client.post(f"{BASE}/selections/{selection}/payment", json=_pay("test-card"), headers=headers)
            assert paid.status_code in (200, 410), paid.text
            if paid.status_code == 200:
                assert paid.json()["action"] == "success"
            else:
                assert paid.json()["errors"] == {"stock": "unavailable items"}
                assert paid.json()["unavailable"][0]["available"] == 0
            return paid.status_code

        statuses = await asyncio.gather(*(pay(selection) for selection in carts))
    assert sorted(statuses) == [200, 410]
    assert await _counts(db, sizes["tee-black-S"]) == (1, 1)


async def test_a_replayed_payment_result_makes_one_order(db: Database, database_url: str) -> None:
    headers, items, sizes = await _world(db, stock=10)
    async with http_client(db, database_url) as client:
        selection = await _cart(client, headers, items["jeans-blue-M"])
        started = await client.post(
            f"{BASE}/selections/{selection}/payment", json=_pay("test-redirect"), headers=headers
        )
        assert started.status_code == 200, started.text
        fields: dict[str, Any] = dict(parse_qsl(urlsplit(started.json()["url"]).query))

        async def replay() -> str:
            answer = await client.post(
                f"{BASE}/selections/{selection}/payment-result", json={"paymentMethodFields": fields}, headers=headers
            )
            assert answer.status_code == 200, answer.text
            number: str = answer.json()["order"]
            return number

        numbers = await asyncio.gather(*(replay() for _ in range(10)))
    assert len(set(numbers)) == 1
    assert await _counts(db, sizes["jeans-blue-M"]) == (1, 1)
