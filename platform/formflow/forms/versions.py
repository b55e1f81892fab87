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
from typing import Any

from formflow.errors import Issue
from formflow.expr import EvalContext
from formflow.forms.changes import Change, ChangeKind
from formflow.forms.compiled import CompiledForm, compile_form
from formflow.forms.fieldchanges import compare_fields, compare_rules, field_title
from formflow.forms.fields import FieldSpec, walk_fields
from formflow.forms.migration import Migration, apply_migration
from formflow.forms.quoting import quote
from formflow.i18n import _


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
            changes.extend(compare_fields(old_fields[old_path], new_fields[new_path]))
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
                    field=field_title(old_fields[path]),
                )
                if not closed
                else _(
                    "{field} is removed and the form allows no other fields, so "
                    "records holding a value become invalid; drop the values in a "
                    "migration.",
                    field=field_title(old_fields[path]),
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
                    field=field_title(spec),
                )
                if spec.required
                else _("{field} is added.", field=field_title(spec)),
                None,
                path,
            )
        )
    for path, spec in old_fields.items():
        if path in new_fields and path not in pairs:
            changes.extend(compare_fields(spec, new_fields[path]))
    changes.extend(compare_rules(before, after))
    return VersionDiff(before, after, tuple(changes), pairs)


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
