"""Column types shared by the models: portable JSON, UTC datetimes, portable big integer ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: JSON documents: JSONB on PostgreSQL (indexable, exact numerics), JSON text on SQLite.
JsonDoc = JSON().with_variant(JSONB(), "postgresql")
#: JSON documents whose key order is part of their meaning (a form's fields in the order the
#: author wrote them): JSON text on both databases, since JSONB sorts object keys.
OrderedJsonDoc = JSON()

#: Primary keys: 64-bit on PostgreSQL; SQLite needs exactly INTEGER for its rowid alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware (UTC).

    SQLite has no time zones; PostgreSQL's ``timestamptz`` would, but storing naive UTC in both
    keeps one code path and one set of tests. Naive input is refused: a naive datetime in the
    platform is a bug (its zone is unknown), so it fails loudly rather than being guessed.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite rows written by raw SQL
            value = datetime.fromisoformat(value)
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_clock: ContextVar[Callable[[], datetime] | None] = ContextVar("formflow_clock", default=None)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC: the one clock the platform reads.

    Inside :func:`clock_at` it is the moment given there, so a demo (or a test) can write a
    request "submitted three weeks ago" with every timestamp — record, audit, flow, tasks,
    notices — consistent.
    """
    clock = _clock.get()
    return clock() if clock is not None else datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Make :func:`utcnow` answer ``moment`` (aware) within the block."""
    if moment.tzinfo is None:
        raise ValueError("clock_at needs an aware datetime")
    fixed = moment.astimezone(UTC)
    token = _clock.set(lambda: fixed)
    try:
        yield
    finally:
        _clock.reset(token)
