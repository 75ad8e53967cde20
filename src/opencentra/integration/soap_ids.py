"""The SOAP ERP API's ID conversion mappings, written for a whole object at once.

A ``products_Update`` item maps the product, its variations and any new
warehouses in one transaction. ``map_soap_ids`` writes the mappings of one
object type in a few statements, whatever their number (``set_external_id``
costs three a mapping), with the same rules: a mapping replaces any earlier
one of either side, and each write is announced as an ``external_id`` event.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, insert, select

from opencentra.db.engine import Database
from opencentra.errors import ValidationFailed
from opencentra.events.models import Event
from opencentra.integration.models import ExternalId
from opencentra.integration.soap_users import SOAP_INTEGRATION

MAX_EXTERNAL_LENGTH = 200


async def map_soap_ids(db: Database, object_type: str, mappings: Mapping[int, str]) -> None:
    """Map each of our ids in ``mappings`` to the ERP's id, in the SOAP integration's table."""
    if not mappings:
        return
    externals = list(mappings.values())
    if len(set(externals)) != len(externals):
        raise ValidationFailed("an ERP id is mapped twice", field="id")
    if any(not ext or len(ext) > MAX_EXTERNAL_LENGTH for ext in externals):
        raise ValidationFailed(f"an id is empty or longer than {MAX_EXTERNAL_LENGTH} characters", field="id")
    internals = list(mappings)
    async with db.write() as session:
        replaced: dict[int, list[str]] = {internal: [] for internal in internals}
        by_external = {ext: internal for internal, ext in mappings.items()}
        rows = (
            await session.execute(
                select(ExternalId.id, ExternalId.internal_id, ExternalId.external_id).where(
                    ExternalId.integration == SOAP_INTEGRATION,
                    ExternalId.object_type == object_type,
                    ExternalId.internal_id.in_(internals) | ExternalId.external_id.in_(externals),
                )
            )
        ).all()
        for _row_id, internal, external in rows:
            owner = internal if internal in replaced else by_external[external]
            replaced[owner].append(external)
        if rows:
            await session.execute(delete(ExternalId).where(ExternalId.id.in_([row[0] for row in rows])))
        # Two executemany inserts and one read of the new rows' ids, however many mappings there are.
        await session.execute(
            insert(ExternalId),
            [
                {"integration": SOAP_INTEGRATION, "object_type": object_type, "internal_id": i, "external_id": e}
                for i, e in mappings.items()
            ],
        )
        row_ids: dict[int, int] = {
            internal: row_id
            for internal, row_id in (
                await session.execute(
                    select(ExternalId.internal_id, ExternalId.id).where(
                        ExternalId.integration == SOAP_INTEGRATION,
                        ExternalId.object_type == object_type,
                        ExternalId.internal_id.in_(internals),
                    )
                )
            ).all()
        }
        await session.execute(
            insert(Event),
            [
                {
                    "object_type": "external_id",
                    "object_id": row_ids[internal],
                    "action": "updated" if replaced[internal] else "created",
                    "payload": {
                        "integration": SOAP_INTEGRATION,
                        "object_type": object_type,
                        "internal_id": internal,
                        "external_id": external,
                        "replaced": replaced[internal],
                    },
                }
                for internal, external in mappings.items()
            ],
        )
