"""Addressing and cleaning submitted data: the small data operations behind ``prepare``.

Paths here are the simple JSON paths built by :mod:`formflow.forms.paths` (``$.a[0].b``):
field names are identifiers, so no quoting is involved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from formflow.forms.fields import FieldSpec
from formflow.forms.formulas import copy_json
from formflow.forms.jsonvalues import utc_text


def is_under(path: str, paths: set[str]) -> bool:
    """True when ``path`` is one of ``paths`` or lies below one of them."""
    return any(path == other or path.startswith((other + ".", other + "[")) for other in paths)


def is_empty(value: Any) -> bool:
    """True for the values that mean "not filled in": null, "" and []."""
    return value is None or (value == "" if isinstance(value, str) else value == [])


def keys_of(path: str) -> list[str | int]:
    """The keys of a simple JSON path built by :mod:`formflow.forms.paths` (``$.a[0].b``)."""
    keys: list[str | int] = []
    for part in path[2:].replace("[", ".[").split("."):
        if not part:
            continue
        keys.append(int(part[1:-1]) if part.startswith("[") else part)
    return keys


def value_at(data: Any, path: str) -> Any:
    """The value at a simple JSON path, or None where the path leads nowhere."""
    node = data
    for key in keys_of(path):
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            node = node.get(key) if isinstance(node, Mapping) else None
    return node


def drop_value(data: Any, keys: list[str | int]) -> None:
    """Remove the value at ``keys`` from ``data`` (in place) if it is there."""
    node = data
    for key in keys[:-1]:
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict) and keys:
        node.pop(keys[-1], None)


@dataclass(frozen=True)
class CleanPlan:
    """What :func:`clean_data` must do at one level: normalise date-times, descend into tables."""

    datetimes: frozenset[str]
    tables: Mapping[str, CleanPlan]

    @classmethod
    def of(cls, fields: Mapping[str, FieldSpec]) -> CleanPlan:
        return cls(
            frozenset(name for name, spec in fields.items() if spec.type.name == "datetime"),
            {name: cls.of(spec.children) for name, spec in fields.items() if spec.children},
        )


def clean_data(plan: CleanPlan, data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy without empty values, with date-times in UTC, recursing into sub-table rows."""
    clean: dict[str, Any] = {}
    for key, raw in data.items():
        kind = type(raw)
        if raw is None or (kind is str and not raw) or (kind is list and not raw):
            continue
        value: Any = raw
        if kind is str:
            if key in plan.datetimes:
                value = utc_text(raw)
        elif kind is list and key in plan.tables:
            table = plan.tables[key]
            value = [clean_data(table, row) if isinstance(row, Mapping) else row for row in raw]
        elif kind is dict or kind is list or isinstance(raw, Mapping):
            value = copy_json(raw)
        clean[key] = value
    return clean
