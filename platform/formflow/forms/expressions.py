"""Expressions inside a form definition, compiled with ``formflow.expr``.

Formulas, UI conditions, constraints, status rules and rollup filters are expressions of the
platform's one language. This module compiles one of them against a scope and turns the
language's diagnostics (line and column inside the expression) into definition
:class:`~formflow.errors.Issue` objects at the JSON path of the expression, so a designer sees
"$.schema.properties.total.x-formula: column 5: unknown field `amout` — did you mean
`amount`?" and nothing is raised.
"""

from __future__ import annotations

from formflow.errors import Diagnostic, Issue, Severity, SourceError
from formflow.expr import Checked, Scope, Type, compile_expression
from formflow.forms.quoting import quote
from formflow.i18n import _


def compile_at(
    source: object, scope: Scope, expect: Type | None, path: str
) -> tuple[Checked | None, list[Issue]]:
    """Compile the expression found at ``path``; the result, or None and the problems."""
    if not isinstance(source, str) or not source.strip():
        return None, [
            Issue(
                path,
                _(
                    "An expression is expected here (a text such as {example}), not {value}.",
                    example="amount > 1000",
                    value=quote(source),
                ),
                "expression_invalid",
            )
        ]
    try:
        checked = compile_expression(source, scope, expect)
    except SourceError as exc:
        return None, [
            diagnostic_issue(diagnostic, path)
            for diagnostic in exc.diagnostics
            if diagnostic.severity is Severity.ERROR
        ] or [Issue(path, exc.message, "expression_invalid")]
    return checked, []


def diagnostic_issue(diagnostic: Diagnostic, path: str) -> Issue:
    """One expression diagnostic as a definition issue at ``path``, keeping its position."""
    if diagnostic.hint is not None:
        message = _(
            "line {line}, column {column}: {message} {hint}",
            line=diagnostic.line,
            column=diagnostic.column,
            message=diagnostic.message,
            hint=diagnostic.hint,
        )
    else:
        message = _(
            "line {line}, column {column}: {message}",
            line=diagnostic.line,
            column=diagnostic.column,
            message=diagnostic.message,
        )
    return Issue(path, message, f"expression_{diagnostic.code}")
