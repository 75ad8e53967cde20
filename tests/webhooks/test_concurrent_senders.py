"""Two deliverers on one PostgreSQL database (separate connection pools): every event is in one delivery,
and every delivery is sent once."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from tests.webhooks.conftest import SERVER_KEY, T0, Receiver, record_events, webhook_plugin

from opencentra import webhooks
from opencentra.db.engine import Database
from opencentra.webhooks import services


async def test_two_deliverers_send_each_delivery_once(db: Database, database_url: str, receiver: Receiver) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite runs one process; this is about several on PostgreSQL")
    store, plugin, _ = await webhook_plugin(db, receiver.url("/ok"))
    other = Database.from_url(database_url)
    try:
        # Enqueue race: both turn the same 150 pending events into deliveries at once.
        await record_events(db, store, 150)
        plugins = await services.webhook_plugins(db)
        made = await asyncio.gather(*(services.enqueue(d, now=T0, plugins=plugins) for d in (db, other)))
        assert sum(made) == 2
        # Twenty more deliveries of one event each.
        for number in range(151, 171):
            await record_events(db, store, 1, start=number)
            await services.enqueue(db, now=T0, plugins=plugins)

        async def drain(database: Database) -> int:
            sent = 0
            while True:
                result = await webhooks.deliver_due(
                    database, server_key=SERVER_KEY, allow_private=True, now=T0, limit=3
                )
                if result.sent == 0:
                    return sent
                sent += result.sent

        counts = await asyncio.gather(drain(db), drain(other))
    finally:
        await other.dispose()

    ids = Counter(call.headers["x-opencentra-delivery-id"] for call in receiver.requests)
    assert len(ids) == 22 and set(ids.values()) == {1}
    assert sum(counts) == 22
    events = Counter(event["id"] for call in receiver.requests for event in call.events)
    assert sorted(events) == list(range(1, 171)) and set(events.values()) == {1}
    assert {row.status for row in await webhooks.deliveries(db, plugin_id=plugin, limit=100)} == {
        webhooks.DeliveryStatus.DELIVERED
    }
