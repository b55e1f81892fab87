"""``formflow bench``: measured speed, each figure beside a baseline measured in the same run.

The command never touches the installation's own database: it benchmarks a temporary SQLite
file, or a schema it creates (and drops) in the PostgreSQL database given with ``--database``.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from formflow.bench import (
    ALL,
    DEFAULT_RECORDS,
    BenchOptions,
    TimingPlan,
    run_benchmarks,
    suite_names,
)
from formflow.bench.timing import DEFAULT_REPEAT, MIN_LOOP_SECONDS
from formflow.commands.base import Context, pass_context, reports_errors
from formflow.i18n import Msg


def register(cli: click.Group) -> None:
    cli.add_command(bench)


@contextmanager
def _cleanup_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into an orderly exit, so the benchmark database is still removed."""

    def stop(signum: int, _frame: object) -> None:
        sys.exit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (an embedding test runner): nothing to do
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command("bench")
@click.argument("suite", type=click.Choice([*suite_names(), ALL]), default=ALL, required=False)
@click.option(
    "--records",
    type=click.IntRange(min=100),
    default=DEFAULT_RECORDS,
    show_default=True,
    help="Records in the store for the list benchmarks.",
)
@click.option(
    "--database",
    "database_url",
    help="postgresql://... to benchmark PostgreSQL in a new schema that is dropped "
    "afterwards (default: a temporary SQLite file). Never the installation's database.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--repeat",
    type=click.IntRange(min=1),
    default=DEFAULT_REPEAT,
    show_default=True,
    help="Timed repeats per figure; the best one counts.",
)
@click.option(
    "--min-time",
    type=click.FloatRange(min=0.001),
    default=MIN_LOOP_SECONDS,
    show_default=True,
    help="Seconds each timed loop lasts at least.",
)
@pass_context
@reports_errors
def bench(
    ctx: Context,
    suite: str,
    records: int,
    database_url: str | None,
    as_json: bool,
    repeat: int,
    min_time: float,
) -> None:
    """Measure SUITE (core, flow, reports or all) against plain baselines.

    Prints, for each figure, seconds per operation for Formflow ("ours") and for the plain
    library or hand-written SQL doing the same work ("baseline"), and their ratio.
    Progress goes to stderr, so --json output can be piped.
    """
    locale = ctx.locale

    def progress(message: Msg) -> None:
        click.echo(message.render(locale), err=True)

    options = BenchOptions(
        records=records,
        database_url=database_url,
        plan=TimingPlan(repeat=repeat, min_time=min_time),
        progress=progress,
    )
    with _cleanup_on_sigterm():
        report = run_benchmarks(suite, options)
    if as_json:
        click.echo(json.dumps(report.to_json(locale), indent=2, ensure_ascii=False))
    else:
        click.echo(report.render_table(locale))
    for item in report.unavailable:
        click.echo(f"{item.suite}: {item.reason.render(locale)}", err=True)
