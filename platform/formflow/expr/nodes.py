"""The syntax tree of an expression: a closed set of frozen node classes.

The parser (:mod:`formflow.expr.grammar`) builds these nodes, the checker types them and the
evaluator interprets them; nothing else is ever executed, which is what makes the language
safe. Every node carries a :class:`Span` (1-based line and column of its first character, and
the end) so that diagnostics point at the right place. Spans do not take part in equality:
``parse("1 + 2") == parse("1+2")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node sits in the source text (1-based; the end column is exclusive)."""

    line: int = 1
    column: int = 1
    end_line: int = 1
    end_column: int = 1


NO_SPAN = Span()


@dataclass(frozen=True, slots=True)
class Node:
    """Base class of every syntax node."""

    span: Span = field(default=NO_SPAN, compare=False, kw_only=True, repr=False)

    #: Short name used in messages and by the SQL compiler to dispatch.
    kind: ClassVar[str] = "node"

    def children(self) -> tuple[Node, ...]:
        """The direct sub-expressions, left to right."""
        return ()


@dataclass(frozen=True, slots=True)
class Number(Node):
    """A decimal literal such as ``12`` or ``0.05``."""

    value: Decimal
    kind: ClassVar[str] = "number"


@dataclass(frozen=True, slots=True)
class String(Node):
    """A text literal in single or double quotes (escapes already resolved)."""

    value: str
    kind: ClassVar[str] = "string"


@dataclass(frozen=True, slots=True)
class Boolean(Node):
    """``true`` or ``false``."""

    value: bool
    kind: ClassVar[str] = "boolean"


@dataclass(frozen=True, slots=True)
class Null(Node):
    """The literal ``null``: no value."""

    kind: ClassVar[str] = "null"


@dataclass(frozen=True, slots=True)
class ListOf(Node):
    """A list literal ``[a, b, c]``."""

    items: tuple[Node, ...]
    kind: ClassVar[str] = "list"

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A bare identifier: a field of the form, a column of the current row, or a variable."""

    name: str
    kind: ClassVar[str] = "name"


@dataclass(frozen=True, slots=True)
class Member(Node):
    """``target.name``: a column of a row, an attribute of a reference, a sub-table column."""

    target: Node
    name: str
    kind: ClassVar[str] = "member"

    def children(self) -> tuple[Node, ...]:
        return (self.target,)


@dataclass(frozen=True, slots=True)
class Each(Node):
    """``target[]``: marks a sub-table explicitly, as in ``items[].amount``."""

    target: Node
    kind: ClassVar[str] = "each"

    def children(self) -> tuple[Node, ...]:
        return (self.target,)


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """``-x`` (op ``"-"``) or ``not x`` (op ``"not"``)."""

    op: str
    operand: Node
    kind: ClassVar[str] = "unary"

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """An infix operation.

    ``op`` is one of ``+ - * / %``, the comparisons ``= != < <= > >=`` (``==`` and ``<>`` are
    normalised to ``=`` and ``!=``), ``and``, ``or``, ``in`` and ``not in``.
    """

    op: str
    left: Node
    right: Node
    kind: ClassVar[str] = "binary"

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A call of an allowlisted function: ``round(total, 2)``."""

    name: str
    args: tuple[Node, ...]
    kind: ClassVar[str] = "call"

    def children(self) -> tuple[Node, ...]:
        return self.args


ARITHMETIC_OPS = frozenset({"+", "-", "*", "/", "%"})
COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
LOGICAL_OPS = frozenset({"and", "or"})
MEMBERSHIP_OPS = frozenset({"in", "not in"})


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children (iterative: safe on deep trees)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.children()))
    return out
