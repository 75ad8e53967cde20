"""Selection line add-item extras: productUrl and additionalFields

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 01:00:00

Written by hand: two nullable columns on ``selection_lines`` (the Shop API's
and the Checkout API's ``POST .../items/{item}`` body ``productUrl`` and
``additionalFields``, shown on the line). Additive: no row changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("selection_lines") as batch:
        batch.add_column(sa.Column("product_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("additional_fields", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("selection_lines") as batch:
        batch.drop_column("additional_fields")
        batch.drop_column("product_url")
