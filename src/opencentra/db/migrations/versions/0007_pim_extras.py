"""PIM extras: folders, translations, media batches, variant unit costs, mapped attributes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 09:30:00

Written by hand in the style of 0003: only new tables, so an existing
database upgrades without touching its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "folders",
        sa.Column("id", ID, nullable=False),
        sa.Column("parent_id", ID, nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("sort_order", ID, nullable=False),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name=op.f("ck_folders_not_own_parent")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["folders.id"], name=op.f("fk_folders_parent_id_folders"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_folders")),
    )
    op.create_index("ix_folders_parent_sort", "folders", ["parent_id", "sort_order"], unique=False)
    op.create_table(
        "product_folders",
        sa.Column("product_id", ID, nullable=False),
        sa.Column("folder_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["folder_id"], ["folders.id"], name=op.f("fk_product_folders_folder_id_folders"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_product_folders_product_id_products"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_folders")),
    )
    op.create_index(op.f("ix_product_folders_folder_id"), "product_folders", ["folder_id"], unique=False)
    op.create_table(
        "translations",
        sa.Column("id", ID, nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", ID, nullable=False),
        sa.Column("language_id", ID, nullable=False),
        sa.Column("field", sa.String(length=128), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["language_id"], ["languages.id"], name=op.f("fk_translations_language_id_languages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translations")),
        sa.UniqueConstraint(
            "object_type",
            "object_id",
            "language_id",
            "field",
            name=op.f("uq_translations_object_type_object_id_language_id_field"),
        ),
    )
    op.create_index("ix_translations_object", "translations", ["object_type", "object_id"], unique=False)
    op.create_index(op.f("ix_translations_language_id"), "translations", ["language_id"], unique=False)
    op.create_table(
        "media_batches",
        sa.Column("id", ID, nullable=False),
        sa.Column("queue_id", sa.String(length=32), nullable=False),
        sa.Column("integration_name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('queued', 'completed', 'failed')", name=op.f("ck_media_batches_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_batches")),
        sa.UniqueConstraint("queue_id", name=op.f("uq_media_batches_queue_id")),
    )
    op.create_table(
        "media_batch_items",
        sa.Column("id", ID, nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("position", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("variant_id", ID, nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("meta_data_json", sa.Text(), nullable=True),
        sa.Column("media_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["media_batches.id"],
            name=op.f("fk_media_batch_items_batch_id_media_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["media_id"], ["media.id"], name=op.f("fk_media_batch_items_media_id_media"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_media_batch_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["product_variants.id"],
            name=op.f("fk_media_batch_items_variant_id_product_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_batch_items")),
        sa.UniqueConstraint("batch_id", "position", name=op.f("uq_media_batch_items_batch_id_position")),
    )
    op.create_index(op.f("ix_media_batch_items_media_id"), "media_batch_items", ["media_id"], unique=False)
    op.create_index(op.f("ix_media_batch_items_product_id"), "media_batch_items", ["product_id"], unique=False)
    op.create_index(op.f("ix_media_batch_items_variant_id"), "media_batch_items", ["variant_id"], unique=False)
    op.create_table(
        "variant_unit_costs",
        sa.Column("variant_id", ID, nullable=False),
        sa.Column("amount_minor", ID, nullable=False),
        sa.Column("currency_id", ID, nullable=False),
        sa.CheckConstraint("amount_minor >= 0", name=op.f("ck_variant_unit_costs_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["currency_id"],
            ["currencies.id"],
            name=op.f("fk_variant_unit_costs_currency_id_currencies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["product_variants.id"],
            name=op.f("fk_variant_unit_costs_variant_id_product_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("variant_id", name=op.f("pk_variant_unit_costs")),
    )
    op.create_index(op.f("ix_variant_unit_costs_currency_id"), "variant_unit_costs", ["currency_id"], unique=False)
    op.create_table(
        "mapped_attributes",
        sa.Column("id", ID, nullable=False),
        sa.Column("attribute_type_id", ID, nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attribute_type_id"],
            ["attribute_types.id"],
            name=op.f("fk_mapped_attributes_attribute_type_id_attribute_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mapped_attributes")),
        sa.UniqueConstraint("attribute_type_id", "name", name=op.f("uq_mapped_attributes_attribute_type_id_name")),
    )
    op.create_table(
        "mapped_attribute_assignments",
        sa.Column("id", ID, nullable=False),
        sa.Column("mapped_attribute_id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=True),
        sa.Column("variant_id", ID, nullable=True),
        sa.CheckConstraint(
            "(product_id IS NULL) <> (variant_id IS NULL)", name=op.f("ck_mapped_attribute_assignments_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["mapped_attribute_id"],
            ["mapped_attributes.id"],
            name=op.f("fk_mapped_attribute_assignments_mapped_attribute_id_mapped_attributes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_mapped_attribute_assignments_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["product_variants.id"],
            name=op.f("fk_mapped_attribute_assignments_variant_id_product_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mapped_attribute_assignments")),
    )
    op.create_index(
        op.f("ix_mapped_attribute_assignments_product_id"),
        "mapped_attribute_assignments",
        ["product_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mapped_attribute_assignments_variant_id"),
        "mapped_attribute_assignments",
        ["variant_id"],
        unique=False,
    )
    op.create_index(
        "uq_mapped_attribute_assignments_product",
        "mapped_attribute_assignments",
        ["mapped_attribute_id", "product_id"],
        unique=True,
        sqlite_where=sa.text("product_id IS NOT NULL"),
        postgresql_where=sa.text("product_id IS NOT NULL"),
    )
    op.create_index(
        "uq_mapped_attribute_assignments_variant",
        "mapped_attribute_assignments",
        ["mapped_attribute_id", "variant_id"],
        unique=True,
        sqlite_where=sa.text("variant_id IS NOT NULL"),
        postgresql_where=sa.text("variant_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_table("mapped_attribute_assignments")
    op.drop_table("mapped_attributes")
    op.drop_table("variant_unit_costs")
    op.drop_table("media_batch_items")
    op.drop_table("media_batches")
    op.drop_table("translations")
    op.drop_table("product_folders")
    op.drop_table("folders")
