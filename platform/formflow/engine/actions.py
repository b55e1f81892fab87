"""What people do with tasks: approve, reject, return, transfer, add approvers, delegate ...

Each verb checks who may do it and when (raising :class:`PermissionDenied` or
:class:`TransitionNotAllowed` with a translated message), records history, and updates the
run. Rules (docs/flow-dsl.md, "Actions"):

* Only the assignee acts on a task, except ``reclaim`` (the person who delegated it) and
  ``comment`` (anyone taking part: assignees past and present, the initiator, people in cc).
* **Add approver** (加签): ``before`` — the new people approve first, then the task comes back
  to the actor; ``after`` — once the actor approves, the new people approve too, and only then
  does the actor's slot count as approved; ``alongside`` — the new people join the step as
  extra slots of its mode.
* **Transfer** (转交) hands the task over for good; **delegate** hands it over until the
  delegator reclaims it.
* ``reject`` needs a comment when the step says ``reject needs comment``.
* In an ``interleave`` region, once someone has acted in one branch, the other branches wait
  until it reaches the join.
"""

from __future__ import annotations

from formflow.engine import effects as fx
from formflow.engine.events import Position, TaskAction, TaskVerb
from formflow.engine.returns import resubmit, return_to_initiator, return_to_step
from formflow.engine.runtime import Runtime
from formflow.engine.state import (
    InstanceStatus,
    RunStatus,
    SlotResult,
    Task,
    TaskKind,
    TaskStatus,
    TokenStatus,
)
from formflow.errors import PermissionDenied, TransitionNotAllowed
from formflow.i18n import _


def _task(rt: Runtime, event: TaskAction) -> Task:
    task = rt.state.tasks.get(event.task)
    if task is None:
        raise TransitionNotAllowed(_("There is no task `{task}` in this request.", task=event.task))
    return task


def _require_open(rt: Runtime, task: Task) -> None:
    if task.status is not TaskStatus.OPEN:
        raise TransitionNotAllowed(
            _(
                "This task is already {status}; there is nothing left to do on it.",
                status=_("completed") if task.status is TaskStatus.COMPLETED else _("cancelled"),
            )
        )
    if rt.state.is_finished:
        raise TransitionNotAllowed(
            _("This request has already ended ({status}).", status=rt.state.status)
        )


def _require_assignee(rt: Runtime, task: Task, actor: int) -> None:
    if task.assignee != actor:
        raise PermissionDenied(
            _(
                "This task is assigned to {owner}, not to you.",
                owner=rt.ctx.org.display_name(task.assignee),
            )
        )


def _require_user(rt: Runtime, user: int | None) -> int:
    if user is None or not rt.ctx.org.is_active(user):
        raise TransitionNotAllowed(
            _("Pick an active user to hand the task to (got {user}).", user=user)
        )
    return user


def _check_interleave(rt: Runtime, task: Task) -> None:
    token = rt.state.tokens.get(task.token)
    if token is None or token.group is None:
        return
    group = rt.state.groups[token.group]
    if not rt.spec.node(group.split).interleave:
        return
    for branch in group.branches:
        other = rt.state.tokens.get(branch)
        if (
            other is not None
            and other.id != token.id
            and other.busy
            and other.status
            in (
                TokenStatus.ACTIVE,
                TokenStatus.SPLIT,
            )
        ):
            raise TransitionNotAllowed(
                _(
                    "Another part of this request is being worked on; these steps are done one "
                    "at a time. Try again when it is finished."
                )
            )
    token.busy = True


def is_participant(rt: Runtime, user: int) -> bool:
    """True for the initiator, anyone who was given a task, and people in cc."""
    if user == rt.state.initiator:
        return True
    if any(task.assignee == user for task in rt.state.tasks.values()):
        return True
    return any(entry.user == user for entry in rt.state.cc)


def complete(rt: Runtime, task: Task, outcome: str, actor: int | None, comment: str | None) -> None:
    task.status = TaskStatus.COMPLETED
    task.outcome = outcome
    task.completed_at = rt.now
    task.comment = comment
    rt.effects.append(fx.TaskCompleted(task.id, task.node, task.assignee, outcome, actor))


def settle(rt: Runtime, task: Task, result: SlotResult) -> None:
    """Record a slot's result (after any people added after it) and re-check the run."""
    run = rt.state.runs[task.run or 0]
    if result is SlotResult.APPROVED and task.after:
        follow = rt.new_task(run, task.slot, task.after[0], task.after[1:])
        rt.log(None, "forwarded", task.node, task=follow.id)
        return
    run.results[task.slot] = result
    rt.check_run(run)


