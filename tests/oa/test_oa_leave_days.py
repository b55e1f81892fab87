"""Leave days counted by the form on the demo company's working-day calendar, in real requests.

The demo calendar holds China's 2026 arrangement: National Day 1-7 October is a holiday, and
Sunday 20 September and Saturday 10 October are make-up workdays (调休上班). ``days`` is
computed when the request is submitted; it decides the route.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import hypothesis
import pytest
from hypothesis import strategies as st
from oakit import Office, leave

from formflow.services import org

#: (start, end, half_day, leave_type, days), each worked out by hand on the 2026 calendar.
DAYS = [
    # Mon 28 Sep .. Mon 12 Oct: 28-30 Sep (3), holiday 1-7 Oct (0), Thu 8 + Fri 9 (2),
    # make-up Sat 10 Oct (1), Sun 11 (0), Mon 12 (1).
    ("2026-09-28", "2026-10-12", None, "annual", 7),
    # Fri 18 Sep .. Mon 21 Sep: Fri, make-up Sun 20 Sep, Mon; the Saturday is a rest day.
    ("2026-09-18", "2026-09-21", None, "annual", 3),
    # Thu 8 Oct .. make-up Sat 10 Oct, ending at noon on the Saturday.
    ("2026-10-08", "2026-10-10", "end_morning", "personal", Decimal("2.5")),
    # Starting "in the afternoon" of a holiday takes nothing off: 8 and 9 Oct remain.
    ("2026-10-05", "2026-10-09", "start_afternoon", "personal", 2),
    # Half of the make-up Sunday, then Mon 21 .. Wed 23 Sep.
    ("2026-09-20", "2026-09-23", "start_afternoon", "annual", Decimal("3.5")),
    # One morning off on a make-up workday.
    ("2026-10-10", "2026-10-10", "end_morning", "personal", Decimal("0.5")),
    # Maternity leave counts calendar days, holidays included.
    ("2026-09-28", "2026-10-12", None, "maternity", 15),
]


@pytest.mark.parametrize(("start", "end", "half_day", "leave_type", "days"), DAYS)
def test_the_form_counts_working_days_across_holidays_and_make_up_workdays(
    office: Office,
    start: str,
    end: str,
    half_day: str | None,
    leave_type: str,
    days: Decimal | int,
) -> None:
    record = office.submit(
        "zhang.wei", "leave_request", leave(start, end, half_day=half_day, leave_type=leave_type)
    )
    assert record["data"]["days"] == days
    validated = office["zhang.wei"].post(
        "/api/forms/oa.leave_request/validate",
        {"data": leave(start, end, half_day=half_day, leave_type=leave_type)},
    )
    assert validated.status_code == 200, validated.payload
    assert validated.payload["data"]["days"] == days


def test_a_leave_across_national_day_counts_seven_days_and_goes_to_hr_but_not_the_gm(
    office: Office,
) -> None:
    record = office.submit("zhang.wei", "leave_request", leave("2026-09-28", "2026-10-12"))
    assert record["data"]["days"] == 7  # 11 weekdays less 5 holidays, plus the make-up Saturday
    office.run_through(record["id"], [{"manager": {"li.na"}}, {"hr": {"wang.fang"}}])
    assert office.record(record["id"])["status"] == "approved"


def test_a_leave_inside_the_holiday_is_refused_because_it_covers_no_working_day(
    office: Office,
) -> None:
    response = office.post_request("zhang.wei", "leave_request", leave("2026-10-01", "2026-10-07"))
    assert response.status_code == 422
    assert [e["path"] for e in response.payload["errors"]] == ["$.start_date"]
    assert "working day" in response.payload["errors"][0]["message"]
    assert office.inbox("li.na") == []


def test_a_sick_leave_over_two_days_needs_a_certificate(office: Office) -> None:
    sick = leave("2026-11-30", "2026-12-02", leave_type="sick")
    refused = office.post_request("zhang.wei", "leave_request", sick)
    assert refused.status_code == 422
    assert [e["path"] for e in refused.payload["errors"]] == ["$.attachments"]
    certificate = office.upload("zhang.wei", "诊断证明.pdf")
    record = office.submit("zhang.wei", "leave_request", {**sick, "attachments": [certificate]})
    assert record["data"]["days"] == 3
    assert record["data"]["attachments"][0]["id"] == certificate["id"]
    two_days = leave("2026-12-03", "2026-12-04", leave_type="sick")
    assert office.submit("zhang.wei", "leave_request", two_days)["data"]["days"] == 2


HALF = {"none": (0, 0), "start_afternoon": (1, 0), "end_morning": (0, 1), "both": (1, 1)}


@hypothesis.settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    length=st.integers(min_value=0, max_value=40),
    half_day=st.sampled_from(sorted(HALF)),
    maternity=st.booleans(),
)
def test_the_days_of_any_leave_are_the_org_calendars_working_days_less_its_half_days(
    office: Office, start: date, length: int, half_day: str, maternity: bool
) -> None:
    end = start + timedelta(days=length)
    with office.database.session() as session:
        calendar = org.load_calendar(session)
    if maternity:
        expected = Decimal(length + 1)
    else:
        first, last = HALF[half_day]
        expected = (
            calendar.workdays_between(start, end)
            - Decimal("0.5") * first * calendar.is_workday(start)
            - Decimal("0.5") * last * calendar.is_workday(end)
        )
    data = leave(
        start.isoformat(),
        end.isoformat(),
        half_day=half_day,
        leave_type="maternity" if maternity else "annual",
    )
    response = office["zhang.wei"].post("/api/forms/oa.leave_request/validate", {"data": data})
    assert response.status_code == 200, response.payload
    assert response.payload["data"]["days"] == expected
