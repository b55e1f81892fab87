"""The storage floors of ``formflow bench`` send the statements our code sends.

A floor (:mod:`formflow.bench.floors`) stands under ``record_create`` and
``flow_approve_twice``: the same statements, values known beforehand, no logic. It only means
something while it mirrors the write path, so these tests compare the two statement by
statement (kind and table, in order) on the benchmark's own world, and check that a floor
request leaves the same rows as a real one.
"""

from __future__ import annotations

import pytest
from perfkit import counted
from sqlalchemy import func, select

from formflow.bench import floors
from formflow.bench.creation import service_create
from formflow.bench.flow_figures import submit_and_approve
from formflow.bench.flow_world import FlowWorld, seed_flow
from formflow.bench.seed import BenchWorld, publish_order_form, seed_world
from formflow.errors import BenchmarkFailed
from formflow.storage.db import Database
from formflow.storage.models import (
    FlowInstance,
    FlowTask,
    Notice,
    Record,
    RecordAudit,
    RecordParticipant,
)


def _shape(statements: list[str]) -> list[tuple[str, str]]:
    """Each statement as (kind, table): what the database is asked, not how it is spelt."""
    shaped = []
    for statement in statements:
        kind = statement.split()[0].upper()
        if kind == "SELECT":
            table = statement.split(" FROM ")[1].split()[0]
        elif kind == "INSERT":
            table = statement.split()[2]
        elif kind == "UPDATE":
            table = statement.split()[1]
        else:
            table = ""
        shaped.append((kind, table.strip('"')))
    return shaped


@pytest.fixture
def world(database: Database) -> BenchWorld:
    return seed_world(database)


@pytest.fixture
def flow(database: Database, world: BenchWorld) -> FlowWorld:
    return seed_flow(database, world)


def _rows_per_table(database: Database, record_id: int) -> dict[str, int]:
    with database.session() as session:
        return {
            model.__tablename__: session.scalar(
                select(func.count()).select_from(model).where(column == record_id)
            )
            or 0
            for model, column in (
                (Record, Record.id),
                (RecordAudit, RecordAudit.record_id),
                (RecordParticipant, RecordParticipant.record_id),
                (FlowInstance, FlowInstance.record_id),
                (FlowTask, FlowTask.record_id),
                (Notice, Notice.record_id),
            )
        }


def _last_record(database: Database) -> int:
    with database.session() as session:
        last = session.scalar(select(func.max(Record.id)))
    assert last is not None
    return last


def test_the_request_floor_sends_the_statements_of_a_request_through_two_approvals(
    database: Database, flow: FlowWorld
) -> None:
    request = submit_and_approve(database, flow)
    request()  # the first request fills the caches, as the benchmark's warm-up does
    with counted(database) as ours:
        record_id = request()
    floor = floors.request_floor(database, floors.written_rows(database, record_id))
    with counted(database) as replayed:
        floor()
    assert len(ours) > 20
    assert _shape(replayed) == _shape(ours)
    assert _rows_per_table(database, _last_record(database)) == _rows_per_table(database, record_id)


def test_the_create_floor_sends_the_statements_of_create_record(
    database: Database, world: BenchWorld
) -> None:
    form = publish_order_form(database, "bench_order")
    create = service_create(database, world, form)
    create()
    with counted(database) as ours:
        record_id = create()
    floor = floors.create_floor(database, floors.written_rows(database, record_id))
    with counted(database) as replayed:
        floor()
    assert _shape(replayed) == _shape(ours)
    assert [kind for kind, _table in _shape(ours)].count("INSERT") == 2


def test_a_request_that_wrote_other_rows_is_refused_with_a_pointer_to_the_floor(
    database: Database, world: BenchWorld
) -> None:
    form = publish_order_form(database, "bench_order")
    rows = floors.written_rows(database, service_create(database, world, form)())
    with pytest.raises(BenchmarkFailed) as caught:  # no flow: no instance, tasks or notices
        floors.request_floor(database, rows)
    assert "formflow.bench.floors" in str(caught.value)
    request = submit_and_approve(database, seed_flow(database, world))
    with pytest.raises(BenchmarkFailed):  # a flow's record is not a plain create
        floors.create_floor(database, floors.written_rows(database, request()))
