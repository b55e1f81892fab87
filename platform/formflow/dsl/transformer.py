"""The transformer that builds :mod:`formflow.dsl.ast` nodes from lark's parse tree.

One callback per grammar rule (alias); step-level rules live in the
:class:`~formflow.dsl.transform_steps.StepRules` mixin. The expression language's
``ExprTransformer`` is merged in by :func:`formflow.dsl.parser.transformer`.
"""

from __future__ import annotations

from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from lark import Token, v_args

from formflow.dsl import ast
from formflow.dsl.model import Action, ActionKind, Expr, Pos
from formflow.dsl.transform_steps import (
    StepRules,
    name_or_none,
    parse_duration,
    pos_of,
    title_or_none,
    token_pos,
    unquote,
)
from formflow.errors import Diagnostic, SourceError
from formflow.expr import MAX_DEPTH
from formflow.i18n import _

#: The text being transformed (expression sources are sliced out of it).
SOURCE: ContextVar[str] = ContextVar("flow_source", default="")


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


@v_args(meta=True)
class FlowTransformer(StepRules):
    """Builds :mod:`formflow.dsl.ast` nodes (one instance serves every parse)."""

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
            title=title_or_none(title),
            form=str(form),
            params=tuple(i for i in items if isinstance(i, ast.Param)),
            policies=tuple(i for i in items if isinstance(i, ast.PolicyStmt)),
            body=tuple(i for i in items if not isinstance(i, ast.Param | ast.PolicyStmt)),
            pos=pos_of(meta),
            form_pos=token_pos(form),
        )

    def param(self, meta: Any, children: list[Any]) -> ast.Param:
        return ast.Param(str(children[0]), children[1], pos_of(meta))

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
        return ast.IfChain(tuple(arms), otherwise, pos_of(meta))

    def parallel(self, meta: Any, children: list[Any]) -> ast.ParallelDef:
        join = children[0] or ast.JoinDef()
        return ast.ParallelDef(join, tuple(children[1:]), False, pos_of(meta))

    def interleave(self, meta: Any, children: list[Any]) -> ast.ParallelDef:
        return ast.ParallelDef(ast.JoinDef(), tuple(children), True, pos_of(meta))

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
        return ast.BranchDef(
            name_or_none(name), title_or_none(title), condition, body, pos_of(meta)
        )

    def goto(self, meta: Any, children: list[Any]) -> ast.Goto:
        return ast.Goto(str(children[0]), pos_of(meta))

    def end(self, meta: Any, children: list[Any]) -> ast.End:
        return ast.End(name_or_none(children[0]), pos_of(meta))

    # -- actions ------------------------------------------------------------------------

    def _action(self, meta: Any, kind: ActionKind, **values: Any) -> Action:
        pos = pos_of(meta)
        return Action(kind=kind, line=pos.line, column=pos.column, **values)

    def set_field(self, meta: Any, children: list[Any]) -> Action:
        return self._action(meta, ActionKind.SET, path=str(children[0]), value=children[1])

    def create_record(self, meta: Any, children: list[Any]) -> Action:
        form, for_each, mapping = children
        return self._action(
            meta,
            ActionKind.CREATE,
            form=str(form),
            for_each=name_or_none(for_each),
            mapping=mapping,
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
        source = SOURCE.get()[meta.start_pos : meta.end_pos]
        return Expr(source, meta.line, meta.column, children[0])

    # -- automations --------------------------------------------------------------------

    def automation(self, meta: Any, children: list[Any]) -> ast.AutomationDef:
        name, title, form, *items = children
        items = [item for item in items if item is not None and not isinstance(item, Token)]
        wheres = [i for i in items if isinstance(i, Expr)]
        return ast.AutomationDef(
            name=str(name),
            title=title_or_none(title),
            form=str(form),
            triggers=tuple(i for i in items if isinstance(i, ast.Trigger)),
            where=wheres[0] if wheres else None,
            actions=tuple(i for i in items if isinstance(i, Action)),
            pos=pos_of(meta),
            form_pos=token_pos(form),
        )

    def where(self, meta: Any, children: list[Any]) -> Expr:
        expression: Expr = children[0]
        return expression

    def _trigger(self, meta: Any, kind: ast.TriggerKind, **values: Any) -> ast.Trigger:
        return ast.Trigger(kind, pos_of(meta), **values)

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
