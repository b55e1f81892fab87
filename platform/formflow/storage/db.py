"""The database handle: engine set-up per dialect and the unit-of-work session scope.

SQLite (embedded default) gets WAL, foreign keys and a busy timeout on every connection, and
write transactions begin ``IMMEDIATE`` so that two writers queue instead of failing with
``SQLITE_BUSY`` when one upgrades a read transaction to a write. PostgreSQL (production) uses
psycopg 3. Both store JSON with numbers kept exact: decimals are written as their exact digits
(``orjson``, falling back to ``simplejson``'s decimal mode) and read back as decimals.

Services never commit: :meth:`Database.session` commits once when the unit of work succeeds
and rolls back when it raises — the request boundary, the CLI and the worker all use it.
"""

from __future__ import annotations

import decimal
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import orjson
import simplejson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from formflow.errors import ConfigurationError
from formflow.i18n import _
from formflow.storage import stamps as _stamps  # noqa: F401 - registers the stamp watcher
from formflow.storage.expr_sql.sqlite_functions import install_sqlite_functions

SQLITE_BUSY_TIMEOUT_MS = 15_000


_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def _exact_decimal(value: Any) -> Any:
    """orjson hook: a decimal becomes its exact digits in the JSON text (never a float)."""
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return orjson.Fragment(str(value))
    raise TypeError


def dumps(value: Any) -> str:
    """JSON text for storage: decimals as exact numbers, UTF-8 kept readable.

    Every write serialises a document or two (the record, its audit line), so the fast
    encoder goes first — five times faster than ``simplejson`` on a typical record. What it
    refuses (integers beyond 64 bits, non-finite decimals) goes through ``simplejson``, which
    reads back the same for everything both accept.
    """
    try:
        return orjson.dumps(value, default=_exact_decimal, option=_ORJSON_OPTIONS).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        text: str = simplejson.dumps(
            value, use_decimal=True, ensure_ascii=False, separators=(",", ":")
        )
        return text


#: Numbers with a fraction or exponent become Decimals straight from their digits.
_DECODER = msgspec.json.Decoder(float_hook=decimal.Decimal)


def loads(text: str | bytes) -> Any:
    """Parse stored JSON; every number with a fraction or exponent becomes a Decimal.

    Every record read decodes its document (a list page, fifty), so the fast decoder goes
    first: msgspec reads the same values as ``simplejson`` with ``use_decimal`` (exact
    decimals, integers of any size) in less than half the time. Text it refuses but
    ``simplejson`` reads (a lone surrogate escape, a byte-order mark) takes the old path.
    """
    try:
        return _DECODER.decode(text)
    except msgspec.DecodeError:
        return simplejson.loads(text, use_decimal=True)


class _DecimalSum:
    """SQLite aggregate ``decimal_sum(x)``: an exact sum (SQLite's own SUM is binary float)."""

    def __init__(self) -> None:
        self.total = decimal.Decimal(0)
        self.seen = False

    def step(self, value: Any) -> None:
        if value is None:
            return
        self.seen = True
        self.total += decimal.Decimal(str(value))

    def finalize(self) -> str | None:
        return str(self.total) if self.seen else None


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event decide how transactions start (see _begin_sqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_aggregate("decimal_sum", 1, _DecimalSum)  # type: ignore[arg-type]
    # Exact decimal and calendar functions that compiled filters call (storage.expr_sql).
    install_sqlite_functions(dbapi_connection)


def _begin_sqlite(connection: Any) -> None:
    mode = "IMMEDIATE" if connection.get_execution_options().get("formflow_write") else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine plus session factories for reading and for writing."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int | None = None) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ConfigurationError(_("The database URL {url!r} is not valid.", url=url)) from exc
        self.url = parsed
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {
            "echo": echo,
            "json_serializer": dumps,
            "json_deserializer": loads,
            "future": True,
        }
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        elif self.dialect == "postgresql":
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            kwargs["pool_pre_ping"] = True
            if pool_size is not None:
                kwargs["pool_size"] = pool_size
        else:
            raise ConfigurationError(
                _(
                    "Unsupported database {name}: use sqlite:///path or postgresql://...",
                    name=self.dialect,
                )
            )
        try:
            self.engine: Engine = create_engine(parsed, **kwargs)
        except Exception as exc:  # driver missing, bad options: explain, never a traceback
            raise ConfigurationError(
                _("Cannot use the database {url}: {error}", url=str(parsed), error=str(exc))
            ) from exc
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _configure_sqlite)
            event.listen(self.engine, "begin", _begin_sqlite)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(formflow_write=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A unit of work: commit when the block succeeds, roll back when it raises.

        ``write=True`` marks a transaction that will write; on SQLite it takes the write lock
        at BEGIN so that concurrent writers wait (busy timeout) instead of failing.
        """
        factory = self._write if write else self._read
        session = factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def is_reachable(self) -> bool:
        """True when a trivial query succeeds (health checks)."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:  # any driver error means "not reachable"; the caller reports it
            return False
        return True

    def refresh_statistics(self) -> None:
        """Let the query planner see the data as it is now.

        SQLite keeps no statistics unless asked; without them it may prefer a general index
        over a form field's index. ``PRAGMA optimize`` analyses only what changed enough, so
        running it regularly (the worker does, hourly) is cheap. PostgreSQL's autovacuum
        does this by itself.
        """
        if self.is_sqlite:
            # ANALYZE writes its tables: take the write lock first (BEGIN IMMEDIATE, which
            # waits its turn), or a read transaction upgraded mid-way fails as "locked" when
            # another writer went first.
            connect = self.engine.connect().execution_options(formflow_write=True)
            with connect as connection, connection.begin():
                connection.exec_driver_sql("PRAGMA optimize=0x10002")

    def dispose(self) -> None:
        self.engine.dispose()
