"""``formflow worker``: fire flow timers, run scheduled automations, deliver the outbox.

Run as many workers as you like against one database: each job is claimed with a lease and
committed together with its "done" mark, so every timer fires exactly once (see
``services.flow_jobs``). ``--once`` does one pass and exits (cron, tests, a health check).
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from types import FrameType

import click

from formflow.commands.base import Context, pass_context, reports_errors
from formflow.services.worker import Worker, WorkerReport
from formflow.storage import migrate


def register(cli: click.Group) -> None:
    cli.add_command(worker)


def _summary(report: WorkerReport) -> str:
    return (
        f"timers fired: {report.timers}, automations run: {report.automations}, "
        f"sent: {report.sent}, retried: {report.retried}, failed: {report.failed}, "
        f"errors: {len(report.errors)}"
    )


@dataclass
class WorkerThread:
    """A worker running in a thread of this process; :meth:`stop` ends it."""

    thread: threading.Thread
    stopping: threading.Event

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.thread.join(timeout)


def start_in_thread(ctx: Context, interval: float = 2.0) -> WorkerThread:
    """Run a worker in a daemon thread of this process (``serve --demo``)."""
    stopping = threading.Event()
    runner = Worker(ctx.database, ctx.settings)
    thread = threading.Thread(
        target=runner.run_forever,
        kwargs={"interval": interval, "stop": stopping},
        name="formflow-worker",
        daemon=True,
    )
    thread.start()
    return WorkerThread(thread, stopping)


@click.command()
@click.option("--once", is_flag=True, help="Do one pass over every job, print what it did, exit.")
@click.option(
    "--interval",
    default=2.0,
    show_default=True,
    type=click.FloatRange(min=0.1, max=3600),
    help="Seconds to wait when there was nothing to do.",
)
@pass_context
@reports_errors
def worker(ctx: Context, once: bool, interval: float) -> None:
    """Fire due flow timers, run scheduled automations and send e-mails and webhooks."""
    if not migrate.is_up_to_date(ctx.database):
        raise click.ClickException(
            "the database schema is not up to date: run `formflow db upgrade` first"
        )
    runner = Worker(ctx.database, ctx.settings)
    if once:
        try:
            report = runner.run_once()
        finally:
            ctx.database.dispose()
        click.echo(_summary(report))
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
        if report.errors:
            raise SystemExit(1)
        return
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(f"Formflow worker on {ctx.database.dialect}; stop with Ctrl+C.")
    try:
        runner.run_forever(interval=interval, stop=stop)
    finally:
        ctx.database.dispose()
    click.echo("worker stopped")
