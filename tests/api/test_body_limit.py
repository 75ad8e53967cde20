"""One body-size limit for every API, refused while the body streams in.

Each API answers 413 in its own error format. A body that declares a
``Content-Length`` over the limit is refused before a byte of it is read; a
chunked one is refused at the chunk that passes the limit. The request
bodies here are generators that count what the app took from them: the app
stops reading, so the rest of a large body is never held in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import orjson
import pytest
from argon2 import PasswordHasher
from lxml import etree
from starlette.types import Receive, Scope, Send
from tests.helpers import make_store

from opencentra import passwords
from opencentra.api.body_limit import BodyLimitMiddleware
from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database
from opencentra.integration import services as integration

LIMIT = 4096
CHUNK = 1024
TOO_LARGE = f"the body is larger than {LIMIT} bytes"


class Body:
    """A streamed request body of ``chunks`` chunks, counting how many the app took."""

    def __init__(self, chunks: int, first: bytes = b"") -> None:
        self.chunks = chunks
        self.first = first
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for index in range(self.chunks):
            self.taken += 1
            yield self.first if index == 0 and self.first else b" " * CHUNK

    @property
    def size(self) -> int:
        return CHUNK * self.chunks


@dataclass(frozen=True)
class Keys:
    plugins: dict[str, str]  # plugin type (also its URI) -> secret
    graphql: str

    @property
    def checkout(self) -> str:
        return self.plugins["checkout"]

    @property
    def order(self) -> str:
        return self.plugins["order"]


@pytest.fixture
async def keys(db: Database) -> Keys:
    store = await make_store(db)
    secrets: dict[str, str] = {}
    for kind in ("checkout", "order", "shop", "subscription"):
        _plugin, secrets[kind] = await integration.create_plugin(db, store_id=store, plugin_type=kind, uri=kind)
    _token, graphql = await integration.create_token(db, name="feed", permissions=["Order:read"])
    return Keys(plugins=secrets, graphql=graphql)


@asynccontextmanager
async def serving(db: Database, **limits: int) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app with its lifespan; httpx's ASGI transport streams a body chunk by chunk, on demand."""
    settings = Settings(database_url=str(db.url), plugin_cache_seconds=0, **{"max_body_bytes": LIMIT, **limits})
    app = create_app(settings, database=db)
    async with app.router.lifespan_context(app) as state:

        async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, "state": dict(state or {})}, receive, send)

        transport = httpx.ASGITransport(app=with_state)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client


@pytest.fixture
async def client(db: Database, keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(db) as client:
        yield client


async def _send_too_much(
    client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str], *, declared: bool, limit: int = LIMIT
) -> tuple[httpx.Response, Body]:
    """A 10 MB body, with its Content-Length or chunked."""
    body = Body(10_000)
    if declared:
        headers = {**headers, "Content-Length": str(body.size)}
    response = await client.request(method, url, content=body, headers=headers)
    if declared:
        assert body.taken == 0  # refused on the declared length: not one chunk read
    else:
        assert 0 < body.taken <= limit // CHUNK + 1  # what a chunked body may have handed over
    assert response.headers["connection"] == "close"  # and the server stops reading the rest
    return response, body


DECLARED = pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])


@DECLARED
@pytest.mark.parametrize("path", ["/products", "/vouchers"], ids=["edge", "route"])
async def test_checkout_api(client: httpx.AsyncClient, keys: Keys, path: str, declared: bool) -> None:
    headers = {"API-Authorization": keys.checkout, "Content-Type": "application/json"}
    response, _ = await _send_too_much(client, "POST", f"/api/checkout{path}", headers, declared=declared)
    assert response.status_code == 413
    assert response.json() == {"errors": {"request": TOO_LARGE}}


@DECLARED
async def test_order_api(client: httpx.AsyncClient, keys: Keys, declared: bool) -> None:
    headers = {"API-Authorization": keys.order, "Content-Type": "application/json"}
    response, _ = await _send_too_much(client, "POST", "/api/order/stock", headers, declared=declared)
    assert response.status_code == 413
    assert response.json() == {"status": "no", "msg": TOO_LARGE}

    as_xml, _ = await _send_too_much(client, "POST", "/api/order/stock?xml=1", headers, declared=declared)
    assert as_xml.status_code == 413
    document = etree.fromstring(as_xml.content)
    assert (document.findtext("status"), document.findtext("msg")) == ("no", TOO_LARGE)


@DECLARED
async def test_graphql_api(client: httpx.AsyncClient, keys: Keys, declared: bool) -> None:
    headers = {"Authorization": f"Bearer {keys.graphql}", "Content-Type": "application/json"}
    response, _ = await _send_too_much(client, "POST", "/graphql", headers, declared=declared)
    assert response.status_code == 413
    body = response.json()
    assert body["errors"] == [{"message": "The request body is too large", "extensions": {"category": "request"}}]
    assert "data" not in body


