"""Carrying out what the engine asked for, inside the caller's transaction.

The engine returns effects (``formflow.engine.effects``); this module makes them real, in
order, in the same unit of work as the state they came with, so either all of it commits or
none of it does:

* ``TaskCreated`` / ``TaskCompleted`` / ``TaskCancelled`` keep the inbox mirror
  (``flow_tasks``) in step with the state, and make each assignee a participant of the record
  (``RecordParticipant``: they may read it). A new task notifies its assignee.
* ``CarbonCopy``: an unread ``cc`` row per person, participant rights, a notice.
* ``Notify``: in-app notices, with an e-mail copy through the outbox.
* ``SetFields``: the instance's own record, changed as the system (validated, audited).
* ``CreateRecord`` / ``UpdateRecord``: records of other forms through the records service as
  the system — the cross-pack glue. A created record that fails its form's validation aborts
  the whole action with that form's problems listed.
* ``CallWebhook``: an outbox message the worker signs and posts after the commit.
* ``StartFlow``: starts a flow for the record (automations).
* ``ScheduleTimer`` / ``CancelTimer``: the timer table, keyed ``<instance id>:<timer key>``.
* ``InstanceEnded``: the record's status becomes the end the flow reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from formflow.engine import effects as fx
from formflow.engine.state import InstanceState
from formflow.errors import TransitionNotAllowed, ValidationFailed
from formflow.forms.jsonvalues import to_json
from formflow.i18n import Msg, _
from formflow.services import notices, outbox, records
from formflow.services.actor import SYSTEM
from formflow.services.flow_context import environment, nested, status_label
from formflow.storage.models import (
    FlowInstance,
    FlowTask,
    FlowTimer,
    Record,
    RecordAudit,
    RecordParticipant,
)

#: Inbox statuses of a carbon copy.
CC_UNREAD = "unread"
CC_READ = "read"


@dataclass
class EffectScope:
    """Where effects land: the record, and the instance when they come from a flow."""

    record: Record
    title: str  # the flow's or automation's title, for notices
    source: str  # the flow's or automation's key
    initiator: int | None
    actor_id: int | None = None
    instance: FlowInstance | None = None
    steps: Mapping[str, str] = field(default_factory=dict)  # step name -> title
    state: InstanceState | None = None
    old_state: InstanceState | None = None
    _rows: dict[str, FlowTask] = field(default_factory=dict)
    _cc_seen: int = 0

    @property
    def record_name(self) -> str:
        return self.record.label or f"#{self.record.id}"

    @property
    def link(self) -> str:
        if self.instance is not None:
            return f"/instances/{self.instance.id}"
        return f"/records/{self.record.id}"


def carry_out(session: Session, scope: EffectScope, effects: list[fx.Effect]) -> None:
    """Apply ``effects`` in order (see the module docstring). Flushes; never commits."""
    if scope.old_state is not None:
        scope._cc_seen = len(scope.old_state.cc)
    for effect in effects:
        _HANDLERS[type(effect)](session, scope, effect)
    session.flush()


def add_participant(session: Session, record_id: int, user_id: int, reason: str) -> None:
    """Let ``user_id`` read the record as a participant of its flow (idempotent)."""
    found = session.scalar(
        select(RecordParticipant.id).where(
            RecordParticipant.record_id == record_id, RecordParticipant.user_id == user_id
        )
    )
    if found is None:
        session.add(RecordParticipant(record_id=record_id, user_id=user_id, reason=reason))


def audit(
    session: Session,
    record: Record,
    actor_id: int | None,
    action: str,
    comment: str | None = None,
    changes: list[dict[str, Any]] | None = None,
) -> None:
    """One line in the record's audit trail (``flow:<action>``, ``status`` ...)."""
    session.add(
        RecordAudit(
            record_id=record.id,
            actor_id=actor_id,
            action=action[:40],
            changes=changes or [],
            record_version=record.version,
            comment=(comment or None) and comment[:2000],
        )
    )


# -- tasks -------------------------------------------------------------------------------------


def _now() -> datetime:
    return environment().now()


def _task_row(session: Session, scope: EffectScope, key: str) -> FlowTask | None:
    row = scope._rows.get(key)
    if row is None and scope.instance is not None:
        row = session.scalar(
            select(FlowTask).where(
                FlowTask.instance_id == scope.instance.id, FlowTask.task_key == key
            )
        )
    return row


def _due_of(scope: EffectScope, key: str) -> datetime | None:
    """The first timeout of the run the task belongs to (shown as its due time)."""
    if scope.state is None:
        return None
    task = scope.state.tasks.get(key)
    if task is None or task.run is None:
        return None
    moments = [
        datetime.fromisoformat(timer.at)
        for timer in scope.state.timers.values()
        if timer.run == task.run
    ]
    return min(moments) if moments else None


