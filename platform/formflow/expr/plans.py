"""Facts the checker hands to the evaluator, and the port the call checks work through.

The checker (:mod:`formflow.expr.checker`) records, per node, where a name is bound and how a
call runs (:class:`CallPlan`); :mod:`formflow.expr.calls_check` types calls through the
:class:`CheckRun` protocol so that it does not depend on the checker class itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from formflow.expr.nodes import Node
from formflow.expr.scope import Scope
from formflow.expr.typesystem import RowType, Type
from formflow.i18n import Msg, _


@dataclass(frozen=True)
class Binding:
    """Where a name's value comes from: a ``field``, a ``variable`` or a ``row`` (by depth)."""

    kind: str
    depth: int = 0


@dataclass(frozen=True)
class CallPlan:
    """How to evaluate one call: the function, and the arguments taken row by row."""

    name: str
    lifted: frozenset[int] = frozenset()
    table: str | None = None
    row_form: bool = False
    setting: str | None = None  # setting(): its key in EvalContext.settings


def suggestion(name: str, candidates: Iterable[str]) -> Msg | None:
    """ "did you mean `amount`?" for the closest candidate, or None."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return _("Did you mean `{name}`?", name=close[0]) if close else None


@dataclass
class RowFrame:
    """The sub-table row a row formula (``sum(items, qty * price)``) is typed in."""

    row: RowType
    origin: str


class CheckRun(Protocol):
    """What the call checks need from a checking run."""

    scope: Scope
    rows: list[RowFrame]
    types: dict[int, Type]
    lifted: set[int]
    calls: dict[int, CallPlan]

    def visit(self, node: Node) -> Type:
        """Type a sub-expression."""
        ...

    def report(
        self,
        node: Node,
        code: str,
        message: Msg,
        hint: Msg | None = None,
        at_end: int | None = None,
    ) -> None:
        """Record an error at a node."""
        ...

    def elementwise(
        self, node: Node, operands: list[tuple[Node, Type]]
    ) -> tuple[list[Type], str | None]:
        """Element types of operands combined row by row, and their sub-table."""
        ...

    def lift(self, result: Type, origin: str | None) -> Type:
        """``result`` as a column of ``origin`` (unchanged when origin is None)."""
        ...
