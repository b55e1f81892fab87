"""Properties: the parser never fails with anything but SourceError, and arithmetic over
random decimals agrees with Python's ``Decimal`` in the language's own context."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from formflow.errors import EvaluationFailed, SourceError
from formflow.expr import Scope, check, compile_expression, evaluate, parse
from formflow.expr.context import EvalContext
from formflow.expr.values import DECIMALS

TOKENS = [
    "a",
    "b",
    "items",
    "qty",
    "sum",
    "round",
    "if",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "+",
    "-",
    "*",
    "/",
    "%",
    "=",
    "==",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not",
    "in",
    "true",
    "false",
    "null",
    "1",
    "0.5",
    "'x'",
    '"y"',
    "'",
    '"',
    "\\",
    "\n",
    " ",
    "&&",
    "!",
    "（",
    "中",
    "1e5",
    "..",
    "[]",
]

FIXED = EvalContext.current()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_random_text_never_crashes_the_parser(text: str) -> None:
    try:
        parse(text)
    except SourceError as error:
        assert error.diagnostics
        diagnostic = error.diagnostics[0]
        assert diagnostic.line >= 1
        assert diagnostic.column >= 1
        assert str(diagnostic.message)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_random_token_soup_never_crashes_parse_or_check(tokens: list[str]) -> None:
    text = " ".join(tokens)
    try:
        node = parse(text)
    except SourceError as error:
        assert error.diagnostics
        assert str(error.diagnostics[0].message)
        return
    checked = check(node, Scope(fields={}))
    assert all(str(d.message) for d in checked.diagnostics)


decimals = st.decimals(
    min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=4, allow_nan=False
)


def _expressions(depth: int = 3) -> st.SearchStrategy[tuple[str, Decimal | None]]:
    """Random arithmetic as (source, value computed with Python's Decimal)."""
    leaves = decimals.map(lambda d: (f"({d})" if d < 0 else str(d), d))
    if depth == 0:
        return leaves

    def combine(
        parts: tuple[tuple[str, Decimal | None], str, tuple[str, Decimal | None]],
    ) -> tuple[str, Decimal | None]:
        (left_src, left), op, (right_src, right) = parts
        source = f"({left_src} {op} {right_src})"
        if left is None or right is None:
            return source, None
        if op == "+":
            return source, DECIMALS.add(left, right)
        if op == "-":
            return source, DECIMALS.subtract(left, right)
        if op == "*":
            return source, DECIMALS.multiply(left, right)
        if right == 0:
            return source, None
        if op == "/":
            return source, DECIMALS.divide(left, right)
        return source, DECIMALS.remainder(left, right)

    inner = _expressions(depth - 1)
    compound = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%"]), inner).map(combine)
    return st.one_of(leaves, compound)


@settings(max_examples=300, deadline=None)
@given(_expressions())
def test_random_decimal_arithmetic_matches_python_decimal(case: tuple[str, Decimal | None]) -> None:
    source, expected = case
    checked = compile_expression(source, Scope(fields={}))
    try:
        actual = evaluate(checked, {}, FIXED)
    except EvaluationFailed:
        # Only a result beyond the language's magnitude limit may fail.
        assert expected is None or abs(expected.adjusted()) > 90
        return
    assert actual == expected
    if expected is not None:
        assert str(actual) == str(expected)


@settings(max_examples=200, deadline=None)
@given(st.lists(decimals, max_size=12), st.lists(decimals, max_size=12))
def test_row_by_row_sum_equals_the_sum_of_products(
    qty: list[Decimal], price: list[Decimal]
) -> None:
    from expr_samples import SCOPE

    rows = [{"qty": q, "price": p} for q, p in zip(qty, price, strict=False)]
    column_form = compile_expression("sum(items.qty * items.price)", SCOPE)
    row_form = compile_expression("sum(items, qty * price)", SCOPE)
    expected = Decimal(0)
    for row in rows:
        expected = DECIMALS.add(expected, DECIMALS.multiply(row["qty"], row["price"]))
    assert evaluate(column_form, {"items": rows}, FIXED) == expected
    assert evaluate(row_form, {"items": rows}, FIXED) == expected
