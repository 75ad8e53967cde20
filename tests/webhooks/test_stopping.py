"""A stopping sender hands back what it claimed and did not send: claimable again at once, not after the lease."""

from __future__ import annotations

import asyncio

from tests.webhooks.conftest import SERVER_KEY, T0, Receiver, record_events, webhook_plugin

from opencentra import webhooks
from opencentra.db.engine import Database
from opencentra.webhooks import services


async def test_a_round_asked_to_stop_sends_nothing_more_and_releases_its_claims(
    db: Database, receiver: Receiver
) -> None:
    store, plugin, _ = await webhook_plugin(db, receiver.url("/ok"))
    await record_events(db, store, 1)

    result = await webhooks.deliver_due(db, server_key=SERVER_KEY, allow_private=True, now=T0, should_stop=lambda: True)

    assert (result.enqueued, result.sent, receiver.requests) == (1, 0, [])
    # Claimable again now, by this or any other process: the next round sends it.
    assert len(await services.claim_due(db, now=T0, plugin_ids=[plugin])) == 1


async def test_a_cancelled_round_releases_the_claims_in_hand(db: Database, receiver: Receiver) -> None:
    store, plugin, _ = await webhook_plugin(db, receiver.url("/hang"), timeout_seconds=30)
    await record_events(db, store, 1)

    round_ = asyncio.create_task(webhooks.deliver_due(db, server_key=SERVER_KEY, allow_private=True, now=T0))
    for _ in range(400):
        if receiver.requests:
            break
        await asyncio.sleep(0.025)
    assert receiver.requests  # the POST is in flight
    round_.cancel()
    await asyncio.gather(round_, return_exceptions=True)

    [delivery] = await webhooks.deliveries(db)
    assert (delivery.status, delivery.attempts) == (webhooks.DeliveryStatus.PENDING, 0)
    assert len(await services.claim_due(db, now=T0, plugin_ids=[plugin])) == 1
