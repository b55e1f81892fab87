"""The one read filter: what of a record's data a reader may see.

A flow step may ``hide`` fields (a payee's bank account from the manager). Whoever can read a
record only because they take part in its flow — the people asked at its steps, people
copied — must never see those fields, whichever way they read it: the task, the record
(``GET /api/records/{id}``), lists, the change history and the record pages. Every read path
asks :func:`data_for` (or :func:`data_for_many` for a page of records, or
:func:`changes_for` for history entries); none filters on its own.

Rules:

* admins, the system, the record's owner, holders of ``read_all`` on its form and readers
  named by its form's ``x-readers`` see every field;
* anyone else (a participant) misses the fields hidden at **every** step they take part in:
  a field one of their steps shows them is no secret from them. Someone who takes part
  without a step of their own (a notification) misses what any step hides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from formflow.forms import CompiledForm
from formflow.services import authz, records
from formflow.services.actor import Actor
from formflow.services.flow_context import compiled_form_of, spec_of
from formflow.services.reader_access import reader_ids
from formflow.services.records import RecordView
from formflow.services.step_access import StepAccess, access_for, visible_data
from formflow.storage.models import FlowInstance, FlowTask, Form, Record


@dataclass(frozen=True)
class Hidden:
    """Top-level fields and sub-table columns withheld from one reader of one record."""

    fields: frozenset[str] = frozenset()
    columns: Mapping[str, frozenset[str]] | None = None

    @property
    def is_empty(self) -> bool:
        return not self.fields and not any((self.columns or {}).values())

    def access(self) -> StepAccess:
        return StepAccess(hidden=self.fields, hidden_columns=dict(self.columns or {}))

    def hides(self, path: str) -> bool:
        """True when the JSON path (``$.bank``, ``$.items[0].note``) lies in a hidden part."""
        if not path.startswith("$."):
            return False
        rest = path[2:]
        name = rest.split(".", 1)[0].split("[", 1)[0]
        if name in self.fields:
            return True
        columns = (self.columns or {}).get(name)
        if not columns:
            return False
        tail = rest[len(name) :]
        if tail.startswith("["):
            after = tail.split("]", 1)[1] if "]" in tail else ""
            column = after[1:].split(".", 1)[0].split("[", 1)[0] if after.startswith(".") else ""
            return column in columns
        return False


NOTHING = Hidden()


def _intersect(accesses: Sequence[StepAccess]) -> Hidden:
    fields = frozenset.intersection(*(a.hidden for a in accesses))
    tables = set.intersection(*(set(a.hidden_columns) for a in accesses))
    columns = {
        table: frozenset.intersection(*(a.hidden_columns[table] for a in accesses))
        for table in tables
    }
    return Hidden(fields, {k: v for k, v in columns.items() if v})


def _union(accesses: Iterable[StepAccess]) -> Hidden:
    fields: set[str] = set()
    columns: dict[str, set[str]] = {}
    for access in accesses:
        fields |= access.hidden
        for table, names in access.hidden_columns.items():
            columns.setdefault(table, set()).update(names)
    return Hidden(frozenset(fields), {k: frozenset(v) for k, v in columns.items()})


def hidden_for(session: Session, actor: Actor, form_row: Form, record: Record) -> Hidden:
    """What of ``record`` is withheld from ``actor`` (see the module docstring)."""
    return hidden_for_many(session, actor, form_row, [record]).get(record.id, NOTHING)


def hidden_for_many(
    session: Session, actor: Actor, form_row: Form, rows: Sequence[Record]
) -> dict[int, Hidden]:
    """What is withheld from ``actor`` of each record of ``form_row`` in ``rows``, by id;
    records seen whole are left out. A few queries for a whole page, not a few per record."""
    if actor.id is None or actor.is_admin or not rows:
        return {}
    if authz.Action.READ_ALL in authz.form_actions(session, actor, form_row):
        return {}
    rest = [record for record in rows if record.owner_id != actor.id]
    if rest:
        as_reader = reader_ids(session, actor, form_row, [record.id for record in rest])
        rest = [record for record in rest if record.id not in as_reader]
    if not rest:
        return {}
    ids = [record.id for record in rest]
    instances: dict[int, list[FlowInstance]] = {}
    for instance in session.scalars(select(FlowInstance).where(FlowInstance.record_id.in_(ids))):
        instances.setdefault(instance.record_id, []).append(instance)
    steps: dict[int, set[tuple[int, str, str]]] = {}
    for record_id, instance_id, step, kind in session.execute(
        select(FlowTask.record_id, FlowTask.instance_id, FlowTask.step, FlowTask.kind).where(
            FlowTask.record_id.in_(ids),
            or_(FlowTask.assignee_id == actor.id, FlowTask.delegated_from == actor.id),
        )
    ):
        steps.setdefault(record_id, set()).add((instance_id, step, kind))
    out: dict[int, Hidden] = {}
    for record in rest:
        hidden = _participant_hidden(
            session,
            instances.get(record.id, []),
            steps.get(record.id, set()),
            compiled_form_of(session, record),
        )
        if not hidden.is_empty:
            out[record.id] = hidden
    return out


def _participant_hidden(
    session: Session,
    instances: Sequence[FlowInstance],
    steps: set[tuple[int, str, str]],
    form: CompiledForm,
) -> Hidden:
    if not instances:
        return NOTHING
    by_id = {instance.id: instance for instance in instances}
    mine: list[StepAccess] = []
    for instance_id, step, kind in steps:
        instance = by_id.get(instance_id)
        if instance is not None:
            spec = spec_of(session, instance.flow_version_id)
            mine.append(access_for(spec, step, kind, form))
    if mine:
        return _intersect(mine)
    every: list[StepAccess] = []
    for instance in instances:
        spec = spec_of(session, instance.flow_version_id)
        every.extend(access_for(spec, node.id, "approve", form) for node in spec.steps())
    return _union(every)


def data_for(session: Session, actor: Actor, form_row: Form, record: Record) -> dict[str, Any]:
    """``record.data`` as ``actor`` may see it."""
    hidden = hidden_for(session, actor, form_row, record)
    data = dict(record.data or {})
    return data if hidden.is_empty else visible_data(hidden.access(), data)


def data_for_many(
    session: Session, actor: Actor, form_row: Form, rows: Sequence[Record]
) -> dict[int, dict[str, Any]]:
    """The visible data of each record of a page of one form (keyed by record id)."""
    hidden = hidden_for_many(session, actor, form_row, rows)
    out: dict[int, dict[str, Any]] = {}
    for record in rows:
        data = dict(record.data or {})
        withheld = hidden.get(record.id)
        out[record.id] = data if withheld is None else visible_data(withheld.access(), data)
    return out


def changes_for(hidden: Hidden, changes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """History entries' changes without the ones at hidden paths."""
    return [dict(change) for change in changes if not hidden.hides(str(change.get("path", "")))]


