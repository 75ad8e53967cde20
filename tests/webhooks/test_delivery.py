"""Deliveries to a local receiver: signed, retried with backoff on an injected clock, unblocked by bad receivers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests.webhooks.conftest import SERVER_KEY, T0, Receiver, record_events, webhook_plugin

from opencentra import webhooks
from opencentra.db.engine import Database
from opencentra.errors import Conflict
from opencentra.events import PendingEvent
from opencentra.webhooks import services
from opencentra.webhooks.models import WebhookAttempt


async def _run(db: Database, moment: datetime = T0, **kwargs: Any) -> webhooks.RunResult:
    return await webhooks.deliver_due(db, server_key=SERVER_KEY, allow_private=True, now=moment, **kwargs)


async def test_signed_batches_of_at_most_100_events_reach_the_receiver_once(db: Database, receiver: Receiver) -> None:
    store, plugin, secret = await webhook_plugin(db, receiver.url("/ok?code=receiver-secret"))
    await record_events(db, store, 150)
    await record_events(db, store, 3, object_type="product")  # not subscribed

    result = await _run(db)

    assert (result.enqueued, result.delivered) == (2, 2)
    calls = receiver.to("/ok?code=receiver-secret")
    assert [len(call.events) for call in calls] == [100, 50] or [len(c.events) for c in calls] == [50, 100]
    for call in calls:
        assert call.headers["content-type"] == "application/x-www-form-urlencoded"
        assert call.body.startswith(b"payload=%7B%22events%22")
        assert webhooks.verify(secret, call.headers["x-centra-signature"], call.body, now=int(T0.timestamp()))
        assert not webhooks.verify("wrong", call.headers["x-centra-signature"], call.body, now=int(T0.timestamp()))
        assert len(call.headers["x-opencentra-delivery-id"]) == 32
        assert call.headers["x-opencentra-delivery-attempt"] == "1"
    sent = sorted(event["id"] for call in calls for event in call.events)
    assert sent == list(range(1, 151))
    assert calls[0].events[0]["type"] == "order" and calls[0].events[0]["action"] == "update"

    # Done is done: another round sends nothing.
    again = await _run(db, T0 + timedelta(hours=1))
    assert (again.enqueued, again.sent) == (0, 0)
    assert len(receiver.requests) == 2
    # The log: one attempt each, with timing, and the URL without its query (it may carry a secret).
    log = await webhooks.deliveries(db, plugin_id=plugin)
    assert {row.status for row in log} == {webhooks.DeliveryStatus.DELIVERED}
    attempts = await webhooks.attempts(db, log[0].delivery_id)
    assert [(a.attempt, a.status_code, a.error) for a in attempts] == [(1, 200, None)]
    assert attempts[0].url == receiver.url("/ok") and attempts[0].duration_ms >= 0


async def test_a_500_is_retried_with_exponential_backoff_then_given_up_and_retried_by_hand(
    db: Database, receiver: Receiver
) -> None:
    store, _, _ = await webhook_plugin(db, receiver.url("/flaky"), retries=2)
    await record_events(db, store, 1)

    first = await _run(db, T0)
    assert (first.retrying, len(receiver.requests)) == (1, 1)
    assert (await _run(db, T0 + timedelta(seconds=29))).sent == 0
    assert (await _run(db, T0 + timedelta(seconds=30))).retrying == 1
    assert (await _run(db, T0 + timedelta(seconds=89))).sent == 0  # 30 s, then 60 s
    third = await _run(db, T0 + timedelta(seconds=90))
    assert (third.failed, len(receiver.requests)) == (1, 3)
    assert (await _run(db, T0 + timedelta(days=1))).sent == 0  # bounded: no fourth attempt
    [failed] = await webhooks.deliveries(db)
    assert (failed.status, failed.attempts, failed.last_status_code) == (webhooks.DeliveryStatus.FAILED, 3, 500)

    receiver.flaky_status = 200
    await webhooks.retry_delivery(db, failed.delivery_id, now=T0 + timedelta(days=1))
    assert (await _run(db, T0 + timedelta(days=1))).delivered == 1
    ids = {call.headers["x-opencentra-delivery-id"] for call in receiver.requests}
    assert ids == {failed.delivery_id}  # the same id every time: receivers de-duplicate by it
    assert [call.headers["x-opencentra-delivery-attempt"] for call in receiver.requests] == ["1", "2", "3", "4"]
    with pytest.raises(Conflict):
        await webhooks.retry_delivery(db, str(failed.id))


async def test_hang_redirect_and_slow_receivers(db: Database, receiver: Receiver) -> None:
    store, hang, _ = await webhook_plugin(db, receiver.url("/hang"), timeout_seconds=1)
    await webhook_plugin(db, receiver.url("/redirect"), store_id=store)
    await webhook_plugin(db, receiver.url("/slow"), store_id=store)
    await record_events(db, store, 2)

    # One round sends all three at once: the hanging receiver holds up only its own delivery.
    result = await _run(db)

    assert (result.delivered, result.retrying) == (1, 2)
    assert receiver.to("/ok") == []  # the redirect was not followed
    errors = {row.plugin_id: row.last_error for row in await webhooks.deliveries(db)}
    assert errors[hang] == "no answer within 1 s"
    assert "redirect not followed" in errors.values() and None in errors.values()


async def test_a_payload_too_large_is_split_never_dropped(db: Database, receiver: Receiver) -> None:
    store, _, _ = await webhook_plugin(db, receiver.url("/one"))
    await record_events(db, store, 5)

    splits = 0
    for _ in range(6):
        splits += (await _run(db)).split
    delivered = [call for call in receiver.requests if len(call.events) == 1]
    assert sorted(call.events[0]["id"] for call in delivered) == [1, 2, 3, 4, 5]
    assert splits == 4  # 5 -> 2 + 3 -> 1 + 1 + 1 + 2 -> ... + 1 + 1
    statuses = [row.status.value for row in await webhooks.deliveries(db, limit=100)]
    assert sorted(statuses) == ["delivered"] * 5 + ["split"] * 4


def test_a_body_over_the_limit_is_split_before_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    events = [PendingEvent(i, "order", i, "updated", None, datetime.now(UTC), {}) for i in range(1, 9)]
    monkeypatch.setattr(services, "MAX_BODY_BYTES", 400)
    pieces = services._chunks(events)
    assert [ids for ids, _ in pieces] == [[1, 2], [3, 4], [5, 6], [7, 8]]


async def test_old_finished_deliveries_leave_the_log(db: Database, receiver: Receiver) -> None:
    store, _, _ = await webhook_plugin(db, receiver.url("/ok"))
    await record_events(db, store, 1)
    await _run(db, T0)
    assert (await _run(db, T0 + services.LOG_RETENTION - timedelta(seconds=1))).purged == 0
    assert (await _run(db, T0 + services.LOG_RETENTION + timedelta(seconds=1))).purged == 1
    async with db.read() as session:
        assert (await session.scalars(select(WebhookAttempt))).all() == []
