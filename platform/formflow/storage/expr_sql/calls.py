"""Function calls in filters: the functions a database computes exactly as the evaluator does.

A call whose arguments read no field never gets here: the compiler computes it in Python
(``today()``, ``date(2026, 1, 31)``, ``add_days(now(), -7)``). The calls below read a field;
each handler checks what its database can do exactly and refuses the rest with a message that
says what to write instead. ``lower``/``upper`` are refused on purpose: PostgreSQL changes the
case of some letters differently from Python (``'ß'.upper()`` is ``'SS'`` in Python), so the
same filter would select different records on the two databases.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import case, func, or_

from formflow.expr import (
    BOOLEAN,
    DATE,
    DATETIME,
    NULL,
    NUMBER,
    STRING,
    TIME,
    ListType,
    RefType,
    Type,
)
from formflow.expr import nodes as n
from formflow.i18n import _
from formflow.storage.expr_sql.values import SqlExpr, SqlValue

if TYPE_CHECKING:
    from formflow.storage.expr_sql.compiler import FilterCompiler

Handler = Callable[["FilterCompiler", n.Call], SqlValue]

#: Every character Python's ``str.strip()`` removes, which ``trim()`` removes in the database.
WHITESPACE = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())
_DATE_PARTS = frozenset({"year", "quarter", "month", "day", "weekday"})
_AGGREGATES = frozenset({"sum", "count", "avg", "min", "max"})


def compile_call(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    """The SQL value of a call that reads at least one field."""
    handler = HANDLERS.get(node.name)
    if handler is not None:
        return handler(compiler, node)
    if node.name in ("lower", "upper"):
        return compiler.refuse(
            node,
            _(
                "`{name}()` cannot be used in a record filter: databases change the case of "
                "some letters differently from the rest of Formflow (ß, İ …). Compare with the "
                "text as it is stored, or list the spellings: title in ['Paris', 'PARIS'].",
                name=node.name,
            ),
        )
    if node.name in _AGGREGATES:
        return _refuse_aggregate(compiler, node)
    return compiler.refuse(
        node,
        _(
            "`{name}()` cannot be used in a record filter. Functions that can: {names}.",
            name=node.name,
            names=", ".join(sorted(HANDLERS)),
        ),
    )


def _refuse_aggregate(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    return compiler.refuse(
        node,
        _(
            "`{name}()` cannot be used in a record filter yet. Add a computed field to the "
            "form (for example a total) and filter on that field.",
            name=node.name,
        ),
    )


# -- conditions and empty values --------------------------------------------------------------


def _is_empty(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    argument = node.args[0]
    name = compiler.field_name(argument)
    kind = compiler.type_of(argument)
    if name is not None and kind not in (NUMBER, STRING, BOOLEAN, DATE, DATETIME, TIME):
        return SqlValue(compiler.dialect.json_is_empty(name), BOOLEAN)
    value = compiler.visit(argument).expr
    if kind == STRING:
        return SqlValue(or_(value.is_(None), value == ""), BOOLEAN)
    return SqlValue(value.is_(None), BOOLEAN)


def _branches(
    compiler: FilterCompiler, node: n.Call, values: list[SqlValue]
) -> tuple[list[SqlExpr], Type, bool]:
    """The values one ``if``/``coalesce`` may give, in one representation (and whether that
    is exact decimal text)."""
    kind = compiler.type_of(node)
    if kind == NUMBER:
        exprs, exact = compiler.dialect.same_numbers(values)
        return exprs, kind, exact
    return [value.expr for value in values], kind, False


def _coalesce(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    exprs, kind, exact = _branches(compiler, node, [compiler.visit(arg) for arg in node.args])
    return SqlValue(func.coalesce(*exprs), kind, exact=exact)


def _if(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    condition = compiler.visit(node.args[0])
    branches = [compiler.visit(node.args[1]), compiler.visit(node.args[2])]
    (then, otherwise), kind, exact = _branches(compiler, node, branches)
    return SqlValue(case((condition.expr, then), else_=otherwise), kind, exact=exact)


# -- texts -------------------------------------------------------------------------------------


def _text_argument(compiler: FilterCompiler, node: n.Call, index: int) -> SqlValue | None:
    argument = node.args[index]
    if compiler.type_of(argument) in (STRING, NULL):
        return compiler.visit(argument)
    return None


def _len(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    name = compiler.text_list_field(node.args[0])
    if name is not None:
        return compiler.dialect.list_length(name)
    text = _text_argument(compiler, node, 0)
    if text is None:
        return compiler.refuse(
            node,
            _(
                "`len()` of a sub-table or a list of numbers is not available in record "
                "filters yet; use is_empty() to find records without values."
            ),
        )
    return compiler.dialect.text_length(text)


def _trim(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    return compiler.dialect.trim(compiler.visit(node.args[0]), WHITESPACE)


def _text_test(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    listed = compiler.text_list_field(node.args[0]) if node.name == "contains" else None
    wanted, holder = compiler.type_of(node.args[1]), compiler.type_of(node.args[0])
    of_ids = isinstance(holder, ListType) and isinstance(holder.item, RefType)
    if listed is not None and (
        wanted in (STRING, NULL) or (of_ids and (wanted == NUMBER or isinstance(wanted, RefType)))
    ):
        return SqlValue(
            compiler.dialect.list_contains(listed, compiler.visit(node.args[1])), BOOLEAN
        )
    text, part = _text_argument(compiler, node, 0), _text_argument(compiler, node, 1)
    if text is None or part is None:
        return compiler.refuse(
            node,
            _(
                "In a record filter `{name}()` looks for a text in a text field, for example "
                "{name}(title, 'invoice').",
                name=node.name,
            ),
        )
    dialect = compiler.dialect
    if node.name == "contains":
        return SqlValue(dialect.contains_text(text.expr, part.expr), BOOLEAN)
    if node.name == "starts_with":
        return SqlValue(dialect.starts_with(text.expr, part.expr), BOOLEAN)
    return SqlValue(dialect.ends_with(text.expr, part.expr), BOOLEAN)


# -- numbers -----------------------------------------------------------------------------------


def _number_function(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    value = compiler.visit(node.args[0])
    digits: Decimal | None = None
    if len(node.args) == 2:
        places = node.args[1]
        folded = compiler.fold(places) if compiler.is_constant(places) else None
        if folded is not None and folded.is_null_constant:
            return SqlValue(folded.expr, NUMBER, constant=None)
        constant = folded.constant if folded is not None else None
        if not (
            isinstance(constant, Decimal)
            and constant == constant.to_integral_value()
            and -28 <= constant <= 28
        ):
            return compiler.refuse(
                places,
                _(
                    "In a record filter the number of decimal places of `{name}()` must be a "
                    "whole number from -28 to 28 written in the filter, for example "
                    "{name}(amount, 2).",
                    name=node.name,
                ),
            )
        digits = constant
    return compiler.dialect.number_function(node.name, value, digits)


def _extreme(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    kind = compiler.type_of(node)
    single = kind in (NUMBER, STRING, DATE, DATETIME, TIME) and len(node.args) >= 2
    if not single or any(compiler.type_of(arg) not in (kind, NULL) for arg in node.args):
        return _refuse_aggregate(compiler, node)
    values = [compiler.visit(arg) for arg in node.args]
    present = [value for value in values if not value.is_null_constant]
    if not present:
        return SqlValue(values[0].expr, kind, constant=None)
    if len(present) == 1:
        return present[0]
    return compiler.dialect.extreme(node.name, present, kind)


# -- dates and times ---------------------------------------------------------------------------


def as_date(compiler: FilterCompiler, argument: n.Node) -> SqlValue:
    """A date, or the date (in the organisation's time zone) of a date-time."""
    value = compiler.visit(argument)
    if value.type == DATETIME:
        return compiler.dialect.local_date(value)
    return value


def _date(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    if len(node.args) == 1 and compiler.type_of(node.args[0]) in (DATE, DATETIME):
        return as_date(compiler, node.args[0])
    return compiler.refuse(
        node,
        _(
            "In a record filter `date()` takes a date-time field, or a date written in the "
            "filter such as date('2026-01-31')."
        ),
    )


def _date_part(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    return compiler.dialect.date_part(node.name, as_date(compiler, node.args[0]))


def _month_edge(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    return compiler.dialect.month_edge(node.name, as_date(compiler, node.args[0]))


def _days_between(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    start, end = as_date(compiler, node.args[0]), as_date(compiler, node.args[1])
    return compiler.dialect.days_between(start, end)


def _add_days(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    if compiler.type_of(node.args[0]) != DATE:
        return compiler.refuse(
            node,
            _(
                "Date-times cannot be shifted or subtracted inside a record filter. Compare the "
                "field with a moment instead, for example submitted_at > now() - 7, or use "
                "hours_between()."
            ),
        )
    day, days = compiler.visit(node.args[0]), compiler.visit(node.args[1])
    return compiler.dialect.add_days(day, days)


def _time_between(compiler: FilterCompiler, node: n.Call) -> SqlValue:
    kinds = {compiler.type_of(arg) for arg in node.args} - {NULL}
    if len(kinds) > 1:
        return compiler.refuse(
            node,
            _("`{name}()` needs two date-times or two times of day.", name=node.name),
        )
    start, end = compiler.visit(node.args[0]), compiler.visit(node.args[1])
    if start.is_null_constant or end.is_null_constant:
        return SqlValue(start.expr if start.is_null_constant else end.expr, NUMBER, constant=None)
    return compiler.dialect.time_between(node.name, start, end)


HANDLERS: dict[str, Handler] = {
    "is_empty": _is_empty,
    "coalesce": _coalesce,
    "if": _if,
    "len": _len,
    "trim": _trim,
    "contains": _text_test,
    "starts_with": _text_test,
    "ends_with": _text_test,
    "abs": _number_function,
    "round": _number_function,
    "trunc": _number_function,
    "floor": _number_function,
    "ceil": _number_function,
    "min": _extreme,
    "max": _extreme,
    "date": _date,
    **dict.fromkeys(_DATE_PARTS, _date_part),
    "start_of_month": _month_edge,
    "end_of_month": _month_edge,
    "days_between": _days_between,
    "add_days": _add_days,
    "hours_between": _time_between,
    "minutes_between": _time_between,
}