@dataclass(frozen=True)
class RecordRead:
    """A readable record, its form version, and the data its reader may see."""

    view: RecordView
    data: dict[str, Any]


@dataclass(frozen=True)
class AuditEntry:
    """One entry of a record's change history as its reader may see it."""

    id: int
    record_id: int
    at: datetime
    actor_id: int | None
    action: str
    changes: list[dict[str, Any]]
    record_version: int
    comment: str | None


def read_record(session: Session, actor: Actor, record_id: int) -> RecordRead:
    """The record ``record_id`` with what ``actor`` may see of its data (NotFound otherwise)."""
    view = records.get_record(session, actor, record_id)
    return RecordRead(view, data_for(session, actor, view.form.form, view.record))


def read_history(session: Session, actor: Actor, record_id: int) -> list[AuditEntry]:
    """The change history of a readable record, without changes to hidden fields."""
    view = records.get_record(session, actor, record_id)
    hidden = hidden_for(session, actor, view.form.form, view.record)
    return [
        AuditEntry(
            id=entry.id,
            record_id=entry.record_id,
            at=entry.at,
            actor_id=entry.actor_id,
            action=entry.action,
            changes=changes_for(hidden, entry.changes or []),
            record_version=entry.record_version,
            comment=entry.comment,
        )
        for entry in records.record_history(session, actor, record_id)
    ]
