"""Automations: rules on record events and schedules, in the flow file format.

Services call :func:`automation_matches` when a record is created or updated (with what
changed), and :func:`next_run` to know when a scheduled automation is next due (for date-based
triggers, per record). When it runs, :func:`automation_effects` returns the same effects a flow's
automatic step would (set fields, create records — one per sub-table row when asked —, update
linked records, notify, webhooks, start a flow). Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from formflow.dsl.model import Duration, DurationUnit
from formflow.dsl.spec import AutomationSpec, FlowSpec
from formflow.engine.context import EngineContext
from formflow.engine.effects import Effect
from formflow.engine.runtime import Runtime
from formflow.engine.state import InstanceState


@dataclass(frozen=True)
class RecordEvent:
    """A record was ``created`` or ``updated``: its data, what changed, its status."""

    kind: str  # "created" | "updated"
    data: Mapping[str, Any]
    changed: frozenset[str] = field(default_factory=frozenset)
    status: str | None = None
    old_status: str | None = None


def _trigger_fits(spec: AutomationSpec, event: RecordEvent) -> bool:
    for trigger in spec.triggers:
        kind = trigger.kind
        if kind == "created" and event.kind == "created":
            return True
        if kind == "updated" and event.kind == "updated":
            return True
        if (
            kind == "changed"
            and event.kind == "updated"
            and ({p.split(".")[0] for p in trigger.paths} & event.changed)
        ):
            return True
        if kind == "status" and event.status == trigger.status and event.old_status != event.status:
            return True
    return False


def automation_matches(spec: AutomationSpec, event: RecordEvent, ctx: EngineContext) -> bool:
    """True when a record event triggers ``spec`` and the record passes its ``where``."""
    if not _trigger_fits(spec, event):
        return False
    return passes_filter(spec, event.data, ctx)


def passes_filter(spec: AutomationSpec, data: Mapping[str, Any], ctx: EngineContext) -> bool:
    """True when ``data`` passes the automation's ``where`` (always, without one)."""
    if spec.where is None:
        return True
    variables: dict[str, Any] = dict(spec.params)
    return ctx.evaluate(spec.where, data, variables) is True


def automation_effects(
    spec: AutomationSpec, data: Mapping[str, Any], ctx: EngineContext, actor: int = 0
) -> list[Effect]:
    """The effects of running ``spec``'s actions for one record (``actor``: who is the cause)."""
    flow = FlowSpec(key=spec.key, title=spec.title, form=spec.form, nodes={}, edges=())
    state = InstanceState(
        flow=spec.key, initiator=actor, started_at=ctx.now.isoformat(), params=dict(spec.params)
    )
    runtime = Runtime(
        flow,
        state,
        EngineContext(
            now=ctx.now,
            org=ctx.org,
            data=data,
            calendar=ctx.calendar,
            calendars=ctx.calendars,
            expressions=ctx.expressions,
        ),
    )
    for action in spec.actions:
        runtime.run_action(action, None)
    return runtime.effects


def _clock(text: str | None) -> time:
    if not text:
        return time(9, 0)
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def next_run(
    spec: AutomationSpec, after: datetime, data: Mapping[str, Any] | None = None
) -> datetime | None:
    """The first moment after ``after`` when a scheduled trigger of ``spec`` is due.

    Daily times are in ``after``'s time zone. Date-based triggers (``3 days before due_on``)
    need the record's ``data`` and give None when the moment has passed or the date is empty.
    Event triggers never schedule anything.
    """
    moments: list[datetime] = []
    for trigger in spec.triggers:
        if trigger.kind == "daily":
            clock = _clock(trigger.clock)
            moment = after.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
            if moment <= after:
                moment += timedelta(days=1)
            moments.append(moment)
        elif trigger.kind == "interval" and trigger.every:
            moments.append(after + _delta(Duration.from_json(trigger.every)))
        elif trigger.kind in ("before_date", "after_date") and data is not None and trigger.every:
            day = _as_date(data.get(trigger.paths[0]))
            if day is None:
                continue
            offset = _delta(Duration.from_json(trigger.every))
            base = datetime.combine(day, _clock(trigger.clock), tzinfo=after.tzinfo)
            moment = base - offset if trigger.kind == "before_date" else base + offset
            if moment > after:
                moments.append(moment)
    return min(moments) if moments else None


def _delta(duration: Duration) -> timedelta:
    if duration.unit is DurationUnit.MINUTES:
        return timedelta(minutes=duration.amount)
    if duration.unit is DurationUnit.HOURS:
        return timedelta(hours=duration.amount)
    return timedelta(days=duration.amount)
