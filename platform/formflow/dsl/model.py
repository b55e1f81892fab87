"""The leaf vocabulary shared by the flow AST and the compiled FlowSpec.

Approver rules, approval modes, field permissions, timeouts, policies and actions mean the same
thing in the source tree (where the checker reports on them) and in the compiled graph (where
the engine runs them), so both use these frozen dataclasses. Each class converts to and from
plain JSON (``to_json`` / ``*_from_json``) because a FlowSpec is stored with the published flow
version and must be readable by later releases.

Expressions are kept as their source text plus position (:class:`Expr`); the parsed node of the
expression language rides along for the checker but is neither compared nor serialised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Pos:
    """A 1-based source span."""

    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True)
class Expr:
    """An expression of the expression language embedded in a flow, with its position."""

    source: str
    line: int = 1
    column: int = 1
    node: Any = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "column": self.column}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Expr:
        return cls(str(data["source"]), int(data.get("line", 1)), int(data.get("column", 1)))


# ------------------------------------------------------------------------ approver rules


class RuleKind(StrEnum):
    """How an approver rule finds people (see docs/flow-dsl.md "Approvers")."""

    USER = "user"  # named users
    ROLE = "role"  # holders of a role, optionally within a department
    HEAD = "department_head"  # head of a department
    MANAGER = "manager"  # the manager N levels up (1 = direct manager)
    CHAIN = "manager_chain"  # managers 1..N levels up, nearest first
    CHAIN_UNTIL = "manager_chain_until"  # managers up to the first holder of a role
    FIELD = "field"  # user(s) picked in a form field
    CHOSEN = "chosen"  # picked by the initiator at submission (发起人自选)
    INITIATOR = "initiator"
    MEMBERS = "members"  # every active member of a department and its sub-departments
    EVERYONE = "everyone"  # every active user


class SubjectKind(StrEnum):
    INITIATOR = "initiator"
    FIELD = "field"


class DeptKind(StrEnum):
    NAMED = "named"  # a department by its name
    INITIATOR = "initiator"  # the initiator's department
    FIELD = "field"  # a department picked in a form field


@dataclass(frozen=True)
class DeptRef:
    kind: DeptKind
    value: str | None = None  # department name or field path


@dataclass(frozen=True)
class ApproverRule:
    """One approver rule; which attributes matter depends on ``kind``.

    ``names`` are usernames (USER); ``role`` for ROLE and CHAIN_UNTIL; ``dept`` for
    ROLE/HEAD/MEMBERS (for MEMBERS a field may hold several departments, or be a sub-table
    column of departments);
    ``subject``/``subject_field`` whose manager (MANAGER, CHAIN, CHAIN_UNTIL); ``level`` the
    level (MANAGER) or number of levels (CHAIN); ``path`` the field (FIELD); ``candidates`` the
    people the initiator may choose from (CHOSEN, empty = anyone).
    """

    kind: RuleKind
    names: tuple[str, ...] = ()
    role: str | None = None
    dept: DeptRef | None = None
    subject: SubjectKind = SubjectKind.INITIATOR
    subject_field: str | None = None
    level: int = 1
    path: str | None = None
    candidates: tuple[ApproverRule, ...] = ()
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "line": self.line, "column": self.column}
        if self.names:
            out["names"] = list(self.names)
        if self.role is not None:
            out["role"] = self.role
        if self.dept is not None:
            out["dept"] = {"kind": self.dept.kind.value, "value": self.dept.value}
        if self.subject is not SubjectKind.INITIATOR:
            out["subject"] = self.subject.value
            out["subject_field"] = self.subject_field
        if self.level != 1:
            out["level"] = self.level
        if self.path is not None:
            out["path"] = self.path
        if self.candidates:
            out["candidates"] = [rule.to_json() for rule in self.candidates]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApproverRule:
        dept = data.get("dept")
        return cls(
            kind=RuleKind(data["kind"]),
            names=tuple(data.get("names", ())),
            role=data.get("role"),
            dept=None if dept is None else DeptRef(DeptKind(dept["kind"]), dept.get("value")),
            subject=SubjectKind(data.get("subject", "initiator")),
            subject_field=data.get("subject_field"),
            level=int(data.get("level", 1)),
            path=data.get("path"),
            candidates=tuple(cls.from_json(item) for item in data.get("candidates", ())),
            line=int(data.get("line", 1)),
            column=int(data.get("column", 1)),
        )


def rules_to_json(rules: tuple[ApproverRule, ...]) -> list[dict[str, Any]]:
    return [rule.to_json() for rule in rules]


def rules_from_json(data: Any) -> tuple[ApproverRule, ...]:
    return tuple(ApproverRule.from_json(item) for item in data or ())


# ------------------------------------------------------------------------ modes


class ModeKind(StrEnum):
    ALL = "all"  # 会签: everyone must approve
    ANY = "any"  # 或签: the first one decides
    ONE_BY_ONE = "one_by_one"  # 依次: in order, each must approve
    VOTE = "vote"  # threshold: a count, or a percentage of the people asked


@dataclass(frozen=True)
class Mode:
    kind: ModeKind = ModeKind.ALL
    threshold: Decimal | None = None  # VOTE: count, or percentage when ``percent``
    percent: bool = False

    def needed(self, people: int) -> int:
        """Approvals needed to pass among ``people`` (for ANY: 1; ALL/ONE_BY_ONE: all)."""
        if self.kind is ModeKind.ANY:
            return min(1, people)
        if self.kind is ModeKind.VOTE and self.threshold is not None:
            if self.percent:
                exact = self.threshold * people / 100
                whole = int(exact)
                return min(people, whole + (1 if exact > whole else 0))
            return min(people, int(self.threshold))
        return people

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value}
        if self.threshold is not None:
            out["threshold"] = str(self.threshold)
            out["percent"] = self.percent
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Mode:
        if not data:
            return cls()
        threshold = data.get("threshold")
        return cls(
            ModeKind(data["kind"]),
            None if threshold is None else Decimal(str(threshold)),
            bool(data.get("percent", False)),
        )


# ------------------------------------------------------------------------ permissions


class Access(StrEnum):
    EDIT = "edit"
    READ = "read"
    HIDE = "hide"


@dataclass(frozen=True)
class Permission:
    """``access`` to a field path (``amount`` or a sub-table column ``items.amount``)."""

    path: str
    access: Access
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)


# ------------------------------------------------------------------------ timeouts


class DurationUnit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"  # calendar days
    WORKDAYS = "workdays"  # working days of the flow's calendar


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: DurationUnit

    def to_json(self) -> str:
        return f"{self.amount} {self.unit.value}"

    @classmethod
    def from_json(cls, text: str) -> Duration:
        amount, unit = text.split()
        return cls(int(amount), DurationUnit(unit))


class TimeoutAction(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"
    APPROVE = "approve"
    REJECT = "reject"
    SKIP = "skip"


@dataclass(frozen=True)
class Timeout:
    """After ``after`` on a step: remind, escalate to ``to``, auto-act, or skip the step."""

    after: Duration
    action: TimeoutAction
    to: tuple[ApproverRule, ...] = ()
    every: Duration | None = None
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"after": self.after.to_json(), "action": self.action.value}
        if self.to:
            out["to"] = rules_to_json(self.to)
        if self.every is not None:
            out["every"] = self.every.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Timeout:
        every = data.get("every")
        return cls(
            Duration.from_json(data["after"]),
            TimeoutAction(data["action"]),
            rules_from_json(data.get("to")),
            None if every is None else Duration.from_json(every),
        )


# ------------------------------------------------------------------------ policies


class EmptyPolicy(StrEnum):
    SKIP = "skip"  # pass the step without running its actions
    APPROVE = "approve"  # pass the step as approved (its actions run)
    ASSIGN = "assign"  # send to the people of ``empty_assign``


class RejectPolicy(StrEnum):
    END = "end"  # the instance ends rejected
    INITIATOR = "initiator"  # back to the initiator to fix and resubmit
    STEP = "step"  # back to the step ``reject_step``


class SelfPolicy(StrEnum):
    ALLOW = "allow"
    SKIP = "skip"  # the initiator's own approval is recorded automatically
    FORBID = "forbid"  # the initiator's manager approves instead


class DuplicatePolicy(StrEnum):
    SKIP = "skip"  # someone who approved the previous step is not asked again
    ASK = "ask"


class ResubmitPolicy(StrEnum):
    RERUN = "rerun"  # after a return, every step from the target on runs again
    RESUME = "resume"  # after the target completes, go straight back to the step that returned


class WithdrawPolicy(StrEnum):
    FIRST_ACTION = "first_action"  # until anyone other than the initiator has acted
    UNTIL = "until"  # until step ``withdraw_until`` has completed (a milestone)
    NEVER = "never"


@dataclass(frozen=True)
class Policies:
    """The rules that say what happens in the corner cases (defaults documented here).

    Flow-level statements set the defaults of every step; statements in a step override them
    for that step. ``withdraw`` and ``calendar`` are flow-level only.
    """

    empty: EmptyPolicy = EmptyPolicy.SKIP
    empty_assign: tuple[ApproverRule, ...] = ()
    reject: RejectPolicy = RejectPolicy.END
    reject_step: str | None = None
    self_approval: SelfPolicy = SelfPolicy.ALLOW
    duplicate: DuplicatePolicy = DuplicatePolicy.SKIP
    resubmit: ResubmitPolicy = ResubmitPolicy.RERUN
    reject_comment: bool = False
    withdraw: WithdrawPolicy = WithdrawPolicy.FIRST_ACTION
    withdraw_until: str | None = None
    calendar: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "empty": self.empty.value,
            "empty_assign": rules_to_json(self.empty_assign),
            "reject": self.reject.value,
            "reject_step": self.reject_step,
            "self_approval": self.self_approval.value,
            "duplicate": self.duplicate.value,
            "resubmit": self.resubmit.value,
            "reject_comment": self.reject_comment,
            "withdraw": self.withdraw.value,
            "withdraw_until": self.withdraw_until,
            "calendar": self.calendar,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Policies:
        if not data:
            return cls()
        return cls(
            empty=EmptyPolicy(data.get("empty", "skip")),
            empty_assign=rules_from_json(data.get("empty_assign")),
            reject=RejectPolicy(data.get("reject", "end")),
            reject_step=data.get("reject_step"),
            self_approval=SelfPolicy(data.get("self_approval", "allow")),
            duplicate=DuplicatePolicy(data.get("duplicate", "skip")),
            resubmit=ResubmitPolicy(data.get("resubmit", "rerun")),
            reject_comment=bool(data.get("reject_comment", False)),
            withdraw=WithdrawPolicy(data.get("withdraw", "first_action")),
            withdraw_until=data.get("withdraw_until"),
            calendar=data.get("calendar"),
        )


# ------------------------------------------------------------------------ actions


class ActionKind(StrEnum):
    SET = "set"
    CREATE = "create"
    UPDATE = "update"
    WEBHOOK = "webhook"
    NOTIFY = "notify"
    CC = "cc"
    START_FLOW = "start_flow"


@dataclass(frozen=True)
class Action:
    """One automatic action (what an automatic step, a `then` or an automation does).

    SET: ``path`` = ``value``. CREATE: a record of ``form`` from ``mapping`` (one per row of
    sub-table ``for_each`` when given; the row is the variable ``row``). UPDATE: the record of
    ``form`` whose id is in link field ``path``. WEBHOOK: POST to ``url`` with ``mapping``.
    NOTIFY / CC: to the people of ``recipients`` (with ``message``). START_FLOW: ``form`` is
    the flow key.
    """

    kind: ActionKind
    path: str | None = None
    value: Expr | None = None
    form: str | None = None
    for_each: str | None = None
    mapping: tuple[tuple[str, Expr], ...] = ()
    url: str | None = None
    recipients: tuple[ApproverRule, ...] = ()
    message: str | None = None
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "line": self.line, "column": self.column}
        for name in ("path", "form", "for_each", "url", "message"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.value is not None:
            out["value"] = self.value.to_json()
        if self.mapping:
            out["mapping"] = [[key, expr.to_json()] for key, expr in self.mapping]
        if self.recipients:
            out["recipients"] = rules_to_json(self.recipients)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Action:
        value = data.get("value")
        return cls(
            kind=ActionKind(data["kind"]),
            path=data.get("path"),
            value=None if value is None else Expr.from_json(value),
            form=data.get("form"),
            for_each=data.get("for_each"),
            mapping=tuple((str(k), Expr.from_json(v)) for k, v in data.get("mapping", ())),
            url=data.get("url"),
            recipients=rules_from_json(data.get("recipients")),
            message=data.get("message"),
            line=int(data.get("line", 1)),
            column=int(data.get("column", 1)),
        )
