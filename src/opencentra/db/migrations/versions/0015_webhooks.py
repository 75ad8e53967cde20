"""Outbound webhook deliveries and outbox consumer positions

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 21:20:00

Written by hand: the ``webhook`` plugin type (the CHECK on ``api_plugins.type``,
rebuilt by batch mode on SQLite), each webhook plugin's signing-key nonce, the
deliveries and their attempt log. The outbox position of each webhook is an
ordinary ``event_consumers`` row (``webhook:<plugin id>``), so no table for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = sa.DateTime(timezone=True)


def _plugin_types(types: str) -> None:
    with op.batch_alter_table("api_plugins") as batch:
        batch.drop_constraint(op.f("ck_api_plugins_type"), type_="check")
        batch.create_check_constraint("type", f"type IN ({types})")


def upgrade() -> None:
    _plugin_types("'checkout', 'shop', 'order', 'subscription', 'webhook'")
    op.create_table(
        "webhook_endpoints",
        sa.Column("plugin_id", ID, nullable=False),
        sa.Column("key_nonce", sa.String(length=64), nullable=True),
        sa.Column("key_prefix", sa.String(length=8), nullable=True),
        sa.Column("key_issued_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["plugin_id"],
            ["api_plugins.id"],
            name=op.f("fk_webhook_endpoints_plugin_id_api_plugins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plugin_id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", ID, nullable=False),
        sa.Column("delivery_id", sa.String(length=32), nullable=False),
        sa.Column("plugin_id", ID, nullable=False),
        sa.Column("event_ids", JSON, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", ID, nullable=False),
        sa.Column("max_attempts", ID, nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("lease_until", WHEN, nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("last_status_code", ID, nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed', 'split')", name=op.f("ck_webhook_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["plugin_id"],
            ["api_plugins.id"],
            name=op.f("fk_webhook_deliveries_plugin_id_api_plugins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_webhook_deliveries_delivery_id")),
    )
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_webhook_deliveries_plugin_id"), "webhook_deliveries", ["plugin_id"], unique=False)
    op.create_index(op.f("ix_webhook_deliveries_finished_at"), "webhook_deliveries", ["finished_at"], unique=False)
    op.create_table(
        "webhook_attempts",
        sa.Column("id", ID, nullable=False),
        sa.Column("delivery_pk", ID, nullable=False),
        sa.Column("attempt", ID, nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("duration_ms", ID, nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("request_bytes", ID, nullable=False),
        sa.Column("status_code", ID, nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_pk"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_pk_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(op.f("ix_webhook_attempts_delivery_pk"), "webhook_attempts", ["delivery_pk"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_attempts_delivery_pk"), table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index(op.f("ix_webhook_deliveries_finished_at"), table_name="webhook_deliveries")
    op.drop_index(op.f("ix_webhook_deliveries_plugin_id"), table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    op.execute("DELETE FROM api_plugins WHERE type = 'webhook'")
    _plugin_types("'checkout', 'shop', 'order', 'subscription'")
