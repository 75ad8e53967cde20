"""ID conversion: an integration's own ids for OpenCentra's objects, read back and written in batches.

``services.set_external_id`` writes one mapping; ``set_external_ids`` runs a
batch of them, each its own transaction, so one bad entry does not stop the
others, and reports the mappings that stand at its end: a later entry of the
batch that collides with an earlier one replaces it, as a single write does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from opencentra.db.engine import Database
from opencentra.errors import DomainError
from opencentra.integration.models import ExternalId
from opencentra.integration.services import ExternalIdView, set_external_id
from opencentra.stores import TextMatch, text_conditions
from opencentra.stores._db import DatabaseOrSession, unit_of_work


@dataclass(frozen=True, slots=True)
class ExternalIdSpec:
    object_type: str
    internal_id: int
    external_id: str


@dataclass(frozen=True, slots=True)
class ExternalIdBatch:
    saved: tuple[ExternalIdView, ...]  # the mappings the batch wrote that still stand, in input order
    failures: tuple[tuple[int, DomainError], ...]  # (index in the batch, why)


def external_id_view(row: ExternalId) -> ExternalIdView:
    return ExternalIdView(
        id=row.id,
        integration=row.integration,
        object_type=row.object_type,
        internal_id=row.internal_id,
        external_id=row.external_id,
    )


async def external_id_page(
    db: DatabaseOrSession,
    *,
    integration: str,
    object_types: Sequence[str],
    internal_ids: Sequence[int] | None = None,
    external_id: TextMatch | None = None,
    limit: int,
    offset: int = 0,
) -> list[ExternalIdView]:
    """The integration's mappings of ``object_types``, in id order."""
    statement = select(ExternalId).where(
        ExternalId.integration == integration,
        ExternalId.object_type.in_(list(object_types)),
        *text_conditions(ExternalId.external_id, external_id),
    )
    if internal_ids is not None:
        statement = statement.where(ExternalId.internal_id.in_(list(internal_ids)))
    statement = statement.order_by(ExternalId.id).limit(limit).offset(offset)
    async with unit_of_work(db, write=False) as session:
        return [external_id_view(row) for row in await session.scalars(statement)]


async def set_external_ids(db: Database, *, integration: str, entries: Sequence[ExternalIdSpec]) -> ExternalIdBatch:
    """Write each entry (its own transaction); the mappings standing at the end and the failures."""
    failures: list[tuple[int, DomainError]] = []
    written: list[tuple[str, int]] = []
    standing: dict[tuple[str, int], ExternalIdView] = {}
    for index, entry in enumerate(entries):
        try:
            view = await set_external_id(
                db,
                integration=integration,
                object_type=entry.object_type,
                internal_id=entry.internal_id,
                external_id=entry.external_id,
            )
        except DomainError as error:
            failures.append((index, error))
            continue
        # The write replaced any mapping of either side; so does the batch's record of them.
        for key, earlier in list(standing.items()):
            if earlier.object_type == view.object_type and (
                earlier.internal_id == view.internal_id or earlier.external_id == view.external_id
            ):
                del standing[key]
        standing[(view.object_type, view.internal_id)] = view
        written.append((view.object_type, view.internal_id))
    saved = tuple(standing[key] for key in written if key in standing)
    return ExternalIdBatch(saved=saved, failures=tuple(failures))
