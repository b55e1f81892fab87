"""Parsing: the tree, precedence, literals, positions, limits, and embedding in a host grammar."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lark import Lark, Transformer, v_args
from lark.visitors import merge_transformers

from formflow.errors import SourceError
from formflow.expr import MAX_DEPTH, ExprTransformer, ensure_depth, grammar_path, parse
from formflow.expr.grammar import MAX_SOURCE_LENGTH, parser
from formflow.expr.nodes import (
    Binary,
    Boolean,
    Call,
    Each,
    ListOf,
    Member,
    Name,
    Null,
    Number,
    String,
    Unary,
    walk,
)

ONE = Number(Decimal(1))


def b(op: str, left: object, right: object) -> Binary:
    return Binary(op, left, right)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", b("+", Number(Decimal(1)), b("*", Number(Decimal(2)), Number(Decimal(3))))),
        ("(1 + 2) * 3", b("*", b("+", ONE, Number(Decimal(2))), Number(Decimal(3)))),
        ("a - b - c", b("-", b("-", Name("a"), Name("b")), Name("c"))),
        ("a / b % c", b("%", b("/", Name("a"), Name("b")), Name("c"))),
        ("-a * b", b("*", Unary("-", Name("a")), Name("b"))),
        ("a or b and c", b("or", Name("a"), b("and", Name("b"), Name("c")))),
        ("not a = b", Unary("not", b("=", Name("a"), Name("b")))),
        ("not a and b", b("and", Unary("not", Name("a")), Name("b"))),
        ("a + 1 > b * 2", b(">", b("+", Name("a"), ONE), b("*", Name("b"), Number(Decimal(2))))),
        ("a in [1, 2]", b("in", Name("a"), ListOf((Number(Decimal(1)), Number(Decimal(2)))))),
        ("a not in b", b("not in", Name("a"), Name("b"))),
        ("a == b", b("=", Name("a"), Name("b"))),
        ("a <> b", b("!=", Name("a"), Name("b"))),
        ("a AND b OR NOT c", b("or", b("and", Name("a"), Name("b")), Unary("not", Name("c")))),
        ("applicant.department.name", Member(Member(Name("applicant"), "department"), "name")),
        ("items[].qty", Member(Each(Name("items")), "qty")),
        ("sum(items, q * p)", Call("sum", (Name("items"), b("*", Name("q"), Name("p"))))),
        ("ROUND(x, 2,)", Call("round", (Name("x"), Number(Decimal(2))))),
        ("today()", Call("today", ())),
        ("bracket(t, 'iit').rate", Member(Call("bracket", (Name("t"), String("iit"))), "rate")),
        ("[]", ListOf(())),
        ("true or False", b("or", Boolean(True), Boolean(False))),
        ("x = NULL", b("=", Name("x"), Null())),
        ("android and order", b("and", Name("android"), Name("order"))),
        ("notes in_stock", None),
    ],
)
def test_expressions_parse_into_the_expected_tree_with_sql_precedence(
    source: str, expected: object
) -> None:
    if expected is None:
        with pytest.raises(SourceError):
            parse(source)
        return
    assert parse(source) == expected


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("'it''s'", "it's"),
        ('"say ""hi"""', 'say "hi"'),
        (r"'a\'b'", "a'b"),
        (r"'tab\there'", "tab\there"),
        (r"'line\nbreak'", "line\nbreak"),
        (r"'\u4e2d\u6587'", "中文"),
        (r"'back\\slash'", "back\\slash"),
        (r"'\q stays'", "\\q stays"),
        ("'中文'", "中文"),
        ("''", ""),
    ],
)
def test_string_literals_resolve_escapes_and_doubled_quotes(literal: str, value: str) -> None:
    assert parse(literal) == String(value)


@pytest.mark.parametrize("literal", [r"'a\0'", r"'\u0000'", "'a\x00b'"])
def test_a_nul_character_in_a_text_is_a_diagnostic_at_the_text(literal: str) -> None:
    # PostgreSQL cannot hold NUL in text: a filter or formula with one must fail here, with a
    # message, rather than in the database.
    with pytest.raises(SourceError) as caught:
        parse(f"title = {literal}")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, diagnostic.column, diagnostic.code) == (1, 9, "nul_character")
    assert "NUL" in diagnostic.message.render("en")


