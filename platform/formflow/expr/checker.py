"""The type checker: every problem of an expression at once, each with line and column.

:func:`check` walks the syntax tree against a :class:`~formflow.expr.scope.Scope` and returns
a :class:`Checked`: the result type, the diagnostics, the fields the expression reads, and the
facts the evaluator needs (where each name is bound, which operations run row by row over a
sub-table, which function signature each call uses). It never raises. Whatever it cannot
understand gets type ``ANY`` so that one mistake gives one diagnostic.

Operators are typed in :mod:`formflow.expr.operators_check`, calls in
:mod:`formflow.expr.calls_check`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from formflow.errors import Diagnostic, SourceError
from formflow.expr import nodes
from formflow.expr.calls_check import check_call
from formflow.expr.grammar import parse
from formflow.expr.nodes import Node
from formflow.expr.operators_check import check_binary, check_unary
from formflow.expr.plans import Binding, CallPlan, RowFrame, suggestion
from formflow.expr.scope import Scope
from formflow.expr.typesystem import (
    ANY,
    BOOLEAN,
    NULL,
    NUMBER,
    STRING,
    ListType,
    RefType,
    RowType,
    Type,
    describe,
    fits,
    is_unknown,
    unify,
)
from formflow.i18n import Msg, _


@dataclass(frozen=True, eq=False)
class Checked:
    """The result of :func:`check`.

    ``node`` is the checked tree, ``type`` its result type, ``diagnostics`` every problem
    found (``ok`` is False when one is an error), ``fields`` the top-level form fields it reads.
    The remaining attributes are for the evaluator and the SQL compiler, keyed by ``id(node)``
    of nodes inside ``node``.
    """

    node: Node
    type: Type
    diagnostics: list[Diagnostic]
    fields: frozenset[str]
    scope: Scope
    types: Mapping[int, Type] = field(repr=False)
    bindings: Mapping[int, Binding] = field(repr=False)
    lifted: frozenset[int] = field(repr=False)
    calls: Mapping[int, CallPlan] = field(repr=False)

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error."""
        return not any(d.severity == "error" for d in self.diagnostics)

    def type_of(self, node: Node) -> Type:
        """The static type of a node of this tree (``ANY`` if it was not typed)."""
        return self.types.get(id(node), ANY)


