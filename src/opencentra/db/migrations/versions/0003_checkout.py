"""Checkout API: payment attempts, password resets, newsletter and back-in-stock sign-ups, wishlists

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:00

Written by hand from Alembic's autogenerate output: only new tables, so an
existing database upgrades without touching its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # JSONB renders as postgresql.JSONB(astext_type=Text())
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "customer_password_resets",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_password_resets_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_customer_password_resets_token_hash")),
    )
    op.create_index(
        op.f("ix_customer_password_resets_customer_id"), "customer_password_resets", ["customer_id"], unique=False
    )
    op.create_table(
        "selection_payments",
        sa.Column("id", ID, nullable=False),
        sa.Column("selection_id", ID, nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("payment_method_id", ID, nullable=True),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", ID, nullable=False),
        sa.Column("currency_id", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider_reference", sa.String(length=200), nullable=True),
        sa.Column("state", JSON, nullable=False),
        sa.Column("return_url", sa.Text(), nullable=False),
        sa.Column("failed_url", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('started', 'authorized', 'declined')", name=op.f("ck_selection_payments_status")
        ),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_selection_payments_amount_nonnegative")),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_selection_payments_currency_id_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["payment_methods.id"],
            name=op.f("fk_selection_payments_payment_method_id_payment_methods"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["selection_id"],
            ["selections.id"],
            name=op.f("fk_selection_payments_selection_id_selections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_payments")),
        sa.UniqueConstraint("reference", name=op.f("uq_selection_payments_reference")),
    )
    op.create_index(op.f("ix_selection_payments_selection_id"), "selection_payments", ["selection_id"], unique=False)
    op.create_table(
        "back_in_stock_subscriptions",
        sa.Column("id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("customer_id", ID, nullable=True),
        sa.Column("display_item_id", ID, nullable=False),
        sa.Column("product_size_id", ID, nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_back_in_stock_subscriptions_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["display_item_id"],
            ["display_items.id"],
            name=op.f("fk_back_in_stock_subscriptions_display_item_id_display_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_size_id"],
            ["product_sizes.id"],
            name=op.f("fk_back_in_stock_subscriptions_product_size_id_product_sizes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_back_in_stock_subscriptions_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_back_in_stock_subscriptions")),
        sa.UniqueConstraint(
            "store_id",
            "email",
            "product_size_id",
            "country",
            name=op.f("uq_back_in_stock_subscriptions_store_id_email_product_size_id_country"),
        ),
    )
    op.create_index(
        op.f("ix_back_in_stock_subscriptions_customer_id"), "back_in_stock_subscriptions", ["customer_id"], unique=False
    )
    op.create_index(
        op.f("ix_back_in_stock_subscriptions_product_size_id"),
        "back_in_stock_subscriptions",
        ["product_size_id"],
        unique=False,
    )
    op.create_table(
        "newsletter_subscriptions",
        sa.Column("id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("customer_id", ID, nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("display_item_id", ID, nullable=True),
        sa.Column("product_size_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_newsletter_subscriptions_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["display_item_id"],
            ["display_items.id"],
            name=op.f("fk_newsletter_subscriptions_display_item_id_display_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_size_id"],
            ["product_sizes.id"],
            name=op.f("fk_newsletter_subscriptions_product_size_id_product_sizes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_newsletter_subscriptions_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_subscriptions")),
        sa.UniqueConstraint("store_id", "email", name=op.f("uq_newsletter_subscriptions_store_id_email")),
    )
    op.create_index(
        op.f("ix_newsletter_subscriptions_customer_id"), "newsletter_subscriptions", ["customer_id"], unique=False
    )
    op.create_table(
        "wishlist_items",
        sa.Column("id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("display_item_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_wishlist_items_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["display_item_id"],
            ["display_items.id"],
            name=op.f("fk_wishlist_items_display_item_id_display_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wishlist_items")),
        sa.UniqueConstraint(
            "customer_id", "display_item_id", name=op.f("uq_wishlist_items_customer_id_display_item_id")
        ),
    )
    op.create_index(op.f("ix_wishlist_items_display_item_id"), "wishlist_items", ["display_item_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_wishlist_items_display_item_id"), table_name="wishlist_items")
    op.drop_table("wishlist_items")
    op.drop_index(op.f("ix_newsletter_subscriptions_customer_id"), table_name="newsletter_subscriptions")
    op.drop_table("newsletter_subscriptions")
    op.drop_index(op.f("ix_back_in_stock_subscriptions_product_size_id"), table_name="back_in_stock_subscriptions")
    op.drop_index(op.f("ix_back_in_stock_subscriptions_customer_id"), table_name="back_in_stock_subscriptions")
    op.drop_table("back_in_stock_subscriptions")
    op.drop_index(op.f("ix_selection_payments_selection_id"), table_name="selection_payments")
    op.drop_table("selection_payments")
    op.drop_index(op.f("ix_customer_password_resets_customer_id"), table_name="customer_password_resets")
    op.drop_table("customer_password_resets")
