"""Comparing two versions of a form: what changed, and what would break existing records.

:func:`diff_versions` lists added, removed and renamed fields (sub-table columns included),
type changes, fields that became required, removed options, tightened and loosened limits,
changed formulas, labels, indexes and form-level rules. Each :class:`Change` says whether it
is *breaking*: whether it could make a record written under the old version invalid (or lose
its data) under the new one.

Services refuse to publish a breaking change unless a :class:`~formflow.forms.migration.Migration`
is supplied; :meth:`VersionDiff.check_record` tells for one record whether it would be invalid
after the (optional) migration, which is how the list of affected records is made.

Renames are known from a migration's ``renames``; without one, a removed and an added field of
the same type and label in the same table are reported as a probable rename.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from formflow.errors import Issue
from formflow.expr import EvalContext
from formflow.forms.compiled import CompiledForm, compile_form
from formflow.forms.fields import FieldSpec, walk_fields
from formflow.forms.labels import label_msg
from formflow.forms.migration import Migration, apply_migration
from formflow.forms.quoting import quote
from formflow.i18n import Msg, _


class ChangeKind(StrEnum):
    FIELD_ADDED = "field_added"
    FIELD_REMOVED = "field_removed"
    FIELD_RENAMED = "field_renamed"
    TYPE_CHANGED = "type_changed"
    REQUIRED_ADDED = "required_added"
    REQUIRED_REMOVED = "required_removed"
    OPTIONS_REMOVED = "options_removed"
    OPTIONS_ADDED = "options_added"
    CONSTRAINT_TIGHTENED = "constraint_tightened"
    CONSTRAINT_LOOSENED = "constraint_loosened"
    FORMULA_CHANGED = "formula_changed"
    LABEL_CHANGED = "label_changed"
    INDEX_CHANGED = "index_changed"
    RULES_CHANGED = "rules_changed"


@dataclass(frozen=True)
class Change:
    """One difference; ``path`` is the dotted field path (``""`` for the whole form)."""

    kind: ChangeKind
    path: str
    breaking: bool
    message: Msg
    old: Any = None
    new: Any = None

    def render(self, locale: str | None) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "path": self.path,
            "breaking": self.breaking,
            "message": self.message.render(locale),
        }


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


@dataclass(frozen=True)
class VersionDiff:
    """The changes from ``old`` to ``new``."""

    old: CompiledForm
    new: CompiledForm
    changes: tuple[Change, ...]
    renames: Mapping[str, str]

    @property
    def is_breaking(self) -> bool:
        return any(change.breaking for change in self.changes)

    @property
    def breaking_changes(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaking)

    def migrate_record(
        self,
        data: Mapping[str, Any],
        migration: Migration | None = None,
        *,
        draft: bool = False,
        context: EvalContext | None = None,
    ) -> tuple[dict[str, Any], list[Issue]]:
        """One record moved to the new version: migrated, recomputed, validated."""
        migrated = apply_migration(data, migration) if migration is not None else dict(data)
        return self.new.prepare(migrated, draft=draft, context=context)

    def check_record(
        self,
        data: Mapping[str, Any],
        migration: Migration | None = None,
        *,
        draft: bool = False,
        context: EvalContext | None = None,
    ) -> list[Issue]:
        """The problems one existing record would have under the new version (``[]``: none)."""
        return self.migrate_record(data, migration, draft=draft, context=context)[1]

    def as_json(self, locale: str | None) -> dict[str, Any]:
        return {
            "breaking": self.is_breaking,
            "changes": [change.render(locale) for change in self.changes],
        }


def diff_versions(
    old: CompiledForm | Mapping[str, Any],
    new: CompiledForm | Mapping[str, Any],
    *,
    renames: Mapping[str, str] | None = None,
) -> VersionDiff:
    """The changes from ``old`` to ``new`` (compiled forms, or schemas to compile).

    ``renames`` (old dotted path -> new) are the renames the designer declared, usually a
    migration's; without them probable renames are detected.
    """
    before = old if isinstance(old, CompiledForm) else compile_form(old)
    after = new if isinstance(new, CompiledForm) else compile_form(new)
    old_fields = {spec.path: spec for spec in walk_fields(before.fields)}
    new_fields = {spec.path: spec for spec in walk_fields(after.fields)}
    pairs = dict(renames or {})
    changes: list[Change] = []
    removed = [path for path in old_fields if path not in new_fields and path not in pairs]
    added = [path for path in new_fields if path not in old_fields and path not in pairs.values()]
    for path in list(removed):
        guess = _probable_rename(old_fields[path], [new_fields[p] for p in added])
        if guess is not None:
            removed.remove(path)
            added.remove(guess.path)
            changes.append(
                Change(
                    ChangeKind.FIELD_RENAMED,
                    path,
                    True,
                    _(
                        "{old} seems to be renamed to {new}; declare the rename in "
                        "a migration so existing values move with it.",
                        old=quote(path),
                        new=quote(guess.path),
                    ),
                    path,
                    guess.path,
                )
            )
    for old_path, new_path in pairs.items():
        if old_path in old_fields and new_path in new_fields:
            changes.append(
                Change(
                    ChangeKind.FIELD_RENAMED,
                    new_path,
                    False,
                    _("{old} is renamed to {new}.", old=quote(old_path), new=quote(new_path)),
                    old_path,
                    new_path,
                )
            )
            changes.extend(_compare(old_fields[old_path], new_fields[new_path]))
    for path in removed:
        if (
            path.split(".")[0] in {p.split(".")[0] for p in removed}
            and "." in path
            and path.rsplit(".", 1)[0] in removed
        ):
            continue  # a column of a removed table
        closed = _closed(after, path)
        changes.append(
            Change(
                ChangeKind.FIELD_REMOVED,
                path,
                closed,
                _(
                    "{field} is removed; existing values stay in the records but "
                    "are no longer shown.",
                    field=_title(old_fields[path]),
                )
                if not closed
                else _(
                    "{field} is removed and the form allows no other fields, so "
                    "records holding a value become invalid; drop the values in a "
                    "migration.",
                    field=_title(old_fields[path]),
                ),
                path,
            )
        )
    for path in added:
        spec = new_fields[path]
        changes.append(
            Change(
                ChangeKind.FIELD_ADDED,
                path,
                spec.required,
                _(
                    "{field} is added as a required field; records without it "
                    "need a default in a migration.",
                    field=_title(spec),
                )
                if spec.required
                else _("{field} is added.", field=_title(spec)),
                None,
                path,
            )
        )
    for path, spec in old_fields.items():
        if path in new_fields and path not in pairs:
            changes.extend(_compare(spec, new_fields[path]))
    changes.extend(_compare_rules(before, after))
    return VersionDiff(before, after, tuple(changes), pairs)


def _title(spec: FieldSpec) -> Msg:
    return _("{label} ({path})", label=spec.title(), path=spec.path)


def _closed(form: CompiledForm, path: str) -> bool:
    """True when the object that held ``path`` refuses unknown properties in ``form``."""
    parent = path.rsplit(".", 1)[0] if "." in path else None
    if parent is None:
        schema: Mapping[str, Any] = form.schema
    else:
        table = next((spec for spec in walk_fields(form.fields) if spec.path == parent), None)
        if table is None:
            return False
        schema = table.schema.get("items", {})
    return (
        schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False
    )


def _probable_rename(old: FieldSpec, candidates: list[FieldSpec]) -> FieldSpec | None:
    parent = old.path.rsplit(".", 1)[0] if "." in old.path else ""
    for spec in candidates:
        same_parent = (spec.path.rsplit(".", 1)[0] if "." in spec.path else "") == parent
        if (
            same_parent
            and spec.type.name == old.type.name
            and spec.label is not None
            and spec.label == old.label
        ):
            return spec
    return None


def _compare(old: FieldSpec, new: FieldSpec) -> list[Change]:
    path = new.path
    title = _title(new)
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


def _compare_rules(old: CompiledForm, new: CompiledForm) -> list[Change]:
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
