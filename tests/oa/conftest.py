"""Fixtures for the OA pack's end-to-end tests: the demo company with the OA pack installed.

Every test gets a fresh database that already holds the demo org (示例科技有限公司, its
departments, roles and users), the demo working-day calendar and — unless the module says
otherwise — the OA pack with its default settings. A module (or class) that needs another
start state overrides the ``preload`` fixture.

SQLite: each kind of start state is built once per run into a template file that every test
copies (loading the org hashes ten passwords, installing OA compiles nine forms and eight
flows: seconds that would otherwise be paid per test). PostgreSQL: the tables are emptied and
the start state is loaded again for each test, as the shared ``database`` fixture does.

Start states: ``"org"`` (org and calendar), ``"oa"`` (and the OA pack), ``"demo"`` (and the
demo records of ``load_demo``; their placeholder files are written to a folder of the run).
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from oakit import DEMO_PASSWORD, Office, office_for
from sqlalchemy import text

from formflow.packs.library import available_packs
from formflow.services import auth, demo, org, packs
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database
from formflow.storage.models import Base

PG_URL = os.environ.get("FORMFLOW_TEST_DATABASE_URL", "")


def load_start_state(database: Database, kind: str, uploads: Path) -> None:
    """Load the start state ``kind`` (``org``, ``oa`` or ``demo``) into ``database``."""
    with database.session(write=True) as session:
        demo.load_demo_org(session, DEMO_PASSWORD)
        demo.load_demo_calendar(session)
        if kind in ("oa", "demo"):
            packs.install_pack(session, SYSTEM, available_packs()["oa"])
        if kind == "demo":
            demo.load_demo(session, DEMO_PASSWORD, uploads=uploads)


@functools.cache
def _hash_once(password: str) -> str:
    """The demo password hashed once per run: on PostgreSQL the org is loaded for every test,
    and scrypt takes a tenth of a second per user. Patched in only while the org loads."""
    return auth.hash_password(password)


def _empty_postgres(database: Database) -> None:
    """Empty every table and drop the per-form indexes (as tests/conftest.py does)."""
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        names = connection.execute(
            text(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND (indexname LIKE 'ixf\\_%' OR indexname LIKE 'uxf\\_%')"
            )
        ).scalars()
        for name in list(names):
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


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
) -> Iterator[Database]:
    """A database of this test's own, holding the start state named by ``preload``."""
    if PG_URL:
        db = Database(database_template)
        _empty_postgres(db)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(org, "hash_password", _hash_once)
            load_start_state(db, preload, tmp_path / "uploads")
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
