"""The worker's flow jobs: fire due timers, run due automation schedules.

Both follow the same pattern, which makes any number of workers fire each job exactly once,
even when one dies mid-job:

1. **claim** a batch of due rows with a lease (``storage.claims.claim``: ``FOR UPDATE SKIP
   LOCKED`` on PostgreSQL, one writer at a time on SQLite) in a short transaction;
2. per row, in **its own transaction**: lock the row again, re-check that it is still due and
   not done, carry out the job, mark it done — one commit for the effect and the mark.

A worker that dies before its commit leaves nothing; its lease runs out and another worker
claims the row again. A worker that claimed a row another one already finished finds it done
under the lock and skips it. Rows whose job keeps failing are retried up to
:data:`MAX_ATTEMPTS` times, with the last error kept for the admin.

Timers lock the instance before the timer row, the same order task actions use, so workers
and people acting at the same moment queue instead of deadlocking.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.engine import TimerFired
from formflow.services import automations
from formflow.services import flows as _flows  # noqa: F401 - registers the record hooks
from formflow.services.flow_context import environment, flow_environment
from formflow.services.flow_runtime import dispatch
from formflow.storage.claims import claim, lock_row
from formflow.storage.models import AutomationSchedule, FlowInstance, FlowTimer, Record

if TYPE_CHECKING:
    from formflow.services.worker import Worker, WorkerReport

log = logging.getLogger("formflow.worker")

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5


def fire_timer(session: Session, timer_id: int) -> bool:
    """Fire one timer in the caller's transaction; False when there was nothing to do."""
    instance_id = session.scalar(select(FlowTimer.instance_id).where(FlowTimer.id == timer_id))
    if instance_id is None:
        return False
    instance = lock_row(session, FlowInstance, instance_id)
    timer = lock_row(session, FlowTimer, timer_id)
    if timer is None or timer.fired_at is not None:
        return False
    now = environment().clock()
    timer.claimed_until = None
    if instance is None or timer.timer_key not in (instance.state.get("timers") or {}):
        timer.fired_at = now  # cancelled or already handled: firing it is a no-op
        return False
    record = lock_row(session, Record, instance.record_id)
    dispatch(
        session,
        instance,
        record,
        TimerFired(timer.timer_key),
        actor_id=None,
        action="timeout",
        comment=str((timer.payload or {}).get("action") or "") or None,
        now=now,
    )
    timer.fired_at = now
    session.flush()
    return True


def _claim(worker: Worker, model: Any, done: Any) -> list[int]:
    with worker.database.session(write=True) as session:
        return claim(
            session,
            model,
            done_column=done,
            now=worker.clock(),
            lease=LEASE,
            limit=worker.batch,
            extra=model.attempts < MAX_ATTEMPTS,
        )


def _remember_error(worker: Worker, model: Any, row_id: int, error: Exception) -> None:
    with worker.database.session(write=True) as session:
        row = session.get(model, row_id)
        if row is not None:
            row.last_error = f"{type(error).__name__}: {error}"[:2000]


def fire_due_timers(worker: Worker, report: WorkerReport) -> None:
    """Fire every due flow timer (remind, escalate, auto approve/reject, skip)."""
    ids = _claim(worker, FlowTimer, FlowTimer.fired_at)
    with flow_environment(zone=worker.settings.default_timezone, clock=worker.clock):
        for timer_id in ids:
            try:
                with worker.database.session(write=True) as session:
                    if fire_timer(session, timer_id):
                        report.timers += 1
            except Exception as error:  # one broken timer must not stop the others
                log.exception("timer %s failed", timer_id)
                report.errors.append(f"timer {timer_id}: {error}")
                _remember_error(worker, FlowTimer, timer_id, error)


def run_due_automations(worker: Worker, report: WorkerReport) -> None:
    """Run every due automation schedule (daily, every N hours, N days before/after a date)."""
    ids = _claim(worker, AutomationSchedule, AutomationSchedule.done_at)
    with flow_environment(zone=worker.settings.default_timezone, clock=worker.clock):
        for schedule_id in ids:
            try:
                with worker.database.session(write=True) as session:
                    if automations.run_schedule(session, schedule_id, worker.clock()):
                        report.automations += 1
            except Exception as error:  # one broken automation must not stop the others
                log.exception("automation schedule %s failed", schedule_id)
                report.errors.append(f"automation schedule {schedule_id}: {error}")
                _remember_error(worker, AutomationSchedule, schedule_id, error)
