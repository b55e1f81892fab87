"""The engine's one entry point: :func:`handle` an event on an instance.

``handle(spec, state, event, ctx) -> (new_state, effects)``. The given state is never changed
(the engine works on a deep copy), so a service can discard the result when its transaction
fails. ``state`` is None only for :class:`Start`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from formflow.dsl.model import RuleKind, TimeoutAction, WithdrawPolicy
from formflow.dsl.spec import FlowSpec
from formflow.engine import effects as fx
from formflow.engine.actions import complete, handle_task_action, is_participant
from formflow.engine.approvers import resolve, resolve_candidates
from formflow.engine.context import EngineContext
from formflow.engine.events import (
    Event,
    MarkCcRead,
    Start,
    TaskAction,
    TimerFired,
    Urge,
    Withdraw,
)
from formflow.engine.returns import ROOT
from formflow.engine.runtime import Runtime
from formflow.engine.state import (
    InstanceState,
    InstanceStatus,
    SlotResult,
    TaskStatus,
    Token,
)
from formflow.errors import PermissionDenied, TransitionNotAllowed
from formflow.i18n import _

#: The initiator may urge the people of a request at most once in this time.
URGE_INTERVAL = timedelta(hours=1)


def handle(
    spec: FlowSpec, state: InstanceState | None, event: Event, ctx: EngineContext
) -> tuple[InstanceState, list[fx.Effect]]:
    """Apply ``event`` and return the new state and the effects to carry out.

    Raises :class:`TransitionNotAllowed` when the state does not allow the action (a task
    already completed, a withdrawn request ...) and :class:`PermissionDenied` when the actor
    may not do it; in both cases nothing changes.
    """
    if isinstance(event, Start):
        if state is not None:
            raise TransitionNotAllowed(_("This request has already been started."))
        return _start(spec, event, ctx)
    if state is None:
        raise TransitionNotAllowed(_("This request has not been started yet."))
    rt = Runtime(spec, state.copy(), ctx)
    if isinstance(event, TaskAction):
        handle_task_action(rt, event)
    elif isinstance(event, Withdraw):
        _withdraw(rt, event)
    elif isinstance(event, Urge):
        _urge(rt, event)
    elif isinstance(event, TimerFired):
        _timer(rt, event)
    else:
        _cc_read(rt, event)
    return rt.state, rt.effects


def _start(
    spec: FlowSpec, event: Start, ctx: EngineContext
) -> tuple[InstanceState, list[fx.Effect]]:
    state = InstanceState(
        flow=spec.key,
        initiator=event.initiator,
        started_at=ctx.now.isoformat(),
        params=dict(spec.params),
    )
    for step, users in event.chosen.items():
        node = spec.nodes.get(step)
        if node is None or not any(r.kind is RuleKind.CHOSEN for r in node.approvers):
            raise TransitionNotAllowed(
                _("Step `{step}` does not let the initiator choose approvers.", step=step)
            )
        allowed = resolve_candidates(node.approvers, ctx.org, event.initiator, ctx.data)
        for user in users:
            if not ctx.org.is_active(user) or (allowed is not None and user not in allowed):
                raise TransitionNotAllowed(
                    _(
                        "{name} cannot be chosen for step `{step}`.",
                        name=ctx.org.display_name(user),
                        step=node.title or step,
                    )
                )
        state.chosen[step] = list(users)
    rt = Runtime(spec, state, ctx)
    state.tokens[ROOT] = Token(ROOT, spec.start)
    rt.log(event.initiator, "started", None, comment=event.comment)
    rt.queue.append(ROOT)
    rt.run_queue()
    return rt.state, rt.effects


def _withdraw(rt: Runtime, event: Withdraw) -> None:
    state = rt.state
    if event.actor != state.initiator:
        raise PermissionDenied(_("Only the person who submitted the request can withdraw it."))
    if state.is_finished:
        raise TransitionNotAllowed(
            _("This request has already ended ({status}).", status=state.status)
        )
    policy = rt.spec.policies
    if policy.withdraw is WithdrawPolicy.NEVER:
        raise TransitionNotAllowed(_("Requests of this flow cannot be withdrawn."))
    if policy.withdraw is WithdrawPolicy.UNTIL:
        if policy.withdraw_until in state.completed:
            raise TransitionNotAllowed(
                _(
                    "The request can no longer be withdrawn: step `{step}` is already done.",
                    step=policy.withdraw_until,
                )
            )
    elif state.acted and state.status == InstanceStatus.RUNNING:
        raise TransitionNotAllowed(
            _("The request can no longer be withdrawn: someone has already acted on it.")
        )
    rt.terminate(InstanceStatus.WITHDRAWN.value, actor=event.actor)
    state.history[-1].comment = event.comment


def _urge(rt: Runtime, event: Urge) -> None:
    state = rt.state
    if event.actor != state.initiator:
        raise PermissionDenied(_("Only the person who submitted the request can urge it."))
    if state.status != InstanceStatus.RUNNING:
        raise TransitionNotAllowed(_("Only a running request can be urged."))
    if state.last_urge_at is not None:
        last = datetime.fromisoformat(state.last_urge_at)
        if rt.ctx.now - last < URGE_INTERVAL:
            raise TransitionNotAllowed(
                _("You urged this request less than an hour ago; please wait a little.")
            )
    users = tuple(sorted({task.assignee for task in state.open_tasks()}))
    state.last_urge_at = rt.now
    for step in state.current_steps():
        people = tuple(sorted({t.assignee for t in state.open_tasks() if t.node == step}))
        rt.effects.append(fx.Notify(people, "urge", step))
    rt.log(event.actor, "urged", None, note=_("{count} person(s) reminded.", count=len(users)))


def _timer(rt: Runtime, event: TimerFired) -> None:
    state = rt.state
    timer = state.timers.pop(event.key, None)
    if timer is None or state.is_finished:
        return  # cancelled or already fired: firing is idempotent
    run = state.runs[timer.run]
    node = rt.spec.node(timer.node)
    timeout = node.timeouts[timer.timeout]
    open_tasks = [t for t in state.open_tasks() if t.run == run.id]
    action = timeout.action
    rt.log(None, f"timeout_{action.value}", node.id)
    if action is TimeoutAction.REMIND:
        rt.effects.append(fx.Notify(tuple(t.assignee for t in open_tasks), "remind", node.id))
        if timeout.every is not None:
            at = rt.ctx.due(timeout.every, node.policies.calendar)
            rt.schedule(run, node, timer.timeout, at, timer.repeat + 1)
    elif action is TimeoutAction.ESCALATE:
        found = resolve(timeout.to, rt.ctx.org, state.initiator, rt.data)
        if not found.users:
            rt.log(
                None,
                "escalation_empty",
                node.id,
                note=_("Nobody was found to escalate to; the tasks stay where they are."),
            )
            return
        target = found.users[0]
        for task in open_tasks:
            rt.cancel_task(task, "escalated")
            rt.new_task(run, task.slot, target, task.after)
        rt.effects.append(fx.Notify(tuple(found.users), "escalated", node.id))
    elif action in (TimeoutAction.APPROVE, TimeoutAction.REJECT):
        result = SlotResult.APPROVED if action is TimeoutAction.APPROVE else SlotResult.REJECTED
        for task in open_tasks:
            if task.status is TaskStatus.OPEN:
                complete(rt, task, f"auto_{result.value}", None, None)
                run.results[task.slot] = result
        if action is TimeoutAction.APPROVE:
            run.results = [
                SlotResult.APPROVED if r is SlotResult.PENDING else r for r in run.results
            ]
        rt.check_run(run)
    else:
        rt.log(None, "skipped", node.id, note=_("The time ran out, so the step was skipped."))
        token = state.tokens[run.token]
        rt.cancel_run(run, "timeout_skip")
        token.run = None
        rt.move_on(token, node)
    rt.run_queue()


def _cc_read(rt: Runtime, event: MarkCcRead) -> None:
    found = False
    for entry in rt.state.cc:
        if entry.user == event.actor and (event.step is None or entry.step == event.step):
            entry.read = True
            found = True
    if not found and not is_participant(rt, event.actor):
        raise PermissionDenied(_("This request was not copied to you."))
