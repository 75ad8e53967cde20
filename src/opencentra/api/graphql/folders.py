"""Folders: ``folders``/``folder``, ``createFolder`` and ``updateFolder``.

The ``Folder`` type lives with the catalogue types (``catalog.py``): a folder
lists its products and a product names its folder.
"""

# Sort enums carry Centra's wire names (id_ASC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from opencentra import catalog
from opencentra.api.graphql.catalog import Folder
from opencentra.api.graphql.common import StringFilter, UserError, UserWarning
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.listing import sort_keys, text_match, window
from opencentra.api.graphql.permissions import Require
from opencentra.errors import DomainError


@strawberry.input
class FolderFilter:
    id: list[int] | None = None
    name: StringFilter | None = None
    is_top_folder: bool | None = None
    parent_folder_id: int | None = None


@strawberry.enum
class FolderSort(enum.Enum):
    id_ASC = "id_ASC"
    id_DESC = "id_DESC"
    name_ASC = "name_ASC"
    name_DESC = "name_DESC"


async def resolve_folders(
    info: Info[Any, Any],
    where: FolderFilter | None = None,
    sort: list[FolderSort] | None = None,
    limit: int | None = None,
    page: int | None = None,
) -> list[Folder]:
    wanted = catalog.FolderFilter()
    if where is not None:
        wanted = catalog.FolderFilter(
            ids=where.id, name=text_match(where.name), is_top=where.is_top_folder, parent_id=where.parent_folder_id
        )
    order, rows = sort_keys(sort), window(limit, page)
    async with info.context.read() as session:
        found = await catalog.folder_page(session, wanted, order, rows)
    return [Folder.of(folder) for folder in found]


async def resolve_folder(info: Info[Any, Any], id: int) -> Folder | None:
    found = await info.context.loaders.keyed("folders", catalog.folders_by_id).load(id)
    return None if found is None else Folder.of(found)


# --- mutations -------------------------------------------------------------------------------


@strawberry.input(description="A folder by id; null (or no parent) means a top folder.")
class FolderRef:
    id: int


@strawberry.input
class FolderCreateInput:
    name: str
    parent: FolderRef | None = None


@strawberry.input
class FolderUpdateInput:
    name: str | None = None
    parent: strawberry.Maybe[FolderRef | None] = strawberry.field(
        default=None, description="Move the folder; null moves it to the top."
    )


@strawberry.type
class FolderPayload:
    folder: Folder | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _error(error: DomainError) -> FolderPayload:
    path = ["input", error.field] if error.field and error.field != "id" else ["id"]
    return FolderPayload(folder=None, user_errors=[UserError(message=error.message, path=path)], user_warnings=[])


async def create_folder(info: Info[Any, Any], input: FolderCreateInput) -> FolderPayload:
    context: GraphQLContext = info.context
    try:
        made = await catalog.create_folder(
            context.db, input.name, parent_id=input.parent.id if input.parent is not None else None
        )
    except DomainError as error:
        return _error(error)
    await context.after_write()
    return FolderPayload(folder=Folder.of(made), user_errors=[], user_warnings=[])


async def update_folder(info: Info[Any, Any], id: int, input: FolderUpdateInput) -> FolderPayload:
    context: GraphQLContext = info.context
    move = input.parent is not None
    parent = input.parent.value if input.parent is not None else None
    changes = catalog.FolderChanges(name=input.name, move=move, parent_id=parent.id if parent is not None else None)
    try:
        changed = await catalog.update_folder(context.db, id, changes)
    except DomainError as error:
        return _error(error)
    await context.after_write()
    return FolderPayload(folder=Folder.of(changed), user_errors=[], user_warnings=[])


def _root(resolver: Any, permission: str) -> Any:
    extensions: list[FieldExtension] = [Require(permission)]
    return strawberry.field(resolver=resolver, extensions=extensions)


@strawberry.type
class FolderQuery:
    folders: list[Folder] = _root(resolve_folders, "Folder:read")
    folder: Folder | None = _root(resolve_folder, "Folder:read")


@strawberry.type
class FolderMutation:
    create_folder: FolderPayload = _root(create_folder, "Folder:write")
    update_folder: FolderPayload = _root(update_folder, "Folder:write")
