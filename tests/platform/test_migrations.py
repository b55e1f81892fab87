"""Alembic owns the schema: the migrations produce exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from formflow.storage import migrate
from formflow.storage.db import Database
from formflow.storage.models import Base


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"include_object": migrate.include_object}),
            Base.metadata,
        )
    assert differences == []


def test_upgrading_twice_is_harmless_and_reaches_head(database: Database) -> None:
    migrate.upgrade(database)
    assert migrate.current_revision(database) == migrate.head_revision()
    assert migrate.is_up_to_date(database)
