"""Wholesale accounts, buyers and delivery windows; order lock and wholesale links

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:30:00

Written by hand from Alembic's autogenerate output: new tables, and three new
columns on ``orders`` (``locked`` defaults to false, the links to null), so an
existing database upgrades without rewriting its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "delivery_windows",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("allocation_rule_id", ID, nullable=True),
        sa.Column("default_variant_delivery_type", sa.String(length=16), nullable=False),
        sa.Column("delivery_dates_visible", sa.Boolean(), nullable=False),
        sa.Column("selectable_by_buyers", sa.Boolean(), nullable=False),
        sa.Column("selected_by_default", sa.Boolean(), nullable=False),
        sa.Column("days_from_now", ID, nullable=True),
        sa.Column("selectable_date", sa.Boolean(), nullable=True),
        sa.Column("allocation_order", sa.String(length=16), nullable=True),
        sa.Column("delivery_start", sa.Date(), nullable=True),
        sa.Column("delivery_end", sa.Date(), nullable=True),
        sa.Column("sales_start", sa.Date(), nullable=True),
        sa.Column("sales_end", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "default_variant_delivery_type IN ('stock', 'preorder')",
            name=op.f("ck_delivery_windows_default_variant_delivery_type"),
        ),
        sa.CheckConstraint("kind IN ('at_once', 'preorder')", name=op.f("ck_delivery_windows_kind")),
        sa.CheckConstraint("status IN ('active', 'inactive', 'cancelled')", name=op.f("ck_delivery_windows_status")),
        sa.CheckConstraint(
            "days_from_now IS NULL OR days_from_now >= 0", name=op.f("ck_delivery_windows_days_nonnegative")
        ),
        sa.CheckConstraint(
            "delivery_start IS NULL OR delivery_end IS NULL OR delivery_start <= delivery_end",
            name=op.f("ck_delivery_windows_delivery_range"),
        ),
        sa.CheckConstraint(
            "sales_start IS NULL OR sales_end IS NULL OR sales_start <= sales_end",
            name=op.f("ck_delivery_windows_sales_range"),
        ),
        sa.ForeignKeyConstraint(
            ["allocation_rule_id"],
            ["allocation_rules.id"],
            name=op.f("fk_delivery_windows_allocation_rule_id_allocation_rules"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_windows")),
    )
    op.create_table(
        "delivery_window_markets",
        sa.Column("id", ID, nullable=False),
        sa.Column("delivery_window_id", ID, nullable=False),
        sa.Column("market_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_window_id"],
            ["delivery_windows.id"],
            name=op.f("fk_delivery_window_markets_delivery_window_id_delivery_windows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["market_id"], ["markets.id"], name=op.f("fk_delivery_window_markets_market_id_markets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_window_markets")),
        sa.UniqueConstraint(
            "delivery_window_id", "market_id", name=op.f("uq_delivery_window_markets_delivery_window_id_market_id")
        ),
    )
    op.create_index(
        op.f("ix_delivery_window_markets_market_id"), "delivery_window_markets", ["market_id"], unique=False
    )
    op.create_table(
        "delivery_window_variants",
        sa.Column("id", ID, nullable=False),
        sa.Column("delivery_window_id", ID, nullable=False),
        sa.Column("variant_id", ID, nullable=False),
        sa.Column("delivery_type", sa.String(length=16), nullable=False),
        sa.Column("limit_value", ID, nullable=True),
        sa.Column("limit_type", sa.String(length=16), nullable=True),
        sa.Column("limit_on", sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            "delivery_type IN ('stock', 'preorder')", name=op.f("ck_delivery_window_variants_delivery_type")
        ),
        sa.CheckConstraint(
            "limit_value IS NULL OR limit_value >= 0", name=op.f("ck_delivery_window_variants_limit_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_window_id"],
            ["delivery_windows.id"],
            name=op.f("fk_delivery_window_variants_delivery_window_id_delivery_windows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["product_variants.id"],
            name=op.f("fk_delivery_window_variants_variant_id_product_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_window_variants")),
        sa.UniqueConstraint(
            "delivery_window_id", "variant_id", name=op.f("uq_delivery_window_variants_delivery_window_id_variant_id")
        ),
    )
    op.create_index(
        op.f("ix_delivery_window_variants_variant_id"), "delivery_window_variants", ["variant_id"], unique=False
    )
    op.create_table(
        "wholesale_accounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("market_id", ID, nullable=False),
        sa.Column("pricelist_id", ID, nullable=True),
        sa.Column("discount_bp", ID, nullable=False),
        sa.Column("discount_visible", sa.Boolean(), nullable=False),
        sa.Column("website_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_wholesale_accounts_status")),
        sa.CheckConstraint("discount_bp BETWEEN 0 AND 10000", name=op.f("ck_wholesale_accounts_discount_range")),
        sa.ForeignKeyConstraint(
            ["market_id"], ["markets.id"], name=op.f("fk_wholesale_accounts_market_id_markets"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["pricelist_id"],
            ["pricelists.id"],
            name=op.f("fk_wholesale_accounts_pricelist_id_pricelists"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_wholesale_accounts_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wholesale_accounts")),
    )
    op.create_index(op.f("ix_wholesale_accounts_store_id"), "wholesale_accounts", ["store_id"], unique=False)
    op.create_table(
        "wholesale_account_delivery_window_discounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("delivery_window_id", ID, nullable=False),
        sa.Column("discount_bp", ID, nullable=False),
        sa.CheckConstraint(
            "discount_bp BETWEEN 0 AND 10000",
            name=op.f("ck_wholesale_account_delivery_window_discounts_discount_range"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wholesale_accounts.id"],
            name=op.f("fk_wholesale_account_delivery_window_discounts_account_id_wholesale_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_window_id"],
            ["delivery_windows.id"],
            name=op.f("fk_wholesale_account_delivery_window_discounts_delivery_window_id_delivery_windows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wholesale_account_delivery_window_discounts")),
        sa.UniqueConstraint(
            "account_id",
            "delivery_window_id",
            name=op.f("uq_wholesale_account_delivery_window_discounts_account_id_delivery_window_id"),
        ),
    )
    op.create_index(
        op.f("ix_wholesale_account_delivery_window_discounts_delivery_window_id"),
        "wholesale_account_delivery_window_discounts",
        ["delivery_window_id"],
        unique=False,
    )
    op.create_table(
        "wholesale_buyers",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("website_url", sa.String(length=500), nullable=True),
        sa.Column("receive_auto_emails", sa.Boolean(), nullable=False),
        sa.Column("billing_cell_phone_number", sa.String(length=50), nullable=True),
        sa.Column("billing_fax_number", sa.String(length=50), nullable=True),
        sa.Column("billing_first_name", sa.String(length=100), nullable=True),
        sa.Column("billing_last_name", sa.String(length=100), nullable=True),
        sa.Column("billing_company", sa.String(length=200), nullable=True),
        sa.Column("billing_phone_number", sa.String(length=50), nullable=True),
        sa.Column("billing_address1", sa.String(length=200), nullable=True),
        sa.Column("billing_address2", sa.String(length=200), nullable=True),
        sa.Column("billing_zip_code", sa.String(length=32), nullable=True),
        sa.Column("billing_city", sa.String(length=100), nullable=True),
        sa.Column("billing_state", sa.String(length=100), nullable=True),
        sa.Column("billing_country", sa.String(length=2), nullable=True),
        sa.Column("billing_vat_number", sa.String(length=64), nullable=True),
        sa.Column("billing_identity_number", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_wholesale_buyers_status")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wholesale_accounts.id"],
            name=op.f("fk_wholesale_buyers_account_id_wholesale_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_wholesale_buyers_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wholesale_buyers")),
    )
    op.create_index(op.f("ix_wholesale_buyers_account_id"), "wholesale_buyers", ["account_id"], unique=False)
    op.create_index(op.f("ix_wholesale_buyers_email"), "wholesale_buyers", ["email"], unique=False)

    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("locked", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("account_id", ID, nullable=True))
        batch.add_column(sa.Column("buyer_id", ID, nullable=True))
        batch.create_index(batch.f("ix_orders_account_id"), ["account_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_orders_account_id_wholesale_accounts"),
            "wholesale_accounts",
            ["account_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            batch.f("fk_orders_buyer_id_wholesale_buyers"),
            "wholesale_buyers",
            ["buyer_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(batch.f("fk_orders_buyer_id_wholesale_buyers"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_orders_account_id_wholesale_accounts"), type_="foreignkey")
        batch.drop_index(batch.f("ix_orders_account_id"))
        batch.drop_column("buyer_id")
        batch.drop_column("account_id")
        batch.drop_column("locked")
    op.drop_table("wholesale_buyers")
    op.drop_table("wholesale_account_delivery_window_discounts")
    op.drop_table("wholesale_accounts")
    op.drop_table("delivery_window_variants")
    op.drop_table("delivery_window_markets")
    op.drop_table("delivery_windows")
