"""Typing of operators: arithmetic, comparisons, ``and``/``or``/``not``, ``in``.

Each side may be a sub-table column; the operation then runs row by row
(:meth:`~formflow.expr.plans.CheckRun.elementwise`) and gives a column again. The rules here
are the static half of the operator semantics in :mod:`formflow.expr.evaluator`.
"""

from __future__ import annotations

from formflow.expr import nodes
from formflow.expr.plans import CheckRun
from formflow.expr.typesystem import (
    ANY,
    BOOLEAN,
    DATE,
    DATETIME,
    NULL,
    NUMBER,
    ORDERED,
    STRING,
    ListType,
    Type,
    are_comparable,
    describe,
    fits,
    is_unknown,
)
from formflow.i18n import _


def check_unary(checker: CheckRun, node: nodes.Unary) -> Type:
    """Type ``-x`` and ``not x`` (row by row over a sub-table column)."""
    operand = checker.visit(node.operand)
    (element,), origin = checker.elementwise(node, [(node.operand, operand)])
    wanted = NUMBER if node.op == "-" else BOOLEAN
    if not fits(element, wanted):
        message = (
            _("`-` needs a number, but this is {actual}.", actual=describe(element))
            if node.op == "-"
            else _("`not` needs true/false, but this is {actual}.", actual=describe(element))
        )
        checker.report(node.operand, "operator_type", message)
        return ANY
    return checker.lift(NUMBER if node.op == "-" else BOOLEAN, origin)


def check_binary(checker: CheckRun, node: nodes.Binary) -> Type:
    """Type an infix operation (row by row when a side is a sub-table column)."""
    left = checker.visit(node.left)
    right = checker.visit(node.right)
    if node.op in nodes.MEMBERSHIP_OPS:
        return _membership(checker, node, left, right)
    (le, re), origin = checker.elementwise(node, [(node.left, left), (node.right, right)])
    for side, value in ((node.left, le), (node.right, re)):
        if isinstance(value, ListType):
            checker.report(
                side,
                "list_operand",
                _(
                    "`{op}` works on single values, but this is {actual}; use sum(), "
                    "count() or another aggregate first.",
                    op=node.op,
                    actual=describe(value),
                ),
            )
            return ANY
    if node.op in nodes.LOGICAL_OPS:
        for side, value in ((node.left, le), (node.right, re)):
            if not fits(value, BOOLEAN):
                checker.report(
                    side,
                    "operator_type",
                    _(
                        "`{op}` joins conditions (true/false), but this is {actual}.",
                        op=node.op,
                        actual=describe(value),
                    ),
                )
        return checker.lift(BOOLEAN, origin)
    if node.op in nodes.COMPARISON_OPS:
        return checker.lift(_comparison(checker, node, le, re), origin)
    return checker.lift(_arithmetic(checker, node, le, re), origin)


def _comparison(checker: CheckRun, node: nodes.Binary, left: Type, right: Type) -> Type:
    ordering = node.op not in {"=", "!="}
    unordered = any(not (is_unknown(side) or side in ORDERED) for side in (left, right))
    if not are_comparable(left, right) or (ordering and unordered):
        checker.report(
            node,
            "incompatible_comparison",
            _(
                "Cannot compare {left} with {right} using `{op}`.",
                left=describe(left),
                right=describe(right),
                op=node.op,
            ),
            _("Convert one side first, e.g. with date(), number() or text().")
            if not are_comparable(left, right)
            else None,
        )
    return BOOLEAN


def _arithmetic(checker: CheckRun, node: nodes.Binary, left: Type, right: Type) -> Type:
    if ANY in (left, right):
        return ANY
    op = node.op
    result: Type | None = None
    if NULL in (left, right):
        other = right if left == NULL else left
        result = other if other in {NUMBER, NULL, STRING} else ANY
    elif left == NUMBER and right == NUMBER:
        result = NUMBER
    elif op == "+" and left == STRING and right == STRING:
        result = STRING
    elif op in {"+", "-"} and left in {DATE, DATETIME} and right == NUMBER:
        result = left
    elif op == "+" and left == NUMBER and right in {DATE, DATETIME}:
        result = right
    elif op == "-" and left == right and left in {DATE, DATETIME}:
        result = NUMBER
    if result is None:
        checker.report(
            node,
            "operator_type",
            _(
                "`{op}` cannot combine {left} and {right}.",
                op=op,
                left=describe(left),
                right=describe(right),
            ),
            _("Use concat() to join texts with other values.")
            if op == "+" and STRING in {left, right}
            else None,
        )
        return ANY
    return result


def _membership(checker: CheckRun, node: nodes.Binary, left: Type, right: Type) -> Type:
    (element,), origin = checker.elementwise(node, [(node.left, left)])
    if is_unknown(right):
        return checker.lift(BOOLEAN, origin)
    if isinstance(right, ListType):
        if not are_comparable(element, right.item):
            checker.report(
                node,
                "incompatible_comparison",
                _(
                    "A value of {left} is never in {right}.",
                    left=describe(element),
                    right=describe(right),
                ),
            )
    elif right == STRING:
        if not fits(element, STRING):
            checker.report(
                node.left,
                "operator_type",
                _(
                    "Only a text can be found in a text, but this is {actual}.",
                    actual=describe(element),
                ),
            )
    else:
        checker.report(
            node.right,
            "operator_type",
            _(
                "`{op}` needs a list or a text on its right, but this is {actual}.",
                op=node.op,
                actual=describe(right),
            ),
        )
    return checker.lift(BOOLEAN, origin)
