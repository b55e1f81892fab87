"""What changed between two versions of a record's data, for the audit trail.

The result lists leaf changes with JSON paths: ``$.amount`` from 100 to 120,
``$.items[1].qty`` from 2 to 3, ``$.items[2]`` added, ``$.attachments`` replaced. Sub-table rows
are compared position by position, which is how users edit them (row 2's quantity changed), and
a list of scalars (a multi-select) is reported as one change. Pure core.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypedDict

_ABSENT = object()


class Change(TypedDict):
    path: str
    old: Any
    new: Any


def _key_path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if key.isidentifier() else f'{parent}["{key}"]'


def diff_data(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[Change]:
    """Leaf changes from ``old`` to ``new`` (``None`` for a missing value), sorted by path."""
    changes: list[Change] = []
    _diff(old or {}, new or {}, "$", changes)
    return changes


def _diff(old: Any, new: Any, path: str, out: list[Change]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new)):
            _diff(old.get(key, _ABSENT), new.get(key, _ABSENT), _key_path(path, key), out)
        return
    if _is_row_list(old) and _is_row_list(new):
        for index in range(max(len(old), len(new))):
            _diff(
                old[index] if index < len(old) else _ABSENT,
                new[index] if index < len(new) else _ABSENT,
                f"{path}[{index}]",
                out,
            )
        return
    if old is _ABSENT and new is _ABSENT:
        return
    if _changed(old, new):
        out.append(
            Change(
                path=path,
                old=None if old is _ABSENT else old,
                new=None if new is _ABSENT else new,
            )
        )


def _is_row_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, Mapping) for item in value)


def _changed(old: Any, new: Any) -> bool:
    if old is _ABSENT or new is _ABSENT:
        return (new if old is _ABSENT else old) is not None  # absent and null are alike
    if isinstance(old, bool) or isinstance(new, bool):
        return old is not new
    if isinstance(old, int | Decimal) and isinstance(new, int | Decimal):
        return bool(old != new)  # 1 and 1.00 are the same amount, not a change
    return type(old) is not type(new) or bool(old != new)
