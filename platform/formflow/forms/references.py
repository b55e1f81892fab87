"""The ids a submission refers to: users, departments and linked records.

Whether user 42 exists, is active, or whether record 7 of ``customer`` exists and may be seen
by the acting user are database questions. :func:`find_references` lists every id with its
JSON path so the services can check them in one query per kind and report a missing one next
to its field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from formflow.forms.fields import FieldSpec
from formflow.forms.fieldtypes.keywordchecks import is_int
from formflow.forms.paths import child

ReferenceKind = Literal["user", "department", "record"]
_KINDS: Mapping[str, ReferenceKind] = {"user": "user", "department": "department", "link": "record"}
#: Multi-pickers: a list of ids of one kind.
_LIST_KINDS: Mapping[str, ReferenceKind] = {"users": "user", "departments": "department"}


@dataclass(frozen=True)
class Reference:
    """One id in the data: its kind, the id, where it is, and the linked form for records."""

    kind: ReferenceKind
    id: int
    path: str
    form: str | None = None


def find_references(
    fields: Mapping[str, FieldSpec], data: Mapping[str, Any], path: str = "$"
) -> Iterator[Reference]:
    """Every user, department and record id in ``data``, sub-table rows included."""
    for spec in fields.values():
        value = data.get(spec.name)
        if value is None:
            continue
        where = child(path, spec.name)
        kind = _KINDS.get(spec.type.name)
        many = _LIST_KINDS.get(spec.type.name)
        if kind is not None and is_int(value):
            yield Reference(kind, int(value), where, spec.link.form if spec.link else None)
        elif many is not None and isinstance(value, list):
            for index, item in enumerate(value):
                if is_int(item):
                    yield Reference(many, int(item), child(where, index))
        elif spec.children and isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, Mapping):
                    yield from find_references(spec.children, row, child(where, index))
