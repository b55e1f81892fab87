"""Typing of function calls: allowlisted signatures, aggregates, conditionals, lookup tables.

An ordinary function's arguments are checked against the signature chosen by their count. A
sub-table column passed where a single value is expected makes the call run row by row
(``round(items.price * 1.13, 2)`` is a column again). The special forms (``if``, ``coalesce``,
``sum`` ... ``bracket``, ``lookup``) have their own rules here.
"""

from __future__ import annotations

from datetime import date, datetime, time

from formflow.expr import nodes
from formflow.expr.functions import ALL_NAMES, FUNCTIONS
from formflow.expr.functions.spec import Accepts
from formflow.expr.plans import CallPlan, CheckRun, RowFrame, suggestion
from formflow.expr.settings import check_setting
from formflow.expr.typesystem import (
    ANY,
    BOOLEAN,
    NUMBER,
    ORDERED,
    ListType,
    RowType,
    Type,
    describe,
    fits,
    is_unknown,
    unify,
)
from formflow.i18n import Msg, _

AGGREGATES = frozenset({"sum", "count", "avg", "min", "max"})
_LITERAL_PARSERS = {
    "date": date.fromisoformat,
    "datetime": datetime.fromisoformat,
    "time": time.fromisoformat,
}
_LITERAL_FORMATS = {"date": "2026-01-31", "datetime": "2026-01-31T08:30:00Z", "time": "08:30"}


def describe_any(accepts: Accepts) -> Msg:
    """ "a number or a text" for the accepted types of a parameter."""
    first = describe(accepts[0])
    if len(accepts) == 1:
        return first
    return _("{first} or {rest}", first=first, rest=describe_any(accepts[1:]))


def _count_error(checker: CheckRun, node: nodes.Call, expected: Msg | str) -> Type:
    checker.report(
        node,
        "argument_count",
        _(
            "`{name}` takes {expected} value(s), but got {count}.",
            name=node.name,
            expected=expected,
            count=len(node.args),
        ),
    )
    return ANY


def _type_error(
    checker: CheckRun, node: nodes.Call, index: int, expected: Msg, actual: Type
) -> None:
    checker.report(
        node.args[index],
        "argument_type",
        _(
            "Value {position} of `{name}` must be {expected}, but it is {actual}.",
            position=index + 1,
            name=node.name,
            expected=expected,
            actual=describe(actual),
        ),
    )


def check_call(checker: CheckRun, node: nodes.Call) -> Type:
    """Type a call node (dispatching to the special forms)."""
    if node.name in AGGREGATES:
        return _aggregate(checker, node)
    if node.name in {"if", "coalesce"}:
        return _conditional(checker, node)
    if node.name in {"bracket", "lookup"}:
        return _table(checker, node)
    if node.name == "setting":
        return check_setting(checker, node)
    function = FUNCTIONS.get(node.name)
    arg_types = [checker.visit(arg) for arg in node.args]
    if function is None:
        checker.report(
            node,
            "unknown_function",
            _("Unknown function `{name}`.", name=node.name),
            suggestion(node.name, ALL_NAMES),
        )
        return ANY
    signature = function.signature_for(len(node.args))
    if signature is None:
        return _count_error(checker, node, function.arity_text())
    lifted: set[int] = set()
    origin: str | None = None
    elements: list[Type] = []
    for index, value in enumerate(arg_types):
        accepts = signature.accepts(index)
        if any(fits(value, wanted) for wanted in accepts):
            elements.append(value)
            continue
        takes_lists = any(isinstance(wanted, ListType) for wanted in accepts)
        if (
            isinstance(value, ListType)
            and value.origin is not None
            and not takes_lists
            and any(fits(value.item, wanted) for wanted in accepts)
            and origin in {None, value.origin}
        ):
            origin = value.origin
            lifted.add(index)
            elements.append(value.item)
            continue
        _type_error(checker, node, index, describe_any(accepts), value)
        elements.append(ANY)
    _check_literal(checker, node)
    checker.calls[id(node)] = CallPlan(node.name, frozenset(lifted))
    if lifted:
        checker.lifted.add(id(node))
    return checker.lift(function.result(elements), origin)


def _check_literal(checker: CheckRun, node: nodes.Call) -> None:
    """``date('2026-02-30')`` is caught before it runs."""
    parse = _LITERAL_PARSERS.get(node.name)
    if parse is None or len(node.args) != 1 or not isinstance(node.args[0], nodes.String):
        return
    try:
        parse(node.args[0].value.strip())
    except ValueError:
        checker.report(
            node.args[0],
            "invalid_literal",
            _(
                "`{value}` is not a valid {kind}; write it like {example}.",
                value=node.args[0].value,
                kind=node.name,
                example=_LITERAL_FORMATS[node.name],
            ),
        )


def _conditional(checker: CheckRun, node: nodes.Call) -> Type:
    arg_types = [checker.visit(arg) for arg in node.args]
    if node.name == "if" and len(node.args) != 3:
        return _count_error(checker, node, "3")
    if node.name == "coalesce" and not node.args:
        return _count_error(checker, node, _("at least {count}", count=1))
    elements, origin = checker.elementwise(node, list(zip(node.args, arg_types, strict=True)))
    branches = list(zip(node.args, elements, strict=True))
    if node.name == "if":
        if not fits(elements[0], BOOLEAN):
            _type_error(checker, node, 0, describe(BOOLEAN), elements[0])
        branches = branches[1:]
    result: Type = branches[0][1]
    for branch, value in branches[1:]:
        merged = unify(result, value)
        if merged is None:
            checker.report(
                branch,
                "argument_type",
                _(
                    "All results of `{name}` must be of one kind: this one is {actual}, "
                    "another is {expected}.",
                    name=node.name,
                    actual=describe(value),
                    expected=describe(result),
                ),
            )
            return ANY
        result = merged
    checker.calls[id(node)] = CallPlan(node.name)
    return checker.lift(result, origin)


