"""Working days: weekends, holidays and make-up workdays, counted and added."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from formflow.workcalendar import WorkCalendar

# National Day 2026: 1-7 Oct off; Sun 20 Sep and Sat 10 Oct are make-up workdays.
OCTOBER = WorkCalendar.from_days(
    "cn",
    [
        *((date(2026, 10, d), False) for d in range(1, 8)),
        (date(2026, 9, 20), True),
        (date(2026, 10, 10), True),
    ],
)


def test_a_week_off_and_two_make_up_days() -> None:
    assert OCTOBER.workdays_between(date(2026, 9, 28), date(2026, 10, 11)) == 6
    assert OCTOBER.is_workday(date(2026, 9, 20)) and not OCTOBER.is_workday(date(2026, 10, 5))
    assert OCTOBER.workdays_between(date(2026, 10, 9), date(2026, 10, 8)) == 0


def test_adding_working_days_skips_the_holiday_and_lands_on_a_make_up_saturday() -> None:
    assert OCTOBER.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert OCTOBER.add_workdays(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert OCTOBER.add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert OCTOBER.add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 8)


@given(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(0, 60))
def test_counting_agrees_with_checking_each_day(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    by_day = sum(OCTOBER.is_workday(start + timedelta(days=i)) for i in range(length + 1))
    assert OCTOBER.workdays_between(start, end) == by_day
