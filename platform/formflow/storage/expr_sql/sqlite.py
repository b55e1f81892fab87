"""SQLite: native comparisons where doubles are exact, the ``ff_`` functions everywhere else.

``json_extract`` gives a stored number as SQLite ``INTEGER`` (exact) or ``REAL`` (a binary
double). A double holds every decimal of up to 15 significant digits exactly enough to keep
equality and order, so ``amount > 100`` stays the plain comparison the ``x-index`` index
answers, with the constant bound as an ``INTEGER`` or the nearest double. Constants with more
digits, and every arithmetic result, are exact decimal text from the functions in
:mod:`.sqlite_functions`, compared with ``ff_cmp``; fields then enter as their raw JSON text,
which keeps every digit. (A *stored* number with more than 15 significant digits still compares
as the nearest double in the plain shape; forms rarely hold such numbers, and PostgreSQL is
exact for them.)

Texts compare byte by byte (``BINARY``), which for UTF-8 is code point order, as in Python.
Calendar dates use SQLite's own ``julianday``/``strftime``, exact on ``YYYY-MM-DD`` texts;
time zones and day shifts go through the functions, which use Python's ``zoneinfo``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Integer, and_, case, cast, func, literal, select
from sqlalchemy.types import Float, String

from formflow.expr import DATE, NUMBER, STRING, TIME, Type
from formflow.storage.expr_sql.dialect import FLIPPED, Dialect, apply
from formflow.storage.expr_sql.values import SqlExpr, SqlValue, typed_null
from formflow.storage.json_fields import check_field_name

#: Largest count of significant digits a double keeps exactly enough to compare.
DOUBLE_DIGITS = 15
_INT64 = 2**63
_STRFTIME = {"year": "%Y", "month": "%m", "day": "%d"}


def significant_digits(value: Decimal) -> int:
    """How many significant digits ``value`` has (``0.0100`` has 1)."""
    digits = "".join(str(digit) for digit in value.as_tuple().digits).strip("0")
    return max(len(digits), 1)


def _path(name: str) -> SqlExpr:
    """The JSON path of a top-level field, as a bound parameter."""
    return literal(f'$."{check_field_name(name)}"', String())


def _near(op: str, field: SqlExpr, constant: Decimal) -> SqlExpr:
    """A native comparison that every stored value matching ``field <op> constant`` passes.

    Used with a constant too long for a double: the field's index narrows the rows with it,
    and ``ff_cmp`` then decides exactly. Rounding to doubles keeps order, so the nearest double
    of the constant, widened by two steps for parsers that round differently, bounds them.
    """
    nearest = float(constant)
    low = math.nextafter(math.nextafter(nearest, -math.inf), -math.inf)
    high = math.nextafter(math.nextafter(nearest, math.inf), math.inf)
    if op in (">", ">="):
        return field >= literal(low, Float())
    if op in ("<", "<="):
        return field <= literal(high, Float())
    return field.between(literal(low, Float()), literal(high, Float()))


def _integer(value: SqlExpr) -> SqlExpr:
    return cast(value, Integer())


class SqliteDialect(Dialect):
    """Filters on SQLite (JSON text data, exact decimals through ``ff_`` functions)."""

    name = "sqlite"

    def number_constant(self, value: Decimal) -> SqlValue:
        if value == value.to_integral_value() and abs(value) < _INT64:
            return SqlValue(literal(int(value), Integer()), NUMBER, constant=value)
        if significant_digits(value) <= DOUBLE_DIGITS:
            return SqlValue(literal(float(value), Float()), NUMBER, constant=value)
        return SqlValue(literal(str(value), String()), NUMBER, exact=True, constant=value)

    def json_is_empty(self, name: str) -> SqlExpr:
        return func.coalesce(self.json_raw(name).in_(["null", "[]", "{}"]), 1)

    def _is_array(self, name: str) -> SqlExpr:
        return func.json_type(self.data, _path(name)) == "array"

    def list_contains(self, name: str, value: SqlValue) -> SqlExpr:
        items = func.json_each(self.data, _path(name)).table_valued("value")
        found = select(items.c.value).where(items.c.value == value.expr).exists()
        return case((and_(self._is_array(name), value.expr.is_not(None)), found))

    def list_length(self, name: str) -> SqlValue:
        length = func.json_array_length(self.data, _path(name))
        return SqlValue(case((self._is_array(name), length)), NUMBER)

    # -- numbers --------------------------------------------------------------------------

    def exact(self, value: SqlValue) -> SqlExpr:
        """The number as input for the ``ff_`` functions (every digit kept)."""
        if value.exact:
            return value.expr
        if value.field is not None:
            return self.json_raw(value.field)
        if value.is_constant:
            if value.constant is None:
                return typed_null(NUMBER)
            return literal(str(value.constant), String())
        return value.expr  # an SQL INTEGER (a length, a year, a count of days)

    def compare_numbers(self, op: str, left: SqlValue, right: SqlValue) -> SqlExpr:
        if not (left.exact or right.exact):
            return apply(op, left.expr, right.expr)
        exact = apply(op, func.ff_cmp(self.exact(left), self.exact(right)), 0)
        if left.field is not None and right.is_constant and op != "!=":
            return and_(_near(op, left.expr, right.constant), exact)
        if right.field is not None and left.is_constant and op != "!=":
            return and_(_near(FLIPPED[op], right.expr, left.constant), exact)
        return exact

    def can_list(self, left: SqlValue, items: Sequence[SqlValue]) -> bool:
        return not (left.exact or any(item.exact for item in items))

    def arithmetic(self, op: str, left: SqlValue, right: SqlValue) -> SqlValue:
        expr = func.ff_arith(literal(op, String()), self.exact(left), self.exact(right))
        return SqlValue(expr, NUMBER, exact=True)

    def negate(self, value: SqlValue) -> SqlValue:
        return SqlValue(func.ff_neg(self.exact(value)), NUMBER, exact=True)

    def number_function(self, name: str, value: SqlValue, digits: Decimal | None) -> SqlValue:
        places = typed_null(NUMBER) if digits is None else literal(str(digits), String())
        expr = func.ff_number(literal(name, String()), self.exact(value), places)
        return SqlValue(expr, NUMBER, exact=True)

    def same_numbers(self, values: Sequence[SqlValue]) -> tuple[list[SqlExpr], bool]:
        if any(value.exact for value in values):
            return [self.exact(value) for value in values], True
        return [value.expr for value in values], False

    def extreme(self, name: str, values: Sequence[SqlValue], kind: Type) -> SqlValue:
        if kind == NUMBER and any(value.exact for value in values):
            exprs = [self.exact(value) for value in values]
            return SqlValue(func.ff_extreme(literal(name, String()), *exprs), NUMBER, exact=True)
        # SQLite's max(a, b) is null when one is; a null replaced by another value is harmless
        exprs = [value.expr for value in values]
        present = [func.coalesce(expr, *(o for o in exprs if o is not expr)) for expr in exprs]
        function = func.max if name == "max" else func.min
        return SqlValue(function(*present), kind)

    # -- texts ----------------------------------------------------------------------------

    def order_texts(self, op: str, left: SqlExpr, right: SqlExpr) -> SqlExpr:
        return apply(op, left, right)

    def text_length(self, value: SqlValue) -> SqlValue:
        return SqlValue(func.length(value.expr), NUMBER)

    def trim(self, value: SqlValue, characters: str) -> SqlValue:
        return SqlValue(func.trim(value.expr, literal(characters, String())), STRING)

    def contains_text(self, haystack: SqlExpr, needle: SqlExpr) -> SqlExpr:
        return func.instr(haystack, needle) > 0

    # -- dates and times ------------------------------------------------------------------

    def local_date(self, moment: SqlValue) -> SqlValue:
        expr = func.ff_local_date(moment.expr, literal(self.timezone, String()))
        return SqlValue(expr, DATE)

    def add_days(self, day: SqlValue, days: SqlValue) -> SqlValue:
        return SqlValue(func.ff_add_days(day.expr, self.exact(days)), DATE)

    def days_between(self, start: SqlValue, end: SqlValue) -> SqlValue:
        difference = func.julianday(end.expr) - func.julianday(start.expr)
        return SqlValue(_integer(difference), NUMBER)

    def date_part(self, name: str, day: SqlValue) -> SqlValue:
        if name in _STRFTIME:
            return SqlValue(_integer(func.strftime(_STRFTIME[name], day.expr)), NUMBER)
        month = _integer(func.strftime("%m", day.expr))
        if name == "quarter":
            return SqlValue((month + 2) // 3, NUMBER)
        weekday = _integer(func.strftime("%w", day.expr))  # 0 is Sunday
        return SqlValue((weekday + 6) % 7 + 1, NUMBER)

    def month_edge(self, name: str, day: SqlValue) -> SqlValue:
        if name == "start_of_month":
            return SqlValue(func.date(day.expr, "start of month"), DATE)
        return SqlValue(func.date(day.expr, "start of month", "+1 month", "-1 day"), DATE)

    def time_between(self, name: str, start: SqlValue, end: SqlValue) -> SqlValue:
        kind = "time" if start.type == TIME else "datetime"
        expr = func.ff_between(
            literal(name, String()), literal(kind, String()), start.expr, end.expr
        )
        return SqlValue(expr, NUMBER, exact=True)
