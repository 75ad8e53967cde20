"""ID conversion: an integration's own ids for OpenCentra's objects.

Entries belong to the token's integration name (Centra's ``integrationName``),
so they need no permission beyond a valid token: an integration reads and
writes only its own table. ``setIdConversions`` is a batch that saves the
valid entries and reports the others as warnings; a collision replaces the
earlier entry, as Centra's API writes do.
"""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra import integration
from opencentra.api.graphql.common import StringFilter, UserError, UserWarning, page_window
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.stores import text_match


@strawberry.enum
class IdConversionEntryObjectType(enum.Enum):
    Brand = "Brand"
    Collection = "Collection"
    Customer = "Customer"
    Display = "Display"
    Market = "Market"
    Order = "Order"
    Pricelist = "Pricelist"
    Product = "Product"
    ProductSize = "ProductSize"
    ProductVariant = "ProductVariant"
    Size = "Size"
    SizeChart = "SizeChart"
    Store = "Store"
    Warehouse = "Warehouse"


@strawberry.type
class IdConversionEntry:
    id: int
    internal_id: int
    external_id: str
    object_type: IdConversionEntryObjectType
    integration_name: str


def _entry(row: integration.ExternalIdView) -> IdConversionEntry:
    return IdConversionEntry(
        id=row.id,
        internal_id=row.internal_id,
        external_id=row.external_id,
        object_type=IdConversionEntryObjectType(row.object_type),
        integration_name=row.integration,
    )


@strawberry.input
class IdConversionFilter:
    object_type: IdConversionEntryObjectType | None = None
    external_id: StringFilter | None = None
    internal_id: list[int] | None = None


async def resolve_id_conversions(
    info: Info[Any, Any], where: IdConversionFilter | None = None, limit: int | None = None, page: int | None = None
) -> list[IdConversionEntry]:
    context: GraphQLContext = info.context
    size, offset = page_window(limit, page)
    types = [t.value for t in IdConversionEntryObjectType]
    if where is not None and where.object_type is not None:
        types = [where.object_type.value]
    async with context.read() as session:
        found = await integration.external_id_page(
            session,
            integration=context.token.name,
            object_types=types,
            internal_ids=where.internal_id if where is not None else None,
            external_id=text_match(where.external_id) if where is not None else None,
            limit=size,
            offset=offset,
        )
    return [_entry(row) for row in found]


@strawberry.input
class IdConversionInput:
    object_type: IdConversionEntryObjectType
    internal_id: int
    external_id: str


@strawberry.type
class IdConversionsPayload:
    entries: list[IdConversionEntry]
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


async def set_id_conversions(info: Info[Any, Any], input: list[IdConversionInput]) -> IdConversionsPayload:
    context: GraphQLContext = info.context
    if len(input) > 1000:
        error = UserError(message="at most 1000 entries per call", path=["input"])
        return IdConversionsPayload(entries=[], user_errors=[error], user_warnings=[])
    specs = [
        integration.ExternalIdSpec(
            object_type=item.object_type.value, internal_id=item.internal_id, external_id=item.external_id
        )
        for item in input
    ]
    batch = await integration.set_external_ids(context.db, integration=context.token.name, entries=specs)
    await context.after_write()
    warnings = [UserWarning(message=error.message, path=["input", str(index)]) for index, error in batch.failures]
    entries = [_entry(row) for row in batch.saved]
    return IdConversionsPayload(entries=entries, user_errors=[], user_warnings=warnings)
