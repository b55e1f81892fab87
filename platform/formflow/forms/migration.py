"""Migrations: how existing records follow a new form version.

A :class:`Migration` says what to do with the data of records written under the old version:

* ``renames`` — ``{"old": "new"}``; dotted paths rename sub-table columns in every row
  (``{"items.qty": "items.quantity"}``; a column stays in its table);
* ``value_maps`` — ``{"field": {"old value": "new value"}}`` for select and multiselect
  values that were renamed or merged (paths use the *new* names);
* ``defaults`` — ``{"field": value}`` for fields that are now required (set where empty;
  ``items.x`` sets it in every row);
* ``drops`` — fields whose values are removed.

They apply in that order: drops, renames, value maps, defaults. :func:`apply_migration` is
pure; the services run it for each record inside the publishing transaction, then validate
with the new version (``VersionDiff.migrate_record``).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from formflow.errors import InvalidInput
from formflow.i18n import _


@dataclass(frozen=True)
class Migration:
    """Renames, value maps, defaults and drops for moving records to a new version."""

    renames: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    value_maps: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    drops: frozenset[str] = frozenset()

    @classmethod
    def from_json(cls, raw: Any) -> Migration:
        """Read a migration from JSON (``{"renames", "defaults", "value_maps", "drops"}``).

        Raises :class:`~formflow.errors.InvalidInput` when the shape is wrong.
        """
        if not isinstance(raw, Mapping) or set(raw) - {
            "renames",
            "defaults",
            "value_maps",
            "drops",
        }:
            raise InvalidInput(
                _("A migration is an object with renames, defaults, value_maps and drops.")
            )
        renames = raw.get("renames", {})
        defaults = raw.get("defaults", {})
        value_maps = raw.get("value_maps", {})
        drops = raw.get("drops", [])
        if (
            not isinstance(renames, Mapping)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in renames.items())
            or not isinstance(defaults, Mapping)
            or not isinstance(value_maps, Mapping)
            or not all(isinstance(v, Mapping) for v in value_maps.values())
            or not isinstance(drops, list)
            or not all(isinstance(name, str) for name in drops)
        ):
            raise InvalidInput(
                _(
                    "The migration is malformed: renames maps old to new names, "
                    "value_maps maps fields to {{old: new}} value maps, drops is "
                    "a list of fields."
                )
            )
        for old, new in renames.items():
            if old.rsplit(".", 1)[0:-1] != new.rsplit(".", 1)[0:-1]:
                raise InvalidInput(
                    _(
                        "Renaming {old} to {new} would move it to another "
                        "sub-table; a rename keeps a column in its table.",
                        old=old,
                        new=new,
                    )
                )
        return cls(
            dict(renames),
            dict(defaults),
            {k: dict(v) for k, v in value_maps.items()},
            frozenset(drops),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "renames": dict(self.renames),
            "defaults": dict(self.defaults),
            "value_maps": {key: dict(value) for key, value in self.value_maps.items()},
            "drops": sorted(self.drops),
        }

    @property
    def is_empty(self) -> bool:
        return not (self.renames or self.defaults or self.value_maps or self.drops)


def apply_migration(data: Mapping[str, Any], migration: Migration) -> dict[str, Any]:
    """A migrated copy of one record's data (``data`` itself is not changed)."""
    result: dict[str, Any] = copy.deepcopy(dict(data))
    for path in sorted(migration.drops):
        _at(result, path, lambda row, name: row.pop(name, None))
    renames_by_parent: dict[str, dict[str, str]] = {}
    for old, new in migration.renames.items():
        parent, _sep, name = old.rpartition(".")
        renames_by_parent.setdefault(parent, {})[name] = new.rpartition(".")[2]
    # Columns first (deepest tables first), so a renamed table still has its old name here.
    for parent, names in sorted(renames_by_parent.items(), key=_depth, reverse=True):
        target = f"{parent}.__rows__" if parent else "__rows__"
        _at(result, target, functools.partial(_rename, names=names))
    for path, mapping in migration.value_maps.items():
        _at(result, path, functools.partial(_map_values, mapping=mapping))
    for path, value in migration.defaults.items():
        _at(result, path, functools.partial(_default, value=value))
    return result


def _depth(item: tuple[str, dict[str, str]]) -> int:
    return item[0].count(".") + 1 if item[0] else 0


def _rename(row: dict[str, Any], _name: str, names: Mapping[str, str]) -> None:
    moved = {new: row.pop(old) for old, new in names.items() if old in row}
    row.update(moved)


def _map_values(row: dict[str, Any], name: str, mapping: Mapping[str, Any]) -> None:
    value = row.get(name)
    if isinstance(value, str) and value in mapping:
        row[name] = mapping[value]
    elif isinstance(value, list):
        mapped: list[Any] = []
        for item in value:
            new = mapping.get(item, item) if isinstance(item, str) else item
            if new not in mapped:
                mapped.append(new)
        row[name] = mapped


def _default(row: dict[str, Any], name: str, value: Any) -> None:
    current = row.get(name)
    if current is None or current in ("", []):
        row[name] = copy.deepcopy(value)


def _at(data: dict[str, Any], path: str, action: Callable[[dict[str, Any], str], Any]) -> None:
    """Run ``action(row, name)`` on every object holding the last part of a dotted path.

    ``items.qty`` visits every row of ``items``; the pseudo-name ``__rows__`` visits the
    objects themselves (used for renames).
    """
    parts = path.split(".")

    def visit(node: dict[str, Any], depth: int) -> None:
        if depth == len(parts) - 1:
            action(node, parts[depth])
            return
        rows = node.get(parts[depth])
        if isinstance(rows, list):
            for row in rows:
                if isinstance(row, dict):
                    visit(row, depth + 1)

    visit(data, 0)
