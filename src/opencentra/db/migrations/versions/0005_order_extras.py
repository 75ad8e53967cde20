"""Order API extras: customer consents

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:30:00

Only new tables, so an existing database upgrades without touching its rows.
Order documents (delivery note, proforma, invoice) are derived from the order
and its shipments when asked for, so they need no tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_consents",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("consented", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_consents_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_consents")),
        sa.UniqueConstraint("customer_id", "key", name=op.f("uq_customer_consents_customer_id_key")),
    )


def downgrade() -> None:
    op.drop_table("customer_consents")
