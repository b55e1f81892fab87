"""Compile a checked filter expression into a SQL condition over ``records.data``.

The compiled condition selects exactly the records for which the Python evaluator says
``true`` (tests compare both on generated data, on SQLite and PostgreSQL). That works because
the language was designed with SQL's rules: null propagates, ``and``/``or``/``not`` are
three-valued, ``x = null`` means "is empty", division by zero is null, and text compares by
code point (``COLLATE "C"`` on PostgreSQL).

Field names reach the SQL text only through :func:`~formflow.storage.json_fields.json_field`
(checked identifiers from the form's schema); every literal is a bound parameter. A construct
the database cannot answer (sub-table columns, reference navigation, most functions) is refused
with a diagnostic at its position, never silently evaluated differently.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    String,
    and_,
    case,
    func,
    literal,
    not_,
    null,
    or_,
    true,
)
from sqlalchemy.types import Integer, Numeric

from formflow.errors import Diagnostic, SourceError
from formflow.expr import BOOLEAN, DATE, DATETIME, NUMBER, STRING, TIME, Checked, EvalContext
from formflow.expr import nodes as n
from formflow.expr.typesystem import NULL, RefType, Type
from formflow.i18n import _
from formflow.storage.json_fields import FieldKind, json_field

SqlExpr = ColumnElement[Any]

_COMPARE: dict[str, Callable[[SqlExpr, SqlExpr], SqlExpr]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _kind_for(type_: Type) -> FieldKind | None:
    if type_ == NUMBER or (isinstance(type_, RefType)):
        return FieldKind.NUMBER
    if type_ in (STRING, DATE, DATETIME, TIME):
        return FieldKind.TEXT
    if type_ == BOOLEAN:
        return FieldKind.BOOLEAN
    return None


class FilterCompiler:
    """One compilation of one checked expression against one data column."""

    def __init__(
        self, checked: Checked, data: ColumnElement[Any], dialect: str, context: EvalContext
    ) -> None:
        self.checked = checked
        self.data = data
        self.dialect = dialect
        self.context = context
        self.diagnostics: list[Diagnostic] = []

    # -- entry -----------------------------------------------------------------------------

    def compile(self) -> ColumnElement[bool]:
        result = self.visit(self.checked.node)
        if self.diagnostics:
            raise SourceError(self.diagnostics)
        if self.checked.type not in (BOOLEAN, NULL):
            raise SourceError(
                [
                    self._diagnostic(
                        self.checked.node,
                        _(
                            "A filter must be a condition (true or "
                            "false), for example amount > 100."
                        ),
                    )
                ]
            )
        return result

    def _diagnostic(self, node: n.Node, message: Any) -> Diagnostic:
        span = node.span
        return Diagnostic(
            message=message,
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
            code="not_filterable",
        )

    def _refuse(self, node: n.Node, what: str) -> SqlExpr:
        self.diagnostics.append(
            self._diagnostic(
                node,
                _(
                    "{what} cannot be used in a record filter; filter on the form's own fields "
                    "with comparisons, and/or/not, in, arithmetic and text tests.",
                    what=what,
                ),
            )
        )
        return null()

    # -- nodes -----------------------------------------------------------------------------

    def visit(self, node: n.Node) -> SqlExpr:
        method = getattr(self, f"visit_{node.kind}", None)
        if method is None:
            return self._refuse(node, f"`{node.kind}`")
        result: SqlExpr = method(node)
        return result

    def visit_number(self, node: n.Number) -> SqlExpr:
        return literal(node.value, Numeric())

    def visit_string(self, node: n.String) -> SqlExpr:
        return literal(node.value, String())

    def visit_boolean(self, node: n.Boolean) -> SqlExpr:
        return literal(node.value, Boolean())

    def visit_null(self, node: n.Null) -> SqlExpr:
        return null()

    def visit_name(self, node: n.Name) -> SqlExpr:
        binding = self.checked.bindings.get(id(node))
        type_ = self.checked.type_of(node)
        if binding is not None and binding.kind == "variable":
            return self._value(self.context.variables.get(node.name), type_)
        if binding is None or binding.kind != "field":
            return self._refuse(node, f"`{node.name}`")
        kind = _kind_for(type_)
        if kind is None:
            return self._refuse(node, f"`{node.name}`")
        return json_field(self.data, node.name, kind)

    def _value(self, value: Any, type_: Type) -> SqlExpr:
        if value is None:
            return null()
        if isinstance(value, bool):
            return literal(value, Boolean())
        if isinstance(value, int | Decimal):
            return literal(Decimal(value), Numeric())
        if isinstance(value, datetime):
            return literal(value.isoformat().replace("+00:00", "Z"), String())
        if isinstance(value, date | time):
            return literal(value.isoformat(), String())
        return literal(str(value), String())

    def visit_unary(self, node: n.Unary) -> SqlExpr:
        operand = self.visit(node.operand)
        if node.op == "not":
            return not_(operand)
        return -operand

    def visit_binary(self, node: n.Binary) -> SqlExpr:
        op = node.op
        if op in ("and", "or"):
            left, right = self.visit(node.left), self.visit(node.right)
            return and_(left, right) if op == "and" else or_(left, right)
        if op in ("in", "not in"):
            return self._membership(node)
        if op in _COMPARE:
            return self._compare(node)
        left, right = self.visit(node.left), self.visit(node.right)
        if self.checked.type_of(node) != NUMBER:
            return self._refuse(node, f"`{op}`")
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        divisor = func.nullif(right, 0)
        if op == "/":
            return self._divide(left, divisor)
        # Decimal's % takes the sign of the dividend: a - b * trunc(a / b).
        if self.dialect == "postgresql":
            return func.mod(left, divisor)
        return left - right * func.cast(self._divide(left, divisor), Integer())

    def _divide(self, left: SqlExpr, divisor: SqlExpr) -> SqlExpr:
        if self.dialect == "sqlite":  # 7 / 2 is 3 in SQLite unless one side is REAL
            return (left * literal(1.0)) / divisor
        return left / divisor

    def _compare(self, node: n.Binary) -> SqlExpr:
        if isinstance(node.right, n.Null) or isinstance(node.left, n.Null):
            other = node.left if isinstance(node.right, n.Null) else node.right
            value = self.visit(other)
            return value.is_(None) if node.op == "=" else value.is_not(None)
        left, right = self.visit(node.left), self.visit(node.right)
        ordering = node.op not in ("=", "!=")
        if ordering and self.dialect == "postgresql" and self.checked.type_of(node.left) == STRING:
            left = left.collate("C")
        return _COMPARE[node.op](left, right)

    def _membership(self, node: n.Binary) -> SqlExpr:
        left = self.visit(node.left)
        if isinstance(node.right, n.ListOf):
            if any(isinstance(item, n.Null) for item in node.right.items):
                return self._refuse(node.right, "`null` in a list")
            items = [self.visit(item) for item in node.right.items]
            if not items:
                return literal(node.op == "not in", Boolean())
            test = left.in_(items)
            return not_(test) if node.op == "not in" else test
        if self.checked.type_of(node.right) == STRING:
            found = self._contains(self.visit(node.right), left)
            return not_(found) if node.op == "not in" else found
        return self._refuse(node.right, "`in`")

    def _contains(self, haystack: SqlExpr, needle: SqlExpr) -> SqlExpr:
        position = (
            func.strpos(haystack, needle)
            if self.dialect == "postgresql"
            else func.instr(haystack, needle)
        )
        return position > 0

    def visit_call(self, node: n.Call) -> SqlExpr:
        name = node.name
        if name == "is_empty" and len(node.args) == 1:
            return self.visit(node.args[0]).is_(None)
        if name in ("today", "now") and not node.args:
            moment = self.context.today if name == "today" else self.context.now
            return self._value(moment, DATE if name == "today" else DATETIME)
        if name == "date" and len(node.args) == 1 and isinstance(node.args[0], n.String):
            return literal(node.args[0].value, String())
        if name in ("contains", "starts_with", "ends_with") and len(node.args) == 2:
            text, part = self.visit(node.args[0]), self.visit(node.args[1])
            if name == "contains":
                return self._contains(text, part)
            length = func.length(part)
            if name == "starts_with":
                return func.substr(text, 1, length) == part
            return func.substr(text, func.length(text) - length + 1) == part
        if name in ("abs",) and len(node.args) == 1:
            return func.abs(self.visit(node.args[0]))
        if name == "coalesce" and node.args:
            return func.coalesce(*(self.visit(arg) for arg in node.args))
        if name == "if" and len(node.args) == 3:
            condition, then, otherwise = (self.visit(arg) for arg in node.args)
            return case((condition, then), else_=otherwise)
        return self._refuse(node, f"`{name}()`")

    def visit_list(self, node: n.ListOf) -> SqlExpr:
        return self._refuse(node, "a list")


def compile_filter(
    checked: Checked,
    data: ColumnElement[Any],
    *,
    dialect: str,
    context: EvalContext,
) -> ColumnElement[bool]:
    """The SQL condition for ``checked`` (which must be a boolean expression over the form).

    Raises :class:`SourceError` listing every construct that cannot run in the database.
    """
    if not checked.ok:
        raise SourceError([d for d in checked.diagnostics if d.severity == "error"])
    compiled = FilterCompiler(checked, data, dialect, context).compile()
    return compiled if compiled is not None else true()
