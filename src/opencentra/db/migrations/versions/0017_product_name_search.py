"""Product name search: a trigram index on PostgreSQL

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 01:15:00

Written by hand. The admin's catalogue search matches a part of a product's
name (``ILIKE '%...%'``); without an index PostgreSQL reads every product
(about 0.4 s at 100,000). A GIN index of the name's trigrams (``pg_trgm``, a
trusted extension since PostgreSQL 13: the database's owner may create it)
answers from the index. SQLite gets a plain index of the name (the models
declare one index for both). Additive: no row changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_products_name_trgm",
        "products",
        ["name"],
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_products_name_trgm", table_name="products")
