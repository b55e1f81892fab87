"""Known traps between SQL and Python, each with the records that spring it.

Every case runs the filter in the database and in the evaluator over the same stored records;
the selections must agree and must be the one the expression language documents
(docs/expressions.md). The hypothesis suite (test_expr_sql_agreement.py) explores widely; these
cases make sure the sharpest edges are always visited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from expr_sql_kit import AgreementForm, assert_agreement, create_agreement_form

from formflow.storage.db import Database

#: (filter, records, indexes of the records it selects)
CASES: list[tuple[str, list[dict[str, Any]], set[int]]] = [
    # exact decimals: SQLite's REAL would say 0.30000000000000004
    ("amount + 0.2 = 0.3", [{"amount": "0.1"}, {"amount": "0.2"}], {0}),
    ("rate * 1.1 = 3.3", [{"rate": "3"}, {"rate": "3.3"}], {0}),
    # 28 significant digits: 2 / 3 * 3 rounds back to 2, 1 / 3 * 3 does not reach 1
    ("rate / 3 * 3 = rate", [{"rate": "2"}, {"rate": "1"}], {0}),
    # integer division and the remainder's sign
    ("qty / 2 = 3.5", [{"qty": 7}, {"qty": 6}], {0}),
    ("qty % 3 = -1", [{"qty": -7}, {"qty": 7}], {0}),
    ("qty / 0 = null", [{"qty": 7}, {}], {0, 1}),
    # a constant with more digits than a double holds
    ("amount < 1234567.891234567891234", [{"amount": "1234567.89"}, {"amount": "1234568"}], {0}),
    ("amount = 0.1", [{"amount": "0.1"}, {"amount": "0.10"}, {"amount": "0.11"}], {0, 1}),
    ("amount = 0.10000000000000000001", [{"amount": "0.1"}], set()),
    ("0.09999999999999999999 < amount", [{"amount": "0.1"}, {"amount": "0.09"}], {0}),
    # half up (四舍五入), away from zero
    ("round(amount) = -3", [{"amount": "-2.5"}, {"amount": "-2.49"}], {0}),
    ("round(rate, 1) = 0.3", [{"rate": "0.25"}, {"rate": "0.249"}], {0}),
    ("trunc(rate, 2) = 1.23", [{"rate": "1.239"}, {"rate": "1.24"}], {0}),
    # texts compare by code point: 'B' < 'a' < 'z' < 'é' < '张'
    ("title < 'a'", [{"title": "B"}, {"title": "é"}, {"title": "张三"}, {"title": "a"}], {0}),
    ("title > 'z'", [{"title": "é"}, {"title": "张三"}, {"title": "Z"}], {0, 1}),
    ("title = 'ß'", [{"title": "ß"}, {"title": "SS"}, {"title": "ss"}], {0}),
    ("contains(title, '三')", [{"title": "张三"}, {"title": "张"}], {0}),
    ("'' in title", [{"title": "a"}, {}], {0}),
    ("ends_with(title, 'ab')", [{"title": "b"}, {"title": "cab"}], {1}),
    ("starts_with(title, 'A')", [{"title": "abc"}, {"title": "Abc"}], {1}),
    ("len(title) = 2", [{"title": "张三"}, {"title": "abc"}], {0}),
    ("trim(title) = 'a'", [{"title": " a\u3000"}, {"title": "a b"}], {0}),
    # date-times stored as ...:00Z and ...:00.250000Z sort differently from their moments
    (
        "submitted_at > now()",
        [
            {"submitted_at": "2026-01-31T08:00:00.250Z"},
            {"submitted_at": "2026-01-31T08:00:00Z"},
            {"submitted_at": "2026-01-31T08:00:00.5Z"},
            {"submitted_at": "2026-01-31T08:00:01Z"},
            {"submitted_at": "2026-01-31T16:00:00.75+08:00"},
        ],
        {2, 3, 4},
    ),
    (
        "submitted_at <= datetime('2026-01-31T08:00:00Z')",
        [
            {"submitted_at": "2026-01-31T08:00:00Z"},
            {"submitted_at": "2026-01-31T07:59:59.999999Z"},
            {"submitted_at": "2026-01-31T08:00:00.25Z"},
        ],
        {0, 1},
    ),
    (
        "submitted_at = now()",
        [{"submitted_at": "2026-01-31T08:00:00.25Z"}, {"submitted_at": "2026-01-31T08:00:00Z"}],
        {0},
    ),
    ("submitted_at in [now(), null]", [{"submitted_at": "2026-01-31T16:00:00.25+08:00"}], {0}),
    # 08:30 and 08:30:00 are the same time of day
    (
        "start_time = time('08:30')",
        [{"start_time": "08:30"}, {"start_time": "08:30:00"}, {"start_time": "08:30:01"}],
        {0, 1},
    ),
    ("start_time < time('08:30:00.5')", [{"start_time": "08:30"}, {"start_time": "08:31"}], {0}),
    # the calendar date of a moment is taken in Asia/Shanghai
    ("year(submitted_at) = 2026", [{"submitted_at": "2025-12-31T16:00:00Z"}], {0}),
    ("date(submitted_at) = date('2026-02-01')", [{"submitted_at": "2026-01-31T16:30:00Z"}], {0}),
    ("weekday(spent_on) = 7", [{"spent_on": "2026-02-01"}, {"spent_on": "2026-02-02"}], {0}),
    ("quarter(spent_on) = 1", [{"spent_on": "2026-03-31"}, {"spent_on": "2026-04-01"}], {0}),
    ("spent_on + 1 = date('2024-03-01')", [{"spent_on": "2024-02-29"}], {0}),
    ("end_of_month(spent_on) = date('2024-02-29')", [{"spent_on": "2024-02-10"}], {0}),
    ("days_between(spent_on, today()) > 30", [{"spent_on": "2025-12-31"}, {}], {0}),
    ("today() - spent_on = 1", [{"spent_on": "2026-01-30"}, {"spent_on": "2026-01-31"}], {0}),
    (
        "hours_between(submitted_at, now()) > 24",
        [{"submitted_at": "2026-01-30T08:00:00Z"}, {"submitted_at": "2026-01-30T08:00:00.5Z"}],
        {0},
    ),
    (
        "minutes_between(start_time, time('09:00')) = 30",
        [{"start_time": "08:30"}, {"start_time": "08:30:01"}],
        {0},
    ),
    # null: unknown, not false
    ("amount not in []", [{"amount": "1"}, {}], {0}),
    ("not (amount in [1, null])", [{"amount": "2"}, {"amount": "1"}], set()),
    ("amount in [1, null]", [{"amount": "1"}, {"amount": "2"}], {0}),
    ("not (amount > 1)", [{"amount": "1"}, {}], {0}),
    ("coalesce(amount, 0) = 0", [{}, {"amount": "0"}, {"amount": "1"}], {0, 1}),
    ("max(amount, rate) = 2", [{"amount": "2"}, {"amount": "1", "rate": "2"}, {}], {0, 1}),
    ("min(amount + 0, rate) = 1", [{"amount": "1"}, {"amount": "3", "rate": "1.0"}], {0, 1}),
    ("max(title, category) = 'meal'", [{"title": "Meal", "category": "meal"}], {0}),
    ("min(start_time, time('08:30')) = start_time", [{"start_time": "08:30:00"}], {0}),
    (
        "max(submitted_at, now()) = submitted_at",
        [{"submitted_at": "2026-01-31T08:00:00.5Z"}, {"submitted_at": "2026-01-31T08:00:00Z"}],
        {0},
    ),
    (
        "if(urgent, amount, qty) > 5",
        [{"urgent": True, "amount": "6", "qty": 1}, {"qty": 6}],
        {0, 1},
    ),
    ("is_empty(tags)", [{}, {"tags": ["meal"]}], {0}),
    ("'meal' in tags", [{"tags": ["meal", "travel"]}, {"tags": ["Meal"]}, {}], {0}),
    ("not ('meal' in tags)", [{"tags": ["meal"]}, {"tags": ["Meal"]}, {}], {1}),
    ("contains(tags, '张三')", [{"tags": ["张三"]}, {"tags": ["meal"]}], {0}),
    ("title in tags", [{"tags": ["ß"], "title": "ß"}, {"tags": ["ß"]}], {0}),
    ("len(tags) = 2", [{"tags": ["meal", "ß"]}, {"tags": ["ß"]}, {}], {0}),
    ("is_empty(title)", [{}, {"title": "a"}], {0}),
    ("urgent", [{"urgent": True}, {"urgent": False}, {}], {0}),
    ("not urgent", [{"urgent": True}, {"urgent": False}, {}], {1}),
    ("urgent = (qty > 0)", [{"urgent": True, "qty": 1}, {"urgent": False, "qty": 1}], {0}),
    ("approver = current_user", [{"approver": 7}, {"approver": 8}, {}], {0}),
    ("category in ['张三', 'ß']", [{"category": "张三"}, {"category": "meal"}], {0}),
]


@pytest.fixture
def form(database: Database) -> AgreementForm:
    return create_agreement_form(database)


@pytest.mark.parametrize(("source", "records", "selected"), CASES, ids=[c[0] for c in CASES])
def test_a_known_trap_selects_the_documented_records_in_sql_and_python(
    database: Database,
    form: AgreementForm,
    source: str,
    records: list[dict[str, Any]],
    selected: set[int],
) -> None:
    datas = [_typed(record) for record in records]
    (chosen,) = assert_agreement(database, form, datas, [source])
    assert chosen == selected


def _typed(record: dict[str, Any]) -> dict[str, Any]:
    """Numbers written as strings in the table become exact decimals, as in a JSON body."""
    numeric = {"amount", "rate"}
    return {key: Decimal(value) if key in numeric else value for key, value in record.items()}
