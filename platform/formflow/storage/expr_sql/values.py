"""Typed SQL values: what the filter compiler passes between its steps.

A :class:`SqlValue` is one compiled sub-expression: the SQLAlchemy expression, the expression
language type it stands for, and the facts the next step needs to stay exact:

* ``exact`` (SQLite only): the number travels as exact decimal text produced by the ``ff_``
  functions (:mod:`.sqlite_functions`) instead of SQLite's binary ``REAL``;
* ``field``: the value is a top-level field read directly, so comparisons can use the field's
  index expression and the raw JSON text;
* ``constant``: the value was computed in Python at compile time (literals, ``today()``,
  ``date('2026-01-31') + 7``, variables) and is known exactly.

Temporal values are carried as *canonical text* (:func:`date_key`, :func:`datetime_key`,
:func:`time_key`): ``2026-01-31``; ``2026-01-31T08:00:00`` or ``2026-01-31T08:00:00.250000``
(UTC, without the ``Z``); ``08:30:00``. Canonical texts sort and compare like the values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Final

from sqlalchemy import ColumnElement, cast, null
from sqlalchemy.types import Boolean, Numeric, String, TypeEngine

from formflow.expr import ANY, BOOLEAN, NULL, NUMBER, RefType, Type

SqlExpr = ColumnElement[Any]


class _NotConstant:
    """Marker: the value is only known when the database computes it."""

    def __repr__(self) -> str:
        return "NOT_CONSTANT"


NOT_CONSTANT: Final = _NotConstant()


@dataclass(frozen=True)
class SqlValue:
    """One compiled sub-expression (see the module docstring)."""

    expr: SqlExpr
    type: Type
    exact: bool = False
    field: str | None = None
    constant: Any = NOT_CONSTANT

    @property
    def is_constant(self) -> bool:
        """True when the value was computed in Python at compile time."""
        return self.constant is not NOT_CONSTANT

    @property
    def is_null_constant(self) -> bool:
        """True for a value known to be null (the literal ``null`` or a folded null)."""
        return self.constant is None


def sql_type(type_: Type) -> TypeEngine[Any]:
    """The SQLAlchemy type that binds and casts values of an expression type."""
    if type_ == NUMBER or isinstance(type_, RefType):
        return Numeric()
    if type_ == BOOLEAN:
        return Boolean()
    return String()


def typed_null(type_: Type) -> SqlExpr:
    """A SQL NULL of the given type.

    Written as ``CAST(NULL AS ...)`` on purpose: SQLAlchemy turns ``x = NULL`` into
    ``x IS NULL``, which is true for an empty ``x`` where the language says "unknown".
    """
    if type_ in (NULL, ANY):
        return null()  # no type to give: a bare NULL is valid wherever a value goes
    return cast(null(), sql_type(type_))


def normal_type(type_: Type) -> Type:
    """References (user, department, record ids) compare as the numbers they are stored as."""
    return NUMBER if isinstance(type_, RefType) else type_


def date_key(value: date) -> str:
    """``2026-01-31``."""
    return value.isoformat()


def datetime_key(value: datetime) -> str:
    """UTC, seconds, microseconds only when not zero, no ``Z``: how stored texts sort.

    Stored date-times are ``...SSZ`` or ``...SS.ffffffZ`` (``CompiledForm.prepare``
    normalises them so); without the ``Z`` a shorter text is an earlier moment.
    """
    moment = value.astimezone(UTC) if value.tzinfo is not None else value
    return moment.replace(tzinfo=None).isoformat()


def time_key(value: time) -> str:
    """``08:30:00`` (``08:30`` is stored as well and means the same)."""
    return value.isoformat()


def second_prefix(key: str) -> str:
    """The whole-second part of a date-time key (``2026-01-31T08:00:00``)."""
    return key[:19]
