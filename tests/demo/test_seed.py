"""The demo seed: the JSON contract, idempotency, rotation and atomicity."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import selectinload

from opencentra.db import migrate
from opencentra.db.engine import Database
from opencentra.demo import seed
from opencentra.integration import services as integration
from opencentra.integration.models import PluginType
from opencentra.inventory.models import Stock
from opencentra.stores.models import Market, Pricelist, Store

BACKENDS = pytest.mark.parametrize("empty_database_url", ["sqlite", "postgresql"], indirect=True)
# Columns that a re-run may change: the secrets it rotates and their timestamps.
ROTATED = {
    "api_plugins": {"secret_hash", "secret_prefix", "secret_issued_at", "updated_at"},
    "integration_tokens": {"token_hash", "token_prefix", "expires_at", "updated_at"},
    "soap_users": {"password_hash", "updated_at"},
    "admin_users": {"password_hash", "updated_at"},
}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from opencentra.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            dump: dict[str, list[tuple[Any, ...]]] = {}
            for table in inspect(conn).get_table_names():
                if table == "alembic_version":
                    continue
                columns = [
                    c["name"] for c in inspect(conn).get_columns(table) if c["name"] not in ROTATED.get(table, ())
                ]
                quoted = ", ".join(f'"{c}"' for c in columns)
                rows = conn.execute(text(f'SELECT {quoted} FROM "{table}" ORDER BY 1')).all()
                dump[table] = [tuple(str(v) for v in row) for row in rows]
            return dump
    finally:
        engine.dispose()


@BACKENDS
def test_seed_json_contract_idempotency_and_rotation(empty_database_url: str) -> None:
    first = _cli("seed", "demo", "--database", empty_database_url, "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)  # stdout is only the JSON object
    assert set(data) == {"stores", "plugins", "graphql_token", "soap", "admin"}
    assert {s["type"] for s in data["stores"]} == {"DTC", "WHOLESALE"}
    assert all(set(s) == {"id", "name", "type"} for s in data["stores"])
    # Every API plugin type; a webhook plugin serves nothing and needs a receiver, so the demo has none.
    assert {p["type"] for p in data["plugins"]} == {t.value for t in PluginType if t is not PluginType.WEBHOOK}
    assert all(set(p) == {"id", "store", "type", "uri", "base", "secret"} for p in data["plugins"])
    assert all(p["base"] == f"/api/{p['uri']}" for p in data["plugins"])
    assert set(data["soap"]) == {"username", "password"} and set(data["admin"]) == {"username", "password"}
    before = _snapshot(empty_database_url)

    second = _cli("seed", "demo", "--database", empty_database_url, "--json")
    assert second.returncode == 0, second.stderr
    rerun = json.loads(second.stdout)
    assert _snapshot(empty_database_url) == before, "re-running the seed changed data"
    assert [p["id"] for p in rerun["plugins"]] == [p["id"] for p in data["plugins"]]
    assert rerun["graphql_token"] != data["graphql_token"]
    assert rerun["admin"]["password"] != data["admin"]["password"]

    async def check_secrets() -> None:
        db = Database.from_url(empty_database_url)
        try:
            for old, new in zip(data["plugins"], rerun["plugins"], strict=True):
                plugin = await integration.get_plugin(db, new["id"])
                assert plugin.check_secret(new["secret"]) and not plugin.check_secret(old["secret"])
            await integration.authenticate_token(db, rerun["graphql_token"])
            await integration.authenticate_soap_user(db, rerun["soap"]["username"], rerun["soap"]["password"])
            await integration.authenticate_admin(db, rerun["admin"]["username"], rerun["admin"]["password"])
        finally:
            await db.dispose()

    asyncio.run(check_secrets())


@BACKENDS
def test_demo_data_has_what_the_design_promises(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)

    async def run() -> None:
        db = Database.from_url(empty_database_url)
        try:
            result = await seed.seed_demo(db, products=30)
            assert result.created and result.generated_products == 30
            async with db.read() as session:
                dtc = await session.scalar(select(Store).where(Store.name == seed.DTC_STORE))
                assert dtc is not None and dtc.autoconfirm_orders
                currencies = await session.scalar(select(func.count(func.distinct(Pricelist.currency_id))))
                assert currencies is not None and currencies >= 3
                markets = (
                    await session.scalars(
                        select(Market).where(Market.store_id == dtc.id).options(selectinload(Market.countries))
                    )
                ).all()
            from opencentra.stores import geo

            shippable = await geo.shippable_countries(db, dtc.id)
            shippable_codes = {c.code for c in shippable}
            for market in markets:
                assert len({c.code for c in market.countries} & shippable_codes) >= 2, market.name
            order_plugin = next(p for p in result.plugins if p.type == "order")
            view = await integration.get_plugin(db, order_plugin.id)
            primary = view.settings.primary_warehouse  # type: ignore[union-attr]
            async with db.read() as session:
                stocked = await session.scalar(
                    select(func.count()).select_from(Stock).where(Stock.warehouse_id == primary, Stock.physical > 0)
                )
            assert stocked and stocked > 0
            checkout = next(p for p in result.plugins if p.type == "checkout")
            assert (await integration.get_plugin(db, checkout.id)).settings.allowed_origins == ()  # type: ignore[union-attr]
            # Growing the generated catalogue adds only the missing products.
            again = await seed.seed_demo(db, products=40)
            assert not again.created and again.generated_products == 40
        finally:
            await db.dispose()

    asyncio.run(run())


def test_failed_seed_leaves_database_as_it_was(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    migrate.upgrade(empty_database_url)

    async def explode(db: Database) -> str:
        raise RuntimeError("simulated failure after most of the seed was written")

    monkeypatch.setattr(seed, "_issue_token", explode)

    async def run() -> None:
        db = Database.from_url(empty_database_url)
        try:
            with pytest.raises(RuntimeError, match="simulated"):
                await seed.seed_demo(db, products=10)
        finally:
            await db.dispose()

    asyncio.run(run())
    assert all(rows == [] for rows in _snapshot(empty_database_url).values())
