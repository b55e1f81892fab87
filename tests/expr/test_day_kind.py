"""``day_kind(date)``: workday, rest day or holiday on the organisation's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formflow.expr import EvalContext, Scope, compile_expression, evaluate
from formflow.workcalendar import DayKind, WorkCalendar

# National Day 2026: Oct 1-7 off (Oct 3 and 4 are a weekend), make-up workdays Sep 27 (Sun)
# and Oct 10 (Sat).
CALENDAR = WorkCalendar.from_days(
    "cn",
    [(date(2026, 10, day), False) for day in range(1, 8)]
    + [(date(2026, 9, 27), True), (date(2026, 10, 10), True)],
)


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        ("2026-10-01", "holiday"),
        ("2026-10-03", "holiday"),  # a Saturday listed as a holiday is a holiday
        ("2026-10-10", "workday"),  # make-up Saturday
        ("2026-09-27", "workday"),  # make-up Sunday
        ("2026-10-11", "rest_day"),  # an ordinary Sunday
        ("2026-10-09", "workday"),
    ],
)
def test_day_kind_tells_workdays_rest_days_and_holidays_apart(day: str, kind: str) -> None:
    context = EvalContext(
        today=date(2026, 1, 5), now=datetime(2026, 1, 5, tzinfo=UTC), calendar=CALENDAR
    )
    checked = compile_expression(f"day_kind(date('{day}'))", Scope())
    assert evaluate(checked, {}, context) == kind


def test_without_a_calendar_weekends_are_rest_days_and_nothing_is_a_holiday() -> None:
    context = EvalContext(today=date(2026, 1, 5), now=datetime(2026, 1, 5, tzinfo=UTC))
    checked = compile_expression("[day_kind(date('2026-01-03')), day_kind(null)]", Scope())
    assert evaluate(checked, {}, context) == ["rest_day", None]


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_a_day_is_a_workday_exactly_when_is_workday_says_so(day: date) -> None:
    kind = CALENDAR.day_kind(day)
    assert (kind is DayKind.WORKDAY) == CALENDAR.is_workday(day)
    assert (kind is DayKind.HOLIDAY) == (day in CALENDAR.holidays)
