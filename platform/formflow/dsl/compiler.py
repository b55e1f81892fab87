"""From the syntax tree to the graph: :class:`~formflow.dsl.spec.FlowSpec` building.

The structured text (sequences, ``if`` chains, ``parallel`` regions, ``goto``) becomes nodes and
edges. Blocks are compiled back to front: each item is given the id of what follows it and
returns the id of its own entry, so a ``goto`` is simply "my entry is that step".

Generated ids contain ``#`` (``#start``, ``if#3``, ``split#4``, ``join#4``, ``#end``,
``end#paid``) so they can never clash with step names, which are identifiers.

:func:`build_flow_spec` trusts its input; :func:`formflow.dsl.compile_flow` checks first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from formflow.dsl import ast
from formflow.dsl.model import (
    DuplicatePolicy,
    EmptyPolicy,
    Mode,
    ModeKind,
    Policies,
    RejectPolicy,
    ResubmitPolicy,
    RuleKind,
    SelfPolicy,
    WithdrawPolicy,
)
from formflow.dsl.spec import (
    AutomationSpec,
    Edge,
    EdgeKind,
    FlowSpec,
    JoinKind,
    Node,
    NodeKind,
    ParamValue,
    Trigger,
)

START = "#start"
END = "#end"


def end_id(status: str | None) -> str:
    """The node id of an end: ``#end`` for the normal end, ``end#<name>`` for named ends."""
    return END if status in (None, "approved") else f"end#{status}"


def apply_policies(base: Policies, statements: tuple[ast.PolicyStmt, ...]) -> Policies:
    """``base`` with each statement applied in order (later statements win)."""
    result = base
    for stmt in statements:
        kind = stmt.kind
        if kind is ast.PolicyKind.EMPTY:
            result = replace(result, empty=EmptyPolicy(stmt.value), empty_assign=stmt.rules)
        elif kind is ast.PolicyKind.REJECT:
            result = replace(result, reject=RejectPolicy(stmt.value), reject_step=stmt.target)
        elif kind is ast.PolicyKind.SELF:
            result = replace(result, self_approval=SelfPolicy(stmt.value))
        elif kind is ast.PolicyKind.DUPLICATE:
            result = replace(result, duplicate=DuplicatePolicy(stmt.value))
        elif kind is ast.PolicyKind.RESUBMIT:
            result = replace(result, resubmit=ResubmitPolicy(stmt.value))
        elif kind is ast.PolicyKind.REJECT_COMMENT:
            result = replace(result, reject_comment=True)
        elif kind is ast.PolicyKind.WITHDRAW:
            result = replace(
                result, withdraw=WithdrawPolicy(stmt.value), withdraw_until=stmt.target
            )
        elif kind is ast.PolicyKind.CALENDAR:
            result = replace(result, calendar=stmt.target)
    return result


def default_mode(step: ast.StepDef) -> Mode:
    """The written mode, else ``one_by_one`` for manager chains and ``all`` otherwise."""
    if step.assign is None:
        return Mode(ModeKind.ALL)
    if step.assign.mode is not None:
        return step.assign.mode
    if any(r.kind in (RuleKind.CHAIN, RuleKind.CHAIN_UNTIL) for r in step.assign.rules):
        return Mode(ModeKind.ONE_BY_ONE)
    return Mode(ModeKind.ALL)


