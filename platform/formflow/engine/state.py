"""The state of one running flow instance, as plain JSON-serialisable data.

Services store :meth:`InstanceState.to_dict` (a JSON object) and hand it back with the next
event; :func:`formflow.engine.handle` never mutates the state it is given.

Parts:

* **tokens** mark where the instance is. The first is ``root``; a ``parallel`` region started
  by token ``root`` for the 3rd time makes the group ``root/3`` and branch tokens ``root/3.1``,
  ``root/3.2`` ...; a join only counts tokens of its own group, so nested and repeated regions
  never mix.
* **runs**: one per visit of a human step (a step that reruns after a return gets a new run):
  the people asked (``slots``), why (``explanations``), and each slot's result.
* **tasks**: what people act on; ids (``t1``, ``t2`` ...) are stable and never reused.
* **timers**: scheduled timeouts, by key; the worker fires them with ``TimerFired(key)``.
* **history**: every action: who, what, when, comment, from which step to which.
* **cc**: carbon copies with read/unread.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from formflow.i18n import Msg


class InstanceStatus(StrEnum):
    """Fixed statuses; an instance that reached a named end has that name as its status."""

    RUNNING = "running"
    RETURNED = "returned"  # sent back to the initiator, waiting for a resubmission
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class TokenStatus(StrEnum):
    ACTIVE = "active"  # moving, or waiting at a human step
    SPLIT = "split"  # waiting at a split for its branches to join
    DONE = "done"
    CANCELLED = "cancelled"


class RunStatus(StrEnum):
    ACTIVE = "active"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class TaskKind(StrEnum):
    APPROVE = "approve"  # an approval step: approve or reject
    TASK = "task"  # a task step: do something, then complete
    RESUBMIT = "resubmit"  # the initiator fixes a returned request and resubmits


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class SlotResult(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def msg_to_json(message: Msg) -> dict[str, Any]:
    """A message as JSON; nested message parameters are kept as messages."""
    params: dict[str, Any] = {}
    for key, value in message.params.items():
        params[key] = {"$msg": msg_to_json(value)} if isinstance(value, Msg) else value
    return {"text": message.text, "params": params}


def msg_from_json(data: dict[str, Any]) -> Msg:
    params: dict[str, Any] = {}
    for key, value in (data.get("params") or {}).items():
        is_msg = isinstance(value, dict) and "$msg" in value
        params[key] = msg_from_json(value["$msg"]) if is_msg else value
    return Msg(str(data["text"]), params)


@dataclass
class Token:
    id: str
    node: str
    group: str | None = None  # the group this branch token belongs to (None for root)
    status: TokenStatus = TokenStatus.ACTIVE
    run: int | None = None  # the run of the human step it waits at
    busy: bool = False  # interleaved branches: someone has started working on it
    resume_at: str | None = None  # after a return with `on resubmit resume`
    previous_approvers: list[int] = field(default_factory=list)  # for de-duplication


@dataclass
class Group:
    """The branches started by one activation of a split."""

    id: str
    split: str
    parent: str  # the token waiting at the split
    expected: int  # branches that were started (and not ended elsewhere)
    arrived: int = 0
    fired: bool = False
    branches: list[str] = field(default_factory=list)


@dataclass
class Run:
    id: int
    node: str
    token: str
    slots: list[int]  # user ids, in the order asked
    results: list[SlotResult]
    explanations: list[dict[str, Any]]  # Msg JSON per resolution line
    started_at: str
    status: RunStatus = RunStatus.ACTIVE
    auto: list[str] = field(default_factory=list)  # per slot: why it was decided automatically


@dataclass
class Task:
    id: str
    node: str
    token: str
    assignee: int
    kind: TaskKind
    created_at: str
    run: int | None = None
    slot: int = 0
    status: TaskStatus = TaskStatus.OPEN
    outcome: str | None = None
    completed_at: str | None = None
    comment: str | None = None
    delegated_from: int | None = None
    after: list[int] = field(default_factory=list)  # people to ask after this one approves


@dataclass
class Timer:
    key: str
    run: int
    node: str
    timeout: int  # index into the node's timeouts
    at: str
    repeat: int = 0


@dataclass
class HistoryEntry:
    at: str
    actor: int | None  # None: the system
    action: str
    step: str | None = None
    to_step: str | None = None
    comment: str | None = None
    task: str | None = None
    note: dict[str, Any] | None = None  # a Msg as JSON


@dataclass
class CcEntry:
    user: int
    step: str
    at: str
    read: bool = False


@dataclass
class InstanceState:
    """Everything the engine knows about one instance (see the module docstring)."""

    flow: str
    initiator: int
    started_at: str
    status: str = InstanceStatus.RUNNING.value
    ended_at: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    chosen: dict[str, list[int]] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    runs: dict[int, Run] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    timers: dict[str, Timer] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    cc: list[CcEntry] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # steps that completed, in order
    splits: dict[str, int] = field(default_factory=dict)  # activations per token (for ids)
    counter: int = 0  # for task, run and timer ids
    acted: bool = False  # someone other than the initiator has acted
    returned_from: str | None = None
    last_urge_at: str | None = None

    # -- queries -----------------------------------------------------------------------

    @property
    def is_finished(self) -> bool:
        return self.status not in (InstanceStatus.RUNNING, InstanceStatus.RETURNED)

    def open_tasks(self) -> list[Task]:
        return [task for task in self.tasks.values() if task.status is TaskStatus.OPEN]

    def open_tasks_of(self, user_id: int) -> list[Task]:
        return [task for task in self.open_tasks() if task.assignee == user_id]

    def current_steps(self) -> list[str]:
        """Steps where people are being asked right now, in order of first task."""
        seen: list[str] = []
        for task in self.open_tasks():
            if task.node not in seen:
                seen.append(task.node)
        return seen

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    # -- JSON --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict (enums as their string values, run ids as strings).

        One pass over the state: every container is new, so the result shares nothing
        mutable with the state.
        """
        return _plain(self)  # type: ignore[no-any-return]

    def copy(self) -> InstanceState:
        """A deep copy, for the engine to change while the caller keeps the original.

        Equal to ``copy.deepcopy(self)`` but several times faster: the parts of a state are
        known, so only dataclasses, dicts and lists are rebuilt and immutable values shared.
        """
        return _copy(self)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstanceState:
        state = cls(
            flow=data["flow"],
            initiator=int(data["initiator"]),
            started_at=data["started_at"],
            status=data.get("status", "running"),
            ended_at=data.get("ended_at"),
            params={k: _unplain(v) for k, v in (data.get("params") or {}).items()},
            chosen={k: [int(u) for u in v] for k, v in (data.get("chosen") or {}).items()},
            completed=list(data.get("completed") or []),
            splits=dict(data.get("splits") or {}),
            counter=int(data.get("counter", 0)),
            acted=bool(data.get("acted", False)),
            returned_from=data.get("returned_from"),
            last_urge_at=data.get("last_urge_at"),
        )
        for key, value in (data.get("tokens") or {}).items():
            state.tokens[key] = Token(**{**value, "status": TokenStatus(value["status"])})
        for key, value in (data.get("groups") or {}).items():
            state.groups[key] = Group(**value)
        for key, value in (data.get("runs") or {}).items():
            state.runs[int(key)] = Run(
                **{
                    **value,
                    "status": RunStatus(value["status"]),
                    "results": [SlotResult(r) for r in value["results"]],
                }
            )
        for key, value in (data.get("tasks") or {}).items():
            state.tasks[key] = Task(
                **{
                    **value,
                    "kind": TaskKind(value["kind"]),
                    "status": TaskStatus(value["status"]),
                }
            )
        for key, value in (data.get("timers") or {}).items():
            state.timers[key] = Timer(**value)
        state.history = [HistoryEntry(**entry) for entry in data.get("history") or []]
        state.cc = [CcEntry(**entry) for entry in data.get("cc") or []]
        return state


#: The field names of the state's dataclasses, for :func:`_plain` and :func:`_copy`.
_PARTS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls))
    for cls in (Token, Group, Run, Task, Timer, HistoryEntry, CcEntry, InstanceState)
}
#: Values that are shared, never copied.
_SCALARS = (str, int, float, bool, type(None), Decimal, datetime, date, time, Enum)


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    names = _PARTS.get(kind)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _copy(value: Any) -> Any:
    kind = type(value)
    names = _PARTS.get(kind)
    if names is not None:
        clone = object.__new__(kind)
        for name in names:
            setattr(clone, name, _copy(getattr(value, name)))
        return clone
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    if kind is list:
        return [_copy(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    return copy.deepcopy(value)


def _unplain(value: Any) -> Any:
    if isinstance(value, dict) and "$decimal" in value:
        return Decimal(str(value["$decimal"]))
    return value
