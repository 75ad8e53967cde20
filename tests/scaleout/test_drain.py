"""SIGTERM drains background work too: a real ``opencentra serve`` finishes the webhook round in hand and
leaves no delivery claimed; what it had claimed and not sent is claimable again at once.

The receiver answers slowly, so deliveries are in flight when the signal comes.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import select
from tests.scaleout.conftest import ServerProcess, sync_engine, with_database
from tests.webhooks.conftest import SERVER_KEY, record_events, webhook_plugin

from opencentra.webhooks.models import DeliveryStatus, WebhookDelivery

pytestmark = pytest.mark.slow

ANSWER_AFTER = 2.0  # seconds the receiver takes: the signal comes while deliveries are in flight


class _Slow(BaseHTTPRequestHandler):
    received: ClassVar[list[float]] = []
    answered: ClassVar[list[float]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        type(self).received.append(time.monotonic())
        time.sleep(ANSWER_AFTER)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        type(self).answered.append(time.monotonic())

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def slow_receiver() -> Iterator[str]:
    _Slow.received, _Slow.answered = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_sigterm_finishes_the_webhook_round_in_hand_and_leaves_nothing_claimed(
    module_sqlite: str, tmp_path: Path, slow_receiver: str
) -> None:
    async def setup(db: object) -> int:
        store, _plugin, _secret = await webhook_plugin(db, slow_receiver)  # type: ignore[arg-type]
        # 250 events: three deliveries (100 + 100 + 50), all sent at once by one round.
        await record_events(db, store, 250)  # type: ignore[arg-type]
        return store

    with_database(module_sqlite, setup)
    server = ServerProcess(
        module_sqlite,
        tmp_path,
        name="drain",
        env={
            "OPENCENTRA_WEBHOOKS_KEY": SERVER_KEY,
            "OPENCENTRA_WEBHOOKS_ALLOW_PRIVATE": "true",
            "OPENCENTRA_WEBHOOKS_DELIVER_SECONDS": "0.2",
        },
    )
    server.start()
    try:
        server.wait_ready()
        deadline = time.monotonic() + 120
        while len(_Slow.received) < 3:
            assert time.monotonic() < deadline, server.log.read_text()[-3000:]
            time.sleep(0.02)
        assert _Slow.answered == []  # all three in flight
        status = server.terminate(timeout=60)
    finally:
        server.stop()
    assert status in (0, -signal.SIGTERM)
    log = server.log.read_text()
    assert "Traceback" not in log, log[-3000:]

    engine = sync_engine(module_sqlite)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(WebhookDelivery.status, WebhookDelivery.lease_token, WebhookDelivery.attempts)
            ).all()
    finally:
        engine.dispose()
    # The round in hand was finished: every delivery answered and recorded, none left claimed.
    assert len(_Slow.answered) == 3
    assert sorted(row.status for row in rows) == [DeliveryStatus.DELIVERED.value] * 3
    assert all(row.lease_token is None for row in rows)
    assert all(row.attempts == 1 for row in rows)
