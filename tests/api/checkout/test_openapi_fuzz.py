"""Schemathesis against the Checkout API's own OpenAPI document: no answer is a 5xx.

A real server (``tests.openapi_fuzz.served``) over a migrated SQLite database
with the test shop, fuzzed in client mode and in server mode.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from tests.api.checkout.conftest import ShopIds, build_shop
from tests.openapi_fuzz import fuzz_operations, served

from opencentra.db import migrate
from opencentra.db.engine import Database


async def _seed(url: str) -> ShopIds:
    db = Database.from_url(url)
    try:
        return await build_shop(db)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def checkout_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ShopIds]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    migrate.upgrade(url)
    shop = asyncio.run(_seed(url))
    with served(url, {"OPENCENTRA_CHECKOUT_CACHE_SECONDS": "0"}) as origin:
        yield origin, shop


def test_no_server_errors(checkout_server: tuple[str, ShopIds]) -> None:
    """Every operation, a few generated cases each, in client and in server mode."""
    origin, shop = checkout_server
    run = fuzz_operations(
        f"{origin}/api/checkout/openapi.json", [{}, {"API-Authorization": shop.secret}], max_examples=6
    )
    assert run.operations > 60
    assert run.failures == []
    assert run.calls > 5 * run.operations
