from __future__ import annotations

import asyncio

import pytest

from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events import services
from opencentra.events.outbox import record


async def _emit(db: Database, count: int, object_type: str = "order") -> list[int]:
    ids = []
    async with db.write() as session:
        for n in range(count):
            event = await record(session, object_type, n + 1, "updated", {"n": n})
            ids.append(event.id)
    return ids


async def test_record_is_part_of_the_callers_transaction(db: Database) -> None:
    class Boom(Exception):
        pass

    async def change_then_fail() -> None:
        async with db.write() as session:
            await record(session, "order", 1, "created", {"status": 1})
            raise Boom

    with pytest.raises(Boom):
        await change_then_fail()
    await services.register_consumer(db, "soap:erp", include_history=True)
    assert await services.pending(db, "soap:erp") == []

    async with db.write() as session:
        event = await record(session, "order", 7, "created", {"status": 1}, store_id=None)
        assert event.id is not None
    [stored] = await services.pending(db, "soap:erp")
    assert (stored.object_type, stored.object_id, stored.action) == ("order", 7, "created")
    assert stored.payload == {"status": 1}
    assert stored.created_at.tzinfo is not None


async def test_every_change_is_a_new_event(db: Database) -> None:
    await services.register_consumer(db, "webhook:1")
    async with db.write() as session:
        await record(session, "order", 1, "updated", {})
        await record(session, "order", 1, "updated", {})
    assert [e.object_id for e in await services.pending(db, "webhook:1")] == [1, 1]


async def test_a_new_consumer_gets_no_history_unless_asked(db: Database) -> None:
    old = await _emit(db, 2)
    await services.register_consumer(db, "graphql:new")
    await services.register_consumer(db, "graphql:replay", include_history=True)
    new = await _emit(db, 1)
    assert [e.id for e in await services.pending(db, "graphql:new")] == new
    assert [e.id for e in await services.pending(db, "graphql:replay")] == old + new


async def test_done_for_one_consumer_stays_pending_for_the_others(db: Database) -> None:
    await services.register_consumer(db, "soap:a")
    await services.register_consumer(db, "soap:b")
    ids = await _emit(db, 3)
    assert await services.mark_done(db, "soap:a", [ids[0], ids[2]]) == 2
    assert [e.id for e in await services.pending(db, "soap:a")] == [ids[1]]
    assert [e.id for e in await services.pending(db, "soap:b")] == ids


async def test_mark_done_is_idempotent_and_ignores_unknown_ids(db: Database) -> None:
    await services.register_consumer(db, "soap:a")
    ids = await _emit(db, 2)
    assert await services.mark_done(db, "soap:a", [ids[0]]) == 1
    assert await services.mark_done(db, "soap:a", [ids[0], ids[0]]) == 0
    assert await services.mark_done(db, "soap:a", [ids[1] + 1000]) == 0
    assert await services.mark_done(db, "soap:a", []) == 0
    assert [e.id for e in await services.pending(db, "soap:a")] == [ids[1]]


async def test_pending_is_oldest_first_and_a_done_event_never_comes_back(db: Database) -> None:
    await services.register_consumer(db, "soap:a")
    ids = await _emit(db, 5)
    first = await services.pending(db, "soap:a", limit=3)
    assert [e.id for e in first] == ids[:3]
    await services.mark_done(db, "soap:a", [ids[1]])
    # The queue head moves on by exactly the events marked done.
    assert [e.id for e in await services.pending(db, "soap:a", limit=3)] == [ids[0], ids[2], ids[3]]
    await services.mark_done(db, "soap:a", ids)
    assert await services.pending(db, "soap:a") == []
    more = await _emit(db, 1)
    assert [e.id for e in await services.pending(db, "soap:a")] == more


async def test_listeners_filter_by_object_type(db: Database) -> None:
    await services.register_consumer(db, "graphql:orders", ["order"])
    [order_event] = await _emit(db, 1, "order")
    await _emit(db, 1, "customer")
    assert [e.id for e in await services.pending(db, "graphql:orders")] == [order_event]

    await services.set_listeners(db, "graphql:orders", [])
    assert len(await services.pending(db, "graphql:orders")) == 2
    # Registering again replaces the listeners but keeps receipts.
    await services.mark_done(db, "graphql:orders", [order_event])
    consumer = await services.register_consumer(db, "graphql:orders", ["order", "customer"])
    assert consumer.object_types == ["customer", "order"]
    assert [e.object_type for e in await services.pending(db, "graphql:orders")] == ["customer"]


async def test_concurrent_mark_done_marks_each_event_once(db: Database) -> None:
    await services.register_consumer(db, "soap:a")
    ids = await _emit(db, 4)
    counts = await asyncio.gather(*(services.mark_done(db, "soap:a", ids) for _ in range(4)))
    assert sum(counts) == len(ids)
    assert await services.pending(db, "soap:a") == []


async def test_unknown_consumer_and_bad_input(db: Database) -> None:
    with pytest.raises(NotFound):
        await services.pending(db, "nobody")
    with pytest.raises(NotFound):
        await services.mark_done(db, "nobody", [1])
    with pytest.raises(NotFound):
        await services.set_listeners(db, "nobody", ["order"])
    with pytest.raises(ValidationFailed):
        await services.register_consumer(db, "  ")
    await services.register_consumer(db, "soap:a")
    with pytest.raises(ValidationFailed):
        await services.pending(db, "soap:a", limit=0)


async def test_concurrent_registrations_make_one_consumer(db: Database) -> None:
    registered = await asyncio.gather(*(services.register_consumer(db, "webhook:7", ["order"]) for _ in range(3)))
    assert len({consumer.id for consumer in registered}) == 1
