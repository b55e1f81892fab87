"""Checker rules per definition: one flow, one automation (see :mod:`formflow.dsl.checker`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from formflow.dsl import ast
from formflow.dsl.checks_actions import check_actions
from formflow.dsl.checks_graph import check_graph, check_structure
from formflow.dsl.checks_people import check_rules
from formflow.dsl.compiler import build_flow_spec, param_values
from formflow.dsl.diagnosis import (
    FormLike,
    Report,
    all_paths,
    check_expr,
    did_you_mean,
    field_at,
    flow_scope,
)
from formflow.dsl.model import Access, ActionKind, ModeKind, Pos, RuleKind
from formflow.dsl.spec import FlowSpec
from formflow.expr import BOOLEAN, DATE, DATETIME, Scope
from formflow.i18n import _
from formflow.orgchart import OrgChart


def _form(report: Report, name: str, pos: Pos, forms: Mapping[str, FormLike]) -> Any:
    form = forms.get(name)
    if form is None:
        report.error(
            "unknown_form",
            _("There is no form `{form}`.", form=name),
            pos.line,
            pos.column,
            did_you_mean(name, forms),
        )
    return form


def _check_settings(report: Report, flow: ast.FlowDef, settings: Mapping[str, Any]) -> None:
    declared = {param.name: param for param in flow.params}
    for name, value in settings.items():
        param = declared.get(name)
        if param is None:
            continue  # settings are shared by every flow of a pack; others may use it
        if (
            isinstance(param.value, bool) != isinstance(value, bool)
            or (isinstance(param.value, Decimal) and not isinstance(value, Decimal | int))
            or (isinstance(param.value, str) and not isinstance(value, str))
        ):
            report.error(
                "setting_type",
                _(
                    "The setting `{name}` = `{value}` does not fit the parameter's default "
                    "`{default}`.",
                    name=name,
                    value=value,
                    default=param.value,
                ),
                param.pos.line,
                param.pos.column,
            )


def check_flow_def(
    report: Report,
    flow: ast.FlowDef,
    forms: Mapping[str, FormLike],
    org: OrgChart,
    settings: Mapping[str, Any],
    source: str = "",
) -> FlowSpec:
    """Check one flow; returns its graph (built anyway, so the compiler can reuse it)."""
    form = _form(report, flow.form, flow.form_pos, forms)
    _check_settings(report, flow, settings)
    params = param_values(flow.params, settings)
    scope = flow_scope(form, params)
    check_structure(report, flow)
    for stmt in flow.policies:
        check_rules(report, stmt.rules, form, org)
    _check_body(report, flow.body, form, forms, scope, org)
    _check_flow_only(report, flow, form)
    spec = build_flow_spec(flow, settings, source)
    check_graph(report, spec)
    return spec


def _check_body(
    report: Report,
    body: tuple[ast.FlowNode, ...],
    form: FormLike | None,
    forms: Mapping[str, FormLike],
    scope: Scope,
    org: OrgChart,
) -> None:
    for item in body:
        if isinstance(item, ast.StepDef):
            _check_step(report, item, form, forms, scope, org)
        elif isinstance(item, ast.IfChain):
            for arm in item.arms:
                check_expr(report, arm.condition, scope, BOOLEAN)
                _check_body(report, arm.body, form, forms, scope, org)
            if item.otherwise is not None:
                _check_body(report, item.otherwise, form, forms, scope, org)
        elif isinstance(item, ast.ParallelDef):
            for branch in item.branches:
                check_expr(report, branch.condition, scope, BOOLEAN)
                _check_body(report, branch.body, form, forms, scope, org)


def _check_step(
    report: Report,
    step: ast.StepDef,
    form: FormLike | None,
    forms: Mapping[str, FormLike],
    scope: Scope,
    org: OrgChart,
) -> None:
    if step.assign is None and not step.actions:
        report.error(
            "empty_step",
            _(
                "The step `{name}` does nothing: give it `approve by ...`, `task by ...` or "
                "automatic actions.",
                name=step.name,
            ),
            step.pos.line,
            step.pos.column,
        )
    if step.assign is not None:
        check_rules(report, step.assign.rules, form, org)
        mode = step.assign.mode
        if mode is not None and mode.kind is ModeKind.VOTE and mode.threshold is not None:
            fixed = sum(len(r.names) for r in step.assign.rules if r.kind is RuleKind.USER)
            only_users = all(r.kind is RuleKind.USER for r in step.assign.rules)
            too_big = (mode.percent and mode.threshold > 100) or (
                not mode.percent and only_users and mode.threshold > fixed
            )
            if mode.threshold <= 0 or too_big:
                report.error(
                    "bad_vote",
                    _(
                        "`vote {threshold}` can never be reached by the people of this step.",
                        threshold=f"{mode.threshold}{'%' if mode.percent else ''}",
                    ),
                    step.assign.pos.line,
                    step.assign.pos.column,
                )
    for stmt in step.policies:
        check_rules(report, stmt.rules, form, org)
    for timeout in step.timeouts:
        check_rules(report, timeout.to, form, org)
    if form is not None:
        for perm in step.permissions:
            if field_at(form, perm.path) is None:
                report.error(
                    "unknown_field",
                    _("The form has no field `{field}`.", field=perm.path),
                    perm.line,
                    perm.column,
                    did_you_mean(perm.path, all_paths(form)),
                )
    _check_requires(report, step, form)
    check_actions(report, step.actions, form, forms, scope, org)


def _check_requires(report: Report, step: ast.StepDef, form: FormLike | None) -> None:
    """``require`` names existing fields, and only on steps people complete."""
    for requirement in step.requires:
        if step.assign is None:
            report.error(
                "require_auto",
                _(
                    "The automatic step `{name}` is completed by nobody, so it cannot require "
                    "fields; put `require` on the step whose people fill them in.",
                    name=step.name,
                ),
                requirement.pos.line,
                requirement.pos.column,
            )
        if form is None:
            continue
        for path in requirement.paths:
            if field_at(form, path) is None:
                report.error(
                    "unknown_field",
                    _("The form has no field `{field}`.", field=path),
                    requirement.pos.line,
                    requirement.pos.column,
                    did_you_mean(path, all_paths(form)),
                )


def _edited_paths(body: tuple[ast.FlowNode, ...]) -> set[str]:
    """Every field path some step of ``body`` (at any depth) makes editable."""
    found: set[str] = set()
    for item in body:
        if isinstance(item, ast.StepDef):
            found.update(p.path for p in item.permissions if p.access is Access.EDIT)
            found.update(a.path for a in item.actions if a.kind is ActionKind.SET and a.path)
        elif isinstance(item, ast.IfChain):
            for arm in item.arms:
                found |= _edited_paths(arm.body)
            found |= _edited_paths(item.otherwise or ())
        elif isinstance(item, ast.ParallelDef):
            for branch in item.branches:
                found |= _edited_paths(branch.body)
    return found


def _check_flow_only(report: Report, flow: ast.FlowDef, form: FormLike | None) -> None:
    """Warn about fields only the flow fills (``x-flow-only``) that no step lets anyone fill."""
    flow_only = tuple(getattr(form, "flow_only", ()) or ())
    if not flow_only:
        return
    edited = _edited_paths(flow.body)
    for name in flow_only:
        if name not in edited and not any(path.startswith(f"{name}.") for path in edited):
            report.warning(
                "flow_only_not_edited",
                _(
                    "The field `{field}` is filled in only during the flow (x-flow-only), but "
                    "no step lets anyone fill it in.",
                    field=name,
                ),
                flow.pos.line,
                flow.pos.column,
                _("Add `edit {field}` to the step whose people fill it in.", field=name),
            )


def check_automation(
    report: Report, auto: ast.AutomationDef, forms: Mapping[str, FormLike], org: OrgChart
) -> None:
    form = _form(report, auto.form, auto.form_pos, forms)
    scope = flow_scope(form, {})
    if not auto.triggers:
        report.error(
            "no_trigger",
            _(
                "The automation `{name}` never runs: add a trigger such as `when created` or "
                "`every day at 09:00`.",
                name=auto.name,
            ),
            auto.pos.line,
            auto.pos.column,
        )
    for trigger in auto.triggers:
        for path in trigger.paths:
            if form is None:
                continue
            if field_at(form, path) is None:
                report.error(
                    "unknown_field",
                    _("The form has no field `{field}`.", field=path),
                    trigger.pos.line,
                    trigger.pos.column,
                    did_you_mean(path, all_paths(form)),
                )
            elif trigger.kind in (
                ast.TriggerKind.BEFORE_DATE,
                ast.TriggerKind.AFTER_DATE,
            ) and form.scope.fields.get(path) not in (DATE, DATETIME):
                report.error(
                    "not_date",
                    _(
                        "`{field}` is not a date, so nothing can happen days before or after it.",
                        field=path,
                    ),
                    trigger.pos.line,
                    trigger.pos.column,
                )
    check_expr(report, auto.where, scope, BOOLEAN)
    check_actions(report, auto.actions, form, forms, scope, org)