def _task_created(session: Session, scope: EffectScope, effect: fx.TaskCreated) -> None:
    assert scope.instance is not None
    row = FlowTask(
        instance_id=scope.instance.id,
        record_id=scope.record.id,
        form_id=scope.record.form_id,
        task_key=effect.task,
        step=effect.step,
        assignee_id=effect.assignee,
        kind=effect.task_kind,
        status="open",
        delegated_from=effect.delegated_from,
        created_at=_now(),
        due_at=_due_of(scope, effect.task),
    )
    session.add(row)
    scope._rows[effect.task] = row
    add_participant(session, scope.record.id, effect.assignee, "approver")
    if effect.task_kind == "resubmit":
        title = _("Returned to you: {flow}", flow=scope.title)
        body = _(
            "{record} was returned to you. Change what is asked for and resubmit it, or "
            "withdraw it.",
            record=scope.record_name,
        )
    else:
        title = _("New task: {flow}", flow=scope.title)
        body = _(
            "{record} is waiting for you at step {step}.",
            record=scope.record_name,
            step=_step_title(scope, effect.step),
        )
    notices.notify(
        session,
        [effect.assignee],
        "flow:task",
        title,
        body,
        link=scope.link,
        record_id=scope.record.id,
    )


def _task_completed(session: Session, scope: EffectScope, effect: fx.TaskCompleted) -> None:
    row = _task_row(session, scope, effect.task)
    if row is None:
        return
    row.status = "completed"
    row.outcome = effect.outcome
    row.completed_at = _now()
    task = scope.state.tasks.get(effect.task) if scope.state is not None else None
    row.comment = task.comment if task is not None else None


def _task_cancelled(session: Session, scope: EffectScope, effect: fx.TaskCancelled) -> None:
    row = _task_row(session, scope, effect.task)
    if row is None:
        return
    row.status = "cancelled"
    row.outcome = effect.reason
    row.completed_at = _now()


def _step_title(scope: EffectScope, step: str | None) -> str:
    if step is None:
        return "-"
    return scope.steps.get(step) or step


# -- people --------------------------------------------------------------------------------------

_REASONS: dict[str, tuple[Msg, Msg]] = {
    "remind": (
        _("Reminder: {flow}"),
        _("{record} is still waiting for you at step {step}."),
    ),
    "urge": (
        _("Please hurry: {flow}"),
        _("The person who submitted {record} asks you to handle step {step} soon."),
    ),
    "escalated": (
        _("Escalated to you: {flow}"),
        _("{record} was handed to you at step {step} because it waited too long."),
    ),
}


def _notify(session: Session, scope: EffectScope, effect: fx.Notify) -> None:
    params = {
        "flow": scope.title,
        "record": scope.record_name,
        "step": _step_title(scope, effect.step),
    }
    if effect.reason in _REASONS:
        title, body = _REASONS[effect.reason]
        title, body = Msg(title.text, params), Msg(body.text, params)
    else:
        title = _("{flow}: {record}", flow=scope.title, record=scope.record_name)
        if isinstance(effect.message, Msg):
            body = effect.message
        elif effect.message:
            body = _("{message}", message=effect.message)
        else:
            body = _("There is news about {record}.", record=scope.record_name)
    notices.notify(
        session,
        effect.users,
        f"flow:{effect.reason}"[:32],
        title,
        body,
        link=scope.link,
        record_id=scope.record.id,
    )


def _carbon_copy(session: Session, scope: EffectScope, effect: fx.CarbonCopy) -> None:
    now = _now()
    for user in effect.users:
        add_participant(session, scope.record.id, user, "cc")
        if scope.instance is not None and scope.state is not None:
            index = scope._cc_seen
            scope._cc_seen += 1
            session.add(
                FlowTask(
                    instance_id=scope.instance.id,
                    record_id=scope.record.id,
                    form_id=scope.record.form_id,
                    task_key=f"cc{index}",
                    step=effect.step or "",
                    assignee_id=user,
                    kind="cc",
                    status=CC_UNREAD,
                    created_at=now,
                )
            )
    notices.notify(
        session,
        effect.users,
        "flow:cc",
        _("For your information: {flow}", flow=scope.title),
        _("{record} was copied to you.", record=scope.record_name),
        link=scope.link,
        record_id=scope.record.id,
    )


# -- records -------------------------------------------------------------------------------------


def _set_fields(session: Session, scope: EffectScope, effect: fx.SetFields) -> None:
    record = scope.record
    values = {name: to_json(value) for name, value in effect.values.items()}
    changed = {name: value for name, value in values.items() if record.data.get(name) != value}
    if not changed:  # writing what is there already would only trigger automations again
        return
    records.update_record(
        session, SYSTEM, record.id, changed, version=record.version, editable=frozenset(changed)
    )


