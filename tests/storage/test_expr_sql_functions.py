"""The exact decimal and calendar functions SQLite filters run in (``ff_...``).

They call the evaluator's own operations, so the properties to check are the seams: values
arrive from SQLite as integers, raw JSON text or decimal text; bad values give NULL and never an
error that would fail the whole query; every SQLite connection a pool hands out has them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from formflow.storage.db import Database
from formflow.storage.expr_sql import install_sqlite_functions
from formflow.storage.expr_sql.sqlite_functions import parse_number


@pytest.fixture
def connection() -> Iterator[sqlite3.Connection]:
    raw = sqlite3.connect(":memory:")
    install_sqlite_functions(raw)
    yield raw
    raw.close()


def _one(connection: sqlite3.Connection, sql: str, *params: object) -> object:
    return connection.execute(f"SELECT {sql}", params).fetchone()[0]


@pytest.mark.parametrize(
    ("sql", "params", "expected"),
    [
        ("ff_arith('+', ?, ?)", ("0.1", "0.2"), Decimal("0.3")),
        ("ff_arith('/', ?, ?)", (7, 2), Decimal("3.5")),
        ("ff_arith('%', ?, ?)", (-7, 3), Decimal("-1")),
        ("ff_arith('/', ?, ?)", (1, 0), None),
        ("ff_arith('*', ?, ?)", ('{"a": 1}', 2), None),
        ("ff_arith('+', ?, ?)", ('"12"', 1), Decimal("13")),
        ("ff_arith('+', ?, ?)", ("null", 1), None),
        ("ff_arith('+', ?, ?)", ("true", 1), None),
        ("ff_arith('+', ?, ?)", ("abc", 1), None),
        ("ff_arith('*', ?, ?)", ("1E+60", "1E+60"), None),
        ("ff_neg(?)", ("0.10000000000000000001",), Decimal("-0.10000000000000000001")),
        ("ff_cmp(?, ?)", ("0.10000000000000000001", 0.1), 1),
        ("ff_cmp(?, ?)", ("1.0", 1), 0),
        ("ff_cmp(?, ?)", (None, 1), None),
        ("ff_number('round', ?, ?)", ("2.345", "2"), Decimal("2.35")),
        ("ff_number('round', ?, NULL)", ("-2.5",), Decimal("-3")),
        ("ff_number('round', ?, ?)", ("2.345", "0.5"), None),
        ("ff_number('abs', ?, NULL)", ("-5",), Decimal("5")),
        ("ff_add_days(?, ?)", ("2024-02-28", 1), "2024-02-29"),
        ("ff_add_days(?, ?)", ("2024-02-28", "0.5"), None),
        ("ff_add_days(?, ?)", ("9999-12-31", 1), None),
        ("ff_add_days(?, ?)", ("not a date", 1), None),
        ("ff_local_date(?, ?)", ("2026-01-31T16:00:00", "Asia/Shanghai"), "2026-02-01"),
        ("ff_local_date(?, ?)", ("2026-01-31T16:00:00", "Mars/Olympus"), None),
        ("ff_local_date(?, ?)", ("yesterday", "Asia/Shanghai"), None),
        (
            "ff_between('hours_between', 'datetime', ?, ?)",
            ("2026-01-31T08:00:00", "2026-01-31T09:30:00"),
            "1.5",
        ),
        ("ff_between('minutes_between', 'time', ?, ?)", ("08:30", "09:00:00"), Decimal("30")),
        ("ff_between('hours_between', 'time', ?, ?)", ("08:30", "2026-01-31T09:00:00"), None),
    ],
)
def test_a_function_computes_like_the_evaluator_and_gives_null_for_what_it_cannot(
    connection: sqlite3.Connection, sql: str, params: tuple[object, ...], expected: object
) -> None:
    result = _one(connection, sql, *params)
    if isinstance(expected, Decimal):
        assert isinstance(result, str)
        assert Decimal(result) == expected
    else:
        assert result == expected


DECIMALS = st.decimals(
    allow_nan=False, allow_infinity=False, places=None, min_value=-(10**20), max_value=10**20
)


@given(left=DECIMALS, right=DECIMALS)
def test_comparing_decimal_texts_in_sqlite_agrees_with_python_for_any_number_of_digits(
    left: Decimal, right: Decimal
) -> None:
    raw = sqlite3.connect(":memory:")
    install_sqlite_functions(raw)
    try:
        result = _one(raw, "ff_cmp(?, ?)", str(left), str(right))
    finally:
        raw.close()
    assert result == (left > right) - (left < right)


@given(value=st.one_of(st.integers(-(10**18), 10**18), DECIMALS))
def test_a_number_reads_the_same_from_json_text_and_from_decimal_text(value: int | Decimal) -> None:
    assert parse_number(str(value)) == parse_number(f" {value} ") == Decimal(value)


def test_every_sqlite_connection_of_the_database_has_the_functions(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'functions.db'}")
    try:
        with database.engine.connect() as first:
            assert first.execute(text("SELECT ff_arith('+', '0.1', '0.2')")).scalar() == "0.3"
        database.engine.dispose()  # a new connection must get them too
        with database.engine.connect() as again:
            assert again.execute(text("SELECT ff_cmp(1, 2)")).scalar() == -1
    finally:
        database.dispose()
