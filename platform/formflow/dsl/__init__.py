"""The flow DSL: grammar, syntax tree, checker and compiler (pure core).

Reference for flow authors: ``docs/flow-dsl.md``. Public API::

    check_flow(source, *, forms, org, settings=None) -> list[Diagnostic]
        # every problem at once (errors and warnings), each with line/column and a hint;
        # pure and never raises. ``forms`` maps form keys to compiled forms (anything with
        # ``.scope`` and ``.fields``, e.g. ``formflow.forms.compile_form(...)``).
    compile_flow(source, *, forms, org, settings=None, key=None) -> FlowSpec
        # check, then build the graph of the flow ``key`` (or the file's only flow);
        # raises SourceError listing the error diagnostics.
    compile_file(source, *, forms, org, settings=None) -> CompiledFile
        # every flow and automation of a file.
    FlowSpec.to_json() / FlowSpec.from_json(data)   # stored with the published version
    parse_flow_file(source) -> ast.FlowFile          # the syntax tree, for tools

``settings`` give values to the flow's ``param``s (packs and admins change thresholds without
editing the flow); unknown names are ignored so one settings map can serve a whole pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from formflow.dsl.checker import FormLike, check_flow, check_tree, has_errors
from formflow.dsl.compiler import build_automation_spec
from formflow.dsl.parser import parse_flow_file
from formflow.dsl.spec import (
    FORMAT_VERSION,
    AutomationSpec,
    Edge,
    EdgeKind,
    FlowSpec,
    JoinKind,
    Node,
    NodeKind,
)
from formflow.errors import Diagnostic, Severity, SourceError
from formflow.i18n import _
from formflow.orgchart import OrgChart


@dataclass(frozen=True)
class CompiledFile:
    """Everything a flow file defines, compiled, plus its warnings."""

    flows: Mapping[str, FlowSpec]
    automations: Mapping[str, AutomationSpec]
    warnings: tuple[Diagnostic, ...] = field(default=())


def compile_file(
    source: str,
    *,
    forms: Mapping[str, FormLike],
    org: OrgChart,
    settings: Mapping[str, Any] | None = None,
) -> CompiledFile:
    """Check and compile every definition of ``source``; SourceError when there are errors."""
    tree = parse_flow_file(source)
    diagnostics, specs = check_tree(tree, forms=forms, org=org, settings=settings, source=source)
    if has_errors(diagnostics):
        raise SourceError([d for d in diagnostics if d.severity == Severity.ERROR])
    return CompiledFile(
        flows=specs,
        automations={a.name: build_automation_spec(a, settings) for a in tree.automations},
        warnings=tuple(diagnostics),
    )


def compile_flow(
    source: str,
    *,
    forms: Mapping[str, FormLike],
    org: OrgChart,
    settings: Mapping[str, Any] | None = None,
    key: str | None = None,
) -> FlowSpec:
    """Check ``source`` and compile the flow ``key`` (or its only flow) to a :class:`FlowSpec`.

    Raises :class:`SourceError` with every error diagnostic when the file has errors, or when
    ``key`` names no flow of the file.
    """
    compiled = compile_file(source, forms=forms, org=org, settings=settings)
    if key is None and len(compiled.flows) == 1:
        return next(iter(compiled.flows.values()))
    if key is not None and key in compiled.flows:
        return compiled.flows[key]
    raise SourceError(
        [
            Diagnostic(
                _(
                    "The file does not define the flow `{key}` (it defines: {names}).",
                    key=key or "?",
                    names=", ".join(compiled.flows) or "-",
                ),
                code="no_such_flow",
            )
        ]
    )


__all__ = [
    "FORMAT_VERSION",
    "AutomationSpec",
    "CompiledFile",
    "Edge",
    "EdgeKind",
    "FlowSpec",
    "FormLike",
    "JoinKind",
    "Node",
    "NodeKind",
    "check_flow",
    "compile_file",
    "compile_flow",
    "has_errors",
    "parse_flow_file",
]
