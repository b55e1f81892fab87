"""The approval timeline of a record (审批流程): its requests' steps and what happened.

Read from the flow services exactly as ``GET /api/instances/{id}`` answers: the steps of the
flow marked done, current (with who it waits for) or still to come, and the history —
who did what at which step, when, with their comment and the engine's explanations.
Internal bookkeeping (branches splitting and joining) is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from formflow.i18n import Msg, _
from formflow.services import instance_views
from formflow.services.flow_runtime import instances_of_record
from formflow.web.pages.display import DisplayContext, format_timestamp
from formflow.web.pages.pagecall import PageCall

_ACTIONS: dict[str, Msg] = {
    "started": _("submitted the request"),
    "approved": _("approved"),
    "completed": _("completed the task"),
    "rejected": _("rejected"),
    "returned": _("returned it"),
    "resubmitted": _("submitted it again"),
    "transfer": _("transferred the task"),
    "delegate": _("delegated the task"),
    "add_approver": _("added an approver"),
    "comment": _("commented"),
    "withdrawn": _("withdrew the request"),
    "withdraw": _("withdrew the request"),
    "urged": _("sent a reminder"),
    "reclaimed": _("took the task back"),
    "auto_approved": _("approved automatically"),
    "skipped": _("skipped"),
    "carbon_copy": _("sent a copy"),
    "automatic": _("ran automatic actions"),
    "ended": _("finished"),
    "step_approved": _("step approved"),
    "step_rejected": _("step rejected"),
    "forwarded": _("passed to the next approver"),
    "escalation_empty": _("could not escalate"),
    "explained": _("note"),
}
#: Bookkeeping the reader does not need to see.
_HIDDEN = frozenset({"split", "joined", "branch_ignored", "step_started"})
_STEP_STATUS: dict[str, Msg] = {
    "done": _("done"),
    "passed": _("done"),
    "current": _("now"),
    "pending": _("to come"),
}
_INSTANCE_STATUS: dict[str, Msg] = {
    "running": _("In approval"),
    "in_progress": _("In approval"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "withdrawn": _("Withdrawn"),
    "returned": _("Returned"),
}


@dataclass(frozen=True)
class TimelineStep:
    title: str
    status: str
    status_label: str
    waiting: tuple[str, ...]


@dataclass(frozen=True)
class TimelineEvent:
    at: str
    who: str
    action: str
    step: str
    comment: str
    note: str


@dataclass(frozen=True)
class Timeline:
    flow_title: str
    status: str
    status_label: str
    steps: tuple[TimelineStep, ...]
    events: tuple[TimelineEvent, ...]


def _label(table: Mapping[str, Msg], key: str, locale: str) -> str:
    found = table.get(key)
    return found.render(locale) if found is not None else key.replace("_", " ")


def _when(value: Any, ctx: DisplayContext) -> str:
    return format_timestamp(value if isinstance(value, datetime | str) else None, ctx)


def _timeline(described: Mapping[str, Any], ctx: DisplayContext) -> Timeline:
    locale = ctx.locale
    waiting = {
        entry["step"]: tuple(person["name"] for person in entry.get("waiting", []))
        for entry in described.get("current", [])
    }
    steps = tuple(
        TimelineStep(
            title=node.get("title") or node["id"],
            status=node["status"],
            status_label=_label(_STEP_STATUS, node["status"], locale),
            waiting=waiting.get(node["id"], ()),
        )
        for node in described.get("nodes", [])
        if "#" not in node["id"]  # generated nodes (start, joins, ends) are not steps
    )
    events = tuple(
        TimelineEvent(
            at=_when(entry.get("at"), ctx),
            who=entry.get("actor_name") or _("Formflow").render(locale),
            action=_label(_ACTIONS, entry["action"], locale),
            step=entry.get("step_title") or "",
            comment=entry.get("comment") or "",
            note=entry.get("note") or "",
        )
        for entry in described.get("history", [])
        if entry["action"] not in _HIDDEN
    )
    status = str(described.get("status", ""))
    return Timeline(
        flow_title=str(described.get("flow", {}).get("title") or ""),
        status=status,
        status_label=_label(_INSTANCE_STATUS, status, locale),
        steps=steps,
        events=events,
    )


def build_timelines(call: PageCall, record_id: int, ctx: DisplayContext) -> list[Timeline]:
    """The approval timelines of a record, newest request first (none without a flow)."""
    instances = instances_of_record(call.session, call.user, record_id)
    return [
        _timeline(instance_views.instance_dict(call.session, call.user, instance, call.locale), ctx)
        for instance in instances
    ]
