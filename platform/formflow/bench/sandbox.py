"""A throw-away database for one benchmark run, migrated like a real installation.

* SQLite (the default): a new file in a temporary folder, or the path given with
  ``--database sqlite:///path`` (which must not exist yet); removed afterwards.
* PostgreSQL (``--database postgresql://...``): a new schema ``formflow_bench_<random>`` in
  that database, selected through the connection's ``search_path`` and dropped afterwards.
  The public schema, and so the platform tables of a live installation, is never touched.

Either way the platform's Alembic migrations build the schema
(:func:`formflow.storage.migrate.upgrade`), so the benchmark measures the real tables and
indexes.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from formflow.errors import BenchmarkFailed
from formflow.i18n import _
from formflow.storage import migrate
from formflow.storage.db import Database


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise BenchmarkFailed(
            _(
                "The benchmark database {url!r} is not a database URL; use "
                "postgresql://user@host:5432/dbname or sqlite:///path/to/new-file.db.",
                url=url,
            )
        ) from None


@contextmanager
def bench_database(url: str | None = None) -> Iterator[Database]:
    """A migrated, empty database that disappears when the block ends."""
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="formflow-bench-"))
        try:
            with _sqlite(folder / "bench.db") as database:
                yield database
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise BenchmarkFailed(
                _(
                    "The benchmark needs a SQLite file, not {url!r}; give a path that does "
                    "not exist yet, such as sqlite:///tmp/bench.db.",
                    url=url,
                )
            )
        path = Path(parsed.database)
        if path.exists():
            raise BenchmarkFailed(
                _(
                    "The file {path} already exists. The benchmark fills a new database and "
                    "deletes it afterwards; give a path that does not exist yet.",
                    path=str(path),
                )
            )
        try:
            with _sqlite(path) as database:
                yield database
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if backend == "postgresql":
        with _postgresql(parsed) as database:
            yield database
        return
    raise BenchmarkFailed(
        _(
            "The benchmark runs on SQLite or PostgreSQL, not {name}; use "
            "postgresql://user@host:5432/dbname or leave --database out for SQLite.",
            name=backend,
        )
    )


@contextmanager
def _sqlite(path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{path}")
    try:
        migrate.upgrade(database)
        yield database
    finally:
        database.dispose()


@contextmanager
def _postgresql(url: URL) -> Iterator[Database]:
    schema = f"formflow_bench_{uuid.uuid4().hex[:12]}"
    admin = Database(url.render_as_string(hide_password=False))
    try:
        with admin.engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except SQLAlchemyError as exc:
        admin.dispose()
        raise BenchmarkFailed(
            _(
                "Cannot create the benchmark schema in {url}: {error}. Check that the "
                "server runs and that the user may create schemas in that database.",
                url=url.render_as_string(hide_password=True),
                error=str(getattr(exc, "orig", None) or exc).strip(),
            )
        ) from None
    scoped = url.update_query_dict({"options": f"-csearch_path={schema}"})
    database = Database(scoped.render_as_string(hide_password=False))
    try:
        migrate.upgrade(database)
        yield database
    finally:
        database.dispose()
        with admin.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()
