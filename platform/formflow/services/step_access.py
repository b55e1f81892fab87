"""Per-step field permissions: what the people of a step may change, and may not see.

A step's ``edit`` / ``read`` / ``hide`` statements (``Node.permissions``) name fields or
sub-table columns (``items.note``). By default everything is visible and read-only. This
module turns them into:

* the data a task's assignee is shown (hidden fields and columns removed), and
* the check of a change sent with an action: whole fields the step makes editable change as
  sent; for an editable *column*, only that column of the existing rows changes (rows cannot
  be added or removed, other columns keep their values — including hidden ones the assignee
  never saw).

The initiator fixing a returned request (a ``resubmit`` task) may change every field a user
can enter, except the fields only the flow fills in (``x-flow-only``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from formflow.dsl import FlowSpec
from formflow.dsl.model import Access
from formflow.errors import TransitionNotAllowed
from formflow.forms import CompiledForm
from formflow.i18n import _


@dataclass(frozen=True)
class StepAccess:
    """Editable and hidden fields of one step (top-level names; columns per sub-table)."""

    editable: frozenset[str] = frozenset()
    editable_columns: Mapping[str, frozenset[str]] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()
    hidden_columns: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def render(self) -> dict[str, list[str]]:
        """As the API shows it: field paths (``items.note`` for a column)."""

        def paths(whole: frozenset[str], columns: Mapping[str, frozenset[str]]) -> list[str]:
            out = set(whole)
            for table, names in columns.items():
                out.update(f"{table}.{name}" for name in names)
            return sorted(out)

        return {
            "editable": paths(self.editable, self.editable_columns),
            "hidden": paths(self.hidden, self.hidden_columns),
        }


def access_for(spec: FlowSpec, step: str, kind: str, form: CompiledForm) -> StepAccess:
    """The access of the people of ``step`` (``kind`` is the task's kind)."""
    if kind == "resubmit":
        flow_only = set(form.flow_only)
        return StepAccess(
            editable=frozenset(
                name
                for name, spec_ in form.fields.items()
                if not spec_.is_system and name not in flow_only
            )
        )
    node = spec.nodes.get(step)
    if node is None:
        return StepAccess()
    editable: set[str] = set()
    hidden: set[str] = set()
    editable_columns: dict[str, set[str]] = {}
    hidden_columns: dict[str, set[str]] = {}
    for permission in node.permissions:
        table, _sep, column = permission.path.partition(".")
        if permission.access is Access.EDIT:
            if column:
                editable_columns.setdefault(table, set()).add(column)
            else:
                editable.add(table)
        elif permission.access is Access.HIDE:
            if column:
                hidden_columns.setdefault(table, set()).add(column)
            else:
                hidden.add(table)
    system = {name for name, spec_ in form.fields.items() if spec_.is_system}
    return StepAccess(
        editable=frozenset(editable - system),
        editable_columns={k: frozenset(v) for k, v in editable_columns.items()},
        hidden=frozenset(hidden),
        hidden_columns={k: frozenset(v) for k, v in hidden_columns.items()},
    )


def visible_data(access: StepAccess, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` without the fields and columns the step hides."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name in access.hidden:
            continue
        columns = access.hidden_columns.get(name)
        if columns and isinstance(value, list):
            out[name] = [
                {k: v for k, v in row.items() if k not in columns}
                if isinstance(row, Mapping)
                else row
                for row in value
            ]
        else:
            out[name] = value
    return out


def checked_patch(
    access: StepAccess, data: Mapping[str, Any], patch: Mapping[str, Any]
) -> dict[str, Any]:
    """The merge patch to write for a change sent with an action.

    Raises :class:`TransitionNotAllowed` naming every field the step does not let the actor
    change, or when rows of a sub-table with editable columns are added or removed.
    """
    forbidden = sorted(
        name
        for name in patch
        if name not in access.editable and name not in access.editable_columns
    )
    if forbidden:
        raise TransitionNotAllowed(
            _(
                "At this step you may not change: {fields}. You may change: {allowed}.",
                fields=", ".join(forbidden),
                allowed=", ".join(access.render()["editable"]) or _("nothing"),
            )
        )
    out: dict[str, Any] = {}
    for name, value in patch.items():
        if name in access.editable:
            out[name] = value
            continue
        old_rows = data.get(name) or []
        if not isinstance(value, list) or len(value) != len(old_rows):
            raise TransitionNotAllowed(
                _(
                    "At this step you may change {columns} in the rows of {table}, but not add "
                    "or remove rows; send all {count} rows.",
                    columns=", ".join(sorted(access.editable_columns[name])),
                    table=name,
                    count=len(old_rows),
                )
            )
        columns = access.editable_columns[name]
        merged = []
        for old, new in zip(old_rows, value, strict=True):
            row = dict(old) if isinstance(old, Mapping) else {}
            if isinstance(new, Mapping):
                for column in columns:
                    if column in new:
                        if new[column] is None:
                            row.pop(column, None)
                        else:
                            row[column] = new[column]
            merged.append(row)
        out[name] = merged
    return out
