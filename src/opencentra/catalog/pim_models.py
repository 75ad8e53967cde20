"""PIM extras: folders, translations, media batches, unit costs and mapped attributes.

These live beside the core catalogue tables rather than as columns on them,
so the PIM extras migrate as new tables only (an upgrade never rewrites the
products table) and each extra can be read with one batched query.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from opencentra.db.base import Base, enum_check, utcnow


class MediaBatchStatus(enum.StrEnum):
    QUEUED = "queued"
    COMPLETED = "completed"
    FAILED = "failed"


class Folder(Base):
    """A node of the back-office folder tree that products are filed in."""

    __tablename__ = "folders"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index("ix_folders_parent_sort", "parent_id", "sort_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a folder with children must be emptied before removal.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("folders.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(default=0)


class ProductFolder(Base):
    """The one folder a product is filed in (no row: no folder)."""

    __tablename__ = "product_folders"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    folder_id: Mapped[int] = mapped_column(ForeignKey("folders.id", ondelete="RESTRICT"), index=True)


class Translation(Base):
    """One translated field of one object in one language.

    ``object_type`` is the API's type name (``Product``, ``ProductVariant``,
    ``Display``, ...), so one table serves every translatable type; the
    service that writes a row checks that its object exists.
    """

    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("object_type", "object_id", "language_id", "field"),
        Index("ix_translations_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    language_id: Mapped[int] = mapped_column(ForeignKey("languages.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MediaBatch(Base):
    """A ``createMediaBatch`` call: images to attach to products from URLs."""

    __tablename__ = "media_batches"
    __table_args__ = (enum_check("status", MediaBatchStatus, "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The opaque id the client polls with (``mediaBatch(queueId:)``).
    queue_id: Mapped[str] = mapped_column(String(32), unique=True)
    # Batches are visible to the integration that made them only.
    integration_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=MediaBatchStatus.QUEUED.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaBatchItem(Base):
    """One image of a batch, and the product media it became."""

    __tablename__ = "media_batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("media_batches.id", ondelete="CASCADE"))
    position: Mapped[int]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    # The client's own JSON text, kept verbatim and answered as ``metaDataJSON``.
    meta_data_json: Mapped[str | None] = mapped_column(Text)
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"), index=True)


class VariantUnitCost(Base):
    """What one unit of a variant costs the brand (Centra's ``unitCost``)."""

    __tablename__ = "variant_unit_costs"
    __table_args__ = (CheckConstraint("amount_minor >= 0", name="amount_not_negative"),)

    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), primary_key=True)
    amount_minor: Mapped[int]
    currency_id: Mapped[int] = mapped_column(ForeignKey("currencies.id", ondelete="RESTRICT"), index=True)


class MappedAttribute(Base):
    """A predefined value of an attribute type (``pr_materials``: Wood, Steel), picked per product."""

    __tablename__ = "mapped_attributes"
    __table_args__ = (UniqueConstraint("attribute_type_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attribute_type_id: Mapped[int] = mapped_column(ForeignKey("attribute_types.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    # The value of its one string element, ``text``.
    value: Mapped[str] = mapped_column(Text, default="")


class MappedAttributeAssignment(Base):
    """A mapped attribute chosen for a product or for one variant."""

    __tablename__ = "mapped_attribute_assignments"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (variant_id IS NULL)", name="one_owner"),
        # Partial because NULLs never collide.
        Index(
            "uq_mapped_attribute_assignments_product",
            "mapped_attribute_id",
            "product_id",
            unique=True,
            sqlite_where=text("product_id IS NOT NULL"),
            postgresql_where=text("product_id IS NOT NULL"),
        ),
        Index(
            "uq_mapped_attribute_assignments_variant",
            "mapped_attribute_id",
            "variant_id",
            unique=True,
            sqlite_where=text("variant_id IS NOT NULL"),
            postgresql_where=text("variant_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mapped_attribute_id: Mapped[int] = mapped_column(ForeignKey("mapped_attributes.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)


__all__ = [
    "Folder",
    "MappedAttribute",
    "MappedAttributeAssignment",
    "MediaBatch",
    "MediaBatchItem",
    "MediaBatchStatus",
    "ProductFolder",
    "Translation",
    "VariantUnitCost",
]
