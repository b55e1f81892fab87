"""Everything from outside an instance that the engine needs: clock, org, calendar, data.

The engine has no clock and does no I/O; services build an :class:`EngineContext` per event.
Expressions (conditions, ``set`` values, mappings) are evaluated through the
:class:`ExpressionPort`; :class:`FormExpressions` is the standard one, built from the bound
form's expression scope (``compile_form(...).scope``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from formflow.dsl.model import Duration, DurationUnit, Expr
from formflow.errors import EvaluationFailed
from formflow.expr import (
    ANY,
    BOOLEAN,
    NUMBER,
    STRING,
    EvalContext,
    ListType,
    RefType,
    RowType,
    ScalarType,
    Scope,
    Type,
    compile_expression,
    evaluate,
)
from formflow.i18n import _
from formflow.orgchart import OrgChart
from formflow.workcalendar import WorkCalendar


class ExpressionPort(Protocol):
    """Evaluates an embedded expression over record data and named variables."""

    def evaluate(
        self, expr: Expr, data: Mapping[str, Any], variables: Mapping[str, Any]
    ) -> Any: ...


def variable_type(value: Any) -> Type:
    """The expression type of a flow variable's value (params, ``initiator``, ``row``)."""
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, Decimal | int):
        return NUMBER
    if isinstance(value, str):
        return STRING
    return ANY


@dataclass
class FormExpressions:
    """The standard :class:`ExpressionPort`: compiles each source once against ``scope``.

    ``row`` (inside ``create ... for each items``) is typed as a row of that sub-table.
    """

    scope: Scope
    context: EvalContext | None = None
    _cache: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = field(default_factory=dict)

    def evaluate(self, expr: Expr, data: Mapping[str, Any], variables: Mapping[str, Any]) -> Any:
        types: dict[str, Type] = {}
        for name, value in variables.items():
            if name == "initiator":
                types[name] = RefType("user")
            elif name == "row" and isinstance(value, Mapping):
                types[name] = _row_type(self.scope, value)
            else:
                types[name] = variable_type(value)
        key = (expr.source, tuple(sorted((k, repr(v)) for k, v in types.items())))
        checked = self._cache.get(key)
        if checked is None:
            scope = replace(self.scope, variables={**self.scope.variables, **types})
            checked = compile_expression(expr.source, scope)
            self._cache[key] = checked
        base = self.context if self.context is not None else EvalContext.current()
        context = replace(base, variables={**base.variables, **variables})
        return evaluate(checked, data, context)


def _row_type(scope: Scope, row: Mapping[str, Any]) -> Type:
    for field_type in scope.fields.values():
        if isinstance(field_type, ListType) and isinstance(field_type.item, RowType):
            columns = field_type.item.fields
            if set(row) <= set(columns):
                return field_type.item
    return RowType(dict.fromkeys(row, ANY))


@dataclass(frozen=True)
class EngineContext:
    """The outside world at the moment of one event.

    ``now`` is an aware date-time; ``data`` the record's current data; ``calendars`` the work
    calendars by key (a flow picks one with ``calendar "key"``, else ``calendar`` is used);
    ``expressions`` evaluates conditions and mappings (required as soon as a flow has any).
    """

    now: datetime
    org: OrgChart
    data: Mapping[str, Any] = field(default_factory=dict)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    calendars: Mapping[str, WorkCalendar] = field(default_factory=dict)
    expressions: ExpressionPort | None = None

    def calendar_for(self, key: str | None) -> WorkCalendar:
        if key is not None and key in self.calendars:
            return self.calendars[key]
        return self.calendar

    def due(
        self, after: Duration, calendar_key: str | None, start: datetime | None = None
    ) -> datetime:
        """The moment ``after`` has passed since ``start`` (default ``now``).

        Working days keep the time of day: 3 workdays after Friday 10:00 is Wednesday 10:00
        (with a normal weekend).
        """
        moment = start or self.now
        if after.unit is DurationUnit.MINUTES:
            return moment + timedelta(minutes=after.amount)
        if after.unit is DurationUnit.HOURS:
            return moment + timedelta(hours=after.amount)
        if after.unit is DurationUnit.DAYS:
            return moment + timedelta(days=after.amount)
        day = self.calendar_for(calendar_key).add_workdays(moment.date(), after.amount)
        return moment + timedelta(days=(day - moment.date()).days)

    def evaluate(self, expr: Expr, data: Mapping[str, Any], variables: Mapping[str, Any]) -> Any:
        if self.expressions is None:
            raise EvaluationFailed(
                _(
                    "The flow needs to evaluate `{source}` but no expression evaluator was "
                    "given to the engine.",
                    source=expr.source,
                )
            )
        return self.expressions.evaluate(expr, data, variables)


__all__ = ["EngineContext", "ExpressionPort", "FormExpressions", "ScalarType"]
