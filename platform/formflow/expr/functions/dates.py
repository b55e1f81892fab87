"""Date and time functions: today/now, building dates, differences, adding, parts.

Calendar dates of a date-time are taken in the context's time zone (Asia/Shanghai unless
told), so ``date(submitted_at)`` is the date a Chinese user saw on their screen. Working-day
functions use the context's :class:`~formflow.workcalendar.WorkCalendar`.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from formflow.errors import EvaluationFailed
from formflow.expr.context import EvalContext
from formflow.expr.functions.spec import Function, returns, same_as, sig, whole
from formflow.expr.typesystem import BOOLEAN, DATE, DATETIME, NUMBER, STRING, TIME, Type
from formflow.expr.values import DECIMALS, to_datetime
from formflow.i18n import _

_NUM = (NUMBER,)
_DAY = (DATE, DATETIME)
_MOMENT = (DATETIME, TIME)


def _as_date(ctx: EvalContext, value: date) -> date:
    return ctx.local_date(value) if isinstance(value, datetime) else value


def _today(ctx: EvalContext) -> date:
    return ctx.today


def _now(ctx: EvalContext) -> datetime:
    return ctx.now if ctx.now.tzinfo is not None else ctx.now.replace(tzinfo=UTC)


def _date(ctx: EvalContext, *parts: Any) -> date:
    if len(parts) == 3:
        year, month, day = (whole(part, _("A part of date()")) for part in parts)
        try:
            return date(year, month, day)
        except ValueError:
            raise EvaluationFailed(
                _("{year}-{month}-{day} is not a valid date.", year=year, month=month, day=day)
            ) from None
    value = parts[0]
    if isinstance(value, date):
        return _as_date(ctx, value)
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise EvaluationFailed(
            _("`{value}` is not a date; write it as YYYY-MM-DD, e.g. 2026-01-31.", value=value)
        ) from None


def _datetime(ctx: EvalContext, value: Any, at: time | None = None) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        local = datetime.combine(value, at or time(0), tzinfo=ctx.zone)
        return local.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise EvaluationFailed(
            _("`{value}` is not a date and time; write it as 2026-01-31T08:30:00Z.", value=value)
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ctx.zone)
    return to_datetime(parsed)


def _time(_ctx: EvalContext, value: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise EvaluationFailed(
            _("`{value}` is not a time of day; write it as HH:MM, e.g. 08:30.", value=value)
        ) from None


def _days_between(ctx: EvalContext, start: date, end: date) -> Decimal:
    return Decimal((_as_date(ctx, end) - _as_date(ctx, start)).days)


def _workdays_between(ctx: EvalContext, start: date, end: date) -> Decimal:
    return Decimal(ctx.work_calendar.workdays_between(_as_date(ctx, start), _as_date(ctx, end)))


def _seconds(start: datetime | time, end: datetime | time) -> Decimal:
    if isinstance(start, time) and isinstance(end, time):
        anchor = date(2000, 1, 1)
        first, second = datetime.combine(anchor, start), datetime.combine(anchor, end)
    elif isinstance(start, datetime) and isinstance(end, datetime):
        first, second = start, end
    else:
        raise EvaluationFailed(_("Both values must be date-times, or both times of day."))
    delta = second - first
    return Decimal(delta.days * 86_400 + delta.seconds) + Decimal(delta.microseconds) / 10**6


def _hours_between(_ctx: EvalContext, start: datetime | time, end: datetime | time) -> Decimal:
    return DECIMALS.divide(_seconds(start, end), Decimal(3600))


def _minutes_between(_ctx: EvalContext, start: datetime | time, end: datetime | time) -> Decimal:
    return DECIMALS.divide(_seconds(start, end), Decimal(60))


def _add_days(_ctx: EvalContext, start: date, days: Decimal) -> date:
    try:
        return start + timedelta(days=whole(days, _("The number of days")))
    except OverflowError:
        raise EvaluationFailed(_("The resulting date is out of range.")) from None


def _add_workdays(ctx: EvalContext, start: date, days: Decimal) -> date:
    count = whole(days, _("The number of working days"))
    if abs(count) > 3660:
        raise EvaluationFailed(_("add_workdays() adds at most 3660 working days."))
    try:
        return ctx.work_calendar.add_workdays(_as_date(ctx, start), count)
    except ValueError:
        raise EvaluationFailed(_("The work calendar has no working days.")) from None


def _add_months(_ctx: EvalContext, start: date, months: Decimal) -> date:
    total = start.year * 12 + start.month - 1 + whole(months, _("The number of months"))
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise EvaluationFailed(_("The resulting date is out of range."))
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


def _add_hours(_ctx: EvalContext, start: datetime, hours: Decimal) -> datetime:
    seconds = DECIMALS.multiply(hours, Decimal(3600))
    if abs(seconds) > Decimal(86_400 * 366 * 100):
        raise EvaluationFailed(_("add_hours() adds at most 100 years."))
    return start + timedelta(seconds=int(seconds.to_integral_value()))


def _part(name: str) -> Any:
    def impl(ctx: EvalContext, value: date) -> Decimal:
        day = _as_date(ctx, value)
        if name == "quarter":
            return Decimal((day.month - 1) // 3 + 1)
        if name == "weekday":
            return Decimal(day.isoweekday())
        return Decimal(getattr(day, name))

    return impl


def _start_of_month(ctx: EvalContext, value: date) -> date:
    return _as_date(ctx, value).replace(day=1)


def _end_of_month(ctx: EvalContext, value: date) -> date:
    day = _as_date(ctx, value)
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _is_workday(ctx: EvalContext, value: date) -> bool:
    return ctx.work_calendar.is_workday(_as_date(ctx, value))


def _day_kind(ctx: EvalContext, value: date) -> str:
    return str(ctx.work_calendar.day_kind(_as_date(ctx, value)))


def _date_result(_args: Sequence[Type]) -> Type:
    return DATE


FUNCTIONS: list[Function] = [
    Function(
        "today",
        (sig(),),
        returns(DATE),
        _today,
        _("Today's date."),
        "days_between(today(), due_date)",
    ),
    Function(
        "now",
        (sig(),),
        returns(DATETIME),
        _now,
        _("The current date and time."),
        "hours_between(submitted_at, now())",
    ),
    Function(
        "date",
        (sig((STRING, DATE, DATETIME)), sig(_NUM, _NUM, _NUM)),
        _date_result,
        _date,
        _("A date from a text 'YYYY-MM-DD', from year, month and day, or from a date-time."),
        "date(2026, 1, 31)",
    ),
    Function(
        "datetime",
        (sig((STRING, DATE, DATETIME)), sig((DATE,), (TIME,))),
        returns(DATETIME),
        _datetime,
        _("A date and time from an ISO text, or from a date and a time of day."),
        "datetime(start_date, time('09:00'))",
    ),
    Function(
        "time",
        (sig((STRING,)),),
        returns(TIME),
        _time,
        _("A time of day from a text 'HH:MM'."),
        "time('08:30')",
    ),
    Function(
        "days_between",
        (sig(_DAY, _DAY),),
        returns(NUMBER),
        _days_between,
        _("Calendar days from the first date to the second (negative if it is earlier)."),
        "days_between(start_date, end_date) + 1",
    ),
    Function(
        "workdays_between",
        (sig(_DAY, _DAY),),
        returns(NUMBER),
        _workdays_between,
        _("Working days from the first date to the second, both included, on the work calendar."),
        "workdays_between(start_date, end_date)",
    ),
    Function(
        "hours_between",
        (sig(_MOMENT, _MOMENT),),
        returns(NUMBER),
        _hours_between,
        _("Hours from the first date-time (or time of day) to the second."),
        "hours_between(check_in, check_out)",
    ),
    Function(
        "minutes_between",
        (sig(_MOMENT, _MOMENT),),
        returns(NUMBER),
        _minutes_between,
        _("Minutes from the first date-time (or time of day) to the second."),
        "minutes_between(time('09:00'), check_in)",
    ),
    Function(
        "add_days",
        (sig(_DAY, _NUM),),
        same_as(0),
        _add_days,
        _("The date (or date-time) a number of days later (earlier if negative)."),
        "add_days(start_date, 3)",
    ),
    Function(
        "add_workdays",
        (sig(_DAY, _NUM),),
        _date_result,
        _add_workdays,
        _("The date a number of working days later, on the work calendar."),
        "add_workdays(today(), 5)",
    ),
    Function(
        "add_months",
        (sig((DATE,), _NUM),),
        returns(DATE),
        _add_months,
        _("The date a number of months later; the 31st becomes the month's last day."),
        "add_months(hire_date, 6)",
    ),
    Function(
        "add_hours",
        (sig((DATETIME,), _NUM),),
        returns(DATETIME),
        _add_hours,
        _("The date-time a number of hours later."),
        "add_hours(submitted_at, 48)",
    ),
    Function(
        "year",
        (sig(_DAY),),
        returns(NUMBER),
        _part("year"),
        _("The year of a date."),
        "year(start_date) = 2026",
    ),
    Function(
        "quarter",
        (sig(_DAY),),
        returns(NUMBER),
        _part("quarter"),
        _("The quarter (1 to 4) of a date."),
        "quarter(sign_date)",
    ),
    Function(
        "month",
        (sig(_DAY),),
        returns(NUMBER),
        _part("month"),
        _("The month (1 to 12) of a date."),
        "month(start_date)",
    ),
    Function(
        "day",
        (sig(_DAY),),
        returns(NUMBER),
        _part("day"),
        _("The day of the month of a date."),
        "day(start_date)",
    ),
    Function(
        "weekday",
        (sig(_DAY),),
        returns(NUMBER),
        _part("weekday"),
        _("The day of the week: 1 is Monday, 7 is Sunday."),
        "weekday(start_date) >= 6",
    ),
    Function(
        "start_of_month",
        (sig(_DAY),),
        returns(DATE),
        _start_of_month,
        _("The first day of the date's month."),
        "start_of_month(today())",
    ),
    Function(
        "end_of_month",
        (sig(_DAY),),
        returns(DATE),
        _end_of_month,
        _("The last day of the date's month."),
        "end_of_month(today())",
    ),
    Function(
        "is_workday",
        (sig(_DAY),),
        returns(BOOLEAN),
        _is_workday,
        _("True when the date is a working day on the work calendar."),
        "is_workday(start_date)",
    ),
    Function(
        "day_kind",
        (sig(_DAY),),
        returns(STRING),
        _day_kind,
        _(
            "The kind of day on the work calendar: 'workday', 'rest_day' (a weekend day that "
            "is not a make-up workday) or 'holiday' (a listed public holiday)."
        ),
        "day_kind(overtime_date)",
    ),
]
