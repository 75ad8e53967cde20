"""The catalogue: products as designed, and displays as a store sells them.

Product (design) -> variant (colour) -> size (the stock-keeping unit). A
display presents one product in one store; activating a variant on it makes a
display item, whose id is the APIs' ``product`` id. The APIs' ``item`` id is
``<display_items.id>-<product_sizes.id>``.
"""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, Connection, ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from opencentra.db.base import Base, JSONDocument, TimestampMixin, enum_check

# JSONB on PostgreSQL; JSON text on SQLite.

# Centra's documented limit; the services enforce it because a CHECK cannot
# see ancestors.
MAX_CATEGORY_DEPTH = 6


class ProductStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class AttributeScope(enum.StrEnum):
    PRODUCT = "product"
    VARIANT = "variant"


class DisplayRelationType(enum.StrEnum):
    """One-way relations between displays, as Centra's ``relatedProducts``."""

    VARIANT = "variant"
    SIZE = "size"
    STANDARD = "standard"


class SizeChart(Base):
    """The ordered sizes a product can come in (``itemTable.x``)."""

    __tablename__ = "size_charts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    # Separates the x and y parts of two-dimensional size names (W28xL32).
    divider_symbol: Mapped[str] = mapped_column(String(8), default="x")

    sizes: Mapped[list[Size]] = relationship(
        back_populates="size_chart", lazy="raise", order_by="Size.position", cascade="all, delete-orphan"
    )


