"""Properties: random action sequences on random small flows keep the task invariants."""

from __future__ import annotations

import copy
import dataclasses
from decimal import Decimal
from enum import StrEnum
from typing import Any

from flowkit import NAMES, Driver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formflow.engine import TaskAction, TaskVerb, TimerFired, Withdraw
from formflow.engine.events import Position
from formflow.engine.state import InstanceState, RunStatus, TaskKind, TokenStatus
from formflow.errors import PermissionDenied, TransitionNotAllowed

RULES = [
    "user(lisi)",
    "user(zhaoliu, zhouba)",
    "role(finance)",
    "manager(initiator)",
    "manager_chain(initiator, 2)",
    "department_head(initiator)",
]
MODES = ["", "all", "any", "one_by_one", "vote 1", "vote 60%"]
EXTRAS = [
    "",
    "after 1h remind",
    "after 2h auto approve",
    "after 1h skip",
    "on reject return to initiator",
    "after 1h escalate to role(hr)",
]
USERS = [name for name in NAMES if name != "zhengshi"]


@st.composite
def steps(draw: st.DrawFn, name: str) -> str:
    rule = draw(st.sampled_from(RULES))
    mode = draw(st.sampled_from(MODES))
    extra = draw(st.sampled_from(EXTRAS))
    return f"step {name} {{ approve by {rule} {mode} {extra} }}"


@st.composite
def blocks(draw: st.DrawFn, prefix: str, depth: int) -> str:
    items = []
    for index in range(draw(st.integers(1, 3))):
        name = f"{prefix}{index}"
        kind = draw(st.sampled_from(["step", "step", "if", "parallel"] if depth else ["step"]))
        if kind == "step":
            items.append(draw(steps(name)))
        elif kind == "if":
            then = draw(blocks(name + "t", depth - 1))
            other = draw(blocks(name + "e", depth - 1))
            items.append(f"if amount > 100 {{ {then} }} else {{ {other} }}")
        else:
            join = draw(st.sampled_from(["", "join any", "join 1", "join each"]))
            first = draw(blocks(name + "a", depth - 1))
            second = draw(blocks(name + "b", depth - 1))
            items.append(f"parallel {join} {{ branch {{ {first} }} branch {{ {second} }} }}")
    return "\n".join(items)


@st.composite
def flows(draw: st.DrawFn) -> str:
    return "flow f on expense_claim {\n" + draw(blocks("s", 2)) + "\n}"


def assert_invariants(state: InstanceState) -> None:
    """No waiting step without an open task; no person twice on one slot of a step."""
    open_tasks = state.open_tasks()
    if state.is_finished:
        assert open_tasks == []
        return
    if state.status == "returned":
        assert [t.kind for t in open_tasks] == [TaskKind.RESUBMIT]
        return
    for token in state.tokens.values():
        if token.status is TokenStatus.ACTIVE and token.run is not None:
            run = state.runs[token.run]
            assert run.status is RunStatus.ACTIVE
            mine = [t for t in open_tasks if t.run == run.id]
            assert mine, f"step {run.node} waits with no open task"
            slots = [t.slot for t in mine]
            assert len(slots) == len(set(slots)), f"duplicate open tasks at {run.node}"
    waiting = [t for t in state.tokens.values() if t.status is TokenStatus.ACTIVE]
    assert all(t.run is not None for t in waiting), "a token is stuck without a task"


VERBS = [
    "approve",
    "approve",
    "approve",
    "reject",
    "return",
    "return_step",
    "transfer",
    "add",
    "delegate",
    "reclaim",
    "timer",
    "withdraw",
    "stranger",
]
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(VERBS),
        st.integers(0, 50),
        st.sampled_from(USERS),
        st.sampled_from(list(Position)),
    ),
    max_size=25,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=flows(), amount=st.sampled_from([50, 500]), actions=ACTIONS)
def test_random_actions_never_leave_a_waiting_step_without_or_with_duplicate_tasks(
    text: str, amount: int, actions: list[tuple[str, int, str, Position]]
) -> None:
    run = Driver(text, {"amount": amount})
    run.start()
    assert run.state is not None
    assert_invariants(run.state)
    for verb, pick, user, position in actions:
        state = run.state
        assert state is not None
        tasks = state.open_tasks()
        try:
            if verb == "timer":
                if state.timers:
                    keys = sorted(state.timers)
                    run.send(TimerFired(keys[pick % len(keys)]))
                continue
            if verb == "withdraw":
                run.send(Withdraw(state.initiator))
                continue
            if not tasks:
                continue
            task = tasks[pick % len(tasks)]
            actor = task.assignee
            event: TaskAction
            if verb in ("approve", "reject"):
                event = TaskAction(task.id, actor, TaskVerb(verb), comment="x")
            elif verb == "return":
                event = TaskAction(task.id, actor, TaskVerb.RETURN)
            elif verb == "return_step":
                target = state.completed[pick % len(state.completed)] if state.completed else "s0"
                event = TaskAction(task.id, actor, TaskVerb.RETURN, target=target)
            elif verb in ("transfer", "delegate"):
                event = TaskAction(task.id, actor, TaskVerb(verb), user=NAMES[user])
            elif verb == "add":
                event = TaskAction(
                    task.id, actor, TaskVerb.ADD_APPROVER, users=(NAMES[user],), position=position
                )
            elif verb == "reclaim":
                event = TaskAction(task.id, task.delegated_from or actor, TaskVerb.RECLAIM)
            else:
                event = TaskAction(task.id, NAMES[user], TaskVerb.APPROVE)
            run.send(event)
        except (TransitionNotAllowed, PermissionDenied):
            assert run.state is state  # a refused action changes nothing
        assert run.state is not None
        assert_invariants(run.state)
        assert_copies_and_serialises_like_the_library(run.state)


def _reference_plain(value: Any) -> Any:
    """The state's JSON written the slow, obvious way (``dataclasses.asdict``)."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _reference_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_reference_plain(v) for v in value]
    return value


def assert_copies_and_serialises_like_the_library(state: InstanceState) -> None:
    """``copy()`` and ``to_dict()`` are fast hand-written passes; they must agree with
    ``copy.deepcopy`` and ``dataclasses.asdict`` on every state the engine produces."""
    clone = state.copy()
    assert clone == copy.deepcopy(state)
    assert clone is not state and clone.tokens is not state.tokens
    for key, task in state.tasks.items():
        assert clone.tasks[key] is not task
    assert state.to_dict() == _reference_plain(dataclasses.asdict(state))
