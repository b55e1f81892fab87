"""The flow checker: every problem of a flow file at once, with position and a hint.

:func:`check_flow` is pure: source text + the forms it may name + an org snapshot in,
diagnostics out. It never raises. What it reports (each ``code`` is tested):

* syntax errors (``formflow.dsl.syntax_errors``), then per definition:
* ``unknown_form``, ``duplicate_flow``, ``duplicate_step``, ``empty_step``;
* expressions: unknown fields and type errors (the expression checker's own codes), conditions
  that are not true/false;
* ``unknown_field`` in field permissions (sub-table columns as ``items.amount``);
* approvers: ``unknown_user``, ``unknown_department``, ``not_a_user_field`` (errors) and rules
  that resolve to nobody in the current org: ``role_empty``, ``no_manager``, ``no_head``
  (warnings naming who is affected);
* routing: ``unknown_step`` (goto, return, withdraw), ``goto_region``, ``no_default``,
  ``join_count``, ``never_joins``, ``unreachable``, ``no_end``, ``bad_vote``;
* actions: ``unknown_target_field``, ``unmapped_required``, ``not_subtable``, ``not_link``,
  ``bad_url``; settings: ``unknown_setting``, ``setting_type``;
* automations: ``no_trigger``, ``not_date``.

Checks about approvers and graphs live in :mod:`formflow.dsl.checks_people` and
:mod:`formflow.dsl.checks_graph`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol

from formflow.dsl import ast
from formflow.dsl.model import Action, ActionKind, Expr
from formflow.errors import Diagnostic, Severity, SourceError
from formflow.expr import BOOLEAN, NUMBER, STRING, ListType, RefType, RowType, Scope, Type, check
from formflow.i18n import Msg, _
from formflow.orgchart import OrgChart


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
        for child in (getattr(spec, "children", None) or {}):
            out.append(f"{name}.{child}")
    return out


def check_expr(
    report: Report, expr: Expr | None, scope: Scope, expect: Type | None = None
) -> None:
    """Type-check an embedded expression; its diagnostics already carry file positions."""
    if expr is None:
        return
    node = expr.node
    if node is None:
        from formflow.expr import parse

        try:
            node = parse(expr.source)
        except SourceError as error:
            report.items.extend(d.shifted(expr.line, expr.column) for d in error.diagnostics)
            return
        checked = check(node, scope, expect)
        report.items.extend(d.shifted(expr.line, expr.column) for d in checked.diagnostics)
        return
    report.items.extend(check(node, scope, expect).diagnostics)


def check_actions(
    report: Report,
    actions: Iterable[Action],
    form: FormLike | None,
    forms: Mapping[str, FormLike],
    scope: Scope,
    org: OrgChart,
) -> None:
    from formflow.dsl.checks_people import check_rules

    for action in actions:
        kind = action.kind
        if kind is ActionKind.SET:
            target = None if form is None else scope.fields.get((action.path or "").split(".")[0])
            if form is not None and field_at(form, action.path or "") is None:
                report.error(
                    "unknown_field",
                    _("The form has no field `{field}` to set.", field=action.path),
                    action.line,
                    action.column,
                    did_you_mean(action.path or "", all_paths(form)),
                )
            check_expr(report, action.value, scope, target)
        elif kind in (ActionKind.CREATE, ActionKind.UPDATE):
            _check_record_action(report, action, form, forms, scope)
        elif kind is ActionKind.WEBHOOK:
            url = action.url or ""
            if not (url.startswith("https://") or url.startswith("http://")):
                report.error(
                    "bad_url",
                    _("The webhook address `{url}` must start with https:// (or http://).",
                      url=url),
                    action.line,
                    action.column,
                )
            for _name, expr in action.mapping:
                check_expr(report, expr, scope)
        elif kind in (ActionKind.NOTIFY, ActionKind.CC):
            check_rules(report, action.recipients, form, org)


def _check_record_action(
    report: Report,
    action: Action,
    form: FormLike | None,
    forms: Mapping[str, FormLike],
    scope: Scope,
) -> None:
    target = forms.get(action.form or "")
    if target is None:
        report.error(
            "unknown_form",
            _("There is no form `{form}`.", form=action.form),
            action.line,
            action.column,
            did_you_mean(action.form or "", forms),
        )
    row_scope = scope
    if action.kind is ActionKind.CREATE and action.for_each and form is not None:
        table = scope.fields.get(action.for_each)
        if not (isinstance(table, ListType) and isinstance(table.item, RowType)):
            report.error(
                "not_subtable",
                _("`{field}` is not a sub-table of the form, so there are no rows to go "
                  "through.", field=action.for_each),
                action.line,
                action.column,
                did_you_mean(action.for_each, form.fields),
            )
        else:
            row_scope = replace(scope, variables={**scope.variables, "row": table.item})
    if action.kind is ActionKind.UPDATE and form is not None:
        link = field_at(form, action.path or "")
        if link is None or getattr(link, "type_name", "link") != "link":
            report.error(
                "not_link",
                _("`{field}` is not a link field of the form, so it cannot say which record "
                  "to update.", field=action.path),
                action.line,
                action.column,
            )
    mapped = {name for name, _expr in action.mapping}
    for name, expr in action.mapping:
        expected = None
        if target is not None:
            if name not in target.fields:
                report.error(
                    "unknown_target_field",
                    _("The form `{form}` has no field `{field}`.", form=action.form, field=name),
                    expr.line,
                    expr.column,
                    did_you_mean(name, target.fields),
                )
            else:
                expected = target.scope.fields.get(name)
        check_expr(report, expr, row_scope, expected)
    if target is not None and action.kind is ActionKind.CREATE:
        missing = [
            name
            for name, spec in target.fields.items()
            if getattr(spec, "required", False)
            and not getattr(spec, "is_system", False)
            and name not in mapped
        ]
        if missing:
            report.error(
                "unmapped_required",
                _("Creating a `{form}` record leaves required fields empty: {fields}.",
                  form=action.form, fields=", ".join(missing)),
                action.line,
                action.column,
                _("Add them to the mapping, e.g. `{field}: ...`.", field=missing[0]),
            )


def check_flow(
    source: str,
    *,
    forms: Mapping[str, FormLike],
    org: OrgChart,
    settings: Mapping[str, Any] | None = None,
) -> list[Diagnostic]:
    """Every problem in a flow file (errors and warnings), sorted by position. Never raises."""
    from formflow.dsl.checks_definitions import check_automation, check_flow_def
    from formflow.dsl.parser import parse_flow_file

    try:
        tree = parse_flow_file(source)
    except SourceError as error:
        return list(error.diagnostics)
    report = Report()
    seen: dict[str, ast.FlowDef | ast.AutomationDef] = {}
    for definition in (*tree.flows, *tree.automations):
        if definition.name in seen:
            report.error(
                "duplicate_flow",
                _("`{name}` is defined twice in this file.", name=definition.name),
                definition.pos.line,
                definition.pos.column,
            )
        seen[definition.name] = definition
    for flow in tree.flows:
        check_flow_def(report, flow, forms, org, settings or {})
    for automation in tree.automations:
        check_automation(report, automation, forms, org)
    return sorted(report.items, key=lambda d: (d.line, d.column))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == Severity.ERROR for d in diagnostics)
