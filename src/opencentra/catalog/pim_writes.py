"""The PIM extras that ride along with a product or variant edit, each in the caller's unit of work.

``createProduct``/``updateProduct`` and ``createProductVariant``/
``updateProductVariant`` run the core edit and these in one
``Database.atomic()`` block, so an invalid folder, mapped attribute or unit
cost leaves the product unchanged too.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from opencentra.catalog import folders, mapped_attributes, unit_costs
from opencentra.db.engine import Database


async def file_new_product(db: Database, product_id: int, folder_id: int) -> None:
    """File a product created in the same unit of work (its "created" event covers this)."""
    async with db.write() as session:
        await folders.file_product_in(session, product_id, folder_id, announce=False)


async def update_product_extras(
    db: Database,
    product_id: int,
    *,
    folder_id: int | None,
    assign: Sequence[tuple[str, int]],
    unassign: Sequence[tuple[str, int]],
) -> None:
    """File the product in ``folder_id`` (``None``: leave it) and pick or drop mapped attributes."""
    if folder_id is None and not assign and not unassign:
        return
    async with db.write() as session:
        if folder_id is not None:
            await folders.file_product_in(session, product_id, folder_id)
        if assign:
            await mapped_attributes.assign_in(session, assign, assign=True, product_id=product_id)
        if unassign:
            await mapped_attributes.assign_in(session, unassign, assign=False, product_id=product_id)


async def set_unit_cost(db: Database, variant_id: int, amount: Decimal, currency_code: str) -> None:
    async with db.write() as session:
        await unit_costs.set_unit_cost_in(session, variant_id, amount, currency_code)
