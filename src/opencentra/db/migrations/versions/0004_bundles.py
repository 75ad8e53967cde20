"""Bundles (catalogue bundles, bundle components)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:30:00

Only new tables, so an existing database upgrades without touching its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "bundles",
        sa.Column("id", ID, nullable=False),
        sa.Column("variant_id", ID, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("price_type", sa.String(length=16), nullable=False),
        sa.Column("discount_bp", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("type IN ('fixed', 'flexible')", name=op.f("ck_bundles_type")),
        sa.CheckConstraint("price_type IN ('static', 'dynamic')", name=op.f("ck_bundles_price_type")),
        sa.CheckConstraint("discount_bp >= 0 AND discount_bp <= 10000", name=op.f("ck_bundles_discount_range")),
        _fk("bundles", "variant_id", "product_variants.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundles")),
        sa.UniqueConstraint("variant_id", name=op.f("uq_bundles_variant_id")),
    )
    op.create_table(
        "bundle_sections",
        sa.Column("id", ID, nullable=False),
        sa.Column("bundle_id", ID, nullable=False),
        sa.Column("quantity", ID, nullable=False),
        sa.Column("optional", sa.Boolean(), nullable=False),
        sa.Column("sort_order", ID, nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_bundle_sections_quantity_positive")),
        _fk("bundle_sections", "bundle_id", "bundles.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_sections")),
    )
    op.create_index(op.f("ix_bundle_sections_bundle_id"), "bundle_sections", ["bundle_id"], unique=False)
    op.create_table(
        "bundle_section_variants",
        sa.Column("id", ID, nullable=False),
        sa.Column("section_id", ID, nullable=False),
        sa.Column("variant_id", ID, nullable=False),
        sa.Column("sort_order", ID, nullable=False),
        _fk("bundle_section_variants", "section_id", "bundle_sections.id", "CASCADE"),
        _fk("bundle_section_variants", "variant_id", "product_variants.id", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bundle_section_variants")),
        sa.UniqueConstraint("section_id", "variant_id", name=op.f("uq_bundle_section_variants_section_id_variant_id")),
    )
    op.create_index(
        op.f("ix_bundle_section_variants_variant_id"), "bundle_section_variants", ["variant_id"], unique=False
    )
    op.create_table(
        "selection_bundle_choices",
        sa.Column("id", ID, nullable=False),
        sa.Column("selection_line_id", ID, nullable=False),
        sa.Column("section_id", ID, nullable=False),
        sa.Column("display_item_id", ID, nullable=True),
        sa.Column("product_size_id", ID, nullable=False),
        _fk("selection_bundle_choices", "selection_line_id", "selection_lines.id", "CASCADE"),
        _fk("selection_bundle_choices", "section_id", "bundle_sections.id", "CASCADE"),
        _fk("selection_bundle_choices", "display_item_id", "display_items.id", "SET NULL"),
        _fk("selection_bundle_choices", "product_size_id", "product_sizes.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_bundle_choices")),
        sa.UniqueConstraint(
            "selection_line_id", "section_id", name=op.f("uq_selection_bundle_choices_selection_line_id_section_id")
        ),
    )
    for column in ("section_id", "display_item_id", "product_size_id"):
        op.create_index(
            op.f(f"ix_selection_bundle_choices_{column}"), "selection_bundle_choices", [column], unique=False
        )
    op.create_table(
        "order_bundle_lines",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_line_id", ID, nullable=False),
        sa.Column("bundle_id", ID, nullable=True),
        sa.Column("unit_price_minor", ID, nullable=False),
        sa.Column("original_unit_price_minor", ID, nullable=False),
        sa.CheckConstraint(
            "unit_price_minor >= 0 AND original_unit_price_minor >= 0", name=op.f("ck_order_bundle_lines_prices")
        ),
        _fk("order_bundle_lines", "order_line_id", "order_lines.id", "CASCADE"),
        _fk("order_bundle_lines", "bundle_id", "bundles.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_bundle_lines")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_order_bundle_lines_order_line_id")),
    )
    op.create_index(op.f("ix_order_bundle_lines_bundle_id"), "order_bundle_lines", ["bundle_id"], unique=False)
    op.create_table(
        "order_bundle_components",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_line_id", ID, nullable=False),
        sa.Column("bundle_line_id", ID, nullable=False),
        sa.Column("quantity_per_bundle", ID, nullable=False),
        sa.CheckConstraint("quantity_per_bundle >= 1", name=op.f("ck_order_bundle_components_quantity_positive")),
        _fk("order_bundle_components", "order_line_id", "order_lines.id", "CASCADE"),
        _fk("order_bundle_components", "bundle_line_id", "order_lines.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_bundle_components")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_order_bundle_components_order_line_id")),
    )
    op.create_index(
        op.f("ix_order_bundle_components_bundle_line_id"), "order_bundle_components", ["bundle_line_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("order_bundle_components")
    op.drop_table("order_bundle_lines")
    op.drop_table("selection_bundle_choices")
    op.drop_table("bundle_section_variants")
    op.drop_table("bundle_sections")
    op.drop_table("bundles")
