"""Subscription contracts, stored payment methods and renewal orders

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:20:00

New tables only: stored payment methods (a provider's token for charging a
customer again), subscription contracts, their subscriptions, and one renewal
row per contract and period (UNIQUE, so a period is ordered at most once).
An existing database upgrades without touching its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stored_payment_methods",
        sa.Column("id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("payment_method_id", ID, nullable=True),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_stored_payment_methods_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["payment_methods.id"],
            name=op.f("fk_stored_payment_methods_payment_method_id_payment_methods"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_stored_payment_methods_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_payment_methods")),
        sa.UniqueConstraint("provider", "token", name=op.f("uq_stored_payment_methods_provider_token")),
    )
    op.create_index(
        op.f("ix_stored_payment_methods_customer_id"), "stored_payment_methods", ["customer_id"], unique=False
    )
    op.create_table(
        "subscription_contracts",
        sa.Column("id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("market_id", ID, nullable=False),
        sa.Column("pricelist_id", ID, nullable=False),
        sa.Column("currency_id", ID, nullable=False),
        sa.Column("country_id", ID, nullable=True),
        sa.Column("language_id", ID, nullable=True),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("stored_payment_method_id", ID, nullable=True),
        sa.Column("payment_method_id", ID, nullable=True),
        sa.Column("shipping_method_id", ID, nullable=True),
        sa.Column("origin_order_id", ID, nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("amount_minor", ID, nullable=False),
        sa.Column("shipping_minor", ID, nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column(
            "pending_payment",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
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
        sa.Column("shipping_first_name", sa.String(length=100), nullable=True),
        sa.Column("shipping_last_name", sa.String(length=100), nullable=True),
        sa.Column("shipping_company", sa.String(length=200), nullable=True),
        sa.Column("shipping_phone_number", sa.String(length=50), nullable=True),
        sa.Column("shipping_address1", sa.String(length=200), nullable=True),
        sa.Column("shipping_address2", sa.String(length=200), nullable=True),
        sa.Column("shipping_zip_code", sa.String(length=32), nullable=True),
        sa.Column("shipping_city", sa.String(length=100), nullable=True),
        sa.Column("shipping_state", sa.String(length=100), nullable=True),
        sa.Column("shipping_country", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["countries.id"],
            name=op.f("fk_subscription_contracts_country_id_countries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["currency_id"], ["currencies.id"], name=op.f("fk_subscription_contracts_currency_id_currencies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_subscription_contracts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["language_id"],
            ["languages.id"],
            name=op.f("fk_subscription_contracts_language_id_languages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["market_id"], ["markets.id"], name=op.f("fk_subscription_contracts_market_id_markets")
        ),
        sa.ForeignKeyConstraint(
            ["origin_order_id"],
            ["orders.id"],
            name=op.f("fk_subscription_contracts_origin_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_method_id"],
            ["payment_methods.id"],
            name=op.f("fk_subscription_contracts_payment_method_id_payment_methods"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pricelist_id"], ["pricelists.id"], name=op.f("fk_subscription_contracts_pricelist_id_pricelists")
        ),
        sa.ForeignKeyConstraint(
            ["shipping_method_id"],
            ["shipping_methods.id"],
            name=op.f("fk_subscription_contracts_shipping_method_id_shipping_methods"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_subscription_contracts_store_id_stores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stored_payment_method_id"],
            ["stored_payment_methods.id"],
            name=op.f("fk_subscription_contracts_stored_payment_method_id_stored_payment_methods"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_contracts")),
        sa.UniqueConstraint("origin_order_id", name=op.f("uq_subscription_contracts_origin_order_id")),
    )
    op.create_index(
        op.f("ix_subscription_contracts_customer_id"), "subscription_contracts", ["customer_id"], unique=False
    )
    op.create_index(op.f("ix_subscription_contracts_store_id"), "subscription_contracts", ["store_id"], unique=False)
    op.create_table(
        "contract_subscriptions",
        sa.Column("id", ID, nullable=False),
        sa.Column("contract_id", ID, nullable=False),
        sa.Column("plan_id", ID, nullable=True),
        sa.Column("plan_name", sa.String(length=255), nullable=False),
        sa.Column("interval_value", ID, nullable=False),
        sa.Column("interval_type", sa.String(length=8), nullable=False),
        sa.Column("discount_bp", ID, nullable=False),
        sa.Column("quantity", ID, nullable=False),
        sa.Column("display_item_id", ID, nullable=True),
        sa.Column("product_size_id", ID, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_status", sa.String(length=16), nullable=False),
        sa.Column("next_order_date", sa.Date(), nullable=False),
        sa.Column("failed_attempts", ID, nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "interval_type IN ('day', 'week', 'month', 'year')", name=op.f("ck_contract_subscriptions_interval_type")
        ),
        sa.CheckConstraint(
            "payment_status IN ('active', 'pending', 'failed')", name=op.f("ck_contract_subscriptions_payment_status")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'cancelled')", name=op.f("ck_contract_subscriptions_status")
        ),
        sa.CheckConstraint("interval_value > 0", name=op.f("ck_contract_subscriptions_interval_positive")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_contract_subscriptions_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["subscription_contracts.id"],
            name=op.f("fk_contract_subscriptions_contract_id_subscription_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["display_item_id"],
            ["display_items.id"],
            name=op.f("fk_contract_subscriptions_display_item_id_display_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["subscription_plans.id"],
            name=op.f("fk_contract_subscriptions_plan_id_subscription_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_size_id"],
            ["product_sizes.id"],
            name=op.f("fk_contract_subscriptions_product_size_id_product_sizes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_subscriptions")),
    )
    op.create_index(
        op.f("ix_contract_subscriptions_contract_id"), "contract_subscriptions", ["contract_id"], unique=False
    )
    op.create_index(
        "ix_contract_subscriptions_due", "contract_subscriptions", ["status", "next_order_date"], unique=False
    )
    op.create_table(
        "subscription_renewals",
        sa.Column("id", ID, nullable=False),
        sa.Column("contract_id", ID, nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt", ID, nullable=False),
        sa.Column("amount_minor", ID, nullable=False),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("message", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'placed', 'failed')", name=op.f("ck_subscription_renewals_status")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["subscription_contracts.id"],
            name=op.f("fk_subscription_renewals_contract_id_subscription_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_subscription_renewals_order_id_orders"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_renewals")),
        sa.UniqueConstraint("contract_id", "period", name=op.f("uq_subscription_renewals_contract_id_period")),
    )


def downgrade() -> None:
    op.drop_table("subscription_renewals")
    op.drop_index("ix_contract_subscriptions_due", table_name="contract_subscriptions")
    op.drop_index(op.f("ix_contract_subscriptions_contract_id"), table_name="contract_subscriptions")
    op.drop_table("contract_subscriptions")
    op.drop_index(op.f("ix_subscription_contracts_store_id"), table_name="subscription_contracts")
    op.drop_index(op.f("ix_subscription_contracts_customer_id"), table_name="subscription_contracts")
    op.drop_table("subscription_contracts")
    op.drop_index(op.f("ix_stored_payment_methods_customer_id"), table_name="stored_payment_methods")
    op.drop_table("stored_payment_methods")
