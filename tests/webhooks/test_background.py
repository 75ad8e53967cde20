"""The app's lifespan runs the sender: an event recorded by a change reaches the receiver with no call to send it."""

from __future__ import annotations

import asyncio

from tests.webhooks.conftest import SERVER_KEY, Receiver, record_events, webhook_plugin

from opencentra.app import create_app
from opencentra.config import Settings
from opencentra.db.engine import Database


async def test_the_background_sender_delivers(db: Database, receiver: Receiver) -> None:
    store, _, _ = await webhook_plugin(db, receiver.url("/ok"))
    settings = Settings(
        database_url=str(db.url),
        webhooks_key=SERVER_KEY,
        webhooks_allow_private=True,
        webhooks_deliver_seconds=0.05,
    )
    assert SERVER_KEY not in repr(settings)  # the key never reaches a log through the settings
    app = create_app(settings, database=db)
    async with app.router.lifespan_context(app):
        await record_events(db, store, 3)  # what a request's transaction does: only the outbox row
        for _ in range(400):
            if receiver.requests:
                break
            await asyncio.sleep(0.025)
    assert [event["id"] for event in receiver.requests[0].events] == [1, 2, 3]
