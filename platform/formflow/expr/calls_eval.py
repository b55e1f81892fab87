"""Evaluation of function calls: allowlisted functions, aggregates, conditionals, tables.

The checker has already chosen how each call runs (:class:`~formflow.expr.checker.CallPlan`):
which arguments are sub-table columns taken row by row, whether an aggregate has a row
formula, which lookup table a ``bracket``/``lookup`` reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from formflow.errors import EvaluationFailed
from formflow.expr import nodes
from formflow.expr.checker import Checked
from formflow.expr.context import EvalContext
from formflow.expr.functions import FUNCTIONS
from formflow.expr.functions.spec import Function
from formflow.expr.settings import setting_value
from formflow.expr.values import (
    DECIMALS,
    checked_list,
    checked_text,
    convert,
    loose,
    show,
    to_decimal,
)
from formflow.i18n import _


class EvalRun(Protocol):
    """What call evaluation needs from an evaluation run (:class:`~.evaluator.Evaluation`)."""

    checked: Checked
    context: EvalContext
    rows: list[Mapping[str, Any]]

    def eval(self, node: nodes.Node) -> Any:
        """The value of a sub-expression."""
        ...

    def step(self, count: int = 1) -> None:
        """Spend steps of the budget."""
        ...

    def is_column(self, node: nodes.Node) -> bool:
        """True when the node gives a sub-table column."""
        ...

    def rowwise(self, columns: list[bool], values: list[Any], fn: Callable[..., Any]) -> list[Any]:
        """Apply ``fn`` row by row."""
        ...


def eval_call(run: EvalRun, node: nodes.Call) -> Any:
    """The value of a call node."""
    plan = run.checked.calls[id(node)]
    lifted = id(node) in run.checked.lifted
    if node.name in {"if", "coalesce"}:
        return _conditional(run, node, lifted)
    if node.name in {"sum", "count", "avg", "min", "max"}:
        if plan.row_form:
            return _row_aggregate(run, node)
        if len(node.args) == 1:
            source = run.eval(node.args[0])
            return aggregate(node.name, source if isinstance(source, list) else [])
        return _extreme(run, node, lifted)
    if plan.table is not None:
        return _table(run, node, plan.table)
    if plan.setting is not None:
        return setting_value(run.context, plan.setting, run.checked.types.get(id(node)))
    function = FUNCTIONS[node.name]
    args = [run.eval(arg) for arg in node.args]
    if lifted:
        columns = [index in plan.lifted for index in range(len(args))]
        return run.rowwise(columns, args, lambda *row: call(run, function, list(row)))
    return call(run, function, args)


def call(run: EvalRun, function: Function, args: list[Any]) -> Any:
    """Call an allowlisted function with Python values (null in, null out unless it keeps nulls)."""
    if not function.keeps_nulls and any(arg is None for arg in args):
        return None
    try:
        result = function.impl(run.context, *args)
    except (TypeError, AttributeError, ValueError):
        raise EvaluationFailed(
            _(
                "`{name}` cannot use the values {values}.",
                name=function.name,
                values=", ".join(show(arg) for arg in args),
            )
        ) from None
    if isinstance(result, str):
        return checked_text(result)
    if isinstance(result, list):
        return checked_list(result)
    return result


def _conditional(run: EvalRun, node: nodes.Call, lifted: bool) -> Any:
    if lifted:
        args = [run.eval(arg) for arg in node.args]
        columns = [run.is_column(arg) for arg in node.args]
        if node.name == "if":
            return run.rowwise(columns, args, lambda c, a, b: a if c is True else b)
        return run.rowwise(columns, args, _first_present)
    if node.name == "if":
        return run.eval(node.args[1] if run.eval(node.args[0]) is True else node.args[2])
    for arg in node.args:
        value = run.eval(arg)
        if value is not None:
            return value
    return None


def _first_present(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def aggregate(name: str, values: list[Any]) -> Any:
    """``sum``/``count``/``avg``/``min``/``max`` over values; nulls are skipped, like SQL.

    ``sum`` of nothing is 0 (a form total with no rows is 0, not empty); ``avg``, ``min`` and
    ``max`` of nothing are null.
    """
    present = [value for value in values if value is not None]
    if name == "count":
        return Decimal(len(present))
    if name in {"sum", "avg"}:
        total = Decimal(0)
        for value in present:
            total = DECIMALS.add(total, to_decimal(value))
        if name == "sum":
            return total
        return DECIMALS.divide(total, Decimal(len(present))) if present else None
    if not present:
        return None
    try:
        return min(present) if name == "min" else max(present)
    except TypeError:
        raise EvaluationFailed(
            _("`{name}` cannot compare values of different kinds.", name=name)
        ) from None


def _row_aggregate(run: EvalRun, node: nodes.Call) -> Any:
    rows = run.eval(node.args[0])
    results: list[Any] = []
    for row in rows if isinstance(rows, list) else []:
        run.step()
        run.rows.append(row if isinstance(row, Mapping) else {})
        try:
            results.append(run.eval(node.args[1]))
        finally:
            run.rows.pop()
    if node.name == "count":
        return Decimal(sum(1 for value in results if value is True))
    return aggregate(node.name, results)


def _extreme(run: EvalRun, node: nodes.Call, lifted: bool) -> Any:
    """``min(a, b, ...)`` / ``max(a, b, ...)`` of single values; nulls are skipped."""
    args = [run.eval(arg) for arg in node.args]
    if lifted:
        columns = [run.is_column(arg) for arg in node.args]
        return run.rowwise(columns, args, lambda *row: aggregate(node.name, list(row)))
    return aggregate(node.name, args)


def _table(run: EvalRun, node: nodes.Call, name: str) -> Any:
    table = run.context.tables.get(name)
    if table is None:
        raise EvaluationFailed(
            _("The lookup table `{name}` is not available; install or create it.", name=name)
        )
    row_type = run.checked.scope.tables[name]
    value = run.eval(node.args[0] if node.name == "bracket" else node.args[1])
    if value is None:
        return None
    run.step(len(table.rows))
    if node.name == "lookup":
        wanted = loose(value)
        for row in table.rows:
            if loose(row.get(table.key)) == wanted:
                return convert(row, row_type, name)
        return None
    bounded: list[tuple[Decimal | None, Mapping[str, Any]]] = []
    for row in table.rows:
        bound = row.get(table.bound)
        bounded.append((None if bound is None else to_decimal(bound, f"{name}.{table.bound}"), row))
    bounded.sort(key=lambda pair: (pair[0] is None, pair[0] or Decimal(0)))
    for bound, row in bounded:
        if bound is None or value <= bound:
            return convert(row, row_type, name)
    return None
