"""A record's audit trail as people read it: who did what when, and each change as
"Field: old → new" with field labels instead of JSON paths and shown values instead of JSON."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from formflow.i18n import Msg, _
from formflow.web.pages.display import (
    EMPTY,
    DisplayContext,
    Shown,
    format_timestamp,
    in_currency,
    show,
)
from formflow.web.pages.formlayout import FieldView

_ACTIONS: dict[str, Msg] = {
    "create": _("Saved as a draft"),
    "update": _("Changed"),
    "submit": _("Submitted"),
    "delete": _("Deleted"),
    "restore": _("Restored"),
    "migrate": _("Moved to a new version of the form"),
    "status": _("Status changed"),
}
_SEGMENT = re.compile(r'\.([A-Za-z_]\w*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


@dataclass(frozen=True)
class ChangeView:
    where: str
    old: Shown
    new: Shown


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    who: str
    action: str
    comment: str
    changes: tuple[ChangeView, ...]


def action_label(action: str, locale: str) -> str:
    """A readable name for an audit action (flow actions read ``flow:approve``)."""
    known = _ACTIONS.get(action)
    if known is not None:
        return known.render(locale)
    if action.startswith("flow:"):
        return _("Approval: {action}", action=action[5:]).render(locale)
    return action


def split_path(path: str) -> list[str | int] | None:
    """``$.items[1].qty`` -> ``["items", 1, "qty"]``; None when it is not a JSON path."""
    if not path.startswith("$"):
        return None
    parts: list[str | int] = []
    position = 1
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if match is None:
            return None
        name, index, quoted = match.groups()
        if index is not None:
            parts.append(int(index))
        else:
            parts.append(name if name is not None else quoted)
        position = match.end()
    return parts


def _locate(
    fields: Mapping[str, FieldView], parts: Sequence[str | int], locale: str
) -> tuple[str, FieldView | None, bool]:
    """(label path, the field at the end or None, whether the path ends at a whole row)."""
    labels: list[str] = []
    level: Mapping[str, FieldView] = fields
    current: FieldView | None = None
    whole_row = False
    for part in parts:
        if isinstance(part, int):
            labels.append(_("row {number}", number=part + 1).render(locale))
            whole_row = True
            continue
        whole_row = False
        current = level.get(part)
        if current is None:
            labels.append(part)
            return " › ".join(labels), None, False
        labels.append(current.label)
        level = {column.name: column for column in current.columns}
    return " › ".join(labels) or _("the whole record").render(locale), current, whole_row


def _shown(view: FieldView | None, whole_row: bool, value: Any, ctx: DisplayContext) -> Shown:
    if value is None:
        return EMPTY
    if view is not None and whole_row and isinstance(value, Mapping):
        parts = []
        for column in view.columns:
            if column.name in value:
                shown = show(column, value[column.name], ctx)
                text = shown.text or ", ".join(link.name for link in shown.files)
                parts.append(f"{column.label}: {text}")
        return Shown(text="; ".join(parts))
    if view is not None and not whole_row:
        return show(in_currency(view, None, ctx.root), value, ctx)
    return Shown(text=str(value))


def build_history(
    entries: Iterable[Any], fields: Mapping[str, FieldView], ctx: DisplayContext
) -> list[HistoryEntry]:
    """The audit rows of a record (oldest first) as readable entries."""
    shown: list[HistoryEntry] = []
    for entry in entries:
        changes = []
        for change in entry.changes or []:
            if not isinstance(change, Mapping):
                continue
            path = str(change.get("path", "$"))
            parts = split_path(path)
            if parts is None:
                where, view, whole_row = path, None, False
            else:
                where, view, whole_row = _locate(fields, parts, ctx.locale)
            changes.append(
                ChangeView(
                    where=where,
                    old=_shown(view, whole_row, change.get("old"), ctx),
                    new=_shown(view, whole_row, change.get("new"), ctx),
                )
            )
        who = (
            ctx.chart.display_name(entry.actor_id)
            if entry.actor_id is not None
            else _("Formflow").render(ctx.locale)
        )
        shown.append(
            HistoryEntry(
                at=format_timestamp(entry.at, ctx),
                who=who,
                action=action_label(entry.action, ctx.locale),
                comment=entry.comment or "",
                changes=tuple(changes),
            )
        )
    return shown
