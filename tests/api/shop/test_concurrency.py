"""Two hundred buyers for five units through the Shop API, over HTTP on both backends: exactly five orders."""

from __future__ import annotations

import asyncio

import pytest
from tests.api.checkout.test_concurrency import BUYERS, IN_FLIGHT, UNITS, _counts, http_client
from tests.api.shop.test_selections_concurrency import BASE, _pay, _world

from opencentra.db.engine import Database


# 600 requests (create, add, pay per buyer): several seconds even on an idle machine.
@pytest.mark.slow
async def test_two_hundred_buyers_for_five_units(db: Database, database_url: str) -> None:
    headers, items, sizes = await _world(db, stock=UNITS)
    item = items["tee-black-S"]
    gate = asyncio.Semaphore(IN_FLIGHT)

    async with http_client(db, database_url) as client:

        async def buyer() -> int:
            async with gate:
                created = await client.post(f"{BASE}/selections", json={"country": "SE"}, headers=headers)
                assert created.status_code == 201, created.text
                selection = created.json()["selection"]
                added = await client.post(f"{BASE}/selections/{selection}/items/{item}", headers=headers)
                assert added.status_code == 201, added.text
                paid = await client.post(
                    f"{BASE}/selections/{selection}/payment", json=_pay("test-card"), headers=headers
                )
                assert paid.status_code in (200, 410), paid.text
                if paid.status_code == 410:
                    assert paid.json()["errors"] == {"stock": "unavailable items"}
                else:
                    assert paid.json()["action"] == "success"
                return paid.status_code

        statuses = await asyncio.gather(*(buyer() for _ in range(BUYERS)))
    assert statuses.count(200) == UNITS
    assert statuses.count(410) == BUYERS - UNITS
    assert await _counts(db, sizes["tee-black-S"]) == (UNITS, UNITS, UNITS)
