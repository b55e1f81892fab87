"""The type checker: result types, fields read, and one diagnostic per mistake with position."""

from __future__ import annotations

import pytest
from expr_samples import SCOPE

from formflow.errors import SourceError
from formflow.expr import (
    ANY,
    BOOLEAN,
    DATE,
    DATETIME,
    NUMBER,
    STRING,
    ListType,
    RowType,
    Scope,
    check,
    compile_expression,
    parse,
)
from formflow.expr.typesystem import Type


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("amount * 1.13", NUMBER),
        ("leave_type = 'sick' and days > 2", BOOLEAN),
        ("reason + '!'", STRING),
        ("start_date + 3", DATE),
        ("end_date - start_date", NUMBER),
        ("add_days(submitted_at, 1)", DATETIME),
        ("items.qty", ListType(NUMBER)),
        ("items[].qty * items.price", ListType(NUMBER)),
        ("sum(items, qty * price)", NUMBER),
        ("max(items, category)", STRING),
        ("min(start_date, end_date)", DATE),
        ("if(urgent, 'now', 'later')", STRING),
        ("coalesce(amount, null, 0)", NUMBER),
        ("bracket(amount, 'iit').rate", NUMBER),
        ("bracket(amount, iit)", RowType({"upto": NUMBER, "rate": NUMBER, "deduction": NUMBER})),
        ("lookup('city', 'sh')", RowType({"key": STRING, "rate": NUMBER})),
        ("applicant.department.name", STRING),
        ("applicant.manager.manager.name", STRING),
        ("customer.level", STRING),
        ("initiator.name", STRING),
        ("null", ANY),
        ("[1, null, 2]", ListType(NUMBER)),
        ("round(items.price * 1.13, 2)", ListType(NUMBER)),
        ("text(amount)", STRING),
    ],
)
def test_expressions_get_their_result_type(source: str, expected: Type) -> None:
    checked = check(parse(source), SCOPE)
    assert checked.ok, [str(d.message) for d in checked.diagnostics]
    if expected == ANY:
        assert checked.type in {ANY, expected} or str(checked.type) == "NULL"
    else:
        assert checked.type == expected


def test_a_sub_table_column_remembers_its_sub_table() -> None:
    checked = check(parse("items.qty * 2"), SCOPE)
    assert isinstance(checked.type, ListType)
    assert checked.type.origin == "items"


@pytest.mark.parametrize(
    ("source", "fields"),
    [
        ("amount > 5000", {"amount"}),
        ("sum(items, qty * price) + amount", {"items", "amount"}),
        ("applicant.department.name = 'x'", {"applicant"}),
        ("initiator.name = 'x' and limit > 1", set()),
        ("today() > date('2026-01-01')", set()),
        ("bracket(amount, iit).rate", {"amount"}),
    ],
)
def test_checked_lists_the_top_level_fields_it_reads(source: str, fields: set[str]) -> None:
    assert check(parse(source), SCOPE).fields == frozenset(fields)


