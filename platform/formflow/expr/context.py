"""What an evaluation may read besides the record: the :class:`EvalContext`.

The evaluator is pure: the date of "today", the work calendar, lookup tables, the org chart
(through a :class:`RefResolver`) and caller variables all come in through this object, so the
same expression gives the same result in a test, in the browser preview and in a flow.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from formflow.expr.typesystem import RefKind
from formflow.workcalendar import WorkCalendar

#: The organisation's default time zone (DESIGN.md: times shown in Asia/Shanghai).
DEFAULT_TIMEZONE = "Asia/Shanghai"


class RefResolver(Protocol):
    """Port to the org chart and the record store, used for ``applicant.department.name``.

    ``resolve`` returns the attributes of the referenced thing as stored JSON (ids for further
    references), or None when it does not exist. Users have the keys of
    ``formflow.expr.scope.USER_ATTRIBUTES``, departments those of ``DEPARTMENT_ATTRIBUTES``,
    records their form's data.
    """

    def resolve(self, kind: RefKind, ident: int, form: str | None) -> Mapping[str, Any] | None:
        """The attributes of user/department/record ``ident``."""
        ...


@dataclass(frozen=True)
class LookupTable:
    """A lookup table as data: rows of named columns (tax brackets, rates per city ...).

    ``key`` names the column ``lookup(table, key)`` matches; ``bound`` names the upper bound
    column ``bracket(value, table)`` compares against (rows are tried in ascending order of
    ``bound``; a row whose bound is null is the open-ended last bracket).
    """

    rows: Sequence[Mapping[str, Any]]
    key: str = "key"
    bound: str = "upto"


@functools.cache
def _zone(name: str) -> tzinfo:
    return UTC if name.upper() == "UTC" else ZoneInfo(name)


@dataclass(frozen=True)
class EvalContext:
    """Everything outside the record that an evaluation may depend on.

    ``today``/``now`` answer ``today()``/``now()``; ``calendar`` counts working days (a
    weekends-only calendar when None); ``tables`` feed ``bracket``/``lookup``; ``resolver``
    navigates references; ``variables`` give values to the scope's variables; ``settings``
    the values of installed packs' settings by ``"<pack>.<name>"`` (``setting('name')``);
    ``max_steps`` bounds the work one evaluation may do; ``timezone`` is where a date-time's
    calendar date is taken (``date(submitted_at)``, ``year(now())``).
    """

    today: date
    now: datetime
    calendar: WorkCalendar | None = None
    tables: Mapping[str, LookupTable] = field(default_factory=dict)
    resolver: RefResolver | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    max_steps: int = 10_000
    settings: Mapping[str, Any] = field(default_factory=dict)
    timezone: str = DEFAULT_TIMEZONE

    @classmethod
    def current(cls, timezone: str = DEFAULT_TIMEZONE, **kwargs: Any) -> EvalContext:
        """A context for this moment: ``now`` in UTC and ``today`` in ``timezone``."""
        now = datetime.now(UTC)
        return cls(
            today=now.astimezone(_zone(timezone)).date(),
            now=now,
            timezone=timezone,
            **kwargs,
        )

    @property
    def zone(self) -> tzinfo:
        """The ``tzinfo`` of :attr:`timezone`."""
        return _zone(self.timezone)

    @property
    def work_calendar(self) -> WorkCalendar:
        """The calendar for working-day functions (weekends only when none was given)."""
        return self.calendar if self.calendar is not None else _DEFAULT_CALENDAR

    def local_date(self, moment: datetime) -> date:
        """The calendar date of an aware date-time in this context's time zone."""
        return moment.astimezone(self.zone).date()


_DEFAULT_CALENDAR = WorkCalendar()
