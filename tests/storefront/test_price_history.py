"""The price history behind ``lowestPrice``: written only on change, read over a 30-day window."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.api.checkout.conftest import build_shop

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.pricing import prices
from opencentra.pricing.history import ObservedPrice, lowest_prices, record_prices
from opencentra.pricing.history_models import PriceObservation


async def _rows(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(PriceObservation)) or 0)


async def test_history_is_written_on_change_only(db: Database) -> None:
    shop = await build_shop(db)
    now = utcnow()
    first = await record_prices(db, at=now - timedelta(days=3))
    # 4 variants priced in 3 pricelists, each seen from the 3 markets of the store.
    assert first == 4 * 3 * 3
    assert await record_prices(db, at=now - timedelta(days=2)) == 0
    sek = shop.pricelists["SEK"]
    tee = shop.variants["tee-black"]
    await prices.set_prices(db, sek, [prices.PriceSpec(tee, Decimal(150))])
    assert await record_prices(db, at=now - timedelta(days=1)) == 3  # one variant, three markets
    assert await _rows(db) == first + 3
    async with db.read() as session:
        lowest = await lowest_prices(session, sek, shop.markets["Nordics"], at=now)
        assert lowest[tee] == ObservedPrice(15000, 15000)
        # Looking from before the change, the old price was the lowest.
        earlier = await lowest_prices(session, sek, shop.markets["Nordics"], at=now - timedelta(days=2))
        assert earlier[tee] == ObservedPrice(20000, 20000)
        # A window that starts after the last change still knows the price in force.
        later = await lowest_prices(session, sek, shop.markets["Nordics"], at=now + timedelta(days=90))
        assert later[tee] == ObservedPrice(15000, 15000)


def test_record_prices_command(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from opencentra.cli import main

    async def prepare() -> None:
        database = Database.from_url(database_url)
        try:
            await build_shop(database)
        finally:
            await database.dispose()

    try:
        asyncio.run(prepare())
        main(["record-prices", "--database", database_url])
        assert "recorded 36 changed prices" in capsys.readouterr().err
        main(["record-prices", "--database", database_url])
        assert "recorded 0 changed prices" in capsys.readouterr().err
    finally:
        from tests.conftest import _truncate_all

        _truncate_all(database_url)
