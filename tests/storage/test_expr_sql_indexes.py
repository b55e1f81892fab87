"""A filter on an ``x-index`` field is answered with that field's index, not a scan.

The form is created through the forms service, which keeps each indexed field in a value slot
column with a partial index on it (``ixs_<form id>_<slot>``). The compiled filter must use
exactly the indexed column, so the database plans an index search: SQLite's ``EXPLAIN QUERY
PLAN`` names the index, and uses it as covering (the whole list query is answered from it);
PostgreSQL's ``EXPLAIN`` (sequential scans switched off, so the plan does not depend on table
statistics) shows an index scan on it. A field beyond the slots keeps a partial expression
index (``ixf_*``), tested in ``test_value_slots``.

Each filter selects a few of 1,000 records, as list filters usually do (for a filter that
selects most records, reading them all is the better plan). The table is analysed first, as
PostgreSQL's autovacuum does on its own. SQLite needs the same statistics (``ANALYZE``, or
``PRAGMA optimize``): without them its planner prefers the ``(form_id, deleted_at, id)``
index of the list query to a range on an expression index.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from expr_sql_kit import CONTEXT, AgreementForm, create_agreement_form
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from formflow.expr import BOOLEAN, compile_expression
from formflow.services import forms as form_service
from formflow.storage.db import Database
from formflow.storage.expr_sql import compile_filter
from formflow.storage.models import Record

FILTERS = [
    ("amount > 480", "amount_number"),
    ("amount >= 35.5 and amount < 40", "amount_number"),
    ("amount = 0.1", "amount_number"),
    ("amount > 1234567.891234567891234", "amount_number"),
    ("amount = 100.0000000000000000001", "amount_number"),
    ("title = '张三'", "title_text"),
    ("title in ['张三', 'record 7']", "title_text"),
    ("spent_on >= date('2025-06-01')", "spent_on_text"),
    ("spent_on < today() - 2200", "spent_on_text"),
    ("submitted_at > now()", "submitted_at_text"),
    ("submitted_at <= datetime('2020-01-20T08:00:00Z')", "submitted_at_text"),
    ("submitted_at = now()", "submitted_at_text"),
]

REFINED_ON_SQLITE = {"amount > 1234567.891234567891234", "amount = 100.0000000000000000001"}


@pytest.fixture
def form(database: Database) -> AgreementForm:
    created = create_agreement_form(database)
    with database.session(write=True) as session:
        for number in range(1000):
            day = date(2020, 1, 1) + timedelta(days=2 * number)
            data = {
                "amount": Decimal(number) / 2,
                "title": f"record {number}",
                "spent_on": day.isoformat(),
                "submitted_at": f"{day.isoformat()}T08:00:00{'.5' * (number % 2)}Z",
            }
            session.add(Record(form_id=created.id, form_version=1, data=data))
    with database.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE records")
    return created


def _slots(session: Session, form: AgreementForm) -> dict[str, str]:
    return form_service.get_form_by_id(session, form.id).version.index_slots or {}


def _query(session: Session, form: AgreementForm, source: str) -> Select[Any]:
    checked = compile_expression(source, form.scope, BOOLEAN)
    condition = compile_filter(
        checked,
        Record.data,
        dialect=session.get_bind().dialect.name,
        context=CONTEXT,
        slots=_slots(session, form),
    )
    return select(Record.id).where(
        Record.form_id == form.id, Record.deleted_at.is_(None), condition
    )


def _plan(session: Session, query: Select[Any]) -> str:
    """The database's plan for ``query`` with its parameters bound, as the service runs it."""
    dialect = session.get_bind().dialect
    compiled = query.compile(dialect=dialect)
    connection = session.connection()
    if dialect.name == "sqlite":
        positional = tuple(compiled.params[name] for name in compiled.positiontup or ())
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", positional)
        return "\n".join(str(row[-1]) for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    return "\n".join(str(row[0]) for row in rows)


@pytest.mark.parametrize(("source", "index"), FILTERS, ids=[source for source, _ in FILTERS])
def test_a_filter_on_an_indexed_field_is_answered_with_its_index(
    database: Database, form: AgreementForm, source: str, index: str
) -> None:
    with Session(database.engine) as session:
        slots = _slots(session, form)
        plan = _plan(session, _query(session, form, source))
        session.rollback()
    field = index.rsplit("_", 1)[0]
    name = f"ixs_{form.id}_{slots[field]}"
    if database.is_sqlite:
        # A number with more digits than a double holds is found through the index and then
        # compared exactly against the document, which the index does not hold.
        how = "USING INDEX" if source in REFINED_ON_SQLITE else "USING COVERING INDEX"
        assert f"{how} {name} ({slots[field]}" in plan, plan
    else:
        scanned = ("Index Scan using ", "Index Only Scan using ", "Bitmap Index Scan on ")
        assert any(f"{scan}{name} " in plan for scan in scanned), plan
        assert "Index Cond: " in plan, plan


def test_the_indexed_filter_still_selects_the_right_records(
    database: Database, form: AgreementForm
) -> None:
    with Session(database.engine) as session:
        ids = list(session.scalars(_query(session, form, "amount > 100 and amount <= 101")))
        amounts = [session.get_one(Record, record_id).data["amount"] for record_id in ids]
    assert sorted(amounts) == [Decimal("100.5"), Decimal("101")]
