"""Folders: the back-office tree products are filed in (Centra's ``Folder``).

A product is in at most one folder. Folders nest; a folder cannot become its
own ancestor.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from opencentra.catalog._checks import required_text
from opencentra.catalog.models import Product
from opencentra.catalog.pim_models import Folder, ProductFolder
from opencentra.db.engine import Database
from opencentra.errors import NotFound, ValidationFailed
from opencentra.events import outbox

MAX_FOLDER_DEPTH = 32
"""A guard against runaway trees; Centra documents no limit."""

EVENT_OBJECT_TYPE = "folder"


@dataclass(frozen=True)
class FolderChanges:
    """``name`` ``None`` keeps the name; ``move`` says whether ``parent_id`` applies."""

    name: str | None = None
    move: bool = False
    parent_id: int | None = None


async def _check_parent(session: AsyncSession, folder_id: int | None, parent_id: int | None) -> None:
    """The parent exists and is not ``folder_id`` itself or one of its descendants."""
    depth = 0
    current = parent_id
    while current is not None:
        if current == folder_id:
            raise ValidationFailed("a folder cannot be moved into itself or its own subfolder", field="parent")
        row = await session.get(Folder, current)
        if row is None:
            raise NotFound(f"Could not find Folder with ID {current}", field="parent")
        depth += 1
        if depth >= MAX_FOLDER_DEPTH:
            raise ValidationFailed(f"folders nest at most {MAX_FOLDER_DEPTH} levels deep", field="parent")
        current = row.parent_id


async def create_folder(db: Database, name: str, *, parent_id: int | None = None) -> Folder:
    """A new folder, at the top or inside ``parent_id``."""
    name = required_text(name, field="name")
    async with db.write() as session:
        await _check_parent(session, None, parent_id)
        folder = Folder(name=name, parent_id=parent_id)
        session.add(folder)
        await session.flush()
        await outbox.record(session, EVENT_OBJECT_TYPE, folder.id, "created", {"name": name, "parent_id": parent_id})
        return folder


async def update_folder(db: Database, folder_id: int, changes: FolderChanges) -> Folder:
    """Rename a folder or move it to another parent (``None``: to the top)."""
    async with db.write() as session:
        folder = await session.get(Folder, folder_id)
        if folder is None:
            raise NotFound(f"Could not find Folder with ID {folder_id}", field="id")
        changed: dict[str, object] = {}
        if changes.name is not None:
            changed["name"] = folder.name = required_text(changes.name, field="name")
        if changes.move:
            await _check_parent(session, folder.id, changes.parent_id)
            changed["parent_id"] = folder.parent_id = changes.parent_id
        await session.flush()
        if changed:
            await outbox.record(session, EVENT_OBJECT_TYPE, folder.id, "updated", changed)
        return folder


async def file_product_in(
    session: AsyncSession, product_id: int, folder_id: int | None, *, announce: bool = True
) -> None:
    """Put a product in a folder (``None``: in none), inside the caller's transaction.

    ``announce=False`` when the product is being created in the same
    transaction: its "created" event already stands for the whole product.
    """
    if await session.get(Product, product_id) is None:
        raise NotFound(f"Could not find Product with ID {product_id}", field="product")
    if folder_id is not None and await session.get(Folder, folder_id) is None:
        raise NotFound(f"Could not find Folder with ID {folder_id}", field="folder")
    await session.execute(delete(ProductFolder).where(ProductFolder.product_id == product_id))
    if folder_id is not None:
        session.add(ProductFolder(product_id=product_id, folder_id=folder_id))
    await session.flush()
    if announce:
        await outbox.record(session, "product", product_id, "updated", {"folder": folder_id})


async def file_product(db: Database, product_id: int, folder_id: int | None) -> None:
    """Put a product in a folder, in its own transaction."""
    async with db.write() as session:
        await file_product_in(session, product_id, folder_id)


async def folder_of(db: Database, product_id: int) -> int | None:
    async with db.read() as session:
        found = await session.scalar(select(ProductFolder.folder_id).where(ProductFolder.product_id == product_id))
        return None if found is None else int(found)
