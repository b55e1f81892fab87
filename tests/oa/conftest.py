"""Fixtures for the OA pack's end-to-end tests: the demo company with the OA pack installed.

Every test gets a fresh database that already holds the demo org (示例科技有限公司, its
departments, roles and users), the demo working-day calendar and — unless the module says
otherwise — the OA pack with its default settings. A module (or class) that needs another
start state overrides the ``preload`` fixture.

Start states: ``"org"`` (org and calendar), ``"oa"`` (and the OA pack), ``"demo"`` (and the
demo records of ``load_demo``; their placeholder files are written to a folder of the run).

Each start state is built once per run (per pytest worker) by the real services — loading the
org hashes ten passwords, installing OA compiles nine forms and eight flows, the demo files
sixty requests: seconds that would otherwise be paid by every test — and then copied:

* SQLite: into a template file that each test copies;
* PostgreSQL: into a schema of its own (``ff_oa_<state>_<worker>``); each test empties its
  schema as the shared ``database`` fixture does, copies the rows over, moves the id
  sequences on and recreates the per-form indexes the forms asked for.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from oakit import DEMO_PASSWORD, Office, office_for
from sqlalchemy import text

from formflow.packs.library import available_packs
from formflow.services import demo, packs
from formflow.services.actor import SYSTEM
from formflow.storage import migrate
from formflow.storage.db import Database
from formflow.storage.models import Base

PG_URL = os.environ.get("FORMFLOW_TEST_DATABASE_URL", "")
#: The per-form indexes (``x-index``, ``x-unique``) publishing a form version creates.
FORM_INDEXES = "(indexname LIKE 'ixf\\_%' OR indexname LIKE 'uxf\\_%')"


def load_start_state(database: Database, kind: str, uploads: Path) -> None:
    """Load the start state ``kind`` (``org``, ``oa`` or ``demo``) into ``database``."""
    with database.session(write=True) as session:
        demo.load_demo_org(session, DEMO_PASSWORD)
        demo.load_demo_calendar(session)
        if kind in ("oa", "demo"):
            packs.install_pack(session, SYSTEM, available_packs()["oa"])
        if kind == "demo":
            demo.load_demo(session, DEMO_PASSWORD, uploads=uploads)


# -- PostgreSQL -------------------------------------------------------------------------------


def _schema_url(schema: str) -> str:
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"


def _empty_postgres(database: Database) -> None:
    """Empty every table and drop the per-form indexes (as tests/conftest.py does)."""
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        names = connection.execute(
            text(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                f"AND {FORM_INDEXES}"
            )
        ).scalars()
        for name in list(names):
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def _copy_postgres(database: Database, source: str) -> None:
    """Copy every row of the schema ``source`` into the (empty) schema of ``database``, move
    its id sequences past the copied ids and recreate the per-form indexes of ``source``."""
    with database.engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in Base.metadata.sorted_tables:
            connection.exec_driver_sql(
                f"INSERT INTO {table.name} SELECT * FROM {source}.{table.name}"
            )
        sequences = connection.execute(
            text(
                # The table named with its schema: the planner may call the function for
                # rows of other schemas before it filters them out, and a bare name of
                # one of those (an information_schema view) is not found on the path.
                "SELECT table_name, column_name, "
                "pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) "
                "FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND pg_get_serial_sequence(format('%I.%I', table_schema, table_name), "
                "column_name) IS NOT NULL"
            )
        ).all()
        for table_name, column, sequence in sequences:
            connection.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE(MAX({column}), 1), "
                    f"MAX({column}) IS NOT NULL) FROM {table_name}"
                ),
                {"sequence": sequence},
            )
        definitions = connection.execute(
            text(f"SELECT indexdef FROM pg_indexes WHERE schemaname = :s AND {FORM_INDEXES}"),
            {"s": source},
        ).scalars()
        for definition in list(definitions):
            connection.exec_driver_sql(definition.replace(f"{source}.", ""))


@pytest.fixture(scope="session")
def pg_start_states(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """PostgreSQL only: ``pg_start_states(kind)`` -> a schema holding that start state,
    built on first use; the schemas are dropped at the end of the run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    built: dict[str, str] = {}
    admin = Database(PG_URL) if PG_URL else None

    def schema_of(kind: str) -> str:
        assert admin is not None
        if kind not in built:
            schema = f"ff_oa_{kind}_{worker}"
            with admin.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
            database = Database(_schema_url(schema))
            migrate.upgrade(database)
            load_start_state(database, kind, tmp_path_factory.mktemp(f"oa-{kind}") / "uploads")
            database.dispose()
            built[kind] = schema
        return built[kind]

    yield schema_of
    if admin is not None:
        with admin.engine.begin() as connection:
            for schema in built.values():
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()


# -- SQLite -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def start_states(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    """SQLite only: ``start_states(kind)`` -> path of a database file holding that start
    state, built on first use from the migrated template."""
    built: dict[str, str] = {}

    def path_of(kind: str) -> str:
        if kind not in built:
            folder = tmp_path_factory.mktemp(f"oa-{kind}")
            path = folder / "start.db"
            shutil.copyfile(database_template, path)
            database = Database(f"sqlite:///{path}")
            load_start_state(database, kind, folder / "uploads")
            with database.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            database.dispose()
            built[kind] = str(path)
        return built[kind]

    return path_of


# -- per test ---------------------------------------------------------------------------------


@pytest.fixture
def preload() -> str:
    """The start state of the database: ``"org"``, ``"oa"`` or ``"demo"``."""
    return "oa"


@pytest.fixture
def database(
    database_template: str,
    tmp_path: Path,
    preload: str,
    start_states: Callable[[str], str],
    pg_start_states: Callable[[str], str],
) -> Iterator[Database]:
    """A database of this test's own, holding the start state named by ``preload``."""
    if PG_URL:
        source = pg_start_states(preload)
        db = Database(database_template)
        _empty_postgres(db)
        _copy_postgres(db, source)
    else:
        path = tmp_path / "formflow.db"
        shutil.copyfile(start_states(preload), path)
        db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def office(database: Database, app: Flask) -> Office:
    """The demo company's people, each with an API client speaking as them."""
    return office_for(database, app)
