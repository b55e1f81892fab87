"""The compiled flow: an immutable graph of nodes and edges, serialisable to JSON.

A :class:`FlowSpec` is what services store with a published flow version and what the engine
runs. The designer draws the same data (``nodes`` and ``edges``). ``to_json``/``from_json``
round-trip exactly; the JSON carries ``format`` (:data:`FORMAT_VERSION`) so that engines of
later releases can still read specs stored by this one (``from_json`` refuses a newer format).

Node kinds:

* ``start`` / ``end`` (an end has a ``status``: ``approved`` or a named end such as ``paid``);
* ``approval`` / ``task`` (human steps: approver rules, mode, permissions, timeouts, policies,
  ``actions`` run when the step completes) and ``auto`` (automatic steps: actions only);
* ``choice`` (outgoing edges carry ordered conditions; the edge without one is the default);
* ``split`` / ``join`` (parallel regions; ``join`` names its ``split``; interleaved regions are
  splits with ``interleave`` set).

Every node records ``region``: the parallel branches it sits in, outermost first, as
``"split_id.branch"`` strings. The engine uses it to match tokens to joins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from formflow.dsl.model import (
    Access,
    Action,
    ApproverRule,
    Expr,
    Mode,
    Permission,
    Policies,
    Timeout,
    rules_from_json,
    rules_to_json,
)
from formflow.errors import DefinitionInvalid, Issue
from formflow.i18n import _

#: Version of the JSON layout written by :meth:`FlowSpec.to_json`.
FORMAT_VERSION = 1


class NodeKind(StrEnum):
    START = "start"
    END = "end"
    APPROVAL = "approval"
    TASK = "task"
    AUTO = "auto"
    CHOICE = "choice"
    SPLIT = "split"
    JOIN = "join"

    @property
    def is_human(self) -> bool:
        return self in (NodeKind.APPROVAL, NodeKind.TASK)


class JoinKind(StrEnum):
    ALL = "all"
    ANY = "any"
    COUNT = "count"
    EACH = "each"


class EdgeKind(StrEnum):
    NEXT = "next"
    CONDITION = "condition"  # a choice arm or a conditional branch
    DEFAULT = "default"  # the choice's default (else, or "none matched: continue")
    BRANCH = "branch"  # an unconditional parallel branch
    GOTO = "goto"  # a loop back / jump written with `goto`


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind = EdgeKind.NEXT
    condition: Expr | None = None
    order: int = 0  # choice: evaluation order; split: branch number (1-based)
    label: str | None = None  # branch name, for the diagram

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "target": self.target,
            "kind": self.kind.value,
            "order": self.order,
        }
        if self.condition is not None:
            out["condition"] = self.condition.to_json()
        if self.label is not None:
            out["label"] = self.label
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Edge:
        condition = data.get("condition")
        return cls(
            source=str(data["source"]),
            target=str(data["target"]),
            kind=EdgeKind(data.get("kind", "next")),
            condition=None if condition is None else Expr.from_json(condition),
            order=int(data.get("order", 0)),
            label=data.get("label"),
        )


@dataclass(frozen=True)
class Node:
    """One node of the graph; fields beyond ``id``/``kind`` apply to some kinds only."""

    id: str
    kind: NodeKind
    title: str | None = None
    line: int = 1
    column: int = 1
    region: tuple[str, ...] = ()
    # human and automatic steps
    approvers: tuple[ApproverRule, ...] = ()
    mode: Mode = field(default_factory=Mode)
    permissions: tuple[Permission, ...] = ()
    timeouts: tuple[Timeout, ...] = ()
    actions: tuple[Action, ...] = ()
    policies: Policies = field(default_factory=Policies)
    # end
    status: str | None = None
    # split / join
    join: JoinKind = JoinKind.ALL
    count: int = 0
    keep_others: bool = False
    interleave: bool = False
    split: str | None = None  # join: the split it closes; split: its join
    # human steps: fields that must be filled in before the step is approved or completed
    required: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind.value,
            "title": self.title,
            "line": self.line,
            "column": self.column,
            "region": list(self.region),
        }
        if self.kind.is_human or self.kind is NodeKind.AUTO:
            out.update(
                approvers=rules_to_json(self.approvers),
                mode=self.mode.to_json(),
                permissions=[{"path": p.path, "access": p.access.value} for p in self.permissions],
                timeouts=[t.to_json() for t in self.timeouts],
                actions=[a.to_json() for a in self.actions],
                policies=self.policies.to_json(),
            )
            if self.required:
                out["required"] = list(self.required)
        if self.kind is NodeKind.END:
            out["status"] = self.status
        if self.kind in (NodeKind.SPLIT, NodeKind.JOIN):
            out.update(
                join=self.join.value,
                count=self.count,
                keep_others=self.keep_others,
                interleave=self.interleave,
                split=self.split,
            )
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Node:
        return cls(
            id=str(data["id"]),
            kind=NodeKind(data["kind"]),
            title=data.get("title"),
            line=int(data.get("line", 1)),
            column=int(data.get("column", 1)),
            region=tuple(data.get("region", ())),
            approvers=rules_from_json(data.get("approvers")),
            mode=Mode.from_json(data.get("mode")),
            permissions=tuple(
                Permission(str(p["path"]), Access(p["access"])) for p in data.get("permissions", ())
            ),
            timeouts=tuple(Timeout.from_json(t) for t in data.get("timeouts", ())),
            actions=tuple(Action.from_json(a) for a in data.get("actions", ())),
            policies=Policies.from_json(data.get("policies")),
            status=data.get("status"),
            join=JoinKind(data.get("join", "all")),
            count=int(data.get("count", 0)),
            keep_others=bool(data.get("keep_others", False)),
            interleave=bool(data.get("interleave", False)),
            split=data.get("split"),
            required=tuple(str(path) for path in data.get("required", ())),
        )


ParamValue = Decimal | str | bool


@dataclass(frozen=True)
class FlowSpec:
    """A compiled, immutable flow graph (see the module docstring)."""

    key: str
    title: str | None
    form: str
    nodes: Mapping[str, Node]
    edges: tuple[Edge, ...]
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    policies: Policies = field(default_factory=Policies)
    start: str = "start"
    source_hash: str | None = None

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def outgoing(self, node_id: str) -> list[Edge]:
        """Edges leaving ``node_id``, in evaluation order."""
        index = _edge_index(self)
        return index.get(node_id, [])

    def steps(self) -> list[Node]:
        """Human and automatic steps in source order."""
        return [n for n in self.nodes.values() if n.kind.is_human or n.kind is NodeKind.AUTO]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "key": self.key,
            "title": self.title,
            "form": self.form,
            "start": self.start,
            "params": {name: _param_json(value) for name, value in self.params.items()},
            "policies": self.policies.to_json(),
            "nodes": [node.to_json() for node in self.nodes.values()],
            "edges": [edge.to_json() for edge in self.edges],
            "source_hash": self.source_hash,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FlowSpec:
        """Read a spec written by :meth:`to_json` of this or an earlier format.

        Raises :class:`DefinitionInvalid` for a spec from a newer release or a broken document.
        """
        version = data.get("format")
        if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
            raise DefinitionInvalid(
                [
                    Issue(
                        "$.format",
                        _(
                            "This flow was stored in format {found}, which this version of "
                            "Formflow cannot read (it reads formats 1 to {latest}).",
                            found=version,
                            latest=FORMAT_VERSION,
                        ),
                        "format",
                    )
                ]
            )
        try:
            nodes = [Node.from_json(item) for item in data["nodes"]]
            return cls(
                key=str(data["key"]),
                title=data.get("title"),
                form=str(data["form"]),
                nodes={node.id: node for node in nodes},
                edges=tuple(Edge.from_json(item) for item in data["edges"]),
                params={k: _param_value(v) for k, v in (data.get("params") or {}).items()},
                policies=Policies.from_json(data.get("policies")),
                start=str(data.get("start", "start")),
                source_hash=data.get("source_hash"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise DefinitionInvalid(
                [
                    Issue(
                        "$",
                        _(
                            "The stored flow is damaged ({problem}); publish it again.",
                            problem=str(error),
                        ),
                        "damaged",
                    )
                ]
            ) from None


def _param_json(value: ParamValue) -> Any:
    if isinstance(value, Decimal):
        return {"number": str(value)}
    return value


def _param_value(value: Any) -> ParamValue:
    if isinstance(value, dict) and "number" in value:
        return Decimal(str(value["number"]))
    if isinstance(value, bool | str):
        return value
    return Decimal(str(value))


_EDGE_CACHE: dict[int, tuple[FlowSpec, dict[str, list[Edge]]]] = {}


def _edge_index(spec: FlowSpec) -> dict[str, list[Edge]]:
    """Outgoing edges per node, computed once per spec object."""
    cached = _EDGE_CACHE.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    index: dict[str, list[Edge]] = {}
    for edge in spec.edges:
        index.setdefault(edge.source, []).append(edge)
    for edges in index.values():
        edges.sort(key=lambda e: e.order)
    if len(_EDGE_CACHE) > 256:
        _EDGE_CACHE.clear()
    _EDGE_CACHE[id(spec)] = (spec, index)
    return index


@dataclass(frozen=True)
class Trigger:
    """When an automation runs (see :class:`formflow.dsl.ast.TriggerKind`)."""

    kind: str
    paths: tuple[str, ...] = ()
    status: str | None = None
    every: str | None = None  # a Duration's JSON
    clock: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "paths": list(self.paths),
            "status": self.status,
            "every": self.every,
            "clock": self.clock,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Trigger:
        return cls(
            kind=str(data["kind"]),
            paths=tuple(data.get("paths", ())),
            status=data.get("status"),
            every=data.get("every"),
            clock=data.get("clock"),
        )


@dataclass(frozen=True)
class AutomationSpec:
    """A compiled automation: triggers, an optional filter, and actions on records of ``form``."""

    key: str
    title: str | None
    form: str
    triggers: tuple[Trigger, ...]
    where: Expr | None
    actions: tuple[Action, ...]
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "key": self.key,
            "title": self.title,
            "form": self.form,
            "triggers": [t.to_json() for t in self.triggers],
            "where": None if self.where is None else self.where.to_json(),
            "actions": [a.to_json() for a in self.actions],
            "params": {name: _param_json(value) for name, value in self.params.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AutomationSpec:
        where = data.get("where")
        return cls(
            key=str(data["key"]),
            title=data.get("title"),
            form=str(data["form"]),
            triggers=tuple(Trigger.from_json(t) for t in data.get("triggers", ())),
            where=None if where is None else Expr.from_json(where),
            actions=tuple(Action.from_json(a) for a in data.get("actions", ())),
            params={k: _param_value(v) for k, v in (data.get("params") or {}).items()},
        )


__all__ = [
    "FORMAT_VERSION",
    "ApproverRule",
    "AutomationSpec",
    "Edge",
    "EdgeKind",
    "FlowSpec",
    "JoinKind",
    "Node",
    "NodeKind",
    "Trigger",
]
