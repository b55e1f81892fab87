"""``list_filtered_indexed`` (and, for information, ``list_filtered_json_scan``).

The question: how close does a filtered list over the JSON ``records`` table come to the same
query on a plain table with native, typed, indexed columns? Both answer "``amount > 99000``
(about 1% of the records), newest first, the first page of 50 plus the total count".

* Ours: :func:`formflow.services.record_lists.list_records` in a read-only unit of work, as
  the API calls it (the form, its grants, the filter compiled to SQL, the count, the page,
  and the ORM objects of the page).
* Baseline: the same two statements written by hand with SQLAlchemy Core against
  ``bench_native_orders`` (``count(*)``, then ``ORDER BY id DESC LIMIT 51`` — ours also asks
  for one row more than the page to know whether another page follows), rows fetched.

Before timing, both must return the same total and the same page of ids. The json scan figure
then drops the indexes over the form's value slots and times ours again against the same
baseline: what a filter on a field without an index costs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, select

from formflow.bench.loading import Progress, load
from formflow.bench.results import BenchResult
from formflow.bench.seed import BenchForm, BenchWorld
from formflow.bench.timing import TimingPlan, measure, measure_pair
from formflow.bench.workload import SELECTIVE_AMOUNT
from formflow.errors import BenchmarkFailed
from formflow.i18n import Msg, _
from formflow.services.record_lists import list_records
from formflow.storage.db import Database
from formflow.storage.json_fields import FieldKind, ensure_field_index
from formflow.storage.value_slots import ensure_slot_indexes

PAGE = 50
FILTER = f"amount > {SELECTIVE_AMOUNT}"
TARGET_RATIO = 1.5
#: Repeats for the unindexed scan (each takes up to seconds over a million records).
SCAN_REPEAT = 3


@dataclass(frozen=True)
class Page:
    """What a list call returned: the total and the ids of the page, for comparison."""

    total: int
    ids: tuple[int, ...]


def service_list(database: Database, world: BenchWorld, form: BenchForm) -> Callable[[], Page]:
    def run() -> Page:
        with database.session() as session:
            page = list_records(
                session, world.actor, form.key, filter_text=FILTER, sort="-id", limit=PAGE
            )
            return Page(page.total or 0, tuple(record.id for record in page.items))

    return run


def native_list(database: Database, table: Table) -> Callable[[], Page]:
    threshold: Any = float(SELECTIVE_AMOUNT) if database.is_sqlite else Decimal(SELECTIVE_AMOUNT)
    count = select(func.count()).select_from(table).where(table.c.amount > threshold)
    page = (
        select(table).where(table.c.amount > threshold).order_by(table.c.id.desc()).limit(PAGE + 1)
    )

    def run() -> Page:
        with database.engine.connect() as connection:
            total = connection.execute(count).scalar_one()
            rows = connection.execute(page).all()
        return Page(int(total), tuple(row.id for row in rows[:PAGE]))

    return run


def _analyse(database: Database, table: Table) -> None:
    """Fresh planner statistics for both tables, as a live database has them."""
    if database.is_sqlite:
        with database.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        return
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE records")
        connection.exec_driver_sql(f"VACUUM ANALYZE {table.name}")


def _index(database: Database, form: BenchForm, *, drop: bool) -> list[str]:
    """Build (or build and drop) the indexes of ``amount`` as publishing made them: the
    indexes of the form's value slots where it has them, else the expression index."""
    with database.session(write=True) as session:
        names = ensure_slot_indexes(session, form.form_id) or [
            ensure_field_index(session, form.form_id, "amount", FieldKind.NUMBER)
        ]
        if drop:
            for name in names:
                session.connection().exec_driver_sql(f"DROP INDEX {name}")
    return names


def _same(ours: Page, theirs: Page, what: Msg) -> None:
    if ours != theirs:
        raise BenchmarkFailed(
            _(
                "The list {what} and the plain table disagree (totals {ours} and {theirs}), "
                "so their speeds cannot be compared. This is a bug in the record list or in "
                "the benchmark's set-up; please report it with this message.",
                what=what,
                ours=ours.total,
                theirs=theirs.total,
            )
        )


def run_listing(
    database: Database,
    world: BenchWorld,
    form: BenchForm,
    records: int,
    plan: TimingPlan,
    progress: Progress,
) -> list[BenchResult]:
    """Load ``records`` records, then time the indexed list and the unindexed scan."""
    _index(database, form, drop=True)  # built after the load, like the plain table's
    table = load(database, world, form, records, progress)
    progress(_("building the indexes"))
    _index(database, form, drop=False)
    _analyse(database, table)
    ours, theirs = service_list(database, world, form), native_list(database, table)
    _same(ours(), theirs(), _("with the field's index"))
    progress(_("timing the filtered list"))
    # In turns: after a load of a million rows the database's background work (autovacuum,
    # checkpoints) comes in spells, and each spell must cost both sides, not one.
    ours_seconds, theirs_seconds = measure_pair(ours, theirs, plan)
    indexed = BenchResult(
        name="list_filtered_indexed",
        unit="s/list",
        ours=ours_seconds,
        baseline=theirs_seconds,
        note=_(
            "list_records with {filter} (about 1%), newest first, page of {page} plus the "
            "total, vs the same query on a plain table with typed, indexed columns",
            filter=FILTER,
            page=PAGE,
        ),
        target=TARGET_RATIO,
        params={"records": records},
    )
    _index(database, form, drop=True)
    _same(ours(), theirs(), _("without the field's index"))
    progress(_("timing the same list without the field's index"))
    light = plan.lighter(SCAN_REPEAT)
    scan = BenchResult(
        name="list_filtered_json_scan",
        unit="s/list",
        ours=measure(ours, light),
        baseline=measure(theirs, light),
        note=_(
            "for information: the same list with the field's index dropped, vs the indexed "
            "plain table"
        ),
        params={"records": records},
    )
    return [indexed, scan]
