"""The storage floor under the two write figures: the same statements, with no logic at all.

``record_create`` and ``flow_approve_twice`` compare our services with one raw insert. What
part of the gap is the database work the feature needs, and what part is ours? A floor
answers it: it sends the statements our code sends for the same work — in the same
transactions, in the same order, writing the same rows — as prepared SQLAlchemy Core
statements whose values are all known beforehand. No validation, formulas, authorization,
engine or ORM; only what the database must be told. Anything built on this storage pays at
least that, so the floor bounds what any optimisation of our code can reach.

The rows are taken from a request our code made (:func:`written_rows`), so they are the real
documents, audit lines, notices and engine state. ``tests/perf/test_storage_floor.py`` checks
that each floor sends the statements of the code it stands under (kind and table, in order);
a change of the write path that adds, removes or reorders one shows up there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection, Engine

from formflow.bench.results import BenchResult
from formflow.bench.timing import TimingPlan, measure_pair
from formflow.errors import BenchmarkFailed
from formflow.i18n import _
from formflow.storage.db import Database
from formflow.storage.models import (
    FlowInstance,
    FlowTask,
    Notice,
    Record,
    RecordAudit,
    RecordParticipant,
    Stamp,
)

_RECORDS: Table = Record.__table__  # type: ignore[assignment]
_AUDIT: Table = RecordAudit.__table__  # type: ignore[assignment]
_PARTICIPANTS: Table = RecordParticipant.__table__  # type: ignore[assignment]
_INSTANCES: Table = FlowInstance.__table__  # type: ignore[assignment]
_TASKS: Table = FlowTask.__table__  # type: ignore[assignment]
_NOTICES: Table = Notice.__table__  # type: ignore[assignment]

_READ_STAMPS = select(Stamp.__table__)
_INSERT_RECORD = insert(_RECORDS).returning(_RECORDS.c.id)
_INSERT_INSTANCE = insert(_INSTANCES).returning(_INSTANCES.c.id)
_INSERT_TASK = insert(_TASKS).returning(_TASKS.c.id)
_INSERT_AUDIT = insert(_AUDIT)
_INSERT_PARTICIPANT = insert(_PARTICIPANTS)
_INSERT_NOTICE = insert(_NOTICES)
_OPEN_TASK = select(_TASKS.c.id).where(
    _TASKS.c.record_id == bindparam("record"),
    _TASKS.c.assignee_id == bindparam("assignee"),
    _TASKS.c.status == "open",
)
_LOCK_INSTANCE = select(_INSTANCES).where(_INSTANCES.c.id == bindparam("id")).with_for_update()
_LOCK_RECORD = select(_RECORDS).where(_RECORDS.c.id == bindparam("id")).with_for_update()
_INSTANCE_TASKS = select(_TASKS).where(_TASKS.c.instance_id == bindparam("instance"))
_UPDATE_RECORD = (
    update(_RECORDS)
    .where(_RECORDS.c.id == bindparam("key"), _RECORDS.c.version == bindparam("seen"))
    .values(status=bindparam("status"), version=bindparam("next"))
)
_UPDATE_INSTANCE = (
    update(_INSTANCES)
    .where(_INSTANCES.c.id == bindparam("key"), _INSTANCES.c.version == bindparam("seen"))
    .values(
        status=bindparam("status"),
        state=bindparam("state"),
        ended_at=bindparam("ended"),
        updated_at=bindparam("updated"),
        version=bindparam("next"),
    )
)
_FINISH_TASK = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("key"))
    .values(
        status=bindparam("status"),
        outcome=bindparam("outcome"),
        completed_at=bindparam("completed"),
    )
)
#: Rows one request through two approvals writes, per table (see :func:`request_floor`).
REQUEST_SHAPE = {"audit": 6, "participants": 3, "notices": 3, "tasks": 2}
#: Rows creating a record of a form without a flow writes (see :func:`create_floor`).
CREATE_SHAPE = {"audit": 1, "participants": 0, "notices": 0, "tasks": 0}


def _without_id(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key != "id"}


@dataclass(frozen=True)
class WrittenRows:
    """The rows one request through the flow left, in the order they were written."""

    record: dict[str, Any]
    audit: list[dict[str, Any]]
    participants: list[dict[str, Any]]
    instance: dict[str, Any] | None  # None: the record's form has no flow
    notices: list[dict[str, Any]]
    tasks: list[dict[str, Any]]


def written_rows(database: Database, record_id: int) -> WrittenRows:
    """What the request that created record ``record_id`` wrote, read back without ids."""

    def rows(table: Table, column: str) -> list[dict[str, Any]]:
        query = select(table).where(table.c[column] == record_id).order_by(*table.primary_key)
        return [_without_id(row._mapping) for row in connection.execute(query)]

    with database.engine.connect() as connection:
        instances = rows(_INSTANCES, "record_id")
        return WrittenRows(
            record=rows(_RECORDS, "id")[0],
            audit=rows(_AUDIT, "record_id"),
            participants=rows(_PARTICIPANTS, "record_id"),
            instance=instances[0] if instances else None,
            notices=rows(_NOTICES, "record_id"),
            tasks=rows(_TASKS, "record_id"),
        )


def _check_shape(rows: WrittenRows, shape: Mapping[str, int], flow: bool) -> None:
    """Refuse rows a floor cannot replay: the write path changed since the floor was written."""
    found = {name: len(getattr(rows, name)) for name in shape}
    if found != shape or (rows.instance is not None) != flow:
        raise BenchmarkFailed(
            _(
                "The request the storage floor replays wrote {found} rows where the floor "
                "expects {expected}; update formflow.bench.floors to the new write path.",
                found=found,
                expected=dict(shape),
            )
        )


def _writer(database: Database) -> Engine:
    """The engine as write units of work use it (on SQLite: ``BEGIN IMMEDIATE``)."""
    return database.engine.execution_options(formflow_write=True)


def create_floor(database: Database, rows: WrittenRows) -> Callable[[], None]:
    """The statements of ``create_record`` for a form without a flow: the stamps, the insert
    and its audit line, in one write transaction."""
    _check_shape(rows, CREATE_SHAPE, flow=False)
    engine = _writer(database)
    record = {**rows.record, "status": "submitted", "version": 1}
    created = rows.audit[0]

    def create() -> None:
        with engine.begin() as connection:
            connection.execute(_READ_STAMPS).all()
            record_id = connection.execute(_INSERT_RECORD, record).scalar_one()
            connection.execute(_INSERT_AUDIT, {**created, "record_id": record_id})

    return create


def _approve(connection: Connection, rows: WrittenRows, ids: dict[str, int], step: int) -> None:
    """One approval's reads (the task, the locked instance and record, the stamps, the
    instance's tasks), then the writes of approval ``step`` (0 or 1)."""
    record_id, instance_id = ids["record"], ids["instance"]
    task_id = connection.execute(
        _OPEN_TASK, {"record": record_id, "assignee": rows.tasks[step]["assignee_id"]}
    ).scalar_one()
    connection.execute(_LOCK_INSTANCE, {"id": instance_id}).one()
    connection.execute(_LOCK_RECORD, {"id": record_id}).one()
    connection.execute(_READ_STAMPS).all()
    connection.execute(_INSTANCE_TASKS, {"instance": instance_id}).all()
    instance, task = rows.instance or {}, rows.tasks[step]
    last = step == len(rows.tasks) - 1
    connection.execute(_INSERT_AUDIT, {**rows.audit[3 + step], "record_id": record_id})
    if not last:
        connection.execute(_INSERT_PARTICIPANT, {**rows.participants[2], "record_id": record_id})
        connection.execute(_INSERT_NOTICE, {**rows.notices[1], "record_id": record_id})
    connection.execute(
        _UPDATE_INSTANCE,
        {
            "key": instance_id,
            "seen": step + 1,
            "next": step + 2,
            "status": instance["status"] if last else "running",
            "state": instance["state"],
            "ended": instance["ended_at"] if last else None,
            "updated": instance["updated_at"],
        },
    )
    connection.execute(
        _FINISH_TASK,
        {
            "key": task_id,
            "status": task["status"],
            "outcome": task["outcome"],
            "completed": task["completed_at"],
        },
    )
    if not last:
        following = {**rows.tasks[step + 1], "status": "open", "outcome": None}
        connection.execute(
            _INSERT_TASK, {**following, "record_id": record_id, "instance_id": instance_id}
        )
        return
    status = rows.record["status"]
    connection.execute(_UPDATE_RECORD, {"key": record_id, "seen": 2, "next": 3, "status": status})
    connection.execute(_INSERT_AUDIT, {**rows.audit[5], "record_id": record_id})
    connection.execute(_INSERT_NOTICE, {**rows.notices[2], "record_id": record_id})