@dataclass
class _Builder:
    policies: Policies
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    counter: int = 0

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}#{self.counter}"

    def add_end(self, status: str | None, line: int, column: int) -> str:
        node_id = end_id(status)
        if node_id not in self.nodes:
            self.nodes[node_id] = Node(
                node_id, NodeKind.END, status=status or "approved", line=line, column=column
            )
        return node_id

    def block(
        self,
        items: tuple[ast.FlowNode, ...],
        follow: tuple[str, EdgeKind],
        region: tuple[str, ...],
    ) -> tuple[str, EdgeKind]:
        entry = follow
        for item in reversed(items):
            entry = self.item(item, entry, region)
        return entry

    def item(
        self, item: ast.FlowNode, follow: tuple[str, EdgeKind], region: tuple[str, ...]
    ) -> tuple[str, EdgeKind]:
        if isinstance(item, ast.StepDef):
            self.step(item, follow, region)
            return (item.name, EdgeKind.NEXT)
        if isinstance(item, ast.Goto):
            return (item.target, EdgeKind.GOTO)
        if isinstance(item, ast.End):
            return (self.add_end(item.status, item.pos.line, item.pos.column), EdgeKind.NEXT)
        if isinstance(item, ast.IfChain):
            return self.if_chain(item, follow, region)
        return self.parallel(item, follow, region)

    def step(
        self, step: ast.StepDef, follow: tuple[str, EdgeKind], region: tuple[str, ...]
    ) -> None:
        if step.assign is None:
            kind = NodeKind.AUTO
        elif step.assign.kind is ast.AssignKind.APPROVE:
            kind = NodeKind.APPROVAL
        else:
            kind = NodeKind.TASK
        self.nodes[step.name] = Node(
            id=step.name,
            kind=kind,
            title=step.title,
            line=step.pos.line,
            column=step.pos.column,
            region=region,
            approvers=step.assign.rules if step.assign else (),
            mode=default_mode(step),
            permissions=step.permissions,
            timeouts=step.timeouts,
            actions=step.actions,
            policies=apply_policies(self.policies, step.policies),
            required=step.required_paths,
        )
        self.edges.append(Edge(step.name, follow[0], follow[1]))

    def if_chain(
        self, chain: ast.IfChain, follow: tuple[str, EdgeKind], region: tuple[str, ...]
    ) -> tuple[str, EdgeKind]:
        node_id = self.next_id("if")
        self.nodes[node_id] = Node(
            node_id, NodeKind.CHOICE, line=chain.pos.line, column=chain.pos.column, region=region
        )
        for order, arm in enumerate(chain.arms, start=1):
            target, _kind = self.block(arm.body, follow, region)
            self.edges.append(Edge(node_id, target, EdgeKind.CONDITION, arm.condition, order))
        default_target = follow[0]
        if chain.otherwise is not None:
            default_target, _kind = self.block(chain.otherwise, follow, region)
        order = len(chain.arms) + 1
        self.edges.append(Edge(node_id, default_target, EdgeKind.DEFAULT, None, order))
        return (node_id, EdgeKind.NEXT)

    def parallel(
        self, par: ast.ParallelDef, follow: tuple[str, EdgeKind], region: tuple[str, ...]
    ) -> tuple[str, EdgeKind]:
        self.counter += 1
        split_id = f"split#{self.counter}"
        join_id = f"join#{self.counter}"
        join = JoinKind(par.join.mode.value)
        common = {
            "join": join,
            "count": par.join.count,
            "keep_others": par.join.keep_others,
            "interleave": par.interleave,
            "line": par.pos.line,
            "column": par.pos.column,
            "region": region,
        }
        self.nodes[split_id] = Node(split_id, NodeKind.SPLIT, split=join_id, **common)  # type: ignore[arg-type]
        self.nodes[join_id] = Node(join_id, NodeKind.JOIN, split=split_id, **common)  # type: ignore[arg-type]
        self.edges.append(Edge(join_id, follow[0], follow[1]))
        for number, branch in enumerate(par.branches, start=1):
            inner = (*region, f"{split_id}.{number}")
            target, _kind = self.block(branch.body, (join_id, EdgeKind.NEXT), inner)
            kind = EdgeKind.BRANCH if branch.condition is None else EdgeKind.CONDITION
            self.edges.append(
                Edge(split_id, target, kind, branch.condition, number, branch.name or branch.title)
            )
        return (split_id, EdgeKind.NEXT)


def param_values(
    params: tuple[ast.Param, ...], settings: Mapping[str, ParamValue] | None
) -> dict[str, ParamValue]:
    """Declared defaults, overridden by ``settings`` for the names the flow declares."""
    values: dict[str, ParamValue] = {param.name: param.value for param in params}
    for name, value in (settings or {}).items():
        if name in values:
            values[name] = value
    return values


def build_flow_spec(
    flow: ast.FlowDef, settings: Mapping[str, ParamValue] | None = None, source: str = ""
) -> FlowSpec:
    """Compile one checked flow definition to its graph."""
    policies = apply_policies(Policies(), flow.policies)
    builder = _Builder(policies)
    builder.nodes[START] = Node(START, NodeKind.START, line=flow.pos.line, column=flow.pos.column)
    builder.add_end(None, flow.pos.end_line or flow.pos.line, flow.pos.end_column or 1)
    entry, kind = builder.block(flow.body, (END, EdgeKind.NEXT), ())
    builder.edges.append(Edge(START, entry, kind))
    ordered = {START: builder.nodes.pop(START)}
    ordered.update(sorted(builder.nodes.items(), key=lambda kv: (kv[1].line, kv[1].column)))
    return FlowSpec(
        key=flow.name,
        title=flow.title,
        form=flow.form,
        nodes=ordered,
        edges=tuple(builder.edges),
        params=param_values(flow.params, settings),
        policies=policies,
        start=START,
        source_hash=hashlib.sha256(source.encode("utf-8")).hexdigest() if source else None,
    )


def build_automation_spec(
    auto: ast.AutomationDef, settings: Mapping[str, ParamValue] | None = None
) -> AutomationSpec:
    """Compile one checked automation definition."""
    triggers = tuple(
        Trigger(
            kind=t.kind.value,
            paths=t.paths,
            status=t.status,
            every=None if t.duration is None else t.duration.to_json(),
            clock=t.clock,
        )
        for t in auto.triggers
    )
    return AutomationSpec(
        key=auto.name,
        title=auto.title,
        form=auto.form,
        triggers=triggers,
        where=auto.where,
        actions=auto.actions,
        params=dict(settings or {}),
    )
