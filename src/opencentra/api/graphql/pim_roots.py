"""Root fields of the PIM extras, each with its permission; ``schema.Query``/``Mutation`` inherit them.

Folders, translations (``localize``), media batches, measurement and size
chart removal, and mapped attributes.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import FieldExtension

from opencentra.api.graphql import chart_mutations as charts
from opencentra.api.graphql import folders as folder_api
from opencentra.api.graphql import media as media_api
from opencentra.api.graphql import pim_extras as extras_api
from opencentra.api.graphql import translations as translation_api
from opencentra.api.graphql.permissions import Require


def _root(resolver: Any, permission: str, description: str | None = None) -> Any:
    extensions: list[FieldExtension] = [Require(permission)]
    return strawberry.field(resolver=resolver, extensions=extensions, description=description)


@strawberry.type
class PimExtrasQuery:
    folders: list[folder_api.Folder] = _root(folder_api.resolve_folders, "Folder:read")
    folder: folder_api.Folder | None = _root(folder_api.resolve_folder, "Folder:read")
    media_batch: media_api.MediaBatch | None = _root(
        media_api.resolve_media_batch, "ProductMedia:read", "A media batch this integration created, by its queueId."
    )
    mapped_attributes: list[extras_api.MappedAttribute] = _root(extras_api.resolve_mapped_attributes, "Attribute:read")


@strawberry.type
class PimExtrasMutation:
    create_folder: folder_api.FolderPayload = _root(folder_api.create_folder, "Folder:write")
    update_folder: folder_api.FolderPayload = _root(folder_api.update_folder, "Folder:write")
    localize: translation_api.LocalizePayload = _root(translation_api.localize, translation_api.WRITE)
    create_media_batch: media_api.MediaBatchPayload = _root(media_api.create_media_batch, "ProductMedia:write")
    create_measurement_chart: charts.MeasurementChartPayload = _root(
        charts.create_measurement_chart, "MeasurementChart:write"
    )
    remove_measurement_chart: charts.RemovePayload = _root(
        charts.remove_measurement_chart, "MeasurementChart:write", "Deprecated name of deleteMeasurementChart."
    )
    delete_measurement_chart: charts.RemovePayload = _root(charts.remove_measurement_chart, "MeasurementChart:write")
    remove_size_chart: charts.RemovePayload = _root(
        charts.remove_size_chart, "SizeChart:write", "Deprecated name of deleteSizeChart."
    )
    delete_size_chart: charts.RemovePayload = _root(charts.remove_size_chart, "SizeChart:write")
