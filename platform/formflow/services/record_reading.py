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
from formflow.services.reader_access import is_reader
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


def _sees_everything(session: Session, actor: Actor, form_row: Form, record: Record) -> bool:
    if actor.id is None or actor.is_admin or record.owner_id == actor.id:
        return True
    if authz.Action.READ_ALL in authz.form_actions(session, actor, form_row):
        return True
    return is_reader(session, actor, form_row, record)


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
    if _sees_everything(session, actor, form_row, record):
        return NOTHING
    return _participant_hidden(session, actor, record, compiled_form_of(session, record))


def _participant_hidden(
    session: Session, actor: Actor, record: Record, form: CompiledForm
) -> Hidden:
    instances = list(
        session.scalars(select(FlowInstance).where(FlowInstance.record_id == record.id))
    )
    if not instances:
        return NOTHING
    by_id = {instance.id: instance for instance in instances}
    rows = session.execute(
        select(FlowTask.instance_id, FlowTask.step, FlowTask.kind).where(
            FlowTask.record_id == record.id,
            or_(FlowTask.assignee_id == actor.id, FlowTask.delegated_from == actor.id),
        )
    ).all()
    mine: list[StepAccess] = []
    for instance_id, step, kind in set(rows):
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
    """The visible data of each record of a page (keyed by record id)."""
    return {record.id: data_for(session, actor, form_row, record) for record in rows}


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