def handle_task_action(rt: Runtime, event: TaskAction) -> None:
    task = _task(rt, event)
    verb = event.verb
    actor = event.actor
    if verb is TaskVerb.COMMENT:
        if not is_participant(rt, actor):
            raise PermissionDenied(_("Only people taking part in this request may comment."))
        if not (event.comment or "").strip():
            raise TransitionNotAllowed(_("Write a comment first."))
        rt.log(actor, "comment", task.node, comment=event.comment, task=task.id)
        return
    _require_open(rt, task)
    if verb is TaskVerb.RECLAIM:
        if task.delegated_from != actor:
            raise PermissionDenied(_("Only the person who delegated this task can take it back."))
        rt.cancel_task(task, "reclaimed")
        run = rt.state.runs[task.run or 0]
        again = rt.new_task(run, task.slot, actor, task.after)
        rt.log(actor, "reclaimed", task.node, task=again.id)
        return
    _require_assignee(rt, task, actor)
    if task.kind is TaskKind.RESUBMIT:
        if verb is not TaskVerb.APPROVE:
            raise TransitionNotAllowed(
                _("A returned request can only be resubmitted (or withdrawn).")
            )
        complete(rt, task, "resubmitted", actor, event.comment)
        resubmit(rt, task, event.comment)
        rt.run_queue()
        return
    if rt.state.status != InstanceStatus.RUNNING:
        raise TransitionNotAllowed(
            _("This request is not running ({status}).", status=rt.state.status)
        )
    _check_interleave(rt, task)
    if actor != rt.state.initiator:
        rt.state.acted = True
    run = rt.state.runs[task.run or 0]
    node = rt.spec.node(task.node)
    if verb is TaskVerb.APPROVE:
        outcome = "approved" if task.kind is TaskKind.APPROVE else "completed"
        complete(rt, task, outcome, actor, event.comment)
        rt.log(actor, outcome, task.node, comment=event.comment, task=task.id)
        settle(rt, task, SlotResult.APPROVED)
    elif verb is TaskVerb.REJECT:
        if node.policies.reject_comment and not (event.comment or "").strip():
            raise TransitionNotAllowed(
                _(
                    "Please say why you reject: a comment is required at step `{step}`.",
                    step=node.title or node.id,
                )
            )
        complete(rt, task, "rejected", actor, event.comment)
        rt.log(actor, "rejected", task.node, comment=event.comment, task=task.id)
        settle(rt, task, SlotResult.REJECTED)
    elif verb is TaskVerb.RETURN:
        complete(rt, task, "returned", actor, event.comment)
        run.status = RunStatus.RETURNED
        if event.target in (None, "", "initiator"):
            return_to_initiator(rt, task.node, actor, event.comment)
        else:
            token = rt.state.tokens[task.token]
            return_to_step(rt, token, task.node, event.target or "", actor, event.comment)
    elif verb in (TaskVerb.TRANSFER, TaskVerb.DELEGATE):
        user = _require_user(rt, event.user)
        if user == actor:
            raise TransitionNotAllowed(_("You cannot hand a task to yourself."))
        delegated = verb is TaskVerb.DELEGATE
        rt.cancel_task(task, "delegated" if delegated else "transferred")
        new = rt.new_task(
            run, task.slot, user, task.after, delegated_from=actor if delegated else None
        )
        rt.log(
            actor,
            verb.value,
            task.node,
            comment=event.comment,
            task=new.id,
            note=_("handed to {name}", name=rt.ctx.org.display_name(user)),
        )
    elif verb is TaskVerb.ADD_APPROVER:
        _add_approvers(rt, task, event)
    rt.run_queue()


def _add_approvers(rt: Runtime, task: Task, event: TaskAction) -> None:
    users = [_require_user(rt, user) for user in event.users]
    if not users:
        raise TransitionNotAllowed(_("Pick at least one person to add."))
    run = rt.state.runs[task.run or 0]
    names = ", ".join(rt.ctx.org.display_name(user) for user in users)
    note = _("added {names} ({position})", names=names, position=event.position.value)
    if event.position is Position.AFTER:
        task.after = users + task.after
    elif event.position is Position.BEFORE:
        complete(rt, task, "added_before", event.actor, event.comment)
        rt.new_task(run, task.slot, users[0], [*users[1:], task.assignee, *task.after])
    else:
        for user in users:
            run.slots.append(user)
            run.results.append(SlotResult.PENDING)
            run.auto.append("")
        rt.open_tasks(run)
    rt.log(event.actor, "add_approver", task.node, comment=event.comment, task=task.id, note=note)
