"""Helpers for the filter-in-SQL tests: one form with a field of every filterable kind, and
the two oracles — the ids the database selects with the compiled filter, and the ids for which
the evaluator says ``true`` — compared by :func:`assert_agreement`. The strategies that
generate data and filters are in ``expr_sql_strategies``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import assume
from sqlalchemy import select
from sqlalchemy.orm import Session

from formflow.errors import EvaluationFailed
from formflow.expr import (
    BOOLEAN,
    Checked,
    EvalContext,
    RefType,
    Scope,
    compile_expression,
    evaluate,
)
from formflow.forms import CompiledForm
from formflow.services import forms as form_service
from formflow.services.actor import SYSTEM
from formflow.storage.db import Database
from formflow.storage.expr_sql import compile_filter
from formflow.storage.models import Record

FORM_KEY = "agreement"
NOW = datetime(2026, 1, 31, 8, 0, 0, 250000, tzinfo=UTC)
CONTEXT = EvalContext(
    today=date(2026, 1, 31), now=NOW, timezone="Asia/Shanghai", variables={"current_user": 7}
)
OPTIONS = ["meal", "Meal", "travel", "张三", "ß"]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "x-type": "money", "x-index": True},
        "qty": {"type": "integer"},
        "rate": {"type": "number"},
        "title": {"type": "string", "x-index": True},
        "category": {"x-type": "select", "x-options": [{"value": v} for v in OPTIONS]},
        "spent_on": {"type": "string", "format": "date", "x-index": True},
        "submitted_at": {"type": "string", "format": "date-time", "x-index": True},
        "start_time": {"type": "string", "format": "time"},
        "urgent": {"type": "boolean"},
        "approver": {"type": "integer", "x-type": "user"},
        "tags": {"x-type": "multiselect", "x-options": [{"value": v} for v in OPTIONS]},
    },
}


@dataclass(frozen=True)
class AgreementForm:
    """The form as created in the database, with the scope filters are checked in."""

    id: int
    compiled: CompiledForm
    scope: Scope
    #: Field -> value slot (PostgreSQL; empty on SQLite), as the form's version records it.
    slots: Mapping[str, str]


def create_agreement_form(database: Database, schema: Mapping[str, Any] = SCHEMA) -> AgreementForm:
    """Create (and publish) the test form through the forms service, as an admin would."""
    with database.session(write=True) as session:
        view = form_service.create_form(
            session, SYSTEM, key=FORM_KEY, title="Agreement", schema=dict(schema)
        )
        compiled = form_service.compiled(session, view)
        form_id = view.form.id
        slots = dict(view.version.index_slots or {})
    scope = Scope(
        fields=compiled.scope.fields,
        forms=compiled.scope.forms,
        variables={"current_user": RefType("user")},
    )
    return AgreementForm(form_id, compiled, scope, slots)


# -- the two oracles -----------------------------------------------------------------------


def check_filter(form: AgreementForm, source: str) -> Checked:
    """Parse and type-check a filter in the form's scope (raises on a generator mistake)."""
    return compile_expression(source, form.scope, BOOLEAN)


def insert_records(
    session: Session, form: AgreementForm, datas: Iterable[Mapping[str, Any]]
) -> None:
    """Insert records as the service stores them: data cleaned by the form (UTC date-times,
    empty values dropped), validated, written as JSON."""
    for data in datas:
        clean, issues = form.compiled.prepare(dict(data), context=CONTEXT)
        assert issues == [], issues
        session.add(Record(form_id=form.id, form_version=1, data=clean, status="submitted"))
    session.flush()


def stored_rows(session: Session, form: AgreementForm) -> list[tuple[int, Any]]:
    """Every record's id and data as read back from the database."""
    query = select(Record.id, Record.data).where(Record.form_id == form.id)
    return [(row.id, row.data) for row in session.execute(query)]


def selected_in_sql(session: Session, form: AgreementForm, checked: Checked) -> set[int]:
    """The ids the compiled filter selects, reading indexed fields from their value slots.

    The same filter over the JSON document alone (a query compiled without the mapping) must
    select the same records: the slots hold exactly what the document says.
    """
    selected = [
        set(
            session.scalars(
                select(Record.id).where(
                    Record.form_id == form.id,
                    compile_filter(
                        checked,
                        Record.data,
                        dialect=session.get_bind().dialect.name,
                        context=CONTEXT,
                        slots=slots,
                    ),
                )
            )
        )
        for slots in (form.slots, None)
    ]
    assert selected[0] == selected[1], "the value slots disagree with the JSON documents"
    return selected[0]


def selected_in_python(rows: Sequence[tuple[int, Any]], checked: Checked) -> set[int] | None:
    """The ids for which the evaluator says ``true``; None when it fails on some record."""
    chosen: set[int] = set()
    for record_id, data in rows:
        try:
            if evaluate(checked, data, CONTEXT) is True:
                chosen.add(record_id)
        except EvaluationFailed:
            return None
    return chosen


def _explain(rows: Sequence[tuple[int, Any]], ids: set[int], checked: Checked) -> str:
    lines = []
    for record_id, data in rows:
        if record_id in ids:
            lines.append(f"  record {record_id}: {data} -> {evaluate(checked, data, CONTEXT)!r}")
    return "\n".join(lines)


def assert_agreement(
    database: Database,
    form: AgreementForm,
    datas: Sequence[Mapping[str, Any]],
    sources: Sequence[str],
    *,
    generated: bool = False,
) -> list[set[int]]:
    """Insert ``datas``, run every filter in SQL and in Python, compare, roll back.

    Returns the selected records per filter (as indexes into ``datas``). With ``generated``
    (inside a hypothesis test) data on which the evaluator itself fails is rejected, since
    there is no answer to compare with; elsewhere that is a failure.
    """
    selections: list[set[int]] = []
    with Session(database.engine) as session:
        try:
            insert_records(session, form, datas)
            rows = stored_rows(session, form)
            for source in sources:
                checked = check_filter(form, source)
                expected = selected_in_python(rows, checked)
                if generated:
                    assume(expected is not None)
                assert expected is not None, f"the evaluator fails on {source!r}"
                actual = selected_in_sql(session, form, checked)
                assert actual == expected, (
                    f"filter {source!r} on {session.get_bind().dialect.name}: "
                    f"SQL selected {sorted(actual)}, Python {sorted(expected)}\n"
                    + _explain(rows, actual ^ expected, checked)
                )
                first = min((record_id for record_id, _data in rows), default=0)
                selections.append({record_id - first for record_id in actual})
        finally:
            session.rollback()
    return selections
