"""Order API: shipment warehouses, order details, return amounts, allocation requests, supplier module

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 06:11:40.240886

Written by hand from Alembic's autogenerate output, keeping only the Order
API's tables and columns. New NOT NULL columns on existing tables get a
server default so that upgrading a database with orders and returns works.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # JSONB renders as postgresql.JSONB(astext_type=Text())
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "shipment_line_warehouses",
        sa.Column("id", ID, nullable=False),
        sa.Column("shipment_line_id", ID, nullable=False),
        sa.Column("warehouse_id", ID, nullable=False),
        sa.Column("quantity", ID, nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipment_line_warehouses_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["shipment_line_id"],
            ["shipment_lines.id"],
            name=op.f("fk_shipment_line_warehouses_shipment_line_id_shipment_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_shipment_line_warehouses_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_line_warehouses")),
        sa.UniqueConstraint(
            "shipment_line_id", "warehouse_id", name=op.f("uq_shipment_line_warehouses_shipment_line_id_warehouse_id")
        ),
    )
    with op.batch_alter_table("shipment_line_warehouses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_line_warehouses_warehouse_id"), ["warehouse_id"], unique=False)

    op.create_table(
        "allocation_requests",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("warehouse_id", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('allocated', 'sent', 'failed', 'confirmed', 'rejected', 'timed-out', 'outdated')",
            name=op.f("ck_allocation_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_allocation_requests_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_allocation_requests_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_requests")),
    )
    with op.batch_alter_table("allocation_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_requests_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allocation_requests_warehouse_id"), ["warehouse_id"], unique=False)

    op.create_table(
        "allocation_request_lines",
        sa.Column("id", ID, nullable=False),
        sa.Column("request_id", ID, nullable=False),
        sa.Column("order_line_id", ID, nullable=False),
        sa.Column("quantity", ID, nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_allocation_request_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_allocation_request_lines_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["allocation_requests.id"],
            name=op.f("fk_allocation_request_lines_request_id_allocation_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_request_lines")),
    )
    with op.batch_alter_table("allocation_request_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_request_lines_order_line_id"), ["order_line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allocation_request_lines_request_id"), ["request_id"], unique=False)

    op.create_table(
        "suppliers",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("name", name=op.f("uq_suppliers_name")),
    )
    op.create_table(
        "supplier_orders",
        sa.Column("id", ID, nullable=False),
        sa.Column("supplier_id", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("preferred_warehouse_id", ID, nullable=False),
        sa.Column("etd", sa.DateTime(timezone=True), nullable=True),
        sa.Column("eta", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("delivery_count", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'confirmed', 'cancelled')", name=op.f("ck_supplier_orders_status")),
        sa.ForeignKeyConstraint(
            ["preferred_warehouse_id"],
            ["warehouses.id"],
            name=op.f("fk_supplier_orders_preferred_warehouse_id_warehouses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_supplier_orders_supplier_id_suppliers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_orders")),
    )
    with op.batch_alter_table("supplier_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supplier_orders_preferred_warehouse_id"), ["preferred_warehouse_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_supplier_orders_supplier_id"), ["supplier_id"], unique=False)

    op.create_table(
        "supplier_order_lines",
        sa.Column("id", ID, nullable=False),
        sa.Column("supplier_order_id", ID, nullable=False),
        sa.Column("product_size_id", ID, nullable=False),
        sa.Column("quantity", ID, nullable=False),
        sa.Column("cost_minor", ID, nullable=False),
        sa.Column("currency_id", ID, nullable=False),
        sa.CheckConstraint("cost_minor >= 0", name=op.f("ck_supplier_order_lines_cost_nonnegative")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_supplier_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["currency_id"],
            ["currencies.id"],
            name=op.f("fk_supplier_order_lines_currency_id_currencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["product_size_id"],
            ["product_sizes.id"],
            name=op.f("fk_supplier_order_lines_product_size_id_product_sizes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_order_id"],
            ["supplier_orders.id"],
            name=op.f("fk_supplier_order_lines_supplier_order_id_supplier_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_order_lines")),
        sa.UniqueConstraint(
            "supplier_order_id",
            "product_size_id",
            name=op.f("uq_supplier_order_lines_supplier_order_id_product_size_id"),
        ),
    )
    with op.batch_alter_table("supplier_order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplier_order_lines_product_size_id"), ["product_size_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_supplier_order_lines_supplier_order_id"), ["supplier_order_id"], unique=False
        )

    op.create_table(
        "supplier_deliveries",
        sa.Column("id", ID, nullable=False),
        sa.Column("supplier_order_id", ID, nullable=False),
        sa.Column("appendix", ID, nullable=False),
        sa.Column("number", sa.String(length=48), nullable=False),
        sa.Column("etd", sa.DateTime(timezone=True), nullable=True),
        sa.Column("eta", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["supplier_order_id"],
            ["supplier_orders.id"],
            name=op.f("fk_supplier_deliveries_supplier_order_id_supplier_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_deliveries")),
        sa.UniqueConstraint("number", name=op.f("uq_supplier_deliveries_number")),
        sa.UniqueConstraint(
            "supplier_order_id", "appendix", name=op.f("uq_supplier_deliveries_supplier_order_id_appendix")
        ),
    )
    with op.batch_alter_table("supplier_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supplier_deliveries_supplier_order_id"), ["supplier_order_id"], unique=False
        )

    op.create_table(
        "supplier_delivery_lines",
        sa.Column("id", ID, nullable=False),
        sa.Column("delivery_id", ID, nullable=False),
        sa.Column("supplier_order_line_id", ID, nullable=False),
        sa.Column("quantity", ID, nullable=False),
        sa.Column("received", ID, nullable=True),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_supplier_delivery_lines_quantity_nonnegative")),
        sa.CheckConstraint(
            "received IS NULL OR received >= 0", name=op.f("ck_supplier_delivery_lines_received_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["supplier_deliveries.id"],
            name=op.f("fk_supplier_delivery_lines_delivery_id_supplier_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_order_line_id"],
            ["supplier_order_lines.id"],
            name=op.f("fk_supplier_delivery_lines_supplier_order_line_id_supplier_order_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_delivery_lines")),
        sa.UniqueConstraint(
            "delivery_id",
            "supplier_order_line_id",
            name=op.f("uq_supplier_delivery_lines_delivery_id_supplier_order_line_id"),
        ),
    )
    with op.batch_alter_table("supplier_delivery_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplier_delivery_lines_delivery_id"), ["delivery_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_supplier_delivery_lines_supplier_order_line_id"), ["supplier_order_line_id"], unique=False
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_date", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancel_date", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("po_number", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column(
                "extra_attributes",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'{}'"),
            )
        )

    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipping_minor", ID, nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("handling_minor", ID, nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("voucher_minor", ID, nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("created_from", sa.String(length=32), nullable=True))
        batch_op.create_check_constraint(
            "order_amounts_nonnegative", sa.text("shipping_minor >= 0 AND handling_minor >= 0 AND voucher_minor >= 0")
        )


def downgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_returns_order_amounts_nonnegative"), type_="check")
        batch_op.drop_column("created_from")
        batch_op.drop_column("voucher_minor")
        batch_op.drop_column("handling_minor")
        batch_op.drop_column("shipping_minor")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("extra_attributes")
        batch_op.drop_column("po_number")
        batch_op.drop_column("cancel_date")
        batch_op.drop_column("delivery_date")

    for table in (
        "supplier_delivery_lines",
        "supplier_deliveries",
        "supplier_order_lines",
        "supplier_orders",
        "suppliers",
        "allocation_request_lines",
        "allocation_requests",
        "shipment_line_warehouses",
    ):
        op.drop_table(table)
