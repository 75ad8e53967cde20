"""Pricing extras (price alterations, pricelist default shipping, market and warehouse settings)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 09:30:00

New tables, and new nullable or defaulted columns added in place (SQLite's
ADD COLUMN, no table rebuild), so an existing database upgrades without
touching its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "price_alterations",
        sa.Column("id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_price_alterations_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_alterations")),
    )
    op.create_index("ix_price_alterations_store_active", "price_alterations", ["store_id", "active"], unique=False)
    op.create_table(
        "altered_prices",
        sa.Column("id", ID, nullable=False),
        sa.Column("price_alteration_id", ID, nullable=False),
        sa.Column("pricelist_id", ID, nullable=False),
        sa.Column("variant_id", ID, nullable=False),
        sa.Column("price_minor", ID, nullable=False),
        sa.Column("recommended_retail_price_minor", ID, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price_minor >= 0", name=op.f("ck_altered_prices_price_not_negative")),
        sa.CheckConstraint(
            "recommended_retail_price_minor IS NULL OR recommended_retail_price_minor >= 0",
            name=op.f("ck_altered_prices_rrp_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["price_alteration_id"],
            ["price_alterations.id"],
            name=op.f("fk_altered_prices_price_alteration_id_price_alterations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pricelist_id"],
            ["pricelists.id"],
            name=op.f("fk_altered_prices_pricelist_id_pricelists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["product_variants.id"],
            name=op.f("fk_altered_prices_variant_id_product_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_altered_prices")),
        sa.UniqueConstraint(
            "price_alteration_id",
            "pricelist_id",
            "variant_id",
            name=op.f("uq_altered_prices_price_alteration_id_pricelist_id_variant_id"),
        ),
    )
    op.create_index(op.f("ix_altered_prices_pricelist_id"), "altered_prices", ["pricelist_id"], unique=False)
    op.create_index(op.f("ix_altered_prices_variant_id"), "altered_prices", ["variant_id"], unique=False)
    op.create_table(
        "price_alteration_delivery_windows",
        sa.Column("id", ID, nullable=False),
        sa.Column("price_alteration_id", ID, nullable=False),
        sa.Column("delivery_window_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_window_id"],
            ["delivery_windows.id"],
            name=op.f("fk_price_alteration_delivery_windows_delivery_window_id_delivery_windows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["price_alteration_id"],
            ["price_alterations.id"],
            name=op.f("fk_price_alteration_delivery_windows_price_alteration_id_price_alterations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_alteration_delivery_windows")),
        sa.UniqueConstraint(
            "price_alteration_id",
            "delivery_window_id",
            name=op.f("uq_price_alteration_delivery_windows_price_alteration_id_delivery_window_id"),
        ),
    )
    op.create_index(
        op.f("ix_price_alteration_delivery_windows_delivery_window_id"),
        "price_alteration_delivery_windows",
        ["delivery_window_id"],
        unique=False,
    )

    with op.batch_alter_table("markets") as batch:
        batch.add_column(sa.Column("comment", sa.Text(), nullable=True))
    with op.batch_alter_table("warehouses") as batch:
        batch.add_column(sa.Column("threshold", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(sa.Column("hidden_from_stock_view", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("stock_ownership", sa.String(length=16), server_default="own", nullable=False))
        batch.add_column(
            sa.Column("allocation_policy", sa.String(length=16), server_default="check_first", nullable=False)
        )
    op.create_table(
        "warehouse_locations",
        sa.Column("warehouse_id", ID, nullable=False),
        sa.Column("country_id", ID, nullable=True),
        sa.Column("state_id", ID, nullable=True),
        sa.Column("zip_code", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["countries.id"],
            name=op.f("fk_warehouse_locations_country_id_countries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["state_id"],
            ["country_states.id"],
            name=op.f("fk_warehouse_locations_state_id_country_states"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_warehouse_locations_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("warehouse_id", name=op.f("pk_warehouse_locations")),
    )
    with op.batch_alter_table("event_consumers") as batch:
        batch.add_column(sa.Column("listeners_updated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "pricelist_shipping_defaults",
        sa.Column("pricelist_id", ID, nullable=False),
        sa.Column("shipping_method_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["pricelist_id"],
            ["pricelists.id"],
            name=op.f("fk_pricelist_shipping_defaults_pricelist_id_pricelists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shipping_method_id"],
            ["shipping_methods.id"],
            name=op.f("fk_pricelist_shipping_defaults_shipping_method_id_shipping_methods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pricelist_id", name=op.f("pk_pricelist_shipping_defaults")),
    )
    op.create_index(
        op.f("ix_pricelist_shipping_defaults_shipping_method_id"),
        "pricelist_shipping_defaults",
        ["shipping_method_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pricelist_shipping_defaults_shipping_method_id"), table_name="pricelist_shipping_defaults")
    op.drop_table("pricelist_shipping_defaults")
    with op.batch_alter_table("event_consumers") as batch:
        batch.drop_column("listeners_updated_at")
    op.drop_table("warehouse_locations")
    with op.batch_alter_table("warehouses") as batch:
        batch.drop_column("allocation_policy")
        batch.drop_column("stock_ownership")
        batch.drop_column("hidden_from_stock_view")
        batch.drop_column("threshold")
    with op.batch_alter_table("markets") as batch:
        batch.drop_column("comment")
    op.drop_index(
        op.f("ix_price_alteration_delivery_windows_delivery_window_id"), table_name="price_alteration_delivery_windows"
    )
    op.drop_table("price_alteration_delivery_windows")
    op.drop_index(op.f("ix_altered_prices_variant_id"), table_name="altered_prices")
    op.drop_index(op.f("ix_altered_prices_pricelist_id"), table_name="altered_prices")
    op.drop_table("altered_prices")
    op.drop_index("ix_price_alterations_store_active", table_name="price_alterations")
    op.drop_table("price_alterations")
