"""How many statements a write sends: the definitions it needs come from caches keyed by
change stamps, so the database sees the work itself and one read of the stamps.

These are counts, not timings (timings belong to ``formflow bench``); a new query on the
write path shows up here as a failing count and should be a deliberate choice.
"""

from __future__ import annotations

from typing import Any

import pytest
from perfkit import World, build_world, counted, of_kind
from sqlalchemy import select

from formflow.services.records import create_record
from formflow.services.tasks import TaskRequest, act_on_task
from formflow.storage.db import Database
from formflow.storage.models import FlowTask, Record, RecordAudit


@pytest.fixture
def world(database: Database) -> World:
    world = build_world(database)
    with database.session(write=True) as session:  # the first write fills the caches
        create_record(session, world.buyer, "plain", world.document())
    return world


def test_a_plain_record_is_one_read_of_the_stamps_the_insert_and_its_audit_line(
    database: Database, world: World
) -> None:
    with counted(database) as statements, database.session(write=True) as session:
        create_record(session, world.buyer, "plain", world.document("Pens"))
    selects = of_kind(statements, "SELECT")
    assert len(selects) == 1 and "FROM stamps" in selects[0]
    assert [s.split(" (")[0] for s in of_kind(statements, "INSERT")] == [
        "INSERT INTO records",
        "INSERT INTO record_audit",
    ]
    assert not of_kind(statements, "SAVEPOINT")


def test_writes_in_a_row_read_the_stamps_once_per_unit_of_work(
    database: Database, world: World
) -> None:
    with counted(database) as statements, database.session(write=True) as session:
        for title in ("A", "B", "C"):
            create_record(session, world.buyer, "plain", world.document(title))
    assert len(of_kind(statements, "SELECT")) == 1
    assert len(of_kind(statements, "INSERT INTO records")) == 3


def _task_of(database: Database, record_id: int, user_id: int | None) -> int:
    with database.session() as session:
        task = session.scalar(
            select(FlowTask.id).where(
                FlowTask.record_id == record_id,
                FlowTask.assignee_id == user_id,
                FlowTask.status == "open",
            )
        )
    assert task is not None
    return task


def test_an_approval_reads_the_locked_rows_the_stamps_and_the_open_tasks_only(
    database: Database, world: World
) -> None:
    with database.session(write=True) as session:
        record_id = create_record(session, world.buyer, "order", world.document()).record.id
    first, _second = world.approvers
    task = _task_of(database, record_id, first.id)
    with counted(database) as statements, database.session(write=True) as session:
        act_on_task(session, first, task, TaskRequest("approve"))
    tables = [s.split(" FROM ")[1].split(" ")[0] for s in of_kind(statements, "SELECT")]
    assert tables == ["flow_instances", "records", "stamps", "flow_tasks"]
    assert len(of_kind(statements, "UPDATE flow_instances")) == 1


@pytest.mark.parametrize("approvals", [1, 2])
def test_the_trail_of_a_request_is_the_same_as_it_always_was(
    database: Database, world: World, approvals: int
) -> None:
    with database.session(write=True) as session:
        record_id = create_record(session, world.buyer, "order", world.document()).record.id
    for approver in world.approvers[:approvals]:
        task = _task_of(database, record_id, approver.id)
        with database.session(write=True) as session:
            act_on_task(session, approver, task, TaskRequest("approve", comment="ok"))
    with database.session() as session:
        trail: list[tuple[Any, ...]] = [
            (row.action, row.record_version, row.actor_id)
            for row in session.scalars(
                select(RecordAudit)
                .where(RecordAudit.record_id == record_id)
                .order_by(RecordAudit.id)
            )
        ]
        record = session.get(Record, record_id)
        assert record is not None
        status, version = record.status, record.version
    first, second = world.approvers
    expected = [
        ("submit", 1, world.buyer.id),
        ("flow:start", 2, world.buyer.id),
        ("status", 2, world.buyer.id),
        ("flow:approve", 2, first.id),
    ]
    if approvals == 2:
        expected += [("flow:approve", 2, second.id), ("status", 3, second.id)]
    assert trail == expected
    assert (status, version) == (("approved", 3) if approvals == 2 else ("in_progress", 2))
