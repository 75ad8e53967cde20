"""Chart mutations: ``createMeasurementChart``, ``removeMeasurementChart``, ``removeSizeChart``.

Centra renamed the ``remove*`` mutations ``delete*``; both names are offered.
A chart that a product still uses is refused with a userError.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from opencentra import catalog
from opencentra.api.graphql.catalog import MeasurementChart
from opencentra.api.graphql.common import UserError, UserWarning
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.permissions import Require
from opencentra.errors import DomainError, ValidationFailed

DEFAULT_UNIT = "cm"

_FIELDS = {"row_names": "verticalLabels", "column_names": "horizontalLabels", "cells": "values", "unit": "displayUnit"}


@strawberry.input
class MeasurementValueInput:
    horizontal_label: str
    vertical_label: str
    value: str


@strawberry.input
class MeasurementChartCreateInput:
    name: str
    horizontal_labels: list[str]
    vertical_labels: list[str]
    display_unit: str | None = None
    values: list[MeasurementValueInput] | None = None


@strawberry.type
class MeasurementChartPayload:
    measurement_chart: MeasurementChart | None
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


@strawberry.type
class RemovePayload:
    user_errors: list[UserError]
    user_warnings: list[UserWarning]


def _path(error: DomainError) -> list[str]:
    if error.field in (None, "id"):
        return ["id"]
    return ["input", _FIELDS.get(error.field, error.field)]


async def create_measurement_chart(info: Info[Any, Any], input: MeasurementChartCreateInput) -> MeasurementChartPayload:
    """Values are keyed vertical label (a measurement) → horizontal label (a size), as ``contentJSON`` shows."""
    context: GraphQLContext = info.context
    cells: dict[str, dict[str, str]] = {}
    try:
        for item in input.values or []:
            measured = cells.setdefault(item.vertical_label, {})
            if item.horizontal_label in measured:
                raise ValidationFailed(
                    f"values give {item.vertical_label}/{item.horizontal_label} twice", field="cells"
                )
            measured[item.horizontal_label] = item.value
        chart = await catalog.create_measurement_chart(
            context.db,
            input.name,
            unit=input.display_unit or DEFAULT_UNIT,
            row_names=input.vertical_labels,
            column_names=input.horizontal_labels,
            cells=cells,
        )
    except DomainError as error:
        failure = UserError(message=error.message, path=_path(error))
        return MeasurementChartPayload(measurement_chart=None, user_errors=[failure], user_warnings=[])
    await context.after_write()
    return MeasurementChartPayload(measurement_chart=MeasurementChart.of(chart), user_errors=[], user_warnings=[])


async def delete_measurement_chart(info: Info[Any, Any], id: int) -> RemovePayload:
    context: GraphQLContext = info.context
    try:
        await catalog.delete_measurement_chart(context.db, id)
    except DomainError as error:
        return RemovePayload(user_errors=[UserError(message=error.message, path=_path(error))], user_warnings=[])
    await context.after_write()
    return RemovePayload(user_errors=[], user_warnings=[])


async def delete_size_chart(info: Info[Any, Any], id: int) -> RemovePayload:
    context: GraphQLContext = info.context
    try:
        await catalog.delete_size_chart(context.db, id)
    except DomainError as error:
        return RemovePayload(user_errors=[UserError(message=error.message, path=_path(error))], user_warnings=[])
    await context.after_write()
    return RemovePayload(user_errors=[], user_warnings=[])


def _root(resolver: Any, permission: str, description: str | None = None) -> Any:
    extensions: list[FieldExtension] = [Require(permission)]
    return strawberry.field(resolver=resolver, extensions=extensions, description=description)


@strawberry.type
class ChartMutation:
    create_measurement_chart: MeasurementChartPayload = _root(create_measurement_chart, "MeasurementChart:write")
    # Each resolver also serves Centra's old remove* name, listed first: a field named like its
    # resolver must come after every other use of that name in this class body.
    remove_measurement_chart: RemovePayload = _root(
        delete_measurement_chart, "MeasurementChart:write", "Deprecated name of deleteMeasurementChart."
    )
    delete_measurement_chart: RemovePayload = _root(delete_measurement_chart, "MeasurementChart:write")
    remove_size_chart: RemovePayload = _root(
        delete_size_chart, "SizeChart:write", "Deprecated name of deleteSizeChart."
    )
    delete_size_chart: RemovePayload = _root(delete_size_chart, "SizeChart:write")
