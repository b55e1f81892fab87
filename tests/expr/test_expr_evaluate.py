"""Evaluation: every operator and function, SQL null logic, exact decimals, sub-tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from expr_samples import RECORD, SCOPE, FakeOrg, context, run

from formflow.errors import EvaluationFailed, SourceError
from formflow.expr import (
    NUMBER,
    STRING,
    EvalContext,
    ListType,
    RowType,
    Scope,
    check,
    compile_expression,
    evaluate,
    parse,
)

D = Decimal


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("0.1 + 0.2 = 0.3", True),
        ("0.1 + 0.2", D("0.3")),
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 - 4 - 3", D(3)),
        ("7 / 2", D("3.5")),
        ("1 / 3 * 3", D("0.9999999999999999999999999999")),
        ("7 % 3", D(1)),
        ("-7 % 3", D(-1)),
        ("7.5 % 2", D("1.5")),
        ("-amount", D("-1200.50")),
        ("--2", D(2)),
        ("amount * 100", D("120050.00")),
        ("1 / 0", None),
        ("5 % 0", None),
        ("0 / 0", None),
        ("'ab' + 'cd'", "abcd"),
        ("start_date + 7", date(2026, 1, 12)),
        ("3 + start_date", date(2026, 1, 8)),
        ("start_date - 5", date(2025, 12, 31)),
        ("end_date - start_date", D(6)),
        ("submitted_at + 0.5", datetime(2026, 1, 5, 5, 30, tzinfo=UTC)),
    ],
)
def test_arithmetic_is_exact_decimal(source: str, expected: Any) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 = 1.00", True),
        ("1 == 1", True),
        ("1 != 2", True),
        ("1 <> 1", False),
        ("2 < 10", True),
        ("'2' < '10'", False),
        ("'B' < 'a'", True),
        ("'张' > 'z'", True),
        ("start_date <= end_date", True),
        ("check_in < check_out", True),
        ("submitted_at > datetime('2026-01-04T17:00:00Z')", True),
        ("leave_type = 'sick'", True),
        ("leave_type = 'Sick'", False),
        ("urgent = false", True),
        ("applicant = 7", True),
        ("applicant = initiator", False),
    ],
)
def test_comparisons(source: str, expected: bool) -> None:
    assert run(source) is expected


NULLS: dict[str, Any] = {**RECORD, "amount": None, "reason": None, "urgent": None}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("amount + 1", None),
        ("amount * 0", None),
        ("-amount", None),
        ("reason + 'x'", None),
        ("amount > 1", None),
        ("amount = amount", None),
        ("amount = null", True),
        ("amount != null", False),
        ("null = amount", True),
        ("days = null", False),
        ("days != null", True),
        ("amount < null", None),
        ("not urgent", None),
        ("urgent and true", None),
        ("urgent and false", False),
        ("false and urgent", False),
        ("urgent or true", True),
        ("urgent or false", None),
        ("true or urgent", True),
        ("amount in [1, 2]", None),
        ("1 in [1, null]", True),
        ("3 in [1, null]", None),
        ("3 not in [1, null]", None),
        ("3 not in [1, 2]", True),
        ("'x' in reason", None),
        ("if(urgent, 1, 2)", D(2)),
        ("if(amount > 0, 1, 2)", D(2)),
        ("coalesce(amount, null)", None),
        ("coalesce(amount, days)", D(3)),
        ("round(amount, 2)", None),
        ("is_empty(reason)", True),
        ("is_empty('')", True),
        ("is_empty(tags)", False),
        ("concat('a', reason, 'b')", "ab"),
        ("max(amount, 3, null)", D(3)),
        ("min(null, null)", None),
    ],
)
def test_null_follows_sql_three_valued_logic(source: str, expected: Any) -> None:
    assert run(source, NULLS) == expected
    if expected is None or isinstance(expected, bool):
        assert run(source, NULLS) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'a' in 'cat'", True),
        ("'dog' in 'cat'", False),
        ("'出差' in reason", True),
        ("leave_type in ['sick', 'annual']", True),
        ("leave_type not in ['sick', 'annual']", False),
        ("'travel' in tags", True),
        ("'meal' in items.category", True),
        ("days in [1, 2, 3.0]", True),
    ],
)
def test_membership_is_list_membership_or_substring(source: str, expected: bool) -> None:
    assert run(source) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("items.qty", [D(2), D(1), D(3)]),
        ("items[].price", [D("3.5"), D(10), D("0.1")]),
        ("items.qty * items.price", [D("7.0"), D(10), D("0.3")]),
        ("items.qty * 2", [D(4), D(2), D(6)]),
        ("10 - items.qty", [D(8), D(9), D(7)]),
        ("-items.qty", [D(-2), D(-1), D(-3)]),
        ("items.qty > 1", [True, False, True]),
        ("items.category = 'meal' and items.qty > 2", [False, False, True]),
        ("not (items.qty > 1)", [False, True, False]),
        ("items.category in ['taxi']", [False, True, False]),
        ("round(items.price * 1.13, 1)", [D("4.0"), D("11.3"), D("0.1")]),
        ("if(items.qty > 1, items.price, 0)", [D("3.5"), D(0), D("0.1")]),
        ("coalesce(items.note, '-')", ["-", "airport", ""]),
        ("max(items.qty, 2)", [D(2), D(2), D(3)]),
        ("upper(items.category)", ["MEAL", "TAXI", "MEAL"]),
        ("sum(items.qty * items.price)", D("17.3")),
        ("sum(items, qty * price)", D("17.3")),
        ("sum(items, if(category = 'meal', qty * price, 0))", D("7.3")),
        ("count(items)", D(3)),
        ("count(items.note)", D(2)),
        ("count(items, qty > 1)", D(2)),
        ("avg(items.qty)", D(2)),
        ("avg(items, price)", D("4.533333333333333333333333333")),
        ("min(items.price)", D("0.1")),
        ("max(items, qty * price)", D(10)),
        ("max(items.category)", "taxi"),
        ("len(items)", D(3)),
        ("join(items.category, '/')", "meal/taxi/meal"),
        ("sum(trips, nights * lookup('city', city).rate)", D("0.14")),
    ],
)
def test_sub_table_columns_work_row_by_row_and_aggregate(source: str, expected: Any) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("sum(items.qty)", D(0)),
        ("count(items)", D(0)),
        ("avg(items.qty)", None),
        ("max(items, price)", None),
        ("items.qty * 2", []),
    ],
)
def test_aggregates_of_an_empty_or_missing_sub_table(source: str, expected: Any) -> None:
    assert run(source, {**RECORD, "items": []}) == expected
    assert run(source, {"amount": 1}) == expected


def test_nested_sub_tables_aggregate_inside_a_row_formula() -> None:
    scope = Scope(
        fields={
            "orders": ListType(
                RowType({"lines": ListType(RowType({"qty": NUMBER})), "name": STRING})
            ),
            "factor": NUMBER,
        }
    )
    checked = compile_expression("sum(orders, sum(lines, qty) * factor)", scope)
    data = {"orders": [{"lines": [{"qty": 1}, {"qty": 2}]}, {"lines": [{"qty": 4}]}], "factor": 2}
    assert evaluate(checked, data, context()) == D(14)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("round(2.345, 2)", D("2.35")),
        ("round(2.5)", D(3)),
        ("round(-2.5)", D(-3)),
        ("round(0.125, 2)", D("0.13")),
        ("round(1234.5, -2)", D(1200)),
        ("trunc(2.349, 2)", D("2.34")),
        ("trunc(-2.7)", D(-2)),
        ("floor(-2.5)", D(-3)),
        ("floor(2.5)", D(2)),
        ("ceil(2.1)", D(3)),
        ("ceil(-2.1)", D(-2)),
        ("abs(-5.5)", D("5.5")),
        ("power(1.05, 2)", D("1.1025")),
        ("power(2, -1)", D("0.5")),
        ("power(0, -1)", None),
        ("number('1,200.50')", D("1200.50")),
        ("number('abc')", None),
        ("number(true)", D(1)),
        ("min(3, 1, 2)", D(1)),
        ("max(3, 1, 2)", D(3)),
        ("min([4, 2, 8])", D(2)),
        ("max('b', 'a')", "b"),
        ("sum([1, 2, null])", D(3)),
        ("count([1, null, 3])", D(2)),
        ("avg([1, 2])", D("1.5")),
    ],
)
def test_number_functions(source: str, expected: Any) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("len('张三丰')", D(3)),
        ("len(tags)", D(2)),
        ("lower('ABC')", "abc"),
        ("upper('abc')", "ABC"),
        ("trim('  a b  ')", "a b"),
        ("contains(reason, 'Shanghai')", True),
        ("contains(tags, 'client')", True),
        ("contains(tags, 'x')", False),
        ("starts_with(reason, '出差')", True),
        ("ends_with(reason, 'hai')", True),
        ("concat('No.', 7, '-', start_date, '-', true)", "No.7-2026-01-05-true"),
        ("concat(amount)", "1200.50"),
        ("substr('2026-01-31', 6, 2)", "01"),
        ("substr('2026-01-31', 9)", "31"),
        ("substr('abc', 0, 2)", "ab"),
        ("left('13812345678', 3)", "138"),
        ("right('13812345678', 4)", "5678"),
        ("right('abc', 0)", ""),
        ("replace('a b c', ' ', '')", "abc"),
        ("replace('abc', '', 'x')", "abc"),
        ("pad(7, 3)", "007"),
        ("pad('x', 3, '*')", "**x"),
        ("text(amount)", "1200.50"),
        ("text(1 / 4)", "0.25"),
        ("text(100 * 1.0)", "100.0"),
        ("text(start_date)", "2026-01-05"),
        ("text(submitted_at)", "2026-01-05T01:30:00+08:00"),
        ("join(tags)", "travel, client"),
        ("reason + '!'", "出差 to Shanghai!"),
    ],
)
def test_text_functions(source: str, expected: Any) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("today()", date(2026, 1, 5)),
        ("now()", datetime(2026, 1, 5, 1, 30, tzinfo=UTC)),
        ("date('2026-01-31')", date(2026, 1, 31)),
        ("date(2026, 2, 28)", date(2026, 2, 28)),
        ("date(submitted_at)", date(2026, 1, 5)),
        ("date(start_date)", date(2026, 1, 5)),
        ("datetime('2026-01-31T08:00:00Z')", datetime(2026, 1, 31, 8, tzinfo=UTC)),
        ("datetime('2026-01-31T08:00:00')", datetime(2026, 1, 31, 0, tzinfo=UTC)),
        ("datetime(start_date, time('09:00'))", datetime(2026, 1, 5, 1, tzinfo=UTC)),
        ("time('08:30')", time(8, 30)),
        ("days_between(start_date, end_date)", D(6)),
        ("days_between(end_date, start_date)", D(-6)),
        ("workdays_between(start_date, end_date)", D(5)),
        ("workdays_between(date('2025-12-31'), date('2026-01-04'))", D(2)),
        ("workdays_between(end_date, start_date)", D(0)),
        ("hours_between(check_in, check_out)", D("9.5")),
        ("minutes_between(time('09:00'), check_in)", D(-15)),
        ("hours_between(submitted_at, now())", D(8)),
        ("add_days(start_date, 3)", date(2026, 1, 8)),
        ("add_days(start_date, -5)", date(2025, 12, 31)),
        ("add_workdays(date('2025-12-31'), 1)", date(2026, 1, 4)),
        ("add_workdays(start_date, 5)", date(2026, 1, 12)),
        ("add_months(date('2026-01-31'), 1)", date(2026, 2, 28)),
        ("add_months(date('2024-01-31'), 1)", date(2024, 2, 29)),
        ("add_months(date('2026-03-15'), -3)", date(2025, 12, 15)),
        ("add_hours(submitted_at, 48)", datetime(2026, 1, 6, 17, 30, tzinfo=UTC)),
        ("year(start_date)", D(2026)),
        ("quarter(date('2026-08-01'))", D(3)),
        ("month(start_date)", D(1)),
        ("day(end_date)", D(11)),
        ("weekday(start_date)", D(1)),
        ("weekday(end_date)", D(7)),
        ("day(submitted_at)", D(5)),
        ("start_of_month(end_date)", date(2026, 1, 1)),
        ("end_of_month(date('2026-02-10'))", date(2026, 2, 28)),
        ("is_workday(date('2026-01-01'))", False),
        ("is_workday(date('2026-01-04'))", True),
    ],
)
def test_date_functions(source: str, expected: Any) -> None:
    assert run(source) == expected


def test_working_days_without_a_calendar_count_weekends_only() -> None:
    assert run("workdays_between(date('2026-01-01'), date('2026-01-04'))", calendar=None) == D(2)


def test_the_time_zone_of_the_context_decides_the_calendar_date() -> None:
    assert run("date(submitted_at)", timezone="UTC") == date(2026, 1, 4)
    assert run("date(submitted_at)") == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("bracket(30000, 'iit').rate", D("0.03")),
        ("bracket(36000, 'iit').rate", D("0.03")),
        ("bracket(36000.01, iit).rate", D("0.10")),
        ("bracket(200000, 'iit').deduction", D(16920)),
        ("bracket(9999999, 'iit').rate", D("0.45")),
        ("round(amount * 12 * bracket(amount * 12, 'iit').rate, 2)", D("432.18")),
        ("lookup('city', 'bj').rate", D("0.08")),
        ("lookup('city', 'gz')", None),
        ("lookup('city', 'gz').rate", None),
        ("bracket(amount, 'iit')", {"upto": D(36000), "rate": D("0.03"), "deduction": D(0)}),
    ],
)
def test_lookup_tables(source: str, expected: Any) -> None:
    assert run(source) == expected


def test_a_missing_lookup_table_is_an_evaluation_error() -> None:
    with pytest.raises(EvaluationFailed) as caught:
        run("bracket(1, 'iit').rate", tables={})
    assert "`iit`" in str(caught.value)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("applicant.name", "张三"),
        ("applicant.department.name", "销售部"),
        ("applicant.manager.name", "李四"),
        ("applicant.manager.manager.name", None),
        ("applicant.department.head = initiator", True),
        ("customer.level", "A"),
        ("customer.credit > amount", True),
        ("initiator.username", "lisi"),
        ("limit", D(5000)),
    ],
)
def test_references_navigate_through_the_resolver(source: str, expected: Any) -> None:
    assert run(source) == expected


def test_each_reference_is_resolved_once_per_evaluation() -> None:
    org = FakeOrg()
    run("applicant.name = 'x' or applicant.email = 'y' or applicant.name = 'z'", resolver=org)
    assert org.calls == 1


def test_navigation_without_a_resolver_is_an_evaluation_error() -> None:
    with pytest.raises(EvaluationFailed):
        run("applicant.name", resolver=None)


def test_stored_json_is_converted_by_the_static_type() -> None:
    data = {**RECORD, "amount": 12.1, "days": "3", "applicant": D(7)}
    assert run("amount", data) == D("12.1")
    assert run("days + 1", data) == D(4)
    assert run("applicant.name", data) == "张三"
    assert run("submitted_at", data) == datetime(2026, 1, 4, 17, 30, tzinfo=UTC)
    assert run("check_in", data) == time(8, 45)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "twelve"),
        ("amount", True),
        ("amount", float("nan")),
        ("start_date", "31/01/2026"),
        ("urgent", "yes"),
        ("reason", 5),
        ("items", {"qty": 1}),
        ("applicant", "zhang"),
    ],
)
def test_stored_data_of_the_wrong_type_names_the_field(field: str, value: Any) -> None:
    with pytest.raises(EvaluationFailed) as caught:
        run(f"is_empty({field})", {**RECORD, field: value})
    assert f"`{field}" in str(caught.value)


@pytest.mark.parametrize(
    "source",
    [
        "date(2026, 2, 30)",
        "date(reason)",
        "add_days(start_date, 1.5)",
        "round(amount, 0.5)",
        "substr(reason, 1.5)",
        "power(2, 10000)",
        "time(reason)",
    ],
)
def test_invalid_values_at_run_time_raise_evaluation_failed(source: str) -> None:
    with pytest.raises(EvaluationFailed):
        run(source)


def test_the_step_budget_stops_runaway_evaluation() -> None:
    many = {**RECORD, "items": [{"qty": 1, "price": 1}] * 2000}
    assert run("sum(items, qty * price)", many, max_steps=100_000) == D(2000)
    with pytest.raises(EvaluationFailed) as caught:
        run("sum(items, qty * price)", many, max_steps=1000)
    assert "1000" in str(caught.value)


def test_text_results_are_capped() -> None:
    big = {**RECORD, "reason": "x" * 60_000}
    assert len(run("reason + 'y'", big)) == 60_001
    with pytest.raises(EvaluationFailed):
        run("reason + reason", big)
    with pytest.raises(EvaluationFailed):
        run("concat(reason, reason)", big)
    with pytest.raises(EvaluationFailed):
        run("replace(reason, 'x', 'xx')", big)


def test_numbers_that_overflow_fail_cleanly() -> None:
    assert run("power(10, 99) * 9") == D("9E+99")
    with pytest.raises(EvaluationFailed):
        run("power(10, 99) * 10")
    with pytest.raises(EvaluationFailed):
        run("power(10, 999)")


def test_evaluating_a_checked_expression_with_errors_raises_source_error() -> None:
    checked = check(parse("amout + 1"), SCOPE)
    with pytest.raises(SourceError):
        evaluate(checked, RECORD, context())


def test_without_a_context_today_is_the_current_date() -> None:
    checked = compile_expression("today() = today() and now() <= now()", SCOPE)
    assert evaluate(checked, RECORD) is True
    current = EvalContext.current()
    assert current.now.tzinfo is not None
    assert current.today == current.now.astimezone(current.zone).date()


def test_evaluation_does_not_depend_on_the_callers_decimal_context() -> None:
    import decimal

    with decimal.localcontext() as local:
        local.prec = 3
        assert run("1 / 3") == D("0.3333333333333333333333333333")