def request_floor(database: Database, rows: WrittenRows) -> Callable[[], None]:
    """The statements of one request through two approvals, as ``flow_approve_twice`` runs
    it: submitting (the record, its audit lines and participants, the instance, the first
    task and its notice) and two approvals, one write transaction each."""
    _check_shape(rows, REQUEST_SHAPE, flow=True)
    instance = rows.instance or {}
    engine = _writer(database)
    record = {**rows.record, "status": "submitted", "version": 1}
    started = {**instance, "status": "running", "ended_at": None, "version": 1}
    first_task = {**rows.tasks[0], "status": "open", "outcome": None, "completed_at": None}

    def request() -> None:
        with engine.begin() as connection:
            connection.execute(_READ_STAMPS).all()
            record_id = connection.execute(_INSERT_RECORD, record).scalar_one()
            ids = {"record": record_id}
            connection.execute(_INSERT_AUDIT, {**rows.audit[0], "record_id": record_id})
            connection.execute(
                _INSERT_PARTICIPANT, {**rows.participants[0], "record_id": record_id}
            )
            ids["instance"] = connection.execute(
                _INSERT_INSTANCE, {**started, "record_id": record_id}
            ).scalar_one()
            connection.execute(
                _UPDATE_RECORD, {"key": record_id, "seen": 1, "next": 2, "status": "in_progress"}
            )
            for line in rows.audit[1:3]:
                connection.execute(_INSERT_AUDIT, {**line, "record_id": record_id})
            connection.execute(
                _INSERT_PARTICIPANT, {**rows.participants[1], "record_id": record_id}
            )
            connection.execute(_INSERT_NOTICE, {**rows.notices[0], "record_id": record_id})
            connection.execute(
                _INSERT_TASK,
                {**first_task, "record_id": record_id, "instance_id": ids["instance"]},
            )
        for step in range(len(rows.tasks)):
            with engine.begin() as connection:
                _approve(connection, rows, ids, step)

    return request


def run_floor(
    name: str,
    unit: str,
    floor: Callable[[], None],
    raw_insert: Callable[[], None],
    plan: TimingPlan,
) -> BenchResult:
    """Time ``floor`` beside the raw insert its figure is judged against (for information)."""
    ours, baseline = measure_pair(floor, raw_insert, plan)
    return BenchResult(
        name=name,
        unit=unit,
        ours=ours,
        baseline=baseline,
        note=_(
            "the statements our code sends for the same work, as prepared SQLAlchemy Core "
            "statements with every value known beforehand, vs one raw insert: the least "
            "this storage needs, whatever the code above it"
        ),
    )
