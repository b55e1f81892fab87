"""The ID-card check digit (GB 11643) and serial-number patterns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from formkit import make_form
from hypothesis import given
from hypothesis import strategies as st

from formflow.forms import SerialReset
from formflow.forms.idcard import check_character, idcard_problem
from formflow.forms.serial import parse_serial

PREFIXES = ["110105", "440305", "310101", "510107", "650102"]


@st.composite
def idcards(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(PREFIXES))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


@given(idcards())
def test_a_number_with_its_computed_check_character_is_valid(number: str) -> None:
    assert idcard_problem(number, date(2026, 1, 31)) is None


@given(idcards(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_mistyped_digit_is_caught(number: str, position: int, shift: int) -> None:
    wrong = str((int(number[position]) + shift) % 10)
    mistyped = number[:position] + wrong + number[position + 1 :]
    assert idcard_problem(mistyped, date(2026, 1, 31)) is not None


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("1101051949123100", "18-character"),
        ("11010519491231002x", "capital X"),
        ("990105194912310021", "region code"),
        ("110105194913310021", "birth date"),
        ("11010519491231002A", "digit or X"),
        ("110105194912310021", "fails the ID-card check"),
    ],
)
def test_each_kind_of_wrong_number_gets_its_own_explanation(number: str, fragment: str) -> None:
    problem = idcard_problem(number, date(2026, 1, 31))
    assert problem is not None
    assert fragment in problem.render("en")


def test_a_birth_date_after_today_is_refused_when_today_is_known() -> None:
    tomorrow = date(2026, 1, 31) + timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}001"
    number = first17 + check_character(first17)
    assert idcard_problem(number) is None
    assert idcard_problem(number, date(2026, 1, 31)) is not None


@pytest.mark.parametrize(
    ("pattern", "reset", "counter", "day", "expected", "period"),
    [
        ("BX-{YYYY}{MM}-{seq:4}", "monthly", 7, date(2026, 1, 5), "BX-202601-0007", "2026-01"),
        ("HT{YY}{seq:3}", "yearly", 12, date(2026, 3, 1), "HT26012", "2026"),
        ("D{YYYY}{MM}{DD}{seq:2}", "daily", 123, date(2026, 2, 9), "D20260209123", "2026-02-09"),
        ("NO.{seq}", "never", 5, date(2026, 1, 1), "NO.5", ""),
    ],
)
def test_a_serial_pattern_renders_its_counter_and_dates(
    pattern: str, reset: str, counter: int, day: date, expected: str, period: str
) -> None:
    parsed, issues = parse_serial({"pattern": pattern, "reset": reset}, "$.x")
    assert issues == []
    assert parsed is not None
    assert parsed.reset is SerialReset(reset)
    assert parsed.render(counter, day) == expected
    assert parsed.period_key(day) == period


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"pattern": "BX-{seq:4}", "reset": "monthly"}, "serial_reset"),
        ({"pattern": "BX-{YYYY}-{seq:4}", "reset": "daily"}, "serial_reset"),
        ({"pattern": "BX-{YYYY}"}, "serial_invalid"),
        ({"pattern": "{seq}{seq}"}, "serial_invalid"),
        ({"pattern": "{seq:20}"}, "serial_invalid"),
        ({"pattern": "{WEEK}{seq}"}, "serial_invalid"),
        ({"pattern": "A {seq}"}, "serial_invalid"),
        ({"pattern": "{seq}", "reset": "hourly"}, "serial_invalid"),
        ({"pattern": "{seq}", "start": 1}, "serial_invalid"),
        ("BX-{seq}", "serial_invalid"),
    ],
)
def test_a_serial_pattern_that_could_repeat_or_does_not_parse_is_refused(
    raw: object, code: str
) -> None:
    parsed, issues = parse_serial(raw, "$.schema.properties.no.x-serial")
    assert parsed is None
    assert code in {issue.code for issue in issues}
    assert all(issue.path.startswith("$.schema.properties.no.x-serial") for issue in issues)


def test_serial_fields_are_listed_and_never_required_from_users() -> None:
    form = make_form(
        {
            "no": {"x-type": "serial", "x-serial": {"pattern": "{YYYY}{seq:5}", "reset": "yearly"}},
            "title": {"type": "string"},
        }
    )
    assert list(form.serial_fields) == ["no"]
    assert form.system_fields == frozenset({"no"})
    assert form.validate({"title": "x"}) == []
