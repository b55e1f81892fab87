"""``inbox_open_tasks``: one user's inbox while the system holds many open tasks.

Set-up (not timed): a pool of users, one request submitted through the services so a real
instance waits at its first step, then that instance's rows copied — a record, an instance
and one open task each — until the system holds the asked number of open tasks spread evenly
over the pool (about 100 per user). Copies go straight into the tables with batched
``executemany``, like the list benchmark's records.

Ours is :func:`formflow.services.inbox.list_inbox` (my open tasks, newest first, a page of
50, with the flow, step and record each task belongs to); the baseline is the same joins and
page written by hand in SQLAlchemy Core. Judged in absolute time: under 20 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, insert, select

from formflow.bench.flow_world import FlowWorld
from formflow.bench.loading import BATCH, Progress
from formflow.bench.results import BenchResult
from formflow.bench.timing import TimingPlan, measure
from formflow.bench.workload import order_document
from formflow.errors import BenchmarkFailed
from formflow.i18n import _
from formflow.services import auth, org
from formflow.services.actor import SYSTEM, Actor
from formflow.services.inbox import list_inbox
from formflow.services.records import create_record
from formflow.storage.db import Database
from formflow.storage.models import FlowDefinition, FlowInstance, FlowTask, Form, Record

#: Open tasks in the system for the inbox figure (issue 3), unless --records is smaller.
OPEN_TASKS = 100_000
TASKS_PER_USER = 100
MAX_USERS = 1_000
PAGE = 50
LIMIT_SECONDS = 0.02


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


@dataclass(frozen=True)
class Inbox:
    """The user whose inbox is timed, and how many open tasks the system holds."""

    user: Actor
    open_tasks: int


def _pool(database: Database, world: FlowWorld, count: int) -> list[Actor]:
    department = world.initiator.department_id
    with database.session(write=True) as session:
        users = [
            org.create_user(session, SYSTEM, username=f"bench.user{n}", department_id=department)
            for n in range(count)
        ]
        return [auth.actor_for(session, user) for user in users]


def _reference(database: Database, world: FlowWorld) -> tuple[dict[str, Any], ...]:
    """A request waiting at its first step: its record, instance and open task, as rows."""
    document = order_document(0, buyer=world.initiator.id or 1)
    with database.session(write=True) as session:
        record_id = create_record(session, world.initiator, world.form.key, document).record.id
    with database.engine.connect() as connection:
        rows = []
        for model, column in (
            (Record, _table(Record).c.id),
            (FlowInstance, _table(FlowInstance).c.record_id),
            (FlowTask, _table(FlowTask).c.record_id),
        ):
            row = connection.execute(select(_table(model)).where(column == record_id)).one()
            rows.append(dict(row._mapping))
    return tuple(rows)


def _first_ids(connection: Any, count: int) -> Iterator[int]:
    for model in (Record, FlowInstance, FlowTask):
        top = connection.execute(select(func.max(_table(model).c.id))).scalar() or 0
        yield int(top) + 1


def _load(
    database: Database, world: FlowWorld, pool: list[Actor], count: int, progress: Progress
) -> None:
    record_row, instance_row, task_row = _reference(database, world)
    documents = [order_document(seed, buyer=world.initiator.id or 1) for seed in range(100)]
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        with database.engine.begin() as connection:
            record_id, instance_id, task_id = _first_ids(connection, size)
            records, instances, tasks = [], [], []
            for n in range(size):
                document = documents[(done + n) % len(documents)]
                records.append(
                    {
                        **record_row,
                        "id": record_id + n,
                        "data": document,
                        "label": document["title"],
                    }
                )
                instances.append(
                    {**instance_row, "id": instance_id + n, "record_id": record_id + n}
                )
                tasks.append(
                    {
                        **task_row,
                        "id": task_id + n,
                        "instance_id": instance_id + n,
                        "record_id": record_id + n,
                        "assignee_id": pool[(done + n) % len(pool)].id,
                    }
                )
            connection.execute(insert(_table(Record)), records)
            connection.execute(insert(_table(FlowInstance)), instances)
            connection.execute(insert(_table(FlowTask)), tasks)
        done += size
        if done % (BATCH * 5) == 0 or done == count:
            progress(_("created {count} of {total} open tasks", count=done, total=count))
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if database.is_sqlite:
            connection.exec_driver_sql("ANALYZE")
            return
        for name in ("records", "flow_instances", "flow_tasks"):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - fixed names
                f"(SELECT max(id) FROM {name}))"
            )
            connection.exec_driver_sql(f"VACUUM ANALYZE {name}")


def service_inbox(database: Database, user: Actor) -> Callable[[], tuple[int, ...]]:
    def run() -> tuple[int, ...]:
        with database.session() as session:
            page = list_inbox(session, user, view="open", limit=PAGE)
        return tuple(int(item["task"]["id"]) for item in page.items)

    return run


def plain_inbox(database: Database, user: Actor) -> Callable[[], tuple[int, ...]]:
    tasks, instances = _table(FlowTask), _table(FlowInstance)
    records, forms, flows = _table(Record), _table(Form), _table(FlowDefinition)
    query = (
        select(
            tasks,
            instances.c.status,
            instances.c.flow_version_id,
            instances.c.initiator_id,
            flows.c.key,
            records.c.label,
            records.c.status,
            forms.c.key,
        )
        .join(instances, instances.c.id == tasks.c.instance_id)
        .join(flows, flows.c.id == instances.c.flow_id)
        .join(records, records.c.id == tasks.c.record_id)
        .join(forms, forms.c.id == tasks.c.form_id)
        .where(tasks.c.assignee_id == user.id, tasks.c.status == "open")
        .order_by(tasks.c.id.desc())
        .limit(PAGE + 1)
    )

    def run() -> tuple[int, ...]:
        with database.engine.connect() as connection:
            rows = connection.execute(query).all()
        return tuple(int(row.id) for row in rows[:PAGE])

    return run


def prepare_inbox(
    database: Database, world: FlowWorld, open_tasks: int, progress: Progress
) -> Inbox:
    """Fill the system with ``open_tasks`` open tasks; returns the user to time."""
    users = max(1, min(MAX_USERS, open_tasks // TASKS_PER_USER))
    pool = _pool(database, world, users)
    _load(database, world, pool, open_tasks, progress)
    return Inbox(user=pool[0], open_tasks=open_tasks)


def run_inbox(database: Database, inbox: Inbox, plan: TimingPlan) -> BenchResult:
    ours, theirs = service_inbox(database, inbox.user), plain_inbox(database, inbox.user)
    if ours() != theirs() or not ours():
        raise BenchmarkFailed(
            _(
                "The inbox and the hand-written query return different tasks for "
                "{user}, so their speeds cannot be compared; check the inbox service.",
                user=inbox.user.username,
            )
        )
    return BenchResult(
        name="inbox_open_tasks",
        unit="s/page",
        ours=measure(ours, plan),
        baseline=measure(theirs, plan),
        note=_(
            "list_inbox (my open tasks, newest first, page of {page}) vs the same joins "
            "written by hand",
            page=PAGE,
        ),
        limit=LIMIT_SECONDS,
        params={"open_tasks": inbox.open_tasks},
    )
