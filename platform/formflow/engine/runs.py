"""Human steps: asking people, tallying their decisions by the step's mode.

Rules (also in docs/flow-dsl.md, "Semantics"):

* **Modes.** ``all``: every slot approves; one rejection rejects. ``any``: the first decision
  decides. ``one_by_one``: slots in order, one task at a time. ``vote``: the step passes once
  the approvals reach the threshold and fails as soon as it can no longer reach it.
* **Empty approvers.** ``on empty skip`` passes the step without running its actions;
  ``approve`` passes it as approved (actions run); ``assign`` asks the named people instead,
  and skips when they too resolve to nobody. The history explains each case.
* **Self approval.** ``allow``; ``skip``: the initiator's own slot counts as approved; ``forbid``:
  the initiator's manager takes the slot (dropped when there is none).
* **De-duplication** (``on duplicate skip``, the default): someone who approved the step just
  before on this path has their slot approved automatically (approval steps only).
"""

from __future__ import annotations

from typing import Any

from formflow.dsl.model import (
    DuplicatePolicy,
    EmptyPolicy,
    ModeKind,
    RejectPolicy,
    SelfPolicy,
)
from formflow.dsl.spec import Node, NodeKind
from formflow.engine import effects as fx
from formflow.engine.approvers import resolve
from formflow.engine.core import RuntimeCore
from formflow.engine.returns import return_to_initiator, return_to_step
from formflow.engine.state import (
    InstanceStatus,
    Run,
    RunStatus,
    SlotResult,
    Task,
    TaskKind,
    Timer,
    Token,
    msg_to_json,
)
from formflow.i18n import Msg, _


class StepRuns(RuntimeCore):
    """Runs of human steps: who is asked, their tasks, timers and the tally."""

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
