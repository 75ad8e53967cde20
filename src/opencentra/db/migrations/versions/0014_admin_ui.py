"""Admin UI: admin sessions and store-manager assignments

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 21:20:00

Written by hand: ``admin_users.role`` (existing admins stay administrators),
the server-side sessions of the admin UI (only the SHA-256 of each cookie's
token), and the stores each store manager is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("admin_users") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=32), nullable=False, server_default="administrator"),
        )
    op.create_table(
        "admin_sessions",
        sa.Column("id", ID, nullable=False),
        sa.Column("admin_user_id", ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_user_id"],
            ["admin_users.id"],
            name=op.f("fk_admin_sessions_admin_user_id_admin_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_admin_sessions_token_hash")),
    )
    op.create_index(op.f("ix_admin_sessions_admin_user_id"), "admin_sessions", ["admin_user_id"], unique=False)
    op.create_table(
        "admin_store_assignments",
        sa.Column("admin_user_id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_user_id"],
            ["admin_users.id"],
            name=op.f("fk_admin_store_assignments_admin_user_id_admin_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_admin_store_assignments_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("admin_user_id", "store_id", name=op.f("pk_admin_store_assignments")),
    )
    op.create_index(op.f("ix_admin_store_assignments_store_id"), "admin_store_assignments", ["store_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_admin_store_assignments_store_id"), table_name="admin_store_assignments")
    op.drop_table("admin_store_assignments")
    op.drop_index(op.f("ix_admin_sessions_admin_user_id"), table_name="admin_sessions")
    op.drop_table("admin_sessions")
    with op.batch_alter_table("admin_users") as batch:
        batch.drop_column("role")
