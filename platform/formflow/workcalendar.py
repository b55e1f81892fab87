"""Working-day calendars: weekends, public holidays and make-up workdays (调休) as data.

A :class:`WorkCalendar` answers "is this a working day?" and counts or adds working days. China
moves weekend days around public holidays (a Saturday becomes a workday so that a holiday can be
a longer block), so a calendar is a default weekly pattern plus explicit exceptions both ways.

Pure core: the storage layer loads calendars from the database; flows, expressions
(``workdays_between``) and timers use them through this class.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class DayKind(StrEnum):
    """The kinds of day :meth:`WorkCalendar.day_kind` tells apart."""

    WORKDAY = "workday"
    REST_DAY = "rest_day"
    HOLIDAY = "holiday"


#: ISO weekday numbers (Monday = 1 ... Sunday = 7) that are rest days by default.
DEFAULT_WEEKEND: frozenset[int] = frozenset({6, 7})


@dataclass(frozen=True)
class WorkCalendar:
    """A weekly pattern plus dated exceptions.

    ``holidays`` are dates that are rest days although the pattern says work; ``workdays`` are
    dates that are working days although the pattern says rest (make-up days, 调休上班).
    """

    key: str = "default"
    weekend: frozenset[int] = DEFAULT_WEEKEND
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    names: Mapping[date, str] = field(default_factory=dict)

    @classmethod
    def from_days(
        cls,
        key: str,
        days: Iterable[tuple[date, bool]],
        weekend: Iterable[int] = DEFAULT_WEEKEND,
        names: Mapping[date, str] | None = None,
    ) -> WorkCalendar:
        """Build a calendar from ``(date, is_working_day)`` exceptions."""
        holidays: set[date] = set()
        workdays: set[date] = set()
        for day, working in days:
            (workdays if working else holidays).add(day)
        return cls(
            key=key,
            weekend=frozenset(weekend),
            holidays=frozenset(holidays),
            workdays=frozenset(workdays),
            names=dict(names or {}),
        )

    def is_workday(self, day: date) -> bool:
        """True when ``day`` is a working day on this calendar."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.isoweekday() not in self.weekend

    def day_kind(self, day: date) -> str:
        """What kind of day ``day`` is: ``"workday"``, ``"holiday"`` or ``"rest_day"``.

        A holiday is a listed public-holiday date (whatever its weekday); a rest day is a day
        of the weekly pattern's weekend that is not a make-up workday. Attendance and overtime
        rules pay these differently (1.5x / 2x / 3x), so the three are kept apart.
        """
        if day in self.workdays:
            return DayKind.WORKDAY
        if day in self.holidays:
            return DayKind.HOLIDAY
        if day.isoweekday() in self.weekend:
            return DayKind.REST_DAY
        return DayKind.WORKDAY

    def workdays_between(self, start: date, end: date) -> int:
        """Working days from ``start`` to ``end``, both included; 0 when ``end < start``.

        This is the count a leave request means by "days": a Monday-to-Friday leave is 5 days,
        a leave over a public holiday does not count the holiday, a make-up Saturday counts.
        """
        if end < start:
            return 0
        total_days = (end - start).days + 1
        full_weeks, rest = divmod(total_days, 7)
        count = full_weeks * (7 - len(self.weekend))
        for offset in range(rest):
            if (start + timedelta(days=full_weeks * 7 + offset)).isoweekday() not in self.weekend:
                count += 1
        # Exceptions only matter when they fall inside the range and differ from the pattern.
        for day in self.holidays:
            if start <= day <= end and day.isoweekday() not in self.weekend:
                count -= 1
        for day in self.workdays:
            if start <= day <= end and day.isoweekday() in self.weekend:
                count += 1
        return count

    def add_workdays(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted).

        ``days`` may be negative to go back. With ``days == 0`` returns the first working day
        on or after ``start``.
        """
        if len(self.weekend) >= 7 and not self.workdays:
            raise ValueError("a calendar without working days cannot add working days")
        step = 1 if days >= 0 else -1
        current = start
        if days == 0:
            while not self.is_workday(current):
                current += timedelta(days=1)
            return current
        remaining = abs(days)
        while remaining:
            current += timedelta(days=step)
            if self.is_workday(current):
                remaining -= 1
        return current
