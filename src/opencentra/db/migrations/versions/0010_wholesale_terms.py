"""Wholesale terms (payment and shipping terms, sales representatives)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 09:30:00

Written by hand: three new tables; on ``wholesale_accounts`` the links to
them and the account's carrier details; on ``order_allocations`` the stock
change that made the allocation. Every new column is nullable, so an
existing database upgrades without rewriting its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_TERMS = ("wholesale_payment_terms", "wholesale_shipping_terms")
_ACCOUNT_LINKS = (
    ("payment_terms_id", "wholesale_payment_terms"),
    ("shipping_terms_id", "wholesale_shipping_terms"),
    ("sales_representative_id", "wholesale_sales_representatives"),
)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    for table in _TERMS:
        op.create_table(
            table,
            sa.Column("id", ID, nullable=False),
            sa.Column("name", sa.String(length=255), nullable=False),
            sa.Column("description", sa.String(length=1000), nullable=False),
            sa.Column("due_days", ID, nullable=False),
            *_timestamps(),
            sa.CheckConstraint("due_days >= 0", name=op.f(f"ck_{table}_due_days_nonnegative")),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
    op.create_table(
        "wholesale_sales_representatives",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("commission_bp", ID, nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "commission_bp BETWEEN 0 AND 10000", name=op.f("ck_wholesale_sales_representatives_commission_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wholesale_sales_representatives")),
    )
    with op.batch_alter_table("wholesale_accounts") as batch:
        for column, target in _ACCOUNT_LINKS:
            batch.add_column(sa.Column(column, ID, nullable=True))
            batch.create_index(batch.f(f"ix_wholesale_accounts_{column}"), [column], unique=False)
            batch.create_foreign_key(
                batch.f(f"fk_wholesale_accounts_{column}_{target}"), target, [column], ["id"], ondelete="SET NULL"
            )
        batch.add_column(sa.Column("carrier_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("carrier_service", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("carrier_account", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("carrier_tax_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("order_allocations") as batch:
        batch.add_column(sa.Column("stock_change_id", ID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_allocations") as batch:
        batch.drop_column("stock_change_id")
    with op.batch_alter_table("wholesale_accounts") as batch:
        for column in ("carrier_tax_id", "carrier_account", "carrier_service", "carrier_name"):
            batch.drop_column(column)
        for column, target in reversed(_ACCOUNT_LINKS):
            batch.drop_constraint(batch.f(f"fk_wholesale_accounts_{column}_{target}"), type_="foreignkey")
            batch.drop_index(batch.f(f"ix_wholesale_accounts_{column}"))
            batch.drop_column(column)
    op.drop_table("wholesale_sales_representatives")
    for table in reversed(_TERMS):
        op.drop_table(table)
