"""Returning a request (退回): to the initiator, or to an earlier step.

What reruns (docs/flow-dsl.md, "Returns"):

* **To the initiator.** Everything open is cancelled and the initiator gets a ``resubmit``
  task. With ``on resubmit rerun`` (the default) the flow starts again from the beginning; with
  ``on resubmit resume`` it goes straight back to the step that returned it (or, when that step
  sits inside a parallel region, to the start of the outermost region around it).
* **To an earlier step.** Only a step that has already completed in this instance can be the
  target, and not one in a parallel branch running beside the returning one. Work between
  the two is cancelled; the target runs again with new tasks and new timers (timeouts count
  from the rerun). When the target lies inside a parallel region that the returning step comes
  after, only the target's branch runs again; the other branches' results stand and the join
  waits for that one branch. With ``on resubmit rerun`` every step after the target runs
  again; with ``resume`` the flow jumps from the target straight back to the returning step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from formflow.dsl.model import ResubmitPolicy
from formflow.engine import effects as fx
from formflow.engine.state import (
    Group,
    InstanceStatus,
    Task,
    TaskKind,
    Token,
    TokenStatus,
)
from formflow.errors import TransitionNotAllowed
from formflow.i18n import _

if TYPE_CHECKING:
    from formflow.engine.core import RuntimeCore as Runtime

ROOT = "root"
LIVE = (TokenStatus.ACTIVE, TokenStatus.SPLIT)


def return_to_initiator(
    rt: Runtime, from_step: str, actor: int | None, comment: str | None
) -> None:
    """Cancel everything and give the initiator a resubmit task."""
    for token in list(rt.state.tokens.values()):
        if token.status in (TokenStatus.ACTIVE, TokenStatus.SPLIT):
            rt.cancel_token(token, "returned")
    for task in rt.state.open_tasks():
        rt.cancel_task(task, "returned")
    rt.state.tokens.clear()
    rt.state.groups.clear()
    rt.state.status = InstanceStatus.RETURNED.value
    rt.state.returned_from = from_step
    task = Task(
        id=f"t{rt.state.next_id()}",
        node=from_step,
        token=ROOT,
        assignee=rt.state.initiator,
        kind=TaskKind.RESUBMIT,
        created_at=rt.now,
    )
    rt.state.tasks[task.id] = task
    rt.effects.append(fx.TaskCreated(task.id, from_step, task.assignee, task.kind.value))
    rt.log(actor, "returned", from_step, to_step="initiator", comment=comment)


def resubmit(rt: Runtime, task: Task, comment: str | None) -> None:
    """The initiator resubmits a returned request: rerun from the start, or resume."""
    rt.state.status = InstanceStatus.RUNNING.value
    from_step = rt.state.returned_from
    policy = ResubmitPolicy.RERUN
    if from_step is not None and from_step in rt.spec.nodes:
        policy = rt.spec.node(from_step).policies.resubmit
    start = rt.spec.start
    if policy is ResubmitPolicy.RESUME and from_step is not None:
        region = rt.spec.node(from_step).region
        start = region[0].rsplit(".", 1)[0] if region else from_step
    token = Token(ROOT, start)
    rt.state.tokens[ROOT] = token
    rt.state.returned_from = None
    rt.log(rt.state.initiator, "resubmitted", None, to_step=start, comment=comment, task=task.id)
    rt.queue.append(ROOT)


def _depth(rt: Runtime, token: Token) -> int:
    depth = 0
    current = token
    while current.group is not None:
        depth += 1
        current = rt.state.tokens[rt.state.groups[current.group].parent]
    return depth


def _ancestor(rt: Runtime, token: Token, depth: int) -> Token:
    current = token
    while _depth(rt, current) > depth:
        current = rt.state.tokens[rt.state.groups[current.group or ""].parent]
    return current


def return_to_step(
    rt: Runtime,
    token: Token,
    from_step: str,
    target: str,
    actor: int | None,
    comment: str | None,
) -> None:
    """Send the token of ``from_step`` back to ``target`` (see the module docstring)."""
    spec = rt.spec
    if target not in spec.nodes or not spec.node(target).kind.is_human:
        raise TransitionNotAllowed(_("There is no step `{step}` to return to.", step=target))
    if target not in rt.state.completed:
        raise TransitionNotAllowed(
            _(
                "The request can only go back to a step it has already passed; `{step}` has "
                "not run yet.",
                step=target,
            )
        )
    target_region = spec.node(target).region
    from_region = spec.node(from_step).region
    common = 0
    while (
        common < min(len(target_region), len(from_region))
        and target_region[common] == from_region[common]
    ):
        common += 1
    if common < len(target_region) and common < len(from_region):
        raise TransitionNotAllowed(
            _(
                "`{step}` is in a parallel branch that runs beside this one; return to a step "
                "before the branches split instead.",
                step=target,
            )
        )
    anchor = _ancestor(rt, token, common)
    if anchor is token:
        if token.run is not None:
            rt.cancel_run(rt.state.runs[token.run], "returned")
            token.run = None
    else:
        for group in list(rt.state.groups.values()):
            if group.parent == anchor.id:
                group.fired = True
                for branch in group.branches:
                    child = rt.state.tokens.get(branch)
                    if child is not None and child.status in LIVE:
                        rt.cancel_token(child, "returned")
    policy = spec.node(from_step).policies.resubmit
    anchor.resume_at = None
    anchor.previous_approvers = []  # a rerun step is asked again, never de-duplicated
    if policy is ResubmitPolicy.RESUME and len(from_region) == common:
        anchor.resume_at = from_step
    current = anchor
    for entry in target_region[common:]:
        split_id, branch = entry.rsplit(".", 1)
        count = rt.state.splits.get(current.id, 0) + 1
        rt.state.splits[current.id] = count
        group_id = f"{current.id}/{count}"
        child = Token(f"{group_id}.{branch}", target, group=group_id)
        rt.state.groups[group_id] = Group(group_id, split_id, current.id, 1, 0, False, [child.id])
        current.status = TokenStatus.SPLIT
        current.node = split_id
        current.run = None
        rt.state.tokens[child.id] = child
        current = child
    current.node = target
    current.status = TokenStatus.ACTIVE
    current.run = None
    rt.log(actor, "returned", from_step, to_step=target, comment=comment)
    rt.queue.append(current.id)
