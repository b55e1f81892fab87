"""Comparing one field, or the form-level rules, of two versions of a form.

A change is *breaking* when a record valid under the old version could be invalid (or lose
data) under the new one: a stricter limit, a removed option, an incompatible type, a new
rule. Widenings that keep every old value valid are not breaking (:data:`SAFE_TYPE_CHANGES`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from formflow.forms.changes import Change, ChangeKind
from formflow.forms.fields import FieldSpec
from formflow.forms.labels import label_msg
from formflow.forms.quoting import quote
from formflow.i18n import Msg, _

if TYPE_CHECKING:
    from formflow.forms.compiled import CompiledForm

#: Type changes that keep every old value valid.
SAFE_TYPE_CHANGES = frozenset(
    {
        ("integer", "number"),
        ("integer", "money"),
        ("number", "money"),
        ("money", "number"),
        ("text", "textarea"),
        ("textarea", "text"),
        ("select", "text"),
        ("email", "text"),
        ("phone", "text"),
        ("url", "text"),
        ("idcard", "text"),
        ("rating", "integer"),
        ("rating", "number"),
        ("attachments", "images"),
        ("images", "attachments"),
    }
)

#: Limits where a larger new value is tighter, and where a smaller one is.
_RAISE_TIGHTENS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_LOWER_TIGHTENS = (
    "maximum",
    "exclusiveMaximum",
    "maxLength",
    "maxItems",
    "maxProperties",
    "x-scale",
    "x-max-files",
    "x-max-size",
    "x-rating-max",
    "x-region-level",
)
_CHANGE_TIGHTENS = (
    "pattern",
    "format",
    "const",
    "multipleOf",
    "x-accept",
    "uniqueItems",
    "x-currency",
)


def field_title(spec: FieldSpec) -> Msg:
    return _("{label} ({path})", label=spec.title(), path=spec.path)


def compare_fields(old: FieldSpec, new: FieldSpec) -> list[Change]:
    path = new.path
    title = field_title(new)
    changes: list[Change] = []
    if old.type.name != new.type.name:
        safe = (old.type.name, new.type.name) in SAFE_TYPE_CHANGES
        changes.append(
            Change(
                ChangeKind.TYPE_CHANGED,
                path,
                not safe,
                _(
                    "{field} changes from {old} to {new}.",
                    field=title,
                    old=old.type.name,
                    new=new.type.name,
                ),
                old.type.name,
                new.type.name,
            )
        )
    if new.required and not old.required:
        changes.append(
            Change(
                ChangeKind.REQUIRED_ADDED,
                path,
                True,
                _(
                    "{field} becomes required; records without it need a default in a migration.",
                    field=title,
                ),
            )
        )
    elif old.required and not new.required:
        changes.append(
            Change(
                ChangeKind.REQUIRED_REMOVED,
                path,
                False,
                _("{field} is no longer required.", field=title),
            )
        )
    old_values, new_values = set(old.option_values), set(new.option_values)
    if old_values - new_values and new.options:
        gone = sorted(old_values - new_values)
        changes.append(
            Change(
                ChangeKind.OPTIONS_REMOVED,
                path,
                True,
                _(
                    "{field} loses the options {values}; map them to remaining "
                    "options in a migration.",
                    field=title,
                    values=", ".join(gone),
                ),
                gone,
                None,
            )
        )
    if new_values - old_values and old.options:
        changes.append(
            Change(
                ChangeKind.OPTIONS_ADDED,
                path,
                False,
                _(
                    "{field} gains the options {values}.",
                    field=title,
                    values=", ".join(sorted(new_values - old_values)),
                ),
            )
        )
    changes.extend(_limits(old, new, title))
    if old.formula != new.formula:
        changes.append(
            Change(
                ChangeKind.FORMULA_CHANGED,
                path,
                False,
                _(
                    "The formula of {field} changes; values are recomputed when a "
                    "record is next saved.",
                    field=title,
                ),
                old.formula,
                new.formula,
            )
        )
    if old.label != new.label:
        changes.append(
            Change(
                ChangeKind.LABEL_CHANGED, path, False, _("{field} has a new label.", field=title)
            )
        )
    if old.index != new.index or old.unique != new.unique:
        changes.append(
            Change(
                ChangeKind.INDEX_CHANGED,
                path,
                new.unique and not old.unique,
                _("The database index of {field} changes.", field=title),
            )
        )
    return changes


def _limits(old: FieldSpec, new: FieldSpec, title: Msg) -> list[Change]:
    changes: list[Change] = []
    before, after = old.schema, new.schema
    if old.scale != new.scale:
        before = {**before, "x-scale": old.scale}
        after = {**after, "x-scale": new.scale}
    for keyword in (*_RAISE_TIGHTENS, *_LOWER_TIGHTENS, *_CHANGE_TIGHTENS):
        a, b = before.get(keyword), after.get(keyword)
        if a == b:
            continue
        if b is None:
            tighter = False
        elif a is None:
            tighter = True
        elif keyword in _RAISE_TIGHTENS:
            tighter = _number(b) > _number(a)
        elif keyword in _LOWER_TIGHTENS:
            tighter = _number(b) < _number(a)
        else:
            tighter = True
        if tighter:
            changes.append(
                Change(
                    ChangeKind.CONSTRAINT_TIGHTENED,
                    new.path,
                    True,
                    _(
                        "{field}: {keyword} tightens from {old} to {new}; existing "
                        "values may no longer fit.",
                        field=title,
                        keyword=keyword,
                        old=quote(a) if a is not None else "—",
                        new=quote(b),
                    ),
                    a,
                    b,
                )
            )
        else:
            changes.append(
                Change(
                    ChangeKind.CONSTRAINT_LOOSENED,
                    new.path,
                    False,
                    _(
                        "{field}: {keyword} loosens from {old} to {new}.",
                        field=title,
                        keyword=keyword,
                        old=quote(a),
                        new=quote(b) if b is not None else "—",
                    ),
                    a,
                    b,
                )
            )
    if (before.get("x-landline") is True) and (after.get("x-landline") is not True):
        changes.append(
            Change(
                ChangeKind.CONSTRAINT_TIGHTENED,
                new.path,
                True,
                _("{field} no longer accepts landline numbers.", field=title),
            )
        )
    return changes


def _number(value: Any) -> Any:
    return value if isinstance(value, int | float) or hasattr(value, "as_tuple") else 0


def compare_rules(old: CompiledForm, new: CompiledForm) -> list[Change]:
    changes: list[Change] = []
    old_checks = {rule.key: rule.source for rule in old.constraints}
    for rule in new.constraints:
        if old_checks.get(rule.key) != rule.source:
            changes.append(
                Change(
                    ChangeKind.RULES_CHANGED,
                    "",
                    True,
                    _(
                        "The rule {key} is new or changed; existing records may not meet it.",
                        key=rule.key,
                    ),
                    old_checks.get(rule.key),
                    rule.source,
                )
            )
    old_aggregates = {rule.key: (rule.source, rule.group_by) for rule in old.aggregate_constraints}
    for aggregate in new.aggregate_constraints:
        if old_aggregates.get(aggregate.key) != (aggregate.source, aggregate.group_by):
            changes.append(
                Change(
                    ChangeKind.RULES_CHANGED,
                    "",
                    True,
                    _(
                        "The rule {key} is new or changed; existing records may not meet it.",
                        key=aggregate.key,
                    ),
                )
            )
    for group in new.unique_together:
        if group not in old.unique_together:
            changes.append(
                Change(
                    ChangeKind.RULES_CHANGED,
                    "",
                    True,
                    _(
                        "{fields} must now be unique together; existing records may "
                        "hold duplicates.",
                        fields=" + ".join(group),
                    ),
                )
            )
    if [rule.source for rule in old.status_rules] != [rule.source for rule in new.status_rules] or [
        r.status for r in old.status_rules
    ] != [r.status for r in new.status_rules]:
        changes.append(
            Change(
                ChangeKind.RULES_CHANGED,
                "",
                False,
                _(
                    "The status rules change; statuses are derived again when a "
                    "record is next saved."
                ),
            )
        )
    if old.display_field != new.display_field:
        changes.append(
            Change(
                ChangeKind.RULES_CHANGED,
                "",
                False,
                _(
                    "Records are now named by {field}.",
                    field=label_msg(None, str(new.display_field)),
                ),
            )
        )
    return changes
