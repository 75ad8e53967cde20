"""Subscription plans, gift certificates and price history

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 09:30:00

New tables, and one new nullable column (``selection_lines.subscription_plan_id``),
so an existing database upgrades without touching its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "subscription_plans",
        sa.Column("id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("interval_value", ID, nullable=False),
        sa.Column("interval_type", sa.String(length=8), nullable=False),
        sa.Column("discount_bp", ID, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("interval_value > 0", name=op.f("ck_subscription_plans_interval_positive")),
        sa.CheckConstraint(
            "interval_type IN ('day', 'week', 'month', 'year')", name=op.f("ck_subscription_plans_interval_type")
        ),
        sa.CheckConstraint(
            "discount_bp >= 0 AND discount_bp <= 10000", name=op.f("ck_subscription_plans_discount_range")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_subscription_plans_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_plans")),
    )
    op.create_index(op.f("ix_subscription_plans_store_id"), "subscription_plans", ["store_id"], unique=False)
    op.create_table(
        "display_subscription_plans",
        sa.Column("display_id", ID, nullable=False),
        sa.Column("plan_id", ID, nullable=False),
        sa.Column("sort_order", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["display_id"],
            ["displays.id"],
            name=op.f("fk_display_subscription_plans_display_id_displays"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["subscription_plans.id"],
            name=op.f("fk_display_subscription_plans_plan_id_subscription_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("display_id", "plan_id", name=op.f("pk_display_subscription_plans")),
    )
    op.create_index("ix_display_subscription_plans_plan_id", "display_subscription_plans", ["plan_id"], unique=False)
    op.create_table(
        "order_line_subscriptions",
        sa.Column("order_line_id", ID, nullable=False),
        sa.Column("plan_id", ID, nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("interval_value", ID, nullable=False),
        sa.Column("interval_type", sa.String(length=8), nullable=False),
        sa.Column("discount_bp", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_order_line_subscriptions_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["subscription_plans.id"],
            name=op.f("fk_order_line_subscriptions_plan_id_subscription_plans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("order_line_id", name=op.f("pk_order_line_subscriptions")),
    )
    op.create_index(op.f("ix_order_line_subscriptions_plan_id"), "order_line_subscriptions", ["plan_id"], unique=False)
    with op.batch_alter_table("selection_lines") as batch:
        batch.add_column(sa.Column("subscription_plan_id", ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_selection_lines_subscription_plan_id_subscription_plans"),
            "subscription_plans",
            ["subscription_plan_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "gift_certificates",
        sa.Column("id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("uri", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("currency_of_sale_only", sa.Boolean(), nullable=False),
        sa.Column("show_gift_amount", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("type IN ('predeterminedAmount', 'anyAmount')", name=op.f("ck_gift_certificates_type")),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_gift_certificates_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_certificates")),
        sa.UniqueConstraint("store_id", "uri", name=op.f("uq_gift_certificates_store_id_uri")),
    )
    op.create_table(
        "gift_certificate_amounts",
        sa.Column("certificate_id", ID, nullable=False),
        sa.Column("currency_id", ID, nullable=False),
        sa.Column("amount_minor", ID, nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_gift_certificate_amounts_amount_positive")),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["gift_certificates.id"],
            name=op.f("fk_gift_certificate_amounts_certificate_id_gift_certificates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_gift_certificate_amounts_currency_id_currencies")
        ),
        sa.PrimaryKeyConstraint("certificate_id", "currency_id", name=op.f("pk_gift_certificate_amounts")),
    )
    op.create_table(
        "selection_gift_certificates",
        sa.Column("id", ID, nullable=False),
        sa.Column("selection_id", ID, nullable=False),
        sa.Column("line_id", sa.String(length=32), nullable=False),
        sa.Column("certificate_id", ID, nullable=False),
        sa.Column("amount_minor", ID, nullable=False),
        sa.Column("currency_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_selection_gift_certificates_amount_positive")),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["gift_certificates.id"],
            name=op.f("fk_selection_gift_certificates_certificate_id_gift_certificates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_selection_gift_certificates_currency_id_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["selection_id"],
            ["selections.id"],
            name=op.f("fk_selection_gift_certificates_selection_id_selections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_gift_certificates")),
        sa.UniqueConstraint("line_id", name=op.f("uq_selection_gift_certificates_line_id")),
        sa.UniqueConstraint("selection_id", name=op.f("uq_selection_gift_certificates_selection_id")),
    )
    op.create_index(
        op.f("ix_selection_gift_certificates_certificate_id"),
        "selection_gift_certificates",
        ["certificate_id"],
        unique=False,
    )
    op.create_table(
        "issued_gift_certificates",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("certificate_id", ID, nullable=True),
        sa.Column("voucher_id", ID, nullable=True),
        sa.Column("amount_minor", ID, nullable=False),
        sa.Column("currency_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["gift_certificates.id"],
            name=op.f("fk_issued_gift_certificates_certificate_id_gift_certificates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_issued_gift_certificates_currency_id_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_issued_gift_certificates_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"],
            ["vouchers.id"],
            name=op.f("fk_issued_gift_certificates_voucher_id_vouchers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_gift_certificates")),
        sa.UniqueConstraint("order_id", name=op.f("uq_issued_gift_certificates_order_id")),
    )
    op.create_index(
        op.f("ix_issued_gift_certificates_certificate_id"), "issued_gift_certificates", ["certificate_id"], unique=False
    )
    op.create_index(
        op.f("ix_issued_gift_certificates_voucher_id"), "issued_gift_certificates", ["voucher_id"], unique=False
    )

    # The lowest price of the last 30 days (Checkout API ``lowestPrice``).
    op.create_table(
        "price_history",
        sa.Column("id", ID, nullable=False),
        sa.Column("pricelist_id", ID, nullable=False),
        sa.Column("market_id", ID, nullable=False),
        sa.Column("variant_id", ID, nullable=False),
        sa.Column("price_minor", ID, nullable=False),
        sa.Column("price_before_discount_minor", ID, nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["market_id"], ["markets.id"], name=op.f("fk_price_history_market_id_markets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pricelist_id"],
            ["pricelists.id"],
            name=op.f("fk_price_history_pricelist_id_pricelists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["product_variants.id"],
            name=op.f("fk_price_history_variant_id_product_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_history")),
    )
    op.create_index(
        "ix_price_history_lookup",
        "price_history",
        ["pricelist_id", "market_id", "variant_id", "observed_at"],
        unique=False,
    )
    op.create_index(op.f("ix_price_history_variant_id"), "price_history", ["variant_id"], unique=False)


def downgrade() -> None:
    op.drop_table("price_history")
    op.drop_table("issued_gift_certificates")
    op.drop_table("selection_gift_certificates")
    op.drop_table("gift_certificate_amounts")
    op.drop_table("gift_certificates")
    with op.batch_alter_table("selection_lines") as batch:
        batch.drop_constraint(op.f("fk_selection_lines_subscription_plan_id_subscription_plans"), type_="foreignkey")
        batch.drop_column("subscription_plan_id")
    op.drop_table("order_line_subscriptions")
    op.drop_table("display_subscription_plans")
    op.drop_table("subscription_plans")
