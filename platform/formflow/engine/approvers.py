"""Who is asked at a step, and why: approver rules resolved over the org chart.

Every person found comes with an explanation message ("manager of 张三, level 2: 李四") that
the simulator, the timeline and the designer show. Inactive users are never asked; they are
explained ("… is inactive and was skipped") so an admin can see why a step went empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from formflow.dsl.model import ApproverRule, DeptKind, DeptRef, RuleKind, SubjectKind
from formflow.i18n import Msg, _
from formflow.orgchart import OrgChart


@dataclass
class Resolution:
    """People found (in order, without repeats) and one explanation per line."""

    users: list[int] = field(default_factory=list)
    explanations: list[Msg] = field(default_factory=list)

    def add(self, user: int, why: Msg) -> None:
        self.explanations.append(why)
        if user not in self.users:
            self.users.append(user)


def _ids(raw: Any) -> list[int]:
    if raw is None or isinstance(raw, bool):
        return []
    if isinstance(raw, list | tuple):
        return [int(item) for item in raw if isinstance(item, int | str) and str(item).isdigit()]
    if isinstance(raw, int):
        return [raw]
    if isinstance(raw, str) and raw.isdigit():
        return [int(raw)]
    return []


def _field(data: Mapping[str, Any], path: str | None) -> Any:
    value: Any = data
    for part in (path or "").split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _field_ids(data: Mapping[str, Any], path: str | None) -> list[int]:
    """Every id in the field at ``path``: one id, a list of ids, or a sub-table column
    (``targets.department``: the column's value in every row), in order, without repeats."""
    values: list[Any] = [data]
    for part in (path or "").split("."):
        found: list[Any] = []
        for value in values:
            if isinstance(value, Mapping):
                found.append(value.get(part))
            elif isinstance(value, list | tuple):
                found.extend(row.get(part) for row in value if isinstance(row, Mapping))
        values = found
    ids: list[int] = []
    for value in values:
        for ident in _ids(value):
            if ident not in ids:
                ids.append(ident)
    return ids


def _departments(
    ref: DeptRef | None, org: OrgChart, initiator: int, data: Mapping[str, Any]
) -> list[tuple[int | None, str]]:
    """The departments a ``members(...)`` rule names: (id or None when unknown, name)."""
    if ref is None:
        return []
    if ref.kind is not DeptKind.FIELD:
        return [_department(ref, org, initiator, data)]
    out: list[tuple[int | None, str]] = []
    for dept_id in _field_ids(data, ref.value):
        dept = org.departments.get(dept_id)
        out.append((dept.id, dept.name) if dept else (None, f"#{dept_id}"))
    return out


#: At most this many names are listed in one explanation line of a group of people.
LISTED = 10


def _listed(org: OrgChart, users: Sequence[int]) -> str:
    shown = ", ".join(org.display_name(user) for user in users[:LISTED])
    if len(users) > LISTED:
        shown += f" (+{len(users) - LISTED})"
    return shown


def _group(out: Resolution, users: Sequence[int], why: Msg) -> None:
    """Add a group of (active) people explained by one line."""
    out.explanations.append(why)
    for user in users:
        if user not in out.users:
            out.users.append(user)


def _department(
    ref: DeptRef | None, org: OrgChart, initiator: int, data: Mapping[str, Any]
) -> tuple[int | None, str]:
    if ref is None:
        return None, ""
    if ref.kind is DeptKind.NAMED:
        dept = org.department_by_name(ref.value or "")
        return (dept.id if dept else None), ref.value or ""
    if ref.kind is DeptKind.INITIATOR:
        user = org.user(initiator)
        dept_id = user.department_id if user else None
    else:
        ids = _ids(_field(data, ref.value))
        dept_id = ids[0] if ids else None
    dept = org.departments.get(dept_id) if dept_id is not None else None
    return dept_id, dept.name if dept else "?"


def _subject(rule: ApproverRule, initiator: int, data: Mapping[str, Any]) -> int | None:
    if rule.subject is SubjectKind.INITIATOR:
        return initiator
    ids = _ids(_field(data, rule.subject_field))
    return ids[0] if ids else None


def resolve(
    rules: Sequence[ApproverRule],
    org: OrgChart,
    initiator: int,
    data: Mapping[str, Any],
    chosen: Sequence[int] = (),
) -> Resolution:
    """Resolve ``rules`` in order; the union of the people found, explained line by line."""
    out = Resolution()
    for rule in rules:
        _resolve_one(rule, org, initiator, data, chosen, out)
    return out


def _person(org: OrgChart, user: int, why: Msg, out: Resolution) -> None:
    if org.is_active(user):
        out.add(user, why)
    else:
        out.explanations.append(
            _(
                "{reason} — {name} is inactive and was skipped.",
                reason=why,
                name=org.display_name(user),
            )
        )


def _resolve_one(
    rule: ApproverRule,
    org: OrgChart,
    initiator: int,
    data: Mapping[str, Any],
    chosen: Sequence[int],
    out: Resolution,
) -> None:
    kind = rule.kind
    if kind is RuleKind.USER:
        for name in rule.names:
            user = org.user_by_name(name)
            if user is None:
                out.explanations.append(_("There is no user `{name}`.", name=name))
                continue
            _person(org, user.id, _("named user: {name}", name=user.display_name), out)
    elif kind is RuleKind.INITIATOR:
        _person(org, initiator, _("the initiator: {name}", name=org.display_name(initiator)), out)
    elif kind is RuleKind.ROLE:
        dept_id, dept_name = _department(rule.dept, org, initiator, data)
        if rule.dept is not None and dept_id is None:
            out.explanations.append(
                _(
                    "role {role}: the department `{dept}` was not found.",
                    role=rule.role,
                    dept=dept_name,
                )
            )
            return
        members = org.members_of_role(rule.role or "", dept_id)
        if not members:
            out.explanations.append(_("role {role}: nobody holds it.", role=rule.role))
        for user_id in members:
            why = (
                _(
                    "role {role} in {dept}: {name}",
                    role=rule.role,
                    dept=dept_name,
                    name=org.display_name(user_id),
                )
                if dept_id is not None
                else _("role {role}: {name}", role=rule.role, name=org.display_name(user_id))
            )
            _person(org, user_id, why, out)
    elif kind is RuleKind.HEAD:
        dept_id, dept_name = _department(rule.dept, org, initiator, data)
        head = org.department_head(dept_id)
        if head is None:
            out.explanations.append(_("head of {dept}: there is none.", dept=dept_name))
        else:
            why = _("head of {dept}: {name}", dept=dept_name, name=org.display_name(head))
            _person(org, head, why, out)
    elif kind in (RuleKind.MANAGER, RuleKind.CHAIN, RuleKind.CHAIN_UNTIL):
        subject = _subject(rule, initiator, data)
        if subject is None:
            out.explanations.append(
                _(
                    "The field `{field}` names nobody whose manager could be asked.",
                    field=rule.subject_field,
                )
            )
            return
        _managers(rule, org, subject, out)
    elif kind is RuleKind.FIELD:
        ids = _field_ids(data, rule.path)
        if not ids:
            out.explanations.append(_("The field `{field}` is empty.", field=rule.path))
        for user_id in ids:
            if org.user(user_id) is None:
                out.explanations.append(
                    _(
                        "The field `{field}` names an unknown user ({id}).",
                        field=rule.path,
                        id=user_id,
                    )
                )
                continue
            why = _(
                "picked in field {field}: {name}", field=rule.path, name=org.display_name(user_id)
            )
            _person(org, user_id, why, out)
    elif kind is RuleKind.MEMBERS:
        _members(rule, org, initiator, data, out)
    elif kind is RuleKind.EVERYONE:
        everyone = sorted(user.id for user in org.users.values() if user.active)
        if not everyone:
            out.explanations.append(_("everyone: there is no active user."))
        else:
            _group(
                out,
                everyone,
                _(
                    "everyone ({count}): {names}",
                    count=len(everyone),
                    names=_listed(org, everyone),
                ),
            )
    elif kind is RuleKind.CHOSEN:
        if not chosen:
            out.explanations.append(_("The initiator chose nobody for this step."))
        for user_id in chosen:
            why = _("chosen by the initiator: {name}", name=org.display_name(user_id))
            _person(org, user_id, why, out)


def _members(
    rule: ApproverRule,
    org: OrgChart,
    initiator: int,
    data: Mapping[str, Any],
    out: Resolution,
) -> None:
    """Every active member of each named department and the departments below it."""
    departments = _departments(rule.dept, org, initiator, data)
    if not departments and rule.dept is not None and rule.dept.kind is DeptKind.FIELD:
        out.explanations.append(_("The field `{field}` is empty.", field=rule.dept.value))
    for dept_id, name in departments:
        if dept_id is None:
            out.explanations.append(
                _("members of {dept}: the department was not found.", dept=name)
            )
            continue
        members = org.members_of_department(dept_id)
        if not members:
            out.explanations.append(_("members of {dept}: there is nobody.", dept=name))
            continue
        why = _("members of {dept}: {names}", dept=name, names=_listed(org, members))
        _group(out, members, why)


def _managers(rule: ApproverRule, org: OrgChart, subject: int, out: Resolution) -> None:
    who = org.display_name(subject)
    if rule.kind is RuleKind.MANAGER:
        manager = org.manager_at_level(subject, rule.level)
        if manager is None:
            out.explanations.append(
                _("manager of {user}, level {level}: there is none.", user=who, level=rule.level)
            )
            return
        why = _(
            "manager of {user}, level {level}: {name}",
            user=who,
            level=rule.level,
            name=org.display_name(manager),
        )
        _person(org, manager, why, out)
        return
    if rule.kind is RuleKind.CHAIN:
        chain = org.manager_chain(subject, rule.level)
    else:
        chain = org.manager_chain_until_role(subject, rule.role or "")
    if not chain:
        out.explanations.append(_("manager of {user}: there is none.", user=who))
    for level, manager in enumerate(chain, start=1):
        why = _(
            "manager of {user}, level {level}: {name}",
            user=who,
            level=level,
            name=org.display_name(manager),
        )
        _person(org, manager, why, out)


def resolve_candidates(
    rules: Sequence[ApproverRule], org: OrgChart, initiator: int, data: Mapping[str, Any]
) -> list[int] | None:
    """The people an initiator may choose from for a ``chosen(...)`` rule (None: anyone)."""
    for rule in rules:
        if rule.kind is RuleKind.CHOSEN and rule.candidates:
            return resolve(rule.candidates, org, initiator, data).users
    return None
