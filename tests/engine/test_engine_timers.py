"""Timeouts: remind (repeating), escalate, auto-approve/reject, working days, after a return."""

from __future__ import annotations

from datetime import date, datetime

from flowkit import NOW, Driver, kinds

from formflow.engine import ScheduleTimer, TimerFired
from formflow.workcalendar import WorkCalendar


def one(timeout: str) -> str:
    return "flow f on expense_claim { step a { approve by user(lisi) " + timeout + " } }"


def timers(effects: list[object]) -> list[ScheduleTimer]:
    return [e for e in effects if isinstance(e, ScheduleTimer)]


def test_a_reminder_notifies_the_people_asked_and_repeats() -> None:
    run = Driver(one("after 48h remind every 24h"))
    first = timers(run.start())[0]
    assert datetime.fromisoformat(first.at) == datetime(2026, 3, 4, 9, 0, tzinfo=NOW.tzinfo)
    run.later(hours=48)
    effects = run.send(TimerFired(first.key))
    notes = [(e.kind, e.reason) for e in effects if e.kind == "notify"]  # type: ignore[attr-defined]
    assert notes == [("notify", "remind")]
    again = timers(effects)
    assert len(again) == 1
    assert again[0].key != first.key


def test_firing_a_timer_twice_changes_nothing_the_second_time() -> None:
    run = Driver(one("after 1h remind"))
    key = timers(run.start())[0].key
    run.send(TimerFired(key))
    state = run.state
    assert run.send(TimerFired(key)) == []
    assert run.state is not None and state is not None
    assert run.state.to_dict() == state.to_dict()


def test_escalation_hands_open_tasks_to_the_named_people() -> None:
    run = Driver(one("after 2d escalate to role(cfo)"))
    key = timers(run.start())[0].key
    run.send(TimerFired(key))
    assert run.open() == [("a", "zhaoliu")]


def test_auto_approve_and_auto_reject_after_the_time_is_up() -> None:
    approve = Driver(one("after 1h auto approve"))
    approve.send(TimerFired(timers(approve.start())[0].key))
    assert approve.status == "approved"
    reject = Driver(one("after 1h auto reject"))
    reject.send(TimerFired(timers(reject.start())[0].key))
    assert reject.status == "rejected"


def test_working_day_timeouts_skip_weekends_and_holidays_and_count_make_up_days() -> None:
    calendar = WorkCalendar.from_days(
        "cn", [(date(2026, 3, 3), False), (date(2026, 3, 7), True)]
    )  # Tuesday off, Saturday worked
    run = Driver(
        one("after 3 workdays remind"),
        calendar=calendar,
    )
    first = timers(run.start())[0]
    # Monday 09:00 + 3 working days: Wed 4, Thu 5, Fri 6 -> Friday 09:00
    assert datetime.fromisoformat(first.at).date() == date(2026, 3, 6)


def test_a_step_that_reruns_after_a_return_starts_its_timeouts_again() -> None:
    run = Driver("""
flow f on expense_claim {
  step a { approve by user(lisi) after 24h remind }
  step b { approve by user(zhaoliu) }
}""")
    first = timers(run.start())[0]
    effects = run.act("lisi")
    assert "cancel_timer" in kinds(effects)
    run.later(hours=30)
    effects = run.act("zhaoliu", "return", target="a")
    again = timers(effects)[0]
    assert again.key != first.key
    assert datetime.fromisoformat(again.at) == datetime.fromisoformat(run.now.isoformat()).replace(
        day=run.now.day + 1
    )
    assert run.send(TimerFired(first.key)) == []  # the old timer is void