def _create_record(session: Session, scope: EffectScope, effect: fx.CreateRecord) -> None:
    data = to_json(dict(effect.data))
    try:
        with nested(f"create {effect.form}"):
            records.create_record(session, SYSTEM, effect.form, data, owner_id=scope.initiator)
    except ValidationFailed as error:
        raise type(error)(
            error.issues,
            message=_(
                "Step {step} of {flow} creates a record of the form {form}, but that record "
                "would not be valid ({count} problem(s), listed in errors). Nothing was saved; "
                "ask the flow's designer to check the field mapping.",
                step=effect.step or "-",
                flow=scope.source,
                form=effect.form,
                count=len(error.issues),
            ),
        ) from None


def _update_record(session: Session, scope: EffectScope, effect: fx.UpdateRecord) -> None:
    target_id = _record_id(effect.record)
    target = session.get(Record, target_id) if target_id is not None else None
    view = records.form_view_of(session, target) if target is not None else None
    if target is None or target.deleted_at is not None or view is None or view.key != effect.form:
        raise TransitionNotAllowed(
            _(
                "Step {step} of {flow} updates the linked record {id} of the form {form}, "
                "which does not exist (any more). Correct the link in the record and try again.",
                step=effect.step or "-",
                flow=scope.source,
                id=effect.record,
                form=effect.form,
            )
        )
    patch = to_json(dict(effect.data))
    with nested(f"update {effect.form}"):
        records.update_record(
            session, SYSTEM, target.id, patch, version=target.version, editable=frozenset(patch)
        )


def _record_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _call_webhook(session: Session, scope: EffectScope, effect: fx.CallWebhook) -> None:
    outbox.enqueue(
        session,
        "webhook",
        {
            "url": effect.url,
            "event": "flow.step" if scope.instance is not None else "automation",
            "body": {
                "source": scope.source,
                "step": effect.step,
                "record": scope.record.id,
                "instance": scope.instance.id if scope.instance is not None else None,
                "data": to_json(dict(effect.payload)),
            },
        },
    )


def _start_flow(session: Session, scope: EffectScope, effect: fx.StartFlow) -> None:
    from formflow.services.flow_runtime import start_flow_by_key  # noqa: PLC0415 - cycle

    with nested(f"start {effect.flow}"):
        start_flow_by_key(session, scope.record, effect.flow, initiator=scope.initiator)


# -- timers and the end ---------------------------------------------------------------------


def timer_key(instance_id: int, key: str) -> str:
    """The system-wide unique key of an engine timer."""
    return f"{instance_id}:{key}"


def _schedule_timer(session: Session, scope: EffectScope, effect: fx.ScheduleTimer) -> None:
    assert scope.instance is not None
    session.add(
        FlowTimer(
            instance_id=scope.instance.id,
            timer_key=effect.key,
            unique_key=timer_key(scope.instance.id, effect.key),
            due_at=datetime.fromisoformat(effect.at),
            payload={"step": effect.step, "action": effect.action},
        )
    )


def _cancel_timer(session: Session, scope: EffectScope, effect: fx.CancelTimer) -> None:
    assert scope.instance is not None
    session.execute(
        delete(FlowTimer)
        .where(FlowTimer.unique_key == timer_key(scope.instance.id, effect.key))
        .execution_options(synchronize_session="fetch")
    )


def _instance_ended(session: Session, scope: EffectScope, effect: fx.InstanceEnded) -> None:
    record = scope.record
    old = record.status
    record.status = effect.status
    session.flush()
    if scope.instance is not None:
        scope.instance.ended_at = _now()
    audit(
        session,
        record,
        scope.actor_id,
        "status",
        changes=[{"path": "status", "old": old, "new": effect.status}],
    )
    if scope.initiator is not None:
        notices.notify(
            session,
            [scope.initiator],
            "flow:ended",
            _("{flow}: {status}", flow=scope.title, status=status_label(effect.status)),
            _(
                "Your request {record} has ended: {status}.",
                record=scope.record_name,
                status=status_label(effect.status),
            ),
            link=scope.link,
            record_id=record.id,
        )
    from formflow.services.automations import on_status_change  # noqa: PLC0415 - cycle

    on_status_change(session, record, old, effect.status, actor_id=scope.actor_id)


_HANDLERS: dict[type[fx.Effect], Any] = {
    fx.TaskCreated: _task_created,
    fx.TaskCompleted: _task_completed,
    fx.TaskCancelled: _task_cancelled,
    fx.Notify: _notify,
    fx.CarbonCopy: _carbon_copy,
    fx.SetFields: _set_fields,
    fx.CreateRecord: _create_record,
    fx.UpdateRecord: _update_record,
    fx.CallWebhook: _call_webhook,
    fx.StartFlow: _start_flow,
    fx.ScheduleTimer: _schedule_timer,
    fx.CancelTimer: _cancel_timer,
    fx.InstanceEnded: _instance_ended,
}
