"""Token movement through the graph: the heart of the engine.

A :class:`Runtime` wraps one event's work on a *copy* of the instance state: it moves tokens
through the graph until each one waits (at a human step, a split or a join) or ends, and
collects the effects. Task actions, returns and timers (other modules) call into it.

* **Parallel regions.** A split makes a group of branch tokens (``root/3.1`` ...); its join
  counts only that group's tokens and fires once (``all``, ``any``, ``N``), cancelling the
  other branches unless told to keep them; ``each`` lets every branch go on by itself.
* **Ends.** A named end (``end paid``), an ``end`` inside a branch, or a rejection ends the
  whole instance and cancels everything else still open. The plain end finishes the instance
  once no token is left (implicit termination).
"""

from __future__ import annotations

from formflow.dsl.spec import JoinKind, Node, NodeKind
from formflow.engine.core import LIVE
from formflow.engine.runs import StepRuns
from formflow.engine.state import (
    Group,
    InstanceStatus,
    Token,
    TokenStatus,
)
from formflow.errors import EvaluationFailed
from formflow.i18n import _

#: Node visits one event may make before the engine decides the flow loops forever.
MAX_MOVES = 10_000


class Runtime(StepRuns):
    """One event's work on a copy of an instance state (see the module docstring)."""

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
