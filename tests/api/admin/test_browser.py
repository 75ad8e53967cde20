"""The admin in a real browser: Debian's Chromium driven by Playwright, against a real uvicorn server.

Playwright's own browser download is not reachable here, so it drives
``/usr/bin/chromium`` (``OPENCENTRA_CHROMIUM`` overrides). Without Chromium
or the ``playwright`` package these tests skip with the reason, except under
``CI=true``, where they fail. A screenshot of each page visited lands in
``OPENCENTRA_ARTIFACTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn
from tests.api.order.conftest import World, build_world, order_draft
from tests.conftest import IN_CI, _truncate_all

from opencentra import orders
from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database
from opencentra.integration import services as integration
from opencentra.integration.admin_access import AdminRole, set_admin_access

CHROMIUM = os.environ.get("OPENCENTRA_CHROMIUM", "/usr/bin/chromium")
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def _need_browser() -> Any:
    """Playwright's sync API, or a skip (a failure under CI=true) saying what is missing."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[test]')"
    if reason is None and not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason}; CI=true requires the browser tests to run")
        pytest.skip(reason)
    return sync_playwright


@contextmanager
def _serving(database_url: str) -> Iterator[str]:
    app = create_app(Settings(database_url=database_url, plugin_cache_seconds=0))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


async def _setup(database_url: str) -> World:
    db = Database.from_url(database_url)
    try:
        world = await build_world(db)
        await integration.set_admin_password(db, username="root", password="root password 1")
        await integration.set_admin_password(db, username="keeper", password="keeper password")
        await set_admin_access(db, username="keeper", role=AdminRole.STORE_MANAGER, store_ids=[world.store])
        order = await orders.create_order(db, order_draft(world, (world.small, 1)))
        if order.status == 1:
            await orders.confirm_order(db, order.id)
        return world
    finally:
        await db.dispose()


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[tuple[str, World, Path]]:
    playwright = _need_browser()
    del playwright
    world = asyncio.run(_setup(database_url))
    artifacts = Path(os.environ.get("OPENCENTRA_ARTIFACTS", tmp_path)) / "admin-screenshots"
    artifacts.mkdir(parents=True, exist_ok=True)
    try:
        with _serving(database_url) as base:
            yield base, world, artifacts
    finally:
        _truncate_all(database_url)


@contextmanager
def _page(base: str) -> Iterator[Any]:
    sync_playwright = _need_browser()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(base_url=base)
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
            yield context.new_page()
        finally:
            browser.close()


def _log_in(page: Any, username: str, password: str) -> None:
    page.goto("/ams/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/ams/")


def test_add_an_order_api_plugin_copy_its_secret_and_rotate_it(site: tuple[str, World, Path]) -> None:
    base, world, artifacts = site
    with _page(base) as page:
        _log_in(page, "root", "root password 1")
        page.screenshot(path=artifacts / "home.png", full_page=True)
        page.get_by_role("link", name="Stores & plugins").click()
        page.get_by_role("link", name="Retail").click()
        page.screenshot(path=artifacts / "store.png", full_page=True)
        page.get_by_label("Add a plugin").select_option("order")
        page.get_by_role("button", name="Add plugin").click()
        page.locator("input[name=uri]").fill("wms")
        page.locator("input[name='setting.markets']").fill(str(world.sweden))
        page.locator("input[name='setting.primary_warehouse']").fill(str(world.stockholm))
        page.get_by_role("button", name="Create plugin").click()
        page.screenshot(path=artifacts / "plugin-secret.png", full_page=True)

        shown = page.locator("#issued-secret").input_value()
        page.get_by_role("button", name="Copy", exact=True).first.click()
        page.get_by_role("button", name="Copied").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == shown
        assert len(copied) >= 40
        assert page.locator("#endpoint").inner_text() == f"{base}/api/wms"

        answer = httpx.get(f"{base}/api/wms/orders", headers={"API-Authorization": copied})
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "ok"

        page.get_by_role("button", name="Rotate secret").click()
        rotated = page.locator("#issued-secret").input_value()
        assert rotated != copied
        page.reload()  # a reload re-asks for the page: the secret is not shown again
        assert page.locator("#issued-secret").count() == 0
        page.screenshot(path=artifacts / "plugin.png", full_page=True)
        assert httpx.get(f"{base}/api/wms/orders", headers={"API-Authorization": copied}).status_code == 401
        assert httpx.get(f"{base}/api/wms/orders", headers={"API-Authorization": rotated}).status_code == 200


def test_a_store_manager_ships_an_order_and_cannot_reach_system(site: tuple[str, World, Path]) -> None:
    base, world, artifacts = site
    with _page(base) as page:
        _log_in(page, "keeper", "keeper password")
        assert page.get_by_text("SYSTEM").count() == 0
        page.get_by_role("link", name="Orders").click()
        page.screenshot(path=artifacts / "orders.png", full_page=True)
        page.locator("table a").first.click()
        page.locator("input[name=carrier]").fill("DHL")
        page.locator("input[name=tracking_number]").fill("JD0001")
        page.get_by_role("button", name="Ship").click()
        page.get_by_text("JD0001").wait_for()
        page.screenshot(path=artifacts / "order-shipped.png", full_page=True)
        assert "captured" in page.locator("section.card", has_text="Shipment").first.inner_text()
        system = page.goto("/ams/system/stores")
        assert system is not None
        assert system.status == 403
        elsewhere = page.goto(f"/ams/stores/{world.store + 1000}/orders")
        assert elsewhere is not None
        assert elsewhere.status == 404


def test_a_store_manager_creates_a_product_with_a_variant_and_a_price(site: tuple[str, World, Path]) -> None:
    base, world, artifacts = site
    with _page(base) as page:
        _log_in(page, "keeper", "keeper password")
        page.get_by_role("link", name="CATALOGUE").click()
        page.get_by_role("link", name="New product").click()
        page.get_by_label("Name", exact=True).fill("Hoodie")
        page.get_by_label("Product number").fill("HOOD-1")
        page.get_by_label("Size chart").select_option(label="Letters")
        page.get_by_role("button", name="Create product").click()
        page.get_by_role("status").filter(has_text="Saved.").wait_for()
        assert page.locator("h1").inner_text().startswith("Hoodie")
        page.screenshot(path=artifacts / "product-created.png", full_page=True)

        # A refused variant keeps the page and says why beside the field.
        page.get_by_role("button", name="Add variant").click()
        assert page.locator("[data-field=new_variant_number]").count() == 1

        page.get_by_label("Variant name").fill("Black")
        page.get_by_label("Variant number").fill("HOOD-1-BLK")
        page.locator("input[name=new_variant_sizes]").first.check()
        page.get_by_role("button", name="Add variant").click()
        page.get_by_role("heading", name="Black HOOD-1-BLK").wait_for()

        price = page.get_by_label("Price in ", exact=False).first
        price.fill("499.5")
        page.get_by_role("button", name="Save price").first.click()
        page.get_by_role("status").filter(has_text="Saved.").wait_for()
        assert page.get_by_label("Price in ", exact=False).first.input_value() == "499.50"
        page.screenshot(path=artifacts / "product-priced.png", full_page=True)

        # The new product is in the catalogue list, found by its number.
        page.goto(f"/ams/stores/{world.store}/products?q=HOOD-1")
        assert page.get_by_role("link", name="Hoodie").count() == 1
