"""Checker rules about people: approver rules against the org chart and the form.

Errors are things that can never work (a user or department that does not exist, a field
that does not hold people). Warnings are rules that resolve to nobody *in the current org*
for some initiators: the org changes without the flow being edited, so publishing is still
allowed, but the admin sees who would be affected and what the empty-approver policy does.
"""

from __future__ import annotations

from collections.abc import Iterable

from formflow.dsl.diagnosis import FormLike, Report, all_paths, did_you_mean, field_at
from formflow.dsl.model import ApproverRule, DeptKind, DeptRef, RuleKind, SubjectKind
from formflow.i18n import _
from formflow.orgchart import OrgChart

#: At most this many affected people are named in a warning.
NAMED = 5


def _names(org: OrgChart, users: list[int]) -> str:
    shown = ", ".join(org.display_name(user) for user in users[:NAMED])
    if len(users) > NAMED:
        shown += f" (+{len(users) - NAMED})"
    return shown


def _check_field(
    report: Report,
    form: FormLike | None,
    path: str | None,
    kind: str,
    line: int,
    column: int,
    also: frozenset[str] = frozenset(),
) -> None:
    """``path`` must name a field holding a ``kind`` (or one of the types in ``also``)."""
    if form is None or path is None:
        return
    found = field_at(form, path)
    if found is None:
        report.error(
            "unknown_field",
            _("The form has no field `{field}`.", field=path),
            line,
            column,
            did_you_mean(path, all_paths(form)),
        )
        return
    type_name = getattr(found, "type_name", kind)
    if type_name != kind and type_name not in also:
        code = "not_a_user_field" if kind == "user" else "not_a_department_field"
        report.error(
            code,
            _(
                "The field `{field}` holds {actual}, not a {expected}.",
                field=path,
                actual=type_name,
                expected=kind,
            ),
            line,
            column,
        )


#: Field types that hold several people or departments (accepted where a rule takes a list).
MANY_USERS = frozenset({"users"})
MANY_DEPARTMENTS = frozenset({"departments"})


def _check_dept(
    report: Report,
    ref: DeptRef | None,
    form: FormLike | None,
    org: OrgChart,
    rule: ApproverRule,
    also: frozenset[str] = frozenset(),
) -> int | None:
    if ref is None:
        return None
    if ref.kind is DeptKind.NAMED:
        dept = org.department_by_name(ref.value or "")
        if dept is None:
            names = [d.name for d in org.departments.values()]
            report.error(
                "unknown_department",
                _("There is no department named `{name}`.", name=ref.value),
                rule.line,
                rule.column,
                did_you_mean(ref.value or "", names),
            )
            return None
        return dept.id
    if ref.kind is DeptKind.FIELD:
        _check_field(report, form, ref.value, "department", rule.line, rule.column, also)
    return None


def check_rules(
    report: Report, rules: Iterable[ApproverRule], form: FormLike | None, org: OrgChart
) -> None:
    """Check each approver rule (see the module docstring)."""
    for rule in rules:
        _check_rule(report, rule, form, org)


