"""``record_create``: creating a record through the service beside a raw insert.

Ours is :func:`formflow.services.records.create_record` in its own unit of work
(``Database.session(write=True)``): authorization, validation and formulas, reference checks,
the insert, the audit entry and the write hooks, then the commit. The baseline is one
SQLAlchemy Core ``INSERT`` of the same JSON document into the same ``records`` table, in its
own transaction: the least any store of these documents must do.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert

from formflow.bench import floors
from formflow.bench.results import BenchResult
from formflow.bench.seed import BenchForm, BenchWorld
from formflow.bench.timing import TimingPlan, measure_pair
from formflow.bench.workload import order_document
from formflow.i18n import _
from formflow.services.records import create_record
from formflow.storage.db import Database
from formflow.storage.models import Record
from formflow.storage.types import utcnow

#: Distinct documents each side cycles through.
DOCUMENTS = 200
TARGET_RATIO = 3.0


def _documents(world: BenchWorld) -> list[dict[str, Any]]:
    return [
        order_document(seed, buyer=world.user_id, department=world.department_id)
        for seed in range(DOCUMENTS)
    ]


def service_create(database: Database, world: BenchWorld, form: BenchForm) -> Callable[[], int]:
    """One record created through the service, one transaction per call; returns its id."""
    cycle = itertools.cycle(_documents(world))

    def create() -> int:
        with database.session(write=True) as session:
            return create_record(session, world.actor, form.key, next(cycle)).record.id

    return create


def raw_insert(database: Database, world: BenchWorld, form: BenchForm) -> Callable[[], None]:
    """The same documents inserted with plain SQLAlchemy Core, one transaction per call."""
    cycle = itertools.cycle(_documents(world))
    statement = insert(Record)

    def create() -> None:
        document = next(cycle)
        now = utcnow()
        with database.engine.begin() as connection:
            connection.execute(
                statement,
                {
                    "form_id": form.form_id,
                    "form_version": form.version,
                    "data": document,
                    "status": "submitted",
                    "label": document["title"],
                    "owner_id": world.user_id,
                    "created_by": world.user_id,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                    "version": 1,
                },
            )

    return create


def run_creation(
    database: Database, world: BenchWorld, form: BenchForm, plan: TimingPlan
) -> list[BenchResult]:
    """Time both ways of creating a record of ``form``, then the storage floor under them
    (:mod:`formflow.bench.floors`) with the rows of the last record the service created."""
    create = service_create(database, world, form)
    ours, baseline = measure_pair(create, raw_insert(database, world, form), plan)
    created = BenchResult(
        name="record_create",
        unit="s/record",
        ours=ours,
        baseline=baseline,
        note=_(
            "services.records.create_record vs one SQLAlchemy Core insert of the same JSON, "
            "one transaction each"
        ),
        target=TARGET_RATIO,
    )
    rows = floors.written_rows(database, create())
    floor = floors.run_floor(
        "record_create_floor",
        "s/record",
        floors.create_floor(database, rows),
        raw_insert(database, world, form),
        plan,
    )
    return [created, floor]
