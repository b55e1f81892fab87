"""Apply the platform's Alembic migrations (``formflow db upgrade``; ``formflow init`` too)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from formflow.storage.db import Database
from formflow.storage.json_fields import SLOT_NAME


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave what publishing and migrations 0004-0005 make outside the models out of
    autogenerate: the per-form indexes (``ixf_*``, ``ixs_*``, ``uxf_*``) and the value slot
    columns (``records.ixn_*``, ``records.ixt_*``, which the models do not map)."""
    if name is None:
        return True
    if type_ == "index":
        return not name.startswith(("ixf_", "ixs_", "uxf_"))
    if type_ == "column" and compare_to is None:
        return not SLOT_NAME.match(name)
    return True


def _config() -> Config:
    config = Config()
    location = Path(str(resources.files("formflow.storage") / "migrations"))
    config.set_main_option("script_location", str(location))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` inside one transaction."""
    config = _config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def is_up_to_date(database: Database) -> bool:
    return current_revision(database) == head_revision()


def autogenerate(database: Database, message: str) -> None:
    """Write a new migration from the difference between the models and ``database``.

    Developer tool (see docs/development.md); review the generated file before committing.
    """
    config = _config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
