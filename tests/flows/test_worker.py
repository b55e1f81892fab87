"""The worker fires flow timers exactly once, in the org's time zone and calendar, and a
timer whose effect fails leaves nothing behind."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

from formflow.cli import cli
from formflow.commands.base import Context
from formflow.commands.worker import start_in_thread
from formflow.config import Settings
from formflow.services import org
from formflow.services.actor import SYSTEM
from formflow.services.flow_context import flow_environment
from formflow.services.flow_jobs import LEASE
from formflow.services.worker import Worker
from formflow.storage.claims import claim
from formflow.storage.models import FlowTimer, Notice

REMIND = """
flow remind_claim on expense {
  step manager { approve by manager(initiator) after 24h remind every 24h }
  step boss { approve by user(wang) }
}
"""
AUTO = """
flow auto_claim on expense {
  step manager { approve by manager(initiator) after 2d auto approve }
  step boss { approve by user(wang) after 3 workdays auto approve }
}
"""


def _clock(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _notices(world: Any, username: str, kind: str) -> int:
    with world.database.session() as session:
        return int(
            session.scalar(
                select(func.count(Notice.id)).where(
                    Notice.user_id == world.ids[username], Notice.kind == kind
                )
            )
            or 0
        )


def _timers(world: Any) -> list[tuple[str, datetime, datetime | None]]:
    with world.database.session() as session:
        rows = session.scalars(select(FlowTimer).order_by(FlowTimer.id))
        return [(row.timer_key, row.due_at, row.fired_at) for row in rows]


def test_two_workers_racing_fire_each_due_timer_exactly_once(
    world: Any, settings: Settings, run_threads: Any
) -> None:
    world.publish(REMIND)
    started = datetime.now(UTC)
    records = [world.submit("zhang", {"title": f"T{n}", "amount": 1})["id"] for n in range(4)]
    later = _clock(started + timedelta(hours=25))
    workers = [Worker(world.database, settings, clock=later) for _ in range(2)]
    reports = run_threads(*(worker.run_once for worker in workers))
    assert all(not report.errors for report in reports), reports
    assert sum(report.timers for report in reports) == len(records)
    assert _notices(world, "li", "flow:remind") == len(records)
    for worker in workers:  # nothing is left to fire at that moment
        assert worker.run_once().timers == 0
    timers = _timers(world)
    assert sum(1 for _key, _due, fired in timers if fired is not None) == len(records)
    # each reminder scheduled its repeat, 24 hours later
    assert sum(1 for key, _due, fired in timers if fired is None and key.endswith(".1")) == 4
    history = world.instance_of(records[0])["history"]
    assert [h["action"] for h in history].count("timeout_remind") == 1


def test_an_auto_approval_fires_once_and_moves_the_request_on(
    world: Any, settings: Settings
) -> None:
    world.publish(AUTO)
    record = world.submit("zhang", {"title": "Trip", "amount": 1})
    started = datetime.now(UTC)
    early = Worker(world.database, settings, clock=_clock(started + timedelta(days=1)))
    assert early.run_once().timers == 0
    assert world.task_of("li", record["id"])
    due = Worker(world.database, settings, clock=_clock(started + timedelta(days=2, minutes=1)))
    assert due.run_once().timers == 1
    assert world.open_tasks("li") == []
    assert world.task_of("wang", record["id"])
    assert ("auto_approved", "manager") in [
        (t["task"]["outcome"], t["task"]["step"])
        for t in world["li"].get("/api/tasks?view=done").payload["items"]
    ]
    assert due.run_once().timers == 0
    assert world.admin.get(f"/api/records/{record['id']}/history").payload[-1]["action"] == (
        "flow:timeout"
    )


def test_working_day_timeouts_count_in_the_org_time_zone_and_calendar(
    world: Any, settings: Settings
) -> None:
    world.publish(AUTO)
    with world.database.session(write=True) as session:
        org.set_calendar_days(session, SYSTEM, "default", [(date(2026, 3, 9), False, "假日")])
    # Saturday 07:00 in Shanghai is still Friday 23:00 in UTC
    saturday = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)
    with flow_environment(clock=_clock(saturday)):
        record = world.submit("zhang", {"title": "Trip", "amount": 1})
        task = world.task_of("li", record["id"])
        world.act("li", task, "approve")
    boss = world["wang"].get(f"/api/tasks/{world.task_of('wang', record['id'])}").payload
    # Mon 9 March is a holiday: Tue, Wed, Thu; Thursday 07:00 Shanghai = Wed 23:00 UTC
    assert boss["task"]["due_at"] == "2026-03-11T23:00:00Z"
    before = Worker(
        world.database, settings, clock=_clock(datetime(2026, 3, 11, 22, 59, tzinfo=UTC))
    )
    assert before.run_once().timers == 0
    on_time = Worker(
        world.database, settings, clock=_clock(datetime(2026, 3, 11, 23, 0, tzinfo=UTC))
    )
    assert on_time.run_once().timers == 1
    assert world.record(record["id"])["status"] == "approved"


def test_a_step_that_runs_again_after_a_return_gets_fresh_timers(
    world: Any, settings: Settings
) -> None:
    world.publish(AUTO)
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    with flow_environment(clock=_clock(start)):
        record = world.submit("zhang", {"title": "Trip", "amount": 1})
        world.act("li", world.task_of("li", record["id"]), "approve")
    back_at = start + timedelta(days=1)
    with flow_environment(clock=_clock(back_at)):
        back = world.act(
            "wang", world.task_of("wang", record["id"]), "return", {"target": "manager"}
        )
        assert back.status_code == 200, back.payload
    live = [(key, due) for key, due, fired in _timers(world) if fired is None]
    # the boss's timer is gone; the manager's new timer counts from the return
    assert live == [(live[0][0], back_at + timedelta(days=2))]
    stale = Worker(world.database, settings, clock=_clock(start + timedelta(days=2, hours=1)))
    assert stale.run_once().timers == 0
    assert world.task_of("li", record["id"])
    fresh = Worker(world.database, settings, clock=_clock(back_at + timedelta(days=2)))
    assert fresh.run_once().timers == 1
    assert world.task_of("wang", record["id"])


def test_a_timer_whose_effect_fails_is_rolled_back_and_kept_for_a_retry(
    world: Any, settings: Settings
) -> None:
    world.publish(
        """
        flow failing on expense {
          step manager {
            approve by manager(initiator)
            after 1h auto approve
            then create payment { amount: amount, payee: initiator, memo: title }
          }
        }
        """
    )
    record = world.submit("zhang", {"title": "Far too long a memo", "amount": 1})
    worker = Worker(world.database, settings, clock=_clock(datetime.now(UTC) + timedelta(hours=2)))
    report = worker.run_once()
    assert report.timers == 0 and len(report.errors) == 1
    assert world.record(record["id"])["status"] == "in_progress"
    assert world.task_of("li", record["id"])
    assert world.admin.get("/api/forms/payment/records").payload["total"] == 0
    with world.database.session() as session:
        timer = session.scalars(select(FlowTimer)).one()
        assert timer.fired_at is None and timer.attempts == 1
        assert "payment" in (timer.last_error or "")


def test_formflow_worker_once_fires_what_is_due(world: Any, settings: Settings) -> None:
    world.publish(AUTO)
    with flow_environment(clock=_clock(datetime.now(UTC) - timedelta(days=3))):
        world.submit("zhang", {"title": "Old", "amount": 1})
    runner = CliRunner()
    url = world.database.url.render_as_string(hide_password=False)
    result = runner.invoke(
        cli,
        ["--database", url, "--instance", str(settings.instance_dir), "worker", "--once"],
    )
    assert result.exit_code == 0, result.output
    assert "timers fired: 1" in result.output
    assert world.open_tasks("li") == []


def test_a_timer_claimed_by_a_worker_that_died_fires_once_its_lease_runs_out(
    world: Any, settings: Settings
) -> None:
    world.publish(AUTO)
    record = world.submit("zhang", {"title": "Trip", "amount": 1})
    due = datetime.now(UTC) + timedelta(days=2, minutes=1)
    with world.database.session(write=True) as session:  # a worker claims, then dies
        claimed = claim(session, FlowTimer, done_column=FlowTimer.fired_at, now=due, lease=LEASE)
    assert len(claimed) == 1
    assert Worker(world.database, settings, clock=_clock(due)).run_once().timers == 0
    assert world.task_of("li", record["id"])
    after_lease = Worker(world.database, settings, clock=_clock(due + LEASE + timedelta(seconds=1)))
    assert after_lease.run_once().timers == 1
    assert world.task_of("wang", record["id"])


def test_the_worker_thread_of_serve_demo_fires_due_timers(world: Any, settings: Settings) -> None:
    world.publish(AUTO)
    with flow_environment(clock=_clock(datetime.now(UTC) - timedelta(days=3))):
        record = world.submit("zhang", {"title": "Old", "amount": 1})
    url = world.database.url.render_as_string(hide_password=False)
    ctx = Context(url, str(settings.instance_dir))
    running = start_in_thread(ctx, interval=0.05)
    try:
        deadline = time.monotonic() + 15
        while world.open_tasks("li") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        running.stop()
        ctx.database.dispose()
    assert not running.thread.is_alive()
    assert world.task_of("wang", record["id"])


def test_an_escalation_hands_the_open_task_to_the_person_named(
    world: Any, settings: Settings
) -> None:
    world.publish(
        """
        flow escalating on expense {
          step manager { approve by manager(initiator) after 4h escalate to user(wang) }
        }
        """
    )
    record = world.submit("zhang", {"title": "Trip", "amount": 1})
    first = world.task_of("li", record["id"])
    later = Worker(world.database, settings, clock=_clock(datetime.now(UTC) + timedelta(hours=5)))
    assert later.run_once().timers == 1
    assert world.open_tasks("li") == []
    assert world["li"].get(f"/api/tasks/{first}").payload["task"]["outcome"] == "escalated"
    assert _notices(world, "wang", "flow:escalated") == 1
    assert world.act("wang", world.task_of("wang", record["id"]), "approve").status_code == 200
    assert world.record(record["id"])["status"] == "approved"
