"""What can happen to an instance: the events :func:`formflow.engine.handle` accepts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class TaskVerb(StrEnum):
    """What a person can do with a task (``POST /api/tasks/{id}/{verb}``)."""

    APPROVE = "approve"  # also "complete" for task steps and "resubmit" for returned requests
    REJECT = "reject"
    RETURN = "return"  # to the initiator (target None / "initiator") or to an earlier step
    TRANSFER = "transfer"  # hand the task to ``user`` (转交)
    ADD_APPROVER = "add_approver"  # ``users`` before / after / alongside the actor (加签)
    DELEGATE = "delegate"  # let ``user`` act for me; I can reclaim it
    RECLAIM = "reclaim"  # take back a task I delegated
    COMMENT = "comment"


class Position(StrEnum):
    BEFORE = "before"  # they approve first, then the task comes back to me
    AFTER = "after"  # after I approve, they approve too
    ALONGSIDE = "alongside"  # they join this step as one more approver


@dataclass(frozen=True)
class Start:
    """The initiator submitted the record; ``chosen`` maps step names to people they picked."""

    initiator: int
    chosen: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    comment: str | None = None


@dataclass(frozen=True)
class TaskAction:
    task: str
    actor: int
    verb: TaskVerb
    comment: str | None = None
    target: str | None = None  # RETURN: a step name, or None / "initiator"
    user: int | None = None  # TRANSFER / DELEGATE
    users: tuple[int, ...] = ()  # ADD_APPROVER
    position: Position = Position.ALONGSIDE


@dataclass(frozen=True)
class Withdraw:
    actor: int
    comment: str | None = None


@dataclass(frozen=True)
class Urge:
    actor: int


@dataclass(frozen=True)
class TimerFired:
    key: str


@dataclass(frozen=True)
class MarkCcRead:
    actor: int
    step: str | None = None  # None: every carbon copy of this instance to the actor


Event = Start | TaskAction | Withdraw | Urge | TimerFired | MarkCcRead
