"""products_Update's cost in SQL statements: one product of 3 variations x 5 sizes with stock, new and again."""

from __future__ import annotations

import collections
import os
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from tests.api.soap.soapkit import (
    counted_statements,
    envelope,
    erp_setup,
    post_raw,
    product_batch,
    result_of,
    size_batch,
)
from tests.conftest import ApiHarness, _truncate_all

from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database

# The whole request, the login and the request log (4 statements) included. Before issue 13's work: 79 and 35.
# A new product: the product, 3 variations with 15 sizes (one INSERT each, in the catalogue), 15 stock rows
# in one INSERT, the 4 ID mappings in 3 statements, and the events. SQLite 65, PostgreSQL 53.
NEW_PRODUCT_STATEMENTS = 65
# The same product again: 4 reads of the ID conversion table, 4 of the catalogue, the stock read and nothing
# written when nothing changed (no product or variation update, no event). SQLite 17, PostgreSQL 18.
SAME_PRODUCT_STATEMENTS = 18


@pytest.fixture
def quiet_api(database_url: str) -> Iterator[ApiHarness]:
    """The app without its background loops (webhook delivery polls every 2 s), so only the request counts."""
    database = Database.from_url(database_url)
    settings = Settings(
        database_url=database_url,
        plugin_cache_seconds=0,
        session_purge_seconds=0,
        price_history_seconds=0,
        webhooks_deliver_seconds=0,
        renewal_seconds=0,
    )
    try:
        with TestClient(create_app(settings, database=database)) as client:
            yield ApiHarness(client, database)
            assert client.portal is not None
            client.portal.call(database.dispose)
    finally:
        _truncate_all(database_url)


@pytest.fixture
def erp(quiet_api: ApiHarness) -> dict[str, Any]:
    return quiet_api.call(erp_setup)  # type: ignore[no-any-return]


def _push(api: Any, password: str, inner: str) -> list[str]:
    with counted_statements(api.db) as statements:
        response = post_raw(api.client, envelope("products_Update", inner, username="erp", password=password))
    success, errors, _ = result_of(response.content)
    assert success, errors
    return statements


def _show(statements: list[str]) -> None:
    if os.environ.get("SOAP_SHOW_STATEMENTS"):
        for statement, count in collections.Counter(" ".join(s.split())[:160] for s in statements).most_common():
            print(count, statement)


def test_one_product_costs_a_bounded_number_of_statements(quiet_api: ApiHarness, erp: dict[str, Any]) -> None:
    api = quiet_api
    password = erp["erp"]
    post_raw(api.client, envelope("sizes_Update", size_batch(), username="erp", password=password))
    # Warm up: the login, the warehouse, the first product.
    _push(api, password, product_batch(1, first=0))
    new = _push(api, password, product_batch(1, first=1))
    _show(new)
    same = _push(api, password, product_batch(1, first=1))
    _show(same)
    assert len(new) <= NEW_PRODUCT_STATEMENTS
    assert len(same) <= SAME_PRODUCT_STATEMENTS
