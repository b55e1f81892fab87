"""The background worker: fires due flow timers and scheduled automations, and delivers the
outbox. ``formflow worker`` runs :meth:`Worker.run_forever`; ``serve --demo`` runs one in a
thread; tests call :meth:`Worker.run_once` with a fixed clock.

Any number of workers may run against one database: jobs are claimed with a lease
(storage.claims), and each job's effect commits together with its "done" mark.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from formflow.config import Settings
from formflow.services import delivery
from formflow.services.flow_jobs import fire_due_timers, run_due_automations
from formflow.storage.claims import claim, lock_row
from formflow.storage.db import Database
from formflow.storage.models import OutboxMessage
from formflow.storage.types import utcnow

log = logging.getLogger("formflow.worker")

LEASE = timedelta(minutes=5)
Clock = Callable[[], datetime]


@dataclass
class WorkerReport:
    """What one pass did, for logs and tests."""

    timers: int = 0
    automations: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return bool(self.timers or self.automations or self.sent or self.retried or self.failed)


#: A job kind: given the worker and the report of the current pass, do one batch.
Job = Callable[["Worker", WorkerReport], None]


@dataclass
class Worker:
    database: Database
    settings: Settings
    mailer: delivery.Mailer | None = None
    clock: Clock = utcnow
    batch: int = 20
    jobs: list[Job] = field(default_factory=list)
    statistics_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.mailer is None:
            self.mailer = delivery.SmtpMailer(self.settings)
        if not self.jobs:
            self.jobs = list(DEFAULT_JOBS)

    def run_once(self) -> WorkerReport:
        """One pass over every job kind."""
        report = WorkerReport()
        for job in self.jobs:
            try:
                job(self, report)
            except Exception as exc:  # one broken job kind must not stop the others
                log.exception("worker job %s failed", getattr(job, "__name__", job))
                report.errors.append(f"{getattr(job, '__name__', job)}: {exc}")
        return report

    def run_forever(self, interval: float = 2.0, stop: threading.Event | None = None) -> None:
        """Loop until ``stop`` is set; sleeps ``interval`` seconds when there was nothing to do."""
        stop = stop or threading.Event()
        while not stop.is_set():
            report = self.run_once()
            if not report.busy:
                stop.wait(interval)


def deliver_outbox(worker: Worker, report: WorkerReport) -> None:
    """Send due e-mails and webhooks; retry with backoff; give up after MAX_ATTEMPTS."""
    now = worker.clock()
    with worker.database.session(write=True) as session:
        ids = claim(
            session,
            OutboxMessage,
            done_column=OutboxMessage.sent_at,
            now=now,
            lease=LEASE,
            limit=worker.batch,
            extra=OutboxMessage.failed_at.is_(None),
        )
    for message_id in ids:
        with worker.database.session() as session:
            message = session.get(OutboxMessage, message_id)
            if message is None:
                continue
            kind, payload = message.kind, dict(message.payload)
        error = None
        try:
            _send(worker, kind, payload, message_id)
        except delivery.DeliveryError as exc:
            error = str(exc)
        with worker.database.session(write=True) as session:
            message = lock_row(session, OutboxMessage, message_id)
            if message is None or message.sent_at is not None:
                continue
            delivery.settle(session, message, worker.clock(), error)
            if error is None:
                report.sent += 1
            elif message.failed_at is not None:
                report.failed += 1
            else:
                report.retried += 1


def _send(worker: Worker, kind: str, payload: dict[str, object], message_id: int) -> None:
    if kind == "email":
        assert worker.mailer is not None
        worker.mailer.send(delivery.build_email(worker.settings, payload))
    elif kind == "webhook":
        from formflow.services.webhooks import deliver  # noqa: PLC0415 - optional area

        deliver(worker.database, worker.settings, payload, f"outbox-{message_id}")
    else:
        raise delivery.DeliveryError(f"unknown message kind {kind}")


STATISTICS_EVERY = timedelta(hours=1)


def refresh_statistics(worker: Worker, report: WorkerReport) -> None:
    """Keep the planner's statistics current (hourly; see ``Database.refresh_statistics``)."""
    now = worker.clock()
    if worker.statistics_at is not None and now - worker.statistics_at < STATISTICS_EVERY:
        return
    worker.statistics_at = now
    worker.database.refresh_statistics()


DEFAULT_JOBS: list[Job] = [
    fire_due_timers,
    run_due_automations,
    deliver_outbox,
    refresh_statistics,
]
