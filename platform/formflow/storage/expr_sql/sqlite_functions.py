"""Exact decimal and calendar functions for SQLite, so filters compute as the evaluator does.

SQLite has no decimal type: ``json_extract`` turns ``0.1`` into a binary ``REAL`` and
``0.1 + 0.2`` is ``0.30000000000000004`` there, while the expression language says ``0.3``.
Arithmetic in a filter therefore runs in these functions, which call the evaluator's own
operations (:mod:`formflow.expr.evaluator`, :mod:`formflow.expr.functions`) on ``Decimal``
values: the database and the evaluator cannot disagree because they run the same code.

Numbers travel between the functions as exact decimal text. Inputs may be SQL integers, the
raw JSON text of a field (``data -> '$."amount"'``, which keeps every digit), or decimal text.
A value the evaluator would refuse (a stored text that is not a number, a result beyond
``1E+99``) gives SQL NULL: the record is not selected, where the evaluator would stop with an
error. No function ever raises into SQLite.

:func:`install_sqlite_functions` registers them on a DBAPI connection; the database module
calls it for every SQLite connection it opens (``storage.db``).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal, DecimalException
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import simplejson

from formflow.errors import FormflowError
from formflow.expr import DATE, DATETIME, NUMBER, TIME, EvalContext
from formflow.expr.evaluator import arithmetic, negate
from formflow.expr.functions import FUNCTIONS
from formflow.expr.values import convert

#: Functions whose implementation ignores the context still take one.
_CONTEXT = EvalContext(today=date(2000, 1, 1), now=datetime(2000, 1, 1, tzinfo=UTC))
_JSON_STARTS = ('"', "[", "{", "t", "f", "n")


def _returns_null_on_error(fn: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite turns an exception in a function into a failed query; give NULL instead."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        try:
            return fn(*args)
        except (FormflowError, DecimalException, ArithmeticError, ValueError, TypeError):
            return None

    return wrapper


def parse_number(raw: Any) -> Decimal | None:
    """A number from SQL: an integer, raw JSON text of a field, or decimal text.

    JSON values go through the evaluator's :func:`~formflow.expr.values.convert`, so a stored
    ``"12"`` is 12 here exactly when it is 12 in Python.
    """
    if raw is None:
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    text = str(raw).strip()
    if text.startswith(_JSON_STARTS):
        value = convert(simplejson.loads(text, use_decimal=True), NUMBER)
        return value if isinstance(value, Decimal) else None
    return Decimal(text)


def _number_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Decimal):
        raise TypeError(value)
    return str(value)


@_returns_null_on_error
def ff_arith(op: str, left: Any, right: Any) -> str | None:
    """``left op right`` with the evaluator's rules (``+ - * / %``; ``x / 0`` is null)."""
    return _number_text(arithmetic(op, parse_number(left), parse_number(right)))


@_returns_null_on_error
def ff_neg(value: Any) -> str | None:
    """``-value`` as the evaluator computes it."""
    number = parse_number(value)
    return None if number is None else _number_text(negate(number))


@_returns_null_on_error
def ff_cmp(left: Any, right: Any) -> int | None:
    """-1, 0 or 1 as ``left`` is below, equal to or above ``right``; null if either is."""
    first, second = parse_number(left), parse_number(right)
    if first is None or second is None:
        return None
    return (first > second) - (first < second)


@_returns_null_on_error
def ff_number(name: str, value: Any, digits: Any) -> str | None:
    """``abs``, ``round``, ``trunc``, ``floor``, ``ceil`` (``digits`` null when not given)."""
    number = parse_number(value)
    if number is None:
        return None
    function = FUNCTIONS[name]
    if digits is None:
        return _number_text(function.impl(_CONTEXT, number))
    places = parse_number(digits)
    return None if places is None else _number_text(function.impl(_CONTEXT, number, places))


@_returns_null_on_error
def ff_extreme(name: str, *values: Any) -> str | None:
    """``min``/``max`` of several numbers; empty values are skipped, as in the evaluator."""
    present = [number for number in map(parse_number, values) if number is not None]
    if not present:
        return None
    return str(min(present) if name == "min" else max(present))


@_returns_null_on_error
def ff_add_days(day: Any, days: Any) -> str | None:
    """The date ``days`` after ``day`` (whole days only, as in the evaluator)."""
    if day is None or days is None:
        return None
    shifted = arithmetic("+", convert(day, DATE), parse_number(days))
    return shifted.isoformat() if isinstance(shifted, date) else None


@functools.cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@_returns_null_on_error
def ff_local_date(key: Any, zone_name: Any) -> str | None:
    """The calendar date of a UTC date-time key in the time zone ``zone_name``."""
    if key is None or zone_name is None:
        return None
    zone = _zone(str(zone_name))
    if zone is None:
        return None
    moment = convert(str(key), DATETIME)
    return str(moment.astimezone(zone).date().isoformat())


@_returns_null_on_error
def ff_between(name: str, kind: str, start: Any, end: Any) -> str | None:
    """``hours_between`` / ``minutes_between`` of two date-time keys or two time keys."""
    if start is None or end is None:
        return None
    expected = TIME if kind == "time" else DATETIME
    first: datetime | time = convert(str(start), expected)
    second: datetime | time = convert(str(end), expected)
    return _number_text(FUNCTIONS[name].impl(_CONTEXT, first, second))


_REGISTRY: tuple[tuple[str, int, Callable[..., Any]], ...] = (
    ("ff_arith", 3, ff_arith),
    ("ff_neg", 1, ff_neg),
    ("ff_cmp", 2, ff_cmp),
    ("ff_number", 3, ff_number),
    ("ff_extreme", -1, ff_extreme),
    ("ff_add_days", 2, ff_add_days),
    ("ff_local_date", 2, ff_local_date),
    ("ff_between", 4, ff_between),
)


def install_sqlite_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Register the ``ff_`` functions on one SQLite connection (deterministic, so SQLite may
    use them in indexes and skip repeated calls)."""
    for name, count, function in _REGISTRY:
        dbapi_connection.create_function(name, count, function, deterministic=True)
