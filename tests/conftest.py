"""Shared fixtures: a real database per test (SQLite always; PostgreSQL when
``FORMFLOW_TEST_DATABASE_URL`` is set), the app, and small factories for users and API calls.

SQLite: the schema is migrated once per run into a template file that each test copies.
PostgreSQL: each pytest worker migrates its own schema once; each test starts from empty tables.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import text

from formflow.config import Settings, load_settings
from formflow.services import auth, org
from formflow.services.actor import SYSTEM
from formflow.storage import migrate
from formflow.storage.db import Database
from formflow.storage.models import Base
from formflow.web.app import create_app
from harness import PASSWORD, Caller

PG_URL = os.environ.get("FORMFLOW_TEST_DATABASE_URL", "")
#: With a PostgreSQL URL, ``FORMFLOW_TEST_DATABASE_ONLY=1`` runs only the tests that touch the
#: database. CI sets it for its PostgreSQL pass, which follows a full pass on SQLite: the pure
#: tests (expressions, forms, DSL, engine) gave their verdict there and would say the same.
DATABASE_ONLY = bool(PG_URL) and os.environ.get("FORMFLOW_TEST_DATABASE_ONLY") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not DATABASE_ONLY:
        return
    keep: list[pytest.Item] = []
    pure: list[pytest.Item] = []
    for item in items:
        # Uses the test database, or picks its database itself (a module naming PG_URL).
        touches = "database" in getattr(item, "fixturenames", ()) or hasattr(
            getattr(item, "module", None), "PG_URL"
        )
        (keep if touches else pure).append(item)
    config.hook.pytest_deselected(items=pure)
    items[:] = keep


def pytest_report_header(config: pytest.Config) -> str:
    database = "PostgreSQL" if PG_URL else "SQLite"
    if DATABASE_ONLY:
        return f"database: {database}; only the tests that touch it (FORMFLOW_TEST_DATABASE_ONLY)"
    return f"database: {database}"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database to start each test from: a file (SQLite) or a schema (PostgreSQL)."""
    if PG_URL:
        schema = f"ff_test_{_worker()}"
        admin = Database(PG_URL)
        with admin.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        admin.dispose()
        separator = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
        database = Database(url)
        migrate.upgrade(database)
        database.dispose()
        return url
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return str(path)


def _reset_postgres(database: Database) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        rows = connection.execute(
            text(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND (indexname LIKE 'ixf\\_%' OR indexname LIKE 'ixs\\_%' "
                "OR indexname LIKE 'uxf\\_%')"
            )
        ).scalars()
        for name in list(rows):
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def database(database_template: str, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database for this test."""
    if PG_URL:
        db = Database(database_template)
        _reset_postgres(db)
    else:
        path = tmp_path / "formflow.db"
        shutil.copyfile(database_template, path)
        db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> Settings:
    return load_settings(
        {
            "instance_dir": str(tmp_path / "instance"),
            "database_url": str(database.url.render_as_string(hide_password=False)),
            "secret_key": secrets.token_urlsafe(32),
            "default_locale": "en",
        },
        environ={},
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> Flask:
    flask_app = create_app(settings, database=database)
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def anonymous(app: Flask) -> Caller:
    return Caller(app.test_client())


@pytest.fixture
def make_user(database: Database) -> Any:
    """Factory: ``make_user("li.na", role="admin", roles=["hr"], department_id=...)`` -> id."""

    def factory(
        username: str,
        *,
        role: str = "user",
        roles: tuple[str, ...] | list[str] = (),
        password: str = PASSWORD,
        **values: Any,
    ) -> int:
        with database.session(write=True) as session:
            user = org.create_user(
                session,
                SYSTEM,
                username=username,
                password=password,
                platform_role=role,
                **values,
            )
            for key in roles:
                org.ensure_role(session, SYSTEM, key, key)
                org.assign_role(session, SYSTEM, key, user.id)
            return user.id

    return factory


@pytest.fixture
def api_as(app: Flask, database: Database, make_user: Any) -> Any:
    """Factory: ``api_as("li.na", role="admin")`` -> a Caller with a fresh token for that user
    (creating the user when missing)."""

    def factory(username: str, *, locale: str = "en", **user_values: Any) -> Caller:
        with database.session(write=True) as session:
            exists = org.user_exists(session, username)
        if not exists:
            make_user(username, **user_values)
        with database.session(write=True) as session:
            user = org.find_user(session, username)
            token = auth.create_token(session, SYSTEM, user, name="test")
        return Caller(app.test_client(), token=token, locale=locale)

    return factory


@pytest.fixture
def admin_api(api_as: Any) -> Caller:
    caller: Caller = api_as("admin", role="admin")
    return caller
