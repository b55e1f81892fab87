"""Checker rules about the shape of a flow: names, jumps, routing, joins, reachability.

Most run on the compiled graph (:class:`~formflow.dsl.spec.FlowSpec`), which is built even for
a flow with errors (edges to unknown steps are simply ignored here).
"""

from __future__ import annotations

from formflow.dsl import ast
from formflow.dsl.diagnosis import Report, did_you_mean
from formflow.dsl.spec import FlowSpec, JoinKind, NodeKind
from formflow.i18n import _

Steps = dict[str, tuple[ast.StepDef, tuple[str, ...]]]


def collect_steps(
    body: tuple[ast.FlowNode, ...],
    region: tuple[str, ...],
    out: Steps,
    dupes: list[ast.StepDef],
    counter: list[int],
) -> None:
    """Every step with its region (matching the compiler's region names)."""
    for item in body:
        if isinstance(item, ast.StepDef):
            if item.name in out:
                dupes.append(item)
            else:
                out[item.name] = (item, region)
        elif isinstance(item, ast.IfChain):
            for arm in item.arms:
                collect_steps(arm.body, region, out, dupes, counter)
            if item.otherwise is not None:
                collect_steps(item.otherwise, region, out, dupes, counter)
        elif isinstance(item, ast.ParallelDef):
            counter[0] += 1
            split = f"split#{counter[0]}"
            for number, branch in enumerate(item.branches, start=1):
                collect_steps(branch.body, (*region, f"{split}.{number}"), out, dupes, counter)


def check_structure(report: Report, flow: ast.FlowDef) -> dict[str, tuple[str, ...]]:
    """Duplicate steps, jumps, routing defaults and joins. Returns step -> region."""
    steps: Steps = {}
    dupes: list[ast.StepDef] = []
    _walk_ids(flow.body, steps, dupes)
    for dupe in dupes:
        report.error(
            "duplicate_step",
            _(
                "There are two steps named `{name}`; step names must be unique in a flow.",
                name=dupe.name,
            ),
            dupe.pos.line,
            dupe.pos.column,
        )
    regions = {name: region for name, (_step, region) in steps.items()}

    def check_target(target: str | None, line: int, column: int) -> bool:
        if target is None or target in regions:
            return True
        report.error(
            "unknown_step",
            _("There is no step `{name}` in this flow.", name=target),
            line,
            column,
            did_you_mean(target, regions),
        )
        return False

    for stmt in flow.policies:
        check_target(
            stmt.target if stmt.kind in (ast.PolicyKind.REJECT, ast.PolicyKind.WITHDRAW) else None,
            stmt.pos.line,
            stmt.pos.column,
        )
    for step, _region in steps.values():
        for stmt in step.policies:
            if stmt.kind is ast.PolicyKind.REJECT:
                check_target(stmt.target, stmt.pos.line, stmt.pos.column)
    _check_nodes(report, flow.body, (), regions, check_target, [0])
    return regions


def _walk_ids(
    body: tuple[ast.FlowNode, ...],
    out: Steps,
    dupes: list[ast.StepDef],
) -> None:
    collect_steps(body, (), out, dupes, [0])


def _check_nodes(
    report: Report,
    body: tuple[ast.FlowNode, ...],
    region: tuple[str, ...],
    regions: dict[str, tuple[str, ...]],
    check_target: object,
    counter: list[int],
) -> None:
    for item in body:
        if isinstance(item, ast.Goto):
            if check_target(item.target, item.pos.line, item.pos.column) and (  # type: ignore[operator]
                regions[item.target] != region
            ):
                report.error(
                    "goto_region",
                    _(
                        "`goto {name}` jumps into or out of a parallel branch; a goto must stay "
                        "within its own branch.",
                        name=item.target,
                    ),
                    item.pos.line,
                    item.pos.column,
                    _("To leave a branch, let it reach the end of its block."),
                )
        elif isinstance(item, ast.IfChain):
            if len(item.arms) > 1 and item.otherwise is None:
                report.error(
                    "no_default",
                    _(
                        "This `if ... else if ...` has no `else`: say what happens when no "
                        "condition holds."
                    ),
                    item.pos.line,
                    item.pos.column,
                    _("Add `else {{ }}` to continue with the next step."),
                )
            for arm in item.arms:
                _check_nodes(report, arm.body, region, regions, check_target, counter)
            if item.otherwise is not None:
                _check_nodes(report, item.otherwise, region, regions, check_target, counter)
        elif isinstance(item, ast.ParallelDef):
            counter[0] += 1
            split = f"split#{counter[0]}"
            join = item.join
            if join.mode is ast.JoinMode.COUNT and not 1 <= join.count <= len(item.branches):
                report.error(
                    "join_count",
                    _(
                        "`join {count}` waits for more branches than there are ({branches}).",
                        count=join.count,
                        branches=len(item.branches),
                    ),
                    item.pos.line,
                    item.pos.column,
                )
            for number, branch in enumerate(item.branches, start=1):
                _check_nodes(
                    report,
                    branch.body,
                    (*region, f"{split}.{number}"),
                    regions,
                    check_target,
                    counter,
                )


def check_graph(report: Report, spec: FlowSpec) -> None:
    """Unreachable steps, steps with no way to an end, branches that can never join."""
    forward: dict[str, list[str]] = {node_id: [] for node_id in spec.nodes}
    backward: dict[str, list[str]] = {node_id: [] for node_id in spec.nodes}
    for edge in spec.edges:
        if edge.target in spec.nodes and edge.source in spec.nodes:
            forward[edge.source].append(edge.target)
            backward[edge.target].append(edge.source)
    # a join is reached through its split too (the token waits there): for reachability
    for node in spec.nodes.values():
        if node.kind is NodeKind.SPLIT and node.split is not None and not forward[node.id]:
            forward[node.id].append(node.split)
    reached = _closure(spec.start, forward)
    ends = [n.id for n in spec.nodes.values() if n.kind is NodeKind.END]
    can_end: set[str] = set()
    for end in ends:
        can_end |= _closure(end, backward)
    for node in spec.nodes.values():
        if node.kind in (NodeKind.START, NodeKind.END, NodeKind.JOIN):
            continue
        named = node.kind.is_human or node.kind is NodeKind.AUTO
        if node.id not in reached:
            if named:
                report.error(
                    "unreachable",
                    _("The step `{name}` can never be reached.", name=node.id),
                    node.line,
                    node.column,
                    _("Something before it always jumps away (`goto` or `end`)."),
                )
            continue
        if node.id not in can_end and named:
            report.error(
                "no_end",
                _(
                    "From step `{name}` the flow can never reach an end (it loops forever).",
                    name=node.id,
                ),
                node.line,
                node.column,
                _(
                    "Give the loop a way out, e.g. `if ... {{ goto ... }}` instead of a bare "
                    "`goto`."
                ),
            )
    for node in spec.nodes.values():
        if node.kind is not NodeKind.SPLIT or node.id not in reached:
            continue
        join = node.split or ""
        for edge in spec.outgoing(node.id):
            if join not in _closure(edge.target, forward, stop=join):
                severity_all = node.join in (JoinKind.ALL, JoinKind.EACH) and not node.keep_others
                message = _(
                    "The branch `{name}` can never reach its join, so the parallel "
                    "block can never finish.",
                    name=edge.label or str(edge.order),
                )
                if severity_all:
                    report.error("never_joins", message, node.line, node.column)
                else:
                    report.warning("never_joins", message, node.line, node.column)


def _closure(start: str, graph: dict[str, list[str]], stop: str | None = None) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        current = todo.pop()
        if current == stop:
            continue
        for nxt in graph.get(current, []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
