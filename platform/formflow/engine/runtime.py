"""Token movement, step runs and their tallies: the heart of the engine.

A :class:`Runtime` wraps one event's work on a *copy* of the instance state: it moves tokens
through the graph until each one waits (at a human step, a split or a join) or ends, and
collects the effects. Task actions, returns and timers (other modules) call into it.

Rules defined here (also in docs/flow-dsl.md, "Semantics"):

* **Modes.** ``all``: every slot approves; one rejection rejects. ``any``: the first decision
  decides. ``one_by_one``: slots in order, one task at a time. ``vote``: the step passes once
  the approvals reach the threshold and fails as soon as it can no longer reach it.
* **Empty approvers.** ``on empty skip`` passes the step without running its ``then`` actions;
  ``approve`` passes it as approved (actions run); ``assign`` asks the named people instead,
  and skips when they too resolve to nobody. The history explains each case.
* **Self approval.** ``allow``; ``skip``: the initiator's own slot counts as approved; ``forbid``:
  the initiator's manager takes the slot (dropped when there is none).
* **De-duplication** (``on duplicate skip``, the default): someone who approved the step just
  before on this path has their slot approved automatically (approval steps only).
* **Ends.** A named end (``end paid``) or a rejection ends the whole instance and cancels
  everything else still open. The plain end finishes the instance once no token is left.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from formflow.dsl.model import (
    ActionKind,
    DuplicatePolicy,
    EmptyPolicy,
    ModeKind,
    RejectPolicy,
    SelfPolicy,
)
from formflow.dsl.spec import FlowSpec, JoinKind, Node, NodeKind
from formflow.engine import effects as fx
from formflow.engine.approvers import resolve
from formflow.engine.context import EngineContext
from formflow.engine.returns import return_to_initiator, return_to_step
from formflow.engine.state import (
    CcEntry,
    Group,
    HistoryEntry,
    InstanceState,
    InstanceStatus,
    Run,
    RunStatus,
    SlotResult,
    Task,
    TaskKind,
    TaskStatus,
    Timer,
    Token,
    TokenStatus,
    msg_to_json,
)
from formflow.errors import EvaluationFailed
from formflow.i18n import Msg, _

#: Node visits one event may make before the engine decides the flow loops forever.
MAX_MOVES = 10_000

LIVE = (TokenStatus.ACTIVE, TokenStatus.SPLIT)


class Runtime:
    """One event's work on a copy of an instance state (see the module docstring)."""

    def __init__(self, spec: FlowSpec, state: InstanceState, ctx: EngineContext) -> None:
        self.spec = spec
        self.state = state
        self.ctx = ctx
        self.effects: list[fx.Effect] = []
        self.data: dict[str, Any] = dict(ctx.data)
        self.now = ctx.now.isoformat()
        self.queue: list[str] = []
        self.moves = 0

    # -- bookkeeping -------------------------------------------------------------------

    def log(
        self,
        actor: int | None,
        action: str,
        step: str | None = None,
        *,
        to_step: str | None = None,
        comment: str | None = None,
        task: str | None = None,
        note: Msg | None = None,
    ) -> None:
        self.state.history.append(
            HistoryEntry(
                at=self.now,
                actor=actor,
                action=action,
                step=step,
                to_step=to_step,
                comment=comment,
                task=task,
                note=None if note is None else msg_to_json(note),
            )
        )

    def variables(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        values: dict[str, Any] = dict(self.state.params)
        values["initiator"] = self.state.initiator
        values.update(extra or {})
        return values

    def truthy(self, expr: Any) -> bool:
        return self.ctx.evaluate(expr, self.data, self.variables()) is True

    def next_of(self, node_id: str) -> str:
        edges = self.spec.outgoing(node_id)
        return edges[0].target

    def move_on(self, token: Token, node: Node) -> None:
        """Send ``token`` past ``node`` (or back to where a return asked it to resume)."""
        target = token.resume_at or self.next_of(node.id)
        token.resume_at = None
        token.node = target
        token.status = TokenStatus.ACTIVE
        token.run = None
        self.queue.append(token.id)

    def live_tokens(self) -> list[Token]:
        return [t for t in self.state.tokens.values() if t.status in LIVE]

    # -- moving tokens -----------------------------------------------------------------

    def run_queue(self) -> None:
        while self.queue and not self.state.is_finished:
            self.advance(self.queue.pop(0))

    def advance(self, token_id: str) -> None:
        token = self.state.tokens[token_id]
        while token.status is TokenStatus.ACTIVE and token.run is None:
            if self.state.is_finished:
                return
            self.moves += 1
            if self.moves > MAX_MOVES:
                raise EvaluationFailed(
                    _(
                        "The flow went round in a loop more than {limit} times without asking "
                        "anyone; check the conditions of its `goto`.",
                        limit=MAX_MOVES,
                    )
                )
            node = self.spec.node(token.node)
            kind = node.kind
            if kind is NodeKind.START:
                token.node = self.next_of(node.id)
            elif kind is NodeKind.END:
                self.reach_end(token, node)
                return
            elif kind is NodeKind.AUTO:
                self.run_actions(node)
                self.state.completed.append(node.id)
                self.log(None, "automatic", node.id)
                token.node = token.resume_at or self.next_of(node.id)
                token.resume_at = None
            elif kind.is_human:
                self.start_run(token, node)
                return
            elif kind is NodeKind.CHOICE:
                token.node = self.choose(node)
            elif kind is NodeKind.SPLIT:
                self.split(token, node)
                return
            else:
                self.arrive(token, node)
                return

    def choose(self, node: Node) -> str:
        for edge in self.spec.outgoing(node.id):
            if edge.condition is None or self.truthy(edge.condition):
                return edge.target
        return self.next_of(node.id)  # unreachable: the compiler always adds a default

    def reach_end(self, token: Token, node: Node) -> None:
        status = node.status or InstanceStatus.APPROVED.value
        if status != InstanceStatus.APPROVED or token.group is not None:
            self.terminate(status, step=node.id)
            return
        token.status = TokenStatus.DONE
        if not self.live_tokens():
            self.terminate(status, step=node.id)

    def terminate(self, status: str, step: str | None = None, actor: int | None = None) -> None:
        """End the instance with ``status``, cancelling everything still open."""
        for token in list(self.state.tokens.values()):
            if token.status in LIVE:
                self.cancel_token(token, "instance_ended")
        for task in self.state.open_tasks():
            self.cancel_task(task, "instance_ended")
        self.state.status = status
        self.state.ended_at = self.now
        self.log(actor, "ended", step, note=_("The instance ended: {status}.", status=status))
        self.effects.append(fx.InstanceEnded(status))

    # -- parallel regions --------------------------------------------------------------

    def split(self, token: Token, node: Node) -> None:
        count = self.state.splits.get(token.id, 0) + 1
        self.state.splits[token.id] = count
        group_id = f"{token.id}/{count}"
        active = [
            edge
            for edge in self.spec.outgoing(node.id)
            if edge.condition is None or self.truthy(edge.condition)
        ]
        group = Group(group_id, node.id, token.id, expected=len(active))
        self.state.groups[group_id] = group
        token.status = TokenStatus.SPLIT
        token.node = node.id
        self.log(None, "split", node.id, note=_("{count} branch(es) started.", count=len(active)))
        if not active:
            group.fired = True
            self.move_on(token, self.spec.node(node.split or ""))
            return
        for edge in active:
            child = Token(f"{group_id}.{edge.order}", edge.target, group=group_id)
            self.state.tokens[child.id] = child
            group.branches.append(child.id)
            self.queue.append(child.id)

    def arrive(self, token: Token, node: Node) -> None:
        group = self.state.groups[token.group or ""]
        parent = self.state.tokens[group.parent]
        group.arrived += 1
        if node.join is JoinKind.EACH:
            token.group = parent.group
            self.move_on(token, node)
            if group.arrived >= group.expected:
                parent.status = TokenStatus.DONE
                group.fired = True
            return
        token.status = TokenStatus.DONE
        if group.fired:
            self.log(None, "branch_ignored", node.id)
            return
        if node.join is JoinKind.ANY:
            needed = 1
        elif node.join is JoinKind.COUNT:
            needed = min(node.count, group.expected)
        else:
            needed = group.expected
        if group.arrived < needed:
            return
        group.fired = True
        if not node.keep_others:
            for branch in group.branches:
                other = self.state.tokens.get(branch)
                if other is not None and other.status in LIVE:
                    self.cancel_token(other, "join_fired")
        self.log(None, "joined", node.id)
        self.move_on(parent, node)

    # -- cancelling --------------------------------------------------------------------

    def cancel_token(self, token: Token, reason: str) -> None:
        token.status = TokenStatus.CANCELLED
        if token.run is not None:
            self.cancel_run(self.state.runs[token.run], reason)
            token.run = None
        for group in self.state.groups.values():
            if group.parent == token.id:
                group.fired = True
                for branch in group.branches:
                    child = self.state.tokens.get(branch)
                    if child is not None and child.status in LIVE:
                        self.cancel_token(child, reason)

    def cancel_run(self, run: Run, reason: str) -> None:
        if run.status is RunStatus.ACTIVE:
            run.status = RunStatus.CANCELLED
        for task in self.state.open_tasks():
            if task.run == run.id:
                self.cancel_task(task, reason)
        self.cancel_timers(run.id)

    def cancel_task(self, task: Task, reason: str) -> None:
        task.status = TaskStatus.CANCELLED
        task.outcome = reason
        task.completed_at = self.now
        self.effects.append(fx.TaskCancelled(task.id, task.node, task.assignee, reason))

    def cancel_timers(self, run_id: int) -> None:
        for key, timer in list(self.state.timers.items()):
            if timer.run == run_id:
                del self.state.timers[key]
                self.effects.append(fx.CancelTimer(key))

    # -- human steps -------------------------------------------------------------------

    def start_run(self, token: Token, node: Node) -> bool:
        """Ask the people of a human step; False when the token now waits for them."""
        policies = node.policies
        state = self.state
        found = resolve(
            node.approvers, self.ctx.org, state.initiator, self.data, state.chosen.get(node.id, ())
        )
        users = list(found.users)
        notes: list[Msg] = list(found.explanations)
        auto: dict[int, Msg] = {}
        if node.kind is NodeKind.APPROVAL:
            users, auto = self._apply_self_and_duplicates(token, node, users, notes)
        if not users and policies.empty is EmptyPolicy.ASSIGN:
            notes.append(_("Nobody was found; the step goes to the people named for that case."))
            fallback = resolve(policies.empty_assign, self.ctx.org, state.initiator, self.data)
            users = list(fallback.users)
            notes.extend(fallback.explanations)
        if not users:
            return self._pass_empty(token, node, notes)
        run = Run(
            id=state.next_id(),
            node=node.id,
            token=token.id,
            slots=users,
            results=[SlotResult.PENDING] * len(users),
            explanations=[msg_to_json(note) for note in notes],
            started_at=self.now,
            auto=[""] * len(users),
        )
        state.runs[run.id] = run
        token.run = run.id
        self.log(None, "step_started", node.id)
        for index, user in enumerate(users):
            if user in auto:
                run.results[index] = SlotResult.APPROVED
                run.auto[index] = auto[user].text
                self.log(user, "auto_approved", node.id, note=auto[user])
        for number, timeout in enumerate(node.timeouts):
            self.schedule(run, node, number, self.ctx.due(timeout.after, node.policies.calendar))
        self.open_tasks(run)
        self.check_run(run)
        return token.run is None

    def _apply_self_and_duplicates(
        self, token: Token, node: Node, users: list[int], notes: list[Msg]
    ) -> tuple[list[int], dict[int, Msg]]:
        initiator = self.state.initiator
        auto: dict[int, Msg] = {}
        policy = node.policies.self_approval
        if initiator in users and policy is SelfPolicy.FORBID:
            manager = self.ctx.org.manager_of(initiator)
            index = users.index(initiator)
            if manager is not None and self.ctx.org.is_active(manager) and manager not in users:
                users[index] = manager
                notes.append(
                    _(
                        "The initiator may not approve their own request; their manager {name} "
                        "does instead.",
                        name=self.ctx.org.display_name(manager),
                    )
                )
            else:
                users.pop(index)
                notes.append(_("The initiator may not approve their own request."))
        elif initiator in users and policy is SelfPolicy.SKIP:
            auto[initiator] = _("The initiator's own approval was recorded automatically.")
        if node.policies.duplicate is DuplicatePolicy.SKIP:
            for user in users:
                if user in token.previous_approvers and user not in auto:
                    auto[user] = _(
                        "Approved automatically: the same person approved the step before."
                    )
        return users, auto

    def _pass_empty(self, token: Token, node: Node, notes: list[Msg]) -> bool:
        if node.policies.empty is EmptyPolicy.APPROVE:
            self.log(
                None,
                "auto_approved",
                node.id,
                note=_("Nobody was found to ask, so the step was approved automatically."),
            )
            self.run_actions(node)
            self.state.completed.append(node.id)
        else:
            self.log(
                None,
                "skipped",
                node.id,
                note=_("Nobody was found to ask, so the step was skipped."),
            )
        for note in notes:
            self.log(None, "explained", node.id, note=note)
        token.node = token.resume_at or self.next_of(node.id)
        token.resume_at = None
        self.queue.append(token.id)
        return True

    def schedule(self, run: Run, node: Node, number: int, at: Any, repeat: int = 0) -> None:
        key = f"{run.id}.{number}" + (f".{repeat}" if repeat else "")
        timer = Timer(key, run.id, node.id, number, at.isoformat(), repeat)
        self.state.timers[key] = timer
        action = node.timeouts[number].action.value
        self.effects.append(fx.ScheduleTimer(key, timer.at, node.id, action))

    def new_task(
        self,
        run: Run,
        slot: int,
        user: int,
        after: list[int] | None = None,
        delegated_from: int | None = None,
    ) -> Task:
        node = self.spec.node(run.node)
        kind = TaskKind.APPROVE if node.kind is NodeKind.APPROVAL else TaskKind.TASK
        task = Task(
            id=f"t{self.state.next_id()}",
            node=run.node,
            token=run.token,
            assignee=user,
            kind=kind,
            created_at=self.now,
            run=run.id,
            slot=slot,
            after=list(after or []),
            delegated_from=delegated_from,
        )
        self.state.tasks[task.id] = task
        self.effects.append(fx.TaskCreated(task.id, task.node, user, kind.value, delegated_from))
        return task

    def open_tasks(self, run: Run) -> None:
        """Give a task to every pending slot that should act now and has none."""
        if run.status is not RunStatus.ACTIVE:
            return
        busy = {t.slot for t in self.state.open_tasks() if t.run == run.id}
        node = self.spec.node(run.node)
        for slot, result in enumerate(run.results):
            if result is not SlotResult.PENDING:
                continue
            if node.mode.kind is ModeKind.ONE_BY_ONE:
                if slot not in busy:
                    self.new_task(run, slot, run.slots[slot])
                return
            if slot not in busy:
                self.new_task(run, slot, run.slots[slot])

    def decision(self, run: Run) -> RunStatus | None:
        node = self.spec.node(run.node)
        total = len(run.results)
        approved = run.results.count(SlotResult.APPROVED)
        rejected = run.results.count(SlotResult.REJECTED)
        mode = node.mode
        if mode.kind is ModeKind.ANY:
            if approved:
                return RunStatus.APPROVED
            return RunStatus.REJECTED if rejected else None
        if mode.kind is ModeKind.VOTE:
            needed = max(mode.needed(total), 1)
            if approved >= needed:
                return RunStatus.APPROVED
            return RunStatus.REJECTED if rejected > total - needed else None
        if rejected:
            return RunStatus.REJECTED
        return RunStatus.APPROVED if approved == total else None

    def check_run(self, run: Run) -> None:
        """Close the run when its mode has a decision; otherwise open the next tasks."""
        decided = self.decision(run)
        if decided is None:
            self.open_tasks(run)
            return
        self.close_run(run, decided)

    def close_run(self, run: Run, decided: RunStatus) -> None:
        node = self.spec.node(run.node)
        run.status = decided
        for task in self.state.open_tasks():
            if task.run == run.id:
                self.cancel_task(task, "step_decided")
        self.cancel_timers(run.id)
        token = self.state.tokens[run.token]
        token.run = None
        if decided is RunStatus.APPROVED:
            self.state.completed.append(node.id)
            token.previous_approvers = [
                user
                for user, result in zip(run.slots, run.results, strict=True)
                if result is SlotResult.APPROVED
            ]
            self.log(None, "step_approved", node.id)
            self.run_actions(node)
            if not self.state.is_finished:
                self.move_on(token, node)
            return
        self.log(None, "step_rejected", node.id)
        self.on_reject(token, node)

    def on_reject(self, token: Token, node: Node) -> None:
        policy = node.policies.reject
        if policy is RejectPolicy.INITIATOR:
            return_to_initiator(self, node.id, None, None)
        elif policy is RejectPolicy.STEP and node.policies.reject_step in self.state.completed:
            return_to_step(self, token, node.id, node.policies.reject_step or "", None, None)
        else:
            self.terminate(InstanceStatus.REJECTED.value, step=node.id)

    # -- automatic actions -------------------------------------------------------------

    def run_actions(self, node: Node) -> None:
        for action in node.actions:
            if self.state.is_finished:
                return
            self.run_action(action, node.id)

    def run_action(self, action: Any, step: str | None) -> None:
        kind = action.kind
        if kind is ActionKind.SET:
            value = self.ctx.evaluate(action.value, self.data, self.variables())
            self.data[action.path] = value
            self.effects.append(fx.SetFields({action.path: value}, step))
        elif kind is ActionKind.CREATE:
            if action.for_each:
                rows = self.data.get(action.for_each) or []
                for number, row in enumerate(rows):
                    values = self.mapping(action.mapping, {"row": row})
                    self.effects.append(fx.CreateRecord(action.form, values, step, number))
            else:
                values = self.mapping(action.mapping)
                self.effects.append(fx.CreateRecord(action.form, values, step))
        elif kind is ActionKind.UPDATE:
            record = self.data.get(action.path)
            if record is not None:
                values = self.mapping(action.mapping)
                self.effects.append(fx.UpdateRecord(action.form, record, values, step))
        elif kind is ActionKind.WEBHOOK:
            payload = (
                self.mapping(action.mapping)
                if action.mapping
                else {
                    "flow": self.spec.key,
                    "step": step,
                    "data": self.data,
                }
            )
            self.effects.append(fx.CallWebhook(action.url, payload, step))
        elif kind in (ActionKind.NOTIFY, ActionKind.CC):
            found = resolve(action.recipients, self.ctx.org, self.state.initiator, self.data)
            users = tuple(found.users)
            if kind is ActionKind.NOTIFY:
                self.effects.append(fx.Notify(users, "notify", step, action.message))
            else:
                for user in users:
                    self.state.cc.append(CcEntry(user, step or "", self.now))
                self.effects.append(fx.CarbonCopy(users, step))
                self.log(None, "carbon_copy", step)
        elif kind is ActionKind.START_FLOW:
            self.effects.append(fx.StartFlow(action.form, step))

    def mapping(self, entries: Any, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        variables = self.variables(extra)
        return {name: self.ctx.evaluate(expr, self.data, variables) for name, expr in entries}
