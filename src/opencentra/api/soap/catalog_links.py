"""A product's brand, collection and folder as ``products_Update`` names them, found or made by ERP id.

``<brand>`` and ``<collection>`` are ``{id, description}``: the ERP's id is kept
in the ID conversion table and the description names a new one. ``<folder>`` is
a path, ``Sweaters / Turtleneck`` (Centra's cookbook sends only the
description): each level is a folder inside the one before it, mapped by its
whole path so that the same path finds the same folder again (a path wins
over an ``<id>``, which OpenCentra cannot map to a path as well). A
``<folder>`` with an ``<id>`` alone names a folder mapped by that id before.
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from opencentra import catalog
from opencentra.api.soap.envelope import child, text
from opencentra.api.soap.session import internal_id, remember
from opencentra.db.engine import Database
from opencentra.errors import NotFound

BRAND, COLLECTION, FOLDER = "brand", "collection", "folder"


async def _named(tx: Database, node: etree._Element | None, object_type: str, notices: list[str]) -> int | None:
    ext = text(node, "id")
    if not ext:
        return None
    found = await internal_id(tx, object_type, ext)
    if found is not None:
        return found
    name = text(node, "description") or ext
    if object_type == BRAND:
        found = (await catalog.create_brand(tx, name)).id
    else:
        found = (await catalog.create_collection(tx, name)).id
    await remember(tx, object_type, found, ext)
    notices.append(f"Added new {object_type}: {ext}")
    return found


async def brand_of(tx: Database, product: etree._Element, notices: list[str]) -> int | None:
    """Our brand id for ``<brand>`` (made when new); None when the product names none."""
    return await _named(tx, child(product, "brand"), BRAND, notices)


async def collection_of(tx: Database, product: etree._Element, notices: list[str]) -> int | None:
    return await _named(tx, child(product, "collection"), COLLECTION, notices)


async def folder_of(tx: Database, product: etree._Element, notices: list[str]) -> int | None:
    """Our folder id for ``<folder>``: by ``<id>``, else by the path in ``<description>`` (made level by level)."""
    node = child(product, "folder")
    ext = text(node, "id")
    path = [part.strip() for part in (text(node, "description") or "").split("/") if part.strip()]
    if ext and not path:
        found = await internal_id(tx, FOLDER, ext)
        if found is None:
            raise NotFound(f"unknown folder {ext}: name it by its path in description", field="folder")
        return found
    parent: int | None = None
    for depth in range(1, len(path) + 1):
        key = " / ".join(path[:depth])
        found = await internal_id(tx, FOLDER, key)
        if found is None:
            found = (await catalog.create_folder(tx, path[depth - 1], parent_id=parent)).id
            await remember(tx, FOLDER, found, key)
            notices.append(f"Added new folder: {key}")
        parent = found
    return parent
