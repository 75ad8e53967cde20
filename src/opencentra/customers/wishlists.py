"""The customer's one wishlist (Centra's wishlist ``0``), up to 10,000 display items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select

from opencentra.customers.models import WishlistItem
from opencentra.db.base import utcnow
from opencentra.db.engine import Database
from opencentra.db.upsert import insert_or_ignore
from opencentra.errors import Conflict, NotFound, ValidationFailed
from opencentra.events.outbox import record

MAX_ITEMS = 10_000


@dataclass(frozen=True)
class WishlistEntry:
    id: int
    display_item_id: int
    created_at: datetime


@dataclass(frozen=True)
class WishlistPage:
    entries: tuple[WishlistEntry, ...]
    total: int


async def wishlist(db: Database, customer_id: int, *, page: int = 1, limit: int = 100) -> WishlistPage:
    if page < 1 or not 1 <= limit <= 1000:
        raise ValidationFailed("page must be 1 or more and limit 1 to 1000", field="limit")
    async with db.read() as session:
        total = await session.scalar(select(func.count(WishlistItem.id)).where(WishlistItem.customer_id == customer_id))
        rows = await session.scalars(
            select(WishlistItem)
            .where(WishlistItem.customer_id == customer_id)
            .order_by(WishlistItem.created_at.desc(), WishlistItem.id.desc())
            .offset((page - 1) * limit)
            .limit(limit)
        )
        entries = tuple(WishlistEntry(r.id, r.display_item_id, r.created_at) for r in rows)
    return WishlistPage(entries, int(total or 0))


async def add_to_wishlist(db: Database, customer_id: int, store_id: int, display_item_id: int) -> None:
    async with db.write() as session:
        count = await session.scalar(select(func.count(WishlistItem.id)).where(WishlistItem.customer_id == customer_id))
        if int(count or 0) >= MAX_ITEMS:
            raise ValidationFailed(f"a wishlist holds at most {MAX_ITEMS} items", field="wishlist")
        created = await insert_or_ignore(
            session,
            WishlistItem,
            {"customer_id": customer_id, "display_item_id": display_item_id, "created_at": utcnow()},
            ["customer_id", "display_item_id"],
        )
        if created is None:
            raise Conflict(f"Cannot add display {display_item_id} to wishlist 0: duplicate item", field="wishlist")
        await record(session, "wishlist", customer_id, "updated", {"added": display_item_id}, store_id=store_id)


async def remove_from_wishlist(db: Database, customer_id: int, store_id: int, display_item_id: int) -> None:
    async with db.write() as session:
        result = await session.execute(
            delete(WishlistItem)
            .where(WishlistItem.customer_id == customer_id, WishlistItem.display_item_id == display_item_id)
            .returning(WishlistItem.id)
        )
        if result.first() is None:
            raise NotFound("display item not found", field="displayItem")
        await record(session, "wishlist", customer_id, "updated", {"removed": display_item_id}, store_id=store_id)