@DECLARED
@pytest.mark.parametrize(
    ("api", "answer"),
    [
        ("shop", {"errors": {"endpoint": "not found"}}),
        ("subscription", {"status": "Unknown endpoint", "error": True}),
    ],
)
async def test_apis_that_read_no_body_take_none(
    client: httpx.AsyncClient, keys: Keys, api: str, answer: dict[str, Any], declared: bool
) -> None:
    # The Shop API and the old Subscription API have no route that reads a
    # body yet: they answer in their own format without taking a chunk.
    body = Body(10_000)
    headers = {"API-Authorization": keys.plugins[api]}
    if declared:
        headers["Content-Length"] = str(body.size)
    response = await client.post(f"/api/{api}/anything", content=body, headers=headers)
    assert body.taken == 0
    assert response.status_code == 404
    assert response.json() == answer


async def test_a_body_within_the_limit_streams_through(client: httpx.AsyncClient, keys: Keys) -> None:
    query = orjson.dumps({"query": "{ __typename }"})
    body = Body(3, first=query + b" " * (CHUNK - len(query)))
    headers = {"Authorization": f"Bearer {keys.graphql}", "Content-Type": "application/json"}
    response = await client.post("/graphql", content=body, headers=headers)
    assert body.taken == body.chunks
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"__typename": "Query"}
    assert "connection" not in response.headers


# --- the SOAP ERP API: its own, larger limit (OPENCENTRA_SOAP_MAX_BODY_BYTES) -------------------------------------

SOAP_PATH = "/ams/system/service/module/soap/api"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


@pytest.fixture
async def soap_password(db: Database, monkeypatch: pytest.MonkeyPatch) -> str:
    # Cheap argon2id: these tests are about body sizes (tests/api/soap covers the login).
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("opencentra-dummy-password"))
    return await integration.create_soap_user(db, username="erp")


def _soap_events_get(password: str, size: int) -> bytes:
    """An authenticated ``events_Get`` of about ``size`` bytes: padded with whitespace, as big batches are long."""
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP_ENV}"><s:Body>'
        '<events_GetRequest xmlns="http://www.centra.com/webservices/">'
        f"<login><username>erp</username><password>{password}</password></login><type>all</type>"
    ).encode()
    tail = b"</events_GetRequest></s:Body></s:Envelope>"
    return head + b" " * (size - len(head) - len(tail)) + tail


def _fault(response: httpx.Response) -> str:
    fault = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, response.text
    return fault.findtext("faultstring") or ""


async def test_the_soap_api_takes_a_body_the_other_apis_refuse(db: Database, keys: Keys, soap_password: str) -> None:
    # The defaults: 1 MB for every API, 16 MB for SOAP. An ERP's batch of 1,000 products is about 2.2 MB.
    async with serving(db, max_body_bytes=Settings.max_body_bytes) as client:
        three_mb = 3_000_000
        soap = await client.post(SOAP_PATH, content=_soap_events_get(soap_password, three_mb), headers=SOAP_HEADERS)
        assert soap.status_code == 200, soap.text
        assert etree.fromstring(soap.content).find(f"{{{SOAP_ENV}}}Body/{{*}}events_Get") is not None
        order = await client.post(
            "/api/order/stock",
            content=b" " * three_mb,
            headers={"API-Authorization": keys.order, "Content-Type": "application/json"},
        )
        assert order.status_code == 413
        assert order.json() == {"status": "no", "msg": f"the body is larger than {Settings.max_body_bytes} bytes"}


@DECLARED
async def test_a_body_over_the_soap_limit_is_a_soap_fault(db: Database, soap_password: str, declared: bool) -> None:
    async with serving(db, soap_max_body_bytes=2 * LIMIT) as client:
        # Over the default limit, within SOAP's: answered.
        within = await client.post(
            SOAP_PATH, content=_soap_events_get(soap_password, LIMIT + CHUNK), headers=SOAP_HEADERS
        )
        assert within.status_code == 200, within.text
        response, _ = await _send_too_much(client, "POST", SOAP_PATH, SOAP_HEADERS, declared=declared, limit=2 * LIMIT)
        assert response.status_code == 413
        assert "too large" in _fault(response)
        assert response.headers["content-type"].startswith("text/xml")


async def _no_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("not called")


def test_a_path_limit_covers_its_path_or_everything_below_a_key_ending_in_a_slash() -> None:
    limits = BodyLimitMiddleware(_no_app, LIMIT, {SOAP_PATH: 3 * LIMIT, "/big/": 2 * LIMIT, "/big/bigger/": 5 * LIMIT})
    assert limits.limit_for(SOAP_PATH) == 3 * LIMIT
    # A path below the SOAP endpoint is routed to the admin UI: it keeps the default.
    assert limits.limit_for(SOAP_PATH + "/x") == limits.limit_for(SOAP_PATH + "x") == LIMIT
    assert limits.limit_for("/big/a") == 2 * LIMIT
    assert limits.limit_for("/big/bigger/a") == 5 * LIMIT  # the longest key decides
    assert limits.limit_for("/big") == limits.limit_for("/graphql") == LIMIT
