"""What differs between databases when a filter is compiled: the :class:`Dialect` port.

The compiler (:mod:`.compiler`) decides *what* to compute from the syntax tree; a dialect
decides *how* one database computes it so that the answer is the evaluator's answer. This
module holds what both databases share — constants, fields, comparisons by type, membership,
the texts of date-times — and the abstract operations each database implements
(:mod:`.postgres`, :mod:`.sqlite`).

Comparisons keep the plain ``<field expression> <op> <value>`` shape wherever that is exact,
because that is the shape the ``x-index`` expression indexes answer. Where the plain shape is
not exact (a date-time stored as ``...SSZ`` next to one stored as ``...SS.250000Z``), a coarse
condition that the index can answer is joined with an exact one that only refines its rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, and_, case, false, func, literal, null, or_
from sqlalchemy.types import Boolean, String

from formflow.expr import BOOLEAN, DATE, DATETIME, NULL, NUMBER, STRING, TIME, Type
from formflow.storage.expr_sql.elements import JsonRaw
from formflow.storage.expr_sql.values import (
    SqlExpr,
    SqlValue,
    date_key,
    datetime_key,
    normal_type,
    second_prefix,
    time_key,
    typed_null,
)
from formflow.storage.json_fields import FieldKind, json_field

ORDERING = frozenset({"<", "<=", ">", ">="})
FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


class NotConstant(ValueError):
    """A Python value that has no SQL constant (a list, a row)."""


def apply(op: str, left: Any, right: Any) -> SqlExpr:
    """``left <op> right`` for one of the six comparison operators."""
    if op == "=":
        return left == right  # type: ignore[no-any-return]
    if op == "!=":
        return left != right  # type: ignore[no-any-return]
    if op == "<":
        return left < right  # type: ignore[no-any-return]
    if op == "<=":
        return left <= right  # type: ignore[no-any-return]
    if op == ">":
        return left > right  # type: ignore[no-any-return]
    return left >= right  # type: ignore[no-any-return]


class Dialect(ABC):
    """How one database computes the filter language over one JSON column."""

    name: ClassVar[str]

    def __init__(
        self, data: ColumnElement[Any], timezone: str, slots: Mapping[str, str] | None = None
    ) -> None:
        self.data = data
        self.timezone = timezone
        #: The form's field -> value slot mapping (see :mod:`formflow.storage.value_slots`).
        self.slots = slots

    # -- constants and fields -------------------------------------------------------------

    def constant(self, value: Any, type_: Type) -> SqlValue:
        """A value computed in Python at compile time, as a bound parameter."""
        wanted = normal_type(type_)
        if value is None:
            return SqlValue(typed_null(wanted), wanted, constant=None)
        if isinstance(value, bool):
            return SqlValue(literal(value, Boolean()), BOOLEAN, constant=value)
        if isinstance(value, int | Decimal):
            return self.number_constant(Decimal(value))
        if isinstance(value, str):
            return SqlValue(literal(value, String()), STRING, constant=value)
        if isinstance(value, datetime):
            key = datetime_key(value)
            return SqlValue(literal(key, String()), DATETIME, constant=value)
        if isinstance(value, date):
            return SqlValue(literal(date_key(value), String()), DATE, constant=value)
        if isinstance(value, time):
            return SqlValue(literal(time_key(value), String()), TIME, constant=value)
        raise NotConstant(value)

    @abstractmethod
    def number_constant(self, value: Decimal) -> SqlValue:
        """A decimal constant."""

    def field(self, name: str, type_: Type) -> SqlValue:
        """A top-level scalar field of the record."""
        wanted = normal_type(type_)
        if wanted == NUMBER:
            number = json_field(self.data, name, FieldKind.NUMBER, self.slots)
            return SqlValue(number, NUMBER, field=name)
        if wanted == BOOLEAN:
            return SqlValue(json_field(self.data, name, FieldKind.BOOLEAN), BOOLEAN, field=name)
        raw = self.raw_text(name)
        if wanted == DATETIME:
            return SqlValue(func.rtrim(raw, "Z"), DATETIME, field=name)
        if wanted == TIME:
            key = case((func.length(raw) == 5, raw + ":00"), else_=raw)
            return SqlValue(key, TIME, field=name)
        return SqlValue(raw, wanted, field=name)

    def raw_text(self, name: str) -> SqlExpr:
        """The stored text of a text-like field: the expression its index is built on."""
        return json_field(self.data, name, FieldKind.TEXT, self.slots)

    def json_raw(self, name: str) -> SqlExpr:
        """The field as JSON (see :class:`JsonRaw`)."""
        return JsonRaw(self.data, name)

    @abstractmethod
    def json_is_empty(self, name: str) -> SqlExpr:
        """True when the field is absent, ``null``, ``[]`` or ``{}``."""

    @abstractmethod
    def list_contains(self, name: str, value: SqlValue) -> SqlExpr:
        """True when the list of texts in field ``name`` holds ``value``; null when the field
        is empty or the value is null (as ``value in field`` in the evaluator)."""

    @abstractmethod
    def list_length(self, name: str) -> SqlValue:
        """The number of items in the list field ``name`` (null when it is empty)."""

    # -- comparisons ----------------------------------------------------------------------

    def compare(self, op: str, left: SqlValue, right: SqlValue) -> SqlExpr:
        """``left <op> right`` with the evaluator's rules for the values' type."""
        kind = left.type if left.type != NULL else right.type
        if kind == NULL or left.is_null_constant or right.is_null_constant:
            return null()
        if kind == NUMBER:
            return self.compare_numbers(op, left, right)
        if kind == DATETIME:
            return self._compare_datetimes(op, left, right)
        if kind == STRING and op in ORDERING:
            return self.order_texts(op, left.expr, right.expr)
        if kind == TIME and op in ORDERING:
            return self.order_texts(op, left.expr, right.expr)
        return apply(op, left.expr, right.expr)

    @abstractmethod
    def compare_numbers(self, op: str, left: SqlValue, right: SqlValue) -> SqlExpr:
        """A comparison of two numbers."""

    @abstractmethod
    def order_texts(self, op: str, left: SqlExpr, right: SqlExpr) -> SqlExpr:
        """``<``, ``<=``, ``>``, ``>=`` of texts by code point."""

    def _compare_datetimes(self, op: str, left: SqlValue, right: SqlValue) -> SqlExpr:
        if left.field is not None and right.is_constant:
            return self._datetime_field_against(op, left, datetime_key(right.constant))
        if right.field is not None and left.is_constant:
            return self._datetime_field_against(FLIPPED[op], right, datetime_key(left.constant))
        if op in ORDERING:
            return self.order_texts(op, left.expr, right.expr)
        return apply(op, left.expr, right.expr)

    def _datetime_field_against(self, op: str, field: SqlValue, key: str) -> SqlExpr:
        """A date-time field against a moment, answered by the field's text index.

        Stored texts sort like their moments except that ``...:00Z`` sorts after
        ``...:00.250000Z`` of the same second. So the index takes the whole seconds that can
        match (every stored text of second S starts with S and sorts before the next second),
        and the text without ``Z`` decides exactly.
        """
        assert field.field is not None
        raw = self.raw_text(field.field)
        stored = literal(f"{key}Z", String())
        if op == "=":
            return raw == stored
        if op == "!=":
            return raw != stored
        exact = self.order_texts(op, field.expr, literal(key, String()))
        second = second_prefix(key)
        if op in (">", ">="):
            return and_(raw >= literal(second, String()), exact)
        following = _next_second(second)
        if following is None:
            return exact
        return and_(raw < literal(following, String()), exact)

    # -- membership -----------------------------------------------------------------------

    def membership(self, left: SqlValue, items: Sequence[SqlValue]) -> SqlExpr:
        """``left in [items]`` with SQL's (and the evaluator's) rules for null items."""
        if not items:
            return case((left.expr.is_(None), null()), else_=false())
        kind = left.type
        if all(item.is_constant for item in items) and self.can_list(left, items):
            if kind == DATETIME and left.field is not None:
                stored = [
                    literal(f"{datetime_key(item.constant)}Z", String())
                    if item.constant is not None
                    else typed_null(STRING)
                    for item in items
                ]
                return self.raw_text(left.field).in_(stored)
            return left.expr.in_([item.expr for item in items])
        return or_(*(self.compare("=", left, item) for item in items))

    def can_list(self, left: SqlValue, items: Sequence[SqlValue]) -> bool:
        """True when ``left IN (...)`` compares exactly as ``=`` does for these values."""
        return True

    # -- numbers --------------------------------------------------------------------------

    @abstractmethod
    def arithmetic(self, op: str, left: SqlValue, right: SqlValue) -> SqlValue:
        """``+ - * / %`` of two numbers, rounded as the evaluator rounds."""

    @abstractmethod
    def negate(self, value: SqlValue) -> SqlValue:
        """``-x``."""

    @abstractmethod
    def number_function(self, name: str, value: SqlValue, digits: Decimal | None) -> SqlValue:
        """``abs``, ``round``, ``trunc``, ``floor``, ``ceil``."""

    @abstractmethod
    def extreme(self, name: str, values: Sequence[SqlValue], kind: Type) -> SqlValue:
        """``min(a, b, ...)`` / ``max(a, b, ...)`` of single values; empty values are skipped."""

    @abstractmethod
    def same_numbers(self, values: Sequence[SqlValue]) -> tuple[list[SqlExpr], bool]:
        """Expressions of numbers that one ``CASE``/``coalesce`` may return, and whether they
        are exact decimal text (SQLite)."""

    # -- texts ----------------------------------------------------------------------------

    def concat(self, left: SqlValue, right: SqlValue) -> SqlValue:
        return SqlValue(left.expr.op("||")(right.expr), STRING)

    @abstractmethod
    def text_length(self, value: SqlValue) -> SqlValue:
        """Characters in a text."""

    @abstractmethod
    def trim(self, value: SqlValue, characters: str) -> SqlValue:
        """A text without the given characters at both ends."""

    @abstractmethod
    def contains_text(self, haystack: SqlExpr, needle: SqlExpr) -> SqlExpr:
        """True when ``needle`` occurs in ``haystack``."""

    def starts_with(self, text: SqlExpr, prefix: SqlExpr) -> SqlExpr:
        return func.substr(text, 1, func.length(prefix)) == prefix

    def ends_with(self, text: SqlExpr, suffix: SqlExpr) -> SqlExpr:
        start = func.length(text) - func.length(suffix) + 1
        return func.substr(text, start) == suffix

    # -- dates and times ------------------------------------------------------------------

    @abstractmethod
    def local_date(self, moment: SqlValue) -> SqlValue:
        """The calendar date of a date-time in the organisation's time zone."""

    @abstractmethod
    def add_days(self, day: SqlValue, days: SqlValue) -> SqlValue:
        """The date ``days`` later (whole days only; null otherwise, where the evaluator stops)."""

    @abstractmethod
    def days_between(self, start: SqlValue, end: SqlValue) -> SqlValue:
        """Days from one date to another."""

    @abstractmethod
    def date_part(self, name: str, day: SqlValue) -> SqlValue:
        """``year``, ``quarter``, ``month``, ``day`` or ``weekday`` of a date."""

    @abstractmethod
    def month_edge(self, name: str, day: SqlValue) -> SqlValue:
        """``start_of_month`` or ``end_of_month`` of a date."""

    @abstractmethod
    def time_between(self, name: str, start: SqlValue, end: SqlValue) -> SqlValue:
        """``hours_between`` / ``minutes_between`` of two date-times or two times of day."""


def _next_second(second: str) -> str | None:
    """The whole-second key one second after ``second`` (None past the year 9999)."""
    try:
        following = datetime.fromisoformat(second) + timedelta(seconds=1)
    except (ValueError, OverflowError):
        return None
    return following.isoformat(timespec="seconds")
