"""Checker rules for automatic actions: set, create, update, webhook, notify, cc."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from formflow.dsl.checks_people import check_rules
from formflow.dsl.diagnosis import (
    FormLike,
    Report,
    all_paths,
    check_expr,
    did_you_mean,
    field_at,
)
from formflow.dsl.model import Action, ActionKind
from formflow.expr import ListType, RowType, Scope
from formflow.i18n import _
from formflow.orgchart import OrgChart


def check_actions(
    report: Report,
    actions: Iterable[Action],
    form: FormLike | None,
    forms: Mapping[str, FormLike],
    scope: Scope,
    org: OrgChart,
) -> None:
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
            elif "." in (action.path or ""):
                report.error(
                    "set_column",
                    _(
                        "`set` writes a whole field; `{field}` is a sub-table column. Set the "
                        "sub-table, or use a formula column in the form.",
                        field=action.path,
                    ),
                    action.line,
                    action.column,
                )
            check_expr(report, action.value, scope, target)
        elif kind in (ActionKind.CREATE, ActionKind.UPDATE):
            _check_record_action(report, action, form, forms, scope)
        elif kind is ActionKind.WEBHOOK:
            url = action.url or ""
            if not url.startswith(("https://", "http://")):
                report.error(
                    "bad_url",
                    _(
                        "The webhook address `{url}` must start with https:// (or http://).",
                        url=url,
                    ),
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
                _(
                    "`{field}` is not a sub-table of the form, so there are no rows to go through.",
                    field=action.for_each,
                ),
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
                _(
                    "`{field}` is not a link field of the form, so it cannot say which record "
                    "to update.",
                    field=action.path,
                ),
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
                _(
                    "Creating a `{form}` record leaves required fields empty: {fields}.",
                    form=action.form,
                    fields=", ".join(missing),
                ),
                action.line,
                action.column,
                _("Add them to the mapping, e.g. `{field}: ...`.", field=missing[0]),
            )
