"""Schemathesis against the Shop API's own OpenAPI document: no answer is a 5xx.

A real server (``tests.openapi_fuzz.served``) over a migrated SQLite database
with the test shop and a Shop API plugin; every operation gets a few
generated cases with the plugin's key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from tests.api.shop.conftest import build_shop_api
from tests.openapi_fuzz import fuzz_operations, served

from opencentra.db import migrate
from opencentra.db.engine import Database


async def _seed(url: str) -> str:
    db = Database.from_url(url)
    try:
        return (await build_shop_api(db)).secret
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
def shop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('shopfuzz') / 'fuzz.db'}"
    migrate.upgrade(url)
    secret = asyncio.run(_seed(url))
    with served(url, {"OPENCENTRA_SHOP_CACHE_SECONDS": "0"}) as origin:
        yield origin, secret


@pytest.mark.slow
def test_no_server_errors(shop_server: tuple[str, str]) -> None:
    """Every operation, a few generated cases each (a small budget: the suite must stay fast)."""
    origin, secret = shop_server
    run = fuzz_operations(f"{origin}/api/shop/openapi.json", [{"API-Authorization": secret}], max_examples=3)
    assert run.operations > 50
    assert run.failures == []
    assert run.calls >= run.operations