@pytest.mark.parametrize("number", ["0", "12", "0.05", "1200.50", "123456789012345678901234567.89"])
def test_number_literals_are_exact_decimals(number: str) -> None:
    node = parse(number)
    assert isinstance(node, Number)
    assert node.value == Decimal(number)
    assert str(node.value) == number


def test_every_node_carries_its_line_and_column() -> None:
    source = "amount > 100\n  and sum(items, qty) >= limit"
    tree = parse(source)
    spans = {
        type(node).__name__ + ":" + getattr(node, "name", getattr(node, "op", "")): node.span
        for node in walk(tree)
    }
    assert spans["Name:amount"].line == 1
    assert spans["Name:amount"].column == 1
    assert spans["Call:sum"].line == 2
    assert spans["Call:sum"].column == 7
    assert spans["Name:limit"].line == 2
    assert spans["Name:limit"].column == 26
    assert spans["Name:limit"].end_column == 31
    assert spans["Binary:and"].end_line == 2


def test_spans_do_not_take_part_in_equality() -> None:
    assert parse("1+2") == parse("1 +\n 2")
    assert parse("1+2").span != parse(" 1+2").span


@pytest.mark.parametrize(
    "deep",
    [
        "-(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5),
        "abs(" * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5),
        "not " * 1000 + "true",
        "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),
    ],
)
def test_nesting_deeper_than_the_limit_is_a_diagnostic_not_a_crash(deep: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse(deep)
    assert caught.value.diagnostics[0].code == "too_deep"


def test_redundant_parentheses_add_no_depth() -> None:
    assert parse("(" * 500 + "1" + ")" * 500) == Number(Decimal(1))
    assert parse("-(" * 20 + "1" + ")" * 20) is not None


def test_long_operator_chains_are_limited_too() -> None:
    with pytest.raises(SourceError) as caught:
        parse(" + ".join(["1"] * (MAX_DEPTH + 10)))
    assert caught.value.diagnostics[0].code == "too_deep"


def test_overlong_text_is_refused_before_parsing() -> None:
    with pytest.raises(SourceError) as caught:
        parse("1" * (MAX_SOURCE_LENGTH + 1))
    assert caught.value.diagnostics[0].code == "too_long"
    assert str(MAX_SOURCE_LENGTH) in str(caught.value.diagnostics[0].message)


def test_the_parser_is_built_once_and_cached() -> None:
    assert parser() is parser()


HOST_GRAMMAR = r"""
start: rule+
rule: "when" expression "{" NAME? "}"
NAME: /[a-z]+/
%import expr.expression
%ignore /\s+/
"""


@v_args(inline=True)
class HostTransformer(Transformer):
    def rule(self, condition: object, action: object = None) -> tuple[str, object, object]:
        return ("rule", condition, None if action is None else str(action))

    def start(self, *rules: object) -> list[object]:
        return list(rules)


def test_a_host_grammar_imports_the_expression_grammar_and_gets_our_nodes() -> None:
    host = Lark(
        HOST_GRAMMAR,
        parser="lalr",
        propagate_positions=True,
        import_paths=[grammar_path().parent],
    )
    text = "when amount > 5000 { cfo }\nwhen  leave_type in ['sick'] and days >= 3 {}"
    tree = host.parse(text)
    for sub in tree.iter_subtrees():
        if sub.data.startswith("expr__"):
            ensure_depth(sub)
    merged = merge_transformers(HostTransformer(), expr=ExprTransformer())  # type: ignore[no-untyped-call]
    rules = merged.transform(tree)
    first, second = rules
    assert first[1] == Binary(">", Name("amount"), Number(Decimal(5000)))
    assert first[2] == "cfo"
    condition = second[1]
    assert condition == parse("leave_type in ['sick'] and days >= 3")
    assert (condition.span.line, condition.span.column) == (2, 7)
    names = {n.name: n.span for n in walk(condition) if isinstance(n, Name)}
    assert (names["days"].line, names["days"].column) == (2, 34)
    assert (first[1].left.span.line, first[1].left.span.column) == (1, 6)
