"""From flow source text to the syntax tree (:mod:`formflow.dsl.ast`).

The grammar is ``flow.lark`` beside this module; it ``%import``s the expression grammar of
:mod:`formflow.expr`, whose nodes are built by ``ExprTransformer`` merged into ours with
:func:`lark.visitors.merge_transformers`. The parser is built once per process on first use.

:func:`parse_flow_file` never lets a lark exception out: a syntax error becomes a
:class:`~formflow.errors.SourceError` with one friendly diagnostic (see
:mod:`formflow.dsl.syntax_errors`).
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, VisitError
from lark.visitors import merge_transformers

from formflow.dsl import ast
from formflow.dsl.model import (
    Access,
    Action,
    ActionKind,
    ApproverRule,
    DeptKind,
    DeptRef,
    Duration,
    DurationUnit,
    Expr,
    Mode,
    ModeKind,
    Permission,
    Pos,
    RuleKind,
    SubjectKind,
    Timeout,
    TimeoutAction,
)
from formflow.dsl.syntax_errors import describe_syntax_error
from formflow.errors import Diagnostic, SourceError
from formflow.expr import MAX_DEPTH, ExprTransformer, grammar_path
from formflow.i18n import _

#: Longest flow file accepted, in characters (a 500-step flow is about 60,000).
MAX_SOURCE_LENGTH = 1_000_000
#: Deepest nesting of braces and parentheses (blocks, mappings, calls) accepted.
MAX_NESTING = 60

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


def flow_grammar_path() -> Path:
    """The ``flow.lark`` file."""
    return Path(__file__).with_name("flow.lark")


@functools.cache
def parser() -> Lark:
    """The LALR parser for flow files, built once per process on first use."""
    return Lark(
        flow_grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        import_paths=[grammar_path().parent],
    )


@functools.cache
def transformer() -> Transformer[Token, Any]:
    """Our transformer merged with the expression language's, built once per process.

    lark's ``v_args`` wrappers are rebuilt on every attribute access; binding each callback
    once on the instance keeps transforming a 500-step flow cheap.
    """
    merged: Transformer[Token, Any] = merge_transformers(  # type: ignore[no-untyped-call]
        FlowTransformer(), expr=ExprTransformer()
    )
    for name in dir(merged):
        if not name.startswith("_") and name != "transform":
            value = getattr(merged, name)
            if callable(value):
                setattr(merged, name, value)
    return merged


#: The text being parsed (the transformer slices expression sources out of it).
_SOURCE: ContextVar[str] = ContextVar("flow_source", default="")


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


def _ensure_depth(node: Any, meta: Any) -> None:
    """Refuse an expression nested deeper than the expression language allows."""
    stack: list[tuple[Any, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SourceError(
                [
                    Diagnostic(
                        _(
                            "This expression is nested too deeply (more than {limit} levels). "
                            "Split it into several computed fields.",
                            limit=MAX_DEPTH,
                        ),
                        line=meta.line,
                        column=meta.column,
                        code="too_deep",
                    )
                ]
            )
        children = getattr(current, "children", None)
        if callable(children):
            stack.extend((child, depth + 1) for child in children())


def _pos(meta: Any) -> Pos:
    if getattr(meta, "empty", True):
        return Pos()
    return Pos(meta.line, meta.column, meta.end_line, meta.end_column)


def _tok_pos(token: Token) -> Pos:
    return Pos(token.line or 1, token.column or 1, token.end_line, token.end_column)


def _name(value: Any) -> str | None:
    return None if value is None else str(value)


def _title(value: Any) -> str | None:
    return None if value is None else str(value)


@v_args(meta=True)
class FlowTransformer(Transformer[Token, Any]):
    """Builds :mod:`formflow.dsl.ast` nodes while the LALR parser reduces rules."""


    # -- file and definitions -----------------------------------------------------------

    def start(self, meta: Any, children: list[Any]) -> ast.FlowFile:
        flows = tuple(child for child in children if isinstance(child, ast.FlowDef))
        autos = tuple(child for child in children if isinstance(child, ast.AutomationDef))
        return ast.FlowFile(flows, autos)

    def title(self, meta: Any, children: list[Any]) -> str:
        return unquote(str(children[0]))

    def flow(self, meta: Any, children: list[Any]) -> ast.FlowDef:
        name, title, form, *items = children
        items = [item for item in items if item is not None and not isinstance(item, Token)]
        return ast.FlowDef(
            name=str(name),
            title=_title(title),
            form=str(form),
            params=tuple(i for i in items if isinstance(i, ast.Param)),
            policies=tuple(i for i in items if isinstance(i, ast.PolicyStmt)),
            body=tuple(i for i in items if not isinstance(i, ast.Param | ast.PolicyStmt)),
            pos=_pos(meta),
            form_pos=_tok_pos(form),
        )

    def param(self, meta: Any, children: list[Any]) -> ast.Param:
        return ast.Param(str(children[0]), children[1], _pos(meta))

    def number_literal(self, meta: Any, children: list[Any]) -> Decimal:
        return Decimal(str(children[0]))

    def string_literal(self, meta: Any, children: list[Any]) -> str:
        return unquote(str(children[0]))

    def true_literal(self, meta: Any, children: list[Any]) -> bool:
        return True

    def false_literal(self, meta: Any, children: list[Any]) -> bool:
        return False

    def block(self, meta: Any, children: list[Any]) -> tuple[Any, ...]:
        return tuple(child for child in children if not isinstance(child, Token))

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
            title=_title(title),
            assign=assigns[0] if assigns else None,
            permissions=tuple(perms),
            timeouts=tuple(i for i in items if isinstance(i, Timeout)),
            actions=tuple(actions),
            policies=tuple(i for i in items if isinstance(i, ast.PolicyStmt)),
            pos=_pos(meta),
        )

    def approve_by(self, meta: Any, children: list[Any]) -> ast.Assignment:
        return ast.Assignment(ast.AssignKind.APPROVE, children[0], children[1], _pos(meta))

    def task_by(self, meta: Any, children: list[Any]) -> ast.Assignment:
        return ast.Assignment(ast.AssignKind.TASK, children[0], children[1], _pos(meta))

    def approvers(self, meta: Any, children: list[Any]) -> tuple[ApproverRule, ...]:
        return tuple(children)

    def _rule(self, meta: Any, kind: RuleKind, **values: Any) -> ApproverRule:
        pos = _pos(meta)
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
        pos = _pos(meta)
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
        return ast.PolicyStmt(kind, value, _pos(meta), target, rules)

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

    # -- routing ------------------------------------------------------------------------

    def if_chain(self, meta: Any, children: list[Any]) -> ast.IfChain:
        arms: list[ast.IfArm] = []
        rest = list(children)
        otherwise = None
        if len(rest) % 2 == 1:
            otherwise = rest.pop()
        for index in range(0, len(rest), 2):
            condition, body = rest[index], rest[index + 1]
            arms.append(ast.IfArm(condition, body, Pos(condition.line, condition.column)))
        return ast.IfChain(tuple(arms), otherwise, _pos(meta))

    def parallel(self, meta: Any, children: list[Any]) -> ast.ParallelDef:
        join = children[0] or ast.JoinDef()
        return ast.ParallelDef(join, tuple(children[1:]), False, _pos(meta))

    def interleave(self, meta: Any, children: list[Any]) -> ast.ParallelDef:
        return ast.ParallelDef(ast.JoinDef(), tuple(children), True, _pos(meta))

    def join(self, meta: Any, children: list[Any]) -> ast.JoinDef:
        mode, count = children[0]
        return ast.JoinDef(mode, count, children[1] is not None)

    def join_all(self, meta: Any, children: list[Any]) -> tuple[ast.JoinMode, int]:
        return (ast.JoinMode.ALL, 0)

    def join_any(self, meta: Any, children: list[Any]) -> tuple[ast.JoinMode, int]:
        return (ast.JoinMode.ANY, 1)

    def join_each(self, meta: Any, children: list[Any]) -> tuple[ast.JoinMode, int]:
        return (ast.JoinMode.EACH, 0)

    def join_n(self, meta: Any, children: list[Any]) -> tuple[ast.JoinMode, int]:
        return (ast.JoinMode.COUNT, int(children[0]))

    def keep_others(self, meta: Any, children: list[Any]) -> bool:
        return True

    def branch(self, meta: Any, children: list[Any]) -> ast.BranchDef:
        name, title, condition, body = children
        return ast.BranchDef(_name(name), _title(title), condition, body, _pos(meta))

    def goto(self, meta: Any, children: list[Any]) -> ast.Goto:
        return ast.Goto(str(children[0]), _pos(meta))

    def end(self, meta: Any, children: list[Any]) -> ast.End:
        return ast.End(_name(children[0]), _pos(meta))

    # -- actions ------------------------------------------------------------------------

    def _action(self, meta: Any, kind: ActionKind, **values: Any) -> Action:
        pos = _pos(meta)
        return Action(kind=kind, line=pos.line, column=pos.column, **values)

    def set_field(self, meta: Any, children: list[Any]) -> Action:
        return self._action(meta, ActionKind.SET, path=str(children[0]), value=children[1])

    def create_record(self, meta: Any, children: list[Any]) -> Action:
        form, for_each, mapping = children
        return self._action(
            meta, ActionKind.CREATE, form=str(form), for_each=_name(for_each), mapping=mapping
        )

    def update_record(self, meta: Any, children: list[Any]) -> Action:
        form, via, mapping = children
        return self._action(meta, ActionKind.UPDATE, form=str(form), path=str(via), mapping=mapping)

    def webhook(self, meta: Any, children: list[Any]) -> Action:
        return self._action(
            meta, ActionKind.WEBHOOK, url=unquote(str(children[0])), mapping=children[1] or ()
        )

    def notify(self, meta: Any, children: list[Any]) -> Action:
        message = None if children[1] is None else unquote(str(children[1]))
        return self._action(meta, ActionKind.NOTIFY, recipients=children[0], message=message)

    def cc(self, meta: Any, children: list[Any]) -> Action:
        return self._action(meta, ActionKind.CC, recipients=children[0])

    def start_flow(self, meta: Any, children: list[Any]) -> Action:
        return self._action(meta, ActionKind.START_FLOW, form=str(children[0]))

    def mapping(self, meta: Any, children: list[Any]) -> tuple[tuple[str, Expr], ...]:
        return tuple(child for child in children if child is not None)

    def map_entry(self, meta: Any, children: list[Any]) -> tuple[str, Expr]:
        return (str(children[0]), children[1])

    def expr(self, meta: Any, children: list[Any]) -> Expr:
        _ensure_depth(children[0], meta)
        source = _SOURCE.get()[meta.start_pos : meta.end_pos]
        return Expr(source, meta.line, meta.column, children[0])

    # -- automations --------------------------------------------------------------------

    def automation(self, meta: Any, children: list[Any]) -> ast.AutomationDef:
        name, title, form, *items = children
        items = [item for item in items if item is not None and not isinstance(item, Token)]
        wheres = [i for i in items if isinstance(i, Expr)]
        return ast.AutomationDef(
            name=str(name),
            title=_title(title),
            form=str(form),
            triggers=tuple(i for i in items if isinstance(i, ast.Trigger)),
            where=wheres[0] if wheres else None,
            actions=tuple(i for i in items if isinstance(i, Action)),
            pos=_pos(meta),
            form_pos=_tok_pos(form),
        )

    def where(self, meta: Any, children: list[Any]) -> Expr:
        expression: Expr = children[0]
        return expression

    def _trigger(self, meta: Any, kind: ast.TriggerKind, **values: Any) -> ast.Trigger:
        return ast.Trigger(kind, _pos(meta), **values)

    def when_created(self, meta: Any, children: list[Any]) -> ast.Trigger:
        return self._trigger(meta, ast.TriggerKind.CREATED)

    def when_updated(self, meta: Any, children: list[Any]) -> ast.Trigger:
        return self._trigger(meta, ast.TriggerKind.UPDATED)

    def when_changed(self, meta: Any, children: list[Any]) -> ast.Trigger:
        paths = tuple(path for path, _line, _column in children[0])
        return self._trigger(meta, ast.TriggerKind.CHANGED, paths=paths)

    def when_status(self, meta: Any, children: list[Any]) -> ast.Trigger:
        return self._trigger(meta, ast.TriggerKind.STATUS, status=unquote(str(children[0])))

    def every_day(self, meta: Any, children: list[Any]) -> ast.Trigger:
        return self._trigger(meta, ast.TriggerKind.DAILY, clock=str(children[0]))

    def every_interval(self, meta: Any, children: list[Any]) -> ast.Trigger:
        duration = parse_duration(str(children[0]))
        return self._trigger(meta, ast.TriggerKind.INTERVAL, duration=duration)

    def before_date(self, meta: Any, children: list[Any]) -> ast.Trigger:
        return self._date_trigger(meta, ast.TriggerKind.BEFORE_DATE, children)

    def after_date(self, meta: Any, children: list[Any]) -> ast.Trigger:
        return self._date_trigger(meta, ast.TriggerKind.AFTER_DATE, children)

    def _date_trigger(self, meta: Any, kind: ast.TriggerKind, children: list[Any]) -> ast.Trigger:
        duration, path, clock = children
        return self._trigger(
            meta,
            kind,
            duration=parse_duration(str(duration)),
            paths=(str(path),),
            clock=None if clock is None else str(clock),
        )


def _brace_depth(text: str) -> tuple[int, int, int]:
    """The deepest ``{`` nesting outside strings and comments, and where it happens."""
    depth = deepest = 0
    where = (1, 1)
    line, column = 1, 1
    quote: str | None = None
    comment = False
    escaped = False
    for char in text:
        if comment:
            comment = char != "\n"
        elif quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in (quote, "\n"):
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            comment = True
        elif char in "{(":
            depth += 1
            if depth > deepest:
                deepest, where = depth, (line, column)
        elif char in "})":
            depth -= 1
        if char == "\n":
            line, column = line + 1, 1
        else:
            column += 1
    return deepest, where[0], where[1]


def _too_deep(line: int = 1, column: int = 1) -> SourceError:
    return SourceError(
        [
            Diagnostic(
                _(
                    "Blocks are nested more than {limit} levels deep here; "
                    "split the flow into simpler parts.",
                    limit=MAX_NESTING,
                ),
                line=line,
                column=column,
                code="too_deep",
            )
        ]
    )


def parse_flow_file(text: str) -> ast.FlowFile:
    """Parse a flow file into its syntax tree.

    Raises :class:`SourceError` with one diagnostic (line, column, friendly message, hint)
    when the text does not follow the grammar, is too long, or nests too deeply.
    """
    if len(text) > MAX_SOURCE_LENGTH:
        raise SourceError(
            [
                Diagnostic(
                    _(
                        "The flow text is too long ({length} characters; at most {limit}).",
                        length=len(text),
                        limit=MAX_SOURCE_LENGTH,
                    ),
                    code="too_long",
                )
            ]
        )
    deepest, line, column = _brace_depth(text)
    if deepest > MAX_NESTING:
        raise _too_deep(line, column)
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        raise SourceError([describe_syntax_error(parser(), text, error)]) from None
    token = _SOURCE.set(text)
    try:
        result = transformer().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, SourceError):
            raise SourceError(list(error.orig_exc.diagnostics)) from None
        raise
    finally:
        _SOURCE.reset(token)
    if not isinstance(result, ast.FlowFile):  # pragma: no cover - the grammar guarantees it
        raise SourceError([Diagnostic(_("The text could not be read."))])
    return result


__all__ = ["FlowTransformer", "flow_grammar_path", "parse_duration", "parse_flow_file"]