class Size(Base):
    __tablename__ = "sizes"
    __table_args__ = (
        UniqueConstraint("size_chart_id", "name"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        Index("ix_sizes_chart_position", "size_chart_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    size_chart_id: Mapped[int] = mapped_column(ForeignKey("size_charts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)

    size_chart: Mapped[SizeChart] = relationship(back_populates="sizes", lazy="raise")


class MeasurementChart(Base):
    """A table of garment measurements (Shop API ``measurement-charts``)."""

    __tablename__ = "measurement_charts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    unit: Mapped[str] = mapped_column(String(16), default="cm")
    row_names: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    column_names: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    # {row name: {column name: value}}; values are free text ("27", "27-28").
    cells: Mapped[dict[str, dict[str, str]]] = mapped_column(JSONDocument, default=dict)


class Brand(Base):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    uri: Mapped[str] = mapped_column(String(255), unique=True)
    meta_title: Mapped[str] = mapped_column(String(255), default="")
    meta_description: Mapped[str] = mapped_column(Text, default="")
    meta_keywords: Mapped[str] = mapped_column(String(255), default="")


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    uri: Mapped[str] = mapped_column(String(255), unique=True)


class Product(TimestampMixin, Base):
    """The design: shared by every store that displays it."""

    __tablename__ = "products"
    __table_args__ = (
        enum_check("status", ProductStatus, "status"),
        CheckConstraint("weight_grams IS NULL OR weight_grams >= 0", name="weight_not_negative"),
        CheckConstraint("item_quantity_minimum >= 1", name="quantity_minimum_positive"),
        CheckConstraint("item_quantity_multiple_of >= 1", name="quantity_multiple_positive"),
        CheckConstraint("country_of_origin IS NULL OR length(country_of_origin) = 2", name="country_of_origin_alpha2"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # Centra's product SKU ("productSku").
    product_number: Mapped[str] = mapped_column(String(64), unique=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="RESTRICT"), index=True)
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collections.id", ondelete="RESTRICT"), index=True)
    size_chart_id: Mapped[int] = mapped_column(ForeignKey("size_charts.id", ondelete="RESTRICT"), index=True)
    measurement_chart_id: Mapped[int | None] = mapped_column(
        ForeignKey("measurement_charts.id", ondelete="RESTRICT"), index=True
    )
    tax_group_id: Mapped[int | None] = mapped_column(ForeignKey("tax_groups.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ProductStatus.ACTIVE.value)
    harmonized_code: Mapped[str] = mapped_column(String(32), default="")
    harmonized_code_description: Mapped[str] = mapped_column(String(255), default="")
    # ISO 3166 alpha-2, upper case; a code rather than an FK so products do not
    # depend on which countries a store ships to.
    country_of_origin: Mapped[str | None] = mapped_column(String(2))
    weight_grams: Mapped[int | None]
    stock_unit: Mapped[str] = mapped_column(String(32), default="")
    item_quantity_minimum: Mapped[int] = mapped_column(default=1)
    item_quantity_multiple_of: Mapped[int] = mapped_column(default=1)
    # Internal note, never shown to shoppers.
    comment: Mapped[str] = mapped_column(Text, default="")

    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", lazy="raise", order_by="ProductVariant.sort_order", cascade="all, delete-orphan"
    )


class ProductVariant(TimestampMixin, Base):
    __tablename__ = "product_variants"
    __table_args__ = (UniqueConstraint("product_id", "variant_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    # Centra's variant SKU; product_number + variant_number + size sku is the
    # full SKU that ERPs use as a key.
    variant_number: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="variants", lazy="raise")
    sizes: Mapped[list[ProductSize]] = relationship(
        back_populates="variant", lazy="raise", order_by="ProductSize.id", cascade="all, delete-orphan"
    )


class ProductSize(Base):
    """One size of one variant: the unit that stock and order lines refer to."""

    __tablename__ = "product_sizes"
    __table_args__ = (
        UniqueConstraint("variant_id", "size_id"),
        CheckConstraint("ean IS NULL OR length(ean) BETWEEN 8 AND 14", name="ean_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"))
    size_id: Mapped[int] = mapped_column(ForeignKey("sizes.id", ondelete="RESTRICT"), index=True)
    # GTIN-8/12/13/14; NULLs do not collide, so only real codes are unique.
    ean: Mapped[str | None] = mapped_column(String(14), unique=True)
    # The size's own SKU part (Centra "sizeSku"); may be empty.
    sku: Mapped[str] = mapped_column(String(64), default="")

    variant: Mapped[ProductVariant] = relationship(back_populates="sizes", lazy="raise")


class AttributeType(Base):
    """A custom attribute (``swatch``, ``material``) exposed as an extra product key."""

    __tablename__ = "attribute_types"
    __table_args__ = (enum_check("scope", AttributeScope, "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(String(16), default=AttributeScope.PRODUCT.value)


class AttributeValue(Base):
    __tablename__ = "attribute_values"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (variant_id IS NULL)", name="one_owner"),
        # One value per attribute per owner; partial because NULLs never collide.
        Index(
            "uq_attribute_values_type_product",
            "attribute_type_id",
            "product_id",
            unique=True,
            sqlite_where=text("product_id IS NOT NULL"),
            postgresql_where=text("product_id IS NOT NULL"),
        ),
        Index(
            "uq_attribute_values_type_variant",
            "attribute_type_id",
            "variant_id",
            unique=True,
            sqlite_where=text("variant_id IS NOT NULL"),
            postgresql_where=text("variant_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attribute_type_id: Mapped[int] = mapped_column(ForeignKey("attribute_types.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Media(Base):
    """An image of a product, or of one variant when ``variant_id`` is set."""

    __tablename__ = "media"
    __table_args__ = (Index("ix_media_product_sort", "product_id", "sort_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    alt_text: Mapped[str] = mapped_column(String(255), default="")
    sort_order: Mapped[int] = mapped_column(default=0)


class Category(Base):
    """A node of a store's category tree; ``uri`` is this node's segment only."""

    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        # Siblings need distinct segments so a full uri path finds one node.
        Index(
            "uq_categories_root_uri",
            "store_id",
            "uri",
            unique=True,
            sqlite_where=text("parent_id IS NULL"),
            postgresql_where=text("parent_id IS NULL"),
        ),
        Index(
            "uq_categories_child_uri",
            "parent_id",
            "uri",
            unique=True,
            sqlite_where=text("parent_id IS NOT NULL"),
            postgresql_where=text("parent_id IS NOT NULL"),
        ),
        Index("ix_categories_store_sort", "store_id", "sort_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    # RESTRICT: a category with children must be emptied before removal.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    uri: Mapped[str] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    meta_title: Mapped[str] = mapped_column(String(255), default="")
    meta_description: Mapped[str] = mapped_column(Text, default="")
    meta_keywords: Mapped[str] = mapped_column(String(255), default="")


class Display(TimestampMixin, Base):
    """How one store presents one product: texts, uri, markets, categories."""

    __tablename__ = "displays"
    __table_args__ = (
        UniqueConstraint("store_id", "uri"),
        Index("ix_displays_store_active_sort", "store_id", "active", "sort_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    uri: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    # Centra's "excerpt".
    short_description: Mapped[str] = mapped_column(Text, default="")
    meta_title: Mapped[str] = mapped_column(String(255), default="")
    meta_description: Mapped[str] = mapped_column(Text, default="")
    meta_keywords: Mapped[str] = mapped_column(String(255), default="")
    # The API's canonical ``category``; SET NULL so removing it keeps the display.
    canonical_category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    items: Mapped[list[DisplayItem]] = relationship(
        back_populates="display", lazy="raise", order_by="DisplayItem.sort_order", cascade="all, delete-orphan"
    )
    markets: Mapped[list[DisplayMarket]] = relationship(lazy="raise", cascade="all, delete-orphan")
    categories: Mapped[list[DisplayCategory]] = relationship(lazy="raise", cascade="all, delete-orphan")


class DisplayItem(Base):
    """A variant activated on a display; its id is the API ``product`` id."""

    __tablename__ = "display_items"
    __table_args__ = (UniqueConstraint("display_id", "variant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_id: Mapped[int] = mapped_column(ForeignKey("displays.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id", ondelete="CASCADE"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    display: Mapped[Display] = relationship(back_populates="items", lazy="raise")


class DisplayMarket(Base):
    """A market where a display is sold; only the market decides visibility."""

    __tablename__ = "display_markets"
    __table_args__ = (UniqueConstraint("display_id", "market_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_id: Mapped[int] = mapped_column(ForeignKey("displays.id", ondelete="CASCADE"))
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)


class DisplayCategory(Base):
    __tablename__ = "display_categories"
    __table_args__ = (UniqueConstraint("display_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_id: Mapped[int] = mapped_column(ForeignKey("displays.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    # Position within the category ("categoryItemSort").
    sort_order: Mapped[int] = mapped_column(default=0)


class DisplayRelation(Base):
    """A one-way link from a display to another (``relatedProducts``)."""

    __tablename__ = "display_relations"
    __table_args__ = (
        UniqueConstraint("display_id", "related_display_id", "relation"),
        enum_check("relation", DisplayRelationType, "relation"),
        CheckConstraint("display_id <> related_display_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    display_id: Mapped[int] = mapped_column(ForeignKey("displays.id", ondelete="CASCADE"))
    related_display_id: Mapped[int] = mapped_column(ForeignKey("displays.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(16), default=DisplayRelationType.STANDARD.value)
    sort_order: Mapped[int] = mapped_column(default=0)


__all__ = [
    "MAX_CATEGORY_DEPTH",
    "AttributeScope",
    "AttributeType",
    "AttributeValue",
    "Brand",
    "Category",
    "Collection",
    "Display",
    "DisplayCategory",
    "DisplayItem",
    "DisplayMarket",
    "DisplayRelation",
    "DisplayRelationType",
    "MeasurementChart",
    "Media",
    "Product",
    "ProductSize",
    "ProductStatus",
    "ProductVariant",
    "Size",
    "SizeChart",
]


# The admin's catalogue search matches a part of the name (ILIKE '%...%'). On PostgreSQL a trigram
# index answers it from the index instead of reading all 100,000 products (on SQLite: a plain index).
def _trigram_extension(_table: object, connection: Connection, **_: object) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")


event.listen(Product.__table__, "before_create", _trigram_extension)
Index("ix_products_name_trgm", Product.name, postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"})
