"""``setting('name')``: reading a setting of the form's pack in an expression.

Packs declare settings (thresholds, allowances, rates) that an admin may change without
editing a definition. Flows read them as ``param``s; formulas, conditions and constraints read
them with ``setting('trip_daily_allowance')``. The name must be a quoted text, so which
settings a form depends on is known when it is saved.

Typing: when the scope knows the pack's settings (``Scope.settings``: pack lint, and the
services for installed packs), an unknown name is an error and the call has the setting's
type (a number, a text or true/false). When it does not (``None``), any name is accepted and
the value is typed when evaluated. Evaluating reads ``EvalContext.settings`` — the installed
packs' values by ``"<pack>.<name>"``, built by the services for each unit of work — and fails
with a clear message when the pack or the setting is not installed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from formflow.errors import EvaluationFailed
from formflow.expr import nodes
from formflow.expr.context import EvalContext
from formflow.expr.plans import CallPlan, CheckRun, suggestion
from formflow.expr.typesystem import ANY, BOOLEAN, NUMBER, STRING, Type
from formflow.expr.values import convert
from formflow.i18n import _


def setting_type(value: Any) -> Type:
    """The expression type of a setting's value (its default decides)."""
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int | float | Decimal):
        return NUMBER
    if isinstance(value, str):
        return STRING
    return ANY


def check_setting(checker: CheckRun, node: nodes.Call) -> Type:
    """Type ``setting('name')`` (see the module docstring)."""
    if len(node.args) != 1 or not isinstance(node.args[0], nodes.String):
        for arg in node.args:
            checker.visit(arg)
        checker.report(
            node,
            "setting_name",
            _(
                "`setting` takes the name of one setting in quotes, such as "
                "`setting('trip_daily_allowance')`."
            ),
        )
        return ANY
    name = node.args[0].value
    checker.types[id(node.args[0])] = STRING
    known = checker.scope.settings
    result: Type = ANY
    if known is not None:
        if name not in known:
            checker.report(
                node.args[0],
                "unknown_setting",
                _("There is no setting `{name}` in this form's pack.", name=name),
                suggestion(name, known),
            )
            return ANY
        result = known[name]
    checker.calls[id(node)] = CallPlan("setting", setting=checker.scope.setting_key(name))
    return result


def setting_value(context: EvalContext | None, key: str, expected: Type | None) -> Any:
    """The value of the setting ``key`` (``"oa.trip_daily_allowance"``) in ``context``."""
    values = context.settings if context is not None else {}
    if key not in values:
        raise EvaluationFailed(
            _(
                "The setting `{name}` is not available: install the pack it belongs to, or "
                "ask an administrator to set it.",
                name=key,
            )
        )
    raw = values[key]
    if expected is None or expected == ANY:
        expected = setting_type(raw)
    if isinstance(raw, float):
        raw = Decimal(str(raw))
    return convert(raw, expected, f"setting('{key}')")
