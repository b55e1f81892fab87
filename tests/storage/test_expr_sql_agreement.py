"""The same filter selects the same records in SQL as in the Python evaluator.

Differential tests: hypothesis generates record data (absent fields, zero, negatives, 0.1,
equal values, 张三, date-times with and without fractions of a second, ``08:30`` next to
``08:30:00``) and filters from everything the SQL compiler supports; each filter runs in the
database (SQLite, or PostgreSQL when ``FORMFLOW_TEST_DATABASE_URL`` is set) and in Python over
the stored data, and the selected ids must be equal. Each example inserts its records inside a
transaction that is rolled back, so one migrated database serves the whole test.
"""

from __future__ import annotations

from typing import Any

import pytest
from expr_sql_kit import AgreementForm, assert_agreement, create_agreement_form
from expr_sql_strategies import RECORD_DATA, conditions, dates, moments, numbers, texts, times
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formflow.storage.db import Database

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RECORDS = st.lists(RECORD_DATA, min_size=1, max_size=8)


@pytest.fixture
def form(database: Database) -> AgreementForm:
    return create_agreement_form(database)


@SETTINGS
@given(datas=RECORDS, sources=st.lists(conditions(0), min_size=1, max_size=4))
def test_simple_filters_select_the_same_records_in_sql_as_in_python(
    database: Database, form: AgreementForm, datas: list[dict[str, Any]], sources: list[str]
) -> None:
    assert_agreement(database, form, datas, sources, generated=True)


NUMBER_FILTERS = st.builds(
    lambda a, op, b: f"{a} {op} {b}",
    numbers(3),
    st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
    numbers(2),
)


@SETTINGS
@given(datas=RECORDS, sources=st.lists(NUMBER_FILTERS, min_size=1, max_size=4))
def test_arithmetic_filters_select_the_same_records_in_sql_as_in_python(
    database: Database, form: AgreementForm, datas: list[dict[str, Any]], sources: list[str]
) -> None:
    assert_agreement(database, form, datas, sources, generated=True)


TEXT_FILTERS = st.one_of(
    st.builds(
        lambda a, op, b: f"{a} {op} {b}",
        texts(2),
        st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
        texts(2),
    ),
    st.builds(
        lambda f, a, b: f"{f}({a}, {b})",
        st.sampled_from(["contains", "starts_with", "ends_with"]),
        texts(2),
        texts(1),
    ),
    st.builds(lambda a, b: f"{a} in {b}", texts(1), texts(2)),
    st.builds(
        lambda a, op, n: f"len({a}) {op} {n}",
        texts(2),
        st.sampled_from(["=", ">", "<="]),
        st.sampled_from(["0", "1", "2", "3"]),
    ),
)


@SETTINGS
@given(datas=RECORDS, sources=st.lists(TEXT_FILTERS, min_size=1, max_size=4))
def test_text_filters_select_the_same_records_in_sql_as_in_python(
    database: Database, form: AgreementForm, datas: list[dict[str, Any]], sources: list[str]
) -> None:
    assert_agreement(database, form, datas, sources, generated=True)


def _compared(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, op, b: f"{a} {op} {b}",
        values,
        st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
        values,
    )


TEMPORAL_FILTERS = st.one_of(
    _compared(dates(2)), _compared(moments()), _compared(times()), _compared(numbers(1))
)


@SETTINGS
@given(datas=RECORDS, sources=st.lists(TEMPORAL_FILTERS, min_size=1, max_size=4))
def test_date_and_time_filters_select_the_same_records_in_sql_as_in_python(
    database: Database, form: AgreementForm, datas: list[dict[str, Any]], sources: list[str]
) -> None:
    assert_agreement(database, form, datas, sources, generated=True)


@SETTINGS
@given(datas=RECORDS, sources=st.lists(conditions(2), min_size=1, max_size=3))
def test_combined_filters_select_the_same_records_in_sql_as_in_python(
    database: Database, form: AgreementForm, datas: list[dict[str, Any]], sources: list[str]
) -> None:
    assert_agreement(database, form, datas, sources, generated=True)
