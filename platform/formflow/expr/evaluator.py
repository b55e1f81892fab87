"""The interpreter: evaluates a checked expression over one record's values.

Our own tree walker over the closed set of node classes in :mod:`formflow.expr.nodes`; no
Python ``eval``, no attribute access on Python objects. Semantics follow SQL so that a filter
selects the same records here and in the database:

* null propagates through arithmetic, comparisons and functions; ``and``/``or``/``not`` use
  three-valued logic; ``x = null`` / ``x != null`` (the literal) mean is-null / is-not-null;
* division (and ``%``) by zero gives null; numbers are exact decimals (:data:`DECIMALS`);
* texts compare by code point.

Every node evaluated, every sub-table row visited and every reference resolved costs one step;
past ``EvalContext.max_steps`` the evaluation stops with :class:`EvaluationFailed`, as it does
when a text or list grows past its limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, DecimalException
from typing import Any

from formflow.errors import EvaluationFailed, SourceError
from formflow.expr import nodes
from formflow.expr.calls_eval import eval_call
from formflow.expr.checker import Checked
from formflow.expr.context import EvalContext
from formflow.expr.nodes import Node
from formflow.expr.typesystem import ANY, ListType, RefType, RowType, Type
from formflow.expr.values import DECIMALS, checked_list, checked_text, convert, show
from formflow.i18n import _

_MISSING = object()


class Evaluation:
    """One evaluation run: the record, the context, the step counter and the row stack."""

    def __init__(self, checked: Checked, values: Mapping[str, Any], context: EvalContext) -> None:
        self.checked = checked
        self.values = values
        self.context = context
        self.steps = 0
        self.rows: list[Mapping[str, Any]] = []
        self._fields: dict[str, Any] = {}
        self._refs: dict[tuple[str, int, str | None], Mapping[str, Any] | None] = {}

    def step(self, count: int = 1) -> None:
        """Spend ``count`` steps of the budget."""
        self.steps += count
        if self.steps > self.context.max_steps:
            raise EvaluationFailed(
                _(
                    "The expression needs more than {limit} steps; simplify it or reduce the "
                    "number of sub-table rows.",
                    limit=self.context.max_steps,
                )
            )

    def is_column(self, node: Node) -> bool:
        """True when ``node`` gives a sub-table column (a list taken row by row)."""
        value = self.checked.type_of(node)
        return isinstance(value, ListType) and value.origin is not None

    def rowwise(self, columns: list[bool], values: list[Any], fn: Callable[..., Any]) -> list[Any]:
        """Apply ``fn`` row by row; ``columns`` says which values are lists, the rest repeat."""
        length: int | None = None
        lists: list[Any] = []
        for is_col, value in zip(columns, values, strict=True):
            if is_col:
                items = value if isinstance(value, list) else []
                length = len(items) if length is None else min(length, len(items))
                lists.append(items)
            else:
                lists.append(value)
        out: list[Any] = []
        for index in range(length or 0):
            self.step()
            out.append(fn(*(v[index] if c else v for c, v in zip(columns, lists, strict=True))))
        return checked_list(out)

    # -- nodes -----------------------------------------------------------------------------

    def eval(self, node: Node) -> Any:
        """The value of ``node``."""
        self.step()
        if isinstance(node, nodes.Number | nodes.String | nodes.Boolean):
            return node.value
        if isinstance(node, nodes.Null):
            return None
        if isinstance(node, nodes.ListOf):
            return checked_list([self.eval(item) for item in node.items])
        if isinstance(node, nodes.Name):
            return self._name(node)
        if isinstance(node, nodes.Member):
            return self._member(node)
        if isinstance(node, nodes.Each):
            return self.eval(node.target)
        if isinstance(node, nodes.Unary):
            return self._unary(node)
        if isinstance(node, nodes.Binary):
            return self._binary(node)
        if isinstance(node, nodes.Call):
            return eval_call(self, node)
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover - closed set

    def _name(self, node: nodes.Name) -> Any:
        binding = self.checked.bindings[id(node)]
        scope = self.checked.scope
        if binding.kind == "row":
            return self.rows[binding.depth].get(node.name)
        if binding.kind == "field":
            cached = self._fields.get(node.name, _MISSING)
            if cached is _MISSING:
                cached = convert(self.values.get(node.name), scope.fields[node.name], node.name)
                self._fields[node.name] = cached
            return cached
        raw = self.context.variables.get(node.name)
        return convert(raw, scope.variables[node.name], node.name)

    def _member(self, node: nodes.Member) -> Any:
        target = self.eval(node.target)
        owner = self.checked.type_of(node.target)
        if isinstance(owner, ListType):
            items = target if isinstance(target, list) else []
            self.step(len(items))
            return checked_list([self._attribute(node, owner.item, item) for item in items])
        return self._attribute(node, owner, target)

    def _attribute(self, node: nodes.Member, owner: Type, target: Any) -> Any:
        if target is None:
            return None
        if isinstance(owner, RefType):
            return self._resolve(node, owner, target)
        if isinstance(target, Mapping):
            column = owner.fields.get(node.name, ANY) if isinstance(owner, RowType) else ANY
            return convert(target.get(node.name), column, node.name)
        raise EvaluationFailed(
            _("`.{name}` cannot be read from {value}.", name=node.name, value=show(target))
        )

    def _resolve(self, node: nodes.Member, owner: RefType, ident: Any) -> Any:
        resolver = self.context.resolver
        if resolver is None:
            raise EvaluationFailed(
                _(
                    "`.{name}` needs the organisation's data, which is not available here.",
                    name=node.name,
                )
            )
        key = (owner.kind, int(ident), owner.form)
        if key not in self._refs:
            self.step()
            self._refs[key] = resolver.resolve(owner.kind, int(ident), owner.form)
        attributes = self._refs[key]
        if attributes is None:
            return None
        known = self.checked.scope.attributes_of(owner) or {}
        return convert(attributes.get(node.name), known.get(node.name, ANY), node.name)

    def _unary(self, node: nodes.Unary) -> Any:
        operand = self.eval(node.operand)
        fn = negate if node.op == "-" else logical_not
        if id(node) in self.checked.lifted:
            return self.rowwise([True], [operand], fn)
        return fn(operand)

    def _binary(self, node: nodes.Binary) -> Any:
        op = node.op
        lifted = id(node) in self.checked.lifted
        if op in nodes.LOGICAL_OPS and not lifted:
            left = self.eval(node.left)
            if left is (op == "or"):  # false and ... / true or ...: decided
                return left
            return logical(op, left, self.eval(node.right))
        left = self.eval(node.left)
        right = self.eval(node.right)
        fn: Callable[[Any, Any], Any]
        if op in nodes.LOGICAL_OPS:
            fn = lambda a, b: logical(op, a, b)  # noqa: E731
        elif op in nodes.MEMBERSHIP_OPS:
            fn = lambda a, b: membership(op, a, b)  # noqa: E731
        elif op in nodes.COMPARISON_OPS:
            null_test = isinstance(node.left, nodes.Null) or isinstance(node.right, nodes.Null)
            fn = lambda a, b: compare(op, a, b, null_test)  # noqa: E731
        else:
            fn = lambda a, b: arithmetic(op, a, b)  # noqa: E731
        if lifted:
            columns = [self.is_column(node.left), self.is_column(node.right)]
            if op in nodes.MEMBERSHIP_OPS:
                columns[1] = False
            return self.rowwise(columns, [left, right], fn)
        return fn(left, right)


# -- operators on single values ------------------------------------------------------------


def _cannot(op: str, left: Any, right: Any = None) -> EvaluationFailed:
    return EvaluationFailed(
        _(
            "`{op}` cannot combine {left} and {right}.",
            op=op,
            left=show(left),
            right=show(right),
        )
    )


def negate(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return DECIMALS.minus(value)
    raise _cannot("-", value)


def logical_not(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return not value
    raise _cannot("not", value)


def logical(op: str, left: Any, right: Any) -> bool | None:
    """SQL three-valued ``and`` / ``or``."""
    for value in (left, right):
        if value is not None and not isinstance(value, bool):
            raise _cannot(op, left, right)
    if op == "and":
        if left is False or right is False:
            return False
        return None if left is None or right is None else True
    if left is True or right is True:
        return True
    return None if left is None or right is None else False


def compare(op: str, left: Any, right: Any, null_test: bool = False) -> bool | None:
    """A comparison with SQL's null rules.

    ``null_test`` is set when one operand is the literal ``null``: then ``=`` is SQL's
    ``IS NULL`` and ``!=`` is ``IS NOT NULL`` of the other operand (the literal side is always
    None, so "both are None" is "the other one is None").
    """
    if null_test and op in {"=", "!="}:
        is_null = left is None and right is None
        return is_null if op == "=" else not is_null
    if left is None or right is None:
        return None
    try:
        if op == "=":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        raise _cannot(op, left, right) from None


def membership(op: str, left: Any, right: Any) -> bool | None:
    """``in`` / ``not in``: list membership (SQL ``IN``) or substring for texts."""
    if left is None or right is None:
        return None
    found: bool | None
    if isinstance(right, str):
        if not isinstance(left, str):
            raise _cannot(op, left, right)
        found = left in right
    elif isinstance(right, list):
        found = True if left in [item for item in right if item is not None] else None
        if found is None and None not in right:
            found = False
    else:
        raise _cannot(op, left, right)
    if op == "not in" and found is not None:
        return not found
    return found


def _days(value: Decimal) -> timedelta:
    seconds = DECIMALS.multiply(value, Decimal(86_400))
    if abs(seconds) > Decimal(86_400 * 366 * 10_000):
        raise EvaluationFailed(_("The resulting date is out of range."))
    return timedelta(seconds=int(seconds.to_integral_value()))


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """``+ - * / %`` on single values, with SQL's null and division-by-zero rules."""
    if left is None or right is None:
        return None
    numbers = isinstance(left, Decimal) and isinstance(right, Decimal)
    if numbers:
        if op == "+":
            return DECIMALS.add(left, right)
        if op == "-":
            return DECIMALS.subtract(left, right)
        if op == "*":
            return DECIMALS.multiply(left, right)
        if right == 0:
            return None
        return DECIMALS.divide(left, right) if op == "/" else DECIMALS.remainder(left, right)
    try:
        if op == "+" and isinstance(left, str) and isinstance(right, str):
            return checked_text(left + right)
        if op in {"+", "-"} and isinstance(left, date) and isinstance(right, Decimal):
            whole_days = isinstance(left, datetime) or right == right.to_integral_value()
            if not whole_days:
                raise EvaluationFailed(_("Only whole days can be added to a date."))
            shift = _days(right)
            return left + shift if op == "+" else left - shift
        if op == "+" and isinstance(left, Decimal) and isinstance(right, date):
            return arithmetic("+", right, left)
        if op == "-" and isinstance(left, datetime) and isinstance(right, datetime):
            delta = left - right
            seconds = Decimal(delta.days * 86_400 + delta.seconds)
            return DECIMALS.divide(seconds, Decimal(86_400))
        if op == "-" and isinstance(left, date) and isinstance(right, date):
            if isinstance(left, datetime) or isinstance(right, datetime):
                raise _cannot(op, left, right)
            return Decimal((left - right).days)
    except OverflowError:
        raise EvaluationFailed(_("The resulting date is out of range.")) from None
    raise _cannot(op, left, right)


def evaluate(
    checked: Checked, values: Mapping[str, Any], context: EvalContext | None = None
) -> Any:
    """Evaluate a checked expression over ``values`` (a record's stored JSON data).

    Returns a Python value (``Decimal``, ``str``, ``bool``, ``date``, ``datetime``, ``time``,
    a list, a dict for a row, or None). Raises :class:`SourceError` when ``checked`` has
    errors and :class:`EvaluationFailed` when the step budget or a size limit is exceeded or
    the data does not fit the declared types.
    """
    if not checked.ok:
        raise SourceError([d for d in checked.diagnostics if d.severity == "error"])
    run = Evaluation(checked, values, context if context is not None else EvalContext.current())
    try:
        return run.eval(checked.node)
    except DecimalException:
        raise EvaluationFailed(
            _("A number became too large or too precise to compute exactly.")
        ) from None
