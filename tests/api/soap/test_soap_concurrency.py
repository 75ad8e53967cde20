"""The same new ERP ids pushed by several requests at once: one object each, every request succeeds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2 as httpx
from starlette.types import Receive, Scope, Send
from tests.api.soap.soapkit import PATH, envelope, erp_setup, internal, result_of

from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database

PUSHES = 6


@asynccontextmanager
async def http_client(db: Database, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app in this event loop, so the requests really interleave (on PostgreSQL, on many connections)."""
    app = create_app(Settings(database_url=database_url), database=db)
    async with app.router.lifespan_context(app) as state:

        async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, "state": dict(state or {})}, receive, send)

        transport = httpx.ASGITransport(app=with_state)
        async with httpx.AsyncClient(transport=transport, base_url="http://erp.test", timeout=120) as client:
            yield client


async def test_concurrent_upserts_of_one_new_id_make_one_object(db: Database, database_url: str) -> None:
    erp = await erp_setup(db)
    store = erp["store"]
    market = f"<markets><market><id>M-RACE</id><store>{store}</store><description>Race</description></market></markets>"
    sizes = "<sizes><size><id>S</id><sizetable><id>ONE</id></sizetable></size></sizes>"
    body = "<products><product><id>P-RACE</id><sku>RACE</sku><variations><variation><id>P-RACE-A</id>"
    body += "<sizetable><id>ONE</id></sizetable><sizes><size><id>S</id><warehouseitems><warehouse><id>W-RACE</id>"
    body += "<qty>5</qty></warehouse></warehouseitems></size></sizes></variation></variations></product></products>"
    login = {"username": "erp", "password": erp["erp"]}

    async with http_client(db, database_url) as client:

        async def push(operation: str, inner: str) -> tuple[bool, list[str], list[str]]:
            response = await client.post(PATH, content=envelope(operation, inner, **login))
            assert response.status_code == 200, response.text
            return result_of(response.content)

        assert (await push("sizes_Update", sizes))[0]
        results = await asyncio.gather(
            *(push("markets_Update", market) for _ in range(PUSHES)),
            *(push("products_Update", body) for _ in range(PUSHES)),
        )
    assert all(success for success, _, _ in results), results
    market_id = await internal(db, "market", "M-RACE")
    assert market_id is not None
    warehouse_id = await internal(db, "warehouse", "W-RACE")
    assert warehouse_id is not None
    # Exactly one notice of each creation across all the pushes.
    notices = [n for _, _, ns in results for n in ns]
    assert notices.count("Added new market: M-RACE") == 1
    assert notices.count("Added new warehouse: W-RACE") == 1