def _check_rule(report: Report, rule: ApproverRule, form: FormLike | None, org: OrgChart) -> None:
    kind = rule.kind
    active = [user.id for user in org.users.values() if user.active]
    if kind is RuleKind.USER:
        for name in rule.names:
            if org.user_by_name(name) is None:
                report.error(
                    "unknown_user",
                    _("There is no user `{name}`.", name=name),
                    rule.line,
                    rule.column,
                    did_you_mean(name, [u.username for u in org.users.values()]),
                )
            elif not org.is_active(org.user_by_name(name).id):  # type: ignore[union-attr]
                report.warning(
                    "inactive_user",
                    _("The user `{name}` is inactive and will never be asked.", name=name),
                    rule.line,
                    rule.column,
                )
    elif kind is RuleKind.ROLE:
        dept_id = _check_dept(report, rule.dept, form, org, rule)
        if rule.dept is not None and rule.dept.kind is DeptKind.NAMED and dept_id is None:
            return
        members = org.members_of_role(rule.role or "", dept_id)
        if not members:
            report.warning(
                "role_empty",
                _(
                    "Nobody holds the role `{role}`{where}, so this rule finds nobody for any "
                    "initiator.",
                    role=rule.role,
                    where="" if dept_id is None else f" ({org.departments[dept_id].name})",
                ),
                rule.line,
                rule.column,
                _("Assign the role to someone, or say what happens with `on empty ...`."),
            )
        elif rule.dept is not None and rule.dept.kind is DeptKind.INITIATOR:
            missing = [
                user
                for user in active
                if not org.members_of_role(rule.role or "", org.users[user].department_id)
            ]
            if missing:
                report.warning(
                    "role_empty",
                    _(
                        "Nobody holds the role `{role}` in the department of {count} possible "
                        "initiator(s): {names}.",
                        role=rule.role,
                        count=len(missing),
                        names=_names(org, missing),
                    ),
                    rule.line,
                    rule.column,
                )
    elif kind is RuleKind.HEAD:
        dept_id = _check_dept(report, rule.dept, form, org, rule)
        if dept_id is not None and org.department_head(dept_id) is None:
            report.warning(
                "no_head",
                _(
                    "The department `{name}` has no head.",
                    name=rule.dept.value if rule.dept else "",
                ),
                rule.line,
                rule.column,
            )
        elif rule.dept is not None and rule.dept.kind is DeptKind.INITIATOR:
            missing = [user for user in active if org.head_of_users_department(user) is None]
            if missing:
                report.warning(
                    "no_head",
                    _(
                        "{count} possible initiator(s) have no department head: {names}.",
                        count=len(missing),
                        names=_names(org, missing),
                    ),
                    rule.line,
                    rule.column,
                )
    elif kind in (RuleKind.MANAGER, RuleKind.CHAIN, RuleKind.CHAIN_UNTIL):
        if rule.subject is SubjectKind.FIELD:
            _check_field(report, form, rule.subject_field, "user", rule.line, rule.column)
            return
        if kind is RuleKind.CHAIN_UNTIL and not org.members_of_role(rule.role or ""):
            report.warning(
                "role_empty",
                _(
                    "Nobody holds the role `{role}`, so the chain always runs to the top.",
                    role=rule.role,
                ),
                rule.line,
                rule.column,
            )
        level = rule.level if kind is RuleKind.MANAGER else 1
        missing = [user for user in active if org.manager_at_level(user, level) is None]
        if missing:
            report.warning(
                "no_manager",
                _(
                    "{count} possible initiator(s) have no manager at level {level}: {names}.",
                    count=len(missing),
                    level=level,
                    names=_names(org, missing),
                ),
                rule.line,
                rule.column,
                _("For them the step's `on empty` rule applies."),
            )
    elif kind is RuleKind.FIELD:
        _check_field(report, form, rule.path, "user", rule.line, rule.column, MANY_USERS)
    elif kind is RuleKind.MEMBERS:
        _check_members(report, rule, form, org, active)
    elif kind is RuleKind.EVERYONE and not active:
        report.warning(
            "nobody_active",
            _("There is no active user, so `everyone` finds nobody."),
            rule.line,
            rule.column,
            _("Add users to the organisation, or say what happens with `on empty ...`."),
        )
    elif kind is RuleKind.CHOSEN:
        check_rules(report, rule.candidates, form, org)


def _check_members(
    report: Report, rule: ApproverRule, form: FormLike | None, org: OrgChart, active: list[int]
) -> None:
    """``members(...)``: warn when the department (or an initiator's) has no active member."""
    dept_id = _check_dept(report, rule.dept, form, org, rule, MANY_DEPARTMENTS)
    if rule.dept is None:
        return
    if rule.dept.kind is DeptKind.NAMED and dept_id is not None:
        if not org.members_of_department(dept_id):
            report.warning(
                "no_members",
                _(
                    "The department `{name}` and its sub-departments have no active member, "
                    "so this rule finds nobody.",
                    name=rule.dept.value,
                ),
                rule.line,
                rule.column,
                _("Add people to it, or say what happens with `on empty ...`."),
            )
    elif rule.dept.kind is DeptKind.INITIATOR:
        missing = [user for user in active if org.users[user].department_id is None]
        if missing:
            report.warning(
                "no_members",
                _(
                    "{count} possible initiator(s) belong to no department, so for them this "
                    "rule finds nobody: {names}.",
                    count=len(missing),
                    names=_names(org, missing),
                ),
                rule.line,
                rule.column,
                _("For them the step's `on empty` rule applies."),
            )
