"""Integration: API plugins, tokens, SOAP and admin users, and ID conversion.

ID conversion every API calls is importable from here: ``set_external_ids``
(a batch, each entry its own transaction) returns the ``ExternalIdView``
mappings it wrote; ``external_id_page`` reads them back. The other use cases
are imported from ``integration.services`` by name for now.
"""

from opencentra.integration.external_ids import (
    ExternalIdBatch,
    ExternalIdSpec,
    external_id_page,
    external_id_view,
    set_external_ids,
)
from opencentra.integration.services import ExternalIdView, set_external_id

__all__ = [
    "ExternalIdBatch",
    "ExternalIdSpec",
    "ExternalIdView",
    "external_id_page",
    "external_id_view",
    "set_external_id",
    "set_external_ids",
]
