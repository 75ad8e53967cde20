"""Migrations go up from an empty database and match the models exactly."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from opencentra.db import migrate
from opencentra.db.models import metadata

BACKENDS = pytest.mark.parametrize("empty_database_url", ["sqlite", "postgresql"], indirect=True)


def _sync(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@BACKENDS
def test_upgrade_from_empty_matches_models(empty_database_url: str) -> None:
    assert migrate.current_revision(empty_database_url) is None
    migrate.upgrade(empty_database_url)
    assert migrate.is_up_to_date(empty_database_url)
    engine = create_engine(_sync(empty_database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert differences == []
    assert {t.name for t in metadata.sorted_tables} <= tables
    # Running it again is a no-op; down to nothing and back up works.
    migrate.upgrade(empty_database_url)
    assert migrate.is_up_to_date(empty_database_url)
    command.downgrade(migrate.alembic_config(empty_database_url), "base")
    assert migrate.current_revision(empty_database_url) is None
    migrate.upgrade(empty_database_url)
    assert migrate.is_up_to_date(empty_database_url)
