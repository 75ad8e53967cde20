"""ID conversion batches: each entry its own write, collisions within the batch replace earlier entries."""

from __future__ import annotations

from opencentra import integration
from opencentra.db.engine import Database
from opencentra.integration import ExternalIdSpec as Spec
from opencentra.stores import TextMatch


async def test_a_batch_reports_the_mappings_that_stand_and_the_failures(db: Database) -> None:
    batch = await integration.set_external_ids(
        db,
        integration="erp",
        entries=[
            Spec("Product", 1, "A"),
            Spec("Product", 2, " "),  # refused: blank
            Spec("Product", 3, "A"),  # takes "A" from product 1
            Spec("Market", 1, "A"),  # another object type: no collision
        ],
    )
    assert [(v.object_type, v.internal_id, v.external_id) for v in batch.saved] == [
        ("Product", 3, "A"),
        ("Market", 1, "A"),
    ]
    assert [index for index, _ in batch.failures] == [1]
    page = await integration.external_id_page(
        db, integration="erp", object_types=["Product", "Market"], external_id=TextMatch(equals="A"), limit=10
    )
    assert [(v.object_type, v.internal_id) for v in page] == [("Product", 3), ("Market", 1)]
    assert await integration.external_id_page(db, integration="other", object_types=["Product"], limit=10) == []