@pytest.mark.parametrize(
    ("source", "code", "column", "hint"),
    [
        ("amout > 1", "unknown_field", 1, "amount"),
        ("sum(items, qyt)", "unknown_field", 12, "qty"),
        ("foo(amount)", "unknown_function", 1, None),
        ("rnd(amount)", "unknown_function", 1, "round"),
        ("round(amount, 2, 3)", "argument_count", 1, None),
        ("if(urgent, 1)", "argument_count", 1, None),
        ("coalesce()", "argument_count", 1, None),
        ("bracket(amount)", "argument_count", 1, None),
        ("sum()", "argument_count", 1, None),
        ("round(reason)", "argument_type", 7, None),
        ("days_between(start_date, 'x')", "argument_type", 26, None),
        ("if(days, 1, 2)", "argument_type", 4, None),
        ("if(urgent, 1, 'x')", "argument_type", 15, None),
        ("amount = 'x'", "incompatible_comparison", 1, None),
        ("start_date < 3", "incompatible_comparison", 1, None),
        ("urgent > false", "incompatible_comparison", 1, None),
        ("amount in ['a', 'b']", "incompatible_comparison", 1, None),
        ("reason + 1", "operator_type", 1, None),
        ("-reason", "operator_type", 2, None),
        ("not amount", "operator_type", 5, None),
        ("amount and urgent", "operator_type", 1, None),
        ("reason in 5", "operator_type", 11, None),
        ("days in reason", "operator_type", 1, None),
        ("sum(amount)", "not_a_list", 5, None),
        ("avg(items)", "not_a_list", 5, None),
        ("max(items)", "not_a_list", 5, None),
        ("amount[]", "not_a_list", 1, None),
        ("sum(amount, 1)", "argument_type", 5, None),
        ("sum(items, category)", "argument_type", 12, None),
        ("count(items, qty)", "argument_type", 14, None),
        ("max(items, urgent)", "argument_type", 12, None),
        ("items.qty * trips.nights", "mixed_subtables", 13, None),
        ("if(items.qty > 1, trips.nights, 0)", "mixed_subtables", 19, None),
        ("tags * 2", "list_operand", 1, None),
        ("amount.value", "no_attributes", 1, None),
        ("applicant.nmae", "unknown_attribute", 11, "name"),
        ("items.qtty", "unknown_attribute", 7, "qty"),
        ("bracket(amount, 'nope')", "unknown_table", 17, None),
        ("bracket(amount, reason)", "not_a_table", 17, None),
        ("bracket(reason, 'iit')", "argument_type", 9, None),
        ("date('2026-13-01')", "invalid_literal", 6, None),
        ("time('25:00')", "invalid_literal", 6, None),
        ("[1, 'a']", "mixed_list", 5, None),
        ("sum(items, items.qty)", "list_operand", 12, None),
        ("iit + 1", "unknown_field", 1, None),
        ("lookup('city', trips.city)", "argument_type", 16, None),
    ],
)
def test_each_mistake_gives_its_diagnostic_at_its_position(
    source: str, code: str, column: int, hint: str | None
) -> None:
    checked = check(parse(source), SCOPE)
    assert not checked.ok
    assert [d.code for d in checked.diagnostics] == [code]
    diagnostic = checked.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (1, column)
    if hint is not None:
        assert diagnostic.hint is not None
        assert f"`{hint}`" in str(diagnostic.hint)


def test_unknown_things_do_not_cascade_into_more_errors() -> None:
    checked = check(parse("round(amout * 2, 2) > 1 and nope(x).y = 3"), SCOPE)
    assert [d.code for d in checked.diagnostics] == [
        "unknown_field",
        "unknown_field",
        "unknown_function",
    ]


def test_every_problem_is_reported_at_once_with_lines() -> None:
    source = "amout > 1\nand reason + 1 = 2\nand foo()"
    with pytest.raises(SourceError) as caught:
        compile_expression(source, SCOPE)
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [
        ("unknown_field", 1),
        ("operator_type", 2),
        ("unknown_function", 3),
    ]


@pytest.mark.parametrize(
    ("source", "expect", "ok"),
    [
        ("days > 2", BOOLEAN, True),
        ("days", BOOLEAN, False),
        ("items.qty > 0", BOOLEAN, False),
        ("null", BOOLEAN, True),
        ("sum(items.qty)", NUMBER, True),
        ("reason", NUMBER, False),
        ("start_date", DATE, True),
    ],
)
def test_expect_checks_the_result_type(source: str, expect: Type, ok: bool) -> None:
    checked = check(parse(source), SCOPE, expect)
    assert checked.ok is ok
    if not ok:
        assert checked.diagnostics[-1].code == "wrong_result_type"


def test_a_column_where_one_value_is_expected_hints_at_aggregates() -> None:
    checked = check(parse("items.qty > 0"), SCOPE, BOOLEAN)
    assert checked.diagnostics[0].hint is not None
    assert "sum()" in str(checked.diagnostics[0].hint)


def test_row_columns_shadow_fields_inside_a_row_formula() -> None:
    scope = Scope(
        fields={"qty": STRING, "items": ListType(RowType({"qty": NUMBER}))},
    )
    assert check(parse("sum(items, qty * 2)"), scope).ok
    assert not check(parse("qty * 2"), scope).ok


def test_check_never_raises_even_on_nonsense() -> None:
    checked = check(parse("sum(sum(sum(1))) + nope.x[].y - -'a'"), SCOPE)
    assert not checked.ok
    assert checked.diagnostics
