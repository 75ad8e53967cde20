"""The session's selection, locked, with its lines and vouchers, in two statements.

``lock_selection`` (selection services) locks and reads the selection, then
reads its lines and its vouchers with two more queries: three ORM queries,
on the hot path of the storefront (adding to the cart) the largest single
cost of the request. Here a bare ``SELECT id ... FOR UPDATE`` takes the lock
and one query reads the selection with both collections joined.

Why not one statement: on PostgreSQL (READ COMMITTED), a ``SELECT ... FOR
UPDATE`` that had to wait for the lock re-reads the locked row as committed,
but rows it joins from other tables still come from the snapshot taken
before the wait; a second buyer would not see the line the first just added,
and would add a duplicate line. Reading after the lock is granted, in a new
statement, sees everything committed before it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from opencentra.selection.models import Selection, SelectionStatus
from opencentra.storefront.storefront import Change


async def lock_selection_with_items(session: AsyncSession, selection_id: int) -> Selection | None:
    """The selection (lines and vouchers loaded) locked for the caller's transaction; None if gone."""
    locked = await session.scalar(select(Selection.id).where(Selection.id == selection_id).with_for_update())
    if locked is None:
        return None
    result = await session.execute(
        select(Selection)
        .where(Selection.id == selection_id)
        .options(joinedload(Selection.lines), joinedload(Selection.vouchers))
        .execution_options(populate_existing=True)
    )
    return result.unique().scalar_one_or_none()


async def open_selection(change: Change) -> Selection:
    """``change.selection()``, with the common case (an open selection) locked and read in two statements."""
    selection_id = change.row.selection_id
    if selection_id is not None:
        found = await lock_selection_with_items(change.session, selection_id)
        if found is not None and found.status == SelectionStatus.OPEN:
            change.loaded = found
            return found
    # No selection yet, or it became an order: the general way creates one.
    return await change.selection()
