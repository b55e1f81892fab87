"""Syntax-tree building for steps: approvers, modes, permissions, timeouts and policies.

A mixin of :class:`formflow.dsl.transformer.FlowTransformer`; see that module.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lark import Token, Transformer, v_args

from formflow.dsl import ast
from formflow.dsl.model import (
    Access,
    Action,
    ApproverRule,
    DeptKind,
    DeptRef,
    Duration,
    DurationUnit,
    Mode,
    ModeKind,
    Permission,
    Pos,
    RuleKind,
    SubjectKind,
    Timeout,
    TimeoutAction,
)

_UNITS = {
    "workdays": DurationUnit.WORKDAYS,
    "workday": DurationUnit.WORKDAYS,
    "wd": DurationUnit.WORKDAYS,
    "days": DurationUnit.DAYS,
    "day": DurationUnit.DAYS,
    "d": DurationUnit.DAYS,
    "hours": DurationUnit.HOURS,
    "hour": DurationUnit.HOURS,
    "h": DurationUnit.HOURS,
    "minutes": DurationUnit.MINUTES,
    "minute": DurationUnit.MINUTES,
    "min": DurationUnit.MINUTES,
    "m": DurationUnit.MINUTES,
}


def parse_duration(text: str) -> Duration:
    """``"48h"``, ``"3 workdays"``, ``"2d"`` -> :class:`Duration`."""
    digits = "".join(ch for ch in text if ch.isdigit())
    unit = text[len(digits) :].strip()
    return Duration(int(digits), _UNITS[unit])


def unquote(literal: str) -> str:
    """The text of a string literal: quotes removed and backslash escapes resolved."""
    body = literal[1:-1]
    out: list[str] = []
    index = 0
    escapes = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            out.append(escapes.get(body[index + 1], body[index + 1]))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def pos_of(meta: Any) -> Pos:
    if getattr(meta, "empty", True):
        return Pos()
    return Pos(meta.line, meta.column, meta.end_line, meta.end_column)


def token_pos(token: Token) -> Pos:
    return Pos(token.line or 1, token.column or 1, token.end_line, token.end_column)


def name_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def title_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


@v_args(meta=True)
class StepRules(Transformer[Token, Any]):
    """Callbacks for the rules inside a step (and the policies, which also stand in flows)."""

    # -- steps --------------------------------------------------------------------------

    def step(self, meta: Any, children: list[Any]) -> ast.StepDef:
        name, title, *items = children
        items = [item for item in items if item is not None and not isinstance(item, Token)]
        assigns = [i for i in items if isinstance(i, ast.Assignment)]
        actions: list[Action] = []
        for item in items:
            if isinstance(item, list):
                actions.extend(item)
            elif isinstance(item, Action):
                actions.append(item)
        perms: list[Permission] = []
        for item in items:
            if isinstance(item, tuple) and item and isinstance(item[0], Permission):
                perms.extend(item)
        return ast.StepDef(
            name=str(name),
            title=title_or_none(title),
            assign=assigns[0] if assigns else None,
            permissions=tuple(perms),
            timeouts=tuple(i for i in items if isinstance(i, Timeout)),
            actions=tuple(actions),
            policies=tuple(i for i in items if isinstance(i, ast.PolicyStmt)),
            pos=pos_of(meta),
            requires=tuple(i for i in items if isinstance(i, ast.Requirement)),
        )

    def approve_by(self, meta: Any, children: list[Any]) -> ast.Assignment:
        return ast.Assignment(ast.AssignKind.APPROVE, children[0], children[1], pos_of(meta))

    def task_by(self, meta: Any, children: list[Any]) -> ast.Assignment:
        return ast.Assignment(ast.AssignKind.TASK, children[0], children[1], pos_of(meta))

    def approvers(self, meta: Any, children: list[Any]) -> tuple[ApproverRule, ...]:
        return tuple(children)

    def _rule(self, meta: Any, kind: RuleKind, **values: Any) -> ApproverRule:
        pos = pos_of(meta)
        return ApproverRule(kind=kind, line=pos.line, column=pos.column, **values)

    def user_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        names = tuple(
            unquote(str(c)) if str(c)[:1] in "\"'" else str(c) for c in children if c is not None
        )
        return self._rule(meta, RuleKind.USER, names=names)

    def role_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        return self._rule(meta, RuleKind.ROLE, role=str(children[0]), dept=children[1])

    def head_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        return self._rule(meta, RuleKind.HEAD, dept=children[0])

    def manager_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        kind, path = children[0]
        level = 1 if children[1] is None else int(children[1])
        return self._rule(meta, RuleKind.MANAGER, subject=kind, subject_field=path, level=level)

    def chain_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        kind, path = children[0]
        return self._rule(
            meta, RuleKind.CHAIN, subject=kind, subject_field=path, level=int(children[1])
        )

    def chain_until_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        kind, path = children[0]
        return self._rule(
            meta, RuleKind.CHAIN_UNTIL, subject=kind, subject_field=path, role=str(children[1])
        )

    def field_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        return self._rule(meta, RuleKind.FIELD, path=children[0])

    def chosen_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        return self._rule(meta, RuleKind.CHOSEN, candidates=children[0] or ())

    def initiator_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        return self._rule(meta, RuleKind.INITIATOR)

    def members_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        return self._rule(meta, RuleKind.MEMBERS, dept=children[0])

    def everyone_rule(self, meta: Any, children: list[Any]) -> ApproverRule:
        return self._rule(meta, RuleKind.EVERYONE)

    def subject_initiator(self, meta: Any, children: list[Any]) -> tuple[SubjectKind, None]:
        return (SubjectKind.INITIATOR, None)

    def subject_field(self, meta: Any, children: list[Any]) -> tuple[SubjectKind, str]:
        return (SubjectKind.FIELD, children[0])

    def dept_named(self, meta: Any, children: list[Any]) -> DeptRef:
        return DeptRef(DeptKind.NAMED, unquote(str(children[0])))

    def dept_initiator(self, meta: Any, children: list[Any]) -> DeptRef:
        return DeptRef(DeptKind.INITIATOR)

    def dept_field(self, meta: Any, children: list[Any]) -> DeptRef:
        return DeptRef(DeptKind.FIELD, children[0])

    def mode_all(self, meta: Any, children: list[Any]) -> Mode:
        return Mode(ModeKind.ALL)

    def mode_any(self, meta: Any, children: list[Any]) -> Mode:
        return Mode(ModeKind.ANY)

    def mode_one_by_one(self, meta: Any, children: list[Any]) -> Mode:
        return Mode(ModeKind.ONE_BY_ONE)

    def mode_vote(self, meta: Any, children: list[Any]) -> Mode:
        text = str(children[0])
        percent = text.endswith("%")
        return Mode(ModeKind.VOTE, Decimal(text.rstrip("%")), percent)

    def _perms(self, children: list[Any], access: Access) -> tuple[Permission, ...]:
        return tuple(Permission(path, access, line, column) for path, line, column in children[0])

    def perm_edit(self, meta: Any, children: list[Any]) -> tuple[Permission, ...]:
        return self._perms(children, Access.EDIT)

    def perm_read(self, meta: Any, children: list[Any]) -> tuple[Permission, ...]:
        return self._perms(children, Access.READ)

    def perm_hide(self, meta: Any, children: list[Any]) -> tuple[Permission, ...]:
        return self._perms(children, Access.HIDE)

    def require(self, meta: Any, children: list[Any]) -> ast.Requirement:
        return ast.Requirement(tuple(path for path, _line, _column in children[0]), pos_of(meta))

    def path_list(self, meta: Any, children: list[Any]) -> list[tuple[str, int, int]]:
        return [(str(path), path.line, path.column) for path in children]

    def path(self, meta: Any, children: list[Any]) -> Token:
        first = children[0]
        return Token(
            "PATH",
            ".".join(str(c) for c in children),
            line=first.line,
            column=first.column,
            end_line=children[-1].end_line,
            end_column=children[-1].end_column,
        )

    def timeout(self, meta: Any, children: list[Any]) -> Timeout:
        after, (action, to), every = children
        pos = pos_of(meta)
        return Timeout(
            parse_duration(str(after)),
            action,
            to,
            None if every is None else parse_duration(str(every)),
            pos.line,
            pos.column,
        )

    def t_remind(self, meta: Any, children: list[Any]) -> tuple[TimeoutAction, tuple[()]]:
        return (TimeoutAction.REMIND, ())

    def t_escalate(self, meta: Any, children: list[Any]) -> tuple[TimeoutAction, Any]:
        return (TimeoutAction.ESCALATE, children[0])

    def t_approve(self, meta: Any, children: list[Any]) -> tuple[TimeoutAction, tuple[()]]:
        return (TimeoutAction.APPROVE, ())

    def t_reject(self, meta: Any, children: list[Any]) -> tuple[TimeoutAction, tuple[()]]:
        return (TimeoutAction.REJECT, ())

    def t_skip(self, meta: Any, children: list[Any]) -> tuple[TimeoutAction, tuple[()]]:
        return (TimeoutAction.SKIP, ())

    def then(self, meta: Any, children: list[Any]) -> list[Action]:
        return [child for child in children if isinstance(child, Action)]

    # -- policies -----------------------------------------------------------------------

    def _policy(
        self,
        meta: Any,
        kind: ast.PolicyKind,
        value: str,
        target: str | None = None,
        rules: tuple[ApproverRule, ...] = (),
    ) -> ast.PolicyStmt:
        return ast.PolicyStmt(kind, value, pos_of(meta), target, rules)

    def empty_skip(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.EMPTY, "skip")

    def empty_approve(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.EMPTY, "approve")

    def empty_assign(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.EMPTY, "assign", rules=children[0])

    def reject_end(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.REJECT, "end")

    def reject_to_initiator(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.REJECT, "initiator")

    def reject_to_step(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.REJECT, "step", target=str(children[0]))

    def self_allow(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.SELF, "allow")

    def self_skip(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.SELF, "skip")

    def self_forbid(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.SELF, "forbid")

    def duplicate_skip(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.DUPLICATE, "skip")

    def duplicate_ask(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.DUPLICATE, "ask")

    def resubmit_rerun(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.RESUBMIT, "rerun")

    def resubmit_resume(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.RESUBMIT, "resume")

    def reject_comment(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.REJECT_COMMENT, "required")

    def withdraw_until(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.WITHDRAW, "until", target=str(children[0]))

    def withdraw_never(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        return self._policy(meta, ast.PolicyKind.WITHDRAW, "never")

    def calendar(self, meta: Any, children: list[Any]) -> ast.PolicyStmt:
        name = unquote(str(children[0]))
        return self._policy(meta, ast.PolicyKind.CALENDAR, "calendar", target=name)