def _aggregate(checker: CheckRun, node: nodes.Call) -> Type:
    count = len(node.args)
    if count == 0 or (count > 2 and node.name not in {"min", "max"}):
        for arg in node.args:
            checker.visit(arg)
        return _count_error(checker, node, _("{first} or {rest}", first="1", rest="2"))
    first = checker.visit(node.args[0])
    if count == 2 and isinstance(first, ListType) and isinstance(first.item, RowType):
        return _row_aggregate(checker, node, first.item, first.origin or node.name)
    if count >= 2:
        if node.name in {"min", "max"}:
            rest = [checker.visit(arg) for arg in node.args[1:]]
            return _extreme_of_values(checker, node, [first, *rest])
        checker.visit(node.args[1])
        if not is_unknown(first):
            _type_error(checker, node, 0, _("a sub-table"), first)
        return NUMBER
    checker.calls[id(node)] = CallPlan(node.name)
    if is_unknown(first):
        return ANY if node.name in {"min", "max"} else NUMBER
    if not isinstance(first, ListType):
        checker.report(
            node.args[0],
            "not_a_list",
            _(
                "`{name}` needs a list or a sub-table, but this is {actual}.",
                name=node.name,
                actual=describe(first),
            ),
        )
        return ANY
    if isinstance(first.item, RowType) and node.name != "count":
        checker.report(
            node.args[0],
            "not_a_list",
            _(
                "Say which column of the sub-table to use: `{name}({table}, column)` or "
                "`{name}({table}.column)`.",
                name=node.name,
                table=first.origin or "items",
            ),
        )
        return ANY
    if isinstance(first.item, RowType):
        return NUMBER
    return _aggregate_result(checker, node, node.args[0], first.item)


def _aggregate_result(checker: CheckRun, node: nodes.Call, source: nodes.Node, item: Type) -> Type:
    """The result of aggregating values of type ``item`` (checking they fit the aggregate)."""
    if node.name == "count":
        return (
            NUMBER
            if node.args[1:] == () or fits(item, BOOLEAN)
            else _bad_item(checker, node, source, describe(BOOLEAN), item)
        )
    if node.name in {"sum", "avg"}:
        return (
            NUMBER
            if fits(item, NUMBER)
            else _bad_item(checker, node, source, describe(NUMBER), item)
        )
    if is_unknown(item) or item in ORDERED:
        return item
    return _bad_item(checker, node, source, _("numbers, texts, dates or times"), item)


def _bad_item(
    checker: CheckRun, node: nodes.Call, source: nodes.Node, expected: Msg, item: Type
) -> Type:
    checker.report(
        source,
        "argument_type",
        _(
            "`{name}` works on {expected}, but these values are {actual}.",
            name=node.name,
            expected=expected,
            actual=describe(item),
        ),
    )
    return ANY


def _row_aggregate(checker: CheckRun, node: nodes.Call, row: RowType, origin: str) -> Type:
    checker.rows.append(RowFrame(row, origin))
    try:
        item = checker.visit(node.args[1])
    finally:
        checker.rows.pop()
    checker.calls[id(node)] = CallPlan(node.name, row_form=True)
    if isinstance(item, ListType) and item.origin is not None:
        checker.report(
            node.args[1],
            "list_operand",
            _("The row formula must give one value per row; aggregate the inner sub-table."),
        )
        return ANY
    return _aggregate_result(checker, node, node.args[1], item)


def _extreme_of_values(checker: CheckRun, node: nodes.Call, arg_types: list[Type]) -> Type:
    elements, origin = checker.elementwise(node, list(zip(node.args, arg_types, strict=True)))
    result: Type = elements[0]
    for index, value in enumerate(elements):
        merged = unify(result, value)
        if merged is None or not (is_unknown(merged) or merged in ORDERED):
            _type_error(checker, node, index, describe(result if merged is None else NUMBER), value)
            return ANY
        result = merged
    checker.calls[id(node)] = CallPlan(node.name)
    return checker.lift(result, origin)


def _table(checker: CheckRun, node: nodes.Call) -> Type:
    if len(node.args) != 2:
        for arg in node.args:
            checker.visit(arg)
        return _count_error(checker, node, "2")
    table_index = 1 if node.name == "bracket" else 0
    table_node = node.args[table_index]
    value_node = node.args[1 - table_index]
    value = checker.visit(value_node)
    table: str | None = None
    if isinstance(table_node, nodes.String):
        table = table_node.value
    elif isinstance(table_node, nodes.Name) and table_node.name in checker.scope.tables:
        table = table_node.name
    checker.types[id(table_node)] = ANY
    if table is None:
        checker.report(
            table_node,
            "not_a_table",
            _("Name the lookup table in quotes, e.g. `{name}(…, 'iit')`.", name=node.name),
        )
        return ANY
    if table not in checker.scope.tables:
        checker.report(
            table_node,
            "unknown_table",
            _("Unknown lookup table `{name}`.", name=table),
            suggestion(table, checker.scope.tables),
        )
        return ANY
    if node.name == "bracket" and not fits(value, NUMBER):
        _type_error(checker, node, 1 - table_index, describe(NUMBER), value)
    if node.name == "lookup" and isinstance(value, ListType):
        _type_error(checker, node, 1 - table_index, _("a single value"), value)
    checker.calls[id(node)] = CallPlan(node.name, table=table)
    return checker.scope.tables[table]
