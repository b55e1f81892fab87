"""The syntax tree of a flow file: frozen dataclasses, each with its source position.

The tree mirrors the text (nested blocks of steps, `if` chains and `parallel` regions); the
compiler (:mod:`formflow.dsl.compiler`) turns it into the graph the engine runs. Leaf values
(approver rules, modes, permissions, timeouts, policies, actions) are the shared classes of
:mod:`formflow.dsl.model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from formflow.dsl.model import (
    Action,
    ApproverRule,
    Duration,
    Expr,
    Mode,
    Permission,
    Pos,
    Timeout,
)


@dataclass(frozen=True)
class Param:
    """``param name = value``: a named setting with a default that a pack or admin may change."""

    name: str
    value: Decimal | str | bool
    pos: Pos


class PolicyKind(StrEnum):
    EMPTY = "empty"
    REJECT = "reject"
    SELF = "self"
    DUPLICATE = "duplicate"
    RESUBMIT = "resubmit"
    REJECT_COMMENT = "reject_comment"
    WITHDRAW = "withdraw"
    CALENDAR = "calendar"


@dataclass(frozen=True)
class PolicyStmt:
    """One policy statement (``on empty skip``, ``on reject return to initiator`` ...).

    ``value`` is the policy value (an enum value of :mod:`formflow.dsl.model`); ``target`` a
    step name (``return to``/``withdraw until``) or the calendar name; ``rules`` the people of
    ``on empty assign``.
    """

    kind: PolicyKind
    value: str
    pos: Pos
    target: str | None = None
    rules: tuple[ApproverRule, ...] = ()


class AssignKind(StrEnum):
    APPROVE = "approve"
    TASK = "task"


@dataclass(frozen=True)
class Assignment:
    kind: AssignKind
    rules: tuple[ApproverRule, ...]
    mode: Mode | None
    pos: Pos


@dataclass(frozen=True)
class Requirement:
    """``require f1, f2``: fields that must be filled before the step is approved/completed."""

    paths: tuple[str, ...]
    pos: Pos


@dataclass(frozen=True)
class StepDef:
    """A step: human (with ``assign``) or automatic (``assign`` is None, ``actions`` only)."""

    name: str
    title: str | None
    assign: Assignment | None
    permissions: tuple[Permission, ...]
    timeouts: tuple[Timeout, ...]
    actions: tuple[Action, ...]
    policies: tuple[PolicyStmt, ...]
    pos: Pos
    requires: tuple[Requirement, ...] = ()

    @property
    def required_paths(self) -> tuple[str, ...]:
        """Every path of the step's ``require`` statements, in order, without repeats."""
        return tuple(dict.fromkeys(p for req in self.requires for p in req.paths))


@dataclass(frozen=True)
class IfArm:
    condition: Expr
    body: tuple[FlowNode, ...]
    pos: Pos


@dataclass(frozen=True)
class IfChain:
    arms: tuple[IfArm, ...]
    otherwise: tuple[FlowNode, ...] | None
    pos: Pos


class JoinMode(StrEnum):
    ALL = "all"  # wait for every started branch (synchronisation / synchronising merge)
    ANY = "any"  # continue after the first (discriminator)
    COUNT = "count"  # continue after N (partial join)
    EACH = "each"  # every arriving branch continues on its own (multi-merge)


@dataclass(frozen=True)
class JoinDef:
    mode: JoinMode = JoinMode.ALL
    count: int = 0
    keep_others: bool = False


@dataclass(frozen=True)
class BranchDef:
    name: str | None
    title: str | None
    condition: Expr | None
    body: tuple[FlowNode, ...]
    pos: Pos


@dataclass(frozen=True)
class ParallelDef:
    """``parallel`` (or ``interleave``: the same branches, but worked on one at a time)."""

    join: JoinDef
    branches: tuple[BranchDef, ...]
    interleave: bool
    pos: Pos


@dataclass(frozen=True)
class Goto:
    target: str
    pos: Pos


@dataclass(frozen=True)
class End:
    status: str | None
    pos: Pos


FlowNode = StepDef | IfChain | ParallelDef | Goto | End


@dataclass(frozen=True)
class FlowDef:
    name: str
    title: str | None
    form: str
    params: tuple[Param, ...]
    policies: tuple[PolicyStmt, ...]
    body: tuple[FlowNode, ...]
    pos: Pos
    form_pos: Pos


class TriggerKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    CHANGED = "changed"
    STATUS = "status"
    DAILY = "daily"
    INTERVAL = "interval"
    BEFORE_DATE = "before_date"
    AFTER_DATE = "after_date"


@dataclass(frozen=True)
class Trigger:
    kind: TriggerKind
    pos: Pos
    paths: tuple[str, ...] = ()
    status: str | None = None
    duration: Duration | None = None
    clock: str | None = None


@dataclass(frozen=True)
class AutomationDef:
    name: str
    title: str | None
    form: str
    triggers: tuple[Trigger, ...]
    where: Expr | None
    actions: tuple[Action, ...]
    pos: Pos
    form_pos: Pos


@dataclass(frozen=True)
class FlowFile:
    """Everything one source text defines."""

    flows: tuple[FlowDef, ...]
    automations: tuple[AutomationDef, ...]
