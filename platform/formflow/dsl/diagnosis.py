"""Shared pieces of the flow checker: the report, form lookups, expression checks."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol

from formflow.dsl.model import Expr
from formflow.errors import Diagnostic, Severity, SourceError
from formflow.expr import BOOLEAN, NUMBER, STRING, RefType, Scope, Type, check, parse
from formflow.i18n import Msg, _


class FieldLike(Protocol):
    """What the checker reads of a form field (``formflow.forms.FieldSpec`` fits)."""

    required: bool
    children: Mapping[str, Any]

    @property
    def type_name(self) -> str: ...

    @property
    def is_system(self) -> bool: ...


class FormLike(Protocol):
    """What the checker reads of a compiled form (``formflow.forms.CompiledForm`` fits)."""

    @property
    def scope(self) -> Scope: ...

    @property
    def fields(self) -> Mapping[str, Any]: ...


def did_you_mean(name: str, candidates: Iterable[str]) -> Msg | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return _("Did you mean `{name}`?", name=close[0]) if close else None


@dataclass
class Report:
    """Collects diagnostics while checking."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(
        self, code: str, message: Msg, line: int, column: int, hint: Msg | None = None
    ) -> None:
        self.items.append(Diagnostic(message, line, column, code=code, hint=hint))

    def warning(
        self, code: str, message: Msg, line: int, column: int, hint: Msg | None = None
    ) -> None:
        self.items.append(
            Diagnostic(message, line, column, severity=Severity.WARNING, code=code, hint=hint)
        )


def param_type(value: Any) -> Type:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, Decimal | int):
        return NUMBER
    return STRING


def flow_scope(form: FormLike | None, params: Mapping[str, Any]) -> Scope:
    """The scope of a flow's expressions: the form's fields, the params, ``initiator``."""
    variables: dict[str, Type] = {name: param_type(value) for name, value in params.items()}
    variables["initiator"] = RefType("user")
    base = form.scope if form is not None else Scope()
    return replace(base, variables={**base.variables, **variables})


def field_at(form: FormLike, path: str) -> Any | None:
    """The field (or sub-table column) at a dotted path, or None."""
    parts = path.split(".")
    fields: Mapping[str, Any] = form.fields
    found: Any = None
    for part in parts:
        found = fields.get(part)
        if found is None:
            return None
        fields = getattr(found, "children", None) or {}
    return found


def all_paths(form: FormLike) -> list[str]:
    out: list[str] = []
    for name, spec in form.fields.items():
        out.append(name)
        for child in getattr(spec, "children", None) or {}:
            out.append(f"{name}.{child}")
    return out


def check_expr(report: Report, expr: Expr | None, scope: Scope, expect: Type | None = None) -> None:
    """Type-check an embedded expression; its diagnostics already carry file positions."""
    if expr is None:
        return
    node = expr.node
    if node is None:  # a spec read back from JSON: parse the source again
        try:
            node = parse(expr.source)
        except SourceError as error:
            report.items.extend(d.shifted(expr.line, expr.column) for d in error.diagnostics)
            return
        checked = check(node, scope, expect)
        report.items.extend(d.shifted(expr.line, expr.column) for d in checked.diagnostics)
        return
    report.items.extend(check(node, scope, expect).diagnostics)
