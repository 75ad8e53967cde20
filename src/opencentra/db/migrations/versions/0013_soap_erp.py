"""SOAP ERP API: the per-user request and response log

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:20:00

Written by hand. The SOAP users' event queues are ordinary outbox consumers
(``event_consumers``) and their ERP ids live in ``external_ids``; the only new
table is the log of SOAP calls. SOAP passwords become argon2id: their hash
column widens from 64 to 200 characters (old SHA-256 hashes stay and are
rehashed at their user's next login).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Before soap_calls exists: SQLite's batch mode rebuilds soap_users, and no table refers to it yet.
    with op.batch_alter_table("soap_users") as batch:
        batch.alter_column("password_hash", existing_type=sa.String(length=64), type_=sa.String(length=200))
    op.create_table(
        "soap_calls",
        sa.Column("id", ID, nullable=False),
        sa.Column("soap_user_id", ID, nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("status", ID, nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["soap_user_id"], ["soap_users.id"], name=op.f("fk_soap_calls_soap_user_id_soap_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_soap_calls")),
    )
    op.create_index("ix_soap_calls_user", "soap_calls", ["soap_user_id", "id"])
    op.create_index("ix_soap_calls_created_at", "soap_calls", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_soap_calls_created_at", table_name="soap_calls")
    op.drop_index("ix_soap_calls_user", table_name="soap_calls")
    op.drop_table("soap_calls")
    # The code before 0013 knows only SHA-256: users with an argon2id hash are deactivated (rotate to re-enable).
    op.execute("UPDATE soap_users SET password_hash = '', active = false WHERE length(password_hash) > 64")
    with op.batch_alter_table("soap_users") as batch:
        batch.alter_column("password_hash", existing_type=sa.String(length=200), type_=sa.String(length=64))
