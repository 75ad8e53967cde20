"""Schemathesis against the Shop API's own OpenAPI document: no answer is a 5xx.

A real server (``opencentra serve``, the Checkout API fuzz test's fixture
pattern) over a migrated SQLite database with the test shop and a Shop API
plugin; every operation gets a few generated cases with the plugin's key.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from tests.api.checkout.test_openapi_fuzz import _free_port
from tests.api.shop.conftest import build_shop_api

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
    port = _free_port()
    env = dict(os.environ, OPENCENTRA_LOG_LEVEL="warning", OPENCENTRA_SHOP_CACHE_SECONDS="0")
    process = subprocess.Popen(
        [sys.executable, "-c", "from opencentra.cli import main; main()", "serve", "--port", str(port),
         "--database", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: the server imports the whole app on a machine that may be busy.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base, secret
    finally:
        process.terminate()
        _out, errors = process.communicate(timeout=10)
        # Unhandled errors are logged with a traceback; there must be none.
        assert b"Traceback" not in errors, errors.decode(errors="replace")[-3000:]


@pytest.mark.slow
def test_no_server_errors(shop_server: tuple[str, str]) -> None:
    """Every operation, a few generated cases each (a small budget: the suite must stay fast)."""
    base, secret = shop_server
    schema = schemathesis.openapi.from_url(f"{base}/api/shop/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    failures: list[str] = []
    calls = 0

    def fuzzer(operation: Any) -> Any:
        label = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy())
        @settings(
            max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def fuzz(case: Any) -> None:
            nonlocal calls
            calls += 1
            try:
                case.call_and_validate(checks=[not_a_server_error], headers={"API-Authorization": secret})
            except Exception as error:
                failures.append(f"{label}: {error}"[:500])
                raise

        return fuzz

    for operation in operations:
        # Hypothesis reports one failure per operation; all of them are collected above.
        with contextlib.suppress(Exception):
            fuzzer(operation)()
    assert failures == []
    assert calls >= len(operations)
