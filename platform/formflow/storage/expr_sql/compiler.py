"""The filter compiler: a checked expression in, one SQL condition over ``records.data`` out.

Two rules keep the SQL answer equal to the evaluator's:

1. **What does not depend on the record is computed in Python.** Literals, ``today()``,
   ``now() - 7``, ``date('2026-01-31')``, variables — every sub-expression that reads no field
   is evaluated by :func:`formflow.expr.evaluate` itself at compile time and bound as a
   parameter. Only the parts that read fields become SQL.
2. **What reads a field is compiled by type** through a :class:`~.dialect.Dialect`, which knows
   how its database computes each operation exactly as the evaluator does; constructs no
   database can compute exactly are refused with a diagnostic at their position — never
   answered differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, null, or_
from sqlalchemy.orm import QueryableAttribute

from formflow.errors import Diagnostic, EvaluationFailed, SourceError
from formflow.expr import (
    ANY,
    BOOLEAN,
    DATE,
    DATETIME,
    NULL,
    NUMBER,
    STRING,
    TIME,
    Checked,
    EvalContext,
    ListType,
    RefType,
    Type,
    evaluate,
)
from formflow.expr import nodes as n
from formflow.i18n import Msg, _
from formflow.storage.expr_sql.calls import compile_call
from formflow.storage.expr_sql.dialect import Dialect, NotConstant
from formflow.storage.expr_sql.postgres import PostgresDialect
from formflow.storage.expr_sql.sqlite import SqliteDialect
from formflow.storage.expr_sql.values import SqlValue, normal_type, typed_null

_DIALECTS: dict[str, type[Dialect]] = {"sqlite": SqliteDialect, "postgresql": PostgresDialect}
_SCALARS = frozenset({NUMBER, STRING, BOOLEAN, DATE, DATETIME, TIME})


def dialect_for(
    name: str, data: ColumnElement[Any], timezone: str, slots: Mapping[str, str] | None = None
) -> Dialect:
    """The :class:`Dialect` of a SQLAlchemy dialect name (``sqlite``, ``postgresql``)."""
    try:
        return _DIALECTS[name](data, timezone, slots)
    except KeyError:
        raise ValueError(f"no filter compiler for the database {name!r}") from None


class FilterCompiler:
    """One compilation of one checked expression against one data column."""

    def __init__(self, checked: Checked, dialect: Dialect, context: EvalContext) -> None:
        self.checked = checked
        self.dialect = dialect
        self.context = context
        self.diagnostics: list[Diagnostic] = []
        self._constant: dict[int, bool] = {}

    # -- entry and reporting --------------------------------------------------------------

    def compile(self) -> ColumnElement[bool]:
        """The SQL condition; raises :class:`SourceError` listing every refused construct."""
        node = self.checked.node
        if self.checked.type not in (BOOLEAN, NULL):
            self.refuse(
                node, _("A filter must be a condition (true or false), for example amount > 100.")
            )
            raise SourceError(self.diagnostics)
        result = self.visit(node)
        if self.diagnostics:
            raise SourceError(self.diagnostics)
        return result.expr

    def refuse(self, node: n.Node, message: Msg, hint: Msg | None = None) -> SqlValue:
        """Record a diagnostic at ``node`` and return a stand-in value to keep going."""
        span = node.span
        self.diagnostics.append(
            Diagnostic(
                message=message,
                line=span.line,
                column=span.column,
                end_line=span.end_line,
                end_column=span.end_column,
                code="not_filterable",
                hint=hint,
            )
        )
        return SqlValue(null(), NULL, constant=None)

    def type_of(self, node: n.Node) -> Type:
        """The static type of ``node``, references counted as numbers."""
        return normal_type(self.checked.type_of(node))

    # -- constants ------------------------------------------------------------------------

    def is_constant(self, node: n.Node) -> bool:
        """True when ``node`` reads no field of the record (so Python can compute it now)."""
        key = id(node)
        known = self._constant.get(key)
        if known is None:
            if isinstance(node, n.Name):
                binding = self.checked.bindings.get(key)
                known = binding is not None and binding.kind == "variable"
            else:
                known = all(self.is_constant(child) for child in node.children())
            self._constant[key] = known
        return known

    def fold(self, node: n.Node) -> SqlValue:
        """Compute a constant sub-expression with the evaluator and bind its value."""
        part = replace(self.checked, node=node, type=self.checked.type_of(node))
        try:
            value = evaluate(part, {}, self.context)
        except EvaluationFailed as error:
            return self.refuse(
                node,
                _("This part of the filter cannot be computed: {reason}", reason=error.message),
            )
        try:
            return self.dialect.constant(value, self.type_of(node))
        except NotConstant:
            return SqlValue(null(), self.type_of(node), constant=value)

    # -- nodes ----------------------------------------------------------------------------

    def visit(self, node: n.Node) -> SqlValue:
        """The SQL value of ``node``."""
        if self.is_constant(node):
            return self.fold(node)
        if isinstance(node, n.Name):
            return self._name(node)
        if isinstance(node, n.Unary):
            return self._unary(node)
        if isinstance(node, n.Binary):
            return self._binary(node)
        if isinstance(node, n.Call):
            return compile_call(self, node)
        if isinstance(node, n.Member | n.Each):
            return self._navigation(node)
        return self.refuse(
            node,
            _(
                "A list can only follow `in` in a record filter, as in "
                "category in ['travel', 'meal']."
            ),
        )

    def field_name(self, node: n.Node) -> str | None:
        """The field ``node`` names directly (a bare top-level field), else None."""
        if isinstance(node, n.Name):
            binding = self.checked.bindings.get(id(node))
            if binding is not None and binding.kind == "field":
                return node.name
        return None

    def text_list_field(self, node: n.Node) -> str | None:
        """The field ``node`` names directly when it holds a list of texts (a multi-choice
        field, a region) or of ids (a users or departments picker), else None."""
        name = self.field_name(node)
        declared = self.checked.type_of(node)
        if (
            name is not None
            and isinstance(declared, ListType)
            and (declared.item == STRING or isinstance(declared.item, RefType))
        ):
            return name
        return None

    def _name(self, node: n.Name) -> SqlValue:
        if self.field_name(node) is None:
            return self._refuse_subtable(node)
        declared = self.checked.scope.fields[node.name]
        if normal_type(declared) in _SCALARS:
            return self.dialect.field(node.name, declared)
        return self.refuse(
            node,
            _(
                "The field `{name}` holds several values, which a record filter can only test "
                "with is_empty({name}).",
                name=node.name,
            ),
        )

    def _refuse_subtable(self, node: n.Node) -> SqlValue:
        return self.refuse(
            node,
            _(
                "Sub-table values cannot be used in a record filter. Add a computed field to the "
                "form (for example a total) and filter on that field."
            ),
        )

    def _navigation(self, node: n.Member | n.Each) -> SqlValue:
        target = self.checked.type_of(node.target)
        if isinstance(target, RefType):
            return self.refuse(
                node,
                _(
                    "`{text}` reads another record or the organisation chart, which a record "
                    "filter cannot do; filter on this form's own fields, such as the id in "
                    "`{field}`.",
                    text=_source_name(node),
                    field=_source_name(node.target),
                ),
            )
        return self._refuse_subtable(node)

    def _unary(self, node: n.Unary) -> SqlValue:
        operand = self.visit(node.operand)
        if node.op == "not":
            return SqlValue(not_(operand.expr), BOOLEAN)
        return self.dialect.negate(operand)

    def _binary(self, node: n.Binary) -> SqlValue:
        op = node.op
        if op in n.LOGICAL_OPS:
            left, right = self.visit(node.left), self.visit(node.right)
            joined = and_(left.expr, right.expr) if op == "and" else or_(left.expr, right.expr)
            return SqlValue(joined, BOOLEAN)
        if op in n.MEMBERSHIP_OPS:
            found = self._membership(node)
            return SqlValue(not_(found) if op == "not in" else found, BOOLEAN)
        if op in n.COMPARISON_OPS:
            return SqlValue(self._compare(node), BOOLEAN)
        return self._arithmetic(node)

    def _compare(self, node: n.Binary) -> Any:
        op = node.op
        if op in ("=", "!=") and (isinstance(node.left, n.Null) or isinstance(node.right, n.Null)):
            other = node.left if isinstance(node.right, n.Null) else node.right
            value = self.visit(other).expr
            return value.is_(None) if op == "=" else value.is_not(None)
        return self.dialect.compare(op, self.visit(node.left), self.visit(node.right))

    def _membership(self, node: n.Binary) -> Any:
        left = self.visit(node.left)
        right_type = self.checked.type_of(node.right)
        if right_type == STRING:
            haystack = self.visit(node.right)
            return self.dialect.contains_text(haystack.expr, left.expr)
        if self.is_constant(node.right):
            folded = self.fold(node.right)
            if folded.constant is None:
                return null()
            if not isinstance(folded.constant, list):
                return folded.expr
            item_type = right_type.item if isinstance(right_type, ListType) else NULL
            if item_type in (NULL, ANY):
                item_type = self.type_of(node.left)
            items = [self.dialect.constant(item, item_type) for item in folded.constant]
            return self.dialect.membership(left, items)
        if isinstance(node.right, n.ListOf):
            return self.dialect.membership(left, [self.visit(item) for item in node.right.items])
        name = self.text_list_field(node.right)
        if name is not None:
            return self.dialect.list_contains(name, left)
        return self._refuse_subtable(node.right).expr

    def _arithmetic(self, node: n.Binary) -> SqlValue:
        op = node.op
        left, right = self.visit(node.left), self.visit(node.right)
        lt, rt = self.type_of(node.left), self.type_of(node.right)
        result = self.type_of(node)
        if NULL in (lt, rt) or left.is_null_constant or right.is_null_constant:
            return SqlValue(typed_null(result), result, constant=None)
        if lt == rt == NUMBER:
            return self.dialect.arithmetic(op, left, right)
        if lt == rt == STRING:
            return self.dialect.concat(left, right)
        if lt == DATE and rt == NUMBER:
            if op == "+":
                return self.dialect.add_days(left, right)
            if right.is_constant:
                return self.dialect.add_days(left, self.dialect.constant(-right.constant, NUMBER))
            return self.dialect.add_days(left, self.dialect.negate(right))
        if lt == NUMBER and rt == DATE:
            return self.dialect.add_days(right, left)
        if lt == rt == DATE:
            return self.dialect.days_between(right, left)
        return self.refuse(
            node,
            _(
                "Date-times cannot be shifted or subtracted inside a record filter. Compare the "
                "field with a moment instead, for example submitted_at > now() - 7, or use "
                "hours_between()."
            ),
        )


def _source_name(node: n.Node) -> str:
    """``applicant.department`` for a chain of names (for messages)."""
    if isinstance(node, n.Name):
        return node.name
    if isinstance(node, n.Member):
        return f"{_source_name(node.target)}.{node.name}"
    if isinstance(node, n.Each):
        return f"{_source_name(node.target)}[]"
    return "…"


def compile_filter(
    checked: Checked,
    data: ColumnElement[Any] | QueryableAttribute[Any],
    *,
    dialect: str,
    context: EvalContext,
    slots: Mapping[str, str] | None = None,
) -> ColumnElement[bool]:
    """The SQL condition for ``checked`` (a boolean expression over one form's records).

    ``data`` is the JSON column (``Record.data``), ``dialect`` the SQLAlchemy dialect name,
    ``context`` the evaluation context (``today()``, ``now()``, the time zone, variables),
    ``slots`` the form's value slots (``FormVersion.index_slots``), read instead of the JSON
    document where given.
    Raises :class:`SourceError` listing every construct that cannot run in the database.
    """
    if not checked.ok:
        raise SourceError([d for d in checked.diagnostics if d.severity == "error"])
    column = data.expression if isinstance(data, QueryableAttribute) else data
    compiler = FilterCompiler(
        checked, dialect_for(dialect, column, context.timezone, slots), context
    )
    return compiler.compile()
