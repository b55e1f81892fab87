"""Carrying out what the engine asked for, inside the caller's transaction.

The engine returns effects (``formflow.engine.effects``); this module makes them real, in
order, in the same unit of work as the state they came with, so either all of it commits or
none of it does:

* ``TaskCreated`` / ``TaskCompleted`` / ``TaskCancelled`` keep the inbox mirror
  (``flow_tasks``) in step with the state, and make each assignee a participant of the record
  (``RecordParticipant``: they may read it). A new task notifies its assignee.
* ``CarbonCopy``: an unread ``cc`` row per person, participant rights, a notice.
* ``Notify``: in-app notices, with an e-mail copy through the outbox.
* ``SetFields``, ``CreateRecord``, ``UpdateRecord``, ``CallWebhook``, ``StartFlow``: see
  :mod:`formflow.services.record_effects`.
* ``ScheduleTimer`` / ``CancelTimer``: the timer table, keyed ``<instance id>:<timer key>``.
* ``InstanceEnded``: the record's status becomes the end the flow reached.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from formflow.engine import effects as fx
from formflow.i18n import Msg, _
from formflow.services import notices, record_effects
from formflow.services.effect_scope import (
    CC_UNREAD,
    EffectScope,
    add_participant,
    audit,
    now,
)
from formflow.services.flow_context import status_label
from formflow.storage.models import FlowTask, FlowTimer


def carry_out(session: Session, scope: EffectScope, effects: list[fx.Effect]) -> None:
    """Apply ``effects`` in order (see the module docstring). Flushes; never commits."""
    if scope.old_state is not None:
        scope._cc_seen = len(scope.old_state.cc)
    for effect in effects:
        _HANDLERS[type(effect)](session, scope, effect)
    session.flush()


# -- tasks -------------------------------------------------------------------------------------


def _task_row(session: Session, scope: EffectScope, key: str) -> FlowTask | None:
    """The inbox row of a task; the open rows of the instance are read once per event."""
    if not scope._rows_loaded and scope.instance is not None:
        scope._rows_loaded = True
        # No autoflush: rows created by this event are in scope._rows already, and flushing
        # here would write the instance twice (its state now, its end a moment later).
        with session.no_autoflush:
            rows = list(
                session.scalars(
                    select(FlowTask).where(
                        FlowTask.instance_id == scope.instance.id, FlowTask.status == "open"
                    )
                )
            )
        for loaded in rows:
            scope._rows.setdefault(loaded.task_key, loaded)
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
        created_at=now(),
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
    row.completed_at = now()
    task = scope.state.tasks.get(effect.task) if scope.state is not None else None
    row.comment = task.comment if task is not None else None


def _task_cancelled(session: Session, scope: EffectScope, effect: fx.TaskCancelled) -> None:
    row = _task_row(session, scope, effect.task)
    if row is None:
        return
    row.status = "cancelled"
    row.outcome = effect.reason
    row.completed_at = now()


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
    moment = now()
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
                    created_at=moment,
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
    if scope.instance is not None:
        scope.instance.ended_at = now()
    session.flush()
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
    fx.SetFields: record_effects.set_fields,
    fx.CreateRecord: record_effects.create_record,
    fx.UpdateRecord: record_effects.update_record,
    fx.CallWebhook: record_effects.call_webhook,
    fx.StartFlow: record_effects.start_flow,
    fx.ScheduleTimer: _schedule_timer,
    fx.CancelTimer: _cancel_timer,
    fx.InstanceEnded: _instance_ended,
}
