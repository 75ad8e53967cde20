from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.selection import services
from opencentra.selection.models import Selection, SelectionLine, SelectionStatus, ShopperSession


async def test_sessions_store_only_the_token_hash(db: Database, shop: Any) -> None:
    store_id = shop.store_id
    created = await services.create_session(db, store_id)
    assert re.fullmatch(r"[a-z0-9]{32}", created.token)
    assert created.session.token_hash == services.token_hash(created.token) != created.token
    found = await services.get_session_by_token(db, created.token)
    assert found is not None
    assert found.id == created.session.id
    # Roughly 30 days, the lifetime of anonymous selections.
    assert timedelta(days=29) < found.expires_at - utcnow() <= timedelta(days=30)
    other = await services.create_session(db, store_id)
    assert other.token != created.token


async def test_unknown_malformed_and_expired_tokens_find_nothing(db: Database, shop: Any) -> None:
    created = await services.create_session(db, shop.store_id)
    assert await services.get_session_by_token(db, "a" * 32) is None
    assert await services.get_session_by_token(db, created.token.upper()) is None
    assert await services.get_session_by_token(db, "none") is None
    async with db.write() as session:
        await session.execute(
            update(ShopperSession)
            .where(ShopperSession.id == created.session.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert await services.get_session_by_token(db, created.token) is None


async def test_create_and_find_a_selection(db: Database, shop: Any) -> None:
    selection = await services.create_selection(db, shop.store_id, shop.market_id, shop.pricelist_id)
    assert re.fullmatch(r"[0-9a-f]{32}", selection.uuid)
    assert selection.status == SelectionStatus.OPEN
    assert selection.lines == []
    found = await services.get_selection_by_uuid(db, selection.uuid.upper())
    assert (found.id, found.lines, found.vouchers) == (selection.id, [], [])
    for missing in ("0" * 32, "not-a-uuid"):
        with pytest.raises(NotFound):
            await services.get_selection_by_uuid(db, missing)

    created = await services.create_session(db, shop.store_id)
    await services.attach_selection(db, created.session.id, selection.id)
    session = await services.get_session_by_token(db, created.token)
    assert session is not None
    assert session.selection_id == selection.id


async def test_lines_merge_change_and_go(db: Database, shop: Any) -> None:
    s = shop
    selection = await services.create_selection(db, s.store_id, s.market_id, s.pricelist_id)
    small, large = s.size_ids
    first = await services.add_line(db, selection.id, s.display_item_id, small)
    merged = await services.add_line(db, selection.id, s.display_item_id, small, 2)
    assert merged.line_id == first.line_id
    assert merged.quantity == 3
    assert re.fullmatch(r"[0-9a-f]{32}", first.line_id)
    other_size = await services.add_line(db, selection.id, s.display_item_id, large)
    with_comment = await services.add_line(db, selection.id, s.display_item_id, small, comment="gift")
    assert len({first.line_id, other_size.line_id, with_comment.line_id}) == 3

    changed = await services.set_line_quantity(db, selection.id, first.line_id, 5)
    assert changed is not None
    assert changed.quantity == 5
    assert await services.set_line_quantity(db, selection.id, other_size.line_id, 0) is None
    await services.remove_line(db, selection.id, with_comment.line_id)
    found = await services.get_selection(db, selection.id)
    assert [(line.line_id, line.quantity) for line in found.lines] == [(first.line_id, 5)]

    with pytest.raises(NotFound):
        await services.remove_line(db, selection.id, other_size.line_id)
    with pytest.raises(ValidationFailed):
        await services.add_line(db, selection.id, s.display_item_id, small, 0)
    with pytest.raises(ValidationFailed):
        await services.set_line_quantity(db, selection.id, first.line_id, -1)
    with pytest.raises(NotFound):
        await services.add_line(db, selection.id + 99, s.display_item_id, small)


async def test_concurrent_adds_of_one_item_make_one_line(db: Database, shop: Any) -> None:
    s = shop
    selection = await services.create_selection(db, s.store_id, s.market_id, s.pricelist_id)
    await asyncio.gather(*(services.add_line(db, selection.id, s.display_item_id, s.size_ids[0]) for _ in range(4)))
    [line] = (await services.get_selection(db, selection.id)).lines
    assert line.quantity == 4


async def test_a_closed_selection_cannot_change(db: Database, shop: Any) -> None:
    s = shop
    selection = await services.create_selection(db, s.store_id, s.market_id, s.pricelist_id)
    line = await services.add_line(db, selection.id, s.display_item_id, s.size_ids[0])
    async with db.write() as session:
        await session.execute(
            update(Selection).where(Selection.id == selection.id).values(status=SelectionStatus.COMPLETED)
        )
    with pytest.raises(Conflict):
        await services.add_line(db, selection.id, s.display_item_id, s.size_ids[0])
    with pytest.raises(Conflict):
        await services.remove_line(db, selection.id, line.line_id)


async def test_the_database_refuses_non_positive_quantities(db: Database, shop: Any) -> None:
    s = shop
    selection = await services.create_selection(db, s.store_id, s.market_id, s.pricelist_id)
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            session.add(
                SelectionLine(
                    selection_id=selection.id,
                    line_id="f" * 32,
                    display_item_id=s.display_item_id,
                    product_size_id=s.size_ids[0],
                    quantity=0,
                )
            )


async def test_token_shape_and_session_purge(db: Database, shop: Any) -> None:
    assert services.is_token_shaped("a" * 26)
    assert not services.is_token_shaped("A" * 32)
    assert not services.is_token_shaped("a" * 33)
    keep = await services.create_session(db, shop.store_id)
    gone = await services.create_session(db, shop.store_id)
    selection = await services.create_selection(db, shop.store_id, shop.market_id, shop.pricelist_id)
    await services.attach_selection(db, gone.session.id, selection.id)
    async with db.write() as session:
        await session.execute(
            update(ShopperSession)
            .where(ShopperSession.id == gone.session.id)
            .values(expires_at=utcnow() - timedelta(days=1))
        )
    assert await services.purge_expired_sessions(db) == 1
    assert await services.get_session_by_token(db, keep.token) is not None
    assert (await services.get_selection(db, selection.id)).status == SelectionStatus.ABANDONED
    assert await services.purge_expired_sessions(db) == 0


async def test_lines_in_the_callers_transaction(db: Database, shop: Any) -> None:
    s = shop
    async with db.write() as session:
        selection = await services.create_selection_in(session, s.store_id, s.market_id, s.pricelist_id)
        line = await services.add_line_in(session, selection, s.display_item_id, s.size_ids[0], 2)
        assert selection.lines == [line]
        await services.set_line_quantity_in(session, selection, line.line_id, 5)
        with pytest.raises(NotFound):
            await services.remove_line_in(session, selection, "f" * 32)
        with pytest.raises(ValidationFailed):
            await services.add_line_in(session, selection, s.display_item_id, s.size_ids[0], 0)
    found = await services.get_selection(db, selection.id)
    assert [(x.line_id, x.quantity) for x in found.lines] == [(line.line_id, 5)]
