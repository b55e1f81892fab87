"""The shared base of the engine's runtime: bookkeeping, ending, cancelling, actions.

:class:`RuntimeCore` holds one event's work on a *copy* of an instance state (the effects it
produces, the record data as the event goes on, the queue of tokens to move). The step-run
logic (:mod:`formflow.engine.runs`) and the token movement (:mod:`formflow.engine.runtime`)
build on it; returns (:mod:`formflow.engine.returns`) use only this part.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from formflow.dsl.model import (
    ActionKind,
)
from formflow.dsl.spec import FlowSpec, Node
from formflow.engine import effects as fx
from formflow.engine.approvers import resolve
from formflow.engine.context import EngineContext
from formflow.engine.state import (
    CcEntry,
    HistoryEntry,
    InstanceState,
    Run,
    RunStatus,
    Task,
    TaskStatus,
    Token,
    TokenStatus,
    msg_to_json,
)
from formflow.i18n import Msg, _

LIVE = (TokenStatus.ACTIVE, TokenStatus.SPLIT)


class RuntimeCore:
    """Bookkeeping, ending, cancelling and automatic actions (see the module docstring)."""

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
