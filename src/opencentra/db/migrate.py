"""Bringing a database's schema up to date with Alembic, from code.

The migration scripts ship inside the package, so ``opencentra migrate``
works from an installed wheel without an ``alembic.ini`` in the current folder.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine as create_sync_engine

from opencentra.db.engine import normalize_database_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_database_url(database_url).render_as_string(hide_password=False))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite:///unused.db")).get_current_head()


def current_revision(database_url: str) -> str | None:
    url = normalize_database_url(database_url)
    sync_url = url.set(drivername="sqlite" if url.get_backend_name() == "sqlite" else "postgresql+psycopg")
    engine = create_sync_engine(sync_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply every pending migration, in one transaction."""
    command.upgrade(alembic_config(database_url), revision)


def is_up_to_date(database_url: str) -> bool:
    return current_revision(database_url) == head_revision()