class TypeChecker:
    """One checking run over one tree (holds the maps :class:`Checked` is made of)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.diagnostics: list[Diagnostic] = []
        self.types: dict[int, Type] = {}
        self.bindings: dict[int, Binding] = {}
        self.lifted: set[int] = set()
        self.calls: dict[int, CallPlan] = {}
        self.fields: set[str] = set()
        self.rows: list[RowFrame] = []

    # -- reporting -------------------------------------------------------------------------

    def report(
        self,
        node: Node,
        code: str,
        message: Msg,
        hint: Msg | None = None,
        at_end: int | None = None,
    ) -> None:
        """Record an error diagnostic at ``node``'s position.

        With ``at_end``, the diagnostic points at the last ``at_end`` characters of the node
        (the attribute name of ``applicant.departmnt``).
        """
        span = node.span
        line, column = span.line, span.column
        if at_end is not None and span.end_column > at_end:
            line, column = span.end_line, span.end_column - at_end
        self.diagnostics.append(
            Diagnostic(
                message,
                line=line,
                column=column,
                end_line=span.end_line,
                end_column=span.end_column,
                code=code,
                hint=hint,
            )
        )

    # -- walking ---------------------------------------------------------------------------

    def visit(self, node: Node) -> Type:
        """Type ``node`` (and everything below it), remembering the type."""
        result = self._visit(node)
        self.types[id(node)] = result
        return result

    def _visit(self, node: Node) -> Type:
        if isinstance(node, nodes.Number):
            return NUMBER
        if isinstance(node, nodes.String):
            return STRING
        if isinstance(node, nodes.Boolean):
            return BOOLEAN
        if isinstance(node, nodes.Null):
            return NULL
        if isinstance(node, nodes.ListOf):
            return self._list(node)
        if isinstance(node, nodes.Name):
            return self._name(node)
        if isinstance(node, nodes.Member):
            return self._member(node)
        if isinstance(node, nodes.Each):
            return self._each(node)
        if isinstance(node, nodes.Unary):
            return check_unary(self, node)
        if isinstance(node, nodes.Binary):
            return check_binary(self, node)
        if isinstance(node, nodes.Call):
            return check_call(self, node)
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover - closed set

    def _list(self, node: nodes.ListOf) -> Type:
        item: Type = NULL
        for child in node.items:
            child_type = self.visit(child)
            merged = unify(item, child_type)
            if merged is None:
                self.report(
                    child,
                    "mixed_list",
                    _(
                        "All items of a list must be of one kind; this one is {actual}, "
                        "the ones before are {expected}.",
                        actual=describe(child_type),
                        expected=describe(item),
                    ),
                )
                merged = ANY
            item = merged
        return ListType(ANY if item == NULL else item)

    def _name(self, node: nodes.Name) -> Type:
        for depth in range(len(self.rows) - 1, -1, -1):
            frame = self.rows[depth]
            if node.name in frame.row.fields:
                self.bindings[id(node)] = Binding("row", depth)
                return self._originate(frame.row.fields[node.name], f"{frame.origin}.{node.name}")
        if node.name in self.scope.fields:
            self.bindings[id(node)] = Binding("field")
            self.fields.add(node.name)
            return self._originate(self.scope.fields[node.name], node.name)
        if node.name in self.scope.variables:
            self.bindings[id(node)] = Binding("variable")
            return self._originate(self.scope.variables[node.name], node.name)
        known = [*self.scope.fields, *self.scope.variables]
        for frame in self.rows:
            known.extend(frame.row.fields)
        hint = suggestion(node.name, known)
        if hint is None and node.name in self.scope.tables:
            hint = _(
                "`{name}` is a lookup table; use it with bracket() or lookup().", name=node.name
            )
        self.report(node, "unknown_field", _("Unknown field `{name}`.", name=node.name), hint)
        return ANY

    @staticmethod
    def _originate(value: Type, origin: str) -> Type:
        """A sub-table (list of rows) remembers where it comes from, for row-by-row checks."""
        if isinstance(value, ListType) and isinstance(value.item, RowType):
            return ListType(value.item, origin)
        return value

    def _each(self, node: nodes.Each) -> Type:
        target = self.visit(node.target)
        if is_unknown(target) or isinstance(target, ListType):
            return target
        self.report(
            node,
            "not_a_list",
            _("`[]` marks a sub-table, but this is {actual}.", actual=describe(target)),
        )
        return ANY

    def _member(self, node: nodes.Member) -> Type:
        target = self.visit(node.target)
        if is_unknown(target):
            return ANY
        if isinstance(target, ListType) and isinstance(target.item, RowType | RefType):
            return ListType(self._attribute(node, target.item), target.origin)
        if isinstance(target, RowType | RefType):
            return self._attribute(node, target)
        self.report(
            node,
            "no_attributes",
            _(
                "`.{name}` needs a row, a user, a department or a record, but this is {actual}.",
                name=node.name,
                actual=describe(target),
            ),
        )
        return ANY

    def _attribute(self, node: nodes.Member, owner: RowType | RefType) -> Type:
        attributes = owner.fields if isinstance(owner, RowType) else self.scope.attributes_of(owner)
        if attributes is None:
            return ANY
        if node.name in attributes:
            return attributes[node.name]
        self.report(
            node,
            "unknown_attribute",
            _(
                "`{name}` is not an attribute of {owner}.",
                owner=describe(owner),
                name=node.name,
            ),
            suggestion(node.name, attributes),
            at_end=len(node.name),
        )
        return ANY

    # -- operators -------------------------------------------------------------------------

    def elementwise(
        self, node: Node, operands: list[tuple[Node, Type]]
    ) -> tuple[list[Type], str | None]:
        """Element types of operands combined row by row, and the shared sub-table.

        Sub-table columns (lists with an origin) combine with each other only when they come
        from the same sub-table; single values are repeated for every row.
        """
        origin: str | None = None
        elements: list[Type] = []
        for operand, value in operands:
            if isinstance(value, ListType) and value.origin is not None:
                if origin is not None and value.origin != origin:
                    self.report(
                        operand,
                        "mixed_subtables",
                        _(
                            "Columns of different sub-tables (`{first}` and `{second}`) cannot "
                            "be combined row by row; aggregate each with sum() first.",
                            first=origin.split(".")[0],
                            second=value.origin.split(".")[0],
                        ),
                    )
                    return [ANY for _ in operands], None
                origin = value.origin
                elements.append(value.item)
            else:
                elements.append(value)
        if origin is not None:
            self.lifted.add(id(node))
        return elements, origin

    def lift(self, result: Type, origin: str | None) -> Type:
        """``result`` as a column of ``origin`` (unchanged when origin is None)."""
        return ListType(result, origin) if origin is not None else result


def check(node: Node, scope: Scope, expect: Type | None = None) -> Checked:
    """Type-check ``node`` in ``scope``; with ``expect``, also check the result type.

    Never raises: every problem is a diagnostic in the returned :class:`Checked`.
    """
    checker = TypeChecker(scope)
    result = checker.visit(node)
    if expect is not None and not fits(result, expect):
        hint = None
        if isinstance(result, ListType) and result.origin is not None:
            hint = _("A sub-table column has one value per row; wrap it in sum(), max() ...")
        message = (
            _(
                "This condition must give true or false, but it gives {actual}.",
                actual=describe(result),
            )
            if expect == BOOLEAN
            else _(
                "This expression must give {expected}, but it gives {actual}.",
                expected=describe(expect),
                actual=describe(result),
            )
        )
        checker.report(node, "wrong_result_type", message, hint)
    return Checked(
        node=node,
        type=result,
        diagnostics=checker.diagnostics,
        fields=frozenset(checker.fields),
        scope=scope,
        types=checker.types,
        bindings=checker.bindings,
        lifted=frozenset(checker.lifted),
        calls=checker.calls,
    )


def compile_expression(source: str, scope: Scope, expect: Type | None = None) -> Checked:
    """Parse and check ``source``; raise :class:`SourceError` listing every error."""
    checked = check(parse(source), scope, expect)
    if not checked.ok:
        raise SourceError([d for d in checked.diagnostics if d.severity == "error"])
    return checked
