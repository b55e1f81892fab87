"""Tasks: the inbox and what people do with their tasks.

``POST /api/tasks/{id}/{action}`` lands in :func:`act_on_task`, which locks the instance
(``flow_runtime``), applies a change to the fields the step makes editable (through
``records.update_record(editable=...)``, with the record version the actor read), and hands
the action to the engine. Everything happens in the caller's one transaction: an action the
engine refuses, or a record the flow creates that fails validation, leaves nothing behind.

Actions: ``approve``, ``complete`` (task steps) and ``resubmit`` (a returned request) are the
engine's approve; ``reject``, ``return``, ``transfer``, ``add-approver``, ``delegate``,
``reclaim``, ``comment``; ``read`` marks a carbon copy read.

A task of a request the actor cannot see answers 404, as if it did not exist; one they can
see but may not act on answers the engine's 403 or 409 with its translated message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from formflow.engine import InstanceState, MarkCcRead, Position, TaskAction, TaskVerb
from formflow.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from formflow.i18n import _
from formflow.services import flow_fields, records
from formflow.services.actor import Actor
from formflow.services.effect_scope import CC_READ, CC_UNREAD
from formflow.services.flow_context import compiled_form_of, environment, form_view, spec_of
from formflow.services.flow_runtime import dispatch, lock_task_instance, readable_instance
from formflow.services.step_access import StepAccess, access_for, checked_patch, visible_data
from formflow.storage.models import FlowInstance, FlowTask, Record

#: The action in the URL -> the engine's verb (None: marking a carbon copy read).
ACTIONS: dict[str, TaskVerb | None] = {
    "approve": TaskVerb.APPROVE,
    "complete": TaskVerb.APPROVE,
    "resubmit": TaskVerb.APPROVE,
    "reject": TaskVerb.REJECT,
    "return": TaskVerb.RETURN,
    "transfer": TaskVerb.TRANSFER,
    "add-approver": TaskVerb.ADD_APPROVER,
    "delegate": TaskVerb.DELEGATE,
    "reclaim": TaskVerb.RECLAIM,
    "comment": TaskVerb.COMMENT,
    "read": None,
}
#: Actions that may carry changes to the record.
EDITING_ACTIONS = frozenset({"approve", "complete", "resubmit"})


@dataclass(frozen=True)
class TaskRequest:
    """One action on a task, as sent by a person."""

    action: str
    comment: str | None = None
    data: Mapping[str, Any] | None = None
    version: int | None = None  # the record version the actor read (required with data)
    target: str | None = None  # return: a step name, or "initiator"
    user: int | None = None  # transfer, delegate
    users: tuple[int, ...] = ()  # add-approver
    position: str = Position.ALONGSIDE.value


_TASK_AND_OPEN_ROWS = select(FlowTask).where(
    FlowTask.instance_id == bindparam("instance_id"),
    or_(FlowTask.id == bindparam("task_id"), FlowTask.status == "open"),
)


@dataclass(frozen=True)
class _Locked:
    """A task as it is after its instance was locked, with the instance's open task rows."""

    row: FlowTask
    instance: FlowInstance
    record: Record
    open_rows: tuple[FlowTask, ...]


def _locked(session: Session, actor: Actor, task_id: int) -> _Locked:
    """The task's instance (locked) and record, the task as it is after the lock, and the
    instance's open task rows (read in the same statement: the engine's effects need them)."""
    found = lock_task_instance(session, actor, task_id)
    if found is None:
        raise NotFound(_("Task {id} not found.", id=task_id))
    instance, record = found
    rows = list(
        session.scalars(
            _TASK_AND_OPEN_ROWS,
            {"instance_id": instance.id, "task_id": task_id},
            execution_options={"populate_existing": True},
        )
    )
    row = next((candidate for candidate in rows if candidate.id == task_id), None)
    if row is None:
        raise NotFound(_("Task {id} not found.", id=task_id))
    open_rows = tuple(candidate for candidate in rows if candidate.status == "open")
    return _Locked(row, instance, record, open_rows)


def step_access(
    session: Session, instance: FlowInstance, record: Record, row: FlowTask
) -> StepAccess:
    """The field permissions of the task's step."""
    form = compiled_form_of(session, record)
    return access_for(spec_of(session, instance.flow_version_id), row.step, row.kind, form)


