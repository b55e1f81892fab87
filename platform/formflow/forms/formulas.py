"""Computed fields: compiling ``x-formula``, ordering by dependency, computing.

A formula is an expression of ``formflow.expr`` typed against the form's scope (inside a
sub-table row, against the row scope of :func:`formflow.forms.scope.row_scope`) and expected
to give the field's own type. Formulas may read other computed fields, in any order of
definition: they are computed in dependency order, and a circle (``a`` reads ``b`` reads ``a``)
is a definition error naming every field on it.

Dependencies are tracked per sub-table column: ``total = sum(items.amount)`` reads
``items.amount`` only, so ``items.share = amount / total`` is allowed. When a formula uses a
sub-table as a whole (``sum(items, qty * price)``), it depends on every computed column of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from formflow.errors import EvaluationFailed, Issue
from formflow.expr import Checked, EvalContext, Scope, evaluate, nodes
from formflow.forms.expressions import compile_at
from formflow.forms.fields import FieldSpec, find_field, schema_path, walk_fields
from formflow.forms.jsonvalues import to_json
from formflow.forms.paths import child
from formflow.forms.scope import row_scope, row_values
from formflow.i18n import _


@dataclass(frozen=True)
class Formula:
    """One compiled formula: the field it fills, the sub-table rows it runs in (``table``),
    the compiled expression and the computed fields it reads."""

    spec: FieldSpec
    table: tuple[str, ...]
    checked: Checked
    depends: frozenset[str]

    @property
    def path(self) -> str:
        return self.spec.path


def compile_formulas(
    fields: Mapping[str, FieldSpec], scope: Scope
) -> tuple[list[Formula], list[Issue]]:
    """Every formula of the form, compiled and in an order that respects dependencies."""
    issues: list[Issue] = []
    compiled: dict[str, Formula] = {}
    for spec in walk_fields(fields):
        if spec.formula is None:
            continue
        table = tuple(spec.path.split(".")[:-1])
        local = row_scope(scope, fields, table) if table else scope
        checked, problems = compile_at(
            spec.formula,
            local,
            spec.type.expr_type(spec),
            child(schema_path(spec.path), "x-formula"),
        )
        issues.extend(problems)
        if checked is not None:
            depends = frozenset(_reads(checked, table, fields))
            compiled[spec.path] = Formula(spec, table, checked, depends)
    order, cycles = _order(compiled)
    for cycle in cycles:
        chain = " → ".join([*cycle, cycle[0]])
        for path in cycle:
            issues.append(
                Issue(
                    child(schema_path(path), "x-formula"),
                    _(
                        "These formulas depend on each other in a circle, so none can be "
                        "computed: {chain}. Break the circle.",
                        chain=chain,
                    ),
                    "formula_cycle",
                )
            )
    return [compiled[path] for path in order], issues


def _resolve(name: str, table: Sequence[str], fields: Mapping[str, FieldSpec]) -> FieldSpec | None:
    """The field a bare name means inside rows of ``table`` (innermost row first)."""
    for depth in range(len(table), 0, -1):
        owner = find_field(fields, ".".join(table[:depth]))
        if owner is not None and name in owner.children:
            return owner.children[name]
    return fields.get(name)


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for item in dataclasses.fields(node):
        value = getattr(node, item.name)
        if isinstance(value, nodes.Node):
            yield from _walk(value)
        elif isinstance(value, tuple):
            for element in value:
                if isinstance(element, nodes.Node):
                    yield from _walk(element)


def _target_name(node: nodes.Node) -> str | None:
    while isinstance(node, nodes.Each):
        node = node.target
    return node.name if isinstance(node, nodes.Name) else None


def _reads(checked: Checked, table: Sequence[str], fields: Mapping[str, FieldSpec]) -> set[str]:
    """The computed field paths an expression reads."""
    reads: set[str] = set()
    members: dict[str, set[str]] = {}
    whole: set[str] = set()
    member_targets: set[int] = set()
    for node in _walk(checked.node):
        if isinstance(node, nodes.Member):
            name = _target_name(node.target)
            if name is not None:
                members.setdefault(name, set()).add(node.name)
                inner = node.target
                while isinstance(inner, nodes.Each):
                    inner = inner.target
                member_targets.add(id(inner))
    for node in _walk(checked.node):
        if isinstance(node, nodes.Name) and id(node) not in member_targets:
            whole.add(node.name)
    for name in checked.fields:
        spec = _resolve(name, table, fields)
        if spec is None:
            continue
        if spec.is_subtable:
            if name in whole or name not in members:
                reads.update(column.path for column in spec.walk() if column.is_computed)
            else:
                for column_name in members[name]:
                    column = spec.children.get(column_name)
                    if column is not None:
                        reads.update(item.path for item in column.walk() if item.is_computed)
        elif spec.is_computed:
            reads.add(spec.path)
    return reads


def _order(formulas: Mapping[str, Formula]) -> tuple[list[str], list[list[str]]]:
    """A dependency order of the formulas, and the circles that prevent one."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(path: str) -> None:
        state[path] = 1
        stack.append(path)
        for dependency in sorted(formulas[path].depends):
            if dependency not in formulas:
                continue
            if state.get(dependency) == 1:
                cycles.append(stack[stack.index(dependency) :])
            elif dependency not in state:
                visit(dependency)
        stack.pop()
        state[path] = 2
        order.append(path)

    for path in formulas:
        if path not in state:
            visit(path)
    return order, cycles


