"""What a database cannot compute exactly like the evaluator is refused, never answered
differently: a diagnostic at the construct's position, in the reader's language, saying what
to write instead. Compiling needs no database, so these tests run for both dialects anywhere.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from expr_sql_kit import CONTEXT, SCHEMA

from formflow.errors import SourceError
from formflow.expr import BOOLEAN, RefType, Scope, check, compile_expression, parse
from formflow.forms import compile_form
from formflow.storage.expr_sql import compile_filter
from formflow.storage.models import Record

DIALECTS = ["sqlite", "postgresql"]
_ITEMS = {
    "type": "array",
    "x-type": "subtable",
    "items": {
        "type": "object",
        "properties": {"qty": {"type": "integer"}, "price": {"x-type": "money"}},
    },
}
FORM = compile_form({**SCHEMA, "properties": {**SCHEMA["properties"], "items": _ITEMS}})
SCOPE = Scope(fields=FORM.scope.fields, variables={"current_user": RefType("user")})

#: (filter, (line, column) of each refusal, words the first message contains)
REFUSED: list[tuple[str, list[tuple[int, int]], str]] = [
    ("lower(title) = 'a'", [(1, 1)], "`lower()` cannot be used in a record filter"),
    ("upper(title) = 'A'", [(1, 1)], "`upper()` cannot be used in a record filter"),
    ("approver.name = '张三'", [(1, 1)], "`approver.name` reads another record"),
    ("sum(items, qty * price) > 100", [(1, 1)], "`sum()` cannot be used in a record filter yet"),
    ("count(items) > 0", [(1, 1)], "Add a computed field"),
    ("max(items, qty) > 1", [(1, 1)], "`max()` cannot be used"),
    ("min(items.price) < 1", [(1, 1)], "`min()` cannot be used"),
    ("replace(title, 'a', 'b') = 'c'", [(1, 1)], "Functions that can: abs, add_days"),
    ("workdays_between(spent_on, today()) > 3", [(1, 1)], "`workdays_between()` cannot"),
    ("submitted_at + 1 > now()", [(1, 1)], "Date-times cannot be shifted"),
    ("now() - submitted_at > 1", [(1, 1)], "submitted_at > now() - 7"),
    ("add_days(submitted_at, 1) > now()", [(1, 1)], "Date-times cannot be shifted"),
    ("round(amount, qty) > 1", [(1, 15)], "must be a whole number from -28 to 28"),
    ("trunc(amount, 0.5) > 1", [(1, 15)], "must be a whole number from -28 to 28"),
    ("spent_on > date(2026, 2, 30)", [(1, 12)], "2026-2-30 is not a valid date"),
    ("len(items) > 1", [(1, 1)], "`len()` of a sub-table"),
    ("contains(title, 5)", [(1, 1)], "looks for a text in a text field"),
    ("date(title) = today()", [(1, 1)], "`date()` takes a date-time field"),
    ("hours_between(submitted_at, start_time) > 1", [(1, 1)], "two date-times or two times"),
    ("is_empty(items.qty)", [(1, 10)], "Sub-table values cannot be used"),
    (
        "amount > 1 and lower(title) = 'x'\n  or upper(category) = 'Y'",
        [(1, 16), (2, 6)],
        "`lower()` cannot be used",
    ),
]


def _compile(source: str, dialect: str) -> Any:
    checked = compile_expression(source, SCOPE, BOOLEAN)
    return compile_filter(checked, Record.data, dialect=dialect, context=CONTEXT)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("source", "positions", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_construct_the_database_cannot_compute_exactly_is_refused_at_its_position(
    dialect: str, source: str, positions: list[tuple[int, int]], words: str
) -> None:
    with pytest.raises(SourceError) as raised:
        _compile(source, dialect)
    diagnostics = raised.value.diagnostics
    assert [(d.line, d.column) for d in diagnostics] == positions
    assert all(d.code == "not_filterable" for d in diagnostics)
    assert words in diagnostics[0].message.render("en")


@pytest.mark.parametrize(("source", "positions", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_every_refusal_reads_in_chinese(
    source: str, positions: list[tuple[int, int]], words: str
) -> None:
    with pytest.raises(SourceError) as raised:
        _compile(source, "sqlite")
    for diagnostic in raised.value.diagnostics:
        chinese = diagnostic.message.render("zh-CN")
        assert chinese != diagnostic.message.render("en")
        assert re.search(r"[\u4e00-\u9fff]", chinese), chinese


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_expression_that_is_not_a_condition_is_not_a_filter(dialect: str) -> None:
    checked = check(parse("amount * 2"), SCOPE)
    with pytest.raises(SourceError) as raised:
        compile_filter(checked, Record.data, dialect=dialect, context=CONTEXT)
    assert "must be a condition" in raised.value.diagnostics[0].message.render("en")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_filter_with_a_type_error_reports_the_checker_diagnostics(dialect: str) -> None:
    checked = check(parse("amout > 5"), SCOPE, BOOLEAN)
    with pytest.raises(SourceError) as raised:
        compile_filter(checked, Record.data, dialect=dialect, context=CONTEXT)
    assert raised.value.diagnostics[0].code == "unknown_field"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "source",
    [
        "is_empty(items)",
        "is_empty(tags) or is_empty(title)",
        "'meal' in tags and len(tags) > 1 and contains(tags, title)",
        "max(amount, qty, null) > 1 and min(title, category) < 'b'",
        "approver = current_user",
        "amount > round(100.123, 2) and spent_on >= add_days(today(), -7)",
        "submitted_at > now() - 7 and year(now()) = 2026",
    ],
)
def test_what_reads_no_field_or_tests_a_list_field_for_emptiness_compiles(
    dialect: str, source: str
) -> None:
    assert _compile(source, dialect) is not None
