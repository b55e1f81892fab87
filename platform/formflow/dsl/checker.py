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
  ``bad_url``, ``set_column``; settings: ``setting_type``;
* automations: ``no_trigger``, ``not_date``.

Rules live in :mod:`formflow.dsl.checks_people`, `checks_actions`, `checks_graph` and
`checks_definitions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from formflow.dsl import ast
from formflow.dsl.checks_definitions import check_automation, check_flow_def
from formflow.dsl.diagnosis import FormLike, Report
from formflow.dsl.parser import parse_flow_file
from formflow.dsl.spec import FlowSpec
from formflow.errors import Diagnostic, Severity, SourceError
from formflow.i18n import _
from formflow.orgchart import OrgChart

__all__ = ["FormLike", "check_flow", "check_tree", "has_errors"]


def check_flow(
    source: str,
    *,
    forms: Mapping[str, FormLike],
    org: OrgChart,
    settings: Mapping[str, Any] | None = None,
) -> list[Diagnostic]:
    """Every problem in a flow file (errors and warnings), sorted by position. Never raises."""
    try:
        tree = parse_flow_file(source)
    except SourceError as error:
        return list(error.diagnostics)
    diagnostics, _specs = check_tree(tree, forms=forms, org=org, settings=settings, source=source)
    return diagnostics


def check_tree(
    tree: ast.FlowFile,
    *,
    forms: Mapping[str, FormLike],
    org: OrgChart,
    settings: Mapping[str, Any] | None = None,
    source: str = "",
) -> tuple[list[Diagnostic], dict[str, FlowSpec]]:
    """Check a parsed file; the diagnostics and the graphs built on the way (by flow name)."""
    report = Report()
    specs: dict[str, FlowSpec] = {}
    seen: dict[str, ast.FlowDef | ast.AutomationDef] = {}
    definitions: list[ast.FlowDef | ast.AutomationDef] = [*tree.flows, *tree.automations]
    for definition in definitions:
        if definition.name in seen:
            report.error(
                "duplicate_flow",
                _("`{name}` is defined twice in this file.", name=definition.name),
                definition.pos.line,
                definition.pos.column,
            )
        seen[definition.name] = definition
    for flow in tree.flows:
        specs[flow.name] = check_flow_def(report, flow, forms, org, settings or {}, source)
    for automation in tree.automations:
        check_automation(report, automation, forms, org)
    return sorted(report.items, key=lambda d: (d.line, d.column)), specs


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == Severity.ERROR for d in diagnostics)
