"""Customer email verification (guest orders are shown once the email is proven)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 18:40:00

Written by hand: ``customers.email_verified_at`` and the table of pending
verification links. Customers registered before this revision are taken as
verified (stamped with the upgrade time), so their order lists stay as they
were; only new registrations must prove their email.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    customers = sa.table(
        "customers",
        sa.column("registered", sa.Boolean()),
        sa.column("email_verified_at", sa.DateTime(timezone=True)),
    )
    op.execute(customers.update().where(customers.c.registered.is_(True)).values(email_verified_at=datetime.now(UTC)))
    op.create_table(
        "customer_email_verifications",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_email_verifications_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_email_verifications")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_customer_email_verifications_token_hash")),
    )
    op.create_index(
        op.f("ix_customer_email_verifications_customer_id"),
        "customer_email_verifications",
        ["customer_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_email_verifications_customer_id"), table_name="customer_email_verifications")
    op.drop_table("customer_email_verifications")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("email_verified_at")