def act_on_task(session: Session, actor: Actor, task_id: int, request: TaskRequest) -> FlowInstance:
    """Carry out ``request`` on the task ``task_id`` (see the module docstring)."""
    if request.action not in ACTIONS:
        raise NotFound(
            _(
                "Unknown action {action}; use one of {actions}.",
                action=request.action,
                actions=", ".join(ACTIONS),
            )
        )
    locked = _locked(session, actor, task_id)
    row, instance, record = locked.row, locked.instance, locked.record
    if request.action == "read":
        return _mark_read(session, actor, row, instance, record)
    if row.kind == "cc":
        raise TransitionNotAllowed(_("A copy is for your information: you can only mark it read."))
    if request.data:
        _apply_changes(session, actor, row, instance, record, request)
    if request.action in ("approve", "complete") and row.status == "open":
        node = spec_of(session, instance.flow_version_id).nodes.get(row.step)
        if node is not None and node.required and row.assignee_id == actor.id:
            form = compiled_form_of(session, record)
            flow_fields.require_step_fields(form, node.required, record.data)
    verb = ACTIONS[request.action]
    assert verb is not None
    try:
        position = Position(request.position)
    except ValueError:
        raise InvalidInput(
            _(
                "The position must be before, after or alongside, not {value!r}.",
                value=request.position,
            )
        ) from None
    event = TaskAction(
        task=row.task_key,
        actor=actor.id or 0,
        verb=verb,
        comment=request.comment,
        target=request.target,
        user=request.user,
        users=tuple(request.users),
        position=position,
    )
    action = request.action.replace("-", "_")
    dispatch(
        session,
        instance,
        record,
        event,
        actor_id=actor.id,
        action=action,
        comment=request.comment,
        open_rows=locked.open_rows,
    )
    return instance


def _apply_changes(
    session: Session,
    actor: Actor,
    row: FlowTask,
    instance: FlowInstance,
    record: Record,
    request: TaskRequest,
) -> None:
    if request.action not in EDITING_ACTIONS:
        raise InvalidInput(
            _("Changes to the record can only be sent with approve, complete or resubmit.")
        )
    if row.status != "open" or row.assignee_id != actor.id:
        return  # the engine refuses the action itself, with its own message
    if request.version is None:
        raise InvalidInput(
            _("Send the record version you read (version) together with your changes.")
        )
    patch = checked_patch(
        step_access(session, instance, record, row), record.data, request.data or {}
    )
    records.update_record(
        session, actor, record.id, patch, version=request.version, editable=frozenset(patch)
    )


def _mark_read(
    session: Session, actor: Actor, row: FlowTask, instance: FlowInstance, record: Record
) -> FlowInstance:
    if row.kind != "cc":
        raise TransitionNotAllowed(_("Only a copy can be marked read; this is a task."))
    if row.assignee_id != actor.id:
        raise PermissionDenied(_("This copy was sent to someone else."))
    if row.status == CC_READ:
        return instance
    dispatch(
        session,
        instance,
        record,
        MarkCcRead(actor.id or 0, row.step or None),
        actor_id=actor.id,
        action="read_cc",
    )
    session.execute(
        update(FlowTask)
        .where(
            FlowTask.instance_id == instance.id,
            FlowTask.assignee_id == actor.id,
            FlowTask.kind == "cc",
            FlowTask.step == row.step,
            FlowTask.status == CC_UNREAD,
        )
        .values(status=CC_READ, read_at=environment().now())
        .execution_options(synchronize_session="fetch")
    )
    return instance


# -- reading a task -----------------------------------------------------------------------------


def _actions_for(row: FlowTask, actor: Actor) -> list[str]:
    if row.kind == "cc":
        return ["read"] if row.status == CC_UNREAD else []
    if row.status != "open":
        return ["comment"]
    if row.assignee_id != actor.id:
        return ["reclaim", "comment"] if row.delegated_from == actor.id else ["comment"]
    if row.kind == "resubmit":
        return ["resubmit"]
    decide = ["approve", "reject"] if row.kind == "approve" else ["complete"]
    return [*decide, "return", "transfer", "add-approver", "delegate", "comment"]


def describe_task(session: Session, actor: Actor, task_id: int) -> dict[str, Any]:
    """A task as its assignee (or delegator) sees it: the record with the step's hidden
    fields removed, what may be edited, the actions possible now, and where it can return to.
    """
    row = session.get(FlowTask, task_id)
    if row is None or (
        actor.id not in (row.assignee_id, row.delegated_from) and not actor.is_admin
    ):
        raise NotFound(_("Task {id} not found.", id=task_id))
    instance, record = readable_instance(session, actor, row.instance_id)
    spec = spec_of(session, instance.flow_version_id)
    access = step_access(session, instance, record, row)
    state = InstanceState.from_dict(instance.state)
    node = spec.nodes.get(row.step)
    targets: list[str] = []
    for step in state.completed:
        if step not in targets and step in spec.nodes and spec.nodes[step].kind.is_human:
            targets.append(step)
    view = form_view(session, record)
    return {
        "task": task_dict(row, node.title if node is not None else None),
        "instance": {
            "id": instance.id,
            "status": instance.status,
            "flow": spec.key,
            "flow_title": spec.title,
            "initiator": state.initiator,
        },
        "record": {
            "id": record.id,
            "form": view.key,
            "version": record.version,
            "status": record.status,
            "label": record.label,
            "data": visible_data(access, record.data),
        },
        "permissions": access.render(),
        "actions": _actions_for(row, actor),
        "return_targets": targets,
    }


def task_dict(row: FlowTask, step_title: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "step": row.step,
        "step_title": step_title,
        "assignee": row.assignee_id,
        "delegated_from": row.delegated_from,
        "outcome": row.outcome,
        "comment": row.comment,
        "created_at": row.created_at,
        "completed_at": row.completed_at,
        "due_at": row.due_at,
        "read_at": row.read_at,
    }