def compute_all(
    formulas: Sequence[Formula],
    data: Mapping[str, Any],
    context: EvalContext | None,
    *,
    in_place: bool = False,
) -> tuple[dict[str, Any], list[Issue]]:
    """A copy of ``data`` with every formula computed, and the problems met on the way.

    With ``in_place`` the caller hands over a ``dict`` it owns (already copied), which is
    filled in directly.
    """
    if not formulas:
        return (data if in_place and isinstance(data, dict) else copy_json(data)), []
    result = data if in_place and isinstance(data, dict) else copy_json(data)
    issues: list[Issue] = []
    for formula in formulas:
        for row, path, chain in _rows(result, formula.table):
            values = row_values(result, chain)
            try:
                value = evaluate(formula.checked, values, context)
            except EvaluationFailed as exc:
                row.pop(formula.spec.name, None)
                issues.append(
                    Issue(
                        child(path, formula.spec.name),
                        _(
                            "{field} could not be computed: {reason}",
                            field=formula.spec.title(),
                            reason=exc.message,
                        ),
                        "formula_failed",
                    )
                )
                continue
            if value is None:
                row.pop(formula.spec.name, None)
            else:
                row[formula.spec.name] = to_json(value, formula.spec.scale)
    return result, issues


def copy_json(value: Any) -> Any:
    """A copy of JSON-like data: new dicts and lists, shared (immutable) scalars."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    if isinstance(value, Mapping):
        return {key: copy_json(item) for key, item in value.items()}
    return value


def _rows(
    data: dict[str, Any], table: Sequence[str]
) -> Iterator[tuple[dict[str, Any], str, tuple[dict[str, Any], ...]]]:
    """Each row object a formula of ``table`` runs in, its JSON path, and its enclosing rows
    (outermost first)."""

    def descend(
        row: dict[str, Any], depth: int, path: str, chain: tuple[dict[str, Any], ...]
    ) -> Iterator[tuple[dict[str, Any], str, tuple[dict[str, Any], ...]]]:
        if depth == len(table):
            yield row, path, chain
            return
        rows = row.get(table[depth])
        if not isinstance(rows, list):
            return
        for index, item in enumerate(rows):
            if isinstance(item, dict):
                where = child(child(path, table[depth]), index)
                yield from descend(item, depth + 1, where, (*chain, item))

    yield from descend(data, 0, "$", ())
