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
from sqlalchemy import select
from strawberry.types import Info

from opencentra.api.graphql.common import StringFilter, UserError, UserWarning, apply_page, string_condition
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.stores import rows
from opencentra.errors import DomainError
from opencentra.integration import services as integration
from opencentra.integration.models import ExternalId


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


def _entry(row: ExternalId) -> IdConversionEntry:
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
    statement = select(ExternalId).where(
        ExternalId.integration == context.token.name,
        ExternalId.object_type.in_([t.value for t in IdConversionEntryObjectType]),
    )
    if where is not None:
        if where.object_type is not None:
            statement = statement.where(ExternalId.object_type == where.object_type.value)
        if where.internal_id is not None:
            statement = statement.where(ExternalId.internal_id.in_(where.internal_id))
        statement = statement.where(*string_condition(ExternalId.external_id, where.external_id))
    statement = apply_page(statement.order_by(ExternalId.id), limit, page)
    return [_entry(row) for row in await rows(context, statement)]


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
    warnings: list[UserWarning] = []
    saved: list[tuple[str, int]] = []
    for index, item in enumerate(input):
        try:
            await integration.set_external_id(
                context.db,
                integration=context.token.name,
                object_type=item.object_type.value,
                internal_id=item.internal_id,
                external_id=item.external_id,
            )
        except DomainError as error:
            warnings.append(UserWarning(message=error.message, path=["input", str(index)]))
            continue
        saved.append((item.object_type.value, item.internal_id))
    await context.after_write()
    entries: list[IdConversionEntry] = []
    for object_type, internal_id in saved:
        found = await rows(
            context,
            select(ExternalId).where(
                ExternalId.integration == context.token.name,
                ExternalId.object_type == object_type,
                ExternalId.internal_id == internal_id,
            ),
        )
        entries += [_entry(row) for row in found]
    return IdConversionsPayload(entries=entries, user_errors=[], user_warnings=warnings)
