"""Folders: ``folders``/``folder``, ``createFolder``, ``updateFolder`` and ``Product.folder``."""

# Sort enums carry Centra's wire names (id_ASC), which are mixedCase.
# ruff: noqa: N815

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from opencentra.api.graphql.common import StringFilter, UserError, UserWarning, apply_page, apply_sort, string_condition
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import check
from opencentra.api.graphql.stores import rows
from opencentra.catalog import folders as service
from opencentra.catalog import models as catalog
from opencentra.catalog.pim_models import Folder as FolderRow
from opencentra.catalog.pim_models import ProductFolder
from opencentra.errors import DomainError

if TYPE_CHECKING:
    from opencentra.api.graphql.catalog import Product

LazyProduct = Annotated["Product", strawberry.lazy("opencentra.api.graphql.catalog")]


@strawberry.type(description="A back-office folder products are filed in.")
class Folder:
    id: int
    name: str
    is_top_folder: bool
    _parent_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, row: FolderRow) -> Folder:
        return cls(id=row.id, name=row.name, is_top_folder=row.parent_id is None, _parent_id=row.parent_id)

    @strawberry.field
    async def parent_folder(self, info: Info[Any, Any]) -> Folder | None:
        if self._parent_id is None:
            return None
        row = await info.context.loaders.one(FolderRow).load(self._parent_id)
        return None if row is None else Folder.of(row)

    @strawberry.field
    async def child_folders(self, info: Info[Any, Any]) -> list[Folder]:
        loader = info.context.loaders.many(FolderRow, FolderRow.parent_id, FolderRow.sort_order)
        return [Folder.of(r) for r in await loader.load(self.id)]

    @strawberry.field(description="The products filed in this folder (needs Folder.Product:read).")  # type: ignore[untyped-decorator]
    async def products(self, info: Info[Any, Any]) -> list[LazyProduct]:
        from opencentra.api.graphql.catalog import Product

        check(info, "Folder.Product:read")
        loader = info.context.loaders.linked(ProductFolder.folder_id, ProductFolder.product_id, catalog.Product)
        found = await loader.load(self.id)
        return [Product.of(r) for r in found]


async def folder_of_product(info: Info[Any, Any], product_id: int) -> Folder | None:
    """A product's folder (needs Product.Folder:read)."""
    check(info, "Product.Folder:read")
    links = await info.context.loaders.one(ProductFolder, ProductFolder.product_id).load(product_id)
    if links is None:
        return None
    row = await info.context.loaders.one(FolderRow).load(links.folder_id)
    return None if row is None else Folder.of(row)


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
    f = FolderRow
    statement = select(f)
    if where is not None:
        if where.id is not None:
            statement = statement.where(f.id.in_(where.id))
        if where.is_top_folder is not None:
            statement = statement.where(f.parent_id.is_(None) if where.is_top_folder else f.parent_id.is_not(None))
        if where.parent_folder_id is not None:
            statement = statement.where(f.parent_id == where.parent_folder_id)
        statement = statement.where(*string_condition(f.name, where.name))
    statement = apply_sort(statement, sort, {"id": f.id, "name": f.name}, f.id)
    return [Folder.of(r) for r in await rows(info.context, apply_page(statement, limit, page))]


async def resolve_folder(info: Info[Any, Any], id: int) -> Folder | None:
    row = await info.context.loaders.one(FolderRow).load(id)
    return None if row is None else Folder.of(row)


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
        row = await service.create_folder(
            context.db, input.name, parent_id=input.parent.id if input.parent is not None else None
        )
    except DomainError as error:
        return _error(error)
    await context.after_write()
    return FolderPayload(folder=Folder.of(row), user_errors=[], user_warnings=[])


async def update_folder(info: Info[Any, Any], id: int, input: FolderUpdateInput) -> FolderPayload:
    context: GraphQLContext = info.context
    move = input.parent is not None
    parent = input.parent.value if input.parent is not None else None
    changes = service.FolderChanges(name=input.name, move=move, parent_id=parent.id if parent is not None else None)
    try:
        row = await service.update_folder(context.db, id, changes)
    except DomainError as error:
        return _error(error)
    await context.after_write()
    return FolderPayload(folder=Folder.of(row), user_errors=[], user_warnings=[])
