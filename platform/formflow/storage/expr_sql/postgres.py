"""PostgreSQL: exact ``numeric`` arithmetic, rounded to 28 significant digits like the evaluator.

PostgreSQL computes ``+ - *`` exactly, while the evaluator keeps 28 significant digits
(``2 / 3 * 3`` is exactly ``2`` there, because ``0.6666…67 * 3`` rounds back to 2). Every
arithmetic result is therefore rounded to 28 significant digits with
``to_char(x, '9.999…EEEE')::numeric``, and a quotient is first computed to 100 decimal places
(``(a + 0E-100) / b``), far more than the 28 digits kept. One difference remains: a result
whose 29th digit is an exact tie (``…5`` and nothing after) rounds away from zero here and to
even in the evaluator; only products or sums of numbers with 14 or more significant digits can
end like that.

Texts are ordered with ``COLLATE "C"`` (code point order, as in Python) except where the texts
are canonical dates, which every collation orders by their digits and which the ``x-index``
expression indexes (built with the database's default collation) can then answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    literal_column,
    true,
)
from sqlalchemy.dialects.postgresql import INTERVAL, JSONB
from sqlalchemy.types import TIMESTAMP, Date, Numeric, String, Time

from formflow.expr import DATE, DATETIME, NUMBER, STRING, TIME, Type
from formflow.storage.expr_sql.dialect import Dialect, apply
from formflow.storage.expr_sql.values import SqlExpr, SqlValue, typed_null

#: ``to_char`` pattern with 28 significant digits in scientific notation.
_SIGNIFICANT_28 = "'9.999999999999999999999999999EEEE'"
#: Zero with 100 decimal places: added to a dividend, it makes the quotient that precise.
_PRECISE_ZERO = Decimal("0E-100")
#: The evaluator refuses to move a date by more than this many days.
_MAX_DAYS = 3_660_000
_PARTS = {"year": "year", "quarter": "quarter", "month": "month", "day": "day", "weekday": "isodow"}


def _rounded(value: SqlExpr) -> SqlExpr:
    """``value`` rounded to 28 significant digits (ties away from zero)."""
    return cast(func.to_char(value, literal_column(_SIGNIFICANT_28)), Numeric())


def _json(text: str) -> SqlExpr:
    return cast(literal(text, String()), JSONB())


def _as_date(value: SqlExpr) -> SqlExpr:
    return cast(value, Date())


def _date_text(value: SqlExpr) -> SqlExpr:
    return func.to_char(value, literal_column("'YYYY-MM-DD'"))


class PostgresDialect(Dialect):
    """Filters on PostgreSQL (``jsonb`` data, ``numeric`` arithmetic)."""

    name = "postgresql"

    def number_constant(self, value: Decimal) -> SqlValue:
        return SqlValue(literal(value, Numeric()), NUMBER, constant=value)

    def json_is_empty(self, name: str) -> SqlExpr:
        empty = self.json_raw(name).in_([_json("null"), _json("[]"), _json("{}")])
        return func.coalesce(empty, true())

    def _is_array(self, name: str) -> SqlExpr:
        return func.jsonb_typeof(self.json_raw(name)) == "array"

    def list_contains(self, name: str, value: SqlValue) -> SqlExpr:
        found = self.json_raw(name).op("@>", is_comparison=True)(func.jsonb_build_array(value.expr))
        return case((and_(self._is_array(name), value.expr.is_not(None)), found))

    def list_length(self, name: str) -> SqlValue:
        length = func.jsonb_array_length(self.json_raw(name))
        return SqlValue(case((self._is_array(name), length)), NUMBER)

    # -- numbers --------------------------------------------------------------------------

    def compare_numbers(self, op: str, left: SqlValue, right: SqlValue) -> SqlExpr:
        return apply(op, left.expr, right.expr)

    def arithmetic(self, op: str, left: SqlValue, right: SqlValue) -> SqlValue:
        a, b = left.expr, right.expr
        if op == "/":
            result = (a + literal(_PRECISE_ZERO, Numeric())) / func.nullif(b, 0)
        elif op == "%":
            result = func.mod(a, func.nullif(b, 0))
        elif op == "+":
            result = a + b
        elif op == "-":
            result = a - b
        else:
            result = a * b
        return SqlValue(_rounded(result), NUMBER)

    def negate(self, value: SqlValue) -> SqlValue:
        return SqlValue(_rounded(-value.expr), NUMBER)

    def number_function(self, name: str, value: SqlValue, digits: Decimal | None) -> SqlValue:
        x = value.expr
        if name == "abs":
            return SqlValue(_rounded(func.abs(x)), NUMBER)
        if name in ("floor", "ceil"):
            return SqlValue(getattr(func, name)(x), NUMBER)
        places = literal(int(digits if digits is not None else 0), Integer())
        return SqlValue(getattr(func, name)(x, places), NUMBER)

    def same_numbers(self, values: Sequence[SqlValue]) -> tuple[list[SqlExpr], bool]:
        return [value.expr for value in values], False

    def extreme(self, name: str, values: Sequence[SqlValue], kind: Type) -> SqlValue:
        exprs = [value.expr for value in values]
        if kind in (STRING, DATETIME, TIME):
            exprs[0] = exprs[0].collate("C")
        function = func.greatest if name == "max" else func.least
        return SqlValue(function(*exprs), kind)

    # -- texts ----------------------------------------------------------------------------

    def order_texts(self, op: str, left: SqlExpr, right: SqlExpr) -> SqlExpr:
        return apply(op, left.collate("C"), right)

    def text_length(self, value: SqlValue) -> SqlValue:
        return SqlValue(func.char_length(value.expr), NUMBER)

    def trim(self, value: SqlValue, characters: str) -> SqlValue:
        return SqlValue(func.btrim(value.expr, literal(characters, String())), STRING)

    def contains_text(self, haystack: SqlExpr, needle: SqlExpr) -> SqlExpr:
        return func.strpos(haystack, needle) > 0

    # -- dates and times ------------------------------------------------------------------

    def local_date(self, moment: SqlValue) -> SqlValue:
        utc = func.timezone(literal("UTC", String()), cast(moment.expr, TIMESTAMP()))
        local = func.timezone(literal(self.timezone, String()), utc)
        return SqlValue(_date_text(local), DATE)

    def add_days(self, day: SqlValue, days: SqlValue) -> SqlValue:
        n = days.expr
        whole = case(
            (and_(n == func.trunc(n), func.abs(n) <= _MAX_DAYS), cast(n, Integer())),
        )
        shifted = _as_date(day.expr) + whole
        in_range = and_(
            shifted >= _as_date(literal("0001-01-01", String())),
            shifted <= _as_date(literal("9999-12-31", String())),
        )
        return SqlValue(case((in_range, _date_text(shifted)), else_=typed_null(DATE)), DATE)

    def days_between(self, start: SqlValue, end: SqlValue) -> SqlValue:
        return SqlValue(_as_date(end.expr) - _as_date(start.expr), NUMBER)

    def date_part(self, name: str, day: SqlValue) -> SqlValue:
        return SqlValue(extract(_PARTS[name], _as_date(day.expr)), NUMBER)

    def month_edge(self, name: str, day: SqlValue) -> SqlValue:
        first = func.date_trunc(literal("month", String()), _as_date(day.expr))
        if name == "start_of_month":
            return SqlValue(_date_text(first), DATE)
        last = (
            first
            + cast(literal("1 month", String()), INTERVAL())
            - cast(literal("1 day", String()), INTERVAL())
        )
        return SqlValue(_date_text(last), DATE)

    def time_between(self, name: str, start: SqlValue, end: SqlValue) -> SqlValue:
        kind: Any = Time() if start.type == TIME else TIMESTAMP()
        # numeric from PostgreSQL 14 on; the cast keeps PostgreSQL 13's double exact to 15 digits
        seconds = cast(extract("epoch", cast(end.expr, kind) - cast(start.expr, kind)), Numeric())
        unit = Decimal(3600) if name == "hours_between" else Decimal(60)
        result = (seconds + literal(_PRECISE_ZERO, Numeric())) / literal(unit, Numeric())
        return SqlValue(_rounded(result), NUMBER)
