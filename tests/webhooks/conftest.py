"""A local webhook receiver (a tiny HTTP/1.1 server on 127.0.0.1 in the test's event loop) and setup helpers."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import orjson
import pytest
from tests.helpers import make_store

from opencentra.db.engine import Database
from opencentra.events import outbox
from opencentra.integration import services as integration
from opencentra.webhooks import issue_signing_secret

SERVER_KEY = "test-server-key-" + "k" * 32
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def events(self) -> list[dict[str, Any]]:
        payload = parse_qs(self.body.decode("ascii"))["payload"][0]
        events: list[dict[str, Any]] = orjson.loads(payload)["events"]
        return events


@dataclass
class Receiver:
    """Answers by path: /ok 200, /fail 500, /hang never, /slow 200 after a moment, /redirect 302,
    /one 413 unless the body holds one event, /flaky whatever ``flaky_status`` says."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    flaky_status: int = 500

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _answer(self, request: Received) -> tuple[int, dict[str, str]]:
        if request.path == "/fail":
            return 500, {}
        if request.path == "/hang":
            await asyncio.sleep(3600)
        if request.path == "/slow":
            await asyncio.sleep(0.2)
        if request.path == "/redirect":
            return 302, {"Location": self.url("/ok")}
        if request.path == "/one" and len(request.events) > 1:
            return 413, {}
        if request.path == "/flaky":
            return self.flaky_status, {}
        return 200, {}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if line)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            request = Received(path, headers, body)
            self.requests.append(request)
            status, extra = await self._answer(request)
            extra_lines = "".join(f"{k}: {v}\r\n" for k, v in extra.items())
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n{extra_lines}\r\nok".encode("ascii")
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def to(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.port = server.sockets[0].getsockname()[1]
    try:
        yield found
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 1)


async def webhook_plugin(
    db: Database, url: str, *, store_id: int | None = None, events: tuple[str, ...] = ("order",), **settings: Any
) -> tuple[int, int, str]:
    """(store id, plugin id, signing secret) of a new webhook plugin listening from now on."""
    store = store_id or await make_store(db)
    plugin, _ = await integration.create_plugin(
        db,
        store_id=store,
        plugin_type="webhook",
        uri=f"hook-{uuid.uuid4().hex[:8]}",
        settings={"url": url, "events": list(events), **settings},
    )
    secret = await issue_signing_secret(db, plugin.id, server_key=SERVER_KEY)
    return store, plugin.id, secret


async def record_events(db: Database, store_id: int, count: int, object_type: str = "order", start: int = 1) -> None:
    async with db.write() as session:
        for number in range(start, start + count):
            await outbox.record(session, object_type, number, "updated", {"id": number}, store_id=store_id)
